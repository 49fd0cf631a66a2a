// The nightly sync against a local feed server that serves the real fixtures in data/feeds/, with
// faults injected: converging to the same index as an undisturbed run, watermarks, merges.
#include "indexer/sync.h"

#include <doctest/doctest.h>
#include <xapian.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "local_server.h"
#include "test_util.h"

using namespace abstrakt;

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string feed(const std::string& name) { return read_file(test::data_dir() + "/feeds/" + name); }

// A feed server: Hugging Face days and OAI-PMH pages from the fixtures, with faults on demand.
struct FeedServer {
    std::mutex mu;
    std::map<std::string, std::string> days;        // day -> body
    std::map<std::string, int> failures;            // day -> how many more times to answer 500
    std::atomic<int> requests{0};
    test::LocalServer local;  // last: stops before the days and the counters go
    httplib::Server& server = local.http;

    FeedServer() {
        days["2024-05-28"] = feed("hf/2024-05-28.json");
        days["2024-05-29"] = feed("hf/2025-07-22.json");
        days["2024-05-30"] = feed("hf/2026-08-21.json");
        server.Get("/api/daily_papers", [this](const httplib::Request& req, httplib::Response& res) {
            ++requests;
            std::lock_guard<std::mutex> lock(mu);
            std::string day = req.get_param_value("date");
            if (failures[day] > 0) {
                --failures[day];
                res.status = 500;
                return;
            }
            auto it = days.find(day);
            res.set_content(it == days.end() ? "[]" : it->second, "application/json");
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
        local.start();
    }
    std::string base() const { return local.base(); }
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

// Every document's stored record, by id, and every watermark: what "the same index" means here.
std::map<std::string, std::string> contents(const std::string& db) {
    Xapian::Database d(db);
    std::map<std::string, std::string> out;
    for (auto t = d.allterms_begin("Q"); t != d.allterms_end("Q"); ++t) {
        auto p = d.postlist_begin(*t);
        out[*t] = d.get_document(*p).get_data();
    }
    for (auto k = d.metadata_keys_begin("abstrakt.watermark."); k != d.metadata_keys_end("abstrakt.watermark."); ++k)
        out[*k] = d.get_metadata(*k);
    return out;
}

}  // namespace

TEST_CASE("sync: several days, then nothing new; a failed day is retried and converges") {
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
    CHECK(reports[0].summary() == "hf: fetched 3, added 10, updated 0, unchanged 0, skipped 0, failed 0; watermark (none) -> 2024-05-30");
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

TEST_CASE("sync: a malformed day is reported and retried; dry runs fetch nothing") {
    FeedServer s;
    test::TempDir dir;
    s.days["2024-05-29"] = feed("hf/malformed-2025-01-10-wrapper.json");
    auto dry = options("2024-05-30");
    dry.dry_run = true;
    std::vector<std::string> lines;
    dry.log = [&](const std::string& l) { lines.push_back(l); };
    auto planned = run_sync(dir.file("index"), hf_config(s), dry);
    CHECK(s.requests == 0);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "hf: would fetch " + s.base() + "/api/daily_papers?date=2024-05-28");
    CHECK(planned[0].watermark_after == "");

    auto r = run_sync(dir.file("index"), hf_config(s), options("2024-05-30"));
    CHECK(r[0].failed == 1);
    CHECK(r[0].watermark_after == "2024-05-28");
    CHECK(r[0].messages[0].rfind("2024-05-29: ", 0) == 0);
    s.days["2024-05-29"] = feed("hf/2025-07-22.json");  // the feed is repaired
    auto fixed = run_sync(dir.file("index"), hf_config(s), options("2024-05-30"));
    CHECK(fixed[0].watermark_after == "2024-05-30");
    CHECK(fixed[0].added == 7);
}

TEST_CASE("sync: OAI-PMH pages along resumption tokens; an English and a German source merge") {
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
    std::string data = after.get_document(*p).get_data();
    CHECK(data.find("\"de\":\"Ein deutscher Titel\"") != std::string::npos);
    CHECK(data.find("\"en\":") != std::string::npos);  // the English title stayed
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
