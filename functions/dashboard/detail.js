// One handoff in a modal dialog: everything the API knows about it, every action, the audit trail.

import { get, seg } from './api.js';
import { h, replace } from './dom.js';
import { when } from './format.js';
import { formatDuration } from './durations.js';
import { badges, author, incidentLine, incidentMembers, mentionText, reasons, handoffClock, act, load, ACTION_DONE, permissions, focusNextStep } from './handoff.js';

export class Detail {
  constructor(dialog, app) {
    this.dialog = dialog;
    this.app = app;
    this.body = dialog.querySelector('.detail-body');
    this.heading = dialog.querySelector('#detail-heading');
    this.onChange = () => {};
    dialog.querySelector('[data-close]').addEventListener('click', () => dialog.close());
    dialog.addEventListener('click', (e) => {
      if (e.target === dialog) dialog.close();
    });
    dialog.addEventListener('close', () => this.returnFocus());
  }

  async open(id, summary = null) {
    // The opener is remembered by id as well: the card it sits on may be redrawn while the dialog is
    // open (an action here, the 30-second refresh), and the new card's control has the same id.
    const opener = document.activeElement;
    this.opener = opener;
    this.openerId = opener?.id ?? '';
    this.handoffId = id;
    this.heading.textContent = 'Handoff';
    replace(this.body, h('p', { class: 'muted' }, 'Loading…'));
    if (!this.dialog.open) this.dialog.showModal();
    try {
      this.render(await load(id));
    } catch (error) {
      replace(this.body, h('p', { class: 'item-message', dataset: { tone: 'error' } }, error.message));
      if (summary) this.onChange(summary);
    }
  }

  /** Back to the control that opened the dialog, or its redrawn copy, or the handoff's card; never the body. */
  returnFocus() {
    const byId = this.openerId ? document.getElementById(this.openerId) : null;
    const card = this.handoffId ? document.querySelector(`li[data-id="${CSS.escape(this.handoffId)}"]`) : null;
    const candidates = [
      byId,
      this.opener?.isConnected ? this.opener : null,
      card?.querySelector('[data-step="details"]'),
      card?.querySelector('.card-heading'),
      document.getElementById('main'),
    ];
    const target = candidates.find((el) => el && !el.closest('[hidden]') && !el.disabled);
    target?.focus();
  }

  render(item, message = null, tone = 'info') {
    const me = this.app.me;
    const may = permissions(item, this.app);
    const { canWork, open } = may;
    this.heading.textContent = `${item.priority} · ${item.team} · ${item.authorHandle ?? 'handoff'}`;
    const messageEl = h('p', { class: 'item-message', testid: 'detail-message', tabindex: '-1', dataset: { tone }, hidden: !message }, message ?? '');

    const run = async (action, body, { useEtag = false } = {}) => {
      const pressed = document.activeElement;
      const buttons = [...this.body.querySelectorAll('button')];
      buttons.forEach((b) => { b.disabled = true; });
      try {
        const result = await act(item, action, body, { me, useEtag });
        if (result.ok) {
          const fresh = result.handoff ?? await load(item.id);
          this.render(fresh, ACTION_DONE[action] ?? 'Done.');
          this.app.announce(ACTION_DONE[action] ?? 'Done.');
          this.onChange(fresh);
          // The pressed control is gone with the redraw: focus the next step, else the result.
          focusNextStep(this.body, action, this.body.querySelector('[data-testid="detail-message"]'));
        } else {
          let current = item;
          if (result.conflict) {
            try { current = await load(item.id); } catch { /* keep what is on screen */ }
          }
          this.render(current, result.message, 'error');
          this.app.announce(result.message, 'error');
          this.onChange(current);
          this.body.querySelector('[data-testid="detail-message"]')?.focus();
        }
      } catch (error) {
        this.app.announceError(error);
        buttons.forEach((b) => { b.disabled = false; });
        pressed?.focus(); // disabling the pressed button dropped focus to the body
      }
    };

    const button = (label, testid, onClick, secondary = true) => {
      const step = testid.replace(/^detail-/, '');
      const b = h('button', { type: 'button', class: secondary ? 'button secondary' : 'button', testid, id: testid, dataset: { step } }, label);
      b.addEventListener('click', onClick);
      return b;
    };

    const actions = h('div', { class: 'card-actions' });
    if (open && canWork) {
      if (!item.assignee) actions.append(button('Claim', 'detail-claim', () => run('claim', {}, { useEtag: true }), false));
      else if (may.mine || me.isManager) actions.append(button('Release', 'detail-release', () => run('release', {})));
    }
    if (may.act) {
      actions.append(item.waiting
        ? button('Resume (customer answered)', 'detail-resume', () => run('resume', {}))
        : button('Pause: waiting on customer', 'detail-pause', () => run('pause', {})));
    }

    const sections = [
      badges(item, me),
      author(item),
      incidentLine(item),
      mentionText(item),
      messageEl,
      actions,
      h('h3', {}, 'Why it is here'),
      h('dl', { class: 'facts' },
        fact('Routed by rule', item.rule ? `${item.rule} (rule set v${item.ruleSetVersion})` : '—'),
        fact('Team', item.team),
        fact('Language', item.language ?? '—'),
        fact('Source', item.source),
        fact('Mention', item.mentionKey),
        fact('Received', when(item.createdAt))),
      Array.isArray(item.ruleWhy) && item.ruleWhy.length ? h('ul', { class: 'why' }, item.ruleWhy.map((w) => h('li', {}, w))) : null,
      Array.isArray(item.tags) && item.tags.length ? h('p', { class: 'tags' }, item.tags.map((t) => h('span', { class: 'badge' }, t))) : null,
      reasons(item),
      incidentMembers(item),
      h('h3', {}, 'SLA'),
      this.sla(item),
    ];

    if (item.firstResponse) {
      sections.push(h('h3', {}, 'First response'),
        h('blockquote', { class: 'reply', testid: 'detail-reply' }, item.firstResponse.reply),
        h('p', { class: 'muted' }, `by ${item.firstResponse.byName ?? item.firstResponse.by}, ${when(item.firstResponse.at)}`));
    }

    if (may.act) {
      if (!item.firstRespondedAt) {
        sections.push(this.textForm('Record first response', 'reply', 'The reply you posted, or a link to it (up to 2000 characters)', 2000, 'detail-respond',
          (reply) => run('respond', { reply })));
      }
      sections.push(this.textForm('Resolve', 'note', 'Resolution note (optional)', 4000, 'detail-resolve',
        (note) => run('resolve', note ? { note } : {}), { optional: true }));
      sections.push(this.reassignForm(item, run));
    }
    if (canWork) {
      sections.push(this.textForm('Add note', 'text', 'Internal note for the team (up to 4000 characters)', 4000, 'detail-note', (text) => run('notes', { text })));
    }

    sections.push(h('h3', {}, 'History'), this.events(item));
    replace(this.body, sections);
  }

  sla(item) {
    const sla = item.sla;
    const rows = [];
    if (sla) rows.push(fact('Policy', `${sla.policy} (v${sla.policyVersion})`));
    // The sentence says the clock's state; the notes add the target and when it is due or stopped.
    const clockRow = (label, c, due, which, testid) => {
      const notes = [
        Number.isFinite(c?.targetMinutes) ? `target ${formatDuration(c.targetMinutes * 60000)}` : null,
        due && c?.state !== 'stopped' ? `due ${when(due)}` : null,
        c?.stoppedAt ? `stopped ${when(c.stoppedAt)}` : null,
      ].filter(Boolean).join(' · ');
      return h('div', { class: 'fact' },
        h('dt', {}, label),
        h('dd', {}, handoffClock(item, which, testid), notes ? h('span', { class: 'muted' }, ` ${notes}`) : null));
    };
    rows.push(clockRow('First response', sla?.firstResponse, item.firstResponseDueAt ?? sla?.firstResponse?.dueAt, 'firstResponse', 'detail-clock-first-response'));
    rows.push(clockRow('Resolution', sla?.resolution, item.resolutionDueAt ?? sla?.resolution?.dueAt, 'resolution', 'detail-clock-resolution'));
    return h('dl', { class: 'facts' }, rows);
  }

  events(item) {
    const events = Array.isArray(item.events) ? [...item.events] : [];
    if (events.length === 0) return h('p', { class: 'muted' }, 'No events yet.');
    events.sort((a, b) => new Date(b.at ?? 0) - new Date(a.at ?? 0));
    return h('ol', { class: 'events', testid: 'detail-events' }, events.map((e) => h('li', {},
      h('p', {},
        h('strong', {}, e.type),
        e.actor ? ` by ${e.actorName ?? e.actor}` : '',
        e.at ? h('time', { class: 'muted', datetime: e.at }, ` · ${when(e.at)}`) : null),
      changes(e.before, e.after),
      e.text ? h('p', { class: 'event-text' }, e.text) : null)));
  }

  textForm(label, field, placeholder, max, testid, submit, { optional = false } = {}) {
    const id = `${testid}-input`;
    const input = h('textarea', { id, rows: '2', maxlength: String(max), placeholder, testid: `${testid}-text`, dataset: { step: testid.replace(/^detail-/, '').replace(/^note$/, 'notes') } });
    const form = h('form', { class: 'reply-form' },
      h('label', { for: id }, label),
      input,
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button', testid }, label)));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const value = input.value.trim();
      if (!value && !optional) {
        this.app.announce(`${label}: write something first.`, 'error');
        input.focus();
        return;
      }
      submit(value);
    });
    return form;
  }

  reassignForm(item, run) {
    const listId = 'reassign-teams';
    const nobody = () => h('option', { value: '' }, 'Nobody: its team claims it');
    const assignee = h('select', { id: 'reassign-assignee', testid: 'reassign-assignee' }, nobody());
    const team = h('input', { id: 'reassign-team', type: 'text', list: listId, autocomplete: 'off', placeholder: item.team, testid: 'reassign-team' });
    // Only members of the target team are offered (the API refuses anyone else).
    const members = async () => {
      const name = team.value.trim() || item.team;
      if (!this.app.teams.some((t) => t.name === name)) return replace(assignee, nobody());
      try {
        const { data } = await get(`/api/teams/${seg(name)}`);
        replace(assignee, nobody(), (data?.members ?? []).map((m) => h('option', { value: m.id, selected: m.id === item.assignee }, m.availability === 'away' ? `${m.name} (away)` : m.name)));
      } catch (error) {
        replace(assignee, nobody());
        this.app.announceError(error, 'The team\'s people could not be loaded');
      }
    };
    team.addEventListener('change', members);
    members();
    const form = h('form', { class: 'reassign-form' },
      h('fieldset', {},
        h('legend', {}, 'Reassign'),
        h('label', { for: 'reassign-team' }, 'To team'), team,
        h('label', { for: 'reassign-assignee' }, 'To person'), assignee,
        h('datalist', { id: listId }, this.app.teams.map((t) => h('option', { value: t.name }))),
        h('button', { type: 'submit', class: 'button secondary', testid: 'reassign' }, 'Reassign')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const body = {};
      if (assignee.value) body.assignee = assignee.value;
      if (team.value.trim()) body.team = team.value.trim();
      if (!body.assignee && !body.team) {
        this.app.announce('Reassign: choose a person, a team, or both.', 'error');
        assignee.focus();
        return;
      }
      run('reassign', body);
    });
    return form;
  }
}

function fact(label, value) {
  return h('div', { class: 'fact' }, h('dt', {}, label), h('dd', {}, value ?? '—'));
}

function changes(before, after) {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  if (keys.length === 0) return null;
  return h('ul', { class: 'changes' }, keys.map((k) => h('li', {},
    h('span', { class: 'muted' }, `${k}: `),
    h('span', {}, show(before?.[k])), ' → ', h('span', {}, show(after?.[k])))));
}

function show(value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value !== 'string') return JSON.stringify(value);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) ? when(value) : value;
}
