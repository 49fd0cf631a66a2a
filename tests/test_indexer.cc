// Behaviour of the indexer library: the document schema, upserts, deletes, locking, ingest.
#include "indexer/export.h"
#include "indexer/writer.h"

#include <doctest/doctest.h>
#include <xapian.h>

#include <algorithm>

#include "common/schema.h"
#include "indexer/document.h"
#include "indexer/ingest.h"
#include "indexer/stats.h"
#include "test_util.h"

using namespace abstrakt;

namespace {

Record record(const std::string& line) {
    auto r = parse_record(line);
    REQUIRE_MESSAGE(r.is_ok(), r.message());
    return r.value();
}

std::vector<std::string> terms_of(const Xapian::Document& doc) {
    std::vector<std::string> out;
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) out.push_back(*t);
    return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST_CASE("document: terms and values follow the schema") {
    Analyzer analyzer;
    Record r = record(
        R"({"id": "2402.19173", "title": {"en": "Diffusion Models", "de": "Über Diffusionsmodelle"},)"
        R"( "abstract": {"en": "We train multi-view models."}, "authors": ["José Muñoz"], "categories": ["cs.CV"],)"
        R"( "published": "2024-02-29", "upvotes": 148, "comments": 5})");
    Xapian::Document doc = build_document(r, analyzer);
    auto t = terms_of(doc);
    struct Row {
        std::string term;
        const char* why;
    };
    const Row rows[] = {
        {"Q2402.19173", "the unique id"},
        {"2402.19173", "the id is also a searchable word"},
        {"diffusion", "title words unprefixed"},
        {"Sdiffusion", "title words in the title field"},
        {"Zdiffus", "English stem"},
        {"ZSdiffus", "English stem in the title field"},
        {"diffusionsmodelle", "German title word"},
        {"Zdiffusionsmodell", "german2 stem"},
        {"uber", "folded form"},
        {"über", "exact form with its diacritic"},
        {"train", "abstract words unprefixed"},
        {"Ztrain", "abstract stems unprefixed"},
        {"multiview", "a hyphenated chain joined"},
        {"munoz", "author names unprefixed, folded"},
        {"Amunoz", "author field"},
        {"Ajose", "author field, folded"},
        {"Kcs.cv", "category, lowercased"},
        {"Len", "language"},
        {"Lde", "language"},
        {"XY2024", "year"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.term);
        CAPTURE(row.why);
        CHECK(has(t, row.term));
    }
    CHECK_FALSE(has(t, "Zmunoz"));  // names are not stemmed
    // Abstracts have no field terms since schema 4 (schema.h): no "XA" or "ZXA" term at all.
    for (const std::string& term : t) {
        CAPTURE(term);
        CHECK(term.rfind("XA", 0) != 0);
        CHECK(term.rfind("ZXA", 0) != 0);
    }
    // An abstract word counts once unprefixed, a title word title_wdf times (the `abstract:` filter
    // subtracts the title's count, searcher/builder.cc: InAbstract).
    for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it)
        if (*it == "train" || *it == "Ztrain") CHECK(it.get_wdf() == 1);
    CHECK(doc.get_value(schema::kSlotDate) == "2024-02-29");
    CHECK(doc.get_value(schema::kSlotYear) == "2024");
    CHECK(doc.get_value(schema::kSlotLangs) == "de,en");
    CHECK(Xapian::sortable_unserialise(doc.get_value(schema::kSlotUpvotes)) == 148);
    CHECK(Xapian::sortable_unserialise(doc.get_value(schema::kSlotComments)) == 5);
    CHECK(stored_json(doc.get_data()).value() == to_json(r));
    // Title words weigh more than abstract words.
    for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it)
        if (*it == "diffusion") CHECK(it.get_wdf() == IndexParams{}.title_wdf);
}

TEST_CASE("document: a word's form with diacritics too long for a term is left out, the word stays") {
    // Found by fuzzing (tests/fuzz/regressions/README.md): a letter followed by 300 combining marks
    // folds to "a" but kept every mark in its exact form, a term of 601 bytes; Xapian refused the
    // document and abstrakt-index failed the whole file.
    Analyzer analyzer;
    std::string marks;
    for (int i = 0; i < 300; ++i) marks += "\u0301";
    Record r = record(R"({"id": "z", "title": {"en": "Zalgo a)" + marks + R"( text and Caf\u00e9"}})");
    Xapian::Document doc = build_document(r, analyzer);
    for (const std::string& term : terms_of(doc)) {
        CAPTURE(term.size());
        CHECK(term.size() <= schema::kMaxTermBytes);
    }
    auto t = terms_of(doc);
    CHECK(has(t, "a"));      // the word, folded
    CHECK(has(t, "Sa"));
    CHECK(has(t, "café"));   // a short exact form is kept
    CHECK(has(t, "text"));

    test::TempDir dir;
    auto w = IndexWriter::open(dir.file("index"), true);
    REQUIRE(w.is_ok());
    CHECK(w.value()->upsert(r).is_ok());
    REQUIRE(w.value()->commit().is_ok());
    CHECK(Xapian::Database(dir.file("index")).get_termfreq("text") == 1);
}

TEST_CASE("writer: upsert says added, unchanged, updated, delete, and the index stays consistent") {
    test::TempDir dir;
    const std::string db = dir.file("index");
    auto w = IndexWriter::open(db, true);
    REQUIRE(w.is_ok());
    IndexWriter& writer = *w.value();
    Record a = record(R"({"id": "a", "title": "First paper", "upvotes": 1})");
    Record a2 = record(R"({"id": "a", "title": "First paper", "upvotes": 2})");
    Record b = record(R"({"id": "b", "title": "Second paper"})");
    CHECK(writer.upsert(a).value() == IndexWriter::Change::kAdded);
    CHECK(writer.upsert(a).value() == IndexWriter::Change::kUnchanged);  // also before a commit
    CHECK(writer.upsert(b).value() == IndexWriter::Change::kAdded);
    REQUIRE(writer.commit().is_ok());
    CHECK(writer.upsert(a).value() == IndexWriter::Change::kUnchanged);
    CHECK(writer.upsert(a2).value() == IndexWriter::Change::kUpdated);
    CHECK(writer.remove("b").value() == true);
    CHECK(writer.remove("b").value() == false);
    CHECK(writer.remove("never").value() == false);
    REQUIRE(writer.commit().is_ok());

    Xapian::Database reader(db);
    CHECK(reader.get_doccount() == 1);
    CHECK(reader.get_termfreq("Qa") == 1);
    CHECK(reader.get_termfreq("Qb") == 0);
    auto p = reader.postlist_begin("Qa");
    CHECK(stored_json(reader.get_document(*p).get_data()).value() == to_json(a2));
}

TEST_CASE("writer: a second writer is told the index is locked") {
    test::TempDir dir;
    const std::string db = dir.file("index");
    auto first = IndexWriter::open(db, true);
    REQUIRE(first.is_ok());
    auto second = IndexWriter::open(db, true);
    REQUIRE_FALSE(second.is_ok());
    CHECK(second.status().code() == ErrorCode::kLocked);
    CHECK(second.message().find("locked by another writer") != std::string::npos);
}

TEST_CASE("writer: opening errors") {
    test::TempDir dir;
    auto missing = IndexWriter::open(dir.file("none"), false);
    REQUIRE_FALSE(missing.is_ok());
    CHECK(missing.status().code() == ErrorCode::kNotFound);

    // An index written with another schema version is refused, not silently mixed.
    {
        Xapian::WritableDatabase other(dir.file("old"), Xapian::DB_CREATE);
        other.set_metadata(schema::kMetaSchemaVersion, "0");
        other.add_document(Xapian::Document());
        other.commit();
    }
    auto old = IndexWriter::open(dir.file("old"), true);
    REQUIRE_FALSE(old.is_ok());
    CHECK(old.status().code() == ErrorCode::kUnavailable);
    CHECK(old.message().find("schema version 0") != std::string::npos);

    // A path that is a file, not an index.
    std::string file = dir.write("plain.txt", {"hello"});
    auto not_index = IndexWriter::open(file, true);
    REQUIRE_FALSE(not_index.is_ok());
    CHECK(not_index.status().code() == ErrorCode::kUnavailable);
}

TEST_CASE("writer: creating an index is crash-safe, and what a killed creation left is cleared") {
    namespace fs = std::filesystem;
    test::TempDir dir;
    auto opens_empty_with_schema = [](const std::string& path) {
        auto w = IndexWriter::open(path, true);
        REQUIRE_MESSAGE(w.is_ok(), w.message());
        w.value().reset();
        Xapian::Database db(path);
        CHECK(db.get_doccount() == 0);
        CHECK(db.get_metadata(schema::kMetaSchemaVersion) == std::to_string(schema::kVersion));
    };
    struct Row {
        std::string name;
        std::vector<std::string> files;  // made in the index folder before opening
        bool cleared;                    // false: the folder is not ours to clear, opening fails
    };
    const Row rows[] = {
        // regression (tests/e2e/kill.sh): killed after Xapian wrote its tables, before its version
        // file; Xapian could neither open nor create over it, so every later add failed
        {"tables-only", {"flintlock", "postlist.glass", "termlist.glass", "v.tmp"}, true},
        // an empty folder (a generation prepared by rebuild): the new index goes into it
        {"empty", {}, true},
        // someone's own file next to Xapian's: not a leftover of ours, nothing is deleted
        {"foreign", {"postlist.glass", "notes.txt"}, false},
    };
    for (const Row& row : rows) {
        CAPTURE(row.name);
        const std::string path = dir.file(row.name);
        fs::create_directories(path);
        for (const std::string& f : row.files) std::ofstream(path + "/" + f) << "";
        if (row.cleared) {
            opens_empty_with_schema(path);
        } else {
            auto w = IndexWriter::open(path, true);
            CHECK_FALSE(w.is_ok());
            CHECK(fs::exists(path + "/notes.txt"));
        }
    }
    // A folder left by a creator that was killed (its process is gone) is removed; the new index
    // never appears under a name of its own before it is whole.
    const std::string stale = dir.file(".fresh.creating-999999999");
    fs::create_directories(stale);
    opens_empty_with_schema(dir.file("fresh"));
    CHECK_FALSE(fs::exists(stale));
    for (const auto& e : fs::directory_iterator(dir.path()))
        CHECK(e.path().filename().string().find(".creating-") == std::string::npos);
}

TEST_CASE("ingest: counts, reports file and line, skips bad lines, commits") {
    test::TempDir dir;
    std::string input = dir.write("in.jsonl", {
        R"({"id": "1", "title": "one"})",
        R"({"id": "2"})",
        "",
        R"({"id": "3", "title": "three", "published": "2024-02-30"})",
        R"({"id": "4", "title": "four"})",
    });
    const std::string db = dir.file("index");
    std::vector<std::string> reports;
    IngestOptions options;
    options.report = [&](const std::string& m) { reports.push_back(m); };
    {
        auto w = IndexWriter::open(db, true, WriterOptions{1});  // a commit after every record
        REQUIRE(w.is_ok());
        IngestSummary s = ingest(*w.value(), {input, dir.file("missing.jsonl")}, options);
        CHECK(s.added == 2);
        CHECK(s.skipped == 2);
        CHECK(s.files_failed == 1);
        CHECK(s.error.is_ok());
        REQUIRE(reports.size() == 3);
        CHECK(reports[0] == input + ":2: missing \"title\": a record needs at least one non-empty title");
        CHECK(reports[1].rfind(input + ":4: \"published\" is not a date", 0) == 0);
        CHECK(reports[2].find("missing.jsonl") != std::string::npos);
    }
    {
        auto w = IndexWriter::open(db, true);
        REQUIRE(w.is_ok());
        IngestSummary again = ingest(*w.value(), {input}, options);
        CHECK(again.added == 0);
        CHECK(again.unchanged == 2);
    }
    auto stats = read_stats(db);
    REQUIRE(stats.is_ok());
    CHECK(stats->documents == 2);
    REQUIRE(stats->languages.size() == 1);
    CHECK(stats->languages[0] == std::make_pair(std::string("en"), uint64_t{2}));
    CHECK(stats->bytes > 0);
}

TEST_CASE("ingest: a stop request ends the run with what was done committed") {
    test::TempDir dir;
    std::vector<std::string> lines;
    for (int i = 0; i < 50; ++i) lines.push_back(R"({"id": ")" + std::to_string(i) + R"(", "title": "paper"})");
    std::string input = dir.write("in.jsonl", lines);
    const std::string db = dir.file("index");
    std::atomic<bool> stop{true};
    IngestOptions options;
    options.stop = &stop;
    auto w = IndexWriter::open(db, true);
    REQUIRE(w.is_ok());
    IngestSummary s = ingest(*w.value(), {input}, options);
    CHECK(s.interrupted);
    CHECK(s.added == 0);
    CHECK(s.error.is_ok());
    Xapian::Database reader(db);  // opens: the index is whole
    CHECK(reader.get_doccount() == 0);
}

TEST_CASE("stats: no index") {
    test::TempDir dir;
    auto s = read_stats(dir.file("none"));
    REQUIRE_FALSE(s.is_ok());
    CHECK(s.status().code() == ErrorCode::kNotFound);
}

TEST_CASE("writer: the spelling dictionary follows upserts and deletes") {
    test::TempDir dir;
    const std::string db = dir.file("index");
    auto w = IndexWriter::open(db, true);
    REQUIRE(w.is_ok());
    REQUIRE(w.value()->upsert(record(R"({"id": "a", "title": "Cells of the retina"})")).is_ok());
    REQUIRE(w.value()->commit().is_ok());
    CHECK(Xapian::Database(db).get_spelling_suggestion("retna") == "retina");
    // The title changes: the old word leaves the dictionary, the new one comes in.
    REQUIRE(w.value()->upsert(record(R"({"id": "a", "title": "Cells of the cornea"})")).is_ok());
    REQUIRE(w.value()->commit().is_ok());
    CHECK(Xapian::Database(db).get_spelling_suggestion("retna") == "");
    CHECK(Xapian::Database(db).get_spelling_suggestion("cornae") == "cornea");
    REQUIRE(w.value()->remove("a").value());
    REQUIRE(w.value()->commit().is_ok());
    CHECK(Xapian::Database(db).get_spelling_suggestion("cornae") == "");
}

TEST_CASE("writer: merge mode and metadata committed with the data") {
    test::TempDir dir;
    const std::string db = dir.file("index");
    auto w = IndexWriter::open(db, true);
    REQUIRE(w.is_ok());
    IndexWriter& writer = *w.value();
    using M = IndexWriter::Mode;
    CHECK(writer.upsert(record(R"({"id": "a", "title": {"en": "T"}, "upvotes": 1})"), M::kMerge).value() == IndexWriter::Change::kAdded);
    CHECK(writer.upsert(record(R"({"id": "a", "title": {"de": "U"}})"), M::kMerge).value() == IndexWriter::Change::kUpdated);
    // The same translation again: the merged record is what is stored already.
    CHECK(writer.upsert(record(R"({"id": "a", "title": {"de": "U"}})"), M::kMerge).value() == IndexWriter::Change::kUnchanged);
    REQUIRE(writer.set_metadata("abstrakt.watermark.hf", "2024-05-28").is_ok());
    CHECK(writer.metadata("abstrakt.watermark.hf").value() == "2024-05-28");  // pending, visible to the writer
    CHECK(Xapian::Database(db).get_metadata("abstrakt.watermark.hf") == "");  // not yet to readers
    REQUIRE(writer.commit().is_ok());
    Xapian::Database reader(db);
    CHECK(reader.get_metadata("abstrakt.watermark.hf") == "2024-05-28");
    auto p = reader.postlist_begin("Qa");
    CHECK(stored_json(reader.get_document(*p).get_data()).value() == R"({"id":"a","title":{"en":"T","de":"U"},"upvotes":1})");
    // Replace mode drops what the new record lacks.
    CHECK(writer.upsert(record(R"({"id": "a", "title": {"en": "T"}})")).value() == IndexWriter::Change::kUpdated);
}

TEST_CASE("export: a stored record that cannot be read is named, and every other record still comes out") {
    test::TempDir dir;
    const std::string path = dir.file("index");
    {
        auto w = IndexWriter::open(path, true);
        REQUIRE(w.is_ok());
        REQUIRE(w.value()->upsert(record(R"({"id": "a", "title": "First"})")).is_ok());
        REQUIRE(w.value()->upsert(record(R"({"id": "c", "title": "Third"})")).is_ok());
        REQUIRE(w.value()->commit().is_ok());
    }
    {
        Xapian::WritableDatabase db(path);
        Xapian::Document broken;
        broken.add_boolean_term(std::string(schema::kPrefixId) + "b");
        broken.set_data(std::string("\x28\xB5\x2F\xFD", 4) + "not a frame");
        db.replace_document(std::string(schema::kPrefixId) + "b", broken);
        db.commit();
    }
    std::vector<std::string> lines;
    Result<uint64_t> n = export_records(path, [&](const std::string& l) { lines.push_back(l); });
    REQUIRE(!n.is_ok());
    CHECK(n.message().find("stored record of b cannot be read") != std::string::npos);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].find(R"("id":"a")") != std::string::npos);
    CHECK(lines[1].find(R"("id":"c")") != std::string::npos);
}

TEST_CASE("writer: a stored record that cannot be read is replaced by the next upsert of its paper") {
    test::TempDir dir;
    const std::string path = dir.file("index");
    {
        Xapian::WritableDatabase db(path, Xapian::DB_CREATE_OR_OPEN);
        Xapian::Document broken;
        broken.add_boolean_term(std::string(schema::kPrefixId) + "b");
        broken.set_data("not a record");
        db.replace_document(std::string(schema::kPrefixId) + "b", broken);
        db.set_metadata(schema::kMetaSchemaVersion, std::to_string(schema::kVersion));
        db.commit();
    }
    auto w = IndexWriter::open(path, false);
    REQUIRE_MESSAGE(w.is_ok(), w.message());
    const Record b = record(R"({"id": "b", "title": "Second"})");
    CHECK(w.value()->upsert(b).value() == IndexWriter::Change::kUpdated);
    REQUIRE(w.value()->commit().is_ok());
    w.value().reset();
    Xapian::Database reader(path);
    CHECK(reader.get_doccount() == 1);
    auto p = reader.postlist_begin(std::string(schema::kPrefixId) + "b");
    REQUIRE(p != reader.postlist_end(std::string(schema::kPrefixId) + "b"));
    CHECK(stored_json(reader.get_document(*p).get_data()).value() == to_json(b));
}
