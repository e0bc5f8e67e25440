// Teams and people: a manager edits a team of the directory as a form (display name, calendar,
// default SLA policy, notification targets, auto-assignment, members with role and capacity) and
// sees each member's open claims and availability. Nothing here is JSON. Errors from the server
// (400 problem+json, keyed by field path like "members[1].capacity") are shown at their field, the
// same way as in the rules and SLA forms (FormEditor).

import { api, get, put, seg, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { when } from './format.js';
import { FormEditor, problemFields } from './form-editor.js';

const MODES = [['off', 'Off'], ['round-robin', 'Round-robin'], ['least-loaded', 'Least-loaded']];
const ROLES = [['agent', 'Agent'], ['lead', 'Lead'], ['manager', 'Manager']];

export class TeamsEditor extends FormEditor {
  constructor(root, app) {
    super(root, app, { idPrefix: 'team' });
    this.team = null;
    this.members = [];
  }

  async ensureLoaded() {
    if (this.loaded) return;
    this.loaded = true;
    this.picker = h('select', { id: 'teams-edit-team' }, this.app.teams.map((t) => h('option', { value: t.name }, t.name)));
    this.picker.addEventListener('change', () => {
      // Another team's form replaces this one: unsaved edits are never dropped without asking.
      if (this.dirty && this.team && !window.confirm(`Your changes to team ${this.team.name} are not saved. Discard them and edit ${this.picker.value}?`)) {
        this.picker.value = this.team.name;
        return;
      }
      this.load();
    });
    this.body = h('div', { class: 'teams-body', 'aria-live': 'off' });
    this.result = h('p', { class: 'muted', role: 'status' });
    replace(this.root,
      h('p', { class: 'muted' }, 'Who works each team, how much each person takes on at once, and whether new handoffs are assigned automatically. People set their own availability; in Azure, Entra app roles still decide who may sign in.'),
      h('div', { class: 'form-actions' }, h('label', { for: 'teams-edit-team' }, 'Team to edit'), this.picker),
      this.result,
      this.body);
    this.choices = get('/api/sla-policies').then(({ data }) => ({
      calendars: (data?.document?.calendars ?? []).map((c) => c.name),
      policies: (data?.document?.policies ?? []).map((p) => p.name),
    }), (error) => {
      this.app.announceError(error, 'Calendars and policies could not be loaded');
      return { calendars: [], policies: [] };
    });
    await this.load();
  }

  /** Loads the team the picker shows; an answer for a team no longer picked (it changed meanwhile) is dropped. */
  async load() {
    const name = this.picker.value;
    if (!name) return;
    const ticket = (this.ticket = (this.ticket ?? 0) + 1);
    try {
      const [{ calendars, policies }, { data }] = await Promise.all([this.choices, get(`/api/teams/${seg(name)}`)]);
      if (ticket !== this.ticket) return;
      this.calendars = calendars;
      this.policies = policies;
      this.show(data);
    } catch (error) {
      if (ticket === this.ticket) this.app.announceError(error, `Team ${name} could not be loaded`);
    }
  }

  show(team) {
    this.team = team;
    this.members = team.members.map((m) => ({ ...m }));
    this.people = Array.isArray(team.people) ? team.people : null;
    this.render();
    this.setDirty(false);
  }

  render() {
    const team = this.team;
    this.slots = new Map();
    const field = (key, label, control, hint) => {
      const error = this.bind(control, key);
      return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hint ? h('p', { class: 'muted hint' }, hint) : null, error);
    };
    const select = (id, options, value) => h('select', { id }, options.map(([v, text]) => h('option', { value: v, selected: v === (value ?? '') }, text)));

    this.displayName = h('input', { id: 'team-display-name', type: 'text', maxlength: '100', value: team.displayName ?? '' });
    this.calendar = select('team-calendar', [['', 'None'], ...this.calendars.map((c) => [c, c])], team.calendar);
    this.policy = select('team-policy', [['', 'None'], ...this.policies.map((p) => [p, p])], team.defaultPolicy);
    this.notify = h('input', { id: 'team-notify', type: 'text', value: (team.notify ?? []).join(', ') });
    this.mode = select('team-auto-assign', MODES, team.autoAssign);

    const rows = this.members.map((m, i) => this.memberRow(m, i));
    const table = h('table', { class: 'table compact' },
      h('caption', {}, `Members of ${team.name}`),
      h('thead', {}, h('tr', {}, ['Person', 'Role', 'Capacity', 'Available', 'Open claims'].map((c) => h('th', { scope: 'col' }, c)),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: '6', class: 'muted' }, 'No members yet.'))));

    const form = h('form', { class: 'teams-form', novalidate: true },
      h('p', { class: 'muted' }, team.revision
        ? `Revision ${team.revision}, saved by ${team.updatedBy ?? 'someone'} ${team.updatedAt ? when(team.updatedAt) : ''}. ${team.unclaimed} open handoff${team.unclaimed === 1 ? '' : 's'} nobody holds.`
        : `Not saved in the directory yet. ${team.unclaimed} open handoffs nobody holds.`),
      h('div', { class: 'field-grid' },
        field('displayName', 'Display name', this.displayName),
        field('calendar', 'Calendar', this.calendar),
        field('defaultPolicy', 'Default SLA policy', this.policy),
        field('notify', 'Notification targets', this.notify, 'Names of webhook targets or channels, separated by commas (never a URL: those stay in settings).'),
        field('autoAssign', 'Auto-assignment', this.mode, 'Gives each new handoff to an available member with spare capacity, most urgent first.')),
      h('div', { class: 'table-wrap' }, table),
      this.slot('members'),
      this.addForm(),
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button' }, 'Save team')));
    form.addEventListener('input', () => this.changed());
    form.addEventListener('change', () => this.changed());
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.save();
    });
    this.history = h('div', { class: 'teams-history' });
    const showHistory = h('button', { type: 'button', class: 'button secondary' }, 'Show changes');
    showHistory.addEventListener('click', () => this.showHistory());
    const remove = h('button', { type: 'button', class: 'button secondary' }, 'Delete team');
    remove.addEventListener('click', () => this.remove());
    replace(this.body, form, h('div', { class: 'form-actions' }, showHistory, remove), this.history);
  }

  /** A field path the form has no field for (members[3].name) shows at its member list. */
  slotFor(key) {
    return super.slotFor(key) ?? super.slotFor(String(key).split('.')[0].replace(/\[\d+\]$/, '')) ?? super.slotFor('members');
  }

  memberRow(m, i) {
    const name = m.name ?? m.id;
    const role = h('select', { id: `member-${i}-role`, 'aria-label': `Role of ${name}` }, ROLES.map(([v, text]) => h('option', { value: v, selected: v === m.role }, text)));
    role.addEventListener('change', () => { m.role = role.value; });
    const capacity = h('input', { id: `member-${i}-capacity`, type: 'number', min: '0', max: '50', step: '1', class: 'narrow', value: String(m.capacity), 'aria-label': `Capacity of ${name}` });
    capacity.addEventListener('input', () => { m.capacity = capacity.value === '' ? null : Number(capacity.value); });
    const remove = h('button', { type: 'button', class: 'button secondary' }, `Remove ${name}`);
    remove.addEventListener('click', () => {
      this.members.splice(i, 1);
      this.render();
      this.changed();
      this.result.textContent = `${name} will be removed when you save.`;
    });
    const roleError = this.bind(role, `members[${i}].role`);
    const capacityError = this.bind(capacity, `members[${i}].capacity`);
    const idError = this.slot(`members[${i}].id`);
    const open = m.openClaims ?? 0;
    return h('tr', {},
      h('th', { scope: 'row' }, name, m.name && m.name.toLowerCase() !== m.id.toLowerCase() ? h('span', { class: 'muted' }, ` (${m.id})`) : null, idError),
      h('td', {}, role, roleError),
      h('td', {}, capacity, capacityError),
      h('td', {}, m.availability === 'away' ? 'Away' : 'Available'),
      h('td', { class: open >= m.capacity ? 'warn' : '' }, m.openClaims === undefined ? 'new' : `${open} of ${m.capacity}`),
      h('td', {}, remove));
  }

  addForm() {
    const listId = 'team-people';
    const person = h('input', { id: 'team-add-person', type: 'text', autocomplete: 'off', list: this.people ? listId : null });
    const role = h('select', { id: 'team-add-role' }, ROLES.map(([v, text]) => h('option', { value: v }, text)));
    const capacity = h('input', { id: 'team-add-capacity', type: 'number', min: '0', max: '50', step: '1', value: '5', class: 'narrow' });
    const add = h('button', { type: 'button', class: 'button secondary' }, 'Add member');
    const error = h('p', { class: 'field-error', id: 'team-add-error', hidden: true });
    add.addEventListener('click', () => {
      const typed = person.value.trim();
      const known = this.people?.find((p) => p.id.toLowerCase() === typed.toLowerCase() || p.name.toLowerCase() === typed.toLowerCase());
      const id = known?.id ?? typed;
      const problem = !typed ? 'Name the person to add.'
        : this.people && !known ? `'${typed}' is not a known person.`
          : this.members.some((m) => m.id.toLowerCase() === id.toLowerCase()) ? `${known?.name ?? typed} is a member already.`
            : null;
      if (problem) {
        error.textContent = problem;
        error.hidden = false;
        person.setAttribute('aria-invalid', 'true');
        person.setAttribute('aria-describedby', error.id);
        person.focus();
        return;
      }
      this.members.push({ id, name: known?.name ?? typed, role: role.value, capacity: capacity.value === '' ? null : Number(capacity.value), availability: 'available' });
      this.render();
      this.changed();
      this.result.textContent = `${known?.name ?? typed} will be added when you save.`;
      this.body.querySelector('#team-add-person')?.focus();
    });
    return h('fieldset', { class: 'team-add' },
      h('legend', {}, 'Add a member'),
      h('span', { class: 'inline-field' }, h('label', { for: 'team-add-person' }, 'Person'), person),
      this.people ? h('datalist', { id: listId }, this.people.map((p) => h('option', { value: p.id }, p.name))) : null,
      h('span', { class: 'inline-field' }, h('label', { for: 'team-add-role' }, 'Role'), role),
      h('span', { class: 'inline-field' }, h('label', { for: 'team-add-capacity' }, 'Capacity'), capacity),
      add,
      error);
  }

  body_() {
    return {
      displayName: this.displayName.value.trim() || null,
      calendar: this.calendar.value || null,
      defaultPolicy: this.policy.value || null,
      notify: this.notify.value.split(',').map((s) => s.trim()).filter(Boolean),
      autoAssign: this.mode.value,
      members: this.members.map((m) => ({ id: m.id, name: m.name, role: m.role, capacity: Number.isFinite(m.capacity) ? m.capacity : null })),
    };
  }

  async save() {
    this.placeErrors([]);
    const team = this.team;
    try {
      const { data } = await put(`/api/teams/${seg(team.name)}`, this.body_(), { ifMatch: team.revision ? team.etag : undefined });
      this.show(data);
      const saved = `Saved team ${data.name} (revision ${data.revision}).`;
      this.result.textContent = saved;
      this.app.announce(saved);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400 && error.problem.errors) {
        this.placeErrors(problemFields(error).map((f) => ({ key: f.field, text: f.message })));
        this.result.textContent = 'Not saved: fix the fields marked.';
        this.body.querySelector('[aria-invalid="true"]')?.focus();
      } else if (error instanceof ApiError && error.status === 412) {
        this.result.textContent = 'Someone else saved this team meanwhile: reload it and make your change again.';
      } else {
        this.app.announceError(error, 'The team could not be saved');
      }
    }
  }

  /** Deletes the team after a confirmation; the server refuses (409, saying why) while handoffs, rules or policies use it. */
  async remove() {
    const team = this.team;
    if (!window.confirm(`Delete team ${team.name}? Its history is kept. This cannot be undone from here.`)) return;
    try {
      await api(`/api/teams/${seg(team.name)}`, { method: 'DELETE', ifMatch: team.revision ? team.etag : '*' });
      [...this.picker.options].find((o) => o.value === team.name)?.remove();
      this.app.teams = this.app.teams.filter((t) => t.name !== team.name);
      const deleted = `Deleted team ${team.name}.`;
      this.result.textContent = deleted;
      this.app.announce(deleted);
      await this.load();
    } catch (error) {
      if (error instanceof ApiError && (error.status === 409 || error.status === 412)) {
        this.result.textContent = `Not deleted: ${error.problem.detail ?? error.problem.title}`;
      } else {
        this.app.announceError(error, 'The team could not be deleted');
      }
    }
  }

  async showHistory() {
    try {
      const { data } = await get(`/api/teams/${seg(this.team.name)}/history`);
      const changes = data?.changes ?? [];
      replace(this.history, changes.length === 0 ? h('p', { class: 'muted' }, 'No saved changes yet.')
        : h('ol', { class: 'history-list', 'aria-label': `Changes to ${this.team.name}, newest first` },
          changes.map((c) => h('li', {}, h('strong', {}, `Revision ${c.revision}`), ` ${c.authorName}, ${when(c.at)}: ${c.summary}`))));
    } catch (error) {
      this.app.announceError(error, 'The changes could not be loaded');
    }
  }
}
