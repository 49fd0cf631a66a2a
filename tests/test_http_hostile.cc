// Hostile input over HTTP (issue 7): the connection layer's request-head parser as a table, in
// process; then the real abstrakt-serve binary under oversized, malformed and slow requests, each
// of which must get a 4xx in bounded time (or, for a client that sends nothing, a closed
// connection) while other clients keep being answered, with the server's memory bounded.
#include "searcher/http_server.h"

#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "common/result.h"
#include "http_harness.h"
#include "searcher/http_params.h"

using namespace abstrakt;
using namespace abstrakt::test;

namespace {

using Kind = http::HeadParse::Kind;

struct HeadRow {
    const char* what;
    std::string bytes;
    Kind kind;
    int status;           // kRefused
    std::string target;   // kComplete
    size_t fields;        // kComplete
};

bool send_all(int fd, const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<size_t>(n);
    }
    return true;
}

// Whether the server closed `fd` (end of stream or reset) within `timeout`; what it sent first is
// appended to `got`.
bool closed_within(int fd, std::chrono::milliseconds timeout, std::string& got) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left)) <= 0) return false;
        char buf[4096];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return true;
        got.append(buf, static_cast<size_t>(n));
    }
}

// Peak resident memory of a process in kB (VmHWM), 0 when unknown.
long peak_kb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
    return 0;
}

}  // namespace

TEST_CASE("http: request heads, as the connection layer reads them") {
    http::ConnectionLimits limits;
    limits.max_request_line_bytes = 64;
    limits.max_head_bytes = 256;
    limits.max_header_fields = 4;
    const std::string h = "Host: x\r\n";
    const std::vector<HeadRow> rows = {
        {"a plain GET", "GET /search?q=a HTTP/1.1\r\n" + h + "\r\n", Kind::kComplete, 0, "/search?q=a", 1},
        {"HTTP/1.0, no fields", "GET / HTTP/1.0\r\n\r\n", Kind::kComplete, 0, "/", 0},
        {"bare LF line ends", "GET /a HTTP/1.1\nHost: x\n\n", Kind::kComplete, 0, "/a", 1},
        {"empty lines before the request line are skipped", "\r\n\r\nGET /a HTTP/1.1\r\n\r\n", Kind::kComplete, 0, "/a", 0},
        {"absolute form keeps the path", "GET http://example.org/search?q=a HTTP/1.1\r\n\r\n", Kind::kComplete, 0,
         "/search?q=a", 0},
        {"absolute form without a path", "GET HTTP://example.org HTTP/1.1\r\n\r\n", Kind::kComplete, 0, "/", 0},
        {"absolute form, query only", "GET http://example.org?q=a HTTP/1.1\r\n\r\n", Kind::kComplete, 0, "/?q=a", 0},
        {"OPTIONS *", "OPTIONS * HTTP/1.1\r\n\r\n", Kind::kComplete, 0, "*", 0},
        {"raw UTF-8 in the target", "GET /search?q=\xE6\xA8\xA1\xE5\x9E\x8B HTTP/1.1\r\n\r\n", Kind::kComplete, 0,
         "/search?q=\xE6\xA8\xA1\xE5\x9E\x8B", 0},
        {"a field value with tabs and spaces around it", "GET / HTTP/1.1\r\nX-A: \t v \t\r\n\r\n", Kind::kComplete, 0, "/", 1},
        {"exactly the field limit", "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", Kind::kComplete, 0, "/", 4},
        // Incomplete: more bytes may complete it.
        {"nothing yet", "", Kind::kIncomplete, 0, "", 0},
        {"half a request line", "GET /sea", Kind::kIncomplete, 0, "", 0},
        {"no blank line yet", "GET / HTTP/1.1\r\nHost: x\r\n", Kind::kIncomplete, 0, "", 0},
        {"garbage without a line end waits (and times out: 408)", "GARBAGE", Kind::kIncomplete, 0, "", 0},
        // Refused.
        {"one word", "GARBAGE\r\n\r\n", Kind::kRefused, 400, "", 0},
        {"two spaces between method and target", "GET  / HTTP/1.1\r\n\r\n", Kind::kRefused, 400, "", 0},
        {"a method that is not a token", "G(T / HTTP/1.1\r\n\r\n", Kind::kRefused, 400, "", 0},
        {"a target that is not a path", "GET search HTTP/1.1\r\n\r\n", Kind::kRefused, 400, "", 0},
        {"a control character in the target", std::string("GET /a\x01 HTTP/1.1\r\n\r\n"), Kind::kRefused, 400, "", 0},
        {"HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", Kind::kRefused, 505, "", 0},
        {"HTTP/1.1x", "GET / HTTP/1.1x\r\n\r\n", Kind::kRefused, 400, "", 0},
        {"a field without a colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n", Kind::kRefused, 400, "", 0},
        {"space before the colon (request smuggling)", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", Kind::kRefused, 400, "", 0},
        {"a folded field", "GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", Kind::kRefused, 400, "", 0},
        {"NUL in a field value", std::string("GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n", 29), Kind::kRefused, 400, "", 0},
        {"a CR inside a field value", "GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n", Kind::kRefused, 400, "", 0},
        {"a request line over the limit", "GET /" + std::string(70, 'a') + " HTTP/1.1\r\n\r\n", Kind::kRefused, 414, "", 0},
        // Regression (cpp-httplib 0.11.4): a request line without end was read into memory forever.
        {"a request line over the limit, no line end yet", "GET /" + std::string(70, 'a'), Kind::kRefused, 414, "", 0},
        {"one field over the limit", "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n", Kind::kRefused, 431, "", 0},
        {"a head over the byte limit", "GET / HTTP/1.1\r\nX-A: " + std::string(300, 'a') + "\r\n\r\n", Kind::kRefused, 431, "", 0},
        // Regression (cpp-httplib 0.11.4): header fields without end were read into memory forever.
        {"a head over the byte limit, no blank line yet", "GET / HTTP/1.1\r\nX-A: " + std::string(300, 'a'), Kind::kRefused,
         431, "", 0},
        {"leading empty lines count toward the head", std::string(300, '\n') + "GET / HTTP/1.1\r\n\r\n", Kind::kRefused, 431,
         "", 0},
    };
    for (const HeadRow& row : rows) {
        INFO(std::string(row.what));
        http::Request req;
        http::HeadParse p = http::parse_request_head(row.bytes, limits, req);
        CHECK(static_cast<int>(p.kind) == static_cast<int>(row.kind));
        if (row.kind == Kind::kRefused) {
            CHECK(p.status == row.status);
            CHECK(!p.reason.empty());
        }
        if (row.kind == Kind::kComplete && p.kind == Kind::kComplete) {
            CHECK(req.target == row.target);
            CHECK(req.headers.size() == row.fields);
            CHECK(p.head_bytes == row.bytes.size());
        }
    }

    SUBCASE("field names are lower-cased, values kept; pipelined bytes are not part of the head") {
        const std::string first = "GET /a HTTP/1.1\r\nHost: X\r\nConnection: Close\r\n\r\n";
        http::Request req;
        http::HeadParse p = http::parse_request_head(first + "GET /b HTTP/1.1\r\n\r\n", limits, req);
        REQUIRE(p.kind == Kind::kComplete);
        CHECK(p.head_bytes == first.size());
        REQUIRE(req.header("connection"));
        CHECK(*req.header("connection") == "Close");
        CHECK(req.header("Connection") == nullptr);  // names are looked up in lower case
        CHECK(req.method == "GET");
        CHECK(req.minor_version == 1);
    }
    SUBCASE("bodies") {
        struct {
            const char* fields;
            bool body;
        } const cases[] = {{"", false},
                           {"Content-Length: 0\r\n", false},
                           {"Content-Length: 000\r\n", false},
                           {"Content-Length: 5\r\n", true},
                           {"Content-Length: x\r\n", true},  // malformed: taken as a body (answered, then closed)
                           {"Content-Length:\r\n", true},
                           {"Transfer-Encoding: chunked\r\n", true}};
        for (const auto& c : cases) {
            INFO(std::string(c.fields));
            http::Request req;
            REQUIRE(http::parse_request_head(std::string("GET / HTTP/1.1\r\n") + c.fields + "\r\n", limits, req).kind ==
                    Kind::kComplete);
            CHECK(req.has_body() == c.body);
        }
    }
}

TEST_CASE("http: JSON bodies are HTML-safe and keep their values") {
    struct {
        const char* what;
        std::string value;
    } const rows[] = {
        {"a script element", "<script>alert(1)</script>"},
        {"an entity and a quote", "Tom & Jerry's \"show\""},
        {"closing a script from inside a string", "</script><img src=x onerror=alert(1)>"},
        {"JavaScript line separators", "a\xE2\x80\xA8" "b\xE2\x80\xA9" "c"},
        {"other characters after E2 80 stay", "\xE2\x80\xA6 and \xE2\x82\xAC"},
        {"a backslash before <", "\\<"},
    };
    for (const auto& row : rows) {
        INFO(std::string(row.what));
        nlohmann::json j = {{"title", row.value}};
        const std::string safe = html_safe_json(j.dump());
        for (char c : {'<', '>', '&', '\''}) CHECK(safe.find(c) == std::string::npos);
        CHECK(safe.find("\xE2\x80\xA8") == std::string::npos);
        CHECK(safe.find("\xE2\x80\xA9") == std::string::npos);
        CHECK(nlohmann::json::parse(safe)["title"] == row.value);
    }
    CHECK(html_safe_json(R"({"a":"<b>"})") == R"({"a":"\u003cb\u003e"})");
}

TEST_CASE("http: hostile requests get a 4xx in bounded time while other clients are served") {
    test::TempDir dir;
    build_index(dir.file("index"));
    ServerProcess server({"--db", dir.file("index"), "--quiet"});
    REQUIRE_MESSAGE(server.port() > 0, server.log());
    const int port = server.port();
    REQUIRE(get(server.url("/search?q=linear")).status == 200);
    const long peak_before = peak_kb(server.pid());

    // Another client asks /health every 50 ms for the whole test, on a new connection each time: the
    // slowest answer and any failure are checked at the end.
    std::atomic<bool> stop{false};
    std::atomic<long> probes{0}, probe_failures{0}, slowest_probe_ms{0};
    ThreadGroup group(stop);
    group.start([&] {
        while (!stop) {
            const auto t0 = Clock::now();
            Reply r = get(server.url("/health"));
            const long ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
            ++probes;
            if (r.status != 200) ++probe_failures;
            if (ms > slowest_probe_ms) slowest_probe_ms = ms;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });

    // Slow clients: 40 connections that send a request head one line every 500 ms and never finish
    // it, and 40 that connect and send nothing. They hold no worker; the first get 408 when their
    // head has not arrived 10 s (kHeadTimeoutS) after its first byte, the others are closed after
    // 5 s (kKeepAliveTimeoutS) without a response.
    std::vector<int> slow, silent;
    for (int i = 0; i < 40; ++i) {
        slow.push_back(connect_to(port));
        silent.push_back(connect_to(port));
        REQUIRE(slow.back() >= 0);
        REQUIRE(silent.back() >= 0);
        REQUIRE(send_all(slow.back(), "GET /search?q=slow HTTP/1.1\r\n"));
    }
    const auto slow_start = Clock::now();
    std::atomic<bool> stop_dripping{false};
    std::thread drip([&] {
        for (int n = 0; !stop_dripping && n < 60; ++n) {
            for (int fd : slow) send(fd, "X-Drip: 1\r\n", 11, MSG_NOSIGNAL);
            for (int t = 0; t < 10 && !stop_dripping; ++t) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });

    // Each hostile request, on its own connection: the status it must get, within 3 s (the engine's
    // time budget is 2 s; sanitizer builds get 4 times as long).
    std::string words2000, or100;
    for (int i = 0; i < 2000; ++i) words2000 += "a+";
    for (int i = 0; i < 100; ++i) or100 += (i ? "+OR+w" : "w") + std::to_string(i);
    std::string fields200, deep, letters100;
    for (int i = 0; i < 200; ++i) fields200 += "X-F" + std::to_string(i) + ": 1\r\n";
    for (int i = 0; i < 1000; ++i) deep += "%28";
    deep += "x";
    for (int i = 0; i < 1000; ++i) deep += "%29";
    for (int i = 0; i < 100; ++i) letters100 += std::string(1, static_cast<char>('a' + i % 26)) + "+";
    struct Hostile {
        const char* what;
        std::string request;  // sent as it is
        int status;
    };
    auto get_line = [](const std::string& target) { return "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"; };
    const std::vector<Hostile> hostile = {
        {"a q of 5,000 bytes", get_line("/search?q=" + std::string(5000, 'a')), 400},
        {"brackets nested 1,000 deep (deeper than 32: read as words, not parsed)", get_line("/search?q=" + deep), 200},
        {"brackets nested 200 deep", get_line("/search?q=" + std::string(200, '(') + "x" + std::string(200, ')')), 200},
        {"2,000 words", get_line("/search?q=" + words2000), 400},
        {"100 words OR-ed: the most accepted", get_line("/search?q=" + or100), 200},
        {"a one-letter prefix: no wildcard syntax, a plain word", get_line("/search?q=a*"), 200},
        {"a lone star", get_line("/search?q=*"), 200},
        {"one-letter words, 100 of them", get_line("/search?q=" + letters100), 200},
        {"the deepest offset", get_line("/search?q=a&offset=10000&limit=100"), 200},
        {"an offset past the limit", get_line("/search?q=a&offset=10001"), 400},
        {"an offset of 25 digits", get_line("/search?q=a&offset=9999999999999999999999999"), 400},
        {"a negative offset", get_line("/search?q=a&offset=-1"), 400},
        {"a limit past the limit", get_line("/search?q=a&limit=101"), 400},
        {"similar, offset past the limit", get_line("/papers/2402.19173/similar?offset=10001"), 400},
        {"a % without hex digits", get_line("/search?q=%zz"), 400},
        {"a % at the end", get_line("/search?q=a%"), 400},
        {"a malformed % in the path", get_line("/papers/%zz"), 400},
        {"invalid UTF-8 (FF FE)", get_line("/search?q=%ff%fe"), 400},
        {"an overlong encoding of /", get_line("/search?q=%c0%af"), 400},
        {"a UTF-16 surrogate", get_line("/search?q=%ed%a0%80"), 400},
        {"invalid UTF-8 in an id", get_line("/papers/%ff"), 400},
        {"raw invalid UTF-8 in the target", get_line("/search?q=\xff\xfe"), 400},
        {"path traversal", get_line("/../../etc/passwd"), 404},
        {"encoded path traversal as an id", get_line("/papers/..%2F..%2F..%2Fetc%2Fpasswd"), 404},
        {"dot segments before an endpoint", get_line("/x/../search?q=a"), 404},
        {"absolute form with traversal", get_line("http://evil.example/../../etc/passwd"), 404},
        {"200 header fields", "GET /health HTTP/1.1\r\n" + fields200 + "\r\n", 431},
        {"one field of 20 KB", "GET /health HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n", 431},
        {"a request line of 9,000 bytes", get_line("/search?q=" + std::string(9000, 'a')), 414},
        {"a body", "GET /search?q=a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 413},
        {"a chunked body", "GET /search?q=a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 413},
        {"HTTP/2.0 on the request line", "GET /health HTTP/2.0\r\n\r\n", 505},
        {"garbage", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15), 400},
        {"a folded header", "GET /health HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", 400},
    };
    for (const Hostile& h : hostile) {
        INFO(std::string(h.what));
        const auto t0 = Clock::now();
        const std::string response = raw_request(port, h.request, std::chrono::seconds(10 * kSlow));
        const long ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
        INFO("answer in ", ms, " ms: ", response.substr(0, 300));
        CHECK(raw_status(response) == h.status);
        CHECK(ms < 3000 * kSlow);
        CHECK(raw_header(response, "content-type") == kJson);
        const json body = json::parse(raw_body(response), nullptr, false);
        CHECK(body.is_object());
        if (h.status != 200) CHECK(body.contains("error"));
        CHECK(response.find("root:") == std::string::npos);  // no file is ever served
    }

    // Floods: a client that sends header fields (or a request line) without end gets 431 (414), and
    // its connection is closed after at most 1 MB more; the server's peak memory grows by far less
    // than what was sent.
    // (A struct, not structured bindings: clang's C++17 does not let INFO's lambda capture those.)
    struct Flood {
        std::string what, first, filler;
        int status;
    };
    const Flood floods[] = {{"header flood", "GET /health HTTP/1.1\r\n", "X-Flood: " + std::string(4000, 'a') + "\r\n", 431},
                            {"endless request line", "GET /", std::string(4000, 'a'), 414}};
    for (const Flood& f : floods) {
        const std::string& first = f.first;
        const std::string& filler = f.filler;
        INFO(f.what);
        int fd = connect_to(port);
        REQUIRE(fd >= 0);
        send_all(fd, first);
        size_t sent = first.size();
        // 32 MB at most; the server stops reading long before.
        while (sent < (32u << 20)) {
            pollfd p{fd, POLLOUT, 0};
            if (poll(&p, 1, 2000 * kSlow) <= 0) break;  // the server no longer reads
            ssize_t n = send(fd, filler.data(), filler.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
            if (n <= 0) break;  // closed
            sent += static_cast<size_t>(n);
        }
        std::string got;
        closed_within(fd, std::chrono::seconds(5 * kSlow), got);
        close(fd);
        CHECK(raw_status(got) == f.status);
        CHECK(sent < (32u << 20));
    }

    // Pipelined requests on one connection are answered in order; a bare-LF request is understood.
    {
        const std::string three = "GET /health HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\n\nGET /search?q=a&limit=x HTTP/1.1\r\nConnection: close\r\n\r\n";
        int fd = connect_to(port);
        REQUIRE(fd >= 0);
        REQUIRE(send_all(fd, three));
        std::string got;
        CHECK(closed_within(fd, std::chrono::seconds(10 * kSlow), got));
        close(fd);
        const size_t a = got.find("HTTP/1.1 200"), b = got.find("HTTP/1.1 404"), c = got.find("HTTP/1.1 400");
        CHECK(a == 0);
        CHECK(b != std::string::npos);
        CHECK(c != std::string::npos);
        CHECK((a < b && b < c));
    }

    // The slow clients: every dripping one gets 408 (after 10 s of its head), every silent one is
    // closed, all within 13 s of the start (a sweep every 100 ms; sanitizer builds get longer).
    for (size_t i = 0; i < slow.size(); ++i) {
        std::string got;
        const auto left = std::chrono::seconds(13 * kSlow) - (Clock::now() - slow_start);
        const bool closed = closed_within(slow[i], std::chrono::duration_cast<std::chrono::milliseconds>(left), got);
        CHECK_MESSAGE(closed, "slow client ", i);
        CHECK_MESSAGE(raw_status(got) == 408, "slow client ", i, ": ", got.substr(0, 200));
        std::string nothing;
        CHECK_MESSAGE(closed_within(silent[i], std::chrono::seconds(2 * kSlow), nothing), "silent client ", i);
        CHECK(nothing.empty());
    }
    const long slow_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - slow_start).count();
    CHECK(slow_ms >= 9900);  // not before the head timeout
    stop_dripping = true;
    drip.join();
    for (int fd : slow) close(fd);
    for (int fd : silent) close(fd);
    group.join();

    INFO("probes: ", probes.load(), ", slowest ", slowest_probe_ms.load(), " ms");
    CHECK(probes > 20);
    CHECK(probe_failures == 0);
    CHECK(slowest_probe_ms < 1000 * kSlow);
    // Memory: the floods sent megabytes; the server holds at most a head's 16 KiB per connection.
    // (Not under the sanitizers, whose allocators keep freed memory in quarantine.)
    if (kSlow == 1) {
        const long peak_after = peak_kb(server.pid());
        INFO("peak memory before ", peak_before, " kB, after ", peak_after, " kB");
        CHECK(peak_after - peak_before < 50 * 1024);
    }
    Reply still = get(server.url("/search?q=linear"));
    CHECK(still.status == 200);
    CHECK(server.log().find("runtime error") == std::string::npos);
}

TEST_CASE("http: connections beyond --max-connections get 503 busy, and the server goes on") {
    test::TempDir dir;
    build_index(dir.file("index"));
    ServerProcess server({"--db", dir.file("index"), "--quiet", "--max-connections", "16"});
    REQUIRE_MESSAGE(server.port() > 0, server.log());
    std::vector<int> held;
    for (int i = 0; i < 16; ++i) {
        held.push_back(connect_to(server.port()));
        REQUIRE(held.back() >= 0);
    }
    // The server has accepted the 16 (one round of its loop); the next one is refused at once.
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * kSlow));
    const std::string refused = raw_request(server.port(), "GET /health HTTP/1.1\r\n\r\n", std::chrono::seconds(5 * kSlow));
    CHECK(raw_status(refused) == 503);
    CHECK(raw_header(refused, "retry-after") == "5");
    CHECK(json::parse(raw_body(refused), nullptr, false)["error"]["code"] == "busy");
    // One closed: room for one more.
    close(held.back());
    held.pop_back();
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * kSlow));
    const std::string served = raw_request(server.port(), "GET /health HTTP/1.1\r\nConnection: close\r\n\r\n",
                                           std::chrono::seconds(5 * kSlow));
    CHECK(raw_status(served) == 200);
    for (int fd : held) close(fd);

    SUBCASE("the option's range") {
        for (const char* bad : {"15", "65537", "x", ""}) {
            INFO(std::string(bad));
            ServerProcess wrong({"--db", dir.file("index"), "--max-connections", bad});
            CHECK(wrong.stop(0, std::chrono::seconds(10 * kSlow)) == 2);
            CHECK(wrong.log().find("--max-connections") != std::string::npos);
        }
    }
}
