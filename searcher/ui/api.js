// The JSON API of abstrakt-serve (docs/http-api.md), from the page's own origin.

export const PAGE_SIZE = 10;
export const MAX_OFFSET = 10000;  // the API's limit on `offset`

// A failed request, for the page to show: kind is 'unreachable' (no response), 'refused' (4xx),
// 'unavailable' (503, with retryAfter in seconds), 'not_found' (404) or 'server' (other 5xx).
export class ApiError extends Error {
  constructor(kind, message, status = 0, retryAfter = 0) {
    super(message);
    this.kind = kind;
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

// The query string of /search for the page's state.
export function searchParams(state) {
  const p = new URLSearchParams();
  if (state.q) p.set('q', state.q);
  if (state.typos === false) p.set('typos', '0');
  if (state.lang) p.set('lang', state.lang);
  if (state.sort && state.sort !== 'relevance') p.set('sort', state.sort);
  if (state.year) {
    p.set('from', state.year);
    p.set('to', state.year);
  }
  for (const c of state.cat) p.append('cat', c);
  const offset = Math.min((state.page - 1) * PAGE_SIZE, MAX_OFFSET);
  if (offset) p.set('offset', String(offset));
  p.set('limit', String(PAGE_SIZE));
  p.set('facets', '1');
  return p;
}

// GET `path` and its JSON. `onArrival` is called when the whole body has arrived, before it is
// parsed (the page measures from there). Rejects with an ApiError, or with the AbortError of `signal`.
export async function getJson(path, { signal, onArrival } = {}) {
  let res;
  try {
    res = await fetch(path, { signal, headers: { Accept: 'application/json' } });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError('unreachable', String(e && e.message ? e.message : e));
  }
  let text;
  try {
    text = await res.text();
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError('unreachable', String(e && e.message ? e.message : e), res.status);
  }
  if (onArrival) onArrival();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (res.ok && body) return body;
  const message = body && body.error && typeof body.error.message === 'string' ? body.error.message : `HTTP ${res.status}`;
  if (res.ok) throw new ApiError('server', 'the response is not JSON', res.status);
  if (res.status === 503) {
    const after = parseInt(res.headers.get('Retry-After') || '', 10);
    throw new ApiError('unavailable', message, 503, Number.isFinite(after) && after > 0 ? Math.min(after, 60) : 5);
  }
  if (res.status === 404) throw new ApiError('not_found', message, 404);
  if (res.status >= 400 && res.status < 500) throw new ApiError('refused', message, res.status);
  throw new ApiError('server', message, res.status);
}

export const search = (state, opts) => getJson('/search?' + searchParams(state).toString(), opts);

export const suggest = (q, opts) => getJson('/suggest?' + new URLSearchParams({ q, limit: '8' }).toString(), opts);

const paperPath = (id) => '/papers/' + encodeURIComponent(id);
export const paper = (id, opts) => getJson(paperPath(id), opts);
export const similar = (id, opts) => getJson(paperPath(id) + '/similar?limit=5', opts);
