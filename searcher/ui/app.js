// The search page (docs/web.md): state in the URL, search as you type, completions, facets, sort,
// pages, a paper's view with its similar papers, and the errors of the API shown where they happen.
import { t, formatNumber, languageName, formatDate, translateDocument, has } from './i18n.js';
import { h, append, clear, highlighted, arxivUrl } from './dom.js';
import * as api from './api.js';

const SEARCH_DEBOUNCE_MS = 150;  // after the last keystroke; the whole budget to rendered results is 300 ms
const SUGGEST_DEBOUNCE_MS = 60;
const FACET_SHOWN = 8;           // values of a facet shown before "Show all"
const AUTHORS_SHOWN = 4;
const MAX_AUTO_RETRIES = 3;      // automatic retries after a 503, each after its Retry-After
const CACHE_SIZE = 30;           // responses kept for the back and forward buttons
const SORTS = ['relevance', 'date', 'upvotes'];
const MAX_PAGE = Math.floor(api.MAX_OFFSET / api.PAGE_SIZE) + 1;

const $ = (id) => document.getElementById(id);
const els = {
  form: $('search-form'),
  q: $('q'),
  list: $('completions'),
  filtersBox: $('filters-box'),
  facets: $('facets'),
  searchView: $('search-view'),
  toolbar: $('toolbar'),
  active: $('active-filters'),
  sort: $('sort'),
  status: $('status'),
  error: $('error'),
  notices: $('notices'),
  results: $('results'),
  welcome: $('welcome'),
  pager: $('pager'),
  paper: $('paper'),
};

// ---------------------------------------------------------------------------------------------
// State and URL: /?q=...&typos=0&lang=...&year=...&cat=...&sort=...&page=...&paper=...
// typos=0: the query as typed, its misspelt words not searched as their corrections ("Search
// instead for"); a new query drops it.
// ---------------------------------------------------------------------------------------------

function stateFromUrl(loc) {
  const p = new URLSearchParams(loc.search);
  const q = p.get('q') || '';
  const s = { q, typos: !(q && ['0', 'false'].includes(p.get('typos'))), lang: '', year: '', cat: [], sort: 'relevance', page: 1, paper: p.get('paper') || '' };
  const lang = p.get('lang') || '';
  if (/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(lang)) s.lang = lang.toLowerCase();
  const year = p.get('year') || '';
  if (/^\d{4}$/.test(year)) s.year = year;
  for (const c of p.getAll('cat')) for (const one of c.split(',')) if (one && !s.cat.includes(one)) s.cat.push(one);
  if (SORTS.includes(p.get('sort'))) s.sort = p.get('sort');
  const page = parseInt(p.get('page') || '1', 10);
  if (page >= 1 && page <= MAX_PAGE) s.page = page;
  return s;
}

function urlFromState(s) {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  if (!s.typos) p.set('typos', '0');
  if (s.lang) p.set('lang', s.lang);
  if (s.year) p.set('year', s.year);
  for (const c of s.cat) p.append('cat', c);
  if (s.sort !== 'relevance') p.set('sort', s.sort);
  if (s.page > 1) p.set('page', String(s.page));
  if (s.paper) p.set('paper', s.paper);
  const query = p.toString();
  return query ? '/?' + query : '/';
}

const hasSearch = (s) => Boolean(s.q.trim() || s.lang || s.year || s.cat.length);

let current = stateFromUrl(location);
// True while the history entry on top is the one of the search being typed: typing replaces it,
// so that the back button goes back through searches, not through letters.
let typing = false;

function navigate(next, { fromTyping = false, inputAt = 0, historyState = {} } = {}) {
  const url = urlFromState(next);
  if (url !== location.pathname + location.search) {
    if (fromTyping && typing) history.replaceState({ ...historyState }, '', url);
    else history.pushState({ ...historyState }, '', url);
  }
  typing = fromTyping;
  current = next;
  apply(current, { inputAt });
}

window.addEventListener('popstate', () => {
  typing = false;
  closeCompletions();
  clearTimeout(searchTimer);
  current = stateFromUrl(location);
  els.q.value = current.q;
  apply(current, { fromHistory: true });
});

function apply(s, { inputAt = 0, fromHistory = false } = {}) {
  document.title = s.paper ? 'Abstrakt' : s.q.trim() ? `${s.q.trim()} – Abstrakt` : 'Abstrakt';
  els.sort.value = s.sort;
  document.body.dataset.view = s.paper ? 'paper' : 'search';
  if (s.paper) {
    els.searchView.hidden = true;
    els.filtersBox.hidden = true;
    els.paper.hidden = false;
    showPaper(s.paper);
  } else {
    paperSeq++;
    if (paperAbort) paperAbort.abort();
    els.paper.hidden = true;
    clear(els.paper);
    els.searchView.hidden = false;
    els.filtersBox.hidden = false;
    runSearch(s, { inputAt, fromHistory });
  }
}

// ---------------------------------------------------------------------------------------------
// Searching; a response that is no longer the newest is dropped
// ---------------------------------------------------------------------------------------------

let searchSeq = 0;
let searchAbort = null;
let searchTimer = 0;
let retryTimer = 0;
let autoRetries = 0;
const cache = new Map();

function setStatus(kind) {
  document.body.dataset.status = kind;  // loading, ready, error: for styles and the browser tests
  els.results.setAttribute('aria-busy', kind === 'loading' ? 'true' : 'false');
}

async function runSearch(s, { inputAt = 0, fromHistory = false, retry = false } = {}) {
  const seq = ++searchSeq;
  if (!retry) autoRetries = 0;
  if (searchAbort) searchAbort.abort();
  searchAbort = null;
  clearTimeout(retryTimer);
  if (!hasSearch(s)) {
    hideError();
    renderWelcome();
    setStatus('ready');
    markRendered(s);
    return;
  }
  const key = api.searchParams(s).toString();
  if (fromHistory && cache.has(key)) {
    hideError();
    renderResponse(cache.get(key), s);
    setStatus('ready');
    markRendered(s);
    return;
  }
  const ctl = new AbortController();
  searchAbort = ctl;
  setStatus('loading');
  let arrivedAt = 0;
  try {
    const data = await api.search(s, { signal: ctl.signal, onArrival: () => { arrivedAt = performance.now(); } });
    if (seq !== searchSeq) return;
    cache.delete(key);
    cache.set(key, data);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value);
    hideError();
    renderResponse(data, s);
    setStatus('ready');
    markRendered(s);
    await afterPaint();
    const end = performance.now();
    performance.measure('abstrakt:response-to-render', { start: arrivedAt, end, detail: { q: s.q } });
    if (inputAt) performance.measure('abstrakt:keystroke-to-render', { start: inputAt, end, detail: { q: s.q } });
  } catch (e) {
    if ((e && e.name === 'AbortError') || seq !== searchSeq) return;
    // The results of an earlier search are not left under the error as if they were this one's.
    for (const el of [els.results, els.notices, els.pager]) clear(el);
    els.status.textContent = '';
    markRendered(s);
    showError(e, () => runSearch(current, { retry: true }));
    setStatus('error');
  }
}

// The state whose results are on the page, for the browser tests to wait on.
function markRendered(s) {
  els.searchView.dataset.rendered = urlFromState(s);
}

// After the next frame: the results have been laid out and painted.
const afterPaint = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

function hideError() {
  els.error.hidden = true;
  clear(els.error);
}

function showError(e, retry) {
  clear(els.error);
  els.error.hidden = false;
  const kind = e && e.kind ? e.kind : 'server';
  const message = e && e.message ? e.message : String(e);
  let text;
  if (kind === 'unreachable') text = t('errUnreachable');
  else if (kind === 'refused') text = t('errRefused', message);
  else if (kind === 'unavailable') text = t('errUnavailable', message);
  else if (kind === 'not_found') text = message;
  else text = t('errServer', message);
  els.error.dataset.kind = kind;
  els.error.append(h('p', null, text));
  if (kind === 'unavailable' && autoRetries < MAX_AUTO_RETRIES) {
    autoRetries++;
    els.error.append(h('p', { class: 'retry-note' }, t('errRetryIn', e.retryAfter)));
    retryTimer = setTimeout(retry, e.retryAfter * 1000);
  }
  if (kind !== 'refused' && kind !== 'not_found')
    els.error.append(h('button', { type: 'button', class: 'retry', onclick: () => { autoRetries = 0; hideError(); retry(); } }, t('retry')));
}

// ---------------------------------------------------------------------------------------------
// Rendering a search response
// ---------------------------------------------------------------------------------------------

function renderWelcome() {
  els.welcome.hidden = false;
  clear(els.results);
  clear(els.notices);
  clear(els.facets);
  clear(els.active);
  clear(els.pager);
  els.toolbar.hidden = true;
  els.status.textContent = '';
}

// The controls that a response renders anew carry data-focus-key: the one that had the focus gets it
// back in the new rendering (a keyboard user who pressed a facet stays on it); a removed filter's
// focus goes to the list of results' count.
function renderResponse(data, s) {
  const focusKey = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.focusKey : '';
  els.welcome.hidden = true;
  els.toolbar.hidden = false;
  const hits = Array.isArray(data.hits) ? data.hits : [];
  const total = Number.isFinite(data.total) ? data.total : hits.length;
  const offset = Number.isFinite(data.offset) ? data.offset : 0;

  // The result count, read out by screen readers (the live region).
  let countText;
  if (total === 0) countText = t('noResults');
  else if (data.total_is_exact === false) countText = t('resultCountAbout', formatNumber(total));
  else countText = total === 1 ? t('resultCountOne') : t('resultCount', formatNumber(total));
  if (hits.length && offset > 0) countText += ' · ' + t('resultRange', formatNumber(offset + 1), formatNumber(offset + hits.length));
  els.status.textContent = countText;
  if (Number.isFinite(data.took_ms)) els.status.append(h('span', { class: 'took' }, ' · ' + t('tookMs', formatNumber(Math.round(data.took_ms * 10) / 10))));

  renderNotices(data, s);
  renderActiveFilters(s);
  renderFacets(data.facets, s);

  clear(els.results);
  for (const hit of hits) els.results.append(hitItem(hit, s));
  els.results.start = offset + 1;
  renderPager(data, s, total, offset, hits.length);
  if (focusKey) {
    const again = document.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
    if (again) again.focus();
    else els.status.focus();
  }
}

// The API's notices (docs/http-api.md, "Notice codes"): a known code is said in the interface's
// language. Where the API's English message carries what the code alone cannot (the parse error, the
// filter left out), it follows as a detail. An unknown code shows its message.
const NOTICE_DETAIL = new Set(['query_unparsed', 'unknown_field', 'invalid_filter', 'record_unreadable']);

function noticeItem(n) {
  if (!n || typeof n !== 'object') return null;
  const code = typeof n.code === 'string' ? n.code : '';
  const message = typeof n.message === 'string' ? n.message : '';
  const known = code && has('notice_' + code);
  if (!known && !message) return null;
  const detail = known && NOTICE_DETAIL.has(code) && message ? h('span', { class: 'notice-detail', lang: 'en' }, ' (' + message + ')') : null;
  return h('p', { class: 'notice', 'data-code': code || null, lang: known ? null : 'en' }, known ? t('notice_' + code) : message, detail);
}

// A link that searches for `q` with the other settings kept; typos false: the query as typed.
function queryLink(q, s, typos = true) {
  const next = { ...s, q, typos, page: 1, paper: '' };
  return h('a', {
    href: urlFromState(next),
    class: 'query-link',
    onclick: (e) => {
      if (!plainClick(e)) return;
      e.preventDefault();
      els.q.value = q;
      navigate(next);
    },
  }, q);
}

// "Also searched": each query word's translations, `[{word, lang, to, as: [...]}]`.
function translationItems(tr) {
  const out = [];
  for (const x of Array.isArray(tr) ? tr : []) {
    if (!x || typeof x !== 'object' || !Array.isArray(x.as)) continue;
    const as = x.as.filter((a) => typeof a === 'string' && a);
    if (!as.length) continue;
    const to = typeof x.to === 'string' ? x.to : '';
    const word = typeof x.word === 'string' ? x.word : '';
    const lang = typeof x.lang === 'string' ? x.lang : '';
    out.push([out.length ? '; ' : '', h('span', { class: 'translation-item' },
      h('span', { class: 'translation', lang: to || null }, as.join(', ')),
      word ? [' (', t('translationFor') + ' ', h('span', { class: 'translation-word', lang: lang || null }, word), ')'] : null)]);
  }
  return out;
}

function renderNotices(data, s) {
  clear(els.notices);
  const items = [];
  const corrected = typeof data.corrected === 'string' && data.corrected ? data.corrected : '';
  if (corrected) {
    items.push(h('p', { class: 'notice corrected' }, t('showingResultsFor') + ' ', h('strong', null, corrected), '. ',
      t('searchInsteadFor') + ' ', queryLink(s.q, s, false)));
  } else if (typeof data.suggestion === 'string' && data.suggestion && data.suggestion !== s.q) {
    items.push(h('p', { class: 'notice suggestion' }, t('didYouMean') + ' ', queryLink(data.suggestion, s)));
  }
  const translations = translationItems(data.translations);
  if (translations.length) items.push(h('p', { class: 'notice translations' }, t('alsoSearched') + ' ', translations));
  for (const n of Array.isArray(data.notices) ? data.notices : []) {
    // The fields above say these better, with the words; the notice alone only when they are missing.
    if (n && ((n.code === 'corrected' && corrected) || (n.code === 'translated' && translations.length))) continue;
    const item = noticeItem(n);
    if (item) items.push(item);
  }
  if (data.partial === true) {
    const missing = Array.isArray(data.missing_shards) ? data.missing_shards.filter((m) => typeof m === 'string').join(', ') : '';
    items.push(h('p', { class: 'notice partial' }, t('partial', missing)));
  }
  els.notices.append(...items);
}

const FACETS = [
  { key: 'lang', label: 'facetLang' },
  { key: 'year', label: 'facetYear' },
  { key: 'category', label: 'facetCategory' },
];
const expandedFacets = new Set();

function facetSelected(key, value, s) {
  if (key === 'lang') return s.lang === value;
  if (key === 'year') return s.year === value;
  return s.cat.includes(value);
}

function toggleFacet(key, value, s) {
  const next = { ...s, cat: [...s.cat], page: 1, paper: '' };
  const on = facetSelected(key, value, s);
  if (key === 'lang') next.lang = on ? '' : value;
  else if (key === 'year') next.year = on ? '' : value;
  else next.cat = on ? next.cat.filter((c) => c !== value) : [...next.cat, value];
  return next;
}

function facetValueLabel(key, value) {
  return key === 'lang' ? languageName(value) : value;
}

function renderFacets(facets, s) {
  clear(els.facets);
  if (!facets || typeof facets !== 'object') return;
  for (const { key, label } of FACETS) {
    const counts = facets[key];
    if (!counts || typeof counts !== 'object') continue;
    let entries = Object.entries(counts).filter(([, n]) => Number.isFinite(n));
    if (key === 'year') entries.sort((a, b) => b[0].localeCompare(a[0]));
    if (!entries.length) continue;
    const all = expandedFacets.has(key);
    const shown = all ? entries : entries.slice(0, FACET_SHOWN);
    // A selected value is always shown, also beyond the first few.
    for (const e of entries) if (facetSelected(key, e[0], s) && !shown.includes(e)) shown.push(e);
    const headingId = 'facet-' + key;
    const list = h('ul', { class: 'facet-values', 'aria-labelledby': headingId });
    for (const [value, n] of shown) {
      const next = toggleFacet(key, value, s);
      const pressed = facetSelected(key, value, s);
      list.append(h('li', null, h('button', {
        type: 'button',
        class: 'facet-value',
        'aria-pressed': pressed ? 'true' : 'false',
        'data-facet': key,
        'data-focus-key': `facet:${key}:${value}`,
        'data-value': value,
        onclick: () => navigate(next),
      }, h('span', { class: 'facet-label' }, facetValueLabel(key, value)), h('span', { class: 'facet-count' }, formatNumber(n)))));
    }
    const group = h('section', { class: 'facet', 'data-facet': key }, h('h3', { id: headingId }, t(label)), list);
    if (entries.length > FACET_SHOWN) {
      group.append(h('button', {
        type: 'button',
        class: 'facet-more',
        'data-focus-key': 'more:' + key,
        'aria-expanded': all ? 'true' : 'false',
        onclick: () => {
          if (all) expandedFacets.delete(key);
          else expandedFacets.add(key);
          renderFacets(facets, current);
          const again = els.facets.querySelector(`[data-focus-key="more:${key}"]`);
          if (again) again.focus();
        },
      }, all ? t('showLess') : t('showMore', entries.length)));
    }
    els.facets.append(group);
  }
}

function renderActiveFilters(s) {
  clear(els.active);
  const chips = [];
  const chip = (label, value, next) => {
    const name = `${t(label)}: ${value}`;
    chips.push(h('li', null, h('button', {
      type: 'button',
      class: 'chip',
      'data-focus-key': 'chip:' + name,
      'aria-label': t('removeFilter', name),
      onclick: () => navigate(next),
    }, name, h('span', { class: 'chip-x', 'aria-hidden': 'true' }, ' ×'))));
  };
  if (s.lang) chip('facetLang', languageName(s.lang), { ...s, lang: '', page: 1 });
  if (s.year) chip('facetYear', s.year, { ...s, year: '', page: 1 });
  for (const c of s.cat) chip('facetCategory', c, { ...s, cat: s.cat.filter((x) => x !== c), page: 1 });
  if (!chips.length) return;
  if (chips.length > 1)
    chips.push(h('li', null, h('button', { type: 'button', class: 'chip clear', onclick: () => navigate({ ...s, lang: '', year: '', cat: [], page: 1 }) }, t('clearFilters'))));
  els.active.append(h('ul', { 'aria-label': t('activeFilters') }, chips));
}

function authorsText(authors) {
  if (!Array.isArray(authors) || !authors.length) return null;
  const names = authors.filter((a) => typeof a === 'string');
  if (names.length <= AUTHORS_SHOWN) return names.join(', ');
  return t('authorsMore', names.slice(0, AUTHORS_SHOWN - 1).join(', '), formatNumber(names.length - AUTHORS_SHOWN + 1));
}

// The languages a hit has (`langs`).
const hitLangs = (hit) => (Array.isArray(hit.langs) ? hit.langs.filter((l) => typeof l === 'string' && l) : []);

// A click without a modifier key or another button: the page handles it; others open a tab.
const plainClick = (e) => e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;

function paperLink(id, s, content, attrs = {}) {
  const next = { ...s, paper: id };
  return h('a', {
    href: urlFromState(next),
    ...attrs,
    onclick: (e) => {
      if (!plainClick(e)) return;
      e.preventDefault();
      navigate(next, { historyState: { fromSearch: !s.paper } });
    },
  }, content);
}

// "1 upvote", "2 upvotes".
const count = (key, n) => (n === 1 ? t(key + 'One') : t(key, formatNumber(n)));

function metaLine(hit) {
  const parts = [];
  const authors = authorsText(hit.authors);
  if (authors) parts.push(h('span', { class: 'authors' }, authors));
  if (typeof hit.published === 'string') parts.push(h('time', { datetime: hit.published }, formatDate(hit.published)));
  if (Array.isArray(hit.categories) && hit.categories.length)
    parts.push(h('span', { class: 'categories' }, hit.categories.filter((c) => typeof c === 'string').join(', ')));
  if (Number.isFinite(hit.upvotes)) parts.push(h('span', { class: 'upvotes' }, count('upvotes', hit.upvotes)));
  if (Number.isFinite(hit.comments)) parts.push(h('span', { class: 'comments' }, count('comments', hit.comments)));
  return parts;
}

function langBadges(langs) {
  if (!langs.length) return null;
  return h('ul', { class: 'langs', 'aria-label': t('languages') },
    langs.map((l) => h('li', { title: languageName(l) }, h('abbr', { title: languageName(l) }, l))));
}

function hitItem(hit, s) {
  const id = typeof hit.id === 'string' ? hit.id : '';
  const title = typeof hit.title_highlighted === 'string' && hit.title_highlighted ? highlighted(hit.title_highlighted)
    : typeof hit.title === 'string' && hit.title ? hit.title : id;
  const link = arxivUrl(id, hit.url);
  return h('li', { class: 'hit', 'data-id': id },
    h('h3', { class: 'hit-title', lang: hit.title_lang || null }, paperLink(id, s, title, { class: 'paper-link' })),
    h('p', { class: 'meta' }, metaLine(hit).map((p, i) => [i ? h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · ') : null, p])),
    typeof hit.snippet === 'string' && hit.snippet ? h('p', { class: 'snippet', lang: hit.snippet_lang || null }, highlighted(hit.snippet)) : null,
    h('div', { class: 'hit-foot' }, langBadges(hitLangs(hit)),
      link ? h('a', { href: link, class: 'external', rel: 'noopener noreferrer', target: '_blank' }, t('arxiv')) : null));
}

function renderPager(data, s, total, offset, shown) {
  clear(els.pager);
  const page = s.page;
  const hasMore = typeof data.has_more === 'boolean' ? data.has_more : offset + shown < total;
  const last = Math.min(MAX_PAGE, Math.max(page, Math.ceil(total / api.PAGE_SIZE)));
  if (page === 1 && !hasMore) return;
  const item = (p, label, attrs = {}) => {
    const next = { ...s, page: p };
    return h('li', null, h('a', {
      href: urlFromState(next),
      'data-focus-key': 'page:' + (attrs.rel || p),
      ...attrs,
      onclick: (e) => {
        if (!plainClick(e)) return;
        e.preventDefault();
        navigate(next);
        els.status.scrollIntoView({ block: 'nearest' });
      },
    }, label));
  };
  const items = [];
  if (page > 1) items.push(item(page - 1, t('previous'), { rel: 'prev', class: 'prev' }));
  const from = Math.max(1, page - 2);
  const to = Math.min(hasMore ? last : page, page + 2);
  for (let p = from; p <= to; p++) {
    if (p === page) items.push(h('li', null, h('span', { class: 'current', 'aria-current': 'page', 'aria-label': t('currentPage', p) }, String(p))));
    else items.push(item(p, String(p), { 'aria-label': t('page', p), class: 'num' }));
  }
  if (hasMore && page < MAX_PAGE) items.push(item(page + 1, t('next'), { rel: 'next', class: 'next' }));
  els.pager.append(h('ul', null, items));
}

// ---------------------------------------------------------------------------------------------
// A paper: every title and abstract, in each language, and similar papers
// ---------------------------------------------------------------------------------------------

let paperSeq = 0;
let paperAbort = null;

function languageMap(v) {
  if (typeof v === 'string') return { und: v };
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string'));
  return {};
}

function paragraphs(text) {
  return text.split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean).map((p) => h('p', null, p));
}

async function showPaper(id, { retry = false } = {}) {
  const seq = ++paperSeq;
  if (!retry) autoRetries = 0;
  clearTimeout(retryTimer);
  if (searchAbort) searchAbort.abort();
  searchSeq++;
  if (paperAbort) paperAbort.abort();
  const ctl = new AbortController();
  paperAbort = ctl;
  clear(els.paper);
  hideError();
  setStatus('loading');
  els.paper.append(h('p', { class: 'loading' }, t('paperLoading')));
  const [rec, sim] = await Promise.allSettled([api.paper(id, { signal: ctl.signal }), api.similar(id, { signal: ctl.signal })]);
  if (seq !== paperSeq) return;
  clear(els.paper);
  els.paper.append(backButton());
  if (rec.status === 'rejected') {
    if (rec.reason && rec.reason.name === 'AbortError') return;
    const e = rec.reason;
    if (e && e.kind === 'not_found') e.message = t('errNotFound', id);
    showError(e, () => showPaper(id, { retry: true }));
    setStatus('error');
    return;
  }
  renderPaper(rec.value, sim.status === 'fulfilled' ? sim.value : null, sim.status === 'rejected' ? sim.reason : null);
  setStatus('ready');
  els.paper.dataset.rendered = id;
  const heading = els.paper.querySelector('h1');
  if (heading) heading.focus();
}

function backButton() {
  return h('button', {
    type: 'button',
    class: 'back',
    onclick: () => {
      if (history.state && history.state.fromSearch) history.back();
      else navigate({ ...current, paper: '' });
    },
  }, '← ' + t('backToResults'));
}

function renderPaper(r, similar, similarError) {
  const titles = languageMap(r.title);
  const abstracts = languageMap(r.abstract);
  const langs = [...new Set([...Object.keys(titles), ...Object.keys(abstracts)])];
  const firstLang = Object.keys(titles)[0] || '';
  const id = typeof r.id === 'string' ? r.id : '';

  const facts = [];
  const fact = (label, ...value) => facts.push(h('dt', null, t(label)), h('dd', null, ...value));
  if (Array.isArray(r.authors) && r.authors.length) fact('authors', r.authors.filter((a) => typeof a === 'string').join(', '));
  if (typeof r.published === 'string') fact('published', h('time', { datetime: r.published }, formatDate(r.published)));
  if (Array.isArray(r.categories) && r.categories.length) fact('categories', r.categories.filter((c) => typeof c === 'string').join(', '));
  const counts = [];
  if (Number.isFinite(r.upvotes)) counts.push(count('upvotes', r.upvotes));
  if (Number.isFinite(r.comments)) counts.push(count('comments', r.comments));
  const link = arxivUrl(id, r.url);
  if (link) fact('source', h('a', { href: link, class: 'external', rel: 'noopener noreferrer', target: '_blank' }, link));

  const sections = langs.map((lang, i) => h('section', { class: 'paper-lang', lang: lang === 'und' ? null : lang, 'aria-labelledby': 'paper-lang-' + i },
    h('h2', { id: 'paper-lang-' + i }, lang === 'und' ? '—' : `${languageName(lang)} (${lang})`),
    titles[lang] ? h('h3', { class: 'paper-lang-title' }, titles[lang]) : null,
    abstracts[lang] ? paragraphs(abstracts[lang]) : h('p', { class: 'muted' }, t('noAbstract'))));

  const similarBlock = h('section', { class: 'similar', 'aria-labelledby': 'similar-heading' }, h('h2', { id: 'similar-heading' }, t('similar')));
  if (similarError) {
    similarBlock.append(h('p', { class: 'muted' }, similarError.message || String(similarError)));
  } else if (similar && Array.isArray(similar.hits) && similar.hits.length) {
    similarBlock.append(h('ol', { class: 'similar-list' }, similar.hits.map((hit) => h('li', { 'data-id': hit.id },
      h('span', { lang: hit.title_lang || null }, paperLink(hit.id, current, hit.title ?? hit.id, { class: 'paper-link' })),
      h('span', { class: 'meta' }, metaLine(hit).slice(0, 2).map((p, i) => [i ? ' · ' : '', p]))))));
  } else {
    similarBlock.append(h('p', { class: 'muted' }, t('noSimilar')));
  }

  document.title = `${titles[firstLang] || id} – Abstrakt`;
  append(els.paper, [
    h('h1', { tabindex: '-1', lang: firstLang && firstLang !== 'und' ? firstLang : null }, titles[firstLang] || id),
    counts.length ? h('p', { class: 'meta' }, counts.join(' · ')) : null,
    facts.length ? h('dl', { class: 'facts' }, facts) : null,
    sections,
    similarBlock]);
}

// ---------------------------------------------------------------------------------------------
// The search box: search as you type, completions from /suggest (arrows, Enter, Escape)
// ---------------------------------------------------------------------------------------------

let suggestSeq = 0;
let suggestAbort = null;
let suggestTimer = 0;
let completions = [];
let active = -1;

function closeCompletions() {
  suggestSeq++;
  if (suggestAbort) suggestAbort.abort();
  clearTimeout(suggestTimer);
  completions = [];
  active = -1;
  els.list.hidden = true;
  clear(els.list);
  els.q.setAttribute('aria-expanded', 'false');
  els.q.removeAttribute('aria-activedescendant');
}

function renderCompletions() {
  clear(els.list);
  completions.forEach((c, i) => {
    els.list.append(h('li', {
      id: 'completion-' + i,
      role: 'option',
      class: 'completion',
      'aria-selected': i === active ? 'true' : 'false',
      onmousedown: (e) => e.preventDefault(),  // keeps the focus in the box
      onclick: () => pickCompletion(i),
    }, c));
  });
  const open = completions.length > 0;
  els.list.hidden = !open;
  els.q.setAttribute('aria-expanded', open ? 'true' : 'false');
  if (active >= 0) els.q.setAttribute('aria-activedescendant', 'completion-' + active);
  else els.q.removeAttribute('aria-activedescendant');
}

async function fetchCompletions() {
  const q = els.q.value;
  const seq = ++suggestSeq;
  if (suggestAbort) suggestAbort.abort();
  if (!q.trim()) {
    closeCompletions();
    return;
  }
  const ctl = new AbortController();
  suggestAbort = ctl;
  try {
    const data = await api.suggest(q, { signal: ctl.signal });
    if (seq !== suggestSeq || els.q.value !== q || document.activeElement !== els.q) return;
    // Each suggestion is the whole query completed, in its display form; the one that is the text as
    // typed (but for case) would take nothing further.
    const typed = q.trim().toLocaleLowerCase();
    completions = (Array.isArray(data.suggestions) ? data.suggestions : [])
      .filter((c) => typeof c === 'string' && c.trim() && c.trim().toLocaleLowerCase() !== typed);
    active = -1;
    renderCompletions();
  } catch {
    // Completions are a convenience: a failure closes the list, and the search beside it shows the error.
    if (seq === suggestSeq) {
      completions = [];
      renderCompletions();
    }
  }
}

// The state for the text `q` from the search box: a new query is corrected again.
const withQuery = (q) => ({ ...current, q, typos: q === current.q ? current.typos : true, page: 1, paper: '' });

function pickCompletion(i) {
  const c = completions[i];
  if (!c) return;
  els.q.value = c;
  closeCompletions();
  clearTimeout(searchTimer);
  navigate(withQuery(c), { fromTyping: true });
  typing = false;
}

// While an input method composes (pinyin, kana), the box holds letters that are not yet the word: the
// search waits for the composition's end.
function onTyped(e) {
  if (e.isComposing) return;
  const inputAt = e.timeStamp > 0 ? Math.min(e.timeStamp, performance.now()) : performance.now();
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    navigate(withQuery(els.q.value), { fromTyping: true, inputAt });
  }, SEARCH_DEBOUNCE_MS);
  clearTimeout(suggestTimer);
  suggestTimer = setTimeout(fetchCompletions, SUGGEST_DEBOUNCE_MS);
}
els.q.addEventListener('input', onTyped);
els.q.addEventListener('compositionend', onTyped);

els.q.addEventListener('keydown', (e) => {
  if (e.isComposing) return;  // the input method's own keys (Enter takes its candidate)
  const open = !els.list.hidden && completions.length > 0;
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    if (!open) return;
    e.preventDefault();
    const n = completions.length;
    active = e.key === 'ArrowDown' ? (active + 1) % n : (active <= 0 ? n - 1 : active - 1);
    renderCompletions();
  } else if (e.key === 'Enter' && open && active >= 0) {
    e.preventDefault();
    pickCompletion(active);
  } else if (e.key === 'Escape' && open) {
    e.preventDefault();  // a search box would also clear itself
    closeCompletions();
  }
});

els.q.addEventListener('blur', () => closeCompletions());

els.form.addEventListener('submit', (e) => {
  e.preventDefault();
  closeCompletions();
  clearTimeout(searchTimer);
  navigate(withQuery(els.q.value), { fromTyping: true });
  typing = false;
});

els.sort.addEventListener('change', () => {
  if (SORTS.includes(els.sort.value)) navigate({ ...current, sort: els.sort.value, page: 1 });
});

// ---------------------------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------------------------

translateDocument(document);
// On a narrow screen the filters start folded, below the search box.
if (window.matchMedia('(max-width: 720px)').matches) els.filtersBox.open = false;
els.q.value = current.q;
history.replaceState({ ...(history.state || {}) }, '', urlFromState(current));
apply(current);
if (!current.paper) els.q.focus();
