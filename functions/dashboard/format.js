// Times, durations and numbers as an agent reads them.

import { formatDuration } from './durations.js';

/** "12m 03s", "3h 12m", "2d 4h". */
export function duration(ms) {
  const total = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  const d = Math.floor(total / 86400);
  const hr = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (d > 0) return `${d}d ${hr}h`;
  if (hr > 0) return `${hr}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(sec).padStart(2, '0')}s`;
}

/** "12m" style for a past breach: "breached 12m ago" reads better without seconds after a minute. */
export function ago(ms) {
  const total = Math.floor(Math.abs(ms) / 1000);
  if (total < 60) return `${total}s`;
  const m = Math.floor(total / 60);
  if (m < 60) return `${m}m`;
  const hr = Math.floor(m / 60);
  if (hr < 48) return `${hr}h ${m % 60}m`;
  return `${Math.floor(hr / 24)}d ${hr % 24}h`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dateTime.format(d);
}

export function clock(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : timeOnly.format(d);
}

export function relative(iso, now = Date.now()) {
  if (!iso) return '';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '';
  const diff = now - t;
  return diff >= 0 ? `${ago(diff)} ago` : `in ${ago(diff)}`;
}

export function percent(rate) {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return '—';
  return `${Math.round(rate * 1000) / 10}%`;
}

export function compact(n) {
  if (n === null || n === undefined) return '';
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
  return String(n);
}

export function number(n, digits = 1) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

/** YYYY-MM-DD of a Date in UTC (the API's days are UTC days). */
export function utcDay(date) {
  return date.toISOString().slice(0, 10);
}

/**
 * What a live SLA clock says now: { text, tone } with tone ok | warn | breach | done | idle. Every
 * state of the API's clock gets a sentence that is true of it:
 * - running: time left (amber within the warning time), "breached … ago" once past due; a due time
 *   further away than the target itself means business hours are closed meanwhile, and it says so;
 * - paused (waiting on the customer): no time runs; says if it was already past its target;
 * - stopped with an answer ("done 14:02", "(late)" when the API's standing is breached);
 * - stopped without one: resolved before any first response, which the SLA counts as given at the
 *   resolution, so met or breached by the standing the API gives;
 * - none: the handoff has no SLA clock.
 * When `run` is not given (older data) it is inferred: an answer → stopped, a due time → running.
 * @param {string} label "First response" or "Resolution"
 * @param {object} facts doneAt (the answer or resolution time), run (running|paused|stopped|none),
 *   stoppedAt, standing (met|breached|at-risk|paused|ok), targetMinutes, serverState, atRiskMs, now
 */
export function slaClock(label, dueAt, { doneAt = null, run = null, stoppedAt = null, standing = null, targetMinutes = null, atRiskMs = 30 * 60 * 1000, serverState = null, now = Date.now() } = {}) {
  const state = run || (doneAt ? 'stopped' : dueAt ? 'running' : null);
  const target = Number.isFinite(targetMinutes) && targetMinutes > 0 ? `its ${formatDuration(targetMinutes * 60000)} target` : 'its target';
  if (state === 'none') return { text: `${label}: no SLA clock`, tone: 'idle' };
  if (state === 'stopped') {
    const late = standing === 'breached' || (!standing && dueAt && doneAt && new Date(doneAt).getTime() > new Date(dueAt).getTime());
    if (doneAt) return { text: `${label}: done ${clock(doneAt)}${late ? ' (late)' : ''}`, tone: late ? 'breach' : 'done' };
    const at = stoppedAt ? ` at ${when(stoppedAt)}` : '';
    if (label === 'Resolution') return { text: `${label}: resolved${at}${late ? ' (late)' : ''}`, tone: late ? 'breach' : 'done' };
    // Resolving stops the first-response clock too: the SLA counts the resolution as the response.
    const verdict = standing === 'met' ? `; counts as met (within ${target})` : standing === 'breached' ? `; counts as breached (past ${target})` : '';
    return { text: `${label}: none recorded before it was resolved${at}${verdict}`, tone: standing === 'met' ? 'done' : standing === 'breached' ? 'breach' : 'idle' };
  }
  if (state === 'paused') {
    const over = standing === 'breached';
    return { text: `${label}: paused while waiting on the customer${over ? `, already past ${target}` : ''}`, tone: over ? 'breach' : 'idle' };
  }
  if (state !== 'running' || !dueAt) return { text: `${label}: clock paused`, tone: 'idle' };
  const left = new Date(dueAt).getTime() - now;
  if (Number.isNaN(left)) return { text: `${label}: —`, tone: 'idle' };
  if (left <= 0) return { text: `${label}: breached ${ago(-left)} ago`, tone: 'breach' };
  const warn = left <= atRiskMs || serverState === 'at-risk';
  // More time to the due moment than the whole target: the calendar is closed for part of it.
  const closed = Number.isFinite(targetMinutes) && targetMinutes > 0 && left > targetMinutes * 60000;
  return { text: `${label}: ${duration(left)} left${closed ? ` (due ${when(dueAt)}; only business hours count)` : ''}`, tone: warn ? 'warn' : 'ok' };
}

/**
 * The queue's paging words: "1–25 of 1,200 in care" and "Page 1 of 48". A total the API only bounds
 * (totalAtLeast: a filter counts its matches up to 1,000 to stay fast) reads "1,000+" and keeps the
 * next page open, since more pages may follow the ones counted.
 */
export function queuePaging({ page = 1, pageSize, itemCount = 0, total = itemCount, totalAtLeast = false, team = 'this team' } = {}) {
  const size = Math.max(1, pageSize ?? itemCount);
  const first = total === 0 ? 0 : (page - 1) * size + 1;
  const last = Math.min(total, (page - 1) * size + itemCount);
  const more = totalAtLeast === true;
  const pages = Math.max(1, Math.ceil(total / size));
  const plus = more ? '+' : '';
  const n = (value) => value.toLocaleString('en-GB');
  return {
    count: total === 0 ? '' : `${n(first)}–${n(last)} of ${n(total)}${plus} in ${team}`,
    pages,
    pageText: `Page ${page} of ${pages}${plus}`,
    hasNext: more || page < pages,
    hasPrevious: page > 1,
  };
}
