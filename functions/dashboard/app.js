// SocialHandoff dashboard: who is signed in, which view is showing, messages, and the one-second
// ticker that keeps every SLA countdown live.

import { get, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { slaClock } from './format.js';
import { QueueView } from './queue.js';
import { ManagerView } from './manager.js';
import { Detail } from './detail.js';
import { FilteredView, renderSpikes } from './filtered.js';

const DEV_COOKIE = 'sh-dev-user';

const app = {
  me: null,
  teams: [],
  announce,
  announceError,
};

let statusTimer = 0;

/** Puts a message in the aria-live region (screen readers read it; everyone sees it). */
function announce(text, tone = 'info') {
  const region = document.querySelector('[data-testid="status-message"]');
  region.dataset.tone = tone;
  replace(region, text ? h('span', { class: 'status-text' }, text) : null);
  window.clearTimeout(statusTimer);
  if (text && tone !== 'error') statusTimer = window.setTimeout(() => replace(region), 10000);
}

/** An error as the person should read it: the problem's detail, plus field errors. */
function announceError(error, prefix = '') {
  if (error?.name === 'AbortError') return;
  const text = error instanceof ApiError
    ? [error.message, ...error.fieldErrors.filter((line) => !error.message.includes(line))].join(' ')
    : String(error?.message ?? error);
  announce(prefix ? `${prefix}: ${text}` : text, 'error');
  if (!(error instanceof ApiError)) console.error(error);
}

function renderIdentity(me) {
  const box = document.querySelector('[data-testid="identity"]');
  const roles = me.isAdmin ? 'admin' : me.isManager ? 'manager' : me.teams.length ? `agent: ${me.teams.join(', ')}` : 'no team';
  if (Array.isArray(me.devIdentities) && me.devIdentities.length > 0) {
    const select = h('select', { id: 'dev-identity', testid: 'dev-identity' },
      me.devIdentities.map((name) => h('option', { value: name, selected: name === me.name }, name)));
    select.addEventListener('change', () => {
      document.cookie = `${DEV_COOKIE}=${encodeURIComponent(select.value)}; path=/; SameSite=Strict`;
      window.location.reload();
    });
    replace(box,
      h('label', { for: 'dev-identity', class: 'identity-label' }, 'Signed in as'),
      select,
      h('span', { class: 'role-chip', title: 'Local development identity' }, roles));
  } else {
    replace(box,
      h('span', { class: 'identity-label' }, 'Signed in as'),
      h('strong', { testid: 'identity-name' }, me.name),
      h('span', { class: 'role-chip' }, roles));
  }
}

async function renderHealth() {
  const box = document.querySelector('[data-testid="health"]');
  let state = 'unknown';
  try {
    const { data } = await get('/api/health');
    state = data?.status === 'healthy' ? 'healthy' : 'unhealthy';
  } catch (error) {
    state = error instanceof ApiError && error.problem?.status ? 'unhealthy' : 'unreachable';
  }
  box.dataset.state = state;
  box.querySelector('.health-text').textContent = state;
}

/** Every element with data-clock-label is a live countdown; this rewrites them once a second. */
function tick() {
  const now = Date.now();
  for (const el of document.querySelectorAll('[data-clock-label]')) {
    const { clockLabel, clockDue, clockDone, clockState, clockWarn } = el.dataset;
    const atRiskMs = clockWarn ? Number(clockWarn) : undefined;
    const { text, tone } = slaClock(clockLabel, clockDue || null, { doneAt: clockDone || null, serverState: clockState || null, atRiskMs, now });
    if (el.textContent !== text) el.textContent = text;
    if (el.dataset.tone !== tone) el.dataset.tone = tone;
  }
}

function route(views) {
  const [path, search = ''] = window.location.hash.replace(/^#\/?/, '').split('?');
  let name = path === 'manager' && app.me?.isManager ? 'manager' : path === 'filtered' ? 'filtered' : 'queue';
  if (path === 'manager' && !app.me?.isManager) announce('The SLA and rules view is for managers.', 'error');
  for (const [key, view] of Object.entries(views)) {
    const active = key === name;
    document.getElementById(`view-${key}`).hidden = !active;
    const tab = document.querySelector(`.tab[data-view="${key}"]`);
    if (active) tab?.setAttribute('aria-current', 'page');
    else tab?.removeAttribute('aria-current');
    if (active) view.show(new URLSearchParams(search));
  }
}

async function start() {
  try {
    const [{ data: me }, { data: teams }] = await Promise.all([get('/api/me'), get('/api/teams')]);
    app.me = me;
    app.teams = Array.isArray(teams) ? teams : [];
  } catch (error) {
    document.getElementById('view-queue').hidden = false;
    if (error instanceof ApiError && error.status === 401) {
      announce('You are not signed in. Sign in and reload this page.', 'error');
    } else {
      announceError(error, 'The dashboard could not start');
    }
    return;
  }

  renderIdentity(app.me);
  document.querySelector('[data-testid="nav-manager"]').hidden = !app.me.isManager;
  document.body.dataset.ready = 'true';

  app.detail = new Detail(document.querySelector('dialog.detail'), app);
  const views = { queue: new QueueView(document.getElementById('view-queue'), app), filtered: new FilteredView(document.getElementById('view-filtered'), app) };
  if (app.me.isManager) views.manager = new ManagerView(document.getElementById('view-manager'), app);
  app.detail.onChange = (handoff) => views.queue.update(handoff);

  window.addEventListener('hashchange', () => route(views));
  route(views);
  renderHealth();
  window.setInterval(renderHealth, 60000);
  const banner = document.querySelector('[data-testid="spike-banner"]');
  renderSpikes(banner);
  window.setInterval(() => renderSpikes(banner), 60000);
  tick();
  window.setInterval(tick, 1000);
}

start();
