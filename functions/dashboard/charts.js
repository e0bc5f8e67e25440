// Two small SVG charts drawn with createElementNS: no library, no CDN, nothing to vendor.
// Sizes are in viewBox units; CSS makes the SVG as wide as its panel.

import { s, h } from './dom.js';
import { percent } from './format.js';

const W = 640;
const H = 260;
const M = { top: 16, right: 16, bottom: 44, left: 44 };

/** The top of a count axis with four whole-number steps: 4, 8, 20, 40, 80, 200, ... */
function niceMax(value) {
  const rough = Math.max(1, value / 4);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= rough);
  return Math.max(1, Math.ceil(step)) * 4;
}

function frame(label) {
  return s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg', role: 'img', 'aria-label': label, preserveAspectRatio: 'xMidYMid meet' });
}

/** Vertical bars, one per bucket: [{ label, count }]. */
export function barChart(buckets, { title = 'Count by bucket' } = {}) {
  const data = Array.isArray(buckets) ? buckets : [];
  const total = data.reduce((sum, b) => sum + (b.count ?? 0), 0);
  const summary = data.map((b) => `${b.label}: ${b.count}`).join(', ');
  const svg = frame(`${title}. ${summary || 'No data.'}`);
  svg.setAttribute('data-testid', 'bar-chart');
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const max = niceMax(Math.max(0, ...data.map((b) => b.count ?? 0)));

  for (let i = 0; i <= 4; i++) {
    const value = (max / 4) * i;
    const y = M.top + plotH - (value / max) * plotH;
    svg.append(
      s('line', { class: 'grid', x1: M.left, x2: W - M.right, y1: y, y2: y }),
      s('text', { class: 'axis-label', x: M.left - 6, y: y + 4, 'text-anchor': 'end' }, String(Math.round(value))));
  }

  const slot = data.length ? plotW / data.length : plotW;
  const barW = Math.min(72, slot * 0.7);
  data.forEach((b, i) => {
    const count = b.count ?? 0;
    const barH = (count / max) * plotH;
    const x = M.left + slot * i + (slot - barW) / 2;
    const y = M.top + plotH - barH;
    const share = total ? ` (${percent(count / total)})` : '';
    svg.append(
      s('rect', { class: 'bar', 'data-testid': 'bar', x, y, width: barW, height: Math.max(barH, count > 0 ? 1 : 0), rx: 2 },
        s('title', {}, `${b.label}: ${count}${share}`)),
      s('text', { class: 'bar-value', x: x + barW / 2, y: y - 4, 'text-anchor': 'middle' }, String(count)),
      s('text', { class: 'axis-label', x: M.left + slot * i + slot / 2, y: H - M.bottom + 18, 'text-anchor': 'middle' }, b.label));
  });
  svg.append(s('line', { class: 'axis', x1: M.left, x2: W - M.right, y1: M.top + plotH, y2: M.top + plotH }));
  return wrap(svg, total === 0 ? 'No first responses in this period.' : `${total} first response${total === 1 ? '' : 's'}.`);
}

/** A line of rates (0..1) by day: [{ day, metRate, responded }]. Days without a rate leave a gap. */
export function lineChart(daily, { title = 'Met rate by day' } = {}) {
  const data = (Array.isArray(daily) ? daily : []).slice().sort((a, b) => String(a.day).localeCompare(String(b.day)));
  const svg = frame(`${title}. ${data.map((d) => `${d.day}: ${percent(d.metRate)}`).join(', ') || 'No data.'}`);
  svg.setAttribute('data-testid', 'line-chart');
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (i) => M.left + (data.length <= 1 ? plotW / 2 : (plotW * i) / (data.length - 1));
  const y = (rate) => M.top + plotH - rate * plotH;

  for (const rate of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(
      s('line', { class: 'grid', x1: M.left, x2: W - M.right, y1: y(rate), y2: y(rate) }),
      s('text', { class: 'axis-label', x: M.left - 6, y: y(rate) + 4, 'text-anchor': 'end' }, `${rate * 100}%`));
  }

  let path = '';
  let pen = false;
  data.forEach((d, i) => {
    const has = typeof d.metRate === 'number' && !Number.isNaN(d.metRate);
    if (has) {
      path += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(d.metRate).toFixed(1)} `;
    }
    pen = has;
  });
  if (path) svg.append(s('path', { class: 'line', d: path.trim(), 'data-testid': 'line' }));

  const every = Math.max(1, Math.ceil(data.length / 7));
  data.forEach((d, i) => {
    if (typeof d.metRate === 'number' && !Number.isNaN(d.metRate)) {
      svg.append(s('circle', { class: 'point', cx: x(i), cy: y(d.metRate), r: 4 },
        s('title', {}, `${d.day}: ${percent(d.metRate)} met${d.responded !== undefined ? `, ${d.responded} responded` : ''}`)));
    }
    // Every n-th day and the last one, leaving out a regular label that would crowd the last.
    const lastIndex = data.length - 1;
    if (i === lastIndex || (i % every === 0 && lastIndex - i >= every)) {
      svg.append(s('text', { class: 'axis-label', x: x(i), y: H - M.bottom + 18, 'text-anchor': 'middle' }, String(d.day).slice(5)));
    }
  });
  svg.append(s('line', { class: 'axis', x1: M.left, x2: W - M.right, y1: M.top + plotH, y2: M.top + plotH }));
  const rated = data.filter((d) => typeof d.metRate === 'number');
  return wrap(svg, rated.length === 0 ? 'No day in this period had a first response due.' : `${rated.length} day${rated.length === 1 ? '' : 's'} with a first response due.`);
}

function wrap(svg, caption) {
  return h('figure', { class: 'chart-figure' }, svg, h('figcaption', { class: 'muted' }, caption));
}
