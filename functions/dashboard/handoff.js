// Pieces of a handoff shared by the queue card and the detail panel, and the one place that runs
// an action and turns a refusal into words.

import { post, get, seg, ApiError } from './api.js';
import { h, externalLink } from './dom.js';
import { compact, relative, when, number, slaClock } from './format.js';

export function statusText(item, me) {
  if (item.status === 'Resolved') return 'Resolved';
  if (item.waiting) return item.assignee ? `Waiting on customer · ${item.assigneeName ?? item.assignee}` : 'Waiting on customer';
  // assignee is the person's key (Entra object id in Azure); assigneeName is for showing.
  if (item.assignee) return item.assignee === me?.id ? 'Claimed by you' : `Claimed by ${item.assigneeName ?? item.assignee}`;
  return 'Unclaimed';
}

export function statusKey(item) {
  if (item.status === 'Resolved') return 'resolved';
  if (item.waiting) return 'waiting';
  return item.assignee ? 'claimed' : 'unclaimed';
}

export function badges(item, me) {
  const sentiment = item.sentiment ?? 'Unknown';
  return h('div', { class: 'badges' },
    h('span', { class: `badge priority priority-${item.priority}`, testid: 'item-priority', title: 'Priority' }, item.priority ?? '—'),
    h('span', { class: 'urgency', testid: 'item-urgency', title: 'Urgency, 0 to 100' },
      h('span', { class: 'urgency-label' }, 'Urgency'),
      h('meter', { min: '0', max: '100', low: '35', high: '60', optimum: '0', value: String(item.urgency ?? 0), 'aria-label': `Urgency ${item.urgency}` }),
      h('strong', {}, String(item.urgency ?? '—'))),
    h('span', { class: `badge sentiment sentiment-${sentiment.toLowerCase()}`, testid: 'item-sentiment', title: 'Sentiment (compound score)' },
      `${sentiment}${item.sentimentCompound === null || item.sentimentCompound === undefined ? '' : ` ${number(item.sentimentCompound, 2)}`}`),
    item.slaState ? h('span', { class: `badge sla sla-${item.slaState}`, testid: 'item-sla-state' }, slaStateText(item.slaState)) : null,
    h('span', { class: `badge state state-${statusKey(item)}`, testid: 'item-status' }, statusText(item, me)));
}

export function slaStateText(state) {
  return { ok: 'SLA on track', 'at-risk': 'SLA at risk', breached: 'SLA breached', met: 'SLA met' }[state] ?? state;
}

export function author(item) {
  return h('p', { class: 'author' },
    externalLink(item.url, item.authorHandle || 'unknown author', { class: 'handle', testid: 'item-author' }),
    item.authorFollowers !== null && item.authorFollowers !== undefined ? h('span', { class: 'muted' }, ` · ${compact(item.authorFollowers)} followers`) : null,
    item.source ? h('span', { class: 'muted' }, ` · ${item.source}`) : null,
    item.postedAt ? h('time', { class: 'muted', datetime: item.postedAt, title: when(item.postedAt) }, ` · posted ${relative(item.postedAt)}`) : null);
}

export function mentionText(item) {
  // textContent: the hostile text is shown as the characters it is, whatever they spell.
  return h('p', { class: 'mention-text', testid: 'item-text' }, item.text ?? '');
}

export function reasons(item, { max = Infinity } = {}) {
  const list = Array.isArray(item.reasons) ? item.reasons : [];
  if (list.length === 0) return h('p', { class: 'reasons muted' }, 'No urgency reasons.');
  // Reasons come strongest first and their points add up to the urgency; a card shows the first
  // max - 1 and one chip summing the rest, so the points shown still add up.
  let shown = list;
  if (list.length > max) {
    const rest = list.slice(max - 1);
    const named = rest.filter((r) => r.signal !== 'other').length;
    shown = [...list.slice(0, max - 1), { signal: 'other', text: `base and ${named} more signals`, points: rest.reduce((sum, r) => sum + (r.points ?? 0), 0) }];
  }
  const label = max === Infinity ? 'Why it is urgent (all reasons)' : 'Why it is urgent';
  return h('ul', { class: 'reasons', testid: 'item-reasons', 'aria-label': label },
    shown.map((r) => h('li', { class: `reason reason-${r.signal ?? 'other'}` },
      r.text ?? r.signal,
      r.points === undefined ? null : h('span', { class: 'reason-points', 'aria-label': `${r.points} points` }, ` ${r.points > 0 ? '+' : ''}${r.points}`))));
}

/** A live countdown element: app.js rewrites its text every second from these data attributes. */
export function clockElement(label, dueAt, { doneAt = null, state = null, warnMinutes = null, run = null, stoppedAt = null, standing = null, targetMinutes = null, testid } = {}) {
  const atRiskMs = warnMinutes === null || warnMinutes === undefined ? undefined : warnMinutes * 60 * 1000;
  const { text, tone } = slaClock(label, dueAt, { doneAt, serverState: state, atRiskMs, run, stoppedAt, standing, targetMinutes });
  return h('span', {
    class: 'clock',
    testid,
    dataset: {
      clockLabel: label, clockDue: dueAt ?? '', clockDone: doneAt ?? '', clockState: state ?? '', clockWarn: atRiskMs ?? '',
      clockRun: run ?? '', clockStopped: stoppedAt ?? '', clockStanding: standing ?? '', clockTarget: targetMinutes ?? '', tone,
    },
  }, text);
}

/**
 * The first-response or resolution clock of a handoff, the same on the card and in the dialog: the
 * clock's state (running, paused, stopped) from the API, the policy's warning time (warnBeforeMinutes)
 * for when it turns amber, the server's at-risk state for a running first-response clock, and, in the
 * dialog, the clock's standing (met or breached) and target from `sla`. Resolving stops both clocks.
 */
export function handoffClock(item, which, testid) {
  const resolved = item.status === 'Resolved';
  const facts = item.sla?.[which] ?? null;
  const run = facts?.state ?? item[`${which}Clock`] ?? (resolved ? 'stopped' : null);
  // The card has no standing per clock; a handoff resolved with every clock in time is "met" overall.
  const standing = facts?.standing ?? (resolved && item.slaState === 'met' ? 'met' : null);
  const common = { warnMinutes: item.warnBeforeMinutes, run, stoppedAt: facts?.stoppedAt ?? null, standing, targetMinutes: facts?.targetMinutes ?? null, testid };
  if (which === 'firstResponse') {
    const due = item.firstResponseDueAt ?? facts?.dueAt ?? null;
    return clockElement('First response', due, { ...common, doneAt: item.firstRespondedAt, state: item.firstRespondedAt ? null : item.slaState });
  }
  const due = item.resolutionDueAt ?? facts?.dueAt ?? null;
  return clockElement('Resolution', due, common);
}

export function clocks(item) {
  return h('div', { class: 'clocks' },
    handoffClock(item, 'firstResponse', 'clock-first-response'),
    handoffClock(item, 'resolution', 'clock-resolution'));
}

/** The first few words of a mention, for names that tell 25 cards apart. */
export function firstWords(text, count = 6, maxChars = 48) {
  const words = String(text ?? '').trim().split(/\s+/).filter(Boolean);
  let out = words.slice(0, count).join(' ');
  if (out.length > maxChars) out = out.slice(0, maxChars).trimEnd();
  return out.length < String(text ?? '').trim().length ? `${out}…` : out;
}

/** "@customer1 — the app logs me out…": the card's heading and the tail of each of its buttons' names. */
export function handoffName(item) {
  const words = firstWords(item.text);
  return `${item.authorHandle || 'unknown author'}${words ? ` — ${words}` : ''}`;
}

/**
 * What the signed-in person may do with a handoff, as the API decides it (WorkRules): work it at all
 * (their team, or a manager), and act on it (not held by someone else, unless a manager). Buttons
 * that would only be refused are not offered.
 */
export function permissions(item, app) {
  const me = app.me;
  const team = app.teams.find((t) => t.name === item.team);
  const canWork = team ? team.canWork : Boolean(me?.isManager || me?.teams?.includes(item.team));
  const open = item.status !== 'Resolved';
  const mine = Boolean(item.assignee) && item.assignee === me?.id;
  const free = !item.assignee || mine || Boolean(me?.isManager);
  return { canWork, open, mine, act: open && canWork && free };
}

/**
 * After an action, focus goes to the next step a person takes (claim → respond → resolve), else to
 * the fallback (the result message or the card's heading), never to the page body. Controls carry
 * data-step; the first one present and enabled gets focus.
 */
export const NEXT_STEPS = {
  claim: ['respond', 'resolve', 'details'],
  release: ['claim', 'details'],
  respond: ['resolve', 'details'],
  pause: ['resume', 'resolve', 'details'],
  resume: ['pause', 'resolve', 'details'],
  resolve: ['details'],
  reassign: ['details'],
  notes: ['notes'],
};

export function focusNextStep(container, action, fallback) {
  for (const step of NEXT_STEPS[action] ?? []) {
    const target = container.querySelector(`[data-step="${step}"]:not([disabled])`);
    if (target && !target.closest('[hidden]')) {
      target.focus();
      return target;
    }
  }
  fallback?.focus();
  return fallback;
}

/**
 * Runs an action (POST /api/handoffs/{id}/{action}). Returns { ok: true, handoff, etag } or
 * { ok: false, message, error, conflict } where message is what to tell the person.
 */
export async function act(item, action, body, { me, useEtag = false } = {}) {
  try {
    const { data, etag } = await post(`/api/handoffs/${seg(item.id)}/${action}`, body ?? {}, { ifMatch: useEtag ? item.etag : undefined });
    return { ok: true, handoff: data ? { ...data, etag: etag ?? data.etag } : null };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const conflict = error.status === 409 || error.status === 412;
    const holder = error.problem?.holder;
    const holderName = error.problem?.holderName ?? holder;
    // The server's detail is written for people; a missing handoff is said plainly, without its id.
    let message = error.status === 404 ? 'This handoff no longer exists: it may have been removed. Reload the queue.' : error.message;
    if (conflict && holder && holder !== me?.id && action === 'claim') message = `${holderName} claimed this first.`;
    else if (error.status === 412) message = holder && holder !== me?.id
      ? `${holderName} changed this handoff first; it has been refreshed.`
      : 'This handoff changed since you loaded it; it has been refreshed.';
    else if (error.fieldErrors.length > 0 && !error.fieldErrors.some((line) => message.includes(line))) message = `${message} ${error.fieldErrors.join(' ')}`;
    return { ok: false, message, error, conflict };
  }
}

export async function load(id) {
  const { data, etag } = await get(`/api/handoffs/${seg(id)}`);
  return { ...data, etag: etag ?? data.etag };
}

export const ACTION_DONE = {
  claim: 'Claimed.',
  release: 'Released.',
  respond: 'First response recorded.',
  pause: 'Paused: waiting on the customer.',
  resume: 'Resumed.',
  resolve: 'Resolved.',
  reassign: 'Reassigned.',
  notes: 'Note added.',
};

/** "Incident · 50 mentions · reach 12,345": shown when near-duplicates of the mention joined its handoff. */
export function incidentLine(item) {
  const incident = item.incident;
  if (!incident) return null;
  const surge = incident.surge;
  return h('p', { class: 'incident', testid: 'item-incident' },
    h('strong', {}, 'Incident'),
    ` · ${incident.count.toLocaleString('en')} mentions · reach ${incident.reach.toLocaleString('en')}`,
    surge ? h('span', { class: 'badge surge', title: surge.reason }, surge.to && surge.from !== surge.to ? ` Surge: ${surge.from} → ${surge.to}` : ' Surge') : null);
}

/** The incident's members (the first ones; the count stays exact), each with the incident's status. */
export function incidentMembers(item) {
  const incident = item.incident;
  if (!incident) return null;
  const members = Array.isArray(incident.members) ? incident.members : [];
  const more = incident.count - members.length;
  return h('section', { class: 'incident-detail', 'aria-label': 'Incident members' },
    h('h3', {}, `Incident: ${incident.count.toLocaleString('en')} mentions, reach ${incident.reach.toLocaleString('en')}`),
    incident.surge ? h('p', { class: 'surge-reason', testid: 'incident-surge' }, incident.surge.reason) : null,
    h('ul', { class: 'incident-members', testid: 'incident-members' },
      members.map((m) => h('li', {},
        externalLink(m.url, m.author || m.mentionKey, {}),
        h('span', { class: 'muted' }, ` · ${when(m.postedAt)} · `),
        h('span', { class: `badge state state-${m.status === 'resolved' ? 'resolved' : 'unclaimed'}` }, m.status === 'resolved' ? 'Resolved with the incident' : 'Open')))),
    more > 0 ? h('p', { class: 'muted' }, `and ${more.toLocaleString('en')} more (the first ${members.length} are listed)`) : null);
}
