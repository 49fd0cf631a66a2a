// The nightly sync against a local feed server that serves the real fixtures in data/feeds/, with
// faults injected: converging to the same index as an undisturbed run, watermarks, merges.
#include "indexer/sync.h"

#include <doctest/doctest.h>
#include <xapian.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/shards.h"
#include "local_server.h"
#include "test_util.h"

using namespace abstrakt;

namespace {

using test::read_file;

std::string feed(const std::string& name) { return read_file(test::data_dir() + "/feeds/" + name); }

// A feed server: Hugging Face days and OAI-PMH pages from the fixtures, with faults on demand.
struct FeedServer {
    std::mutex mu;
    std::map<std::string, std::string> days;        // day -> body
    std::map<std::string, int> failures;            // day -> how many more times to answer with a fault
    std::map<std::string, std::string> faults;      // day -> which fault (see the handler); "500" if none given
    std::map<std::string, int> asked;               // day -> requests so far
    std::string retry_after = "7";                  // the Retry-After header of a 429
    std::chrono::milliseconds hang{1500};           // how long a "hang" answer takes at most
    std::atomic<int> requests{0};
    std::atomic<bool> stopping{false};              // set first thing on destruction: hangs end early
    test::LocalServer local;  // last: stops before the days and the counters go
    httplib::Server& server = local.http;

    FeedServer() {
        days["2024-05-28"] = feed("hf/2024-05-28.json");
        days["2024-05-29"] = feed("hf/2025-07-22.json");
        days["2024-05-30"] = feed("hf/2026-08-21.json");
        server.Get("/api/daily_papers", [this](const httplib::Request& req, httplib::Response& res) {
            ++requests;
            std::string day = req.get_param_value("date"), fault, body, retry;
            {
                std::lock_guard<std::mutex> lock(mu);  // not held while answering: a hang must not block others
                ++asked[day];
                if (failures[day] > 0) {
                    --failures[day];
                    fault = faults.count(day) ? faults[day] : "500";
                }
                auto it = days.find(day);
                body = it == days.end() ? "[]" : it->second;
                retry = retry_after;
            }
            if (fault == "500") {
                res.status = 500;
            } else if (fault == "429") {  // too many requests, come back later
                res.status = 429;
                res.set_header("Retry-After", retry);
            } else if (fault == "hang") {  // past the fetch timeout, in small steps so that a stop cuts it short
                const auto until = std::chrono::steady_clock::now() + hang;
                while (!stopping && std::chrono::steady_clock::now() < until)
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                res.set_content(body, "application/json");
            } else if (fault == "cut") {  // promises the whole fixture, sends its first half, then closes
                res.set_content_provider(body.size(), "application/json",
                                         [body](size_t offset, size_t, httplib::DataSink& sink) {
                                             if (offset > 0) return false;
                                             sink.write(body.data(), body.size() / 2);
                                             return true;
                                         });
            } else if (fault == "garbage") {  // a complete 200 whose body is the first half of the JSON
                res.set_content(body.substr(0, body.size() / 2), "application/json");
            } else {
                res.set_content(body, "application/json");
            }
        });
        server.Get("/oai", [this](const httplib::Request& req, httplib::Response& res) {
            ++requests;
            // The first page carries a resumption token; asking with it gives the last page.
            if (req.has_param("resumptionToken"))
                res.set_content(req.get_param_value("resumptionToken") == "6960524|1001"
                                    ? feed("oai/listrecords-page2-hep-th.xml")
                                    : feed("oai/error-badResumptionToken.xml"),
                                "text/xml");
            else
                res.set_content(feed("oai/listrecords-page1-hep-ex.xml"), "text/xml");
        });
        // The arXiv API: the three fixture pages at start=0, 10 and 20, then a page without entries
        // (the fixture's head, as arXiv answers past the end of a search).
        server.Get("/atom", [this](const httplib::Request& req, httplib::Response& res) {
            ++requests;
            const std::string start = req.get_param_value("start");
            const std::string page = start == "0" ? "0" : start == "10" ? "1" : start == "20" ? "2" : "";
            if (!page.empty()) {
                res.set_content(feed("atom/deep_dream-" + page + ".atom"), "application/atom+xml");
            } else {
                const std::string head = feed("atom/deep_dream-2.atom");
                res.set_content(head.substr(0, head.find("<entry>")) + "</feed>\n", "application/atom+xml");
            }
        });
        local.start();
    }
    ~FeedServer() { stopping = true; }  // before `local` stops and joins the handler threads
    std::string base() const { return local.base(); }

    // The next `count` requests for `day` answer with `fault` ("" and 0 clear it).
    void inject(const std::string& day, const std::string& fault, int count) {
        std::lock_guard<std::mutex> lock(mu);
        faults[day] = fault;
        failures[day] = count;
    }
};

SyncConfig hf_config(const FeedServer& s) {
    SyncConfig c;
    c.fetch.max_attempts = 2;
    c.fetch.timeout_s = 5;
    SourceConfig src;
    src.name = "hf";
    src.type = "hf-daily";
    src.base = s.base();
    src.start = "2024-05-28";
    c.sources.push_back(src);
    return c;
}

SyncOptions options(const std::string& today) {
    SyncOptions o;
    o.today = today;
    o.make_fetcher = [](const FetchOptions& fo) {
        auto f = std::make_unique<Fetcher>(fo);
        f->sleep = [](std::chrono::duration<double>) {};  // no real waiting in tests
        return f;
    };
    return o;
}

std::vector<SourceReport> run_sync(const std::string& db, const SyncConfig& c, const SyncOptions& o) {
    auto w = IndexWriter::open(db, true);
    REQUIRE(w.is_ok());
    auto r = sync_sources(*w.value(), c, o);
    REQUIRE_MESSAGE(r.is_ok(), r.message());
    return r.value();
}

// Every document's stored record, by id, every watermark and every retry list: what "the same
// index" means here.
std::map<std::string, std::string> contents(const std::string& db) {
    Xapian::Database d(db);
    std::map<std::string, std::string> out;
    for (auto t = d.allterms_begin("Q"); t != d.allterms_end("Q"); ++t) {
        auto p = d.postlist_begin(*t);
        out[*t] = stored_json(d.get_document(*p).get_data()).value();
    }
    for (const std::string& prefix : {watermark_key(""), retry_key("")})
        for (auto k = d.metadata_keys_begin(prefix); k != d.metadata_keys_end(prefix); ++k) out[*k] = d.get_metadata(*k);
    return out;
}

}  // namespace

TEST_CASE("sync: several days, then nothing new, and a failed day is retried and converges") {
    FeedServer s;
    test::TempDir dir;
    // Undisturbed: three days in one run. The fixtures hold 3, 4 and 3 papers.
    auto reports = run_sync(dir.file("clean"), hf_config(s), options("2024-05-30"));
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].fetched == 3);
    CHECK(reports[0].added == 10);
    CHECK(reports[0].failed == 0);
    CHECK(reports[0].watermark_before == "");
    CHECK(reports[0].watermark_after == "2024-05-30");
    CHECK(reports[0].summary() == "hf: fetched 3, added 10, updated 0, unchanged 0, deleted 0, skipped 0, failed 0; watermark (none) -> 2024-05-30");
    const auto clean = contents(dir.file("clean"));

    // A second run the same day fetches nothing and changes nothing.
    int before = s.requests;
    auto again = run_sync(dir.file("clean"), hf_config(s), options("2024-05-30"));
    CHECK(again[0].fetched == 0);
    CHECK(s.requests == before);
    CHECK(contents(dir.file("clean")) == clean);

    // Disturbed: the middle day fails (500 on every attempt of this run): the watermark stops before it.
    s.failures["2024-05-29"] = 2;
    auto first = run_sync(dir.file("faulty"), hf_config(s), options("2024-05-30"));
    CHECK(first[0].failed == 1);
    CHECK(first[0].watermark_after == "2024-05-28");
    REQUIRE(first[0].messages.size() == 1);
    CHECK(first[0].messages[0].find("2024-05-29: GET") != std::string::npos);
    CHECK(first[0].messages[0].find("HTTP 500") != std::string::npos);
    // The next run starts at the failed day and ends where the undisturbed run did.
    auto second = run_sync(dir.file("faulty"), hf_config(s), options("2024-05-30"));
    CHECK(second[0].failed == 0);
    CHECK(second[0].fetched == 2);
    CHECK(contents(dir.file("faulty")) == clean);
}

TEST_CASE("sync: each injected fault is reported, and a re-run converges to the undisturbed index") {
    FeedServer s;
    test::TempDir dir;
    REQUIRE(run_sync(dir.file("clean"), hf_config(s), options("2024-05-30"))[0].watermark_after == "2024-05-30");
    const auto clean = contents(dir.file("clean"));

    struct Row {
        std::string fault;          // what the server answers for 2024-05-29, on every attempt of the run
        std::string retry_after;    // the 429's Retry-After header
        double timeout_s;           // the fetch timeout of the run
        bool stops;                 // the source stops at the day (a request that failed), or the day goes
                                    // on the retry list and the source moves on (an answer that did not parse)
        int attempts;               // requests for 2024-05-29 in the disturbed run
        std::vector<double> waits;  // what the fetcher asked to sleep between its attempts
        std::string message;        // in the report's message
    };
    const Row rows[] = {
        // A server error: retried after the first backoff step (1 s), then given up.
        {"500", "", 5, true, 2, {1}, "HTTP 500 (2 attempts)"},
        // Rate limited: the retry waits for exactly what Retry-After asks.
        {"429", "7", 5, true, 2, {7}, "HTTP 429 (2 attempts)"},
        // Rate limited for longer than the fetcher will wait (max_backoff_s, 60): asking again sooner would
        // only be refused again, so the fetcher gives up at once and the next run tries again.
        {"429", "3600", 5, true, 1, {}, "HTTP 429, and Retry-After asks for 3600 s, longer than max_backoff_s (1 attempt)"},
        // No answer within the timeout (1 s here, the server takes 1.5 s): a transport error, retried.
        {"hang", "", 1, true, 2, {1}, "Timeout was reached (2 attempts)"},
        // The connection closes halfway through the declared Content-Length: retried, never parsed.
        {"cut", "", 5, true, 2, {1}, "Transferred a partial file (2 attempts)"},
        // A complete 200 whose body is half the JSON: not retried by the fetcher, a day that did not parse.
        {"garbage", "", 5, false, 1, {}, "daily papers for 2024-05-29: not valid JSON (the body ends too early)"},
    };
    int n = 0;
    for (const Row& row : rows) {
        CAPTURE(row.fault);
        CAPTURE(row.retry_after);
        const std::string db = dir.file("faulty-" + std::to_string(++n));
        SyncConfig c = hf_config(s);
        c.fetch.timeout_s = row.timeout_s;
        REQUIRE(c.fetch.max_attempts == 2);
        REQUIRE(c.fetch.max_backoff_s == 60);
        std::vector<double> waits;
        SyncOptions o = options("2024-05-30");
        o.make_fetcher = [&waits](const FetchOptions& fo) {
            auto f = std::make_unique<Fetcher>(fo);
            f->sleep = [&waits](std::chrono::duration<double> d) { waits.push_back(d.count()); };
            return f;
        };

        int asked_before;
        {
            std::lock_guard<std::mutex> lock(s.mu);
            s.retry_after = row.retry_after;
            asked_before = s.asked["2024-05-29"];
        }
        s.inject("2024-05-29", row.fault, c.fetch.max_attempts);
        auto disturbed = run_sync(db, c, o);
        REQUIRE(disturbed.size() == 1);
        const std::string watermark = row.stops ? "2024-05-28" : "2024-05-30";
        CHECK(disturbed[0].failed == 1);
        CHECK(disturbed[0].added == (row.stops ? 3 : 6));  // the day before the fault, or both days around it
        CHECK(disturbed[0].watermark_after == watermark);
        {
            const auto state = contents(db);
            CHECK(state.at(watermark_key("hf")) == watermark);
            CHECK(state.count(retry_key("hf")) == (row.stops ? 0u : 1u));
            if (!row.stops) CHECK(state.at(retry_key("hf")) == "2024-05-29:0");
            std::lock_guard<std::mutex> lock(s.mu);
            CHECK(s.asked["2024-05-29"] - asked_before == row.attempts);
        }
        CHECK(waits == row.waits);
        REQUIRE(disturbed[0].messages.size() == 1);
        const std::string& m = disturbed[0].messages[0];
        CAPTURE(m);
        const std::string named =
            row.stops ? "2024-05-29: GET " + s.base() + "/api/daily_papers?date=2024-05-29: " : "2024-05-29: ";
        CHECK(m.rfind(named, 0) == 0);
        CHECK(m.find(row.message) != std::string::npos);
        if (!row.stops) CHECK(m.find("; fetched again next run") != std::string::npos);

        // The fault is gone: the next run fetches the failed day again (from the watermark on, or from
        // the retry list) and ends with the undisturbed index.
        s.inject("2024-05-29", "", 0);
        auto rerun = run_sync(db, c, o);
        CHECK(rerun[0].failed == 0);
        CHECK(rerun[0].fetched == (row.stops ? 2u : 1u));
        CHECK(rerun[0].watermark_before == watermark);
        CHECK(rerun[0].watermark_after == "2024-05-30");
        CHECK(contents(db) == clean);
    }
}

TEST_CASE("sync: broken days go on the retry list, are fetched again each run, and are given up") {
    FeedServer s;
    test::TempDir dir;
    const std::string db = dir.file("index");
    // The real broken days of the API: a wrapper object and a "no_data" answer.
    s.days["2024-05-29"] = feed("hf/malformed-2025-01-10-wrapper.json");
    s.days["2024-05-30"] = feed("hf/malformed-2025-01-11-no-data.json");
    auto dry = options("2024-05-30");
    dry.dry_run = true;
    std::vector<std::string> lines;
    dry.log = [&](const std::string& l) { lines.push_back(l); };
    auto planned = run_sync(db, hf_config(s), dry);
    CHECK(s.requests == 0);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "hf: would fetch " + s.base() + "/api/daily_papers?date=2024-05-28");
    CHECK(planned[0].watermark_after == "");

    SyncConfig c = hf_config(s);
    c.retry_runs = 2;
    auto retry_list = [&] { return contents(db)[retry_key("hf")]; };
    // Run 1: the good day is merged, the broken ones are listed, and the source goes on to today.
    auto r = run_sync(db, c, options("2024-05-30"));
    CHECK(r[0].failed == 2);
    CHECK(r[0].added == 3);
    CHECK(r[0].watermark_after == "2024-05-30");
    CHECK(retry_list() == "2024-05-29:0,2024-05-30:0");
    REQUIRE(r[0].messages.size() == 2);
    CHECK(r[0].messages[0].rfind("2024-05-29: daily papers for 2024-05-29: the response is a wrapper object", 0) == 0);
    CHECK(r[0].messages[1].find("no data for this day") != std::string::npos);
    CHECK(r[0].messages[1].find("; fetched again next run") != std::string::npos);

    // Run 2: the wrapper day is repaired and leaves the list; the no_data day is tried once more.
    s.days["2024-05-29"] = feed("hf/2025-07-22.json");
    int before = s.requests;
    auto second = run_sync(db, c, options("2024-05-30"));
    CHECK(s.requests - before == 2);  // the two listed days, nothing after the watermark
    CHECK(second[0].added == 4);
    CHECK(second[0].failed == 1);
    REQUIRE(second[0].messages.size() == 1);
    CHECK(second[0].messages[0].find("; retry 1 of 2 next run") != std::string::npos);
    CHECK(retry_list() == "2024-05-30:1");

    // Runs 3 and 4: tried again, then given up; the list is empty and nothing is asked any more.
    auto third = run_sync(db, c, options("2024-05-30"));
    CHECK(third[0].messages.at(0).find("; retry 2 of 2 next run") != std::string::npos);
    auto fourth = run_sync(db, c, options("2024-05-30"));
    CHECK(fourth[0].messages.at(0).find("; given up after 2 retries") != std::string::npos);
    CHECK(contents(db).count(retry_key("hf")) == 0);
    before = s.requests;
    auto fifth = run_sync(db, c, options("2024-05-30"));
    CHECK(s.requests == before);
    CHECK(fifth[0].failed == 0);

    // A network failure while retrying a listed day stops the source and keeps the list as it was.
    const std::string db2 = dir.file("network");
    run_sync(db2, c, options("2024-05-30"));
    REQUIRE(contents(db2)[retry_key("hf")] == "2024-05-30:0");
    s.failures["2024-05-30"] = 2;
    auto down = run_sync(db2, c, options("2024-05-30"));
    CHECK(down[0].failed == 1);
    CHECK(down[0].messages.at(0).find("HTTP 500") != std::string::npos);
    CHECK(contents(db2)[retry_key("hf")] == "2024-05-30:0");
}

TEST_CASE("sync: refresh_days fetches the last days again, and a changed counter is updated") {
    FeedServer s;
    test::TempDir dir;
    const std::string db = dir.file("index");
    SyncConfig c = hf_config(s);
    c.sources[0].refresh_days = 2;
    auto first = run_sync(db, c, options("2024-05-30"));
    CHECK(first[0].fetched == 3);
    // The same night again: the last two days (05-29, 05-30) are fetched again and change nothing.
    int before = s.requests;
    auto again = run_sync(db, c, options("2024-05-30"));
    CHECK(s.requests - before == 2);
    CHECK(again[0].unchanged == 7);
    CHECK(again[0].added + again[0].updated == 0);
    // The next night, 05-30's upvotes have grown: 05-30 and 05-31 are fetched, the paper is updated.
    {
        std::lock_guard<std::mutex> lock(s.mu);
        std::string& day = s.days["2024-05-30"];
        const size_t at = day.find("\"upvotes\"");
        REQUIRE(at != std::string::npos);
        const size_t digits = day.find_first_of("0123456789", at);
        day.replace(digits, day.find_first_not_of("0123456789", digits) - digits, "9999");
    }
    auto next = run_sync(db, c, options("2024-05-31"));
    CHECK(next[0].fetched == 2);
    CHECK(next[0].updated == 1);
    CHECK(next[0].watermark_after == "2024-05-31");
    CHECK(contents(db).at("Q2608.19880").find("\"upvotes\":9999") != std::string::npos);
}

TEST_CASE("sync: OAI-PMH pages along resumption tokens, and an English and a German source merge") {
    FeedServer s;
    test::TempDir dir;
    SyncConfig c;
    SourceConfig oai;
    oai.name = "arxiv";
    oai.type = "oai-pmh";
    oai.base = s.base() + "/oai";
    oai.start = "2016-01-01";
    c.sources.push_back(oai);
    auto reports = run_sync(dir.file("index"), c, options("2016-03-01"));
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].fetched == 2);  // two pages
    CHECK(reports[0].added + reports[0].skipped == 6);  // completeListSize is 6
    CHECK(reports[0].watermark_after == "2016-03-01");

    // A translation export: a German title for one of the harvested papers.
    Xapian::Database d(dir.file("index"));
    auto first = d.allterms_begin("Q");
    REQUIRE(first != d.allterms_end("Q"));
    const std::string id = (*first).substr(1);
    std::string de = dir.write("de.jsonl", {R"({"id": ")" + id + R"(", "title": {"de": "Ein deutscher Titel"}})"});
    SyncConfig c2;
    SourceConfig tr;
    tr.name = "de";
    tr.type = "jsonl";
    tr.url = de;
    c2.sources.push_back(tr);
    auto merged = run_sync(dir.file("index"), c2, options("2016-03-02"));
    CHECK(merged[0].updated == 1);
    Xapian::Database after(dir.file("index"));
    auto p = after.postlist_begin("Q" + id);
    std::string data = stored_json(after.get_document(*p).get_data()).value();
    CHECK(data.find("\"de\":\"Ein deutscher Titel\"") != std::string::npos);
    CHECK(data.find("\"en\":") != std::string::npos);  // the English title stayed
}

TEST_CASE("sync: arXiv API pages until a page without entries, and the older Hugging Face shape") {
    FeedServer s;
    test::TempDir dir;
    SyncConfig c;
    SourceConfig atom;
    atom.name = "dream";
    atom.type = "arxiv-atom";
    atom.base = s.base() + "/atom";
    atom.query = "deep dream";
    atom.page_size = 10;
    c.sources.push_back(atom);
    auto r = run_sync(dir.file("index"), c, options("2024-06-01"));
    REQUIRE(r.size() == 1);
    // Four requests (start 0, 10, 20, 30); the fixture pages overlap (each starts one result later), so
    // the 30 entries are 12 papers: 10, then 1 new and 9 seen, then 1 new and 9 seen.
    CHECK(r[0].fetched == 4);
    CHECK(r[0].added == 12);
    CHECK(r[0].unchanged == 18);
    CHECK(r[0].failed == 0);
    CHECK(r[0].watermark_after == "2024-06-01");
    CHECK(contents(dir.file("index")).count("Q1701.04738") == 1);  // only on the third page

    // The older response shape of March 2024 (data/feeds/README.md): its five papers of 2024-03-29.
    s.days["2024-03-29"] = feed("hf/old-schema-2024-03-29.json");
    SyncConfig hf = hf_config(s);
    hf.sources[0].start = "2024-03-29";
    auto old = run_sync(dir.file("old"), hf, options("2024-03-29"));
    CHECK(old[0].added == 5);
    CHECK(old[0].skipped + old[0].failed == 0);
}

TEST_CASE("sync: configuration errors name the file and the problem") {
    test::TempDir dir;
    struct Row {
        std::string json, message;
    };
    const Row rows[] = {
        {"not json", "not valid JSON"},
        {"[]", "must be a JSON object"},
        {R"({"sources": []})", "\"sources\" must be a non-empty array"},
        {R"({"sources": [{"name": "Bad Name", "type": "jsonl", "url": "x"}]})", "\"name\" must be"},
        {R"({"sources": [{"name": "a", "type": "ftp"}]})", "\"type\" must be"},
        {R"({"sources": [{"name": "a", "type": "hf-daily", "base": "http://x"}]})", "needs \"start\""},
        {R"({"sources": [{"name": "a", "type": "jsonl", "url": "x"}, {"name": "a", "type": "jsonl", "url": "y"}]})", "used twice"},
        {R"({"sources": [{"name": "a", "type": "jsonl", "url": 5}]})", "wrong type"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.json);
        std::string path = dir.write("c.json", {r.json});
        auto c = SyncConfig::load(path);
        REQUIRE_FALSE(c.is_ok());
        CHECK(c.message().rfind(path + ": ", 0) == 0);
        CHECK(c.message().find(r.message) != std::string::npos);
    }
    CHECK(SyncConfig::load(dir.file("missing.json")).status().code() == ErrorCode::kNotFound);
}

TEST_CASE("sync: day arithmetic") {
    CHECK(next_day("2024-02-28") == "2024-02-29");
    CHECK(next_day("2024-02-29") == "2024-03-01");
    CHECK(next_day("2023-02-28") == "2023-03-01");
    CHECK(next_day("2024-12-31") == "2025-01-01");
    CHECK(valid_date(today_utc()));
}

TEST_CASE("sync: into 3 shards, every paper goes to its shard, the watermark to shard 0, and a re-run changes nothing") {
    // The same nights as into one database; the sharded index holds the same records and watermark.
    FeedServer s;
    test::TempDir dir;
    auto one = run_sync(dir.file("single"), hf_config(s), options("2024-05-30"));
    WriterOptions sharded;
    sharded.shards = 3;
    {
        auto w = IndexWriter::open(dir.file("sharded"), true, sharded);
        REQUIRE(w.is_ok());
        auto r = sync_sources(*w.value(), hf_config(s), options("2024-05-30"));
        REQUIRE_MESSAGE(r.is_ok(), r.message());
        REQUIRE(r.value().size() == 1);
        CHECK(r.value()[0].added == one[0].added);
        CHECK(r.value()[0].watermark_after == "2024-05-30");
    }
    CHECK(contents(dir.file("sharded")) == contents(dir.file("single")));
    size_t papers = 0;
    for (unsigned k = 0; k < 3; ++k) {
        Xapian::Database shard(dir.file("sharded") + "/" + shards::shard_name(k));
        CAPTURE(k);
        CHECK(shard.get_doccount() > 0);  // the 10 papers of the three nights touch every shard
        papers += shard.get_doccount();
        for (auto t = shard.allterms_begin("Q"); t != shard.allterms_end("Q"); ++t) CHECK(shards::shard_of((*t).substr(1), 3) == k);
        CHECK(shard.get_metadata(watermark_key("hf")).empty() == (k != 0));
    }
    CHECK(papers == 10);
    // The next run fetches the three nights again (refresh_days) and finds each paper in its shard,
    // unchanged: none is added a second time.
    auto w = IndexWriter::open(dir.file("sharded"), false);
    REQUIRE(w.is_ok());
    SyncConfig refresh = hf_config(s);
    refresh.sources[0].refresh_days = 3;
    auto again = sync_sources(*w.value(), refresh, options("2024-05-30"));
    REQUIRE(again.is_ok());
    CHECK(again.value()[0].fetched == 3);
    CHECK(again.value()[0].unchanged == 10);
    CHECK(again.value()[0].added == 0);
    w.value().reset();
    CHECK(Xapian::Database(dir.file("sharded")).get_doccount() == 10);
    CHECK(contents(dir.file("sharded")) == contents(dir.file("single")));
}
