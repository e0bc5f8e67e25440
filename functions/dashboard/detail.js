// One handoff in a modal dialog: everything the API knows about it, every action, the audit trail.

import { h, replace } from './dom.js';
import { when, number } from './format.js';
import { badges, author, incidentLine, incidentMembers, mentionText, reasons, clockElement, act, load, ACTION_DONE } from './handoff.js';

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
    dialog.addEventListener('close', () => this.opener?.focus?.());
  }

  async open(id, summary = null) {
    this.opener = document.activeElement;
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

  render(item, message = null, tone = 'info') {
    const me = this.app.me;
    const team = this.app.teams.find((t) => t.name === item.team);
    const canWork = team ? team.canWork : me.isManager;
    const open = item.status !== 'Resolved';
    this.heading.textContent = `${item.priority} · ${item.team} · ${item.authorHandle ?? 'handoff'}`;
    const messageEl = h('p', { class: 'item-message', testid: 'detail-message', tabindex: '-1', dataset: { tone }, hidden: !message }, message ?? '');

    const run = async (action, body, { useEtag = false } = {}) => {
      const buttons = [...this.body.querySelectorAll('button')];
      buttons.forEach((b) => { b.disabled = true; });
      try {
        const result = await act(item, action, body, { me, useEtag });
        if (result.ok) {
          const fresh = result.handoff ?? await load(item.id);
          this.render(fresh, ACTION_DONE[action] ?? 'Done.');
          this.app.announce(ACTION_DONE[action] ?? 'Done.');
          this.onChange(fresh);
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
      }
    };

    const button = (label, testid, onClick, secondary = true) => {
      const b = h('button', { type: 'button', class: secondary ? 'button secondary' : 'button', testid }, label);
      b.addEventListener('click', onClick);
      return b;
    };

    const actions = h('div', { class: 'card-actions' });
    if (open && canWork) {
      if (!item.assignee) actions.append(button('Claim', 'detail-claim', () => run('claim', {}, { useEtag: true }), false));
      else if (item.assignee === me.id || me.isManager) actions.append(button('Release', 'detail-release', () => run('release', {})));
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
        h('p', { class: 'muted' }, `by ${item.firstResponse.by}, ${when(item.firstResponse.at)}`));
    }

    if (open && canWork) {
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
    const clockRow = (label, c, due, done, testid) => {
      const notes = [
        c?.state,
        c?.targetMinutes !== undefined ? `target ${number(c.targetMinutes, 0)} min` : null,
        due ? `due ${when(due)}` : null,
      ].filter(Boolean).join(' · ');
      return h('div', { class: 'fact' },
        h('dt', {}, label),
        h('dd', {}, clockElement(label, due, { doneAt: done, testid }), notes ? h('span', { class: 'muted' }, notes) : null));
    };
    rows.push(clockRow('First response', sla?.firstResponse, item.firstResponseDueAt ?? sla?.firstResponse?.dueAt, item.firstRespondedAt, 'detail-clock-first-response'));
    rows.push(item.status === 'Resolved'
      ? fact('Resolution', `resolved${sla?.resolution?.stoppedAt ? ` ${when(sla.resolution.stoppedAt)}` : ''}`)
      : clockRow('Resolution', sla?.resolution, item.resolutionDueAt ?? sla?.resolution?.dueAt, null, 'detail-clock-resolution'));
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
    const input = h('textarea', { id, rows: '2', maxlength: String(max), placeholder, testid: `${testid}-text` });
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
    const assignee = h('input', { id: 'reassign-assignee', type: 'text', autocomplete: 'off', placeholder: 'agent name', testid: 'reassign-assignee' });
    const team = h('input', { id: 'reassign-team', type: 'text', list: listId, autocomplete: 'off', placeholder: item.team, testid: 'reassign-team' });
    const form = h('form', { class: 'reassign-form' },
      h('fieldset', {},
        h('legend', {}, 'Reassign'),
        h('label', { for: 'reassign-assignee' }, 'To agent'), assignee,
        h('label', { for: 'reassign-team' }, 'To team'), team,
        h('datalist', { id: listId }, this.app.teams.map((t) => h('option', { value: t.name }))),
        h('button', { type: 'submit', class: 'button secondary', testid: 'reassign' }, 'Reassign')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const body = {};
      if (assignee.value.trim()) body.assignee = assignee.value.trim();
      if (team.value.trim()) body.team = team.value.trim();
      if (!body.assignee && !body.team) {
        this.app.announce('Reassign: name an agent, a team, or both.', 'error');
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
