// The SLA policy editor: the JSON document in a textarea, checked in the browser for JSON syntax,
// then by the server (validate) and saved with If-Match "v<version>". The rules have their form
// (rules-editor.js).

import { get, post, put, ApiError } from './api.js';
import { h, replace } from './dom.js';

const TITLES = {
  'sla-policies': { noun: 'policy', label: 'Policy', plural: 'SLA policies' },
};

export class DocumentEditor {
  constructor(root, kind, app) {
    this.root = root;
    this.kind = kind;
    this.app = app;
    this.meta = TITLES[kind];
    this.version = null;
    this.dirty = false;
    const id = `${kind}-json`;
    this.textarea = h('textarea', { id, class: 'json', rows: '18', spellcheck: 'false', autocomplete: 'off', testid: `${kind}-json`, 'aria-describedby': `${kind}-info` });
    this.info = h('p', { id: `${kind}-info`, class: 'muted', testid: `${kind}-version` });
    this.results = h('div', { class: 'editor-results', testid: `${kind}-results`, 'aria-live': 'polite' });

    const button = (label, testid, onClick, secondary = true) => {
      const b = h('button', { type: 'button', class: secondary ? 'button secondary' : 'button', testid }, label);
      b.addEventListener('click', () => this.busy(b, onClick));
      return b;
    };

    replace(root,
      h('label', { for: id }, `The ${this.meta.plural} as JSON`),
      this.textarea,
      this.info,
      h('div', { class: 'form-actions' },
        button('Format', `${kind}-format`, () => this.format()),
        button('Validate', `${kind}-validate`, () => this.validate()),
        button('Save', `${kind}-save`, () => this.save(), false),
        button('Reload', `${kind}-reload`, () => this.load())),
      this.results);
    this.textarea.addEventListener('input', () => { this.dirty = true; });
    this.loaded = false;
  }

  async busy(button, work) {
    button.disabled = true;
    try {
      await work();
    } catch (error) {
      this.app.announceError(error);
    } finally {
      button.disabled = false;
    }
  }

  async ensureLoaded() {
    if (!this.loaded) await this.load().catch((error) => this.app.announceError(error, `The ${this.meta.plural} could not be loaded`));
  }

  async load() {
    const { data } = await get(`/api/${this.kind}`);
    this.version = data?.version ?? null;
    this.textarea.value = JSON.stringify(data?.document ?? {}, null, 2);
    this.dirty = false;
    this.loaded = true;
    this.info.textContent = this.version === null ? 'Not saved yet.' : `Version ${this.version} is live.`;
    replace(this.results);
  }

  /** The textarea's JSON, or null after showing where it is broken. */
  parse() {
    try {
      return JSON.parse(this.textarea.value);
    } catch (error) {
      const message = `The JSON cannot be read: ${error.message}`;
      this.show(h('p', { class: 'error-text', testid: `${this.kind}-errors` }, message));
      this.app.announce(message, 'error');
      this.textarea.focus();
      return null;
    }
  }

  format() {
    const doc = this.parse();
    if (doc !== null) this.textarea.value = JSON.stringify(doc, null, 2);
  }

  async validate() {
    const doc = this.parse();
    if (doc === null) return;
    try {
      const { data } = await post(`/api/${this.kind}/validate`, doc);
      if (data?.valid) {
        this.show(h('p', { class: 'ok-text', testid: `${this.kind}-valid` }, `Valid: these ${this.meta.plural} can be saved.`));
        this.app.announce('Valid.');
      } else {
        this.showErrors(data?.errors ?? []);
      }
    } catch (error) {
      this.fail(error);
    }
  }

  async save() {
    const doc = this.parse();
    if (doc === null) return;
    try {
      const { data } = await put(`/api/${this.kind}`, doc, { ifMatch: this.version === null ? undefined : `"v${this.version}"` });
      this.version = data?.version ?? this.version;
      await this.load().catch(() => { /* the save stands; the text on screen is what was saved */ });
      this.info.textContent = `Version ${this.version} is live.`;
      this.show(h('p', { class: 'ok-text', testid: `${this.kind}-saved` }, `Saved as version ${this.version}.`));
      this.app.announce(`Saved ${this.meta.plural} as version ${this.version}.`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        const message = 'Someone else saved a newer version while you edited. Reload to see it (copy your changes first), then apply them again.';
        this.show(h('p', { class: 'error-text', testid: `${this.kind}-conflict` }, message));
        this.app.announce(message, 'error');
        return;
      }
      this.fail(error);
    }
  }

  fail(error) {
    if (!(error instanceof ApiError)) throw error;
    const list = Array.isArray(error.problem?.errors) ? error.problem.errors : null;
    if (list) {
      this.showErrors(list);
    } else if (error.fieldErrors.length) {
      this.show(h('div', { class: 'error-text', testid: `${this.kind}-errors` },
        h('p', {}, error.message), h('ul', {}, error.fieldErrors.map((line) => h('li', {}, line)))));
      this.app.announce(error.message, 'error');
    } else {
      this.show(h('p', { class: 'error-text', testid: `${this.kind}-errors` }, error.message));
      this.app.announce(error.message, 'error');
    }
  }

  showErrors(errors) {
    const items = errors.map((e) => {
      const where = e.rule === null || e.rule === undefined
        ? 'Document'
        : `${this.meta.label} ${e.rule + 1}${e.ruleName ? ` “${e.ruleName}”` : ''}`;
      return h('li', {}, h('strong', {}, where), ' · ', h('code', {}, e.field ?? ''), ': ', e.message ?? '');
    });
    this.show(h('div', { class: 'error-text', testid: `${this.kind}-errors` },
      h('p', {}, `${errors.length} problem${errors.length === 1 ? '' : 's'}: nothing was applied.`),
      h('ul', {}, items)));
    this.app.announce(`${errors.length} problem${errors.length === 1 ? '' : 's'} in the ${this.meta.plural}.`, 'error');
  }

  show(node) {
    replace(this.results, node);
  }
}
