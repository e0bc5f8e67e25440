// Agent view: a team's queue, most urgent first, worked in place.

import { get, query, seg, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { clock } from './format.js';
import { badges, author, incidentLine, mentionText, reasons, clocks, act, load, ACTION_DONE } from './handoff.js';

const TEAM_KEY = 'sh-team';
const REFRESH_MS = 30000;

export class QueueView {
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.form = root.querySelector('#queue-filters');
    this.list = root.querySelector('[data-testid="queue-list"]');
    this.count = root.querySelector('[data-testid="queue-count"]');
    this.updated = root.querySelector('[data-testid="queue-updated"]');
    this.pager = root.querySelector('[data-testid="queue-pager"]');
    this.page = 1;
    this.items = new Map();
    this.loading = null;

    const teamSelect = this.form.elements.team;
    // Only queues the caller may open; the full list still feeds the reassign suggestions.
    const teams = app.teams.filter((t) => t.canWork);
    replace(teamSelect, teams.map((t) => h('option', { value: t.name }, t.name)));
    const saved = window.localStorage.getItem(TEAM_KEY);
    const preferred = teams.find((t) => t.name === saved) ?? teams.find((t) => t.canWork) ?? teams[0];
    if (preferred) teamSelect.value = preferred.name;

    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.page = 1;
      this.refresh();
    });
    this.form.addEventListener('change', () => {
      this.page = 1;
      window.localStorage.setItem(TEAM_KEY, teamSelect.value);
      this.refresh();
    });
    this.pager.addEventListener('click', (e) => {
      const button = e.target.closest('button[data-page]');
      if (!button) return;
      this.page += button.dataset.page === 'next' ? 1 : -1;
      this.refresh();
      this.root.querySelector('h1').scrollIntoView({ block: 'start' });
    });
    window.setInterval(() => this.autoRefresh(), REFRESH_MS);
  }

  show(params) {
    for (const key of ['team', 'status', 'assignee', 'priority', 'sla']) {
      if (params.has(key) && this.form.elements[key]) this.form.elements[key].value = params.get(key);
    }
    if (!this.shown) {
      this.shown = true;
      this.refresh();
    }
  }

  filters() {
    const f = this.form.elements;
    return { status: f.status.value, assignee: f.assignee.value, priority: f.priority.value, sla: f.sla.value, page: this.page, pageSize: f.pageSize.value };
  }

  /** Skips the periodic refresh while someone is typing a reply or the page is hidden. */
  autoRefresh() {
    if (document.hidden || this.root.hidden) return;
    const busy = [...this.list.querySelectorAll('textarea')].some((t) => t.value.trim() !== '') || this.list.contains(document.activeElement);
    if (!busy) this.refresh({ quiet: true });
  }

  async refresh({ quiet = false } = {}) {
    const team = this.form.elements.team.value;
    if (!team) {
      replace(this.list, h('li', { class: 'empty' }, 'You are not an agent of any team yet. Ask an admin for a role such as agent.care.'));
      return;
    }
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    this.list.setAttribute('aria-busy', 'true');
    try {
      const { data } = await get(`/api/teams/${seg(team)}/handoffs${query(this.filters())}`, { signal: controller.signal });
      this.render(data);
      this.updated.textContent = `Updated ${clock(new Date().toISOString())}`;
    } catch (error) {
      if (error?.name === 'AbortError') return;
      if (!quiet) this.app.announceError(error, 'The queue could not be loaded');
      if (error instanceof ApiError && error.status === 403) replace(this.list, h('li', { class: 'empty' }, error.message));
    } finally {
      if (this.loading === controller) {
        this.list.removeAttribute('aria-busy');
        this.loading = null;
      }
    }
  }

  render(data) {
    const items = Array.isArray(data?.items) ? data.items : [];
    this.items.clear();
    for (const item of items) this.items.set(item.id, item);
    const total = data?.total ?? items.length;
    const pageSize = data?.pageSize ?? items.length;
    const page = data?.page ?? 1;
    const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
    const last = Math.min(total, (page - 1) * pageSize + items.length);
    this.count.textContent = total === 0 ? '' : `${first}–${last} of ${total} in ${data?.team ?? 'this team'}`;
    replace(this.list, items.length === 0
      ? h('li', { class: 'empty', testid: 'queue-empty' }, 'Nothing here. Every handoff that matches these filters is done.')
      : items.map((item) => this.card(item)));
    const pages = Math.max(1, Math.ceil(total / Math.max(1, pageSize)));
    this.pager.hidden = pages <= 1;
    this.pager.querySelector('[data-page="prev"]').disabled = page <= 1;
    this.pager.querySelector('[data-page="next"]').disabled = page >= pages;
    this.pager.querySelector('.pager-text').textContent = `Page ${page} of ${pages}`;
  }

  /** Replaces the card of a handoff that changed (after an action here or in the detail panel). */
  update(handoff, message = null, tone = 'info') {
    if (!handoff?.id) return;
    this.items.set(handoff.id, handoff);
    const old = this.list.querySelector(`li[data-id="${CSS.escape(handoff.id)}"]`);
    if (!old) return;
    const fresh = this.card(handoff, message, tone);
    old.replaceWith(fresh);
    return fresh;
  }

  card(item, message = null, tone = 'info') {
    const me = this.app.me;
    const team = this.app.teams.find((t) => t.name === item.team);
    const canWork = team ? team.canWork : true;
    const open = item.status !== 'Resolved';
    const mine = item.assignee && item.assignee === me.id;
    const li = h('li', { class: `card ${open ? '' : 'card-resolved'}`, testid: 'queue-item', dataset: { id: item.id, status: item.status, assignee: item.assignee ?? '' } });
    const messageEl = h('p', { class: 'item-message', testid: 'item-message', tabindex: '-1', dataset: { tone }, hidden: !message }, message ?? '');

    const run = async (action, body, button, { useEtag = false } = {}) => {
      const buttons = [...li.querySelectorAll('button')];
      buttons.forEach((b) => { b.disabled = true; });
      button?.setAttribute('aria-busy', 'true');
      try {
        const result = await act(item, action, body, { me, useEtag });
        if (result.ok) {
          this.app.announce(ACTION_DONE[action] ?? 'Done.');
          const fresh = this.update(result.handoff ?? await load(item.id), null);
          fresh?.querySelector('.card-actions button:not([disabled])')?.focus();
        } else {
          this.app.announce(result.message, 'error');
          let current = item;
          if (result.conflict || result.error.status === 404) {
            try { current = await load(item.id); } catch { /* keep the old copy on screen */ }
          }
          const fresh = this.update(current, result.message, 'error');
          fresh?.querySelector('[data-testid="item-message"]')?.focus();
        }
      } catch (error) {
        this.app.announceError(error);
        buttons.forEach((b) => { b.disabled = false; });
      }
    };

    const actions = h('div', { class: 'card-actions' });
    if (open && canWork) {
      if (!item.assignee) {
        const claim = h('button', { type: 'button', class: 'button', testid: 'claim' }, 'Claim');
        claim.addEventListener('click', () => run('claim', {}, claim, { useEtag: true }));
        actions.append(claim);
      } else if (mine || me.isManager) {
        const release = h('button', { type: 'button', class: 'button secondary', testid: 'release' }, mine ? 'Release' : `Release from ${item.assigneeName ?? item.assignee}`);
        release.addEventListener('click', () => run('release', {}, release));
        actions.append(release);
      }
      if (!item.firstRespondedAt) {
        const respond = h('button', { type: 'button', class: 'button secondary', testid: 'respond', 'aria-expanded': 'false' }, 'Respond');
        actions.append(respond);
        const form = this.replyForm(item, (reply, send) => run('respond', { reply }, send));
        form.hidden = true;
        respond.addEventListener('click', () => {
          form.hidden = !form.hidden;
          respond.setAttribute('aria-expanded', String(!form.hidden));
          if (!form.hidden) form.querySelector('textarea').focus();
        });
        li.append(form);
      }
      const resolve = h('button', { type: 'button', class: 'button secondary', testid: 'resolve' }, 'Resolve');
      resolve.addEventListener('click', () => run('resolve', {}, resolve));
      actions.append(resolve);
    }
    const details = h('button', { type: 'button', class: 'button link', testid: 'details' }, 'Details');
    details.addEventListener('click', () => this.app.detail.open(item.id, item));
    actions.append(details);

    const form = li.querySelector('form');
    replace(li,
      badges(item, me),
      author(item),
      incidentLine(item),
      mentionText(item),
      reasons(item, { max: 4 }),
      clocks(item),
      actions,
      form,
      messageEl);
    return li;
  }

  replyForm(item, submit) {
    const id = `reply-${item.id}`;
    const textarea = h('textarea', { id, name: 'reply', rows: '3', maxlength: '2000', required: true, testid: 'reply-text', placeholder: 'The reply you posted, or a link to it' });
    const send = h('button', { type: 'submit', class: 'button', testid: 'reply-send' }, 'Record response');
    const form = h('form', { class: 'reply-form' },
      h('label', { for: id }, 'First response (text or link, up to 2000 characters)'),
      textarea,
      h('div', { class: 'form-actions' }, send));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const reply = textarea.value.trim();
      if (!reply) {
        textarea.focus();
        this.app.announce('Write the reply (or paste its link) first.', 'error');
        return;
      }
      submit(reply, send);
    });
    return form;
  }
}
