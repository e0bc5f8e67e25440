// Times, durations and numbers as an agent reads them.

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

/** What a live SLA clock says now: { text, tone } with tone ok | warn | breach | done | idle. */
export function slaClock(label, dueAt, { doneAt = null, atRiskMs = 30 * 60 * 1000, serverState = null, now = Date.now() } = {}) {
  if (doneAt) {
    const late = dueAt && new Date(doneAt).getTime() > new Date(dueAt).getTime();
    return { text: `${label}: done ${clock(doneAt)}${late ? ' (late)' : ''}`, tone: late ? 'breach' : 'done' };
  }
  if (!dueAt) return { text: `${label}: clock paused`, tone: 'idle' };
  const left = new Date(dueAt).getTime() - now;
  if (Number.isNaN(left)) return { text: `${label}: —`, tone: 'idle' };
  if (left <= 0) return { text: `${label}: breached ${ago(-left)} ago`, tone: 'breach' };
  const warn = left <= atRiskMs || serverState === 'at-risk';
  return { text: `${label}: ${duration(left)} left`, tone: warn ? 'warn' : 'ok' };
}
