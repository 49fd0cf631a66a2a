// The spool, `rebuild --replay` (the nights again without the network), OAI-PMH deletions, and the
// digest and export that compare and read out whole indexes.
#include "indexer/spool.h"

#include <doctest/doctest.h>
#include <xapian.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "common/schema.h"
#include "indexer/export.h"
#include "indexer/ingest.h"
#include "indexer/sync.h"
#include "local_server.h"
#include "test_util.h"

using namespace abstrakt;
namespace fs = std::filesystem;

namespace {

using test::oai_list;
using test::read_file;

std::string oai_record(const std::string& id, const std::string& title) {
    return test::oai_record("oai:arXiv.org:" + id, "<id>" + id + "</id><title>" + title + "</title>");
}
std::string oai_deleted(const std::string& id) {
    return R"(<record><header status="deleted"><identifier>oai:arXiv.org:)" + id +
           "</identifier><datestamp>2024-05-29</datestamp></header></record>";
}

// Hugging Face days from the fixtures, and an OAI-PMH list that depends on its `until` day: until
// 2024-05-28 it holds two papers; later windows delete the second and add a third.
struct Feeds {
    std::mutex mu;
    std::map<std::string, std::string> days;
    std::map<std::string, int> failures;  // day -> 500s still to answer
    std::atomic<int> requests{0};
    test::LocalServer local;

    Feeds() {
        const std::string hf = test::data_dir() + "/feeds/hf/";
        days["2024-05-28"] = read_file(hf + "2024-05-28.json");
        days["2024-05-29"] = read_file(hf + "2025-07-22.json");
        days["2024-05-30"] = read_file(hf + "2026-08-21.json");
        local.http.Get("/api/daily_papers", [this](const httplib::Request& req, httplib::Response& res) {
            ++requests;
            std::lock_guard<std::mutex> lock(mu);
            const std::string day = req.get_param_value("date");
            if (failures[day] > 0) {
                --failures[day];
                res.status = 500;
                return;
            }
            auto it = days.find(day);
            res.set_content(it == days.end() ? "[]" : it->second, "application/json");
        });
        local.http.Get("/oai", [this](const httplib::Request& req, httplib::Response& res) {
            ++requests;
            if (req.get_param_value("until") <= "2024-05-28")
                res.set_content(oai_list(oai_record("2405.00001", "Kept paper") + oai_record("2405.00002", "Withdrawn paper")),
                                "text/xml");
            else
                res.set_content(oai_list(oai_deleted("2405.00002") + oai_record("2405.00003", "Later paper")), "text/xml");
        });
        local.start();
    }
};

SyncConfig config(const std::string& base, const std::string& spool) {
    SyncConfig c;
    c.spool = spool;
    c.fetch.max_attempts = 1;
    c.fetch.timeout_s = 5;
    SourceConfig hf;
    hf.name = "hf";
    hf.type = "hf-daily";
    hf.base = base;
    hf.start = "2024-05-28";
    SourceConfig oai;
    oai.name = "arxiv";
    oai.type = "oai-pmh";
    oai.base = base + "/oai";
    oai.start = "2024-05-01";
    c.sources = {hf, oai};
    return c;
}

SyncOptions night(const std::string& today, bool replay = false) {
    SyncOptions o;
    o.today = today;
    o.replay = replay;
    o.make_fetcher = [](const FetchOptions& fo) {
        auto f = std::make_unique<Fetcher>(fo);
        f->sleep = [](std::chrono::duration<double>) {};
        return f;
    };
    return o;
}

std::vector<SourceReport> run(const std::string& db, const SyncConfig& c, const SyncOptions& o, bool replay_all = false) {
    auto w = IndexWriter::open(db, true);
    REQUIRE(w.is_ok());
    auto r = replay_all ? replay_spool(*w.value(), c, o) : sync_sources(*w.value(), c, o);
    REQUIRE_MESSAGE(r.is_ok(), r.message());
    return r.value();
}

std::vector<std::string> digest(const std::string& db) {
    std::vector<std::string> lines;
    auto n = digest_index(db, [&](const std::string& l) { lines.push_back(l); });
    REQUIRE_MESSAGE(n.is_ok(), n.message());
    return lines;
}

const SourceReport& report(const std::vector<SourceReport>& reports, const std::string& name) {
    for (const SourceReport& r : reports)
        if (r.name == name) return r;
    FAIL("no report for " << name);
    return reports.front();
}

}  // namespace

TEST_CASE("spool: keep, find, nights, expire, and what a crash leaves") {
    test::TempDir dir;
    Spool spool(dir.file("spool"));
    CHECK(spool.nights().empty());
    CHECK_FALSE(spool.has("2024-05-28", "hf"));
    auto kept = spool.keep("2024-05-28", "hf", "2024-05-28.json", "http://a/x?date=2024-05-28", "[1]");
    REQUIRE(kept.is_ok());
    CHECK(kept.value() == dir.file("spool/2024-05-28/hf/2024-05-28.json"));
    CHECK(read_file(kept.value()) == "[1]");
    CHECK(spool.has("2024-05-28", "hf"));
    CHECK_FALSE(spool.has("2024-05-28", "other"));
    REQUIRE(spool.find("2024-05-28", "hf", "2024-05-28.json").is_ok());
    // A later answer of the same name replaces the earlier one; a fresh Spool reads the list from disk.
    REQUIRE(spool.keep("2024-05-28", "hf", "2024-05-28.json", "http://b/x?date=2024-05-28", "[2]").is_ok());
    Spool reread(dir.file("spool"));
    auto found = reread.find("2024-05-28", "hf", "2024-05-28.json");
    REQUIRE(found.is_ok());
    CHECK(read_file(found.value()) == "[2]");

    // Crash leftovers: a body never listed (killed between the rename and the line), and a last line
    // cut short, are not found; the lines before the cut still are.
    std::ofstream(dir.file("spool/2024-05-28/hf/2024-05-29.json")) << "[3]";
    std::ofstream(dir.file("spool/2024-05-28/hf/requests.jsonl"), std::ios::app) << R"({"url": "http://a/x?date=2024-05-29", "fi)";
    Spool after_crash(dir.file("spool"));
    auto missing = after_crash.find("2024-05-28", "hf", "2024-05-29.json");
    CHECK(missing.status().code() == ErrorCode::kNotFound);
    CHECK(missing.message() == "not in the spool of 2024-05-28: hf/2024-05-29.json");
    CHECK(after_crash.find("2024-05-28", "hf", "2024-05-28.json").is_ok());

    // Nights are folders named by a date, oldest first; other folders are not nights.
    REQUIRE(spool.keep("2024-06-10", "hf", "a.json", "u", "x").is_ok());
    REQUIRE(spool.keep("2024-06-01", "hf", "a.json", "u", "x").is_ok());
    fs::create_directories(dir.file("spool/notes"));
    CHECK(spool.nights() == std::vector<std::string>{"2024-05-28", "2024-06-01", "2024-06-10"});
    // Retention counts days back from the night of the run: 10 days before 2024-06-10 is 2024-05-31.
    spool.expire("2024-06-10", 10);
    CHECK(spool.nights() == std::vector<std::string>{"2024-06-01", "2024-06-10"});
    spool.expire("2024-06-10", -1);  // keep everything
    CHECK(spool.nights().size() == 2);
    spool.expire("2024-06-10", 0);  // only the night itself
    CHECK(spool.nights() == std::vector<std::string>{"2024-06-10"});
    CHECK(fs::exists(dir.file("spool/notes")));
}

TEST_CASE("replay: the spooled nights rebuild the index the nights built, without the network") {
    Feeds feeds;
    test::TempDir dir;
    const SyncConfig c = config(feeds.local.base(), dir.file("spool"));

    // Three nights; on the second, the day 2024-05-29 answers 500, so the third night fetches it.
    run(dir.file("synced"), c, night("2024-05-28"));
    feeds.failures["2024-05-29"] = 1;
    auto second = run(dir.file("synced"), c, night("2024-05-29"));
    CHECK(report(second, "hf").failed == 1);
    auto third = run(dir.file("synced"), c, night("2024-05-30"));
    CHECK(report(third, "hf").fetched == 2);
    // The OAI window of the later nights deleted 2405.00002.
    CHECK(report(third, "arxiv").deleted == 0);  // already deleted the night before
    CHECK(report(second, "arxiv").deleted == 1);
    const auto synced = digest(dir.file("synced"));
    // Papers of the three days, two OAI papers; the index parameters, the schema and two watermarks.
    CHECK(synced.size() == 3 + 4 + 3 + 2 + 4);
    bool withdrawn = false;
    for (const std::string& l : synced) withdrawn = withdrawn || l.rfind("doc 2405.00002 ", 0) == 0;
    CHECK_FALSE(withdrawn);

    // The replay: the feed server is not asked once, and the index is the same, line for line.
    const int asked = feeds.requests;
    auto replayed = run(dir.file("replayed"), c, night(""), true);
    CHECK(feeds.requests == asked);
    CHECK(digest(dir.file("replayed")) == synced);
    // Added up over the nights: the hf fetches of the nights (1 + 0 + 2), the 500 replayed as a miss.
    CHECK(report(replayed, "hf").fetched == 3);
    CHECK(report(replayed, "hf").watermark_after == "2024-05-30");
    CHECK(report(replayed, "arxiv").fetched == 3);
    CHECK(report(replayed, "arxiv").deleted == 1);

    // A base URL changed since (a mirror, another port) does not matter: files are found by name.
    SyncConfig moved = c;
    for (SourceConfig& s : moved.sources) s.base = s.type == "oai-pmh" ? "http://mirror.invalid/oai" : "http://mirror.invalid";
    run(dir.file("moved"), moved, night(""), true);
    CHECK(digest(dir.file("moved")) == synced);

    // Retention deleted the first night: the replay says the records of the missing nights must come
    // from files, and goes on from where the second night began. With an export of the synced index
    // given first (as `rebuild --replay FILE` does), the result is the synced index again.
    fs::copy(dir.file("spool"), dir.file("spool-kept"), fs::copy_options::recursive);
    fs::remove_all(dir.file("spool-kept/2024-05-28"));
    SyncConfig kept = c;
    kept.spool = dir.file("spool-kept");
    auto gap = run(dir.file("gap"), kept, night(""), true);
    REQUIRE_FALSE(report(gap, "hf").messages.empty());
    CHECK(report(gap, "hf").messages[0] ==
          "the spool has no nights from the start to 2024-05-28 (deleted after spool_days?): what they fetched must come from the files given");
    CHECK(digest(dir.file("gap")).size() < synced.size());  // the first day's papers are missing
    std::vector<std::string> records;
    REQUIRE(export_records(dir.file("synced"), [&](const std::string& l) { records.push_back(l); }).is_ok());
    {
        auto w = IndexWriter::open(dir.file("bridged"), true);
        REQUIRE(w.is_ok());
        REQUIRE(ingest(*w.value(), {dir.write("export.jsonl", records)}, IngestOptions{}).error.is_ok());
        REQUIRE(w.value()->commit().is_ok());
    }
    run(dir.file("bridged"), kept, night(""), true);
    CHECK(digest(dir.file("bridged")) == synced);

    // Up to a night: the nights after it are left out.
    auto partial = run(dir.file("partial"), c, night("2024-05-28"), true);
    CHECK(report(partial, "hf").watermark_after == "2024-05-28");

    // No spool, or nothing in it: an error, and nothing written.
    SyncConfig none = c;
    none.spool.clear();
    auto w = IndexWriter::open(dir.file("none"), true);
    REQUIRE(w.is_ok());
    CHECK(replay_spool(*w.value(), none, night("")).status().code() == ErrorCode::kInvalidArgument);
    none.spool = dir.file("empty-spool");
    auto empty = replay_spool(*w.value(), none, night(""));
    CHECK(empty.status().code() == ErrorCode::kInvalidArgument);
    CHECK(empty.message().find("holds no night") != std::string::npos);
}

TEST_CASE("digest and export: the same content gives the same lines, whatever the order it came in") {
    test::TempDir dir;
    const std::string a = R"({"id": "2401.00001", "title": {"en": "Sparse attention"}, "upvotes": 3})";
    const std::string b = R"({"id": "2401.00002", "title": {"de": "Dichte Aufmerksamkeit"}, "published": "2024-01-02"})";
    IngestOptions o;
    auto build = [&](const std::string& name, const std::vector<std::string>& lines) {
        auto w = IndexWriter::open(dir.file(name), true);
        REQUIRE(w.is_ok());
        auto s = ingest(*w.value(), {dir.write(name + ".jsonl", lines)}, o);
        REQUIRE(s.error.is_ok());
        REQUIRE(w.value()->commit().is_ok());
    };
    build("ab", {a, b});
    build("ba", {b, a});  // other document ids
    const auto ab = digest(dir.file("ab"));
    REQUIRE(ab.size() == 4);
    CHECK(ab[0].rfind("doc 2401.00001 ", 0) == 0);
    CHECK(ab[0].size() == std::string("doc 2401.00001 ").size() + 16);
    CHECK(ab[1].rfind("doc 2401.00002 ", 0) == 0);
    // Metadata keys in order: abstrakt.index_params sorts before abstrakt.schema.
    CHECK(ab[2] == R"(meta abstrakt.index_params {"title_wdf":3,"abstract_wdf":1,"author_wdf":1,"id_wdf":1})");
    CHECK(ab[3] == "meta abstrakt.schema " + std::to_string(schema::kVersion));
    CHECK(digest(dir.file("ba")) == ab);

    // One field changed: that paper's line changes, the other's does not.
    build("changed", {a, R"({"id": "2401.00002", "title": {"de": "Dichte Aufmerksamkeit"}, "published": "2024-01-03"})"});
    const auto changed = digest(dir.file("changed"));
    CHECK(changed[0] == ab[0]);
    CHECK(changed[1] != ab[1]);

    // Export gives the records back in order of id; adding them to a new index gives the same digest.
    std::vector<std::string> records;
    auto n = export_records(dir.file("ba"), [&](const std::string& l) { records.push_back(l); });
    REQUIRE(n.is_ok());
    CHECK(n.value() == 2);
    REQUIRE(records.size() == 2);
    CHECK(records[0].find("\"id\":\"2401.00001\"") != std::string::npos);
    build("exported", records);
    CHECK(digest(dir.file("exported")) == ab);

    CHECK(digest_index(dir.file("nothing-here"), [](const std::string&) {}).status().code() == ErrorCode::kNotFound);
    CHECK(export_records(dir.file("nothing-here"), [](const std::string&) {}).status().code() == ErrorCode::kNotFound);
}
