// abstrakt-serve's HTTP JSON API over the searcher (docs/http-api.md): routing, parameters, the
// mapping of errors to HTTP statuses, CORS, metrics, the access log, one Engine per worker thread,
// following the index through commits and symlink switches, and shutdown on SIGTERM or SIGINT; and
// the search page's files at / and /ui/ (searcher/ui.h, docs/web.md).
//
// The connection layer is searcher/http_server.h (our own HTTP/1.1 server); this header only declares
// what the program and the tests use.
#ifndef ABSTRAKT_SEARCHER_HTTP_H
#define ABSTRAKT_SEARCHER_HTTP_H

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "searcher/engine.h"
#include "searcher/http_params.h"
#include "searcher/ui.h"

namespace abstrakt::http {

struct ServerOptions {
    std::string db;                          // the index: a directory, or a symlink to one
    std::string host = std::string(kDefaultHost);
    int port = kDefaultPort;                 // 0: any free port (printed when listening)
    unsigned threads = 0;                    // worker threads; 0: one per core
    size_t max_connections = kMaxConnections;  // open at once (lowered to fit the limit of open files)
    std::vector<std::string> cors_origins;   // origins allowed to read responses; empty or "*": any
    bool quiet = false;                      // no access log
    std::shared_ptr<const RankingParams> ranking;  // query-time ranking parameters; nullptr: the defaults
    std::shared_ptr<SharedTranslator> translator;   // cross-language search (translate_plan.h); nullptr: none
    ui::Site ui = ui::Site::embedded();      // the search page at / (docs/web.md); ui::Site(): none
};

// Runs the server until SIGTERM or SIGINT, then stops accepting, lets requests in flight finish
// and returns 0. Prints `abstrakt-serve: listening on http://HOST:PORT (N threads, index PATH)` to
// standard error once it accepts connections. Returns 1 when it cannot listen. The index need not
// exist: requests get 503 until it can be opened. Call it from a program's main thread before
// starting any other thread (it blocks SIGTERM and SIGINT in every thread and waits for them).
int serve(const ServerOptions& options);

// A decoded query string, in order; a name may repeat.
using Params = std::vector<std::pair<std::string, std::string>>;

// Splits `query` (the part of a request target after '?') at '&' and '=' and decodes '+' and %XX.
// Empty pieces are skipped; a piece without '=' has an empty value. Errors (kInvalidArgument): a
// '%' not followed by two hex digits, a piece with no name.
Result<Params> parse_query_string(std::string_view query);

// The SearchRequest that /search's parameters ask for. Errors (kInvalidArgument): an unknown or
// repeated parameter (cat may repeat), a value that is not UTF-8 or too long, an unknown sort, a
// limit or offset that is not a whole number or beyond the limits, a date that is not YYYY,
// YYYY-MM or YYYY-MM-DD, a facets or explain value other than 1, true, 0, false.
Result<SearchRequest> parse_search_params(const Params& params);

// Whether a response may be gzip-compressed for a request whose Accept-Encoding fields are
// `accept_encoding` (joined with ", "; nullptr when the request has none): gzip (or x-gzip, or *) is
// listed with a q-value above 0, and identity is not given a higher one (RFC 9110, section 12.5.3).
// No field: no compression.
bool accepts_gzip(const std::string* accept_encoding);

// Whether the If-None-Match fields `if_none_match` (joined with ", ") name `etag`, with the weak
// comparison of RFC 9110, section 13.1.2 (W/ prefixes are ignored on both sides), or are "*". A
// malformed list names nothing from the first bad entity tag on.
enum class TagMatch { kNone, kTag, kAny };
TagMatch match_if_none_match(std::string_view if_none_match, std::string_view etag);

}  // namespace abstrakt::http

#endif  // ABSTRAKT_SEARCHER_HTTP_H
