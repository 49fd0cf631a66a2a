// Every request parameter of abstrakt-serve and every limit it enforces, each named once. The
// request parser and validator (searcher/http.cc), the documentation (docs/http-api.md,
// docs/openapi.yaml) and the tests (tests/test_http.cc) all refer to these.
#ifndef ABSTRAKT_SEARCHER_HTTP_PARAMS_H
#define ABSTRAKT_SEARCHER_HTTP_PARAMS_H

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace abstrakt::http {

// ---------------------------------------------------------------------------------------------
// Parameter names
// ---------------------------------------------------------------------------------------------
namespace param {
inline constexpr std::string_view kQuery = "q";        // /search, /suggest: text in the query syntax
inline constexpr std::string_view kLang = "lang";      // /search: a language code (en, de, zh, ...)
inline constexpr std::string_view kSort = "sort";      // /search: relevance, date or upvotes
inline constexpr std::string_view kOffset = "offset";  // /search, /papers/{id}/similar: results to skip
inline constexpr std::string_view kLimit = "limit";    // /search, /papers/{id}/similar, /suggest
inline constexpr std::string_view kFrom = "from";      // /search: first date, YYYY, YYYY-MM or YYYY-MM-DD
inline constexpr std::string_view kTo = "to";          // /search: last date, inclusive, same forms
inline constexpr std::string_view kCategory = "cat";   // /search: categories, repeated or comma-separated
inline constexpr std::string_view kAuthor = "author";  // /search: words of an author's name
inline constexpr std::string_view kFacets = "facets";  // /search: 1 or true to count facets, 0 or false not
inline constexpr std::string_view kExplain = "explain";  // /search: 1 or true to explain each hit's score, 0 or false not
inline constexpr std::string_view kExactTotal = "exact_total";  // /search: accepted, changes nothing (totals are exact to count_to)
inline constexpr std::string_view kPrefix = "prefix";  // /search: 0 or false: the last word is not completed (default 1)
inline constexpr std::string_view kTypos = "typos";    // /search: 0 or false: misspelt words are not corrected (default 1)
inline constexpr std::string_view kQueryLang = "query_lang";  // /search: the language the query is written in
inline constexpr std::string_view kTranslate = "translate";   // /search: 0 or false to search the words as typed only
inline constexpr std::string_view kId = "id";          // the path parameter of /papers/{id}
// Accepted and ignored on every endpoint: a cache buster ("_=1699999999", jQuery's cache: false) and
// campaign tags ("utm_source=..."), which front ends and link shorteners add on their own. Only these:
// any other unknown name, a misspelt parameter included, stays a 400.
inline constexpr std::string_view kCacheBuster = "_";
inline constexpr std::string_view kIgnoredPrefix = "utm_";
}  // namespace param

// Whether a query string parameter called `name` is accepted and ignored (param::kCacheBuster,
// param::kIgnoredPrefix).
constexpr bool ignored_param(std::string_view name) {
    return name == param::kCacheBuster || name.substr(0, param::kIgnoredPrefix.size()) == param::kIgnoredPrefix;
}

// The parameters each endpoint takes; any other is refused with 400. /papers/{id}, /health and
// /metrics take none.
inline constexpr std::string_view kSearchParams[] = {param::kQuery, param::kLang,     param::kSort,
                                                     param::kOffset, param::kLimit,   param::kFrom,
                                                     param::kTo,    param::kCategory, param::kAuthor,
                                                     param::kFacets, param::kExplain, param::kExactTotal,
                                                     param::kPrefix, param::kTypos,  param::kQueryLang,
                                                     param::kTranslate};
inline constexpr std::string_view kSimilarParams[] = {param::kOffset, param::kLimit};
inline constexpr std::string_view kSuggestParams[] = {param::kQuery, param::kLimit};

// Values of the boolean parameters, param::kFacets, kExplain, kExactTotal, kPrefix, kTypos and kTranslate.
inline constexpr std::string_view kTrueValues[] = {"1", "true"};
inline constexpr std::string_view kFalseValues[] = {"0", "false", ""};

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------
// q, after percent-decoding; the engine's QueryLimits::max_bytes (checked in http.cc).
inline constexpr size_t kMaxQueryBytes = 4096;
// Every other parameter value, after percent-decoding.
inline constexpr size_t kMaxValueBytes = 4096;
// Categories in one request (values of cat after splitting at commas).
inline constexpr size_t kMaxCategories = 32;

// /search and /papers/{id}/similar: results per page, and how deep a page may start (the engine's
// EngineLimits::max_limit and max_offset, checked in http.cc).
inline constexpr uint64_t kDefaultLimit = 10;
inline constexpr uint64_t kMaxLimit = 100;
inline constexpr uint64_t kMaxOffset = 10000;

// /suggest: completions per answer, 1 to kMaxSuggestLimit.
inline constexpr uint64_t kDefaultSuggestLimit = 8;
inline constexpr uint64_t kMaxSuggestLimit = 20;

// The request line and header fields together, in bytes; larger heads get 431.
inline constexpr size_t kMaxHeaderBytes = 16 * 1024;
// Header fields in one request; more get 431.
inline constexpr size_t kMaxHeaderFields = 100;
// Request bodies: the API is read-only, so any body gets 413.
inline constexpr size_t kMaxBodyBytes = 0;
// The request line alone; longer ones get 414. A q of 4,096 bytes fits when sent as raw UTF-8 or
// ASCII; percent-encoded non-ASCII text (three bytes per byte) fits up to about 2,700 bytes.
inline constexpr size_t kMaxRequestLineBytes = 8192;

// Time budget of one request, in milliseconds. Requests that take longer are counted in
// abstrakt_http_over_budget_total and marked in the access log.
inline constexpr int kTimeBudgetMs = 2000;

// Connections (searcher/http_server.h). An open connection holds no worker thread while its client
// is slow: one thread reads every connection, and workers only answer complete requests.
// - a request's head (request line and header fields) must arrive within kHeadTimeoutS of its
//   first byte, or it gets 408 and the connection is closed (slow clients cannot hold it open);
// - a connection with no request begun is closed after kKeepAliveTimeoutS, and after
//   kKeepAliveMaxRequests requests;
// - a response the client takes no byte of for kSocketTimeoutS ends the connection;
// - at most kMaxConnections are open at once (fewer when the limit of open files is lower); a new
//   one beyond gets 503 and is closed;
// - at most kMaxQueuedRequests complete requests wait for a worker; one more gets 503.
inline constexpr int kHeadTimeoutS = 10;
inline constexpr int kKeepAliveTimeoutS = 5;
inline constexpr size_t kKeepAliveMaxRequests = 1000;
inline constexpr int kSocketTimeoutS = 5;
inline constexpr size_t kMaxConnections = 4096;  // the default of --max-connections
inline constexpr size_t kMinConnections = 16;       // the range --max-connections takes
inline constexpr size_t kMaxConnectionsOption = 65536;
inline constexpr size_t kMaxQueuedRequests = 256;

// Caching (docs/http-api.md, "Caching and compression"). A 200 of /search, /papers/{id},
// /papers/{id}/similar and /suggest may be reused for kCacheMaxAgeS seconds, then revalidated with its
// ETag (a 304 while the index has not changed). Short because the index changes under a running
// server: the nightly sync commits day by day, `abstrakt-index add` whenever it is run, and a cached
// answer may be this old after a commit. Type-ahead repeats requests within seconds (backspace,
// retyping), which is what the minute serves.
inline constexpr int kCacheMaxAgeS = 60;
// Bodies shorter than this are sent uncompressed whatever the client accepts: they fit in one TCP
// segment of 1,460 bytes with their header fields either way, so gzip would save no packet and no
// round trip, only cost CPU (every error body, most /suggest answers).
inline constexpr size_t kMinGzipBytes = 1024;
// zlib's level for gzip bodies: 6, its default (docs/http-api.md has the measurement).
inline constexpr int kGzipLevel = 6;

// Defaults of abstrakt-serve's options.
inline constexpr std::string_view kDefaultHost = "127.0.0.1";
inline constexpr int kDefaultPort = 8080;
inline constexpr unsigned kMaxThreads = 256;

}  // namespace abstrakt::http

#endif  // ABSTRAKT_SEARCHER_HTTP_PARAMS_H
