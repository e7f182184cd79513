// Small DOM helpers: elements are built with textContent only, so nothing the server returns is parsed as HTML.

/** h('tag.class#id', {attr: value, on: {click: fn}}, ...children) */
export function h(spec, attrs = {}, ...children) {
  const [, tag, rest] = spec.match(/^([a-z0-9]+)(.*)$/);
  const el = document.createElement(tag);
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'on') Object.entries(v).forEach(([ev, fn]) => el.addEventListener(ev, fn));
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function mount(...children) {
  const view = document.getElementById('view');
  view.replaceChildren();
  append(view, children);
  return view;
}

export function title(text) {
  document.title = `${text} · Herald console`;
  return h('h1', {}, text);
}

/** A labelled field: the label's for= is the control's id. */
export function field(label, control, hint) {
  return h('div.field', {}, h('label', { for: control.id }, label), control, hint ? h('small.muted', {}, hint) : null);
}

export function table(caption, headers, rows, empty = 'Nothing yet.') {
  if (!rows.length) return h('p.muted', {}, empty);
  return h('div.scroll', {}, h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c))))))));
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return h('time', { datetime: iso, title: iso }, d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }));
}

export function badge(text, kind = text) {
  return h(`span.badge.b-${String(kind).replace(/[^a-z0-9-]/g, '')}`, {}, text);
}

export function percent(rate) {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`;
}

export function toast(message) {
  const el = document.getElementById('status');
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 4000);
}

/** Runs an async action for a button: disabled while it runs, errors shown in `out` (role=alert). */
export async function busy(button, out, fn) {
  button.disabled = true;
  if (out) out.textContent = '';
  try {
    return await fn();
  } catch (e) {
    if (out) out.textContent = e.message;
    else toast(e.message);
    return undefined;
  } finally {
    button.disabled = false;
  }
}
