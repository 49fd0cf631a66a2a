// Fuzz target: abstrakt-serve's request-head parser (searcher/http_server.h, parse_request_head),
// which reads whatever bytes a client sends before any limit but its own applies.
//
// The first byte picks the limits: odd, the server's own (http_params.h); even, small ones (a 64-byte
// request line, a 256-byte head, 4 fields), so that every limit is reached by short inputs.
// Checks, beyond not crashing, hanging or throwing:
// - incomplete only while no limit is passed: never more than max_head_bytes held waiting (the
//   server's memory bound per connection);
// - complete: the head fits the limits; the method is a token, the target a path (or "*"), the
//   field names lower-case tokens, the values free of CR, LF and NUL; the head alone parses to the
//   same request, and without its last byte it is incomplete (bytes arriving one at a time give the
//   same answer as all at once);
// - refused: one of 400, 414, 431, 505, with a reason, and still refused whatever comes after.
#include <cstdint>
#include <string>
#include <string_view>

#include "searcher/http_params.h"
#include "searcher/http_server.h"
#include "tests/fuzz/fuzz_util.h"

using namespace abstrakt;
using namespace abstrakt::http;

namespace {

bool token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    ConnectionLimits limits;
    if (data[0] % 2) {
        limits.max_request_line_bytes = kMaxRequestLineBytes;
        limits.max_head_bytes = kMaxHeaderBytes;
        limits.max_header_fields = kMaxHeaderFields;
    } else {
        limits.max_request_line_bytes = 64;
        limits.max_head_bytes = 256;
        limits.max_header_fields = 4;
    }
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    Request req;
    const HeadParse p = parse_request_head(bytes, limits, req);
    switch (p.kind) {
        case HeadParse::Kind::kIncomplete:
            FUZZ_CHECK(bytes.size() <= limits.max_head_bytes, "incomplete with " + std::to_string(bytes.size()) + " bytes held");
            break;
        case HeadParse::Kind::kRefused: {
            FUZZ_CHECK(p.status == 400 || p.status == 414 || p.status == 431 || p.status == 505, "status " + std::to_string(p.status));
            FUZZ_CHECK(!p.reason.empty(), "a refusal without a reason");
            Request more;
            const std::string longer = std::string(bytes) + "\r\n\r\nGET / HTTP/1.1\r\n\r\n";
            FUZZ_CHECK(parse_request_head(longer, limits, more).kind == HeadParse::Kind::kRefused,
                       "refused, then accepted once more bytes came: " + fuzz::show(bytes));
            break;
        }
        case HeadParse::Kind::kComplete: {
            FUZZ_CHECK(p.head_bytes > 0 && p.head_bytes <= bytes.size() && p.head_bytes <= limits.max_head_bytes,
                       "head of " + std::to_string(p.head_bytes) + " bytes");
            FUZZ_CHECK(token(req.method), "method " + fuzz::show(req.method));
            FUZZ_CHECK(req.target == "*" || (!req.target.empty() && req.target[0] == '/'), "target " + fuzz::show(req.target));
            for (unsigned char c : req.target) FUZZ_CHECK(c > 0x20 && c != 0x7F, "target " + fuzz::show(req.target));
            FUZZ_CHECK(req.minor_version == 0 || req.minor_version == 1, "version");
            FUZZ_CHECK(req.headers.size() <= limits.max_header_fields, "too many fields");
            for (const auto& [name, value] : req.headers) {
                FUZZ_CHECK(token(name), "field name " + fuzz::show(name));
                for (char c : name) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'), "upper case in field name " + fuzz::show(name));
                FUZZ_CHECK(value.find_first_of(std::string("\r\n\0", 3)) == std::string::npos, "field value " + fuzz::show(value));
            }
            Request alone;
            const HeadParse q = parse_request_head(bytes.substr(0, p.head_bytes), limits, alone);
            FUZZ_CHECK(q.kind == HeadParse::Kind::kComplete && q.head_bytes == p.head_bytes && alone.method == req.method &&
                           alone.target == req.target && alone.headers == req.headers,
                       "the head alone parses differently: " + fuzz::show(bytes.substr(0, p.head_bytes)));
            Request shorter;
            FUZZ_CHECK(parse_request_head(bytes.substr(0, p.head_bytes - 1), limits, shorter).kind == HeadParse::Kind::kIncomplete,
                       "complete without its last byte: " + fuzz::show(bytes.substr(0, p.head_bytes)));
            break;
        }
    }
    return 0;
}
