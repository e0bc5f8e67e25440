// SLA targets as managers write and read them ("1 h 30 min", "90 min", "1h30", "2 days", ISO "PT1H30M") and as the
// policy document stores them ("01:30:00", "1.00:00:00"). The same forms as the server's
// SlaDuration (functions/SocialHandoff.Core/Sla/SlaDuration.cs), so what the form accepts the API accepts.

const MS = { w: 604800000, d: 86400000, h: 3600000, m: 60000, s: 1000 };
const UNITS = [
  [['w', 'wk', 'wks', 'week', 'weeks'], MS.w],
  [['d', 'day', 'days'], MS.d],
  [['h', 'hr', 'hrs', 'hour', 'hours'], MS.h],
  [['m', 'min', 'mins', 'minute', 'minutes'], MS.m],
  [['s', 'sec', 'secs', 'second', 'seconds'], MS.s],
];
const EXAMPLE = 'write it like 1 h 30 min, 90 min or 2 d';

/** { ms } or { error } for what a manager typed. */
export function parseDuration(text) {
  const trimmed = String(text ?? '').trim();
  if (!trimmed) return { error: `is empty: ${EXAMPLE}.` };
  if (trimmed.length > 100) return { error: `is too long for a duration: ${EXAMPLE}.` };
  if (/^p/i.test(trimmed)) {
    const iso = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(trimmed);
    if (!iso || trimmed.length < 2 || /T$/i.test(trimmed)) return { error: `'${trimmed}' is not an ISO 8601 duration like PT1H30M; or ${EXAMPLE}.` };
    const [, w, d, hr, min, sec] = iso.map((x) => Number(x ?? 0));
    return { ms: Math.round((w * MS.w) + (d * MS.d) + (hr * MS.h) + (min * MS.m) + (sec * MS.s)) };
  }
  if (trimmed.includes(':')) {
    const ms = parseStored(trimmed);
    return ms === null
      ? { error: `'${trimmed}' is not a duration: a time like 9:30 or 01:30:00 must have minutes 00-59; or ${EXAMPLE}.` }
      : { ms };
  }
  const s = trimmed.toLowerCase();
  let i = 0;
  let total = 0;
  let previous = null;
  let any = false;
  while (i < s.length) {
    if (/\s|,/.test(s[i])) { i += 1; continue; }
    if (any && s.startsWith('and', i) && !/[a-z]/.test(s[i + 3] ?? '')) { i += 3; continue; }
    if (s[i] === '-') return { error: `'${trimmed}' is negative: a target is a length of time, like 30 min.` };
    const start = i;
    while (i < s.length && /[0-9.]/.test(s[i])) i += 1;
    if (start === i) return { error: `'${trimmed}' is not a duration: expected a number at '${s.slice(start, start + 20)}'. ${cap(EXAMPLE)}.` };
    const numberText = s.slice(start, i);
    if (!/^(\d+\.?\d*|\.\d+)$/.test(numberText)) return { error: `'${trimmed}' is not a duration: '${numberText}' is not a number.` };
    const number = Number(numberText);
    while (i < s.length && /\s/.test(s[i])) i += 1;
    const unitStart = i;
    while (i < s.length && /[a-z]/.test(s[i])) i += 1;
    const name = s.slice(unitStart, i);
    let unit;
    if (!name) {
      // "1h30": a bare number right after hours is minutes (after days, hours); anywhere else the unit is missing.
      if (previous === MS.h && i === s.length) unit = MS.m;
      else if (previous === MS.d && i === s.length) unit = MS.h;
      else return { error: `'${trimmed}' has a number without a unit: say whether ${numberText} is minutes, hours or days (like 90 min, 2 h, 2 d).` };
    } else {
      unit = UNITS.find(([names]) => names.includes(name))?.[1];
      if (!unit) return { error: `'${trimmed}': '${name}' is not a unit; use min, h or d (or weeks, seconds).` };
    }
    if (previous !== null && unit >= previous) return { error: `'${trimmed}' lists its parts out of order: write the larger unit first, each once (like 1 d 4 h 30 min).` };
    total += Math.round(number * unit);
    previous = unit;
    any = true;
  }
  if (!any) return { error: `'${trimmed}' is not a duration: ${EXAMPLE}.` };
  if (!Number.isSafeInteger(total)) return { error: `'${trimmed}' is far too long for a target.` };
  return { ms: total };
}

/** "2 d", "1 h 30 min", "45 min", "0 min". */
export function formatDuration(ms) {
  if (ms === 0) return '0 min';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const parts = [];
  for (const [unit, label] of [[MS.d, 'd'], [MS.h, 'h'], [MS.m, 'min']]) {
    const n = Math.floor(rest / unit);
    if (n > 0) parts.push(`${n} ${label}`);
    rest -= n * unit;
  }
  if (rest > 0) parts.push(`${Math.round(rest) / 1000} s`);
  return sign + parts.join(' ');
}

/** The stored form ("c"): [-][d.]hh:mm:ss[.fffffff] → ms, or null. Also h:mm. */
export function parseStored(text) {
  const m = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(String(text ?? '').trim());
  if (!m) return null;
  const [, neg, d, h, min, sec, frac] = m;
  if (Number(h) > 23 || Number(min) > 59 || Number(sec ?? 0) > 59) return null;
  const ms = (Number(d ?? 0) * MS.d) + (Number(h) * MS.h) + (Number(min) * MS.m) + (Number(sec ?? 0) * MS.s) + Math.round(Number(`0.${frac ?? 0}`) * 1000);
  return neg ? -ms : ms;
}

/** ms → the stored form the server writes ("01:30:00", "1.00:00:00"). */
export function toStored(ms) {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  const d = Math.floor(rest / MS.d); rest -= d * MS.d;
  const h = Math.floor(rest / MS.h); rest -= h * MS.h;
  const m = Math.floor(rest / MS.m); rest -= m * MS.m;
  const s = Math.floor(rest / MS.s); rest -= s * MS.s;
  const pad = (n) => String(n).padStart(2, '0');
  return `${sign}${d ? `${d}.` : ''}${pad(h)}:${pad(m)}:${pad(s)}${rest ? `.${String(rest).padStart(3, '0')}0000` : ''}`;
}

/** A stored value as a manager reads it; a value that is not a duration is shown as typed. */
export function readable(stored) {
  const ms = parseStored(stored);
  return ms === null ? String(stored ?? '') : formatDuration(ms);
}

function cap(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
