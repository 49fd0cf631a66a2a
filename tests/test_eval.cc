// abstrakt-eval: the metrics on hand-computed cases, the paired randomisation test, BEIR parsing and
// its errors, the plain-words rewriting of query text, the FTS5 peer's query building, a whole run
// over tiny hand-made collections (with its cache), and the program's exit statuses.
#include "eval/run.h"

#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "eval/beir.h"
#include "eval/metrics.h"
#include "eval/peer_fts5.h"
#include "tests/query_util.h"
#include "test_util.h"

using namespace abstrakt;
using namespace abstrakt::eval;

namespace {

// 1 / log2(3), the discount at rank 2; 1 / log2(4) = 0.5 at rank 3.
const double kD2 = 1.0 / std::log2(3.0);  // 0.6309298

std::vector<std::string> lines_of(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A tiny English collection: five papers, five judged queries.
//   q1: d1 relevant (grade 2): found first.
//   q2: d2 relevant.
//   q3: d5 relevant, but the query's words are in no document: returns nothing, scores 0.
//   q4: judged with grade 0 only: skipped.
//   q5: judged, but absent from queries.jsonl: reported and skipped.
void write_english(const test::TempDir& dir, bool with_bad_line) {
    std::vector<std::string> corpus = {
        R"({"_id": "d1", "title": "Aspirin reduces fever", "text": "Aspirin is an analgesic that lowers body temperature in adults."})",
        R"({"_id": "d2", "title": "Malaria vaccine trial", "text": "A phase three trial of a malaria vaccine in children."})",
        R"({"_id": "d3", "title": "Fever in children", "text": "Viral infections cause fever in young children."})",
        R"({"_id": "d4", "title": "Statins and heart disease", "text": "Statins lower cholesterol and reduce cardiovascular risk."})",
        R"({"_id": "d5", "title": "Sleep and memory", "text": "Sleep consolidates memory in rodents and humans."})",
    };
    if (with_bad_line) corpus.push_back("{not json");
    dir.write("corpus.jsonl", corpus);
    dir.write("queries.jsonl", {
                                   R"({"_id": "q1", "text": "Aspirin lowers fever."})",
                                   R"({"_id": "q2", "text": "malaria vaccine for children"})",
                                   R"({"_id": "q3", "text": "zebra quantum xylophone"})",
                                   R"({"_id": "q4", "text": "sleep memory"})",
                               });
    std::filesystem::create_directories(dir.file("qrels"));
    dir.write("qrels/test.tsv", {"query-id\tcorpus-id\tscore", "q1\td1\t2", "q2\td2\t1", "q3\td5\t1", "q4\td5\t0",
                                 "q5\td4\t1"});
}

int run_program(const std::string& args, const std::string& out_file) {
    const std::string cmd = std::string(ABSTRAKT_BINARY_DIR) + "/bin/abstrakt-eval " + args + " >" + out_file + " 2>&1";
    int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("eval metrics: hand-computed cases, table") {
    enum class M { kNdcg, kRecall, kRr };
    struct Row {
        M metric;
        Ranking ranking;
        Judgements judged;
        size_t k;
        double expected;
    };
    const Row rows[] = {
        // The one relevant document first: DCG 1/log2(2) = 1 = IDCG.
        {M::kNdcg, {"a"}, {{"a", 1}}, 10, 1.0},
        // Second: DCG = 1/log2(3) = 0.6309; IDCG = 1.
        {M::kNdcg, {"x", "a"}, {{"a", 1}}, 10, kD2},
        // Graded, in the wrong order: DCG = 1/log2(2) + 2/log2(3) = 1 + 1.2619 = 2.2619;
        // IDCG = 2/log2(2) + 1/log2(3) = 2.6309; 2.2619 / 2.6309 = 0.8597.
        {M::kNdcg, {"b", "a", "x"}, {{"a", 2}, {"b", 1}}, 10, (1 + 2 * kD2) / (2 + kD2)},
        // Graded, in the right order: DCG = IDCG.
        {M::kNdcg, {"a", "b", "x"}, {{"a", 2}, {"b", 1}}, 10, 1.0},
        // Ties in grade: either order of two grade-1 documents is ideal.
        {M::kNdcg, {"b", "a"}, {{"a", 1}, {"b", 1}}, 10, 1.0},
        // Ties in grade with a gap: DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.6309; 0.9197.
        {M::kNdcg, {"a", "x", "b"}, {{"a", 1}, {"b", 1}}, 10, 1.5 / (1 + kD2)},
        // The relevant document at rank 3 with k = 2: nothing counted.
        {M::kNdcg, {"x", "y", "a"}, {{"a", 1}}, 2, 0.0},
        // The ideal ranking is cut at k too: DCG = 1; IDCG@2 = 1 + 1/log2(3) (not + 1/log2(4)); 0.6131.
        {M::kNdcg, {"a"}, {{"a", 1}, {"b", 1}, {"c", 1}}, 2, 1 / (1 + kD2)},
        // A negative grade counts as 0: DCG = 0 + 1/log2(3); IDCG = 1.
        {M::kNdcg, {"a", "b"}, {{"a", -1}, {"b", 1}}, 10, kD2},
        // A repeated document is ignored, not counted again nor given a rank: "a" is at rank 2.
        {M::kNdcg, {"x", "x", "a"}, {{"a", 1}}, 10, kD2},
        // No results: 0.
        {M::kNdcg, {}, {{"a", 1}}, 10, 0.0},
        // Nothing relevant at all (only grade 0): 0 (callers skip such queries).
        {M::kNdcg, {"a"}, {{"a", 0}}, 10, 0.0},
        // Two of four relevant documents in the first 100: 2/4.
        {M::kRecall, {"a", "x", "b"}, {{"a", 1}, {"b", 2}, {"c", 1}, {"d", 1}}, 100, 0.5},
        // Only the first one counts with k = 1: 1/4.
        {M::kRecall, {"a", "x", "b"}, {{"a", 1}, {"b", 2}, {"c", 1}, {"d", 1}}, 1, 0.25},
        // A grade-0 judgement is not relevant and not in the denominator: 1/1.
        {M::kRecall, {"a"}, {{"a", 1}, {"z", 0}}, 100, 1.0},
        // A repeat found twice still counts once: 1/2.
        {M::kRecall, {"a", "a"}, {{"a", 1}, {"b", 1}}, 100, 0.5},
        // No results: 0.
        {M::kRecall, {}, {{"a", 1}}, 100, 0.0},
        // First relevant document at rank 3: 1/3.
        {M::kRr, {"x", "y", "a", "b"}, {{"a", 1}, {"b", 1}}, 10, 1.0 / 3},
        // At rank 3 with k = 2: 0.
        {M::kRr, {"x", "y", "a"}, {{"a", 1}}, 2, 0.0},
        // The grade does not matter, only the first relevant rank: 1/1.
        {M::kRr, {"b", "a"}, {{"a", 3}, {"b", 1}}, 10, 1.0},
        // Equal scores are not re-sorted: the order given is evaluated, so "a" listed second is 1/2
        // (trec_eval would break a score tie by document id, in reverse order).
        {M::kRr, {"b", "a"}, {{"a", 1}}, 10, 0.5},
        // No results: 0.
        {M::kRr, {}, {{"a", 1}}, 10, 0.0},
    };
    int i = 0;
    for (const Row& r : rows) {
        CAPTURE(i++);
        double got = r.metric == M::kNdcg     ? ndcg_at(r.ranking, r.judged, r.k)
                     : r.metric == M::kRecall ? recall_at(r.ranking, r.judged, r.k)
                                              : reciprocal_rank_at(r.ranking, r.judged, r.k);
        CHECK(got == doctest::Approx(r.expected).epsilon(1e-12));
    }
    CHECK(has_relevant({{"a", 0}, {"b", 1}}));
    CHECK_FALSE(has_relevant({{"a", 0}, {"b", -1}}));
    CHECK_FALSE(has_relevant({}));
    CHECK(mean({}) == 0);
    CHECK(mean({1, 0, 0.5}) == doctest::Approx(0.5));
}

TEST_CASE("eval metrics: paired randomisation test, table") {
    struct Row {
        std::vector<double> a, b;
        uint32_t permutations;
        double expected;
    };
    const std::vector<double> ones20(20, 1.0), zeros20(20, 0.0);
    const Row rows[] = {
        // Identical systems: every difference 0, p = 1.
        {{0.5, 0.2, 1}, {0.5, 0.2, 1}, 10000, 1.0},
        // Five differences of +1, enumerated exactly (2^5 = 32 <= 10000): only all-plus and all-minus
        // reach |sum| = 5, so p = 2/32 = 0.0625.
        {{1, 1, 1, 1, 1}, {0, 0, 0, 0, 0}, 10000, 0.0625},
        // Differences 2, -1, 1 (observed sum 2): the eight sums of +-2 +-1 +-1 are 4, 2, 2, 0, 0, -2, -2, -4;
        // six have |sum| >= 2, so p = 6/8 = 0.75.
        {{2, 0, 1}, {0, 1, 0}, 10000, 0.75},
        // Differences 1 and -1 cancel: observed 0, every assignment is as extreme, p = 1.
        {{1, 0}, {0, 1}, 10000, 1.0},
        // Twenty differences of +1 with 1,000 draws (2^20 > 1000: sampled). Only 2 of 2^20 assignments are
        // as extreme, so no draw hits and p = (0 + 1) / (1000 + 1), never 0.
        {ones20, zeros20, 1000, 1.0 / 1001},
        // Sizes differ: no test, p = 1.
        {{1, 1}, {0}, 10000, 1.0},
        // No queries: p = 1.
        {{}, {}, 10000, 1.0},
    };
    int i = 0;
    for (const Row& r : rows) {
        CAPTURE(i++);
        CHECK(paired_randomisation_p(r.a, r.b, r.permutations) == doctest::Approx(r.expected).epsilon(1e-12));
    }
    // Sampled p-values depend on the seed only: the same seed gives the same answer.
    std::vector<double> a, b;
    for (int k = 0; k < 40; ++k) {
        a.push_back((k % 3) * 0.5);
        b.push_back((k % 4) * 0.3);
    }
    double p1 = paired_randomisation_p(a, b, 2000, 7), p2 = paired_randomisation_p(a, b, 2000, 7);
    CHECK(p1 == p2);
    CHECK(p1 > 0);
    CHECK(p1 <= 1);
}

TEST_CASE("eval beir: malformed lines are reported with file:line and skipped") {
    test::TempDir dir;
    std::string corpus = dir.write("corpus.jsonl", {
        "\xEF\xBB\xBF" R"({"_id": "d1", "title": "First", "text": "one"})",  // 1: a byte order mark, ignored
        "{not json",                                                             // 2: not JSON
        R"(["an", "array"])",                                                    // 3: not an object
        R"({"title": "No id", "text": "x"})",                                   // 4: no _id
        R"({"_id": "", "text": "x"})",                                          // 5: empty _id
        R"({"_id": 7, "text": "a numeric id"})",                                // 6: accepted as "7"
        R"({"_id": "d3", "title": 5, "text": "x"})",                           // 7: title not a string
        R"({"_id": "d4", "title": "No text"})",                                 // 8: no text
        R"({"_id": "d5", "title": "", "text": "  "})",                          // 9: nothing to index
        R"({"_id": "d1", "title": "Again", "text": "two"})",                    // 10: duplicate id
        "",                                                                      // 11: blank, skipped silently
        R"({"_id": "d6", "title": null, "text": "no title", "metadata": {}})" "\r",  // 12: null title, CRLF
    });
    std::vector<std::string> reports;
    uint64_t skipped = 0;
    auto docs = read_corpus(corpus, [&](const std::string& m) { reports.push_back(m); }, skipped);
    REQUIRE(docs.is_ok());
    std::vector<std::string> ids;
    for (const BeirDoc& d : docs.value()) ids.push_back(d.id);
    CHECK(ids == std::vector<std::string>{"d1", "7", "d6"});
    CHECK(docs.value()[0].title == "First");
    CHECK(docs.value()[2].title.empty());
    CHECK(docs.value()[2].text == "no title");
    CHECK(skipped == 8);
    const std::vector<std::pair<int, std::string>> expected = {
        {2, "not JSON"}, {3, "not a JSON object"}, {4, "no _id"}, {5, "_id is empty"},
        {7, "title is not a string"}, {8, "no text"}, {9, "neither title nor text"}, {10, "seen before"},
    };
    REQUIRE(reports.size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        CAPTURE(reports[i]);
        CHECK(reports[i].rfind(corpus + ":" + std::to_string(expected[i].first) + ": ", 0) == 0);
        CHECK(reports[i].find(expected[i].second) != std::string::npos);
    }

    std::string queries = dir.write("queries.jsonl", {
        R"({"_id": "q1", "text": "a claim"})",  // 1
        R"({"_id": "q2"})",                     // 2: no text
        R"({"_id": "q3", "text": 3})",          // 3: text not a string
        R"({"_id": "q1", "text": "again"})",    // 4: duplicate
    });
    reports.clear();
    skipped = 0;
    auto qs = read_queries(queries, [&](const std::string& m) { reports.push_back(m); }, skipped);
    REQUIRE(qs.is_ok());
    REQUIRE(qs.value().size() == 1);
    CHECK(qs.value()[0].text == "a claim");
    CHECK(skipped == 3);
    REQUIRE(reports.size() == 3);
    CHECK(reports[0].rfind(queries + ":2: no text", 0) == 0);
    CHECK(reports[1].rfind(queries + ":3: text is not a string", 0) == 0);
    CHECK(reports[2].rfind(queries + ":4: ", 0) == 0);

    std::filesystem::create_directories(dir.file("qrels"));
    std::string qrels = dir.write("qrels/test.tsv", {
        "query-id\tcorpus-id\tscore",  // 1: the header
        "q1\td1\t1",                   // 2
        "q1\td2\t2",                   // 3
        "q2 d1 1",                     // 4: spaces instead of tabs, still three fields
        "q1\td1\tx",                   // 5: score not an integer
        "q1\td1",                      // 6: two fields
        "q1\td1\t0",                   // 7: the same pair again
        "\td1\t1",                     // 8: empty query id
        "q3\td1\t1\textra",            // 9: four fields
    });
    BeirData data;
    reports.clear();
    REQUIRE(read_qrels(qrels, data, [&](const std::string& m) { reports.push_back(m); }).is_ok());
    CHECK(data.qrels_order == std::vector<std::string>{"q1", "q2"});
    CHECK(data.qrels.at("q1") == Judgements{{"d1", 1}, {"d2", 2}});
    CHECK(data.qrels.at("q2") == Judgements{{"d1", 1}});
    CHECK(data.skipped == 5);
    REQUIRE(reports.size() == 5);
    const int bad_lines[] = {5, 6, 7, 8, 9};
    for (size_t i = 0; i < 5; ++i) CHECK(reports[i].rfind(qrels + ":" + std::to_string(bad_lines[i]) + ": ", 0) == 0);

    // A qrels file without a header: the first line is data.
    BeirData bare;
    std::string no_header = dir.write("qrels/bare.tsv", {"q9\td9\t1"});
    REQUIRE(read_qrels(no_header, bare, nullptr).is_ok());
    CHECK(bare.qrels_order == std::vector<std::string>{"q9"});
}

TEST_CASE("eval beir: missing directory, file or split is a clear error") {
    test::TempDir dir;
    auto r = load_beir(dir.file("nope"), "test", nullptr);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == ErrorCode::kNotFound);
    CHECK(r.message() == dir.file("nope") + ": no such directory");

    write_english(dir, false);
    r = load_beir(dir.path(), "dev", nullptr);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == ErrorCode::kNotFound);
    CHECK(r.message().find("qrels/dev.tsv: no such file") != std::string::npos);
    CHECK(r.message().find("splits there: test") != std::string::npos);

    std::filesystem::remove(dir.file("queries.jsonl"));
    r = load_beir(dir.path(), "test", nullptr);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == ErrorCode::kNotFound);
    CHECK(r.message() == dir.file("queries.jsonl") + ": no such file");

    uint64_t skipped = 0;
    auto c = read_corpus(dir.path(), nullptr, skipped);  // a directory, not a file
    REQUIRE_FALSE(c.is_ok());
    CHECK(c.status().code() == ErrorCode::kUnavailable);
}

TEST_CASE("eval: natural-language text becomes plain words, table") {
    struct Row {
        std::string text, expected;
    };
    const Row rows[] = {
        // Nothing that the syntax reads: unchanged (the hyphen inside a word stays for the analyzer).
        {"0-dimensional biomaterials show inductive properties.", "0-dimensional biomaterials show inductive properties."},
        // "-2" and "-3" would exclude papers with a 2 or a 3.
        {"Differentiated E2f-1, -2, -3 TKO cells", "Differentiated E2f-1, 2, 3 TKO cells"},
        // "+1" would require the word.
        {"by destabilizing +1 nucleosomes.", "by destabilizing 1 nucleosomes."},
        // Quotes would make a phrase.
        {"generated using \"artificial spermatids.\"", "generated using artificial spermatids."},
        // Brackets would group; "apo(a)" is two words either way.
        {"sudden infant death syndrome (SIDS) and apo(a)", "sudden infant death syndrome SIDS and apo a"},
        // Upper-case operators become the words they are in prose.
        {"cats AND dogs OR NOT birds", "cats and dogs or not birds"},
        // A field name before a colon would restrict or filter.
        {"title:cancer id:5 Year:2020", "title cancer id 5 Year 2020"},
        // Only signs and brackets: nothing left of "(+)-".
        {"alpha (+)- thalassemia", "alpha thalassemia"},
        // Spaces folded.
        {"  spaced\tout \n", "spaced out"},
        {"", ""},
    };
    Analyzer analyzer;
    QueryContext ctx;
    ctx.stem_langs = {"en"};
    for (const Row& r : rows) {
        CAPTURE(r.text);
        std::string plain = plain_words(r.text);
        CHECK(plain == r.expected);
        if (plain.empty()) continue;
        // Whatever the text, the result parses as plain words: no notice, no exclusion.
        auto parsed = test::compile_query(plain, analyzer, ctx);
        REQUIRE(parsed.is_ok());
        CHECK(parsed->plan.notices.empty());
        CHECK_FALSE(test::has_modifier(parsed->plan.root, Modifier::kExcluded));
    }
    // As typed, the second row excludes: the reason for plain_words.
    auto raw = test::compile_query(rows[1].text, analyzer, ctx);
    REQUIRE(raw.is_ok());
    CHECK(test::has_modifier(raw->plan.root, Modifier::kExcluded));
}

TEST_CASE("eval fts5: queries are quoted tokens joined with OR, table") {
    struct Row {
        std::string text;
        Fts5Tokenizer tokenizer;
        std::string match;
        size_t dropped;
    };
    const Row rows[] = {
        // Cut where unicode61 cuts: the hyphen and the full stop separate.
        {"0-dimensional biomaterials.", Fts5Tokenizer::kPorter, R"("0" OR "dimensional" OR "biomaterials")", 0},
        // FTS5 operators and syntax characters are only text inside quotes, or separators.
        {"cats AND dogs NEAR(x y) col:z* ^a \"b\"", Fts5Tokenizer::kPorter,
         R"("cats" OR "AND" OR "dogs" OR "NEAR" OR "x" OR "y" OR "col" OR "z" OR "a" OR "b")", 0},
        // A token given twice is searched once.
        {"cell cell cells", Fts5Tokenizer::kPorter, R"("cell" OR "cells")", 0},
        // Letters with diacritics are letters.
        {"Müller-Lyer illusion", Fts5Tokenizer::kUnicode61, R"("Müller" OR "Lyer" OR "illusion")", 0},
        // Trigram: a token of three or more characters is a substring; "老年" and "ab" cannot match.
        {"修正Rodrigues参数模型 老年 ab", Fts5Tokenizer::kTrigram, R"("修正Rodrigues参数模型")", 2},
        // Trigram: nothing left, no query.
        {"老年 人", Fts5Tokenizer::kTrigram, "", 2},
        // Chinese punctuation separates: "羟基自由基" stays, "OH" is too short.
        {"羟基自由基(.OH)，清除作用", Fts5Tokenizer::kTrigram, R"("羟基自由基" OR "清除作用")", 1},
        // Only punctuation: no token at all.
        {"()-. \"", Fts5Tokenizer::kPorter, "", 0},
    };
    for (const Row& r : rows) {
        CAPTURE(r.text);
        Fts5Query q = fts5_query(r.text, r.tokenizer);
        CHECK(q.match == r.match);
        CHECK(q.dropped == r.dropped);
    }
    CHECK(fts5_tokenizer_for("en") == Fts5Tokenizer::kPorter);
    CHECK(fts5_tokenizer_for("zh") == Fts5Tokenizer::kTrigram);
    CHECK(fts5_tokenizer_for("de") == Fts5Tokenizer::kUnicode61);
}

TEST_CASE("eval fts5: the index ranks by bm25 and never fails on query text") {
    test::TempDir dir;
    std::vector<BeirDoc> docs = {
        {"d1", "Aspirin and fever", "Aspirin lowers fever.", 1},
        {"d2", "Fever", "A fever in children.", 2},
        {"d3", "Sleep", "Sleep and memory.", 3},
    };
    auto built = Fts5Index::build(dir.file("en.sqlite"), docs, Fts5Tokenizer::kPorter);
    REQUIRE_MESSAGE(built.is_ok(), built.message());
    CHECK(built.value()->documents() == 3);
    built.value().reset();
    CHECK(Fts5Index::build(dir.file("en.sqlite"), docs, Fts5Tokenizer::kPorter).status().code() == ErrorCode::kUnavailable);
    CHECK(Fts5Index::open(dir.file("none.sqlite"), Fts5Tokenizer::kPorter).status().code() == ErrorCode::kNotFound);

    auto index = Fts5Index::open(dir.file("en.sqlite"), Fts5Tokenizer::kPorter);
    REQUIRE(index.is_ok());
    auto hits = index.value()->search("aspirin for fevers", 10);  // porter: "fevers" meets "fever"
    REQUIRE(hits.is_ok());
    REQUIRE(hits.value().size() == 2);
    CHECK(hits.value()[0].id == "d1");  // both words
    CHECK(hits.value()[1].id == "d2");
    CHECK(hits.value()[0].bm25 < hits.value()[1].bm25);  // lower is better
    for (const char* text : {"\"", "NEAR(", "a OR", "*", "-sleep", "AND", "col:x", "^", "", "))(("}) {
        CAPTURE(text);
        auto r = index.value()->search(text, 10);
        CHECK_MESSAGE(r.is_ok(), r.message());
    }
    CHECK(index.value()->search("memory", 1).value().size() == 1);

    std::vector<BeirDoc> zh = {{"z1", "基于扩散模型的图像生成", "本文提出一种图像生成方法。", 1},
                               {"z2", "老年人的睡眠", "睡眠质量研究。", 2}};
    auto tri = Fts5Index::build(dir.file("zh.sqlite"), zh, Fts5Tokenizer::kTrigram);
    REQUIRE(tri.is_ok());
    size_t dropped = 0;
    auto zh_hits = tri.value()->search("扩散模型 老年", 10, &dropped);
    REQUIRE(zh_hits.is_ok());
    REQUIRE(zh_hits.value().size() == 1);
    CHECK(zh_hits.value()[0].id == "z1");
    CHECK(dropped == 1);  // "老年" has two characters
}

TEST_CASE("eval run: a tiny English collection end to end, then from the cache") {
    test::TempDir dir, cache, runs;
    write_english(dir, false);
    EvalOptions o;
    o.dir = dir.path();
    o.split = "test";
    o.cache_dir = cache.path();
    o.run_dir = runs.path();
    o.per_query_path = runs.file("per-query.tsv");
    std::vector<std::string> reports;
    o.report = [&](const std::string& m) { reports.push_back(m); };

    auto r = run_eval(o);
    REQUIRE_MESSAGE(r.is_ok(), r.message());
    CHECK(r->lang == "en");
    CHECK(r->lang_detected);
    CHECK(r->documents == 5);
    CHECK(r->judged_queries == 5);
    CHECK(r->no_relevant == 1);   // q4
    CHECK(r->missing_text == 1);  // q5
    CHECK(r->query_ids == std::vector<std::string>{"q1", "q2", "q3"});
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].find("query q5 is judged") != std::string::npos);
    CHECK(r->partial());  // q5 had no text

    const SystemRun& a = r->abstrakt;
    CHECK(a.indexed == 5);
    CHECK_FALSE(a.index_cached);
    CHECK(a.rr10 == std::vector<double>{1.0, 1.0, 0.0});  // q3 finds nothing: 0
    CHECK(a.ndcg10[0] == 1.0);
    CHECK(a.empty == 1);
    REQUIRE(r->peer);
    CHECK(r->peer->rr10 == std::vector<double>{1.0, 1.0, 0.0});
    CHECK(r->p_rr10 == 1.0);  // the same reciprocal ranks

    // The run file: "qid Q0 docid rank score tag", scores falling with rank.
    std::vector<std::string> run = lines_of(a.run_file);
    REQUIRE_FALSE(run.empty());
    CHECK(run[0] == "q1 Q0 d1 1 100 abstrakt");
    for (const std::string& l : run) CHECK(l.rfind("q3 ", 0) != 0);  // nothing for q3
    CHECK(lines_of(r->peer->run_file)[0] == "q1 Q0 d1 1 100 fts5");
    std::vector<std::string> pq = lines_of(runs.file("per-query.tsv"));
    REQUIRE(pq.size() == 4);
    CHECK(pq[0] == "query-id\tabstrakt.ndcg@10\tabstrakt.recall@100\tabstrakt.rr@10\tfts5.ndcg@10\tfts5.recall@100\tfts5.rr@10\tabstrakt.tier");
    CHECK(pq[3].rfind("q3\t0.0000\t0.0000\t0.0000\t", 0) == 0);

    std::string table = format_result(r.value());
    CHECK(table.find("nDCG@10") != std::string::npos);
    CHECK(table.find("Recall@100") != std::string::npos);
    CHECK(table.find("MRR@10") != std::string::npos);

    // Second run: both indexes come from the cache; --rebuild builds them again.
    auto again = run_eval(o);
    REQUIRE(again.is_ok());
    CHECK(again->abstrakt.index_cached);
    CHECK(again->peer->index_cached);
    CHECK(again->abstrakt.rr10 == a.rr10);
    o.rebuild = true;
    auto rebuilt = run_eval(o);
    REQUIRE(rebuilt.is_ok());
    CHECK_FALSE(rebuilt->abstrakt.index_cached);
    CHECK_FALSE(rebuilt->peer->index_cached);

    // A changed corpus is another key: built again, not read from the old cache.
    o.rebuild = false;
    write_english(dir, true);
    auto changed = run_eval(o);
    REQUIRE(changed.is_ok());
    CHECK_FALSE(changed->abstrakt.index_cached);
    CHECK(changed->skipped_lines == 1);
}

TEST_CASE("eval run: ranking parameters change the ranking, and index-time ones the cached index") {
    test::TempDir dir, cache;
    write_english(dir, false);
    // "fever": d3 has it in its title and its abstract, d1 in its title only, and d3's text is shorter:
    // IneB2 ranks d3 first. Under "bool" every weight is 0 and ties go to the smaller id: d1 first.
    dir.write("queries.jsonl", {R"({"_id": "q1", "text": "fever"})"});
    std::filesystem::remove(dir.file("qrels/test.tsv"));
    dir.write("qrels/test.tsv", {"query-id\tcorpus-id\tscore", "q1\td3\t1"});
    EvalOptions o;
    o.dir = dir.path();
    o.cache_dir = cache.path();
    o.run_dir.clear();
    o.peer = false;
    auto first = run_eval(o);
    REQUIRE_MESSAGE(first.is_ok(), first.message());
    CHECK(first->abstrakt.rankings[0] == std::vector<std::string>{"d3", "d1"});
    CHECK(first->abstrakt.rr10[0] == 1.0);

    REQUIRE(o.ranking.set("weighting", "bool").is_ok());
    auto flat = run_eval(o);
    REQUIRE(flat.is_ok());
    CHECK(flat->abstrakt.index_cached);  // a query-time parameter: the same index
    CHECK(flat->abstrakt.rankings[0] == std::vector<std::string>{"d1", "d3"});
    CHECK(flat->abstrakt.rr10[0] == 0.5);
    CHECK(flat->abstrakt.detail.find("weighting=\"bool\"") != std::string::npos);

    REQUIRE(o.ranking.set("title_wdf", "5").is_ok());
    auto titled = run_eval(o);
    REQUIRE(titled.is_ok());
    CHECK_FALSE(titled->abstrakt.index_cached);  // an index-time parameter: another index
}

TEST_CASE("eval run: a Chinese collection is detected and searched with the trigram peer") {
    test::TempDir dir, cache;
    dir.write("corpus.jsonl", {
        R"({"_id": "c1", "title": "基于扩散模型的图像生成方法", "text": "本文提出一种基于扩散模型的图像生成方法。"})",
        R"({"_id": "c2", "title": "老年人睡眠质量研究", "text": ""})",
        R"({"_id": "c3", "title": "水运工程项目管理", "text": "讨论水运工程的全过程管理。"})",
    });
    dir.write("queries.jsonl", {R"({"_id": "k1", "text": "扩散模型 图像生成"})", R"({"_id": "k2", "text": "项目管理 水运工程"})"});
    std::filesystem::create_directories(dir.file("qrels"));
    dir.write("qrels/dev.tsv", {"query-id\tcorpus-id\tscore", "k1\tc1\t1", "k2\tc3\t1"});
    EvalOptions o;
    o.dir = dir.path();
    o.split = "dev";
    o.cache_dir = cache.path();
    o.run_dir = "";
    auto r = run_eval(o);
    REQUIRE_MESSAGE(r.is_ok(), r.message());
    CHECK(r->lang == "zh");
    CHECK(r->abstrakt.rr10 == std::vector<double>{1.0, 1.0});
    CHECK(r->peer->rr10 == std::vector<double>{1.0, 1.0});
    CHECK(r->peer->detail.find("trigram") != std::string::npos);
    CHECK(r->abstrakt.run_file.empty());
    CHECK_FALSE(r->partial());

    // --lang is checked.
    o.lang = "xx";
    CHECK(run_eval(o).status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("eval run: --translate-both runs the queries translated and as typed, side by side") {
    // English papers, a Chinese query: the shipped zh-en lexicon (data/lexicon) translates it.
    test::TempDir dir, cache;
    dir.write("corpus.jsonl", {
                                  R"({"_id": "d1", "title": "Language models scale", "text": "Large language models for retrieval."})",
                                  R"({"_id": "d2", "title": "Malaria vaccine trial", "text": "A malaria vaccine in children."})",
                              });
    dir.write("queries.jsonl", {R"({"_id": "q1", "text": "语言模型"})", R"({"_id": "q2", "text": "malaria vaccine"})"});
    std::filesystem::create_directories(dir.file("qrels"));
    dir.write("qrels/test.tsv", {"query-id\tcorpus-id\tscore", "q1\td1\t1", "q2\td2\t1"});
    EvalOptions o;
    o.dir = dir.path();
    o.lang = "en";
    o.cache_dir = cache.path();
    o.run_dir.clear();
    o.per_query_path = cache.file("per-query.tsv");
    o.translate_both = true;  // in the peer's place: FTS5 is not run
    auto r = run_eval(o);
    REQUIRE_MESSAGE(r.is_ok(), r.message());
    CHECK(r->abstrakt.rr10 == std::vector<double>{1.0, 1.0});
    REQUIRE(r->peer);
    CHECK(r->peer->name == "as typed");
    CHECK(r->peer->detail.find("no translation") != std::string::npos);
    CHECK(r->peer->rr10 == std::vector<double>{0.0, 1.0});  // the Chinese query finds nothing as typed
    CHECK(r->p_rr10 == doctest::Approx(1.0));  // one query differs: every sign permutation is as extreme
    std::vector<std::string> pq = lines_of(cache.file("per-query.tsv"));
    REQUIRE(pq.size() == 3);
    CHECK(pq[0] == "query-id\tabstrakt.ndcg@10\tabstrakt.recall@100\tabstrakt.rr@10\ttyped.ndcg@10\ttyped.recall@100\ttyped.rr@10\tabstrakt.tier");
    const std::string table = format_result(r.value());
    CHECK(table.find("Abstrakt  as typed  difference") != std::string::npos);
}

TEST_CASE("eval program: exit statuses, table") {
    test::TempDir dir, work;
    write_english(dir, true);  // one malformed corpus line: a partial run
    test::TempDir clean;
    write_english(clean, false);
    std::filesystem::remove(clean.file("qrels/test.tsv"));
    clean.write("qrels/test.tsv", {"query-id\tcorpus-id\tscore", "q1\td1\t2", "q2\td2\t1"});
    const std::string common = "--quiet --cache " + work.file("cache") + " --run-dir " + work.path() + " ";
    struct Row {
        std::string args;
        int status;
        std::string output;  // a part of what it prints
    };
    const Row rows[] = {
        {"", 2, "no BEIR directory given"},
        {"--bogus " + dir.path(), 2, "unknown option --bogus"},
        {"--lang", 2, "--lang needs a value"},
        {"--lang xx " + dir.path(), 2, "not a known language code"},
        {"--permutations 0 " + dir.path(), 2, "--permutations needs a whole number"},
        {"--translate-both --no-translate " + dir.path(), 2, "--translate-both and --no-translate cannot be combined"},
        {dir.path() + " test extra", 2, "too many arguments"},
        {common + dir.file("missing"), 2, "no such directory"},
        {common + dir.path() + " dev", 2, "splits there: test"},
        {"--help", 0, "usage: abstrakt-eval"},
        {"--ranking nope=1 " + dir.path(), 2, "unknown ranking parameter \"nope\""},
        {"--ranking rerank_depth=x " + dir.path(), 2, "rerank_depth=x: not a number"},
        {"--ranking-file " + dir.file("missing.json") + " " + dir.path(), 2, "missing.json: cannot be read"},
        // The collection with a malformed line and a query without text: runs, exits 1.
        {common + dir.path() + " test", 1, "nDCG@10"},
        // A clean collection: 0.
        {common + clean.path() + " test", 0, "MRR@10"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.args);
        int status = run_program(r.args, work.file("out.txt"));
        std::string out = slurp(work.file("out.txt"));
        CAPTURE(out);
        CHECK(status == r.status);
        CHECK(out.find(r.output) != std::string::npos);
    }
    std::string partial_out;
    run_program(common + dir.path() + " test", work.file("out.txt"));
    partial_out = slurp(work.file("out.txt"));
    CHECK(partial_out.find("corpus.jsonl:6: not JSON") != std::string::npos);
}

TEST_CASE("eval: two per-query files compared, before and after") {
    test::TempDir dir;
    const std::string header = "query-id\tabstrakt.ndcg@10\tabstrakt.recall@100\tabstrakt.rr@10\tabstrakt.tier\n";
    {
        std::ofstream(dir.file("a.tsv")) << header << "q1\t0.5000\t1.0000\t0.5000\tall\nq2\t0.0000\t0.0000\t0.0000\tsome\nq3\t1.0000\t1.0000\t1.0000\tall\n";
        std::ofstream(dir.file("b.tsv")) << header << "q1\t1.0000\t1.0000\t1.0000\tall\nq2\t0.0000\t0.0000\t0.0000\tsome\nq4\t1.0000\t1.0000\t1.0000\tall\n";
        std::ofstream(dir.file("bad.tsv")) << header << "q1\tmuch\n";
    }
    auto table = eval::compare_per_query(dir.file("a.tsv"), dir.file("b.tsv"));
    REQUIRE_MESSAGE(table.is_ok(), table.message());
    // q1 and q2 are in both: nDCG 0.25 -> 0.5. The differences are +0.5 and 0: every one of the 4 sign
    // assignments sums to +-0.5, as large as the observed, so p = 1 (exact enumeration): one query is
    // no evidence.
    CHECK(table->find("2 queries in both (3 before, 3 after)") != std::string::npos);
    CHECK(table->find("nDCG@10       0.2500  0.5000  +0.2500  1.0000") != std::string::npos);
    CHECK(table->find("Recall@100    0.5000  0.5000  +0.0000  1.0000") != std::string::npos);
    CHECK(eval::compare_per_query(dir.file("a.tsv"), dir.file("bad.tsv")).message() == dir.file("bad.tsv") + ":2: expected a query id and three scores");
    CHECK(eval::compare_per_query(dir.file("a.tsv"), dir.file("none.tsv")).status().code() == ErrorCode::kInvalidArgument);
}
