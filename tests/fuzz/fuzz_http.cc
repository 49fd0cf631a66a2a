// Fuzz target: abstrakt-serve's query-string handling (searcher/http.h): parse_query_string on the
// part of a request target after '?', then parse_search_params on what it gives.
//
// Checks, beyond not crashing, hanging or throwing:
// - a query string that parses has no parameter without a name, and no more parameters than pieces
//   between '&'; without '%' and '+', every name and value is a piece of the input as it is;
// - re-encoded (every byte but the unreserved ones as %XX), the parameters parse back identically;
// - parameters that /search accepts are within its limits: query and values valid UTF-8 and not too
//   long, limit and offset in range, at most kMaxCategories categories, each trimmed, without commas;
//   a date that it accepts is one the query compiler's date filter accepts too.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/analysis.h"
#include "indexer/fetch.h"
#include "searcher/http.h"
#include "searcher/http_params.h"
#include "searcher/plan.h"
#include "tests/fuzz/fuzz_util.h"

using namespace abstrakt;
using namespace abstrakt::http;

namespace {

// Longer inputs are cut: the connection layer refuses a request line longer than kMaxRequestLineBytes.
constexpr size_t kMaxInput = kMaxRequestLineBytes;

std::string encode(const Params& params) {
    std::string out;
    for (const auto& [name, value] : params) out += (out.empty() ? "" : "&") + url_encode(name) + "=" + url_encode(value);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view query(reinterpret_cast<const char*>(data), size < kMaxInput ? size : kMaxInput);
    Result<Params> parsed = parse_query_string(query);
    if (!parsed.is_ok()) {
        FUZZ_CHECK(!parsed.message().empty(), "an error without a message");
        return 0;
    }
    const Params& params = parsed.value();
    FUZZ_CHECK(params.size() <= static_cast<size_t>(std::count(query.begin(), query.end(), '&')) + 1, "more parameters than pieces");
    const bool verbatim = query.find_first_of("%+") == std::string_view::npos;
    for (const auto& [name, value] : params) {
        FUZZ_CHECK(!name.empty(), "a parameter without a name");
        FUZZ_CHECK(!verbatim || (query.find(name) != std::string_view::npos && query.find(value) != std::string_view::npos),
                   "a name or value that is not in the input: " + fuzz::show(name) + "=" + fuzz::show(value));
    }
    const std::string again = encode(params);
    Result<Params> back = parse_query_string(again);
    FUZZ_CHECK(back.is_ok() && back.value() == params, "re-encoded parameters do not parse back: " + fuzz::show(again));

    Result<SearchRequest> request = parse_search_params(params);
    if (!request.is_ok()) {
        FUZZ_CHECK(!request.message().empty(), "an error without a message");
        return 0;
    }
    const SearchRequest& r = request.value();
    FUZZ_CHECK(r.query.size() <= kMaxQueryBytes && valid_utf8(r.query), "query " + fuzz::show(r.query));
    for (const std::string* v : {&r.lang, &r.author, &r.from, &r.to})
        FUZZ_CHECK(v->size() <= kMaxValueBytes && valid_utf8(*v), "value " + fuzz::show(*v));
    FUZZ_CHECK(r.limit <= kMaxLimit && r.offset <= kMaxOffset, "limit or offset out of range");
    FUZZ_CHECK(r.categories.size() <= kMaxCategories, "too many categories");
    for (const std::string& c : r.categories)
        FUZZ_CHECK(!c.empty() && c.front() != ' ' && c.back() != ' ' && c.find(',') == std::string::npos && valid_utf8(c),
                   "category " + fuzz::show(c));
    for (const std::string* d : {&r.from, &r.to})
        if (!d->empty()) {
            Result<PlanFilter> filter = date_filter(d == &r.from ? *d : "", d == &r.to ? *d : "");
            FUZZ_CHECK(filter.is_ok(), "a date /search accepts but the date filter refuses: " + fuzz::show(*d) + ": " + filter.message());
        }
    return 0;
}
