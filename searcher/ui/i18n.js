// The page's texts in English and German; the browser's preferred languages choose one.
// A text with {0}, {1} ... takes arguments; every value inserted is text, never markup.

const STRINGS = {
  en: {
    skip: 'Skip to results',
    searchLabel: 'Search papers',
    placeholder: 'Search papers, e.g. linear attention, Diffusionsmodell, 扩散模型',
    search: 'Search',
    completions: 'Completions',
    filters: 'Filters',
    activeFilters: 'Active filters',
    removeFilter: 'Remove filter {0}',
    clearFilters: 'Clear all',
    facetLang: 'Language',
    facetYear: 'Year',
    facetCategory: 'Category',
    showMore: 'Show all ({0})',
    showLess: 'Show fewer',
    sortLabel: 'Sort by',
    sortRelevance: 'Relevance',
    sortDate: 'Newest first',
    sortUpvotes: 'Most upvotes',
    resultCount: '{0} papers',
    resultCountOne: '1 paper',
    resultCountAbout: 'About {0} papers',
    resultRange: 'Showing {0}–{1}',
    noResults: 'No paper matches your search.',
    tookMs: '{0} ms',
    welcome: 'Type to search the papers: titles, abstracts and authors, in every language they have.',
    welcomeHint: 'Words are searched in all their forms; "quotes" search a phrase; author:Name, cat:cs.CL and year:2025 narrow the search.',
    didYouMean: 'Did you mean:',
    showingResultsFor: 'Showing results for',
    searchInsteadFor: 'Search instead for',
    alsoSearched: 'Also searched:',
    partial: 'Partial results: part of the collection did not answer ({0}); its papers are missing.',
    translationFor: 'for',
    notice_query_unparsed: 'The query could not be read as search syntax; its words were searched instead.',
    notice_no_words: 'The query has no words to search for.',
    notice_some_words: 'No paper matches every word; showing papers that match some.',
    notice_unknown_field: 'A field that the search does not know was searched as text.',
    notice_invalid_filter: 'A filter whose value is not valid was left out.',
    notice_corrected: 'Misspelt words were also searched as their corrections.',
    notice_translated: 'Words were also searched in another language.',
    notice_record_unreadable: 'A paper could not be read; the index needs to be rebuilt.',
    pages: 'Pages',
    previous: 'Previous',
    next: 'Next',
    page: 'Page {0}',
    currentPage: 'Page {0}, current page',
    authorsMore: '{0} and {1} more',
    upvotes: '{0} upvotes',
    upvotesOne: '1 upvote',
    comments: '{0} comments',
    commentsOne: '1 comment',
    languages: 'Languages',
    arxiv: 'arXiv',
    source: 'Source',
    backToResults: 'Back to results',
    paperLoading: 'Loading the paper…',
    noAbstract: 'No abstract.',
    similar: 'Similar papers',
    noSimilar: 'No similar papers found.',
    published: 'Published',
    categories: 'Categories',
    authors: 'Authors',
    loading: 'Searching…',
    errUnreachable: 'The server cannot be reached. Check your connection, or whether abstrakt-serve is running.',
    errRefused: 'The search was refused: {0}',
    errUnavailable: 'The server is unavailable: {0}',
    errRetryIn: 'Trying again in {0} s.',
    errServer: 'The server failed: {0}',
    errNotFound: 'No paper with the id {0}.',
    retry: 'Try again',
    footer: 'Abstrakt: multilingual search over research papers. The JSON API is at /search, /suggest and /papers/{id}.',
  },
  de: {
    skip: 'Zu den Ergebnissen springen',
    searchLabel: 'Artikel suchen',
    placeholder: 'Artikel suchen, z. B. Diffusionsmodell, linear attention, 扩散模型',
    search: 'Suchen',
    completions: 'Vervollständigungen',
    filters: 'Filter',
    activeFilters: 'Aktive Filter',
    removeFilter: 'Filter {0} entfernen',
    clearFilters: 'Alle entfernen',
    facetLang: 'Sprache',
    facetYear: 'Jahr',
    facetCategory: 'Kategorie',
    showMore: 'Alle zeigen ({0})',
    showLess: 'Weniger zeigen',
    sortLabel: 'Sortieren nach',
    sortRelevance: 'Relevanz',
    sortDate: 'Neueste zuerst',
    sortUpvotes: 'Meiste Upvotes',
    resultCount: '{0} Artikel',
    resultCountOne: '1 Artikel',
    resultCountAbout: 'Etwa {0} Artikel',
    resultRange: '{0}–{1} werden angezeigt',
    noResults: 'Kein Artikel passt zu Ihrer Suche.',
    tookMs: '{0} ms',
    welcome: 'Tippen Sie, um die Artikel zu durchsuchen: Titel, Zusammenfassungen und Autoren, in jeder ihrer Sprachen.',
    welcomeHint: 'Wörter werden in allen Formen gesucht; „Anführungszeichen" suchen eine Phrase; author:Name, cat:cs.CL und year:2025 grenzen die Suche ein.',
    didYouMean: 'Meinten Sie:',
    showingResultsFor: 'Ergebnisse für',
    searchInsteadFor: 'Stattdessen suchen nach',
    alsoSearched: 'Auch gesucht:',
    partial: 'Unvollständige Ergebnisse: ein Teil der Sammlung hat nicht geantwortet ({0}); seine Artikel fehlen.',
    translationFor: 'für',
    notice_query_unparsed: 'Die Anfrage ließ sich nicht als Suchsyntax lesen; stattdessen wurde nach ihren Wörtern gesucht.',
    notice_no_words: 'Die Anfrage enthält keine Wörter, nach denen gesucht werden kann.',
    notice_some_words: 'Kein Artikel enthält jedes Wort; gezeigt werden Artikel, die einige enthalten.',
    notice_unknown_field: 'Ein Feld, das die Suche nicht kennt, wurde als Text gesucht.',
    notice_invalid_filter: 'Ein Filter mit ungültigem Wert wurde weggelassen.',
    notice_corrected: 'Falsch geschriebene Wörter wurden auch in ihrer Korrektur gesucht.',
    notice_translated: 'Wörter wurden auch in einer anderen Sprache gesucht.',
    notice_record_unreadable: 'Ein Artikel konnte nicht gelesen werden; der Index muss neu aufgebaut werden.',
    pages: 'Seiten',
    previous: 'Zurück',
    next: 'Weiter',
    page: 'Seite {0}',
    currentPage: 'Seite {0}, aktuelle Seite',
    authorsMore: '{0} und {1} weitere',
    upvotes: '{0} Upvotes',
    upvotesOne: '1 Upvote',
    comments: '{0} Kommentare',
    commentsOne: '1 Kommentar',
    languages: 'Sprachen',
    arxiv: 'arXiv',
    source: 'Quelle',
    backToResults: 'Zurück zu den Ergebnissen',
    paperLoading: 'Der Artikel wird geladen…',
    noAbstract: 'Keine Zusammenfassung.',
    similar: 'Ähnliche Artikel',
    noSimilar: 'Keine ähnlichen Artikel gefunden.',
    published: 'Veröffentlicht',
    categories: 'Kategorien',
    authors: 'Autoren',
    loading: 'Suche läuft…',
    errUnreachable: 'Der Server ist nicht erreichbar. Prüfen Sie die Verbindung oder ob abstrakt-serve läuft.',
    errRefused: 'Die Suche wurde abgelehnt: {0}',
    errUnavailable: 'Der Server ist nicht verfügbar: {0}',
    errRetryIn: 'Neuer Versuch in {0} s.',
    errServer: 'Fehler des Servers: {0}',
    errNotFound: 'Kein Artikel mit der Kennung {0}.',
    retry: 'Erneut versuchen',
    footer: 'Abstrakt: mehrsprachige Suche in Forschungsartikeln. Die JSON-API liegt unter /search, /suggest und /papers/{id}.',
  },
};

// The first of the browser's languages that the page has, else English.
export const uiLang = (() => {
  const wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
  for (const tag of wanted) {
    const primary = String(tag).toLowerCase().split('-')[0];
    if (primary in STRINGS) return primary;
  }
  return 'en';
})();

const table = STRINGS[uiLang];

export function t(key, ...args) {
  const text = key in table ? table[key] : STRINGS.en[key] ?? key;
  return text.replace(/\{(\d+)\}/g, (m, i) => (i < args.length ? String(args[i]) : m));
}

// Whether a text exists for `key` (notice codes from the API).
export function has(key) {
  return key in STRINGS.en;
}

const numbers = new Intl.NumberFormat(uiLang);
export const formatNumber = (n) => numbers.format(n);

let languageNames = null;
try {
  languageNames = new Intl.DisplayNames([uiLang], { type: 'language' });
} catch {
  languageNames = null;
}
// "de" as "German" (or "Deutsch" in the German interface); the code itself when unknown.
export function languageName(code) {
  if (!code) return '';
  try {
    const name = languageNames && languageNames.of(code);
    return name && name !== code ? name : code;
  } catch {
    return code;
  }
}

const dates = new Intl.DateTimeFormat(uiLang, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
// "2024-02-29" as "Feb 29, 2024" (or "29. Feb. 2024"); any other text as it is.
export function formatDate(iso) {
  if (typeof iso !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso || '';
  const d = new Date(iso + 'T00:00:00Z');
  return Number.isNaN(d.getTime()) ? iso : dates.format(d);
}

// Fills every element with data-i18n (its text), data-i18n-placeholder and data-i18n-label
// (aria-label) under `root`.
export function translateDocument(root) {
  document.documentElement.lang = uiLang;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}
