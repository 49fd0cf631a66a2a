#include "searcher/http.h"

#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <zlib.h>

#include "common/analysis.h"
#include "common/config.h"
#include "common/record.h"
#include "common/result.h"
#include "common/text.h"
#include "common/version.h"
#include "searcher/http_server.h"
#include "searcher/translate_plan.h"

namespace abstrakt::http {

// The limits in http_params.h are the engine's; they are spelled there for the documentation.
static_assert(kMaxQueryBytes == QueryLimits{}.max_bytes, "kMaxQueryBytes must be the engine's query limit");
static_assert(kMaxLimit == EngineLimits{}.max_limit, "kMaxLimit must be the engine's limit");
static_assert(kMaxOffset == EngineLimits{}.max_offset, "kMaxOffset must be the engine's offset limit");

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kJsonType = "application/json; charset=utf-8";
constexpr const char* kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kAllow = "GET, HEAD, OPTIONS";
constexpr const char* kProgram = "abstrakt-serve";

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

// One line to standard error in a single write(2), so that lines from different threads do not mix.
void say(const std::string& line) {
    std::string out = std::string(kProgram) + ": " + line + "\n";
    const char* p = out.data();
    size_t left = out.size();
    while (left > 0) {
        ssize_t n = ::write(STDERR_FILENO, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// %XX to bytes, and '+' to a space when `plus_is_space` (query strings, not paths). False for a '%'
// that is not followed by two hex digits.
bool percent_decode(std::string_view in, bool plus_is_space, std::string& out) {
    out.clear();
    out.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            int hi = i + 1 < in.size() ? hex_value(in[i + 1]) : -1;
            int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
            if (hi < 0 || lo < 0) return false;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return true;
}

// A value quoted for an error message: at most 80 bytes, cut at a character boundary.
std::string in_quotes(std::string_view s) {
    constexpr size_t kMax = 80;
    if (s.size() <= kMax) return "\"" + std::string(s) + "\"";
    size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return "\"" + std::string(s.substr(0, cut)) + "…\"";
}

std::string join(const std::string_view* begin, const std::string_view* end) {
    std::string out;
    for (const std::string_view* p = begin; p != end; ++p) {
        if (!out.empty()) out += ", ";
        out += *p;
    }
    return out;
}

// A request target for the access log: control characters and spaces escaped, so that one request
// is one line whatever it contained.
std::string loggable(std::string_view target) {
    if (target.empty()) return "-";
    std::string out;
    for (char c : target) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F || u == ' ') {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Errors: the one place where ErrorCodes become HTTP statuses
// ---------------------------------------------------------------------------------------------

struct HttpError {
    int status;
    std::string code;  // stable, for programs: the table in docs/http-api.md
    std::string message;
};

// What kNotFound from the engine means for the request at hand: the index (503) or the paper (404).
enum class NotFound { kIndex, kPaper };

HttpError to_http_error(const Status& s, NotFound not_found) {
    switch (s.code()) {
        case ErrorCode::kInvalidArgument:
            return {400, "invalid_parameter", s.message()};
        case ErrorCode::kNotFound:
            if (not_found == NotFound::kPaper) return {404, "not_found", s.message()};
            return {503, "unavailable", s.message()};
        case ErrorCode::kLocked:
        case ErrorCode::kUnavailable:
            return {503, "unavailable", s.message()};
        case ErrorCode::kInternal:
        case ErrorCode::kOk:
            break;
    }
    return {500, "internal", s.message()};
}

HttpError bad_parameter(std::string message) { return {400, "invalid_parameter", std::move(message)}; }

std::string dump(const nlohmann::ordered_json& j) {
    // Invalid UTF-8 (a byte of a refused parameter quoted in a message) becomes U+FFFD.
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string error_json(const std::string& code, const std::string& message) {
    nlohmann::ordered_json j;
    j["error"] = {{"code", code}, {"message", message}};
    return dump(j);
}

// Every JSON body leaves through here: HTML-safe (see html_safe_json), typed as JSON.
void reply_json(Response& res, int status, const std::string& body) {
    res.status = status;
    res.body = html_safe_json(body);
    res.set_header("Content-Type", kJsonType);
}

void reply_error(Response& res, const HttpError& e) {
    reply_json(res, e.status, error_json(e.code, e.message));
    if (e.status == 503) res.set_header("Retry-After", "5");
}

// The error for a request the connection layer (searcher/http_server.h) refuses by itself, before
// any route is looked at; `reason` says what was wrong.
HttpError server_error(int status, const std::string& reason) {
    switch (status) {
        case 400: return {400, "bad_request", "the request is not well-formed HTTP/1.1: " + reason};
        case 408: return {408, "request_timeout", reason};
        case 414: return {414, "uri_too_long", reason};
        case 431: return {431, "headers_too_large", reason};
        case 503: return {503, "busy", reason};
        case 505: return {505, "http_version_not_supported", reason};
    }
    return {status, status < 500 ? "bad_request" : "internal", reason};
}

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

const std::string* find_param(const Params& params, std::string_view name) {
    for (const auto& [k, v] : params)
        if (k == name) return &v;
    return nullptr;
}

// Unknown names, repeated names (other than `repeatable`), values that are not UTF-8 or too long.
Status check_params(const Params& params, const std::string_view* begin, const std::string_view* end,
                    std::string_view endpoint, std::string_view repeatable = {}) {
    for (size_t i = 0; i < params.size(); ++i) {
        const auto& [name, value] = params[i];
        if (ignored_param(name)) continue;
        if (std::find(begin, end, name) == end) {
            const std::string takes =
                begin == end ? std::string(endpoint) + " takes no parameters" : std::string(endpoint) + " takes " + join(begin, end);
            return Status(ErrorCode::kInvalidArgument, "unknown parameter " + in_quotes(name) + ": " + takes);
        }
        if (name != repeatable)
            for (size_t j = 0; j < i; ++j)
                if (params[j].first == name)
                    return Status(ErrorCode::kInvalidArgument, "parameter " + in_quotes(name) + " is given more than once");
        const size_t max = name == param::kQuery ? kMaxQueryBytes : kMaxValueBytes;
        if (value.size() > max)
            return Status(ErrorCode::kInvalidArgument, "parameter " + std::string(name) + " is " + std::to_string(value.size()) +
                                                           " bytes long; at most " + std::to_string(max) + " are accepted");
        if (!valid_utf8(value))
            return Status(ErrorCode::kInvalidArgument, "parameter " + std::string(name) + " is not valid UTF-8");
    }
    return Status::ok();
}

// A whole number from `low` to `high`; an empty or absent value gives `fallback`.
Result<uint64_t> count_param(const Params& params, std::string_view name, uint64_t fallback, uint64_t low, uint64_t high) {
    const std::string* v = find_param(params, name);
    if (!v || v->empty()) return fallback;
    auto bad = [&]() -> Result<uint64_t> {
        return Status(ErrorCode::kInvalidArgument, std::string(name) + " must be a whole number from " + std::to_string(low) + " to " +
                                                       std::to_string(high) + ", not " + in_quotes(*v));
    };
    if (v->size() > 19 || v->find_first_not_of("0123456789") != std::string::npos) return bad();
    uint64_t n = std::stoull(*v);
    if (n < low || n > high) return bad();
    return n;
}

// ---------------------------------------------------------------------------------------------
// Caching and compression (docs/http-api.md, "Caching and compression")
// ---------------------------------------------------------------------------------------------

// A q-value ("0", "0.5", "1.000"); nullopt when malformed (RFC 9110, section 12.4.2).
std::optional<double> parse_qvalue(std::string_view v) {
    if (v.empty() || v.size() > 5 || (v[0] != '0' && v[0] != '1')) return std::nullopt;
    if (v.size() > 1 && (v[1] != '.' || v.find_first_not_of("0123456789", 2) != std::string_view::npos)) return std::nullopt;
    const double q = std::strtod(std::string(v).c_str(), nullptr);
    return q <= 1 ? std::optional<double>(q) : std::nullopt;
}

// All the fields called `lower_name`, joined with ", " (RFC 9110, section 5.3); nullptr when none.
std::optional<std::string> joined_header(const Request& req, std::string_view lower_name) {
    std::optional<std::string> out;
    for (const auto& [k, v] : req.headers) {
        if (k != lower_name) continue;
        if (out) *out += ", " + v;
        else out = v;
    }
    return out;
}

// `body` as a gzip member, or "" when zlib fails (the body then goes uncompressed).
std::string gzip(std::string_view body) {
    z_stream z{};
    // windowBits 15 + 16: a gzip header and trailer rather than zlib's.
    if (deflateInit2(&z, kGzipLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return "";
    std::string out(deflateBound(&z, static_cast<uLong>(body.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    z.avail_in = static_cast<uInt>(body.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return rc == Z_STREAM_END ? out : std::string();
}

std::string hex64(uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

}  // namespace

bool accepts_gzip(const std::string* accept_encoding) {
    if (!accept_encoding) return false;
    std::optional<double> gzip_q, identity_q, any_q;
    std::string_view rest = *accept_encoding;
    while (!rest.empty()) {
        const size_t comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const size_t semi = item.find(';');
        const std::string_view coding = trim_ascii_space(item.substr(0, semi));
        std::optional<double> q = 1.0;
        if (semi != std::string_view::npos) {
            // Parameters: only q counts; a malformed q drops the element.
            std::string_view params = item.substr(semi + 1);
            while (!params.empty() && q) {
                const size_t next = params.find(';');
                const std::string_view p = trim_ascii_space(params.substr(0, next));
                params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
                if (p.size() >= 2 && ascii_iequals(p.substr(0, 2), "q=")) q = parse_qvalue(p.substr(2));
            }
        }
        if (!q || coding.empty()) continue;
        if (ascii_iequals(coding, "gzip") || ascii_iequals(coding, "x-gzip")) gzip_q = q;
        else if (ascii_iequals(coding, "identity")) identity_q = q;
        else if (coding == "*") any_q = q;
    }
    // Identity, always acceptable unless excluded, competes with gzip only when the client gave it a
    // q-value of its own (or through *): "gzip;q=0.5" alone still asks for gzip.
    const double g = gzip_q ? *gzip_q : any_q ? *any_q : 0;
    const double id = identity_q ? *identity_q : any_q ? *any_q : 0;
    return g > 0 && g >= id;
}

TagMatch match_if_none_match(std::string_view if_none_match, std::string_view etag) {
    auto opaque = [](std::string_view t) { return t.substr(0, 2) == "W/" ? t.substr(2) : t; };
    const std::string_view want = opaque(etag);
    std::string_view rest = if_none_match;
    for (;;) {
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t' || rest.front() == ',')) rest.remove_prefix(1);
        if (rest.empty()) return TagMatch::kNone;
        if (rest.front() == '*') return TagMatch::kAny;
        if (rest.substr(0, 2) == "W/") rest.remove_prefix(2);
        if (rest.empty() || rest.front() != '"') return TagMatch::kNone;
        const size_t close = rest.find('"', 1);
        if (close == std::string_view::npos) return TagMatch::kNone;
        if (!want.empty() && rest.substr(0, close + 1) == want) return TagMatch::kTag;
        rest.remove_prefix(close + 1);
    }
}

Result<Params> parse_query_string(std::string_view query) {
    Params out;
    size_t start = 0;
    while (start <= query.size()) {
        size_t amp = query.find('&', start);
        if (amp == std::string_view::npos) amp = query.size();
        std::string_view piece = query.substr(start, amp - start);
        start = amp + 1;
        if (piece.empty()) continue;
        size_t eq = piece.find('=');
        std::string name, value;
        if (!percent_decode(piece.substr(0, eq), true, name) ||
            (eq != std::string_view::npos && !percent_decode(piece.substr(eq + 1), true, value)))
            return Status(ErrorCode::kInvalidArgument,
                          "malformed query string at " + in_quotes(piece) + ": a % must be followed by two hex digits");
        if (name.empty()) return Status(ErrorCode::kInvalidArgument, "a query string parameter has no name: " + in_quotes(piece));
        out.emplace_back(std::move(name), std::move(value));
    }
    return out;
}

Result<SearchRequest> parse_search_params(const Params& params) {
    using namespace param;
    Status s = check_params(params, std::begin(kSearchParams), std::end(kSearchParams), "/search", kCategory);
    if (!s.is_ok()) return s;
    SearchRequest r;
    if (const std::string* q = find_param(params, kQuery)) r.query = *q;
    if (const std::string* lang = find_param(params, kLang)) r.lang = *lang;
    if (const std::string* lang = find_param(params, kQueryLang)) r.query_lang = *lang;
    if (const std::string* sort = find_param(params, kSort); sort && !sort->empty()) {
        auto order = parse_sort(*sort);
        if (!order) return Status(ErrorCode::kInvalidArgument, "sort takes relevance, date or upvotes, not " + in_quotes(*sort));
        r.sort = *order;
    }
    Result<uint64_t> offset = count_param(params, kOffset, 0, 0, kMaxOffset);
    if (!offset.is_ok()) return offset.status();
    r.offset = offset.value();
    Result<uint64_t> limit = count_param(params, kLimit, kDefaultLimit, 0, kMaxLimit);
    if (!limit.is_ok()) return limit.status();
    r.limit = limit.value();
    for (std::string_view name : {kFrom, kTo}) {
        const std::string* d = find_param(params, name);
        if (!d || d->empty()) continue;
        if (date_bound(*d, false).empty())  // the query syntax's date check (plan.h)
            return Status(ErrorCode::kInvalidArgument,
                          std::string(name) + " must be a date as YYYY, YYYY-MM or YYYY-MM-DD, not " + in_quotes(*d));
        (name == kFrom ? r.from : r.to) = *d;
    }
    for (const auto& [name, value] : params) {
        if (name != kCategory) continue;
        size_t start = 0;
        while (start <= value.size()) {
            size_t comma = value.find(',', start);
            if (comma == std::string::npos) comma = value.size();
            std::string cat = value.substr(start, comma - start);
            start = comma + 1;
            cat.erase(0, cat.find_first_not_of(' '));
            cat.erase(cat.find_last_not_of(' ') + 1);
            if (cat.empty()) continue;
            if (r.categories.size() == kMaxCategories)
                return Status(ErrorCode::kInvalidArgument, "at most " + std::to_string(kMaxCategories) + " categories are accepted");
            r.categories.push_back(std::move(cat));
        }
    }
    if (const std::string* a = find_param(params, kAuthor)) r.author = *a;
    for (auto [name, flag] : {std::pair{kFacets, &r.facets}, std::pair{kExplain, &r.explain}, std::pair{kExactTotal, &r.exact_total},
                              std::pair{kPrefix, &r.prefix}, std::pair{kTypos, &r.typos},
                              std::pair{kTranslate, &r.translate}}) {
        const std::string* f = find_param(params, name);
        if (!f) continue;
        if (std::find(std::begin(kTrueValues), std::end(kTrueValues), *f) != std::end(kTrueValues))
            *flag = true;
        else if (std::find(std::begin(kFalseValues), std::end(kFalseValues), *f) != std::end(kFalseValues))
            *flag = false;
        else
            return Status(ErrorCode::kInvalidArgument, std::string(name) + " takes 1, true, 0 or false, not " + in_quotes(*f));
    }
    return r;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

class Metrics {
  public:
    static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                        0.05,   0.1,   0.25,   0.5,   1,    2.5};

    void observe(const std::string& endpoint, int status, double seconds) {
        std::lock_guard<std::mutex> lock(mu_);
        Series& s = series_[{endpoint, status}];
        ++s.count;
        s.sum += seconds;
        for (size_t i = 0; i < kBuckets.size(); ++i)
            if (seconds <= kBuckets[i]) ++s.buckets[i];
        if (seconds * 1000 > kTimeBudgetMs) ++over_budget_[endpoint];
    }

    // Prometheus text format 0.0.4. `info` is absent when the index cannot be opened.
    std::string render(const std::optional<Engine::Info>& info, double uptime_s, unsigned threads, size_t connections) const {
        std::string out;
        auto num = [](double v) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.9g", v);
            return std::string(buf);
        };
        out += "# HELP abstrakt_http_requests_total HTTP requests answered, by endpoint (route pattern) and status.\n";
        out += "# TYPE abstrakt_http_requests_total counter\n";
        std::lock_guard<std::mutex> lock(mu_);
        for (const auto& [key, s] : series_)
            out += "abstrakt_http_requests_total{endpoint=\"" + key.first + "\",status=\"" + std::to_string(key.second) + "\"} " +
                   std::to_string(s.count) + "\n";
        out += "# HELP abstrakt_http_request_duration_seconds Time from reading a request's headers to sending its response.\n";
        out += "# TYPE abstrakt_http_request_duration_seconds histogram\n";
        for (const auto& [key, s] : series_) {
            const std::string labels = "endpoint=\"" + key.first + "\",status=\"" + std::to_string(key.second) + "\"";
            for (size_t i = 0; i < kBuckets.size(); ++i)
                out += "abstrakt_http_request_duration_seconds_bucket{" + labels + ",le=\"" + num(kBuckets[i]) + "\"} " +
                       std::to_string(s.buckets[i]) + "\n";
            out += "abstrakt_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(s.count) + "\n";
            out += "abstrakt_http_request_duration_seconds_sum{" + labels + "} " + num(s.sum) + "\n";
            out += "abstrakt_http_request_duration_seconds_count{" + labels + "} " + std::to_string(s.count) + "\n";
        }
        out += "# HELP abstrakt_http_over_budget_total Requests that took longer than the time budget of " +
               std::to_string(kTimeBudgetMs) + " ms.\n";
        out += "# TYPE abstrakt_http_over_budget_total counter\n";
        for (const auto& [endpoint, n] : over_budget_)
            out += "abstrakt_http_over_budget_total{endpoint=\"" + endpoint + "\"} " + std::to_string(n) + "\n";
        out += "# HELP abstrakt_http_worker_threads Worker threads, each with its own index reader.\n";
        out += "# TYPE abstrakt_http_worker_threads gauge\n";
        out += "abstrakt_http_worker_threads " + std::to_string(threads) + "\n";
        out += "# HELP abstrakt_http_open_connections Client connections open now.\n";
        out += "# TYPE abstrakt_http_open_connections gauge\n";
        out += "abstrakt_http_open_connections " + std::to_string(connections) + "\n";
        out += "# HELP abstrakt_uptime_seconds Seconds since the server started.\n";
        out += "# TYPE abstrakt_uptime_seconds gauge\n";
        out += "abstrakt_uptime_seconds " + num(uptime_s) + "\n";
        out += "# HELP abstrakt_index_up 1 when the index can be opened, else 0.\n";
        out += "# TYPE abstrakt_index_up gauge\n";
        out += std::string("abstrakt_index_up ") + (info ? "1" : "0") + "\n";
        if (info) {
            out += "# HELP abstrakt_index_revision Revision of the index as of this scrape.\n";
            out += "# TYPE abstrakt_index_revision gauge\n";
            out += "abstrakt_index_revision " + std::to_string(info->revision) + "\n";
            out += "# HELP abstrakt_index_documents Papers in the index.\n";
            out += "# TYPE abstrakt_index_documents gauge\n";
            out += "abstrakt_index_documents " + std::to_string(info->documents) + "\n";
            out += "# HELP abstrakt_index_size_bytes Size of the index's files.\n";
            out += "# TYPE abstrakt_index_size_bytes gauge\n";
            out += "abstrakt_index_size_bytes " + std::to_string(info->bytes) + "\n";
            out += "# HELP abstrakt_index_shards Shards the index is made of.\n";
            out += "# TYPE abstrakt_index_shards gauge\n";
            out += "abstrakt_index_shards " + std::to_string(info->shards) + "\n";
            out += "# HELP abstrakt_index_shards_missing Shards of a cluster with no replica answering.\n";
            out += "# TYPE abstrakt_index_shards_missing gauge\n";
            out += "abstrakt_index_shards_missing " + std::to_string(info->missing_shards.size()) + "\n";
        }
        return out;
    }

  private:
    struct Series {
        uint64_t count = 0;
        double sum = 0;
        std::array<uint64_t, kBuckets.size()> buckets{};
    };
    mutable std::mutex mu_;
    std::map<std::pair<std::string, int>, Series> series_;
    std::map<std::string, uint64_t> over_budget_;
};

// ---------------------------------------------------------------------------------------------
// Worker threads, each with its own Engine
// ---------------------------------------------------------------------------------------------

// What one worker thread owns: its Engine, and which index file it was opened on. Created on the
// thread's first request and destroyed when the thread ends, so that its Engine is created, used
// and destroyed on that thread only (Xapian objects are not thread-safe).
struct WorkerSlot {
    std::unique_ptr<Engine> engine;
    std::string path;  // canonical path of the index it reads
    dev_t dev = 0;
    ino_t ino = 0;
};

thread_local WorkerSlot t_slot;

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

enum class Route { kSearch, kPaper, kSimilar, kSuggest, kHealth, kMetrics };

// Route patterns: the metrics' endpoint label and the documentation's names.
const char* route_pattern(Route r) {
    switch (r) {
        case Route::kSearch: return "/search";
        case Route::kPaper: return "/papers/{id}";
        case Route::kSimilar: return "/papers/{id}/similar";
        case Route::kSuggest: return "/suggest";
        case Route::kHealth: return "/health";
        case Route::kMetrics: return "/metrics";
    }
    return "other";
}
constexpr const char* kEndpointList = "/search, /papers/{id}, /papers/{id}/similar, /suggest, /health, /metrics";

struct Matched {
    Route route;
    std::string id;  // decoded, for /papers/{id} and /papers/{id}/similar
};

// Matches the raw (still percent-encoded) path, so that an id may contain an encoded '/'.
// nullopt: no such endpoint. Sets `malformed` when a segment has a bad %-escape.
std::optional<Matched> match_route(std::string_view raw_path, bool& malformed) {
    malformed = false;
    if (raw_path.empty() || raw_path[0] != '/') return std::nullopt;
    std::vector<std::string> segments;
    size_t start = 1;
    while (true) {
        size_t slash = raw_path.find('/', start);
        std::string_view seg = raw_path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        std::string decoded;
        if (!percent_decode(seg, false, decoded)) {
            malformed = true;
            return std::nullopt;
        }
        segments.push_back(std::move(decoded));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    auto is = [&](std::initializer_list<const char*> want) {
        if (segments.size() != want.size()) return false;
        size_t i = 0;
        for (const char* w : want) {
            if (w && segments[i] != w) return false;
            if (!w && segments[i].empty()) return false;  // nullptr: the id, not empty
            ++i;
        }
        return true;
    };
    if (is({"search"})) return Matched{Route::kSearch, ""};
    if (is({"suggest"})) return Matched{Route::kSuggest, ""};
    if (is({"health"})) return Matched{Route::kHealth, ""};
    if (is({"metrics"})) return Matched{Route::kMetrics, ""};
    if (is({"papers", nullptr})) return Matched{Route::kPaper, segments[1]};
    if (is({"papers", nullptr, "similar"})) return Matched{Route::kSimilar, segments[1]};
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

class Service {
  public:
    Service(const ServerOptions& options, std::string db, unsigned threads)
        : db_(std::move(db)), ranking_(options.ranking), translator_(options.translator), threads_(threads), quiet_(options.quiet), started_(Clock::now()),
          ui_(options.ui), server_(connection_limits(options), threads, hooks()) {
        for (const std::string& o : options.cors_origins) {
            if (o == "*") any_origin_ = true;
            else origins_.push_back(o);
        }
        if (options.cors_origins.empty()) any_origin_ = true;
        // What makes this server's answers beside the index: its version and its ranking parameters.
        answers_by_ = std::string(kVersion) + '\0' + (ranking_ ? *ranking_ : RankingParams{}).to_json().dump();
    }

    Server& server() { return server_; }

  private:
    static ConnectionLimits connection_limits(const ServerOptions& options) {
        ConnectionLimits l;
        l.max_request_line_bytes = kMaxRequestLineBytes;
        l.max_head_bytes = kMaxHeaderBytes;
        l.max_header_fields = kMaxHeaderFields;
        l.head_timeout_ms = kHeadTimeoutS * 1000;
        l.idle_timeout_ms = kKeepAliveTimeoutS * 1000;
        l.write_timeout_ms = kSocketTimeoutS * 1000;
        l.max_requests_per_connection = kKeepAliveMaxRequests;
        l.max_connections = options.max_connections;
        l.max_queued_requests = kMaxQueuedRequests;
        return l;
    }

    Server::Hooks hooks() {
        Server::Hooks h;
        h.handle = [this](const Request& req, Response& res) { dispatch(req, res); };
        h.refuse = [this](const Request& req, Response& res, const std::string& reason) {
            reply_error(res, server_error(res.status, reason));
            res.set_header("Cache-Control", "no-store");
            decorate(req, res);
        };
        h.log = [this](const Request& req, const Response& res, double seconds) { log(req, res, seconds); };
        return h;
    }

    // -- every request ---------------------------------------------------------------------------

    void dispatch(const Request& req, Response& res) {
        try {
            route(req, res);
        } catch (const std::exception& e) {
            res.body.clear();
            reply_error(res, {500, "internal", std::string("unexpected error: ") + e.what()});
        } catch (...) {
            res.body.clear();
            reply_error(res, {500, "internal", "unexpected error"});
        }
        finish(req, res);
        decorate(req, res);
    }

    // -- caching and compression (docs/http-api.md, "Caching and compression") ---------------------

    // Before a cacheable request is answered: its ETag, from the index as of now and the request as
    // parsed (`key`, where the ignored parameters and empty values are already gone), goes into
    // `res`. True when the client's If-None-Match names it: `res` is then the 304.
    //
    // The revision is read before the answer is made, so that the ETag never names a newer revision
    // than the body: a commit in between gives a body newer than its ETag, which costs the client
    // one full answer more at its next revalidation, never a stale 304. No ETag when the index has no
    // revision (a cluster file: Xapian's remote backend gives none; an index never committed to).
    bool not_modified(const Request& req, Engine& e, const std::string& key, Response& res) {
        Result<Engine::Info> info = e.revision();
        if (!info.is_ok() || info->revision == 0) return false;
        const WorkerSlot& slot = t_slot;
        // The index's identity beside its revision: a rebuild switched in, or an index deleted and
        // made again at the same path, may reach the same revision number with other papers. And the
        // server's version and ranking parameters: a restart with others ranks the same index otherwise.
        const std::string identity = answers_by_ + '\0' + slot.path + '\0' + std::to_string(slot.dev) + '\0' +
                                     std::to_string(slot.ino) + '\0' + std::to_string(info->documents);
        const std::string etag = "W/\"r" + std::to_string(info->revision) + "-" + hex64(fnv1a64(key, fnv1a64(identity))) + "\"";
        res.set_header("ETag", etag);
        const std::optional<std::string> inm = joined_header(req, "if-none-match");
        if (!inm || match_if_none_match(*inm, etag) != TagMatch::kTag) return false;
        res.status = 304;
        res.body.clear();
        cacheable(res);
        return true;
    }

    // A 200 that a client or a shared cache may reuse for kCacheMaxAgeS seconds.
    static void cacheable(Response& res) {
        res.set_header("Cache-Control", "public, max-age=" + std::to_string(kCacheMaxAgeS));
    }

    // After the endpoint: If-None-Match: * (any current answer) turns a cacheable 200 into a 304;
    // any other answer has no ETag and must not be stored; a body the client takes gzip-compressed
    // and that is worth it is compressed.
    void finish(const Request& req, Response& res) const {
        const std::string* cache_control = res.header("Cache-Control");
        const bool reusable = (res.status == 200 || res.status == 304) && cache_control && cache_control->rfind("public", 0) == 0;
        if (!reusable) {
            res.erase_header("ETag");
            // The page's files say no-cache themselves (searcher/ui.h).
            if (!cache_control && res.status != 204) res.set_header("Cache-Control", "no-store");
        } else if (res.status == 200) {
            const std::optional<std::string> inm = joined_header(req, "if-none-match");
            if (inm && match_if_none_match(*inm, "") == TagMatch::kAny) {
                res.status = 304;
                res.body.clear();
                return;
            }
        }
        if (res.status != 200 || res.body.size() < kMinGzipBytes) return;
        const std::optional<std::string> accept = joined_header(req, "accept-encoding");
        if (!accepts_gzip(accept ? &*accept : nullptr)) return;
        std::string compressed = gzip(res.body);
        if (compressed.empty()) return;
        res.body = std::move(compressed);
        res.set_header("Content-Encoding", "gzip");
    }

    void route(const Request& req, Response& res) {
        // A body is never read (the connection layer closes the connection after the response).
        const bool body = req.has_body();
        if (body) res.close = true;

        std::string_view target = req.target;
        const size_t qmark = target.find('?');
        const std::string_view raw_path = target.substr(0, qmark);
        const std::string_view raw_query = qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);
        bool malformed = false;
        std::optional<Matched> m = match_route(raw_path, malformed);
        if (!m) {
            if (!malformed && serve_page(req, raw_path, res)) return;
            if (malformed) return reply_error(res, bad_parameter("malformed path " + in_quotes(raw_path) + ": a % must be followed by two hex digits"));
            return reply_error(res, {404, "not_found", "no endpoint at " + in_quotes(raw_path) + "; the endpoints are " + kEndpointList});
        }
        res.tag = route_pattern(m->route);

        if (req.method == "OPTIONS") return preflight(req, res);
        if (req.method != "GET" && req.method != "HEAD") {
            res.set_header("Allow", kAllow);
            return reply_error(res, {405, "method_not_allowed",
                                     req.method + " is not allowed on " + route_pattern(m->route) + "; use GET (or HEAD, OPTIONS)"});
        }
        if (body) return reply_error(res, {413, "request_too_large", "request bodies are not accepted: the API is read-only"});

        Result<Params> params = parse_query_string(raw_query);
        if (!params.is_ok()) return reply_error(res, bad_parameter(params.message()));
        switch (m->route) {
            case Route::kSearch: return search(req, params.value(), res);
            case Route::kPaper: return paper(req, m->id, params.value(), res);
            case Route::kSimilar: return similar(req, m->id, params.value(), res);
            case Route::kSuggest: return suggest(req, params.value(), res);
            case Route::kHealth: return health(params.value(), res);
            case Route::kMetrics: return metrics(params.value(), res);
        }
    }

    // The search page's files (searcher/ui.h), with their security headers. False when `raw_path` is
    // none of them.
    bool serve_page(const Request& req, std::string_view raw_path, Response& res) {
        Result<std::optional<ui::Asset>> found = ui_.find(raw_path);
        if (found.is_ok() && !found.value()) return false;
        res.tag = raw_path == "/" ? "/" : "/ui/{file}";
        if (req.method != "GET" && req.method != "HEAD") {
            res.set_header("Allow", "GET, HEAD");
            reply_error(res, {405, "method_not_allowed", req.method + " is not allowed on the page; use GET (or HEAD)"});
        } else if (req.has_body()) {
            reply_error(res, {413, "request_too_large", "request bodies are not accepted: the API is read-only"});
        } else if (!found.is_ok()) {
            reply_error(res, {500, "internal", found.message()});
        } else {
            res.status = 200;
            res.body = std::move(found.value()->body);
            res.set_header("Content-Type", std::string(found.value()->content_type));
            for (const auto& [name, value] : ui::security_headers()) res.set_header(name, std::string(value));
        }
        return true;
    }

    // CORS preflight (and a plain OPTIONS): what a browser may ask of this endpoint.
    void preflight(const Request& req, Response& res) {
        res.status = 204;
        res.body.clear();
        res.set_header("Allow", kAllow);
        res.set_header("Content-Type", kJsonType);
        if (origin_allowed(header_or_empty(req, "origin")) && req.header("access-control-request-method")) {
            res.set_header("Access-Control-Allow-Methods", kAllow);
            const std::string headers = header_or_empty(req, "access-control-request-headers");
            if (!headers.empty()) res.set_header("Access-Control-Allow-Headers", headers);
            res.set_header("Access-Control-Max-Age", "86400");
        }
    }

    static std::string header_or_empty(const Request& req, std::string_view lower_name) {
        const std::string* v = req.header(lower_name);
        return v ? *v : std::string();
    }

    bool origin_allowed(const std::string& origin) const {
        if (any_origin_) return true;
        return !origin.empty() && std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
    }

    // Headers on every response, the connection layer's refusals included.
    void decorate(const Request& req, Response& res) const {
        if (!res.header("Content-Type")) res.set_header("Content-Type", kJsonType);
        res.set_header("X-Content-Type-Options", "nosniff");
        // Every answer may come gzip-compressed or not, depending on Accept-Encoding.
        if (any_origin_) {
            res.set_header("Vary", "Accept-Encoding");
            res.set_header("Access-Control-Allow-Origin", "*");
        } else {
            res.set_header("Vary", "Origin, Accept-Encoding");
            const std::string origin = header_or_empty(req, "origin");
            if (origin_allowed(origin)) res.set_header("Access-Control-Allow-Origin", origin);
        }
    }

    void log(const Request& req, const Response& res, double seconds) {
        metrics_.observe(res.tag, res.status, seconds);
        if (quiet_) return;
        char ms[32];
        std::snprintf(ms, sizeof ms, "%.1f ms", seconds * 1000);
        say((req.method.empty() ? "-" : req.method) + " " + loggable(req.target) + " " + std::to_string(res.status) + " " + ms +
            (seconds * 1000 > kTimeBudgetMs ? " (over the time budget)" : ""));
    }

    // -- the index ---------------------------------------------------------------------------------

    // This thread's Engine, opened on what --db resolves to now. A new one is opened when the path
    // resolves to another file (a symlink switched, a stub file replaced); requests in flight on
    // other threads keep theirs. nullptr after answering 503.
    Engine* engine(Response& res) {
        WorkerSlot& slot = t_slot;
        std::error_code ec;
        const fs::path canonical = fs::canonical(db_, ec);
        struct stat st {};
        if (ec || ::stat(canonical.c_str(), &st) != 0) {
            slot.engine.reset();
            reply_error(res, {503, "unavailable",
                              "no index at " + db_ + " (create one with: abstrakt-index --db " + db_ + " add FILE)"});
            return nullptr;
        }
        if (!slot.engine || slot.path != canonical.native() || slot.dev != st.st_dev || slot.ino != st.st_ino) {
            slot.engine.reset();
            Result<std::unique_ptr<Engine>> opened = Engine::open(canonical.native(), EngineLimits{}, ranking_, translator_);
            if (!opened.is_ok()) {
                // A cluster file that does not parse is the server's fault, not the request's: 503.
                const Status& s = opened.status();
                reply_error(res, s.code() == ErrorCode::kInvalidArgument ? HttpError{503, "unavailable", s.message()}
                                                                         : to_http_error(s, NotFound::kIndex));
                return nullptr;
            }
            slot.engine = std::move(opened.value());
            slot.path = canonical.native();
            slot.dev = st.st_dev;
            slot.ino = st.st_ino;
        }
        return slot.engine.get();
    }

    // -- endpoints ---------------------------------------------------------------------------------

    // The request as the cache key of its ETag: every field the answer depends on, as parsed.
    static std::string cache_key(const SearchRequest& r) {
        std::string k = "search";
        for (const std::string* f : {&r.query, &r.lang, &r.from, &r.to, &r.author, &r.query_lang}) k += '\0' + *f;
        k += '\0' + std::to_string(static_cast<int>(r.sort)) + '\0' + std::to_string(r.offset) + '\0' + std::to_string(r.limit);
        k += '\0' + std::to_string(r.facets) + std::to_string(r.explain) + std::to_string(r.exact_total) + std::to_string(r.spelling) +
             std::to_string(r.prefix) + std::to_string(r.typos) + std::to_string(r.translate);
        for (const std::string& c : r.categories) k += '\0' + c;
        return k;
    }

    void search(const Request& req, const Params& params, Response& res) {
        Result<SearchRequest> request = parse_search_params(params);
        if (!request.is_ok()) return reply_error(res, bad_parameter(request.message()));
        Engine* e = engine(res);
        if (!e) return;
        if (not_modified(req, *e, cache_key(request.value()), res)) return;
        Result<SearchResponse> r = e->search(request.value());
        if (!r.is_ok()) return reply_error(res, to_http_error(r.status(), NotFound::kIndex));
        reply_json(res, 200, to_json(r.value()));
        // Not kept: an answer without some shards, or cut short by the time budget.
        if (!r->partial && r->took_ms < kTimeBudgetMs) cacheable(res);
    }

    void paper(const Request& req, const std::string& id, const Params& params, Response& res) {
        Status s = check_params(params, nullptr, nullptr, "/papers/{id}");
        if (!s.is_ok()) return reply_error(res, bad_parameter(s.message()));
        if (!valid_utf8(id)) return reply_error(res, bad_parameter("the id is not valid UTF-8"));
        Engine* e = engine(res);
        if (!e) return;
        if (not_modified(req, *e, std::string("paper") + '\0' + id, res)) return;
        Result<Record> r = e->paper(id);
        if (!r.is_ok()) return reply_error(res, to_http_error(r.status(), NotFound::kPaper));
        reply_json(res, 200, to_json(r.value()));
        cacheable(res);
    }

    void similar(const Request& req, const std::string& id, const Params& params, Response& res) {
        Status s = check_params(params, std::begin(kSimilarParams), std::end(kSimilarParams), "/papers/{id}/similar");
        if (!s.is_ok()) return reply_error(res, bad_parameter(s.message()));
        if (!valid_utf8(id)) return reply_error(res, bad_parameter("the id is not valid UTF-8"));
        Result<uint64_t> offset = count_param(params, param::kOffset, 0, 0, kMaxOffset);
        if (!offset.is_ok()) return reply_error(res, bad_parameter(offset.message()));
        Result<uint64_t> limit = count_param(params, param::kLimit, kDefaultLimit, 0, kMaxLimit);
        if (!limit.is_ok()) return reply_error(res, bad_parameter(limit.message()));
        Engine* e = engine(res);
        if (!e) return;
        const std::string key = std::string("similar") + '\0' + id + '\0' + std::to_string(offset.value()) + '\0' + std::to_string(limit.value());
        if (not_modified(req, *e, key, res)) return;
        Result<SearchResponse> r = e->similar(id, offset.value(), limit.value());
        if (!r.is_ok()) return reply_error(res, to_http_error(r.status(), NotFound::kPaper));
        reply_json(res, 200, to_json(r.value()));
        if (!r->partial && r->took_ms < kTimeBudgetMs) cacheable(res);
    }

    void suggest(const Request& req, const Params& params, Response& res) {
        Status s = check_params(params, std::begin(kSuggestParams), std::end(kSuggestParams), "/suggest");
        if (!s.is_ok()) return reply_error(res, bad_parameter(s.message()));
        Result<uint64_t> limit = count_param(params, param::kLimit, kDefaultSuggestLimit, 1, kMaxSuggestLimit);
        if (!limit.is_ok()) return reply_error(res, bad_parameter(limit.message()));
        const std::string* q = find_param(params, param::kQuery);
        nlohmann::ordered_json j;
        j["query"] = q ? *q : "";
        j["took_ms"] = 0.0;
        j["suggestions"] = nlohmann::ordered_json::array();
        if (q && !q->empty()) {
            Engine* e = engine(res);
            if (!e) return;
            if (not_modified(req, *e, std::string("suggest") + '\0' + *q + '\0' + std::to_string(limit.value()), res)) return;
            const Clock::time_point start = Clock::now();
            Result<std::vector<std::string>> r = e->suggest(*q, static_cast<size_t>(limit.value()));
            if (!r.is_ok()) return reply_error(res, to_http_error(r.status(), NotFound::kIndex));
            // The time the engine took, rounded as /search's took_ms.
            j["took_ms"] = std::round(std::chrono::duration<double, std::milli>(Clock::now() - start).count() * 1000) / 1000;
            j["suggestions"] = r.value();
        }
        reply_json(res, 200, dump(j));
        cacheable(res);
    }

    void health(const Params& params, Response& res) {
        Status s = check_params(params, nullptr, nullptr, "/health");
        if (!s.is_ok()) return reply_error(res, bad_parameter(s.message()));
        Engine* e = engine(res);
        if (!e) return;
        Result<Engine::Info> info = e->revision();  // no size of the files here: not read
        if (!info.is_ok()) return reply_error(res, to_http_error(info.status(), NotFound::kIndex));
        nlohmann::ordered_json j;
        // "partial" when shards of a cluster are missing: searches answer, from the other shards.
        j["status"] = info->missing_shards.empty() ? "ok" : "partial";
        j["revision"] = info->revision;
        j["documents"] = info->documents;
        j["shards"] = info->shards;
        j["missing_shards"] = info->missing_shards;
        j["uptime_s"] = std::round(uptime_s() * 1000) / 1000;
        reply_json(res, 200, dump(j));
    }

    void metrics(const Params& params, Response& res) {
        Status s = check_params(params, nullptr, nullptr, "/metrics");
        if (!s.is_ok()) return reply_error(res, bad_parameter(s.message()));
        std::optional<Engine::Info> info;
        Response scratch;  // an unavailable index is a gauge here, not an error
        if (Engine* e = engine(scratch)) {
            Result<Engine::Info> i = e->info();
            if (i.is_ok()) info = i.value();
        }
        res.status = 200;
        res.body = metrics_.render(info, uptime_s(), threads_, server_.open_connections());
        res.set_header("Content-Type", kMetricsType);
    }

    double uptime_s() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }

    const std::string db_;
    const std::shared_ptr<const RankingParams> ranking_;  // every worker's engines rank with these
    const std::shared_ptr<SharedTranslator> translator_;   // and translate with this (nullptr: none)
    std::string answers_by_;  // part of every ETag (not_modified)
    const unsigned threads_;
    const bool quiet_;
    const Clock::time_point started_;
    bool any_origin_ = false;
    std::vector<std::string> origins_;
    Metrics metrics_;
    const ui::Site ui_;
    Server server_;  // last: it is destroyed (its workers joined) before what its hooks use
};

std::string url_host(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

int serve(const ServerOptions& options) {
    // SIGTERM and SIGINT are blocked in every thread (the mask is inherited) and taken by one
    // watcher thread with sigtimedwait, which then stops the server from outside any signal handler.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    const std::string db = resolve_db_path(options.db);
    unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    threads = std::min(threads, kMaxThreads);
    Service service(options, db, threads);

    Result<int> listening = service.server().listen(options.host, options.port);
    if (!listening.is_ok()) {
        say("cannot listen on " + url_host(options.host) + ":" + std::to_string(options.port) + ": " + listening.message());
        return 1;
    }
    const int port = listening.value();
    if (service.server().max_connections() < options.max_connections)
        say("note: at most " + std::to_string(service.server().max_connections()) +
            " connections at once: the limit of open files (ulimit -n) leaves no room for " +
            std::to_string(options.max_connections));

    {  // Say now, not at the first request, when the index cannot be opened.
        std::error_code ec;
        const fs::path canonical = fs::canonical(db, ec);
        Result<std::unique_ptr<Engine>> probe = Engine::open(ec ? db : canonical.native());
        if (!probe.is_ok()) say("note: " + probe.message() + "; answering 503 until it can be opened");
    }
    say("listening on http://" + url_host(options.host) + ":" + std::to_string(port) + " (" + std::to_string(threads) +
        (threads == 1 ? " thread" : " threads") + ", index " + db + ")");

    std::atomic<bool> done{false};
    std::thread watcher([&] {
        bool stopping = false;
        while (!done) {
            timespec wait{0, 100 * 1000 * 1000};
            const int sig = sigtimedwait(&signals, nullptr, &wait);
            if (sig < 0) continue;  // timeout or EINTR: look at `done` again
            const char* name = sig == SIGINT ? "SIGINT" : "SIGTERM";
            if (stopping) {
                say(std::string(name) + " again: exiting now");
                _exit(kExitInterrupted);
            }
            stopping = true;
            service.server().stop();  // also before run() has started: it then returns at once
            say(std::string(name) + ": no longer accepting connections; finishing the requests in flight");
        }
    });

    const Status served = service.server().run();  // returns when stopped and drained
    done = true;
    watcher.join();
    if (!served.is_ok()) {
        say(served.message());
        return 1;
    }
    say("stopped");
    return 0;
}

}  // namespace abstrakt::http
