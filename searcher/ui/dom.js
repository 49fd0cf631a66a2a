// Building DOM safely. Text from the API is only ever inserted as text nodes; the one exception is
// the <mark> of highlighted snippets and titles, which highlighted() rebuilds from an allow-list
// without ever parsing the API's text as HTML (no innerHTML anywhere on the page).

// h('a', {href: ..., class: ...}, child...): an element; children are nodes or strings (as text);
// null, undefined and false children are skipped. Attributes whose value is null or false are left out.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

// Appends children as h() does: nodes, strings as text, nested arrays; null, undefined and false
// are skipped (the DOM's own append would insert them as the text "null").
export function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}

// The character references that the server's HTML escaping writes, and numeric ones; any other
// '&' stays as it is.
const NAMED = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,6});/g, (m, ref) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : m;
    }
    return Object.prototype.hasOwnProperty.call(NAMED, ref) ? NAMED[ref] : m;
  });
}

// A fragment from an HTML-escaped text with <mark>...</mark> around matches (the API's `snippet`
// and `title_highlighted`): the text between marks is decoded and inserted as text; <mark> and
// </mark> are the only markup kept, anything else that looks like a tag shows as the text it is.
export function highlighted(html) {
  const frag = document.createDocumentFragment();
  if (typeof html !== 'string') return frag;
  let open = null;
  for (const piece of html.split(/(<\/?mark>)/)) {
    if (piece === '<mark>') {
      if (!open) {
        open = document.createElement('mark');
        frag.append(open);
      }
    } else if (piece === '</mark>') {
      open = null;
    } else if (piece) {
      (open || frag).append(document.createTextNode(decodeEntities(piece)));
    }
  }
  return frag;
}

// `url` when it is an absolute http(s) address, else null: a javascript: or data: URL from a record
// never becomes a link, nor does a relative one (it would point into this server).
export function safeUrl(url) {
  if (typeof url !== 'string' || !url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

// The paper's arXiv page: its `url` when that is one, else one made from an arXiv-style id
// (2402.19173, hep-th/9901001); null for other ids.
export function arxivUrl(id, url) {
  const safe = safeUrl(url);
  if (safe) return safe;
  if (typeof id === 'string' && (/^\d{4}\.\d{4,5}(v\d+)?$/.test(id) || /^[a-z-]+(\.[A-Z]{2})?\/\d{7}(v\d+)?$/.test(id)))
    return 'https://arxiv.org/abs/' + id;
  return null;
}
