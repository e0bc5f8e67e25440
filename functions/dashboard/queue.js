// Agent view: a team's queue, most urgent first, worked in place.

import { get, query, seg, ApiError } from './api.js';
import { h, replace, domId } from './dom.js';
import { clock, queuePaging } from './format.js';
import { badges, author, incidentLine, mentionText, reasons, clocks, act, load, ACTION_DONE, handoffName, permissions, focusNextStep } from './handoff.js';

const TEAM_KEY = 'sh-team';
const REFRESH_MS = 30000;
const FILTERS = ['team', 'status', 'assignee', 'priority', 'sla', 'pageSize'];

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
    this.versions = new Map();
    this.loading = null;
    // A team named by a link that is not in the picker (unknown, or not the caller's): asked for
    // anyway, so the page shows the API's answer (404 with "did you mean", or 403).
    this.requestedTeam = null;

    const teamSelect = this.form.elements.team;
    // Only queues the caller may open; the full list still feeds the reassign suggestions.
    const teams = app.teams.filter((t) => t.canWork);
    replace(teamSelect, teams.map((t) => h('option', { value: t.name }, t.name)));
    const saved = window.localStorage.getItem(TEAM_KEY);
    const preferred = teams.find((t) => t.name === saved) ?? teams[0];
    if (preferred) teamSelect.value = preferred.name;

    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.page = 1;
      this.refresh({ announce: true });
    });
    this.form.addEventListener('change', (e) => {
      this.page = 1;
      if (e.target === teamSelect) {
        this.requestedTeam = null;
        window.localStorage.setItem(TEAM_KEY, teamSelect.value);
      }
      this.refresh({ announce: true });
    });
    this.pager.addEventListener('click', (e) => {
      const button = e.target.closest('button[data-page]');
      if (!button || button.disabled) return;
      this.page += button.dataset.page === 'next' ? 1 : -1;
      this.refresh({ announce: true });
      this.root.querySelector('h1').scrollIntoView({ block: 'start' });
    });
    window.setInterval(() => this.autoRefresh(), REFRESH_MS);
  }

  /** Applies a link's filters (#/queue?team=care&status=all); loads the list when they change it. */
  show(params) {
    let changed = !this.shown;
    for (const key of FILTERS) {
      if (!params.has(key)) continue;
      const value = params.get(key);
      const field = this.form.elements[key];
      if (key === 'team') {
        const known = [...field.options].some((o) => o.value === value);
        const requested = known ? null : value;
        if (field.value !== value || this.requestedTeam !== requested) changed = true;
        this.requestedTeam = requested;
        field.value = known ? value : '';
      } else if (field && field.value !== value) {
        field.value = value;
        changed = true;
      }
    }
    if (params.has('page') && Number(params.get('page')) !== this.page) {
      this.page = Math.max(1, Number.parseInt(params.get('page'), 10) || 1);
      changed = true;
    }
    const first = !this.shown;
    this.shown = true;
    if (changed) this.refresh({ announce: !first });
  }

  team() {
    return this.requestedTeam ?? this.form.elements.team.value;
  }

  filters() {
    const f = this.form.elements;
    return { status: f.status.value, assignee: f.assignee.value, priority: f.priority.value, sla: f.sla.value, page: this.page, pageSize: f.pageSize.value };
  }

  /** The address says what is shown, so it can be shared; replaceState fires no hashchange. */
  rememberInAddress() {
    const f = this.filters();
    const params = { team: this.team(), status: f.status === 'open' ? '' : f.status, assignee: f.assignee, priority: f.priority, sla: f.sla, page: this.page > 1 ? this.page : '', pageSize: f.pageSize === '25' ? '' : f.pageSize };
    const hash = `#/queue${query(params)}`;
    if (window.location.hash !== hash && (window.location.hash === '' || window.location.hash.startsWith('#/queue'))) {
      window.history.replaceState(null, '', hash);
    }
  }

  /** The 30-second refresh: skipped while a reply is being typed or the page is hidden; never moves focus. */
  autoRefresh() {
    if (document.hidden || this.root.hidden) return;
    const typing = [...this.list.querySelectorAll('textarea')].some((t) => t.value.trim() !== '');
    if (!typing) this.refresh({ quiet: true });
  }

  async refresh({ quiet = false, announce = false } = {}) {
    const team = this.team();
    if (!team) {
      this.showEmpty('You are not an agent of any team yet. Ask an admin for a role such as agent.care.');
      return;
    }
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    this.list.setAttribute('aria-busy', 'true');
    try {
      const { data } = await get(`/api/teams/${seg(team)}/handoffs${query(this.filters())}`, { signal: controller.signal });
      const changes = this.render(data);
      this.updated.textContent = `Updated ${clock(new Date().toISOString())}`;
      this.rememberInAddress();
      if (announce) this.app.announce(this.summary(data));
      else if (quiet && !document.querySelector('dialog[open]') && changes.total > 0) this.app.announce(changes.text);
    } catch (error) {
      if (error?.name === 'AbortError') return;
      if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
        // The team cannot be shown: say so where the list was, not only in a passing message.
        this.showEmpty(error.message, 'queue-error');
        this.app.announce(error.message, 'error');
      } else if (!quiet) {
        this.app.announceError(error, 'The queue could not be loaded');
      }
    } finally {
      if (this.loading === controller) {
        this.list.removeAttribute('aria-busy');
        this.loading = null;
      }
    }
  }

  showEmpty(text, testid = 'queue-empty') {
    this.items.clear();
    this.versions.clear();
    this.count.textContent = '';
    this.pager.hidden = true;
    replace(this.list, h('li', { class: 'empty', testid }, text));
  }

  summary(data) {
    const total = data?.total ?? 0;
    const team = data?.team ?? this.team();
    if (total === 0) return `No handoffs in ${team} match these filters.`;
    // Read back what render() just wrote, so the announcement and the page say the same.
    return `Showing ${this.count.textContent}. ${this.pager.querySelector('.pager-text').textContent}.`;
  }

  /**
   * Shows a page of the queue, updating cards in place: a card whose handoff did not change is kept
   * as it is (focus, an open reply form); a changed one is replaced; new ones are inserted, gone ones
   * removed. Returns what changed, for the polite announcement of a periodic refresh.
   */
  render(data) {
    const items = Array.isArray(data?.items) ? data.items : [];
    const total = data?.total ?? items.length;
    const page = data?.page ?? 1;
    const paging = queuePaging({ page, pageSize: data?.pageSize ?? items.length, itemCount: items.length, total, totalAtLeast: data?.totalAtLeast, team: data?.team ?? 'this team' });
    const pages = paging.pages;
    this.count.textContent = paging.count;
    this.pager.hidden = pages <= 1 && !paging.hasNext;
    this.pager.querySelector('[data-page="prev"]').disabled = !paging.hasPrevious;
    this.pager.querySelector('[data-page="next"]').disabled = !paging.hasNext;
    this.pager.querySelector('.pager-text').textContent = paging.pageText;

    const focusedId = this.list.contains(document.activeElement) ? document.activeElement.id : '';
    const had = new Set(this.versions.keys());
    const changes = { added: 0, changed: 0, removed: 0 };
    if (items.length === 0) {
      changes.removed = had.size;
      this.showEmpty('Nothing here. Every handoff that matches these filters is done.');
      this.count.textContent = '';
      this.pager.hidden = pages <= 1;
      return summarise(changes);
    }

    const existing = new Map([...this.list.querySelectorAll(':scope > li[data-id]')].map((li) => [li.dataset.id, li]));
    for (const li of this.list.querySelectorAll(':scope > li:not([data-id])')) li.remove();
    const seen = new Set();
    items.forEach((item, index) => {
      seen.add(item.id);
      const version = JSON.stringify(item);
      let li = existing.get(item.id);
      if (!li) {
        changes.added += had.size > 0 ? 1 : 0;
        li = this.card(item);
      } else if (this.versions.get(item.id) !== version) {
        changes.changed += 1;
        const fresh = this.card(item);
        li.replaceWith(fresh);
        li = fresh;
      }
      this.items.set(item.id, item);
      this.versions.set(item.id, version);
      if (this.list.children[index] !== li) this.list.insertBefore(li, this.list.children[index] ?? null);
    });
    for (const [id, li] of existing) {
      if (seen.has(id)) continue;
      li.remove();
      this.items.delete(id);
      this.versions.delete(id);
      changes.removed += 1;
    }
    // Moving or replacing a card drops focus to the body; put it back on the same control.
    if (focusedId && (document.activeElement === document.body || !document.activeElement)) document.getElementById(focusedId)?.focus({ preventScroll: true });
    return summarise(changes);
  }

  /** Replaces the card of a handoff that changed (after an action here or in the detail panel). */
  update(handoff, message = null, tone = 'info') {
    if (!handoff?.id) return null;
    this.items.set(handoff.id, handoff);
    this.versions.delete(handoff.id);
    const old = this.list.querySelector(`li[data-id="${CSS.escape(handoff.id)}"]`);
    if (!old) return null;
    const fresh = this.card(handoff, message, tone);
    old.replaceWith(fresh);
    return fresh;
  }

  card(item, message = null, tone = 'info') {
    const me = this.app.me;
    const may = permissions(item, this.app);
    const name = handoffName(item);
    const key = domId(item.id);
    const headingId = `card-${key}-heading`;
    const li = h('li', { class: `card ${may.open ? '' : 'card-resolved'}`, testid: 'queue-item', 'aria-labelledby': headingId, dataset: { id: item.id, status: item.status, assignee: item.assignee ?? '' } });
    const heading = h('h2', { class: 'card-heading visually-hidden', id: headingId, tabindex: '-1' }, name);
    const messageEl = h('p', { class: 'item-message', testid: 'item-message', id: `card-${key}-message`, tabindex: '-1', dataset: { tone }, hidden: !message }, message ?? '');

    const run = async (action, body, button, { useEtag = false } = {}) => {
      const pressed = document.activeElement;
      const buttons = [...li.querySelectorAll('button')];
      buttons.forEach((b) => { b.disabled = true; });
      button?.setAttribute('aria-busy', 'true');
      try {
        const result = await act(item, action, body, { me, useEtag });
        if (result.ok) {
          this.app.announce(ACTION_DONE[action] ?? 'Done.');
          const fresh = this.update(result.handoff ?? await load(item.id), null);
          if (fresh) focusNextStep(fresh, action, fresh.querySelector('.card-heading'));
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
        button?.removeAttribute('aria-busy');
        pressed?.focus(); // disabling the pressed button dropped focus to the body
      }
    };

    // Every button says which handoff it acts on ("Claim: @customer1 — the app logs me out…"),
    // and keeps a stable id so focus can find it again after the card is redrawn.
    const button = (label, step, { secondary = true, testid = step, extra = {} } = {}) => h('button', {
      type: 'button', class: secondary ? 'button secondary' : 'button', testid, id: `${step}-${key}`, 'aria-label': `${label}: ${name}`, dataset: { step }, ...extra,
    }, label);

    const actions = h('div', { class: 'card-actions' });
    let form = null;
    if (may.open && may.canWork) {
      if (!item.assignee) {
        const claim = button('Claim', 'claim', { secondary: false });
        claim.addEventListener('click', () => run('claim', {}, claim, { useEtag: true }));
        actions.append(claim);
      } else if (may.mine || me.isManager) {
        const release = button(may.mine ? 'Release' : `Release from ${item.assigneeName ?? item.assignee}`, 'release');
        release.addEventListener('click', () => run('release', {}, release));
        actions.append(release);
      }
    }
    if (may.act) {
      if (!item.firstRespondedAt) {
        form = this.replyForm(item, key, name, (reply, send) => run('respond', { reply }, send));
        form.hidden = true;
        const respond = button('Respond', 'respond', { extra: { 'aria-expanded': 'false', 'aria-controls': form.id } });
        actions.append(respond);
        respond.addEventListener('click', () => {
          form.hidden = !form.hidden;
          respond.setAttribute('aria-expanded', String(!form.hidden));
          if (!form.hidden) form.querySelector('textarea').focus();
        });
        // Escape closes the reply form and puts focus back on the button that opened it.
        form.addEventListener('keydown', (e) => {
          if (e.key !== 'Escape') return;
          e.preventDefault();
          form.hidden = true;
          respond.setAttribute('aria-expanded', 'false');
          respond.focus();
        });
      }
      const resolve = button('Resolve', 'resolve');
      resolve.addEventListener('click', () => run('resolve', {}, resolve));
      actions.append(resolve);
    }
    const details = button('Details', 'details', { extra: { class: 'button link', 'aria-haspopup': 'dialog' } });
    details.addEventListener('click', () => this.app.detail.open(item.id, item));
    actions.append(details);

    replace(li,
      heading,
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

  replyForm(item, key, name, submit) {
    const id = `reply-${key}`;
    const textarea = h('textarea', { id, name: 'reply', rows: '3', maxlength: '2000', required: true, testid: 'reply-text', placeholder: 'The reply you posted, or a link to it' });
    const send = h('button', { type: 'submit', class: 'button', testid: 'reply-send', id: `reply-send-${key}`, 'aria-label': `Record response: ${name}` }, 'Record response');
    const form = h('form', { class: 'reply-form', id: `reply-form-${key}` },
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

function summarise({ added, changed, removed }) {
  const parts = [];
  if (added) parts.push(`${added} new`);
  if (changed) parts.push(`${changed} changed`);
  if (removed) parts.push(`${removed} gone`);
  return { total: added + changed + removed, text: `Queue updated: ${parts.join(', ')}.` };
}
