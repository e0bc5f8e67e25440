// The SLA policies and business calendars as a form: targets per team and priority typed as
// "1 h 30 min", calendars with a time-zone picker, shifts per day (a lunch break is two shifts),
// holidays (added one by one or imported from a pasted list) or 24/7; checked by the server while
// typing with each problem shown at its field; a preview of when a handoff would be due and what
// would change for the open ones; history with readable differences and restore. The JSON stays
// behind the "Advanced" switch: the form edits the loaded document in place, so it round-trips.

import { post, query, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { parseDuration, formatDuration, toStored, readable } from './durations.js';
import { VersionedDocumentEditor, problemFields } from './form-editor.js';
const DAYS = [['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'], ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday']];
const TARGETS = [['firstResponse', 'First response within'], ['resolution', 'Resolved within'], ['warnBefore', 'Warn before due']];

export class SlaEditor extends VersionedDocumentEditor {
  constructor(root, app) {
    super(root, app, {
      idPrefix: 'sla', api: '/api/sla-policies', noun: 'SLA policies', jsonNoun: 'SLA policies', jsonLabel: 'The SLA policies as JSON',
      historyNoun: 'SLA ', emptyDocument: () => ({ calendars: [], policies: [] }),
      savedNote: ' New handoffs are timed by it; open ones keep the version they started with.',
    });
    this.vocab = { teams: [], timeZones: [], priorities: ['*', 'P1', 'P2', 'P3', 'P4'], clockStarts: ['handoff', 'posted'] };
    this.local = new Map(); // field path -> message typed wrong here (a duration), before the server is asked
    this.zoneList = h('datalist', { id: 'sla-time-zones' });
    this.previewTeam = h('select', { id: 'sla-preview-team' });
    this.previewPriority = h('select', { id: 'sla-preview-priority' }, ['P1', 'P2', 'P3', 'P4'].map((p) => h('option', { value: p }, p)));
    this.previewAt = h('input', { type: 'datetime-local', id: 'sla-preview-at' });
    this.previewBox = h('div', { class: 'editor-results', 'aria-live': 'polite' });

    replace(root,
      this.advancedSwitch(),
      this.info,
      this.zoneList,
      this.form,
      this.jsonBox,
      this.general,
      this.check,
      h('div', { class: 'rules-try' },
        h('h3', {}, 'Preview'),
        h('p', { class: 'hint' }, 'When a handoff would be due with your changes, and what they would mean for the open handoffs. Nothing is saved.'),
        h('div', { class: 'form-actions' },
          h('span', { class: 'inline-field' }, h('label', { for: 'sla-preview-team' }, 'Preview team'), this.previewTeam),
          h('span', { class: 'inline-field' }, h('label', { for: 'sla-preview-priority' }, 'Preview priority'), this.previewPriority),
          h('span', { class: 'inline-field' }, h('label', { for: 'sla-preview-at' }, 'Arriving at (empty: now)'), this.previewAt),
          this.button('Preview due times', () => this.preview()))),
      this.previewBox,
      h('div', { class: 'form-actions' },
        this.button('Save SLA policies', () => this.save(), false),
        this.button('Reload', () => this.load())),
      this.results,
      this.historySection('Show SLA history'),
      this.history);
  }

  vocabularyLoaded() {
    replace(this.zoneList, (this.vocab.timeZones ?? []).map((z) => h('option', { value: z })));
    const chosen = this.previewTeam.value;
    replace(this.previewTeam, (this.vocab.teams ?? []).map((t) => h('option', { value: t }, t)));
    if (chosen) this.previewTeam.value = chosen;
  }

  reset() {
    this.local = new Map();
  }

  // ---- the form ----

  render() {
    this.slots = new Map();
    const policies = Array.isArray(this.doc.policies) ? this.doc.policies : [];
    const calendars = Array.isArray(this.doc.calendars) ? this.doc.calendars : [];
    const addPolicy = this.button('Add a policy', () => {
      if (!Array.isArray(this.doc.policies)) this.doc.policies = policies;
      policies.push({ name: this.freshName(policies, 'new policy'), team: '*', priority: '*', calendar: calendars[0]?.name ?? '', firstResponse: '01:00:00', resolution: '08:00:00', warnBefore: '00:15:00', clockStart: 'handoff' });
      this.changed(true);
      this.focusId(`sla-policy-${policies.length - 1}-name`);
    }, true, { id: 'sla-add-policy' });
    const addCalendar = this.button('Add a calendar', () => {
      if (!Array.isArray(this.doc.calendars)) this.doc.calendars = calendars;
      const week = Object.fromEntries(DAYS.slice(0, 5).map(([d]) => [d, ['09:00-17:00']]));
      calendars.push({ name: this.freshName(calendars, 'new calendar'), alwaysOpen: false, timeZone: 'Europe/London', week, holidays: [] });
      this.changed(true);
      this.focusId(`sla-calendar-${calendars.length - 1}-name`);
    }, true, { id: 'sla-add-calendar' });
    replace(this.form,
      h('h3', {}, 'Targets'),
      h('p', { class: 'hint' }, 'Per team and priority, the most specific policy applies. Times are business time in the policy\'s calendar, written like 1 h 30 min, 90 min or 2 d.'),
      this.slot('policies'),
      policies.length ? h('ol', { class: 'rule-list', 'aria-label': 'SLA policies' }, policies.map((p, i) => h('li', {}, this.policyCard(p, i, policies, calendars)))) : h('p', { class: 'muted' }, 'No policies yet.'),
      h('div', { class: 'form-actions' }, addPolicy),
      h('h3', {}, 'Business calendars'),
      calendars.length ? h('ol', { class: 'rule-list', 'aria-label': 'Business calendars' }, calendars.map((c, i) => h('li', {}, this.calendarCard(c, i, calendars, policies)))) : h('p', { class: 'muted' }, 'No calendars yet.'),
      h('div', { class: 'form-actions' }, addCalendar));
    this.applyErrors();
  }

  policyCard(policy, i, policies, calendars) {
    const path = `policies[${i}]`;
    const id = `sla-policy-${i}`;
    const label = `policy ${i + 1}`;
    const sentence = h('p', { class: 'rule-sentence' }, describePolicy(policy));
    const name = this.textInput(`${id}-name`, 'Policy name', policy.name ?? '', (v) => { policy.name = v; }, `${path}.name`);
    const teams = [['*', 'Every team'], ...this.vocab.teams.map((t) => [t, t])];
    const team = this.select(`${id}-team`, 'Team', policy.team ?? '*', teams, (v) => { policy.team = v; }, `${path}.team`);
    const priority = this.select(`${id}-priority`, 'Priority', policy.priority ?? '*', this.vocab.priorities.map((p) => [p, p === '*' ? 'Any priority' : p]), (v) => { policy.priority = v; }, `${path}.priority`);
    const calendar = this.select(`${id}-calendar`, 'Calendar', policy.calendar ?? '', calendars.map((c) => [c.name, c.alwaysOpen ? `${c.name} (24/7)` : c.name]), (v) => { policy.calendar = v; }, `${path}.calendar`);
    const targets = TARGETS.map(([key, text]) => this.durationInput(`${id}-${key}`, text, policy, key, `${path}.${key}`));
    const clock = this.select(`${id}-clockStart`, 'Clocks start', policy.clockStart ?? 'handoff',
      [['handoff', 'when handed to the team'], ['posted', 'when the customer posted']], (v) => { policy.clockStart = v; }, `${path}.clockStart`);
    const tools = h('div', { class: 'rule-tools' },
      this.button('Duplicate', () => {
        const copy = JSON.parse(JSON.stringify(policy));
        copy.name = this.freshName(policies, `${policy.name || 'policy'} copy`);
        // Two policies cannot cover the same team and priority; the copy starts on its own priority to be chosen.
        copy.priority = this.vocab.priorities.find((p) => !policies.some((x) => x.team === copy.team && x.priority === p)) ?? copy.priority;
        policies.splice(i + 1, 0, copy);
        this.changed(true);
        this.focusId(`sla-policy-${i + 1}-name`);
      }, true, { 'aria-label': `Duplicate ${label}` }),
      this.button('Delete', () => {
        policies.splice(i, 1);
        this.changed(true);
        this.focusId(policies.length ? `sla-policy-${Math.min(i, policies.length - 1)}-name` : 'sla-add-policy');
        this.app.announce(`Policy ${i + 1} deleted.`);
      }, true, { 'aria-label': `Delete ${label}` }));
    return h('fieldset', { class: 'rule' },
      h('legend', {}, `Policy ${i + 1}`),
      sentence,
      this.slot(path),
      h('div', { class: 'rule-head' }, name, tools),
      h('div', { class: 'action-fields' }, team, priority, calendar, clock),
      h('div', { class: 'action-fields' }, targets));
  }

  calendarCard(calendar, i, calendars, policies) {
    const path = `calendars[${i}]`;
    const id = `sla-calendar-${i}`;
    const title = `calendar ${calendar.name || i + 1}`;
    const name = this.textInput(`${id}-name`, 'Calendar name', calendar.name ?? '', (v) => {
      // Policies name their calendar: a rename carries them along.
      for (const p of policies) if (p.calendar === calendar.name) p.calendar = v;
      calendar.name = v;
    }, `${path}.name`, { redrawOnChange: true });
    const always = h('input', { type: 'checkbox', id: `${id}-always` });
    always.checked = calendar.alwaysOpen === true;
    always.addEventListener('change', () => {
      calendar.alwaysOpen = always.checked;
      this.changed(true);
      this.focusId(`${id}-always`);
    });
    const users = policies.filter((p) => p.calendar === calendar.name);
    const teams = [...new Set(users.map((p) => (p.team === '*' ? 'every team' : p.team)))];
    const usedBy = h('p', { class: 'hint' }, users.length
      ? `Used by ${users.length === 1 ? 'policy' : 'policies'} ${users.map((p) => `${p.name} (${coverage(p)})`).join(', ')}; teams: ${teams.join(', ')}.`
      : 'No policy uses this calendar.');
    const remove = this.button('Delete calendar', () => {
      calendars.splice(i, 1);
      this.changed(true);
      this.focusId('sla-add-calendar');
      this.app.announce(`Calendar ${calendar.name} deleted.`);
    }, true, { 'aria-label': `Delete ${title}` });
    const body = calendar.alwaysOpen === true
      ? [h('p', { class: 'muted' }, 'Open around the clock, every day: business time is wall-clock time.')]
      : [this.zoneInput(calendar, id, path), this.weekFields(calendar, id, path), this.holidayFields(calendar, id, path)];
    return h('fieldset', { class: 'rule' },
      h('legend', {}, `Calendar ${calendar.name || i + 1}`),
      this.slot(path),
      h('div', { class: 'rule-head' }, name,
        h('span', { class: 'inline-field' }, always, h('label', { for: `${id}-always` }, 'Open 24/7')),
        remove),
      usedBy,
      body);
  }

  zoneInput(calendar, id, path) {
    const input = h('input', { type: 'text', id: `${id}-zone`, list: 'sla-time-zones', autocomplete: 'off', value: calendar.timeZone ?? '' });
    input.addEventListener('input', () => { calendar.timeZone = input.value.trim(); this.changed(); });
    const error = this.bind(input, `${path}.timeZone`);
    return h('div', { class: 'field' }, h('label', { for: `${id}-zone` }, 'Time zone'), input,
      h('p', { class: 'hint' }, 'An IANA zone such as Europe/London or America/New_York; start typing to pick one.'), error);
  }

  weekFields(calendar, id, path) {
    const week = calendar.week && typeof calendar.week === 'object' ? calendar.week : null;
    const dayKey = (day) => Object.keys(week ?? {}).find((k) => k.toLowerCase() === day) ?? day;
    const rows = DAYS.map(([day, dayName]) => {
      const key = dayKey(day);
      const shifts = Array.isArray(week?.[key]) ? week[key] : [];
      const writable = () => {
        if (!calendar.week || typeof calendar.week !== 'object') calendar.week = {};
        if (!Array.isArray(calendar.week[key])) calendar.week[key] = [];
        return calendar.week[key];
      };
      const list = shifts.map((shift, k) => {
        const [from, to] = String(shift).split('-');
        const fromInput = h('input', { type: 'time', id: `${id}-${day}-${k}-from`, value: (from ?? '').trim() });
        const toInput = h('input', { type: 'time', id: `${id}-${day}-${k}-to`, value: (to ?? '').trim() === '24:00' ? '00:00' : (to ?? '').trim() });
        const write = () => {
          // A shift that ends at 00:00 ends at midnight.
          writable()[k] = `${fromInput.value}-${toInput.value === '00:00' ? '24:00' : toInput.value}`;
          this.changed();
        };
        fromInput.addEventListener('change', write);
        toInput.addEventListener('change', write);
        this.bind(fromInput, `${path}.week.${key}`);
        this.bind(toInput, `${path}.week.${key}`);
        const n = k + 1;
        // The day and shift number are read by assistive technology; on screen the day heads the column.
        const who = h('span', { class: 'visually-hidden' }, `${dayName} shift ${n} `);
        return h('li', { class: 'inline-field' },
          h('label', { for: `${id}-${day}-${k}-from` }, who, 'from'), fromInput,
          h('label', { for: `${id}-${day}-${k}-to` }, who.cloneNode(true), 'to'), toInput,
          this.button('Remove', () => {
            writable().splice(k, 1);
            this.changed(true);
            this.focusId(`${id}-${day}-add`);
          }, true, { 'aria-label': `Remove ${dayName} shift ${n}` }));
      });
      const add = this.button('Add a shift', () => {
        const last = shifts[shifts.length - 1];
        const lastEnd = last ? String(last).split('-')[1] : null;
        // After a shift, the next starts an hour later (a lunch break), until 17:00 or later.
        const start = lastEnd && /^\d{2}:\d{2}$/.test(lastEnd) ? addHour(lastEnd) : '09:00';
        const list = writable();
        list.push(`${start}-${laterOf(addHour(start), '17:00')}`);
        this.changed(true);
        this.focusId(`${id}-${day}-${list.length - 1}-from`);
      }, true, { 'aria-label': `Add a shift on ${dayName}`, id: `${id}-${day}-add` });
      return h('div', { class: 'field', role: 'group', 'aria-label': `${dayName} hours` },
        h('span', {}, h('strong', {}, dayName), shifts.length ? '' : ' · closed'),
        shifts.length ? h('ul', { class: 'plain-list' }, list) : null,
        add,
        this.slot(`${path}.week.${key}`));
    });
    return h('div', { class: 'rule-when' }, h('h4', {}, 'Working hours'),
      h('p', { class: 'hint' }, 'Several shifts a day are allowed: 09:00-12:00 and 13:00-17:00 is a lunch break. A day without shifts is closed.'),
      h('div', { class: 'form-actions' },
        this.copyMondayButton(calendar, id, 'weekdays', DAYS.slice(1, 5)),
        this.copyMondayButton(calendar, id, 'all days', DAYS.slice(1))),
      this.slot(`${path}.week`), h('div', { class: 'week-grid' }, rows));
  }

  /** "Copy Monday to weekdays": Monday's shifts replace those of each day in `days` (a copy, not a shared list). */
  copyMondayButton(calendar, id, what, days) {
    const buttonId = `${id}-copy-${what.replace(' ', '-')}`;
    return this.button(`Copy Monday to ${what}`, () => {
      const week = calendar.week && typeof calendar.week === 'object' ? calendar.week : (calendar.week = {});
      const keyOf = (day) => Object.keys(week).find((k) => k.toLowerCase() === day) ?? day;
      const monday = Array.isArray(week[keyOf('mon')]) ? week[keyOf('mon')] : [];
      if (monday.length === 0) {
        // Copying a closed Monday would silently close every other day: the manager adds Monday's hours first.
        this.app.announce('Monday has no working hours to copy: add its shifts first.', 'error');
        return;
      }
      for (const [day] of days) week[keyOf(day)] = [...monday];
      this.changed(true);
      this.focusId(buttonId);
      const names = days.map(([, name]) => name);
      this.app.announce(`Monday's hours (${monday.join(' and ')}) copied to ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}.`);
    }, true, { id: buttonId, 'aria-label': `Copy Monday to ${what}: calendar ${calendar.name}` });
  }

  holidayFields(calendar, id, path) {
    const holidays = Array.isArray(calendar.holidays) ? calendar.holidays : [];
    const writable = () => (Array.isArray(calendar.holidays) ? calendar.holidays : (calendar.holidays = []));
    const dateInput = h('input', { type: 'date', id: `${id}-holiday` });
    const importBox = h('textarea', { id: `${id}-import`, rows: '3', placeholder: '2026-12-25\n2026-12-28' });
    const note = h('p', { class: 'hint', 'aria-live': 'polite' });
    const chips = h('ul', { class: 'chips', 'aria-label': `Holidays of calendar ${calendar.name}` },
      [...holidays].sort().map((day) => h('li', { class: 'chip' }, h('span', {}, day),
        this.button('×', () => {
          const list = writable();
          list.splice(list.indexOf(day), 1);
          this.changed(true);
          this.focusId(`${id}-holiday`);
          this.app.announce(`Holiday ${day} removed.`);
        }, true, { class: 'chip-remove', 'aria-label': `Remove holiday ${day}` }))));
    const error = this.bind(dateInput, `${path}.holidays`);
    this.bind(importBox, `${path}.holidays`);
    const addOne = this.button('Add holiday', () => {
      if (!dateInput.value) {
        note.textContent = 'Pick a date first.';
        return;
      }
      if (!writable().includes(dateInput.value)) writable().push(dateInput.value);
      this.changed(true);
      this.focusId(`${id}-holiday`);
      this.app.announce(`Holiday ${dateInput.value} added.`);
    }, true, { 'aria-label': `Add holiday to calendar ${calendar.name}` });
    const importAll = this.button('Import dates', () => {
      const { dates, bad } = importDates(importBox.value);
      const list = writable();
      const fresh = dates.filter((d) => !list.includes(d));
      list.push(...fresh);
      const message = `${fresh.length} date${fresh.length === 1 ? '' : 's'} added${dates.length > fresh.length ? `, ${dates.length - fresh.length} already listed` : ''}${bad.length ? `; not dates: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? ' …' : ''}` : ''}.`;
      this.changed(true);
      this.app.announce(message);
      const again = document.getElementById(`${id}-import-note`);
      if (again) again.textContent = message;
      this.focusId(`${id}-import`);
    }, true, { 'aria-label': `Import dates: holidays of calendar ${calendar.name}` });
    note.id = `${id}-import-note`;
    return h('div', { class: 'rule-then' }, h('h4', {}, 'Holidays'),
      holidays.length ? chips : h('p', { class: 'muted' }, 'No holidays.'),
      h('div', { class: 'form-actions' },
        h('span', { class: 'inline-field' }, h('label', { for: `${id}-holiday` }, 'Holiday date'), dateInput), addOne),
      h('div', { class: 'field' },
        h('label', { for: `${id}-import` }, 'Paste dates to import'),
        importBox,
        h('p', { class: 'hint' }, 'One date per line as YYYY-MM-DD; lines from a calendar file (DTSTART;VALUE=DATE:20261225) work too.'),
        importAll, note),
      error);
  }

  durationInput(id, label, owner, key, path) {
    const input = h('input', { type: 'text', id, class: 'narrow', autocomplete: 'off', value: readable(owner[key]), inputmode: 'text' });
    input.addEventListener('input', () => {
      const parsed = parseDuration(input.value);
      if (parsed.error) {
        // Kept as typed, so the server says the same at the same field if it is saved anyway.
        owner[key] = input.value;
        this.local.set(path, parsed.error.startsWith('is ') ? `${label} ${parsed.error}` : sentence(parsed.error));
      } else {
        owner[key] = toStored(parsed.ms);
        this.local.delete(path);
      }
      this.changed();
    });
    input.addEventListener('change', () => {
      const parsed = parseDuration(input.value);
      if (!parsed.error) input.value = formatDuration(parsed.ms);
    });
    const error = this.bind(input, path);
    return h('div', { class: 'field' }, h('label', { for: id }, label), input, error);
  }

  // ---- hooks of the shared editor ----

  refresh() {
    this.refreshSentences(this.doc.policies, describePolicy);
    this.applyErrors();
  }

  async findErrors(doc) {
    // A duration typed wrong is already said at its field; the server would only refuse the whole body for it.
    if (this.local.size > 0 && !this.advanced.checked) return null;
    try {
      const { data } = await post('/api/sla-policies/validate', doc);
      return (Array.isArray(data?.errors) ? data.errors : []).map((e) => ({ field: e.field, text: e.text ?? e.message, message: e.message }));
    } catch (error) {
      // A value the document cannot hold (a duration typed wrong) is a 400 naming its field.
      if (!(error instanceof ApiError) || error.status !== 400) throw error;
      return problemErrors(problemFields(error));
    }
  }

  problemCount() {
    const fields = new Set(this.errors.map((e) => e.field));
    return this.errors.length + [...this.local.keys()].filter((k) => !fields.has(k)).length;
  }

  errorList() {
    return [
      ...[...this.local].map(([field, text]) => ({ key: field, text })),
      ...this.errors.filter((e) => !this.local.has(e.field)).map((e) => ({ key: e.field, text: sentence(e.text), whole: e.message })),
    ];
  }

  /** The slot of a field path, or of the nearest field that holds it (holidays[3] → holidays, week.mon → week). */
  slotFor(field) {
    let path = String(field ?? '');
    while (path) {
      if (this.slots.has(path)) return this.slots.get(path);
      const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
      if (cut <= 0) break;
      path = path.slice(0, cut);
    }
    return null;
  }

  showProblem(fields) {
    const errors = problemErrors(fields);
    const document = errors.filter((e) => /^(policies|calendars)/.test(e.field));
    if (document.length) {
      this.errors = document;
      this.applyErrors();
    }
    const other = errors.filter((e) => !/^(policies|calendars)/.test(e.field));
    if (other.length) replace(this.previewBox, h('p', { class: 'error-text' }, other.map((e) => e.message).join(' ')));
    return errors.length;
  }

  // ---- preview ----

  async preview() {
    const doc = this.current();
    if (doc === null) return;
    const when = this.previewAt.value ? new Date(this.previewAt.value) : null;
    const params = { team: this.previewTeam.value, priority: this.previewPriority.value, at: when && !Number.isNaN(when.getTime()) ? when.toISOString() : undefined };
    try {
      const { data } = await post(`/api/sla-policies/preview${query(params)}`, doc);
      replace(this.previewBox, previewReport(data));
      const p = data.sample.proposed;
      this.app.announce(`With your changes, a ${data.sample.priority} to ${data.sample.team} would be due for a first response ${zoned(p.firstResponseDueAt, p.timeZone)}.`);
    } catch (error) {
      this.fail(error);
    }
  }
}

/** { field, text, message } from a 400's field errors. */
function problemErrors(fields) {
  return fields.map(({ field, message }) => ({ field, text: plain(message), message: `${field}: ${message}` }));
}

// "policy 'x', team: 'y' is …" → "'y' is …": at the field, where it is goes without saying.
function plain(message) {
  const m = /^(?:policy|calendar) '[^']*'(?:, [\w.[\]]+)?: (.*)$/s.exec(message);
  return m ? m[1] : message;
}

function sentence(text) {
  const t = String(text ?? '');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

function coverage(p) {
  const team = p.team === '*' || !p.team ? 'every team' : p.team;
  return !p.priority || p.priority === '*' ? `${team}, any priority` : `${team} ${p.priority}`;
}

/** "care P1: first response within 30 min, resolved within 4 h of business time on 'office'; warning 5 min before." */
export function describePolicy(p) {
  const clock = p.clockStart === 'posted' ? ' counted from when the customer posted' : '';
  return `${coverage(p)}: first response within ${readable(p.firstResponse)}, resolved within ${readable(p.resolution)} of business time on '${p.calendar ?? ''}'${clock}; warning ${readable(p.warnBefore ?? '00:00:00')} before.`;
}

/** Dates from pasted text: YYYY-MM-DD anywhere in a line, or an ICS date (DTSTART;VALUE=DATE:20261225). */
export function importDates(text) {
  const dates = [];
  const bad = [];
  for (const raw of String(text ?? '').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || /^(BEGIN|END|SUMMARY|UID|DTSTAMP|PRODID|VERSION|CALSCALE|METHOD|DTEND|RRULE|DESCRIPTION|LOCATION|TRANSP|X-)/i.test(line)) continue;
    const m = /(\d{4})-(\d{2})-(\d{2})/.exec(line) ?? /^DTSTART[^:]*:(\d{4})(\d{2})(\d{2})/i.exec(line);
    const iso = m ? `${m[1]}-${m[2]}-${m[3]}` : null;
    if (iso && isRealDate(iso)) {
      if (!dates.includes(iso)) dates.push(iso);
    } else {
      bad.push(`'${line.slice(0, 40)}'`);
    }
  }
  return { dates, bad };
}

function isRealDate(iso) {
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso;
}

function addHour(hhmm) {
  const [hr, m] = hhmm.split(':').map(Number);
  return `${String(Math.min(hr + 1, 23)).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

function laterOf(a, b) {
  return a > b ? a : b;
}

/** "Tue, 1 Dec 2026, 14:00 (Europe/London)". */
function zoned(iso, zone) {
  if (!iso) return '—';
  const d = new Date(iso);
  try {
    return `${new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone }).format(d)} (${zone})`;
  } catch {
    return d.toISOString();
  }
}

function previewReport(report) {
  const s = report.sample;
  const rows = [
    ['First response due', 'firstResponseDueAt'],
    ['Resolution due', 'resolutionDueAt'],
    ['Warning at', 'warnAt'],
  ];
  const moved = s.current.firstResponseDueAt !== s.proposed.firstResponseDueAt;
  const changes = Array.isArray(report.changes) ? report.changes : [];
  const due = (d) => [d.firstResponseDueAt ? `first response ${zoned(d.firstResponseDueAt, d.timeZone)}` : null, d.resolutionDueAt ? `resolution ${zoned(d.resolutionDueAt, d.timeZone)}` : null].filter(Boolean).join('; ') || 'no running clock';
  return h('div', { class: 'dry-run' },
    h('p', {}, `With your changes, a ${s.priority} to ${s.team} arriving ${zoned(s.arrivesAt, s.proposed.timeZone)} would be due for a first response ${zoned(s.proposed.firstResponseDueAt, s.proposed.timeZone)}`,
      moved ? ` (policies in force: ${zoned(s.current.firstResponseDueAt, s.current.timeZone)}).` : ' (the same as now).'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table compact' },
      h('caption', {}, 'Due times for this arrival'),
      h('thead', {}, h('tr', {}, h('td', {}), h('th', { scope: 'col' }, 'Policies in force'), h('th', { scope: 'col' }, 'With your changes'))),
      h('tbody', {},
        h('tr', {}, h('th', { scope: 'row' }, 'Policy'), h('td', {}, `${s.current.policy} (calendar ${s.current.calendar})`), h('td', {}, `${s.proposed.policy} (calendar ${s.proposed.calendar})`)),
        rows.map(([label, key]) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, zoned(s.current[key], s.current.timeZone)), h('td', {}, zoned(s.proposed[key], s.proposed.timeZone))))))),
    h('p', {}, `Open handoffs: ${report.openChanged} of ${report.openEvaluated} would be due at another time if timed by your changes; `,
      `${report.breachedUnderProposal} would be breached now (${report.newlyBreached} more, ${report.noLongerBreached} fewer than now).`,
      report.truncated ? ' Only the first open handoffs were checked.' : ''),
    h('p', { class: 'hint' }, 'Open handoffs keep the version they were created under; handoffs created after you save are timed by the new one.'),
    changes.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table compact' },
      h('caption', {}, 'Open handoffs whose due time would change'),
      h('thead', {}, h('tr', {}, ['Handoff', 'Team', 'Priority', 'Due now', 'With your changes'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, changes.map((c) => h('tr', {},
        h('td', { class: 'text-cell' }, c.text || c.id),
        h('td', {}, c.team),
        h('td', {}, c.priority),
        h('td', {}, `${c.from.policy}: ${due(c.from)}${c.from.breached ? ' (breached)' : ''}`),
        h('td', {}, `${c.to.policy}: ${due(c.to)}${c.to.breached ? ' (breached)' : ''}`)))))) : null);
}
