// What the manager's forms share, so the rules, SLA and teams editors behave alike.
// FormEditor: buttons that report their own failures, errors the server names by field path shown
// at their field (aria-invalid + aria-describedby), and an "unsaved changes" flag the manager page
// shows in its navigation. VersionedDocumentEditor adds what the rules and the SLA policies share:
// one JSON document saved in versions (If-Match), the Advanced switch that round-trips the JSON,
// validation while typing, save, history and restore. Subclasses draw the form (render) and say
// where each error belongs (errorList); the form edits the loaded document object in place.

import { get, post, put, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { when as at } from './format.js';

const VALIDATE_DELAY_MS = 400;

export class FormEditor {
  constructor(root, app, { idPrefix }) {
    this.root = root;
    this.app = app;
    this.idPrefix = idPrefix;
    this.slots = new Map(); // error key -> { el, inputs }
    this.dirty = false;
  }

  /** A button that is disabled while its action runs and announces a failure instead of losing it. */
  button(label, onClick, secondary = true, props = {}) {
    const b = h('button', { type: 'button', class: secondary ? 'button secondary' : 'button', ...props }, label);
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await onClick();
      } catch (error) {
        this.app.announceError(error);
      } finally {
        b.disabled = false;
      }
    });
    return b;
  }

  focusId(id) {
    document.getElementById(id)?.focus();
  }

  /** "new rule", else "new rule 2", … : a name no item of the list has. */
  freshName(list, base) {
    const names = new Set((list ?? []).map((x) => x?.name));
    let n = 1;
    while (names.has(n === 1 ? base : `${base} ${n}`)) n += 1;
    return n === 1 ? base : `${base} ${n}`;
  }

  /** Unsaved edits: the manager page marks this editor's section and warns before the page is left. */
  setDirty(dirty) {
    if (this.dirty === dirty) return;
    this.dirty = dirty;
    this.root.dispatchEvent(new CustomEvent('editor-dirty', { bubbles: true, detail: { dirty } }));
  }

  // ---- errors at their fields ----

  /** The element where errors of `key` are shown (made on first use; render() starts a fresh map). */
  slot(key) {
    if (!this.slots.has(key)) {
      const el = h('p', { class: 'field-error', id: `${this.idPrefix}-err-${String(key).replace(/[^a-z0-9]+/gi, '-')}`, hidden: true });
      this.slots.set(key, { el, inputs: [] });
    }
    return this.slots.get(key).el;
  }

  /** Marks `input` invalid (and described by the message) when `key` has an error; returns the slot element. */
  bind(input, key) {
    const el = this.slot(key);
    this.slots.get(key).inputs.push(input);
    return el;
  }

  /** Where an error of `key` is shown; null when this form has no such field. */
  slotFor(key) {
    return key === null || key === undefined ? null : this.slots.get(key) ?? null;
  }

  /**
   * Shows each error ({ key, text, whole }) at its field, once; returns the lines that have no field
   * here (whole, or "key: text"), for a general list, so no error is ever dropped.
   */
  placeErrors(errors) {
    for (const { el, inputs } of this.slots.values()) {
      el.hidden = true;
      el.textContent = '';
      for (const input of inputs) {
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
      }
    }
    const unplaced = [];
    const shown = new Set();
    for (const { key, text, whole } of errors) {
      const slot = this.slotFor(key);
      if (!slot) {
        unplaced.push(whole ?? `${key}: ${text}`);
        continue;
      }
      if (shown.has(`${key}\u0000${text}`)) continue;
      shown.add(`${key}\u0000${text}`);
      slot.el.hidden = false;
      slot.el.textContent = slot.el.textContent ? `${slot.el.textContent} ${text}` : text;
      for (const input of slot.inputs) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', slot.el.id);
      }
    }
    return unplaced;
  }

  // ---- labelled inputs, each bound to the slot of its field ----

  textInput(id, label, value, set, key, { redrawOnChange = false } = {}) {
    const input = h('input', { type: 'text', id, value, autocomplete: 'off', dataset: { label } });
    input.addEventListener('input', () => { set(input.value); this.changed(); });
    // A name that other menus offer (a calendar's) is redrawn there once it is typed.
    if (redrawOnChange) input.addEventListener('change', () => { this.changed(true); });
    const error = this.bind(input, key);
    return h('div', { class: 'field' }, h('label', { for: id }, label), input, error);
  }

  select(id, label, value, options, set, key) {
    const select = h('select', { id }, options.map(([v, text]) => h('option', { value: v }, text)));
    // A name that is not offered (typed in Advanced, or since removed) stays selectable, so its error shows at the field.
    if (![...select.options].some((o) => o.value === value)) select.append(h('option', { value }, `${value || '(none)'} (unknown)`));
    select.value = value;
    select.addEventListener('change', () => { set(select.value); this.changed(); });
    const error = this.bind(select, key);
    return h('div', { class: 'field' }, h('label', { for: id }, label), select, error);
  }

  /** A field's value was edited; subclasses redraw what depends on it. */
  changed() {
    this.setDirty(true);
  }
}

/** [{ field, message }] from a 400 problem's errors object (field path -> messages). */
export function problemFields(error) {
  const errors = error?.problem?.errors;
  if (!errors || typeof errors !== 'object') return [];
  return Object.entries(errors).flatMap(([field, messages]) => (Array.isArray(messages) ? messages : [messages]).map((m) => ({ field, message: String(m) })));
}

export class VersionedDocumentEditor extends FormEditor {
  /**
   * @param {object} options idPrefix (element ids), api ('/api/rules'), noun ('routing rules', in
   * messages), jsonNoun ('rules', in "the rules must be one JSON object"), jsonLabel, historyNoun
   * ('' or 'SLA ': "Saved SLA versions", "Restore SLA version 3"), savedNote (after "Saved as
   * version 4."), emptyDocument.
   */
  constructor(root, app, options) {
    super(root, app, options);
    this.options = options;
    this.doc = null;
    this.version = null;
    this.errors = [];
    this.timer = null;
    this.validation = 0;
    this.loaded = false;
    const p = options.idPrefix;

    this.info = h('p', { class: 'muted', testid: `${p}-version` });
    this.advanced = h('input', { type: 'checkbox', role: 'switch', id: `${p}-advanced` });
    this.advanced.addEventListener('change', () => this.toggleAdvanced());
    this.form = h('div', { class: 'rules-form', testid: `${p}-form` });
    this.textarea = h('textarea', { id: `${p}-json`, class: 'json', rows: '18', spellcheck: 'false', autocomplete: 'off', testid: `${p}-json` });
    this.textarea.addEventListener('input', () => {
      this.setDirty(true);
      this.scheduleValidate();
    });
    this.jsonBox = h('div', { hidden: true }, h('label', { for: `${p}-json` }, options.jsonLabel), this.textarea);
    // A live region stays displayed when empty (CSS gives it no padding then), or its first message is missed.
    this.general = h('div', { class: 'error-text', testid: `${p}-errors`, 'aria-live': 'polite' });
    this.check = h('p', { class: 'muted', testid: `${p}-check`, 'aria-live': 'polite' });
    this.results = h('div', { class: 'editor-results', testid: `${p}-results`, 'aria-live': 'polite' });
    this.history = h('div', { class: 'rules-history', 'aria-live': 'polite' });
  }

  /** The "Advanced: edit as JSON" switch with its label. */
  advancedSwitch() {
    return h('div', { class: 'form-actions' }, this.advanced, h('label', { for: this.advanced.id }, 'Advanced: edit as JSON'));
  }

  /** The History heading and its button; the versions appear in this.history. */
  historySection(buttonLabel) {
    return h('div', { class: 'rules-try' },
      h('h3', {}, 'History'),
      h('div', { class: 'form-actions' }, this.button(buttonLabel, () => this.showHistory())));
  }

  async ensureLoaded() {
    if (!this.loaded) await this.load().catch((error) => this.app.announceError(error, `The ${this.options.noun} could not be loaded`));
  }

  async load() {
    const api = this.options.api;
    const [{ data }, vocab] = await Promise.all([get(api), get(`${api}/vocabulary`).then((r) => r.data).catch(() => null)]);
    if (vocab) this.vocab = vocab;
    this.vocabularyLoaded();
    this.version = data?.version ?? null;
    this.doc = data?.document ?? this.options.emptyDocument();
    this.loaded = true;
    this.errors = [];
    this.reset();
    this.info.textContent = this.version === null ? 'Not saved yet.' : `Version ${this.version} is live.`;
    if (this.advanced.checked) this.textarea.value = JSON.stringify(this.doc, null, 2);
    this.render();
    replace(this.results);
    this.check.textContent = '';
    this.setDirty(false);
  }

  /** Hook: the vocabulary (teams, zones, …) was just loaded. */
  vocabularyLoaded() {}

  /** Hook: the document was replaced (loaded, or read back from the JSON): drop state kept beside it. */
  reset() {}

  // ---- Advanced switch ----

  toggleAdvanced() {
    if (this.advanced.checked) {
      this.textarea.value = JSON.stringify(this.doc, null, 2);
    } else {
      const doc = this.parseJson();
      if (doc === null) {
        this.advanced.checked = true;
        return;
      }
      this.doc = doc;
      this.reset();
      this.render();
    }
    this.jsonBox.hidden = !this.advanced.checked;
    this.form.hidden = this.advanced.checked;
    this.scheduleValidate();
  }

  parseJson() {
    try {
      const doc = JSON.parse(this.textarea.value);
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`the ${this.options.jsonNoun} must be one JSON object.`);
      this.showGeneral([]);
      return doc;
    } catch (error) {
      this.showGeneral([`The JSON cannot be read: ${error.message}`]);
      this.textarea.focus();
      return null;
    }
  }

  /** The document to send: the form's object, or the JSON text in Advanced mode (null when unreadable). */
  current() {
    if (!this.advanced.checked) return this.doc;
    const doc = this.parseJson();
    if (doc !== null) this.doc = doc;
    return doc;
  }

  // ---- editing and validation while typing ----

  /** A change to the document: a structural one redraws the form, keeping focus where the person was. */
  changed(structure = false) {
    super.changed();
    if (structure) {
      const active = this.form.contains(document.activeElement) ? document.activeElement.id : '';
      this.render();
      if (active) document.getElementById(active)?.focus();
    } else {
      this.refresh();
    }
    this.scheduleValidate();
  }

  /** Hook: a value changed without a redraw; update the text that depends on it. */
  refresh() {}

  /** Rewrites each item's sentence ("When … then …") in place, so typing never loses focus. */
  refreshSentences(items, describe) {
    const sentences = this.form.querySelectorAll('.rule-sentence');
    (Array.isArray(items) ? items : []).forEach((item, i) => { if (sentences[i]) sentences[i].textContent = describe(item); });
  }

  scheduleValidate() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.validate().catch(() => { /* a failed check is retried on the next change */ }), VALIDATE_DELAY_MS);
  }

  async validate() {
    const doc = this.current();
    if (doc === null) return;
    const ticket = ++this.validation;
    const errors = await this.findErrors(doc);
    if (ticket !== this.validation) return; // a newer check is on its way
    if (errors) this.errors = errors;
    this.applyErrors();
    const count = this.problemCount();
    this.check.textContent = count === 0 ? 'No problems found.' : `${count} problem${count === 1 ? '' : 's'} to fix before saving.`;
  }

  /** Hook: the server's errors for `doc`, or null to keep the current ones. */
  async findErrors(doc) {
    const { data } = await post(`${this.options.api}/validate`, doc);
    return Array.isArray(data?.errors) ? data.errors : [];
  }

  problemCount() {
    return this.errors.length;
  }

  /** Hook: the errors as { key, text, whole } (key: the slot, whole: the line shown when no field holds it). */
  errorList() {
    return [];
  }

  applyErrors() {
    const list = this.errorList();
    // In Advanced mode there are no fields: every error is listed under the JSON.
    this.showGeneral(this.placeErrors(this.advanced.checked ? list.map((e) => ({ ...e, key: null })) : list));
  }

  showGeneral(lines) {
    replace(this.general, lines.length ? h('ul', {}, lines.map((l) => h('li', {}, l))) : null);
  }

  // ---- save, history, restore ----

  ifMatch() {
    return this.version === null ? undefined : `"v${this.version}"`;
  }

  async save() {
    const doc = this.current();
    if (doc === null) return;
    const p = this.options.idPrefix;
    try {
      const { data } = await put(this.options.api, doc, { ifMatch: this.ifMatch() });
      const version = data?.version ?? this.version;
      await this.load().catch(() => { /* the save stands */ });
      this.info.textContent = `Version ${version} is live.`;
      replace(this.results, h('p', { class: 'ok-text', testid: `${p}-saved` }, `Saved as version ${version}.${this.options.savedNote ?? ''}`));
      this.app.announce(`Saved the ${this.options.noun} as version ${version}.`);
      if (this.history.childElementCount) await this.showHistory();
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        const message = 'Someone else saved a newer version while you edited. Reload to see it (copy your changes first), then apply them again.';
        replace(this.results, h('p', { class: 'error-text', testid: `${p}-conflict` }, message));
        this.app.announce(message, 'error');
        return;
      }
      this.fail(error);
    }
  }

  async showHistory() {
    const { data } = await get(`${this.options.api}/history`);
    const versions = Array.isArray(data?.versions) ? data.versions : [];
    const noun = this.options.historyNoun ?? '';
    replace(this.history, versions.length === 0 ? h('p', { class: 'muted' }, 'No saved versions yet.') : h('ol', { class: 'history-list', 'aria-label': `Saved ${noun}versions, newest first` },
      versions.map((v) => h('li', {},
        h('p', {}, h('strong', {}, `Version ${v.version}`), ` · ${v.author || 'unknown'} · ${at(v.savedAt)}${v.version === data.current ? ' · live now' : ''}`),
        h('ul', {}, (v.changes ?? []).map((c) => h('li', {}, c))),
        v.version === data.current ? null : this.button(`Restore ${noun}version ${v.version}`, () => this.restore(v.version))))));
  }

  /** Saves an earlier version's document as a new version. */
  async restore(version) {
    const { data } = await get(`${this.options.api}/history/${version}`);
    try {
      const saved = await put(this.options.api, data.document, { ifMatch: this.ifMatch() });
      await this.load();
      replace(this.results, h('p', { class: 'ok-text' }, `Version ${version} restored as version ${saved.data?.version}.`));
      this.app.announce(`Version ${version} restored as version ${saved.data?.version}.`);
      await this.showHistory();
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        replace(this.results, h('p', { class: 'error-text' }, 'Someone else saved a newer version: reload, then restore again.'));
        return;
      }
      this.fail(error);
    }
  }

  /** An API failure: a 400's field errors go to their fields (showProblem), anything else is announced. */
  fail(error) {
    if (!(error instanceof ApiError)) throw error;
    const fields = problemFields(error);
    if (error.status === 400 && fields.length) {
      const count = this.showProblem(fields);
      this.app.announce(`${count} problem${count === 1 ? '' : 's'}: nothing was applied.`, 'error');
      return;
    }
    this.app.announceError(error);
  }

  /** Hook: shows a 400's [{ field, message }] and returns how many problems that is. */
  showProblem(fields) {
    this.showGeneral(fields.map((f) => `${f.field}: ${f.message}`));
    return fields.length;
  }
}
