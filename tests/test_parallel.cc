// The parallel build of a new index (indexer/parallel.h): the same index as one thread makes, all or
// nothing, and its errors.
#include "indexer/parallel.h"

#include <doctest/doctest.h>
#include <unistd.h>
#include <xapian.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/record.h"
#include "indexer/export.h"
#include "indexer/writer.h"
#include "test_util.h"

using namespace abstrakt;

namespace {

std::vector<std::string> digest(const std::string& path) {
    std::vector<std::string> lines;
    auto n = digest_index(path, [&](const std::string& l) { lines.push_back(l); });
    REQUIRE_MESSAGE(n.is_ok(), n.message());
    return lines;
}

IngestSummary serial_build(const std::string& db, const std::vector<std::string>& files) {
    auto w = IndexWriter::open(db, true, WriterOptions{7});
    REQUIRE(w.is_ok());
    return ingest(*w.value(), files, {});
}

}  // namespace

TEST_CASE("parallel: the bundled data built by 1, 2 and 3 threads gives the index one thread gives") {
    test::TempDir dir;
    // The seed listing (English and German) and the first 400 papers of the slice (English and
    // Chinese): enough for every partial index to get many papers, small enough for the sanitizer build.
    std::vector<std::string> lines;
    {
        auto reader = RecordReader::open(test::data_dir() + "/arxiv-slice.jsonl.gz");
        REQUIRE(reader.is_ok());
        Record rec;
        std::string error;
        while (lines.size() < 400 && reader.value()->next(rec, error) == RecordReader::Outcome::kRecord)
            lines.push_back(to_json(rec));
    }
    const std::vector<std::string> files = {test::data_dir() + "/seed/chatpaper-2024-02-29.jsonl",
                                            dir.write("slice.jsonl", lines)};
    IngestSummary serial = serial_build(dir.file("serial"), files);
    REQUIRE(serial.error.is_ok());
    REQUIRE(serial.added == 411);
    const std::vector<std::string> want = digest(dir.file("serial"));
    REQUIRE(want.size() > 411);
    for (unsigned jobs : {1u, 2u, 3u}) {
        CAPTURE(jobs);
        const std::string db = dir.file("parallel-" + std::to_string(jobs));
        // A small batch and queue: many commits per partial index and a reader that waits.
        // 120 records per partial index: each thread writes two to four of them.
        IngestSummary s = ingest_parallel(db, files, {}, ParallelOptions{jobs, 50, 4, 120});
        REQUIRE_MESSAGE(s.error.is_ok(), s.error.message());
        CHECK(s.added == serial.added);
        CHECK(s.skipped == serial.skipped);
        CHECK(digest(db) == want);  // records, terms, positions, values, metadata
        // The spelling dictionary is merged too: the same suggestion as from the serial index.
        CHECK(Xapian::Database(db).get_spelling_suggestion("atention") ==
              Xapian::Database(dir.file("serial")).get_spelling_suggestion("atention"));
        // Nothing is left beside the index.
        for (const auto& e : std::filesystem::directory_iterator(dir.path()))
            CHECK(e.path().filename().string().find(".parallel-") == std::string::npos);
    }
}

TEST_CASE("parallel: a repeated id keeps its last record, malformed lines are reported with file and line") {
    test::TempDir dir;
    const std::string input = dir.write("in.jsonl", {
        R"({"id": "a", "title": "first version"})",
        R"({"id": "b", "title": "bee"})",
        R"({"id": "a", "title": "second version"})",  // replaces the first: same id, same partial index
        R"({"id": "c"})",                             // no title: reported, skipped
    });
    std::vector<std::string> reports;
    IngestOptions options;
    options.report = [&](const std::string& m) { reports.push_back(m); };
    IngestSummary s = ingest_parallel(dir.file("index"), {input}, options, ParallelOptions{2, 10, 2});
    REQUIRE(s.error.is_ok());
    CHECK(s.added == 2);
    CHECK(s.updated == 1);
    CHECK(s.skipped == 1);
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].rfind(input + ":4: ", 0) == 0);
    std::vector<std::string> records;
    REQUIRE(export_records(dir.file("index"), [&](const std::string& l) { records.push_back(l); }).is_ok());
    REQUIRE(records.size() == 2);
    CHECK(records[0].find("second version") != std::string::npos);
}

TEST_CASE("parallel: a repeated id across partial indexes leaves its last record, as one thread does") {
    struct Row {
        std::vector<std::string> ids;  // the records in input order: "a1" is id "a", version 1
        uint64_t partial_records;      // records per partial index (one thread)
        uint64_t added, updated, unchanged;
        std::string why;
    };
    const Row rows[] = {
        {{"a1", "b1", "a2"}, 1, 2, 1, 0, "a2 replaces a1, which is in a closed partial index"},
        {{"a1", "b1", "a1"}, 1, 2, 0, 1, "the same record again is unchanged, and a1 stays"},
        {{"a1", "b1", "a2", "c1", "a3"}, 1, 3, 2, 0, "replaced twice, in two closed partial indexes"},
        {{"a1", "b1", "a2", "a1"}, 1, 2, 2, 0, "back to the first version: a2 is the copy compared, not a1"},
        {{"a1", "a2"}, 2, 1, 1, 0, "both in the open partial index: upsert replaces"},
        // Regression: the copy in the open index is the current one once the closed copy was replaced;
        // comparing with the closed copy called a1 unchanged and kept a2.
        {{"a1", "b1", "a2", "a1"}, 2, 2, 2, 0, "a2 in the open index, a1 (closed) replaced: a1 again replaces a2"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.why);
        test::TempDir dir;
        std::vector<std::string> lines;
        for (const std::string& v : r.ids)
            lines.push_back(R"({"id": ")" + v.substr(0, 1) + R"(", "title": "version )" + v.substr(1) + R"( of paper )" + v.substr(0, 1) +
                            R"(", "abstract": "words of version )" + v.substr(1) + R"("})");
        const std::string input = dir.write("in.jsonl", lines);
        IngestSummary s = ingest_parallel(dir.file("index"), {input}, {}, ParallelOptions{1, 1, 1, r.partial_records});
        REQUIRE_MESSAGE(s.error.is_ok(), s.error.message());
        CHECK(s.added == r.added);
        CHECK(s.updated == r.updated);
        CHECK(s.unchanged == r.unchanged);
        IngestSummary one = serial_build(dir.file("serial"), {input});
        REQUIRE(one.error.is_ok());
        CHECK(digest(dir.file("index")) == digest(dir.file("serial")));
        // Every id once, with the version of its last record.
        std::vector<std::string> records;
        REQUIRE(export_records(dir.file("index"), [&](const std::string& l) { records.push_back(l); }).is_ok());
        std::map<std::string, std::string> last;
        for (const std::string& v : r.ids) last[v.substr(0, 1)] = v.substr(1);
        REQUIRE(records.size() == last.size());
        for (const std::string& rec : records) {
            auto parsed = from_json(rec);
            REQUIRE(parsed.is_ok());
            CHECK(parsed.value().title.front().text == "version " + last[parsed.value().id] + " of paper " + parsed.value().id);
        }
        // The replaced versions' words are out of the spelling dictionary, as after one thread.
        auto spellings = [](const std::string& path) {
            std::map<std::string, Xapian::doccount> out;
            Xapian::Database db(path);
            for (auto t = db.spellings_begin(); t != db.spellings_end(); ++t) out[*t] = t.get_termfreq();
            return out;
        };
        const auto words = spellings(dir.file("index"));
        CHECK(words == spellings(dir.file("serial")));
        // Two per paper left (its title and its abstract): the replaced records' are gone.
        CHECK(words.at("version") == 2 * last.size());
    }
}

TEST_CASE("parallel: all or nothing") {
    test::TempDir dir;
    const std::string input = dir.write("in.jsonl", {R"({"id": "a", "title": "one"})"});

    // An existing index is refused and left alone.
    {
        auto w = IndexWriter::open(dir.file("existing"), true);
        REQUIRE(w.is_ok());
    }
    IngestSummary taken = ingest_parallel(dir.file("existing"), {input}, {}, {});
    CHECK(taken.error.code() == ErrorCode::kInvalidArgument);
    CHECK(Xapian::Database(dir.file("existing")).get_doccount() == 0);

    // An empty folder (a generation rebuild prepared) is built into.
    std::filesystem::create_directory(dir.file("empty"));
    CHECK(ingest_parallel(dir.file("empty"), {input}, {}, {}).error.is_ok());
    CHECK(Xapian::Database(dir.file("empty")).get_doccount() == 1);

    // Stopped: nothing is made, nothing left behind.
    std::atomic<bool> stop{true};
    IngestOptions stopping;
    stopping.stop = &stop;
    IngestSummary stopped = ingest_parallel(dir.file("stopped"), {input}, stopping, {});
    CHECK(stopped.interrupted);
    CHECK_FALSE(std::filesystem::exists(dir.file("stopped")));

    // The folder of a run that was killed (its process is gone) is removed by the next run; one of a
    // live process is not.
    const std::string dead = dir.file(".fresh.parallel-999999999");
    const std::string live = dir.file(".fresh.parallel-" + std::to_string(::getpid() == 1 ? 2 : 1));
    std::filesystem::create_directories(dead + "/part-0");
    std::filesystem::create_directories(live);
    CHECK(ingest_parallel(dir.file("fresh"), {input}, {}, {}).error.is_ok());
    CHECK_FALSE(std::filesystem::exists(dead));
    CHECK(std::filesystem::exists(live));  // pid 1 (or 2) is alive
    CHECK(is_new_index_path(dir.file("nothing-here")));
    CHECK_FALSE(is_new_index_path(dir.file("fresh")));

    // Regression (tests/e2e/kill.sh): any job that opens the index removes a killed parallel build's
    // folder, not only the next parallel build: an add on one thread into the new index, and any job on
    // the whole index (a parallel add killed after its rename, while it deleted its folder).
    const std::string for_serial = dir.file(".serial.parallel-999999999");
    const std::string for_fresh = dir.file(".fresh.parallel-999999998");
    const std::string other = dir.file(".other.parallel-999999997");
    for (const std::string& d : {for_serial, for_fresh, other}) std::filesystem::create_directories(d + "/part-0");
    REQUIRE(IndexWriter::open(dir.file("serial"), true).is_ok());
    CHECK_FALSE(std::filesystem::exists(for_serial));
    REQUIRE(IndexWriter::open(dir.file("fresh"), false).is_ok());
    CHECK_FALSE(std::filesystem::exists(for_fresh));
    CHECK(std::filesystem::exists(other));  // another index's: left to it
    CHECK(std::filesystem::exists(live));
}
