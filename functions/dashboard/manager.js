// Manager view: SLA table per team and day, first-response charts, breaches and at-risk lists,
// CSV exports, and the rules, teams and SLA policy forms; a section nav deep-links each part
// (#/manager/rules) and marks a form with unsaved edits. Every form stays in the page, so moving
// between sections (or views) keeps what was typed.

import { get, query } from './api.js';
import { h, replace, domId } from './dom.js';
import { percent, number, when, utcDay } from './format.js';
import { barChart, lineChart } from './charts.js';
import { RulesEditor } from './rules-editor.js';
import { SlaEditor } from './sla-editor.js';
import { TeamsEditor } from './teams-editor.js';

// Breaches shown per page (the API's limit); the rest on "Show more".
const BREACHES_PAGE = 50;

export class ManagerView {
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.form = root.querySelector('#sla-filters');
    const teamSelect = this.form.elements.team;
    for (const team of app.teams) teamSelect.append(h('option', { value: team.name }, team.name));
    const today = new Date();
    this.form.elements.to.value = utcDay(today);
    this.form.elements.from.value = utcDay(new Date(today.getTime() - 13 * 86400000));
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.refresh({ announce: true });
    });
    const editors = { rules: RulesEditor, 'sla-policies': SlaEditor, teams: TeamsEditor };
    this.editors = [...root.querySelectorAll('.editor')].map((el) => new editors[el.dataset.kind](el, app));
    root.addEventListener('editor-dirty', (e) => this.markUnsaved(e.target.closest('[data-section]')?.dataset.section, e.detail.dirty));
  }

  show(params, section = '') {
    if (!this.shown) {
      this.shown = true;
      this.ready = Promise.allSettled([this.refresh(), ...this.editors.map((editor) => editor.ensureLoaded())]);
    }
    for (const link of this.root.querySelectorAll('.section-nav a')) {
      if (link.dataset.section === section) link.setAttribute('aria-current', 'location');
      else link.removeAttribute('aria-current');
    }
    // A deep link may arrive before the sections above it are drawn: once they are, bring it back into view.
    const heading = this.sectionHeading(section);
    if (heading) this.ready.then(() => { if (document.activeElement === heading) heading.scrollIntoView({ block: 'start' }); });
  }

  /** The heading of a section (#/manager/rules → "Routing rules"), or null for none or an unknown one. */
  sectionHeading(section) {
    if (!section) return null;
    return this.root.querySelector(`section[data-section="${CSS.escape(section)}"] h2`);
  }

  hasUnsavedChanges() {
    return this.editors.some((editor) => editor.dirty);
  }

  /** "Routing rules · unsaved changes" in the section nav while that form has edits not saved. */
  markUnsaved(section, dirty) {
    const link = this.root.querySelector(`.section-nav a[data-section="${CSS.escape(section ?? '')}"]`);
    if (!link) return;
    link.querySelector('.unsaved')?.remove();
    if (dirty) link.append(h('span', { class: 'unsaved' }, ' · unsaved changes'));
  }

  params() {
    const f = this.form.elements;
    return { team: f.team.value, from: f.from.value, to: f.to.value };
  }

  async refresh({ announce = false } = {}) {
    const p = this.params();
    const range = query(p);
    for (const link of this.form.querySelectorAll('a[data-export]')) {
      const kind = link.dataset.export;
      link.href = `/api/sla/${kind}.csv${kind === 'at-risk' ? query({ team: p.team }) : range}`;
    }
    this.root.setAttribute('aria-busy', 'true');
    const results = await Promise.allSettled([
      get(`/api/sla/summary${range}`),
      get(`/api/sla/first-response${range}`),
      get(`/api/sla/breaches${query({ ...p, limit: BREACHES_PAGE })}`),
      get(`/api/sla/at-risk${query({ team: p.team })}`),
    ]);
    this.root.removeAttribute('aria-busy');
    const [summary, firstResponse, breaches, atRisk] = results.map((r) => (r.status === 'fulfilled' ? r.value.data : null));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) this.app.announceError(failed.reason, 'Some SLA figures could not be loaded');

    this.renderKpis(summary, atRisk);
    this.renderSummary(summary);
    replace(this.root.querySelector('[data-testid="chart-first-response"]'),
      firstResponse ? barChart(firstResponse.buckets, { title: 'First responses by time taken' }) : h('p', { class: 'muted' }, 'Not available.'));
    replace(this.root.querySelector('[data-testid="chart-met-rate"]'),
      firstResponse ? lineChart(firstResponse.daily, { title: 'First-response SLA met rate by day' }) : h('p', { class: 'muted' }, 'Not available.'));
    // The breaches come a page at a time; "Show more" asks for the next with the page's continuation.
    this.breaches = breaches ? { ...breaches, params: p } : null;
    this.renderList(this.root.querySelector('[data-testid="sla-breaches"]'), this.breaches, 'breach');
    this.renderList(this.root.querySelector('[data-testid="sla-at-risk"]'), atRisk, 'at-risk');
    // Said politely when the manager asked for it (Show), so a screen reader knows the tables changed.
    if (announce && !failed) this.app.announce(`SLA figures for ${p.team || 'all teams'}, ${summary?.from ?? p.from} to ${summary?.to ?? p.to}: ${summary?.rows?.length ?? 0} rows, ${breaches?.items?.length ?? 0}${breaches?.continuation ? ' or more' : ''} breaches, ${atRisk?.items?.length ?? 0} at risk now.`);
  }

  renderKpis(summary, atRisk) {
    const rows = summary?.rows ?? [];
    const sum = (key) => rows.reduce((total, r) => total + (r[key] ?? 0), 0);
    const met = sum('firstResponseMet');
    const breached = sum('firstResponseBreached');
    const kpi = (label, value, tone = '') => h('div', { class: `kpi ${tone}` }, h('span', { class: 'kpi-value' }, value), h('span', { class: 'kpi-label' }, label));
    replace(this.root.querySelector('[data-testid="sla-kpis"]'),
      kpi('received', String(sum('received'))),
      kpi('first response met', met + breached ? percent(met / (met + breached)) : '—', met + breached && met / (met + breached) < 0.9 ? 'bad' : ''),
      kpi('first responses breached', String(breached), breached ? 'bad' : ''),
      kpi('resolutions breached', String(sum('resolutionBreached')), sum('resolutionBreached') ? 'bad' : ''),
      kpi('at risk now', String(atRisk?.items?.length ?? 0), atRisk?.items?.length ? 'warn' : ''));
  }

  renderSummary(summary) {
    const box = this.root.querySelector('[data-testid="sla-summary"]');
    const rows = [...(summary?.rows ?? [])].sort((a, b) => String(b.day).localeCompare(String(a.day)) || String(a.team).localeCompare(String(b.team)));
    if (!summary) return replace(box, h('p', { class: 'muted' }, 'Not available.'));
    if (rows.length === 0) return replace(box, h('p', { class: 'muted', testid: 'sla-summary-empty' }, `No handoffs between ${summary.from} and ${summary.to}.`));
    const columns = [
      ['Team', (r) => r.team, ''],
      ['Day', (r) => r.day, ''],
      ['Received', (r) => r.received, 'num'],
      ['Responded', (r) => r.firstResponded, 'num'],
      ['1st resp. met', (r) => r.firstResponseMet, 'num'],
      ['1st resp. breached', (r) => r.firstResponseBreached, 'num bad-if'],
      ['Resolution met', (r) => r.resolutionMet, 'num'],
      ['Resolution breached', (r) => r.resolutionBreached, 'num bad-if'],
      ['At risk', (r) => r.atRisk, 'num warn-if'],
      ['Open', (r) => r.open, 'num'],
      ['Met rate', (r) => percent(r.metRate), 'num'],
      ['Median 1st resp. (min)', (r) => number(r.medianFirstResponseMinutes), 'num'],
    ];
    const cell = (r, [, get, cls]) => {
      const value = get(r);
      const flagged = (cls.includes('bad-if') || cls.includes('warn-if')) && Number(value) > 0;
      return h('td', { class: `${cls}${flagged ? (cls.includes('bad-if') ? ' bad' : ' warn') : ''}` }, value ?? '—');
    };
    replace(box, h('table', { class: 'table', testid: 'sla-table' },
      h('caption', { class: 'visually-hidden' }, `SLA per team and day, ${summary.from} to ${summary.to}`),
      h('thead', {}, h('tr', {}, columns.map(([label, , cls]) => h('th', { scope: 'col', class: cls.split(' ')[0] }, label)))),
      h('tbody', {}, rows.map((r) => h('tr', { testid: 'sla-row' }, columns.map((c) => cell(r, c)))))));
  }

  async moreBreaches() {
    const shown = this.breaches;
    // One page at a time: a second click while it loads would add the same page twice.
    if (!shown?.continuation || this.loadingMoreBreaches) return;
    this.loadingMoreBreaches = true;
    const box = this.root.querySelector('[data-testid="sla-breaches"]');
    box.setAttribute('aria-busy', 'true');
    box.querySelector('[data-testid="more-breaches"]')?.setAttribute('aria-disabled', 'true');
    try {
      const next = (await get(`/api/sla/breaches${query({ ...shown.params, limit: BREACHES_PAGE, continuation: shown.continuation })}`)).data;
      // The list was reloaded (another team or range) while this page came: it belongs to the old list.
      if (this.breaches !== shown) return;
      this.breaches = { ...shown, items: [...shown.items, ...next.items], continuation: next.continuation };
      this.renderList(box, this.breaches, 'breach');
      // Focus the first breach just added, so a keyboard user carries on where the list grew.
      box.querySelectorAll('tbody tr')[shown.items.length]?.querySelector('button')?.focus();
      this.app.announce(`${next.items.length} more breaches shown, ${this.breaches.items.length} in all${next.continuation ? '; more remain' : ''}.`);
    } catch (error) {
      this.app.announceError(error, 'More breaches could not be loaded');
    } finally {
      this.loadingMoreBreaches = false;
      box.removeAttribute('aria-busy');
      box.querySelector('[data-testid="more-breaches"]')?.removeAttribute('aria-disabled');
    }
  }

  renderList(box, data, kind) {
    const items = data?.items ?? [];
    if (!data) return replace(box, h('p', { class: 'muted' }, 'Not available.'));
    if (items.length === 0) return replace(box, h('p', { class: 'muted' }, kind === 'breach' ? 'No breaches in this period.' : 'Nothing is at risk right now.'));
    replace(box, h('table', { class: 'table compact', testid: kind === 'breach' ? 'breaches-table' : 'at-risk-table' },
      h('thead', {}, h('tr', {}, ['Handoff', 'Team', 'Pri.', 'Clock', kind === 'breach' ? 'Late by' : 'Left', 'Due', 'Assignee', 'Status'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, items.map((item) => {
        // A stable id (a handoff can be listed once per clock), so closing the dialog finds this button
        // again after the table is redrawn; the name says which clock, as two rows can share a text.
        const clockName = item.clock === 'firstResponse' ? 'first response' : item.clock;
        const label = truncate(item.text, 60) || 'handoff';
        const open = h('button', {
          type: 'button', class: 'button link', id: `${kind}-open-${domId(item.clock)}-${domId(item.id)}`, 'aria-haspopup': 'dialog',
          'aria-label': `${label} (${clockName} ${kind === 'breach' ? 'breached' : 'at risk'})`,
        }, label);
        open.addEventListener('click', () => this.app.detail.open(item.id));
        return h('tr', {},
          h('td', { class: 'text-cell' }, open),
          h('td', {}, item.team),
          h('td', {}, item.priority),
          h('td', {}, clockName),
          h('td', { class: `num ${kind === 'breach' ? 'bad' : 'warn'}` }, `${Math.round(item.minutes ?? 0)} min`),
          h('td', {}, when(item.dueAt)),
          h('td', {}, item.assigneeName ?? item.assignee ?? '—'),
          h('td', {}, item.status ?? ''));
      }))));
    if (kind === 'breach' && data.continuation) {
      const more = h('button', { type: 'button', class: 'button', testid: 'more-breaches' }, `Show more breaches (${items.length} shown)`);
      more.addEventListener('click', () => this.moreBreaches());
      box.append(more);
    }
  }
}

function truncate(text, max) {
  if (typeof text !== 'string') return '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
