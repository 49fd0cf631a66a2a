// Behaviour of the HTTP fetcher against a local server that misbehaves on purpose.
#include "indexer/fetch.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "local_server.h"

using namespace abstrakt;

namespace {

// An HTTP server on a free loopback port, running on its own thread for the life of the object.
struct FaultyServer {
    std::atomic<int> flaky_calls{0}, limited_calls{0};
    test::LocalServer local;  // last: stops before the counters go
    httplib::Server& server = local.http;

    FaultyServer() {
        server.Get("/ok", [](const httplib::Request&, httplib::Response& res) { res.set_content("hello", "text/plain"); });
        server.Get("/flaky", [this](const httplib::Request&, httplib::Response& res) {
            if (++flaky_calls <= 2) {
                res.status = 500;  // twice a server error, then success
                return;
            }
            res.set_content("finally", "text/plain");
        });
        server.Get("/limited", [this](const httplib::Request&, httplib::Response& res) {
            if (++limited_calls == 1) {
                res.status = 429;
                res.set_header("Retry-After", "7");
                return;
            }
            res.set_content("let in", "text/plain");
        });
        server.Get("/missing", [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
        server.Get("/big", [](const httplib::Request&, httplib::Response& res) { res.set_content(std::string(5000, 'x'), "text/plain"); });
        server.Get("/hang", [](const httplib::Request&, httplib::Response& res) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
            res.set_content("late", "text/plain");
        });
        server.Get("/cut", [](const httplib::Request&, httplib::Response& res) {
            // Promises 100 bytes, sends 50, then closes the connection.
            res.set_content_provider(100, "text/plain", [](size_t offset, size_t, httplib::DataSink& sink) {
                if (offset > 0) return false;
                sink.write(std::string(50, 'y').data(), 50);
                return true;
            });
        });
        local.start();
    }
    int port() const { return local.port(); }
    std::string url(const std::string& path) const { return local.base() + path; }
};

// A fetcher that records its waits instead of sleeping.
struct TestFetcher {
    std::vector<double> waits;
    Fetcher fetcher;
    explicit TestFetcher(FetchOptions o) : fetcher(std::move(o)) {
        fetcher.sleep = [this](std::chrono::duration<double> d) { waits.push_back(d.count()); };
    }
};

FetchOptions quick() {
    FetchOptions o;
    o.timeout_s = 0.5;
    o.connect_timeout_s = 0.5;
    o.max_attempts = 3;
    o.backoff_s = 1;
    o.max_backoff_s = 30;
    return o;
}

}  // namespace

TEST_CASE("fetch: success, retries with backoff, Retry-After, limits") {
    FaultyServer s;
    {
        TestFetcher f(quick());
        auto r = f.fetcher.get(s.url("/ok"));
        REQUIRE(r.is_ok());
        CHECK(r->body == "hello");
        CHECK(r->status == 200);
        CHECK(r->attempts == 1);
        CHECK(f.waits.empty());
    }
    {
        TestFetcher f(quick());
        auto r = f.fetcher.get(s.url("/flaky"));  // 500, 500, 200
        REQUIRE(r.is_ok());
        CHECK(r->body == "finally");
        CHECK(r->attempts == 3);
        CHECK(f.waits == std::vector<double>{1, 2});  // exponential backoff
    }
    {
        TestFetcher f(quick());
        auto r = f.fetcher.get(s.url("/limited"));  // 429 with Retry-After: 7, then 200
        REQUIRE(r.is_ok());
        CHECK(r->body == "let in");
        CHECK(f.waits == std::vector<double>{7});
    }
    {
        TestFetcher f(quick());
        auto r = f.fetcher.get(s.url("/missing"));  // a 404 is final
        REQUIRE_FALSE(r.is_ok());
        CHECK(r.message().find("HTTP 404") != std::string::npos);
        CHECK(f.waits.empty());
    }
    {
        FetchOptions o = quick();
        o.max_bytes = 1000;
        TestFetcher f(o);
        auto r = f.fetcher.get(s.url("/big"));  // over the cap: an error, never a truncated body
        REQUIRE_FALSE(r.is_ok());
        CHECK(r.message().find("larger than 1000 bytes") != std::string::npos);
        CHECK(f.waits.empty());
    }
    {
        FetchOptions o = quick();
        o.max_attempts = 2;
        TestFetcher f(o);
        auto r = f.fetcher.get(s.url("/hang"));  // past the timeout, twice
        REQUIRE_FALSE(r.is_ok());
        CHECK(r.message().find("2 attempts") != std::string::npos);
        CHECK(f.waits.size() == 1);
    }
    {
        TestFetcher f(quick());
        auto r = f.fetcher.get(s.url("/cut"));  // a body cut in half is retried, then fails
        REQUIRE_FALSE(r.is_ok());
        CHECK(r.message().find("3 attempts") != std::string::npos);
    }
}

TEST_CASE("fetch: refused connections and bad URLs") {
    int closed_port;
    {
        FaultyServer s;
        closed_port = s.port();
    }
    TestFetcher f(quick());
    auto refused = f.fetcher.get("http://127.0.0.1:" + std::to_string(closed_port) + "/ok");
    REQUIRE_FALSE(refused.is_ok());
    CHECK(refused.status().code() == ErrorCode::kUnavailable);
    CHECK(refused.message().find("3 attempts") != std::string::npos);

    auto bad = f.fetcher.get("ftp://127.0.0.1/x");
    REQUIRE_FALSE(bad.is_ok());
    CHECK(bad.status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("fetch: Retry-After values") {
    CHECK(parse_retry_after("120") == 120);
    CHECK(parse_retry_after("0") == 0);
    CHECK(parse_retry_after("") == -1);
    CHECK(parse_retry_after("soon") == -1);
    CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0);  // a date in the past: no wait
}
