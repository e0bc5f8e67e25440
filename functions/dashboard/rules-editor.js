// The routing rules as a form a manager reads as "When … then …": an ordered list of rules with
// conditions picked from a menu, actions picked from the team directory and the policies in force,
// checked by the server while typing (errors shown at the field), a preview of what would change,
// one rule's catches, and a box to try any text. The JSON stays behind the "Advanced" switch: the
// form edits the loaded document object in place, so switching back and forth gives the same text.

import { post, query, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { VersionedDocumentEditor } from './form-editor.js';

// Each condition the menu offers: its document keys, the words the sentence and menu use, and its input.
const CONDITIONS = [
  { id: 'anyWords', keys: ['anyWords'], menu: 'It mentions a word or phrase', label: 'Words or phrases', kind: 'chips', say: (w) => `it mentions ${quoted(w.anyWords, 'or')}` },
  { id: 'noneOfWords', keys: ['noneOfWords'], menu: 'Unless it mentions', label: 'Unless it mentions', kind: 'chips', say: (w) => `it does not mention ${quoted(w.noneOfWords, 'or')}` },
  { id: 'hashtags', keys: ['hashtags'], menu: 'It has a hashtag', label: 'Hashtags', kind: 'chips', say: (w) => `it has ${w.hashtags.map((t) => `#${String(t).replace(/^#/, '')}`).join(' or ')}` },
  { id: 'brands', keys: ['brands'], menu: 'The brand searched for', label: 'Brands', kind: 'chips', say: (w) => `the brand is ${quoted(w.brands, 'or')}` },
  { id: 'sources', keys: ['sources'], menu: 'It comes from a source', label: 'Sources', kind: 'chips', list: 'sources', say: (w) => `it comes from ${w.sources.join(' or ')}` },
  { id: 'languages', keys: ['languages'], menu: 'It is written in', label: 'Languages', kind: 'chips', list: 'languages', say: (w) => `it is in ${w.languages.join(' or ')}` },
  { id: 'reasonSignals', keys: ['reasonSignals'], menu: 'Its urgency reasons include', label: 'Urgency reasons', kind: 'signals', say: (w) => `its urgency reasons include ${w.reasonSignals.join(' or ')}` },
  { id: 'sentiment', keys: ['minSentiment', 'maxSentiment'], menu: 'Sentiment between', label: 'Sentiment', kind: 'range', min: -1, max: 1, step: 0.05, field: 'when.sentiment', say: (w) => range('sentiment', w.minSentiment, w.maxSentiment) },
  { id: 'urgency', keys: ['minUrgency', 'maxUrgency'], menu: 'Urgency between', label: 'Urgency', kind: 'range', min: 0, max: 100, step: 1, field: 'when.urgency', say: (w) => range('urgency', w.minUrgency, w.maxUrgency) },
  { id: 'minFollowers', keys: ['minFollowers'], menu: 'The author has at least … followers', label: 'Followers at least', kind: 'number', min: 0, say: (w) => `the author has at least ${w.minFollowers} followers` },
  { id: 'verified', keys: ['verified'], menu: 'The author is verified or not', label: 'Author verified', kind: 'verified', say: (w) => (w.verified ? 'the author is verified' : 'the author is not verified') },
];

export class RulesEditor extends VersionedDocumentEditor {
  constructor(root, app) {
    super(root, app, {
      idPrefix: 'rules', api: '/api/rules', noun: 'routing rules', jsonNoun: 'rules', jsonLabel: 'The routing rules as JSON',
      historyNoun: '', emptyDocument: () => ({ rules: [], default: { team: '' } }),
    });
    this.vocab = { signals: [], teams: [], slaPolicies: [], priorities: ['auto', 'P1', 'P2', 'P3', 'P4'], sources: [], languages: [] };
    this.last = h('input', { type: 'number', min: '1', max: '5000', value: '200', id: 'rules-last', class: 'narrow' });
    this.tryText = h('textarea', { id: 'rules-try-text', rows: '3' });
    this.tryResult = h('div', { class: 'editor-results', testid: 'rules-try-result', 'aria-live': 'polite' });

    replace(root,
      this.advancedSwitch(),
      this.info,
      this.form,
      this.jsonBox,
      this.general,
      this.check,
      h('div', { class: 'form-actions' },
        this.button('Preview changes', () => this.preview()),
        h('label', { for: 'rules-last' }, 'on the last'), this.last, h('span', {}, 'mentions'),
        this.button('Save rules', () => this.save(), false),
        this.button('Reload', () => this.load())),
      this.results,
      h('div', { class: 'rules-try' },
        h('h3', {}, 'Try a text'),
        h('label', { for: 'rules-try-text' }, 'Text to try'),
        this.tryText,
        h('div', { class: 'form-actions' }, this.button('Which rule takes it?', () => this.tryIt()))),
      this.tryResult,
      this.historySection('Show history'),
      this.history);
  }

  // ---- the form ----

  render() {
    this.slots = new Map();
    const rules = Array.isArray(this.doc.rules) ? this.doc.rules : [];
    const list = h('ol', { class: 'rule-list', 'aria-label': 'Rules, tried in order' });
    rules.forEach((rule, i) => list.append(h('li', {}, this.ruleCard(rule, i, rules))));
    const add = this.button('Add a rule', () => {
      if (!Array.isArray(this.doc.rules)) this.doc.rules = rules;
      rules.push({ name: this.freshName(this.doc.rules, 'new rule'), enabled: true, when: { anyWords: [] }, then: { team: this.vocab.teams[0] ?? '', priority: 'auto', tags: [], slaPolicy: '' } });
      this.changed(true);
      this.focusLast('Rule name');
    }, true, { id: 'rules-add' });
    if (!this.doc.default || typeof this.doc.default !== 'object') this.doc.default = { team: '' };
    const fallback = h('fieldset', { class: 'rule default-rule' },
      h('legend', {}, 'Otherwise (no rule matches)'),
      this.actionFields(this.doc.default, null, 'default'));
    replace(this.form,
      rules.length ? list : h('p', { class: 'muted' }, 'No rules yet: every mention takes the default action below.'),
      h('div', { class: 'form-actions' }, add),
      fallback);
    this.applyErrors();
  }

  focusLast(label) {
    const fields = this.form.querySelectorAll(`[data-label="${label}"]`);
    fields[fields.length - 1]?.focus();
  }

  ruleCard(rule, i, rules) {
    const number = i + 1;
    rule.when = rule.when && typeof rule.when === 'object' ? rule.when : {};
    rule.then = rule.then && typeof rule.then === 'object' ? rule.then : {};
    const sentence = h('p', { class: 'rule-sentence', testid: 'rule-sentence' }, describe(rule));
    const name = this.textInput(`rule-${number}-name`, 'Rule name', rule.name ?? '', (v) => { rule.name = v; }, slotKey(number, 'name'));
    const enabled = h('input', { type: 'checkbox', id: `rule-${number}-enabled` });
    enabled.checked = rule.enabled !== false;
    enabled.addEventListener('change', () => {
      rule.enabled = enabled.checked;
      enabled.closest('fieldset')?.classList.toggle('disabled', !enabled.checked);
      this.changed();
    });
    // Each change that redraws the list puts focus where the person is still working, never on the body.
    const move = (to) => {
      rules.splice(to, 0, rules.splice(i, 1)[0]);
      this.changed(true);
      this.focusId(`rule-${to + 1}-name`);
    };
    const label = `rule ${number}`;
    const tools = h('div', { class: 'rule-tools' },
      h('span', { class: 'inline-field' }, enabled, h('label', { for: `rule-${number}-enabled` }, 'Enabled')),
      // Visible words are part of each name (WCAG 2.5.3, label in name): "Move up" → "Move up: rule 2".
      i > 0 ? this.button('Move up', () => move(i - 1), true, { 'aria-label': `Move up: ${label}` }) : null,
      i < rules.length - 1 ? this.button('Move down', () => move(i + 1), true, { 'aria-label': `Move down: ${label}` }) : null,
      this.button('Duplicate', () => {
        const copy = JSON.parse(JSON.stringify(rule));
        copy.name = this.freshName(rules, `${rule.name || 'rule'} copy`);
        rules.splice(i + 1, 0, copy);
        this.changed(true);
        this.focusId(`rule-${i + 2}-name`);
      }, true, { 'aria-label': `Duplicate ${label}` }),
      this.button('Delete', () => {
        rules.splice(i, 1);
        this.changed(true);
        this.focusId(rules.length ? `rule-${Math.min(i + 1, rules.length)}-name` : 'rules-add');
        this.app.announce(`Rule ${number} deleted.`);
      }, true, { 'aria-label': `Delete ${label}` }),
      this.button('Preview', () => this.previewRule(rule, caught), true, { 'aria-label': `Preview ${label}` }));
    const caught = h('div', { class: 'rule-caught', 'aria-live': 'polite' });

    const used = CONDITIONS.filter((c) => c.keys.some((k) => isSet(rule.when[k])) || rule._open?.includes(c.id));
    const menu = h('select', { id: `rule-${number}-add-condition` },
      h('option', { value: '' }, 'Add a condition…'),
      CONDITIONS.filter((c) => !used.includes(c)).map((c) => h('option', { value: c.id }, c.menu)));
    menu.addEventListener('change', () => {
      const chosen = CONDITIONS.find((c) => c.id === menu.value);
      if (!chosen) return;
      Object.defineProperty(rule, '_open', { value: [...(rule._open ?? []), chosen.id], enumerable: false, configurable: true, writable: true });
      if (chosen.kind === 'verified') rule.when.verified = true;
      this.changed(true);
      this.form.querySelector(`[data-condition="${number}-${chosen.id}"]`)?.focus();
    });

    const conditions = used.map((c) => this.conditionRow(rule, c, number));
    return h('fieldset', { class: `rule${rule.enabled === false ? ' disabled' : ''}`, testid: 'rule' },
      h('legend', {}, `Rule ${number}`),
      sentence,
      h('div', { class: 'rule-head' }, name, tools),
      this.slot(slotKey(number, 'when')),
      h('div', { class: 'rule-when' },
        h('h4', {}, 'When'),
        conditions.length ? conditions : h('p', { class: 'muted' }, 'No condition yet: add one.'),
        h('span', { class: 'inline-field' }, h('label', { for: `rule-${number}-add-condition` }, 'Add a condition'), menu)),
      h('div', { class: 'rule-then' }, h('h4', {}, 'Then'), this.actionFields(rule.then, number, 'then')),
      caught);
  }

  conditionRow(rule, c, number) {
    const when = rule.when;
    const id = `rule-${number}-${c.id}`;
    const field = c.field ?? `when.${c.keys[0]}`;
    const remove = this.button('Remove', () => {
      for (const k of c.keys) if (k in when) when[k] = Array.isArray(when[k]) ? [] : null;
      if (rule._open) rule._open = rule._open.filter((x) => x !== c.id);
      this.changed(true);
      this.focusId(`rule-${number}-add-condition`);
    }, true, { 'aria-label': `Remove condition ${c.label} from rule ${number}` });
    let input;
    if (c.kind === 'chips') {
      input = this.chips(id, c.label, when, c.keys[0], number, field, c.list ? this.vocab[c.list] : null, `${number}-${c.id}`);
    } else if (c.kind === 'signals') {
      const chosen = () => (Array.isArray(when.reasonSignals) ? when.reasonSignals : []);
      const box = h('fieldset', { class: 'checks' }, h('legend', {}, c.label),
        this.vocab.signals.map((signal, k) => {
          const box2 = h('input', { type: 'checkbox', id: `${id}-${k}`, dataset: k === 0 ? { condition: `${number}-${c.id}` } : {} });
          box2.checked = chosen().includes(signal);
          box2.addEventListener('change', () => {
            if (!Array.isArray(when.reasonSignals)) when.reasonSignals = [];
            const list = when.reasonSignals;
            const at = list.indexOf(signal);
            if (box2.checked && at < 0) list.push(signal);
            if (!box2.checked && at >= 0) list.splice(at, 1);
            this.changed();
          });
          return h('span', { class: 'inline-field' }, box2, h('label', { for: `${id}-${k}` }, signal));
        }),
        // A signal typed in Advanced that the engine does not know stays visible so it can be removed.
        chosen().filter((s) => !this.vocab.signals.includes(s)).map((s) => h('span', { class: 'chip' }, s)),
        this.slot(slotKey(number, field)));
      input = box;
    } else if (c.kind === 'range') {
      const [lo, hi] = c.keys;
      input = h('div', { class: 'range-field' },
        this.numberInput(`${id}-min`, `${c.label} from`, when[lo], (v) => { when[lo] = v; }, c, number, field, `${number}-${c.id}`),
        this.numberInput(`${id}-max`, `${c.label} to`, when[hi], (v) => { when[hi] = v; }, c, number, field),
        this.slot(slotKey(number, field)));
    } else if (c.kind === 'number') {
      input = h('div', {}, this.numberInput(id, c.label, when[c.keys[0]], (v) => { when[c.keys[0]] = v; }, c, number, field, `${number}-${c.id}`), this.slot(slotKey(number, field)));
    } else {
      const select = h('select', { id, dataset: { condition: `${number}-${c.id}` } },
        h('option', { value: 'true' }, 'verified'), h('option', { value: 'false' }, 'not verified'));
      select.value = when.verified === false ? 'false' : 'true';
      select.addEventListener('change', () => { when.verified = select.value === 'true'; this.changed(); });
      input = h('span', { class: 'inline-field' }, h('label', { for: id }, c.label), select);
    }
    return h('div', { class: 'condition' }, input, remove);
  }

  actionFields(action, number, prefix) {
    const id = `${prefix}-${number ?? 'default'}`;
    const team = this.select(`${id}-team`, 'Team', action.team ?? '', this.vocab.teams.map((t) => [t, t]), (v) => { action.team = v; }, slotKey(number, `${prefix}.team`));
    const priority = this.select(`${id}-priority`, 'Priority', action.priority ?? 'auto',
      (this.vocab.priorities ?? ['auto', 'P1', 'P2', 'P3', 'P4']).map((p) => [p, p === 'auto' ? 'From urgency (auto)' : p]), (v) => { action.priority = v; }, slotKey(number, `${prefix}.priority`));
    const policy = this.select(`${id}-policy`, 'SLA policy', action.slaPolicy ?? '',
      [['', "The team's default policy"], ...this.vocab.slaPolicies.map((p) => [p.name, p.name])], (v) => { action.slaPolicy = v; }, slotKey(number, `${prefix}.slaPolicy`));
    const tags = this.chips(`${id}-tags`, 'Tags', action, 'tags', number, `${prefix}.tags`);
    return h('div', { class: 'action-fields' }, team, priority, policy, tags);
  }

  numberInput(id, label, value, set, c, number, field, condition) {
    const input = h('input', { type: 'number', id, class: 'narrow', value: value ?? '', min: String(c.min), max: c.max === undefined ? undefined : String(c.max), step: c.step === undefined ? undefined : String(c.step), dataset: condition ? { condition } : {} });
    input.addEventListener('input', () => {
      const n = Number.parseFloat(input.value);
      set(input.value.trim() === '' || Number.isNaN(n) ? null : n);
      this.changed();
    });
    this.bind(input, slotKey(number, field));
    return h('span', { class: 'inline-field' }, h('label', { for: id }, label), input);
  }

  /** Words as chips: type and press Enter (or a comma) to add; each chip has its own remove button. */
  chips(id, label, owner, key, number, field, suggestions = null, condition = undefined) {
    // Reading never adds the member: only a word the manager adds creates the list, so the JSON round-trips.
    const list = () => (Array.isArray(owner[key]) ? owner[key] : []);
    const writable = () => (Array.isArray(owner[key]) ? owner[key] : (owner[key] = []));
    const listId = suggestions ? `${id}-suggestions` : undefined;
    const input = h('input', { type: 'text', id, autocomplete: 'off', list: listId, dataset: condition ? { condition } : {} });
    const holder = h('ul', { class: 'chips', 'aria-label': `${label} chosen` });
    const draw = () => replace(holder, list().map((word, k) => {
      const remove = h('button', { type: 'button', class: 'chip-remove', 'aria-label': `Remove ${word}` }, '×');
      remove.addEventListener('click', () => {
        list().splice(k, 1);
        draw();
        this.changed();
        input.focus();
      });
      return h('li', { class: 'chip' }, h('span', {}, word), remove);
    }));
    const commit = () => {
      const words = input.value.split(',').map((w) => w.trim()).filter((w) => w.length > 0);
      if (!words.length) return;
      for (const w of words) if (!list().includes(w)) writable().push(w);
      input.value = '';
      draw();
      this.changed();
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ',') {
        e.preventDefault();
        commit();
      }
    });
    input.addEventListener('blur', commit);
    draw();
    const error = this.bind(input, slotKey(number, field));
    return h('div', { class: 'field' },
      h('label', { for: id }, label), holder, input,
      suggestions ? h('datalist', { id: listId }, suggestions.map((s) => h('option', { value: s }))) : null,
      h('p', { class: 'hint' }, 'Press Enter after each one.'),
      error);
  }

  // ---- hooks of the shared editor ----

  refresh() {
    this.refreshSentences(this.doc.rules, describe);
  }

  errorList() {
    return this.errors.map((e) => ({
      key: slotKey(e.rule ?? null, e.field ?? ''),
      text: e.message,
      whole: e.rule ? `Rule ${e.rule}${e.ruleName ? ` “${e.ruleName}”` : ''}, ${e.field}: ${e.message}` : `${e.field}: ${e.message}`,
    }));
  }

  // Field paths like rules[2].then.team: shown at their fields, as validation does.
  showProblem(fields) {
    this.errors = fields.map(({ field, message }) => {
      const m = /^(?:rules\.)?rules\[(\d+)\]\.(.+)$/.exec(field);
      return { rule: m ? Number(m[1]) : null, field: m ? m[2] : field, message: message.replace(/ \(rule '.*'\)$/, '') };
    });
    this.applyErrors();
    return this.errors.length;
  }

  // ---- preview, one rule's catches, try a text ----

  lastN() {
    return Math.min(5000, Math.max(1, Number.parseInt(this.last.value, 10) || 200));
  }

  async preview() {
    const doc = this.current();
    if (doc === null) return;
    try {
      const { data } = await post(`/api/rules/dry-run${query({ last: this.lastN() })}`, doc);
      replace(this.results, previewTable(data));
      this.app.announce(`Preview: ${data?.moved ?? 0} of ${data?.evaluated ?? 0} recent mentions would change.`);
    } catch (error) {
      this.fail(error);
    }
  }

  async previewRule(rule, box) {
    const doc = this.current();
    if (doc === null) return;
    try {
      const { data } = await post(`/api/rules/dry-run${query({ last: this.lastN(), rule: rule.name })}`, doc);
      const caught = Array.isArray(data?.caught) ? data.caught : [];
      replace(box, h('div', { class: 'dry-run', testid: 'rule-caught' },
        h('p', {}, `This rule would catch ${caught.length} of the last ${data?.evaluated ?? 0} mentions.`),
        caught.length ? h('ul', { 'aria-label': `Mentions rule “${rule.name}” would catch` }, caught.slice(0, 50).map((c) => h('li', {}, h('q', {}, c.text ?? ''), ' · ', (c.why ?? []).join(', ')))) : null));
      this.app.announce(`This rule would catch ${caught.length} mentions.`);
    } catch (error) {
      this.fail(error);
    }
  }

  async tryIt() {
    const doc = this.current();
    if (doc === null) return;
    try {
      const { data } = await post('/api/rules/try', { text: this.tryText.value, rules: doc });
      replace(this.tryResult, h('div', { class: 'dry-run', testid: 'rules-try-answer' },
        h('p', {}, data.rule === 'default' ? 'No rule takes it: the default action applies.' : `Rule “${data.rule}” takes it.`),
        h('p', {}, `It goes to ${data.team}, ${data.priority}, timed by ${data.slaPolicy}${data.tags?.length ? `, tagged ${data.tags.join(', ')}` : ''}.`),
        h('p', {}, `Why: ${(data.why ?? []).join('; ')}. Urgency ${data.urgency}${data.reasons?.length ? ` (${data.reasons.map((r) => r.text).join('; ')})` : ''}.`)));
    } catch (error) {
      if (error instanceof ApiError && error.status === 400 && error.problem?.errors?.text) {
        replace(this.tryResult, h('p', { class: 'error-text' }, `Text: ${error.problem.errors.text[0]}`));
        return;
      }
      this.fail(error);
    }
  }
}

function slotKey(number, field) {
  return `${number ?? 'doc'}:${field}`;
}

function isSet(value) {
  return Array.isArray(value) ? value.length > 0 : value !== null && value !== undefined;
}

function quoted(list, joiner) {
  return (list ?? []).map((w) => `“${w}”`).join(` ${joiner} `);
}

function range(what, lo, hi) {
  if (lo !== null && lo !== undefined && hi !== null && hi !== undefined) return `${what} is between ${lo} and ${hi}`;
  if (lo !== null && lo !== undefined) return `${what} is at least ${lo}`;
  return `${what} is at most ${hi}`;
}

/** "When it mentions “refund” or “money back” then billing, P2." */
export function describe(rule) {
  const when = rule.when ?? {};
  const parts = CONDITIONS.filter((c) => c.keys.some((k) => isSet(when[k]))).map((c) => c.say({
    ...when,
    anyWords: when.anyWords ?? [], noneOfWords: when.noneOfWords ?? [], hashtags: when.hashtags ?? [], brands: when.brands ?? [],
    sources: when.sources ?? [], languages: when.languages ?? [], reasonSignals: when.reasonSignals ?? [],
  }));
  const then = rule.then ?? {};
  const action = [
    then.team ? `send to ${then.team}` : 'send to (no team)',
    then.priority && then.priority !== 'auto' ? then.priority : 'priority from urgency',
    then.slaPolicy ? `policy ${then.slaPolicy}` : null,
    then.tags?.length ? `tag ${then.tags.join(', ')}` : null,
  ].filter(Boolean).join(', ');
  const off = rule.enabled === false ? ' (disabled)' : '';
  return `When ${parts.length ? parts.join(' and ') : 'any mention arrives'} then ${action}.${off}`;
}

function arrow(from, to) {
  return from === to ? String(to ?? '') : `${from} → ${to}`;
}

function previewTable(report) {
  const moves = Array.isArray(report?.moves) ? report.moves : [];
  const shown = moves.slice(0, 200);
  const evaluated = report?.evaluated ?? 0;
  return h('div', { class: 'dry-run', testid: 'rules-dry-run-result' },
    h('p', {}, h('strong', {}, String(moves.length)), ` of ${evaluated} recent mentions would change`,
      ` (${report?.teamChanges ?? 0} to another team).`),
    shown.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table compact' },
      h('caption', {}, moves.length > shown.length ? `First ${shown.length} of ${moves.length} changes` : 'What would change'),
      h('thead', {}, h('tr', {}, ['Mention', 'Team', 'Priority', 'SLA policy', 'Rule'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, shown.map((m) => h('tr', { testid: 'preview-row' },
        h('td', { class: 'text-cell' }, m.text ?? m.mentionKey),
        h('td', {}, arrow(m.from?.team, m.to?.team)),
        h('td', {}, arrow(m.from?.priority, m.to?.priority)),
        h('td', {}, arrow(m.from?.slaPolicy, m.to?.slaPolicy)),
        h('td', {}, arrow(m.from?.rule, m.to?.rule))))))) : h('p', { class: 'muted' }, 'Nothing would change.'));
}
