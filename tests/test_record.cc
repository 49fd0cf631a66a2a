// Behaviour tables for the record model, its validation and the JSON Lines reader (common/record.h).
#include "common/record.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <fstream>

#include "test_util.h"

using namespace abstrakt;

TEST_CASE("record: a full record parses with languages in input order") {
    auto r = parse_record(
        R"({"id": "2402.19173", "title": {"en": "StarCoder 2", "de": "StarCoder 2 und"}, "abstract": {"de": "Das", "en": "The"},)"
        R"( "authors": ["Anton Lozhkov", "Raymond Li"], "categories": ["cs.SE", "cs.AI"], "published": "2024-02-29",)"
        R"( "upvotes": 148, "comments": 5, "url": "https://arxiv.org/abs/2402.19173", "extra": [1]})");
    REQUIRE(r.is_ok());
    CHECK(r->id == "2402.19173");
    REQUIRE(r->title.size() == 2);
    CHECK(r->title[0].lang == "en");  // the original title comes first
    CHECK(r->title[1].lang == "de");
    CHECK(r->abstract[0].lang == "de");
    CHECK(r->authors == std::vector<std::string>{"Anton Lozhkov", "Raymond Li"});
    CHECK(r->categories == std::vector<std::string>{"cs.SE", "cs.AI"});
    CHECK(r->published == "2024-02-29");
    CHECK(r->upvotes == 148);
    CHECK(r->comments == 5);
    CHECK(r->url == "https://arxiv.org/abs/2402.19173");
    CHECK(Record::find(r->title, "de")->text == "StarCoder 2 und");
    CHECK(Record::find(r->title, "fr") == nullptr);
}

TEST_CASE("record: categories keep the arXiv categories, split out of lists, each once") {
    struct Row {
        std::string categories;  // the JSON array
        std::vector<std::string> kept;
    };
    // Values as the shared arXiv corpus has them (ACM and MSC classes, free text beside the categories).
    const Row rows[] = {
        {R"j(["cs.CV", "cs.AI", "I.4.8; I.5.4; I.2.10"])j", {"cs.CV", "cs.AI"}},
        {R"j(["cs.LG", "68T07 (Primary), 68T45 (Secondary)"])j", {"cs.LG"}},
        {R"j(["cs.AI", "Artificial intelligence", "Deep\n  learning", "N/A"])j", {"cs.AI"}},
        {R"j(["cs.CL cs.AI", "cs.CL;stat.ML", "cs.AI"])j", {"cs.CL", "cs.AI", "stat.ML"}},
        {R"j(["hep-th", "math.AG", "cond-mat.str-el", "physics.soc-ph", "q-bio"])j", {"hep-th", "math.AG", "cond-mat.str-el", "physics.soc-ph", "q-bio"}},
        {R"j(["I.2.7"])j", {}},
        {R"j(["cs.CL", "CS.CL", "cs.cl"])j", {"cs.CL", "cs.cl"}},  // "CS" is no archive; case is kept
    };
    for (const Row& row : rows) {
        CAPTURE(row.categories);
        auto r = parse_record(R"({"id": "a", "title": "T", "categories": )" + row.categories + "}");
        REQUIRE_MESSAGE(r.is_ok(), r.message());
        CHECK(r->categories == row.kept);
        // What is stored is what was kept; reading it back changes nothing.
        CHECK(from_json(to_json(r.value()))->categories == row.kept);
    }
    // A stored record from before the cleaning reads back cleaned.
    auto old = from_json(R"({"id":"a","title":{"en":"T"},"categories":["cs.CV","I.4.8; I.5.4; I.2.10"]})");
    REQUIRE(old.is_ok());
    CHECK(old->categories == std::vector<std::string>{"cs.CV"});
}

TEST_CASE("record: bare strings get their language from the script, else the default") {
    struct Row {
        std::string line;
        std::string default_lang;
        std::string expected_lang;
    };
    const Row rows[] = {
        {R"({"id": "a", "title": "Diffusion models"})", "en", "en"},
        {R"({"id": "a", "title": "Diffusionsmodelle"})", "de", "de"},  // the configured default
        {R"({"id": "a", "title": "扩散模型"})", "en", "zh"},
        {R"({"id": "a", "title": "大規模言語モデル"})", "en", "ja"},
        {R"({"id": "a", "title": "한국어 검색"})", "en", "ko"},
        {R"({"id": "a", "title": "Модели"})", "en", "ru"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.line);
        ParseOptions o;
        o.default_lang = row.default_lang;
        auto r = parse_record(row.line, o);
        REQUIRE(r.is_ok());
        CHECK(r->title[0].lang == row.expected_lang);
    }
}

TEST_CASE("record: malformed lines are rejected with a reason") {
    struct Row {
        std::string line;
        std::string reason;  // a part of the message
    };
    const Row rows[] = {
        {"not json", "not valid JSON"},
        {R"({"id": "a", "title": "x")", "not valid JSON"},           // truncated
        {R"(["id", "a"])", "must be a JSON object"},
        {R"({"title": "x"})", "missing \"id\""},
        {R"({"id": 2402.19173, "title": "x"})", "\"id\" must be a string"},  // a number loses digits
        {R"({"id": "", "title": "x"})", "\"id\" is empty"},
        {R"({"id": "a"})", "missing \"title\""},
        {R"({"id": "a", "title": {}})", "missing \"title\""},
        {R"({"id": "a", "title": {"en": ""}})", "missing \"title\""},   // empty text is no title
        {R"({"id": "a", "title": 5})", "\"title\" must be an object"},
        {R"({"id": "a", "title": {"en": 5}})", "\"title.en\" must be a string"},
        {R"({"id": "a", "title": {"e n": "x"}})", "invalid language code \"e n\""},
        {R"({"id": "a", "title": {"english": "x"}})", "invalid language code"},
        {R"({"id": "a", "title": {"xx": "x"}})", "unknown or invalid language code \"xx\""},
        {R"({"id": "a", "title": {"en": "x", "EN": "y"}})", "language \"en\" twice"},
        {R"({"id": "a", "title": "x", "authors": "A B"})", "\"authors\" must be an array of strings"},
        {R"({"id": "a", "title": "x", "authors": [1]})", "\"authors\" must be an array of strings"},
        {R"({"id": "a", "title": "x", "categories": {}})", "\"categories\" must be an array"},
        {R"({"id": "a", "title": "x", "published": "2024-02-30"})", "\"published\" is not a date"},
        {R"({"id": "a", "title": "x", "published": "2023-02-29"})", "\"published\" is not a date"},  // not a leap year
        {R"({"id": "a", "title": "x", "published": "yesterday"})", "\"published\" is not a date"},
        {R"({"id": "a", "title": "x", "published": 20240229})", "\"published\" must be a date string"},
        {R"({"id": "a", "title": "x", "upvotes": -1})", "\"upvotes\" must not be negative"},
        {R"({"id": "a", "title": "x", "upvotes": 1.5})", "\"upvotes\" must be a non-negative integer"},
        {R"({"id": "a", "title": "x", "comments": "3"})", "\"comments\" must be a non-negative integer"},
        {R"({"id": "a", "title": "x", "url": 3})", "\"url\" must be a string"},
        {"{\"id\": \"a\", \"title\": \"x\xff\"}", "invalid UTF-8"},
        {"{\"id\": \"a\", \"title\": \"\\ud800\"}", "not valid JSON"},  // a lone surrogate escape
    };
    for (const Row& row : rows) {
        CAPTURE(row.line);
        auto r = parse_record(row.line);
        REQUIRE_FALSE(r.is_ok());
        CHECK(r.status().code() == ErrorCode::kInvalidArgument);
        CHECK(r.message().find(row.reason) != std::string::npos);
    }
}

TEST_CASE("record: accepted variations") {
    // A leap day, an ISO date-time, nulls as absent, an English title with only a German abstract.
    CHECK(parse_record(R"({"id": "a", "title": "x", "published": "2024-02-29"})").is_ok());
    auto r = parse_record(R"({"id": "a", "title": {"en": "x"}, "abstract": {"de": "y"}, "published": "2024-02-29T17:00:00Z", "upvotes": null})");
    REQUIRE(r.is_ok());
    CHECK(r->published == "2024-02-29");
    CHECK_FALSE(r->upvotes.has_value());
    CHECK(r->abstract[0].lang == "de");
}

TEST_CASE("record: canonical JSON round-trips and ignores input order of fields") {
    auto a = parse_record(R"({"title": {"en": "T", "de": "U"}, "id": "x", "upvotes": 3, "authors": ["A"]})");
    auto b = parse_record(R"({"id": "x", "authors": ["A"], "upvotes": 3, "title": {"en": "T", "de": "U"}})");
    REQUIRE(a.is_ok());
    REQUIRE(b.is_ok());
    CHECK(to_json(a.value()) == to_json(b.value()));
    CHECK(to_json(a.value()) == R"({"id":"x","title":{"en":"T","de":"U"},"authors":["A"],"upvotes":3})");
    auto back = from_json(to_json(a.value()));
    REQUIRE(back.is_ok());
    CHECK(to_json(back.value()) == to_json(a.value()));
}

TEST_CASE("record reader: plain and gzip files, line numbers, blank lines, BOM") {
    test::TempDir dir;
    const std::vector<std::string> lines = {
        "\xEF\xBB\xBF{\"id\": \"1\", \"title\": \"one\"}",  // a byte order mark on line 1
        "",
        "{\"id\": \"2\", \"title\": \"two\"}\r",           // CRLF line ending
        "{broken",
        "{\"id\": \"3\", \"title\": \"three\"}",
    };
    std::string plain = dir.write("r.jsonl", lines);
    std::string gz = dir.file("r.jsonl.gz");
    {
        gzFile f = gzopen(gz.c_str(), "wb");
        for (const std::string& l : lines) gzputs(f, (l + "\n").c_str());
        gzclose(f);
    }
    for (const std::string& path : {plain, gz}) {
        CAPTURE(path);
        auto reader = RecordReader::open(path);
        REQUIRE(reader.is_ok());
        Record rec;
        std::string error;
        std::vector<std::string> ids;
        std::vector<std::string> errors;
        while (true) {
            auto outcome = reader.value()->next(rec, error);
            if (outcome == RecordReader::Outcome::kEnd) break;
            if (outcome == RecordReader::Outcome::kRecord) ids.push_back(rec.id);
            else errors.push_back(error);
        }
        CHECK(ids == std::vector<std::string>{"1", "2", "3"});
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].rfind(path + ":4: not valid JSON", 0) == 0);
    }
}

TEST_CASE("record reader: missing file, directory, truncated gzip") {
    test::TempDir dir;
    auto missing = RecordReader::open(dir.file("nope.jsonl"));
    REQUIRE_FALSE(missing.is_ok());
    CHECK(missing.status().code() == ErrorCode::kNotFound);
    CHECK(missing.message().find("nope.jsonl") != std::string::npos);

    auto directory = RecordReader::open(dir.path());
    REQUIRE_FALSE(directory.is_ok());
    CHECK(directory.message().find("is a directory") != std::string::npos);

    // A gzip file cut in the middle: the records before the cut are read, then a read error.
    std::string gz = dir.file("cut.jsonl.gz");
    {
        gzFile f = gzopen(gz.c_str(), "wb");
        for (int i = 0; i < 2000; ++i)
            gzputs(f, ("{\"id\": \"" + std::to_string(i) + "\", \"title\": \"title number " + std::to_string(i * 7919) + "\"}\n").c_str());
        gzclose(f);
    }
    std::string bytes;
    {
        std::ifstream in(gz, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    {
        std::ofstream out(gz, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
    }
    auto reader = RecordReader::open(gz);
    REQUIRE(reader.is_ok());
    Record rec;
    std::string error;
    int records = 0;
    RecordReader::Outcome last;
    while ((last = reader.value()->next(rec, error)) == RecordReader::Outcome::kRecord ||
           last == RecordReader::Outcome::kMalformed)
        if (last == RecordReader::Outcome::kRecord) ++records;
    CHECK(records > 0);
    CHECK(records < 2000);
    CHECK(last == RecordReader::Outcome::kReadError);
    CHECK(error.find("read error") != std::string::npos);
}

TEST_CASE("record reader: a line over the size limit is reported and skipped") {
    test::TempDir dir;
    std::string huge = "{\"id\": \"big\", \"title\": \"" + std::string(RecordReader::kMaxLineBytes + 10, 'x') + "\"}";
    std::string path = dir.write("big.jsonl", {huge, "{\"id\": \"small\", \"title\": \"ok\"}"});
    auto reader = RecordReader::open(path);
    REQUIRE(reader.is_ok());
    Record rec;
    std::string error;
    CHECK(reader.value()->next(rec, error) == RecordReader::Outcome::kMalformed);
    CHECK(error.find(":1: line longer than") != std::string::npos);
    REQUIRE(reader.value()->next(rec, error) == RecordReader::Outcome::kRecord);
    CHECK(rec.id == "small");
    CHECK(reader.value()->line() == 2);
}

TEST_CASE("valid_date") {
    struct Row {
        std::string date;
        bool ok;
    };
    const Row rows[] = {
        {"2024-02-29", true}, {"2023-02-29", false}, {"2000-02-29", true},  // 2000 is a leap year
        {"1900-02-29", false},                                              // 1900 is not
        {"2024-13-01", false}, {"2024-00-10", false}, {"2024-04-31", false}, {"2024-4-01", false},
        {"20240229", false},   {"", false},           {"0999-01-01", false},
    };
    for (const Row& r : rows) {
        CAPTURE(r.date);
        CHECK(valid_date(r.date) == r.ok);
    }
}

TEST_CASE("record reader: concatenated gzip members, corrupt gzip data") {
    test::TempDir dir;
    // "cat a.gz b.gz" is a valid gzip file of two members: both are read.
    std::string two = dir.file("two.jsonl.gz");
    for (const char* id : {"a", "b"}) {
        gzFile f = gzopen(two.c_str(), "ab");
        gzputs(f, (std::string("{\"id\": \"") + id + "\", \"title\": \"t\"}\n").c_str());
        gzclose(f);
    }
    auto reader = RecordReader::open(two);
    REQUIRE(reader.is_ok());
    Record rec;
    std::string error;
    std::vector<std::string> ids;
    while (reader.value()->next(rec, error) == RecordReader::Outcome::kRecord) ids.push_back(rec.id);
    CHECK(ids == std::vector<std::string>{"a", "b"});

    // The gzip magic number followed by garbage.
    std::string bad = dir.write("bad.jsonl.gz", {"\x1f\x8b" "this is not deflate data at all"});
    auto corrupt = RecordReader::open(bad);
    REQUIRE(corrupt.is_ok());
    CHECK(corrupt.value()->next(rec, error) == RecordReader::Outcome::kReadError);
    CHECK(error.find(":1: read error: corrupt gzip data") != std::string::npos);
}

TEST_CASE("record: merging a source's update into the stored paper") {
    auto rec = [](const char* json) {
        auto r = parse_record(json);
        REQUIRE_MESSAGE(r.is_ok(), r.message());
        return r.value();
    };
    struct Row {
        const char* stored;
        const char* update;
        const char* expected;  // canonical JSON
        const char* why;
    };
    const Row rows[] = {
        {R"({"id": "a", "title": {"en": "T", "de": "U"}, "abstract": {"de": "D"}})",
         R"({"id": "a", "title": {"en": "T2"}, "abstract": {"en": "E"}})",
         R"({"id":"a","title":{"en":"T2","de":"U"},"abstract":{"de":"D","en":"E"}})",
         "an English update keeps the German translation"},
        {R"({"id": "a", "title": "T", "upvotes": 5, "comments": 2})",
         R"({"id": "a", "title": "T", "upvotes": 9})",
         R"({"id":"a","title":{"en":"T"},"upvotes":9,"comments":2})",
         "counters take the newest value; absent ones stay"},
        {R"({"id": "a", "title": "T", "authors": ["A"], "categories": ["cs.CL"], "published": "2024-01-02", "url": "u"})",
         R"({"id": "a", "title": {"de": "U"}})",
         R"({"id":"a","title":{"en":"T","de":"U"},"authors":["A"],"categories":["cs.CL"],"published":"2024-01-02","url":"u"})",
         "a translation-only update adds a language and keeps the rest"},
        {R"({"id": "a", "title": "T", "authors": ["A"]})",
         R"({"id": "a", "title": "T", "authors": ["B", "C"], "published": "2024-03-04"})",
         R"({"id":"a","title":{"en":"T"},"authors":["B","C"],"published":"2024-03-04"})",
         "lists are replaced whole, not mixed"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.why);
        CHECK(to_json(merge_records(rec(r.stored), rec(r.update))) == r.expected);
    }
}

namespace {

// from_json reads stored records through a fast reader that hands anything unusual to parse_record:
// both must agree on every text, the record (by its canonical JSON) or the message.
void check_same_as_parse_record(const std::string& text) {
    CAPTURE(text);
    auto fast = from_json(text);
    auto slow = parse_record(text);
    REQUIRE(fast.is_ok() == slow.is_ok());
    if (slow.is_ok())
        CHECK(to_json(fast.value()) == to_json(slow.value()));
    else
        CHECK(fast.message() == slow.message());
}

}  // namespace

TEST_CASE("record: from_json reads what parse_record reads, the bundled records and mutations of them") {
    std::vector<std::string> canonical;
    auto reader = RecordReader::open(test::data_dir() + "/arxiv-slice.jsonl.gz");
    REQUIRE(reader.is_ok());
    Record r;
    std::string error;
    while (reader.value()->next(r, error) == RecordReader::Outcome::kRecord) canonical.push_back(to_json(r));
    REQUIRE(canonical.size() > 500);
    for (const std::string& c : canonical) check_same_as_parse_record(c);
    // Texts to_json never writes: each must go the way parse_record goes.
    const std::string odd[] = {
        R"({"id":"a","title":{"en":"T"},"id":"b"})",                   // a duplicate key
        R"({"id":"a","title":{"en":"T","en":"U"}})",                   // a duplicate language
        R"({"id":"a","title":{"EN":"T"}})",                            // a tag to canonicalise
        R"({"id":"a","title":{"xx":"T"}})",                            // an unknown tag
        R"({"id":"a","title":{"en":""},"abstract":{"de":"x"}})",       // an empty title
        R"({"id":"a","title":"T"})",                                   // a bare string
        R"({"id":"a","title":{"en":"T"},"upvotes":null})",             // null as absent
        R"({"id":"a","title":{"en":"T"},"upvotes":1e3})",              // a float
        R"({"id":"a","title":{"en":"T"},"upvotes":18446744073709551615})",
        R"({"id":"a","title":{"en":"T"},"published":"2024-02-29T10:00:00Z"})",
        R"({"id":"a","title":{"en":"T"},"categories":["cs.CL; I.2.7","cs.CL"]})",  // unclean categories
        R"({"id":"a","title":{"en":"T"},"authors":["",  "B"]})",
        R"({"id":"a","title":{"en":"T"},"extra":1})",                  // an unknown field
        R"({"id":"a\u0001","title":{"en":"T"}})",
        R"({"id":"a","title":{"en":"T"}} trailing)",
        "{\"id\":\"a\",\"title\":{\"en\":\"\xff\"}}",
        R"({"id":"a","title":{"en":"\ud800"}})",
        "",
        "[]",
    };
    for (const std::string& o : odd) check_same_as_parse_record(o);
    // Random edits of real records: deletions, and insertions of the characters JSON turns on.
    const std::string inserts = "{}[]\",:\\0-e \x01\xc3";
    uint64_t x = 0x9E3779B97F4A7C15ull;
    auto next = [&x]() { return x ^= x << 13, x ^= x >> 7, x ^= x << 17; };
    for (int i = 0; i < 3000; ++i) {
        std::string s = canonical[next() % 20];
        for (int edits = 1 + static_cast<int>(next() % 3); edits > 0 && !s.empty(); --edits) {
            const size_t at = next() % s.size();
            if (next() % 2)
                s.erase(at, 1);
            else
                s.insert(at, 1, inserts[next() % inserts.size()]);
        }
        check_same_as_parse_record(s);
    }
}

TEST_CASE("record: the stored form is zstd and reads back, plain JSON reads as it is, anything else is an error") {
    Record r = parse_record(R"({"id": "2401.00001", "title": {"en": "Stored records", "de": "Gespeicherte Datensätze"}, "abstract": {"en": "Compressed with zstd, which glass then stores as it is."}, "upvotes": 3})").value();
    const std::string stored = to_stored(r);
    REQUIRE(stored.size() >= 4);
    CHECK(static_cast<unsigned char>(stored[0]) == 0x28);  // the zstd frame's magic number, little-endian
    CHECK(static_cast<unsigned char>(stored[3]) == 0xFD);
    CHECK(stored.find("Stored records") == std::string::npos);
    CHECK(stored_json(stored).value() == to_json(r));
    CHECK(from_stored(stored).value().id == "2401.00001");
    // Indexes before schema version 7, and documents that tests make, hold the JSON itself.
    CHECK(stored_json(to_json(r)).value() == to_json(r));
    CHECK(from_stored(to_json(r)).value().title[1].text == "Gespeicherte Datensätze");
    // Broken data is an error, never a crash or a partial record.
    for (const std::string& bad : {std::string(), std::string("xyz"), stored.substr(0, stored.size() - 3), stored.substr(0, 4),
                                   std::string("\x28\xB5\x2F\xFD", 4) + std::string(20, '\xFF')}) {
        CAPTURE(bad.size());
        CHECK(!stored_json(bad).is_ok());
        CHECK(!from_stored(bad).is_ok());
    }
}
