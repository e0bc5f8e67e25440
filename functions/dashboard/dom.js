// DOM building with createElement and textContent only. Mention text, author handles, rule names
// and every other value from the API are hostile input: they only ever become text nodes or the
// values of attributes that cannot run script. Never innerHTML, insertAdjacentHTML or outerHTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * h('button', { class: 'button', type: 'button', testid: 'claim', onclick: fn }, 'Claim')
 * Props: class, text, testid, dataset {k: v}, on<event> handlers, hidden/disabled booleans, and any
 * other attribute set with setAttribute (names are ours, never data). Children: nodes, strings
 * (become text nodes), null/false (skipped) or arrays of those.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

/** The same for SVG elements (charts). */
export function s(tag, props = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

function applyProps(el, props) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'testid') el.setAttribute('data-testid', value);
    else if (key === 'dataset') for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' && 'value' in el && !(el instanceof SVGElement)) el.value = String(value);
    else if (key === 'style' || key.startsWith('on') || key === 'srcdoc') throw new Error(`refusing to set ${key}`);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces every child of parent with the given children. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** An http(s) link from data, or null: a javascript: or data: URL never becomes an href. */
export function safeUrl(value) {
  if (typeof value !== 'string' || value.length === 0) return null;
  try {
    const url = new URL(value, window.location.href);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

export function externalLink(href, label, props = {}) {
  const url = safeUrl(href);
  if (!url) return h('span', props, label);
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow', ...props }, label);
}

/**
 * A value from data (a handoff id) as part of an element id, kept to safe characters. Ids built from
 * it stay the same when a card or dialog is redrawn, so focus can be found again.
 */
export function domId(value) {
  return String(value).replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}
