// SocialHandoff dashboard: who is signed in, which view is showing, messages, and the one-second
// ticker that keeps every SLA countdown live.

import { get, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { slaClock } from './format.js';
import { QueueView } from './queue.js';
import { ManagerView } from './manager.js';
import { Detail } from './detail.js';
import { renderAvailability } from './availability.js';
import { FilteredView, renderSpikes } from './filtered.js';

const DEV_COOKIE = 'sh-dev-user';

const app = {
  me: null,
  teams: [],
  announce,
  announceError,
};

let statusTimer = 0;
let statusFill = 0;

/**
 * The live region a message goes to: the open modal dialog's own region while one is open (a modal
 * dialog makes the rest of the page inert, so the page's region would be silent), else the page's.
 * A dialog without a region gets one on first use.
 */
function liveRegion() {
  const dialog = [...document.querySelectorAll('dialog[open]')].pop();
  if (!dialog) return document.querySelector('[data-testid="status-message"]');
  let region = dialog.querySelector('[data-live-region]');
  if (!region) {
    region = h('div', { class: 'status-region in-dialog', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', 'data-live-region': '' });
    dialog.append(region);
  }
  return region;
}

/**
 * Puts a message in a live region (screen readers read it; everyone sees it). The region stays in
 * the page when empty (never display:none, or the next message is missed); the text is set a moment
 * after clearing so the same message twice is read twice.
 */
function announce(text, tone = 'info') {
  const region = liveRegion();
  for (const other of document.querySelectorAll('[data-testid="status-message"], [data-live-region]')) {
    if (other !== region) replace(other);
  }
  region.dataset.tone = tone;
  replace(region);
  window.clearTimeout(statusTimer);
  window.clearTimeout(statusFill);
  if (!text) return;
  statusFill = window.setTimeout(() => {
    replace(region, h('span', { class: 'status-text' }, text));
    if (tone !== 'error') statusTimer = window.setTimeout(() => replace(region), 10000);
  }, 50);
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
    // A select plus a button, not a select that acts on change: arrow keys move through the options
    // of a closed select, and each move would switch the user and reload the page.
    const select = h('select', { id: 'dev-identity', testid: 'dev-identity' },
      me.devIdentities.map((name) => h('option', { value: name, selected: name === me.name }, name)));
    const form = h('form', { class: 'identity-form', 'aria-label': 'Development identity' },
      h('label', { for: 'dev-identity', class: 'identity-label' }, 'Signed in as'),
      select,
      h('button', { type: 'submit', class: 'button small', testid: 'dev-identity-switch' }, 'Switch user'),
      h('span', { class: 'role-chip', title: 'Local development identity' }, roles));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (select.value === me.name) {
        announce(`You are already signed in as ${me.name}.`);
        return;
      }
      document.cookie = `${DEV_COOKIE}=${encodeURIComponent(select.value)}; path=/; SameSite=Strict`;
      window.location.reload();
    });
    replace(box, form);
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
    const { clockLabel, clockDue, clockDone, clockState, clockWarn, clockRun, clockStopped, clockStanding, clockTarget } = el.dataset;
    const atRiskMs = clockWarn ? Number(clockWarn) : undefined;
    const { text, tone } = slaClock(clockLabel, clockDue || null, {
      doneAt: clockDone || null, serverState: clockState || null, atRiskMs, now,
      run: clockRun || null, stoppedAt: clockStopped || null, standing: clockStanding || null, targetMinutes: clockTarget ? Number(clockTarget) : null,
    });
    if (el.textContent !== text) el.textContent = text;
    if (el.dataset.tone !== tone) el.dataset.tone = tone;
  }
}

const PRODUCT = 'SocialHandoff';

/**
 * Shows the view the hash names (#/queue, #/manager?…), and the section of it a deep link names
 * (#/manager/rules). A hash that is not a route (#main from the skip link, any in-page anchor) leaves
 * the view as it is. The page title is the section's heading (if any), then the view's; a change of
 * view or section (or a deep link on arrival) moves focus to that heading.
 */
function route(views, { initial = false } = {}) {
  const hash = window.location.hash;
  if (hash && !hash.startsWith('#/') && !initial) return;
  const [path, search = ''] = hash.replace(/^#\/?/, '').split('?');
  const [viewName, section = ''] = path.split('/');
  const name = Object.hasOwn(views, viewName) ? viewName : 'queue';
  if (viewName === 'manager' && !views.manager) announce('The SLA and rules view is for managers.', 'error');
  const changed = app.view !== name || app.section !== section;
  app.view = name;
  app.section = section;
  for (const [key, view] of Object.entries(views)) {
    const active = key === name;
    document.getElementById(`view-${key}`).hidden = !active;
    const tab = document.querySelector(`.tab[data-view="${key}"]`);
    if (active) tab?.setAttribute('aria-current', 'page');
    else tab?.removeAttribute('aria-current');
    if (active) view.show(new URLSearchParams(search), section);
  }
  const heading = document.querySelector(`#view-${name} h1`);
  const sectionHeading = views[name].sectionHeading?.(section) ?? null;
  document.title = [sectionHeading, heading].filter(Boolean).map((el) => `${el.textContent.trim()} · `).join('') + PRODUCT;
  const target = sectionHeading ?? heading;
  if (changed && (!initial || sectionHeading) && target) {
    target.setAttribute('tabindex', '-1');
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: 'start' });
  }
}

/** Leaving or reloading the page with unsaved edits in a form asks first (the browser's own prompt). */
function guardUnsaved(views) {
  window.addEventListener('beforeunload', (e) => {
    if (!Object.values(views).some((view) => view.hasUnsavedChanges?.())) return;
    e.preventDefault();
    e.returnValue = '';
  });
}

/** The skip link moves focus to the main content without touching the hash (the router's). */
function wireSkipLink() {
  const link = document.querySelector('.skip-link');
  link?.addEventListener('click', (e) => {
    e.preventDefault();
    const main = document.getElementById('main');
    main.focus();
    main.scrollIntoView({ block: 'start' });
  });
}

async function start() {
  wireSkipLink();
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
  route(views, { initial: true });
  guardUnsaved(views);
  renderHealth();
  renderAvailability(app);
  window.setInterval(renderHealth, 60000);
  const banner = document.querySelector('[data-testid="spike-banner"]');
  renderSpikes(banner);
  window.setInterval(() => renderSpikes(banner), 60000);
  tick();
  window.setInterval(tick, 1000);
}

start();
