// Behaviour of the searcher: query syntax, ranking, fields, filters, sorts, pages, titles,
// snippets and bad queries, over small indexes whose contents the tests control, and over the
// bundled data.
#include "searcher/engine.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "common/schema.h"
#include "indexer/ingest.h"
#include "indexer/writer.h"
#include "searcher/snippet.h"
#include "test_util.h"
#include "tests/query_util.h"

using namespace abstrakt;

namespace {

// A small index of the given records, removed with the fixture.
struct SmallIndex {
    test::TempDir dir;
    std::unique_ptr<Engine> engine;

    explicit SmallIndex(const std::vector<std::string>& lines) {
        auto w = IndexWriter::open(dir.file("index"), true);
        REQUIRE(w.is_ok());
        for (const std::string& line : lines) {
            auto r = parse_record(line);
            REQUIRE_MESSAGE(r.is_ok(), r.message());
            REQUIRE(w.value()->upsert(r.value()).is_ok());
        }
        REQUIRE(w.value()->commit().is_ok());
        w.value().reset();
        auto e = Engine::open(dir.file("index"));
        REQUIRE_MESSAGE(e.is_ok(), e.message());
        engine = std::move(e.value());
    }

    SearchResponse search(const std::string& q, SortOrder sort = SortOrder::kRelevance, uint64_t offset = 0,
                          uint64_t limit = 10, const std::string& lang = "") {
        SearchRequest r;
        r.query = q;
        r.sort = sort;
        r.offset = offset;
        r.limit = limit;
        r.lang = lang;
        auto resp = engine->search(r);
        REQUIRE_MESSAGE(resp.is_ok(), resp.message());
        return resp.value();
    }

    std::vector<std::string> ids(const std::string& q, SortOrder sort = SortOrder::kRelevance, uint64_t offset = 0,
                                 uint64_t limit = 10) {
        std::vector<std::string> out;
        for (const Hit& h : search(q, sort, offset, limit).hits) out.push_back(h.id);
        return out;
    }

    // The ids of the first page for `q` with one ranking parameter set (none when `name` is empty).
    std::vector<std::string> ids_with(const std::string& q, const std::string& name, const std::string& value) {
        SearchRequest r;
        r.query = q;
        auto rk = std::make_shared<RankingParams>();
        if (!name.empty()) REQUIRE(rk->set(name, value).is_ok());
        r.ranking = rk;
        auto resp = engine->search(r);
        REQUIRE_MESSAGE(resp.is_ok(), resp.message());
        std::vector<std::string> out;
        for (const Hit& h : resp->hits) out.push_back(h.id);
        return out;
    }
};

using V = std::vector<std::string>;

const std::vector<std::string> kPapers = {
    // p1: both words, adjacent, in the title.
    R"({"id": "p1", "title": {"en": "Linear attention for language models"}, "abstract": {"en": "We study linear attention in depth."}, "authors": ["Ada Lovelace"], "categories": ["cs.CL"], "published": "2024-01-10", "upvotes": 5, "lang": "en"})",
    // p2: both words, scattered.
    R"({"id": "p2", "title": {"en": "Attention is all you need"}, "abstract": {"en": "A model without recurrence. The output layer is linear."}, "authors": ["José Muñoz"], "categories": ["cs.LG"], "published": "2024-03-05", "upvotes": 50})",
    // p3: only one of the words, many times.
    R"({"id": "p3", "title": {"en": "Linear regression, linear models, linear everything"}, "abstract": {"en": "Linear linear linear."}, "categories": ["stat.ML"], "published": "2023-06-01", "upvotes": 1})",
    // p4: German and English titles, German abstract.
    R"({"id": "p4", "title": {"en": "Fast diffusion models", "de": "Schnelle Diffusionsmodelle"}, "abstract": {"de": "Diffusionsmodelle erzeugen Bilder. Wir beschleunigen die Diffusionsmodelle."}, "categories": ["cs.CV"], "published": "2024-02-29", "upvotes": 20})",
    // p5: Chinese title and abstract beside English.
    R"({"id": "p5", "title": {"en": "Image generation with diffusion", "zh": "基于扩散模型的图像生成"}, "abstract": {"en": "We generate images.", "zh": "本文提出一种基于扩散模型的图像生成方法。"}, "categories": ["cs.CV"], "published": "2025-05-01"})",
    // p6: hyphenated, with an accent in the title.
    R"({"id": "p6", "title": {"en": "Multi-View Müller Reconstruction"}, "abstract": {"en": "Escaping <b>tags</b> & ampersands in multi-view stereo."}, "categories": ["cs.CV"], "published": "2025-07-01"})",
    // p7: the same surname without the umlaut.
    R"({"id": "p7", "title": {"en": "Muller cells in the retina"}, "categories": ["q-bio"], "published": "2022-01-01"})",
};

}  // namespace

TEST_CASE("search: papers with all words first, closer matches above scattered ones") {
    SmallIndex idx(kPapers);
    V got = idx.ids("linear attention");
    REQUIRE(got.size() == 3);
    CHECK(got[0] == "p1");  // adjacent in title and abstract
    CHECK(got[1] == "p2");  // both words, scattered
    CHECK(got[2] == "p3");  // one word only, however often: after every paper with both
}

TEST_CASE("search: query syntax, table") {
    SmallIndex idx(kPapers);
    struct Row {
        std::string query;
        V expected;  // in order
        std::string why;
    };
    const Row rows[] = {
        {"\"attention is all\"", {"p2"}, "a phrase"},
        {"\"all is attention\"", {}, "a phrase needs the order"},
        {"linear -regression", {"p1", "p2"}, "an exclusion"},
        {"linear NOT regression", {"p1", "p2"}, "NOT"},
        {"+regression linear", {"p3"}, "a required word"},
        {"regression OR recurrence", {"p3", "p2"}, "OR (the shorter abstract ranks first)"},
        {"title:regression", {"p3"}, "title field"},
        {"abstract:recurrence", {"p2"}, "abstract field"},
        {"abstract:regression", {}, "the word is only in the title"},
        {"abstract:\"linear attention\"", {"p1"}, "a phrase in the abstract"},
        // Since schema 4 abstracts have no terms of their own: the unprefixed count less the title's
        // and the authors' (searcher/builder.cc: InAbstract). These rows pin that arithmetic.
        {"abstract:attention", {"p1"}, "in the titles of p1 and p2, in the abstract of p1 only"},
        {"abstract:attentions", {"p1"}, "the same by stem: the Z count less 3 times the ZS count"},
        {"abstract:recurrences", {"p2"}, "by stem, a word only in an abstract"},
        {"abstract:munoz", {}, "only in an author's name"},
        {"abstract:attention -title:linear", {}, "the filtered word composes with the rest of the query"},
        {"author:lovelace", {"p1"}, "author field"},
        {"author:\"ada lovelace\"", {"p1"}, "an author phrase"},
        {"cat:cs.CL", {"p1"}, "category, any case"},
        {"cat:cs.cv -diffusion", {"p6"}, "filter and exclusion"},
        {"lang:zh", {"p5"}, "language filter"},
        {"year:2023", {"p3"}, "one year"},
        {"year:2022..2023", {"p3", "p7"}, "a range of years, newest first"},
        {"date:2024-02-01..2024-03-31", {"p2", "p4"}, "a date range, newest first"},
        {"date:2025-06..", {"p6"}, "an open range from a month"},
        {"date:..2022-12-31", {"p7"}, "an open range to a day"},
        {"id:p4", {"p4"}, "an id"},
        {"(linear OR diffusion) AND cat:cs.cv", {"p4", "p5"}, "brackets and a filter"},
        {"title:(linear attention)", {"p1", "p3", "p2"}, "a field over a group: all words first"},
        {"Munoz", {"p2"}, "no accent typed finds the accented name"},
        {"Muñoz", {"p2"}, "the accent typed"},
        {"multi-view", {"p6"}, "hyphenated as typed"},
        {"multiview", {"p6"}, "joined"},
        {"multi view", {"p6"}, "separate words"},
        {"Diffusionsmodell", {"p4"}, "a German stem meets the plural"},
        {"扩散模型", {"p5"}, "Chinese words"},
        {"图像", {"p5"}, "a Chinese word alone"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.query);
        CAPTURE(r.why);
        CHECK(idx.ids(r.query) == r.expected);
    }
}

namespace {

std::set<std::string> terms_of(const Xapian::Query& q) { return {q.get_terms_begin(), q.get_terms_end()}; }

}  // namespace

TEST_CASE("query: stop words are left out of long queries only, phrase boosts only in short ones") {
    REQUIRE(RankingParams{}.long_query_words == 6);  // the rows below count words against 6
    Analyzer analyzer;
    QueryContext ctx;
    ctx.stem_langs = {"en"};
    struct Row {
        std::string query;
        std::string term;  // an unprefixed term of the compiled queries
        bool present;      // in both the all-words and the some-words query
        bool phrase;       // the plan searches a phrase (boost, quoted phrase or hyphenated chain)
        std::string why;
    };
    const Row rows[] = {
        // Six plain words: a long query, so `the` and `of` go, and no neighbour boosts.
        {"the effect of aspirin on stroke", "the", false, false, "a stop word in a long query"},
        {"the effect of aspirin on stroke", "of", false, false, "another stop word in the same query"},
        {"the effect of aspirin on stroke", "aspirin", true, false, "a content word stays"},
        // Five plain words: short, everything kept, neighbours boosted.
        {"the effect of aspirin stroke", "the", true, true, "one word fewer: a short query keeps its stop words"},
        {"linear attention", "linear", true, true, "the short query of the ranking test keeps its boost"},
        // Quoted, required, field words are never stop words (and do not count as plain words).
        {"\"the who\" played a long concert in the park", "the", true, true, "a quoted stop word stays"},
        {"\"the who\" played a long concert in the park", "in", false, true, "an unquoted one in the same query goes"},
        {"+the effect of aspirin on stroke risk", "the", true, false, "a required stop word stays"},
        // Nothing but stop words: all kept, so the query still finds something.
        {"to be or not to be it is", "be", true, false, "a long query of only stop words keeps them"},
        // Words with meaning in a claim are not on the list.
        {"aspirin lowers stroke risk more than placebo", "than", true, false, "`than` is no stop word"},
        {"aspirin lowers stroke risk more than placebo", "more", true, false, "`more` is no stop word"},
        // Case and diacritics are folded before the look-up.
        {"THE effect OF aspirin ON stroke", "the", false, false, "upper case stop words go too"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.query);
        CAPTURE(r.why);
        auto pq = test::compile_query(r.query, analyzer, ctx);
        REQUIRE(pq.is_ok());
        // A word of a long query is searched by its stem alone ("Zthan"), of a short one also as
        // itself ("than"); every word of these rows is its own English stem.
        auto searched = [&](const Xapian::Query& q) {
            std::set<std::string> t = terms_of(q);
            return t.count(r.term) + t.count("Z" + r.term) > 0;
        };
        CHECK(searched(pq.value().strict) == r.present);
        CHECK(searched(pq.value().loose) == r.present);
        CHECK(test::has_phrase(pq.value().plan.root) == r.phrase);
        CHECK(pq.value().match.forms.count(r.term) == (r.present ? 1u : 0u));  // highlighted only if searched
    }
    // A field word is no plain word: title:the stays (the query still has six plain words).
    auto titled = test::compile_query("title:the effect of aspirin on stroke risk", analyzer, ctx);
    REQUIRE(titled.is_ok());
    CHECK(terms_of(titled.value().strict).count(schema::kPrefixTitle + std::string("the")) == 1);
    CHECK(terms_of(titled.value().strict).count("of") == 0);
    const std::vector<std::string>& stops = RankingParams{}.stop_words;
    CHECK(std::count(stops.begin(), stops.end(), "the") == 1);
    CHECK(std::count(stops.begin(), stops.end(), "aspirin") == 0);
}

TEST_CASE("query: a hyphenated word's parts are also searched alone among papers with some words") {
    Analyzer analyzer;
    QueryContext ctx;
    ctx.stem_langs = {"en"};
    struct Row {
        std::string query;
        std::string term;
        bool in_strict, in_loose;
        std::string why;
    };
    const Row rows[] = {
        // The all-words query keeps the chain whole (phrase or joined word); the some-words query
        // adds each part with its stems, so `zero-dimensional` papers count for `0-dimensional`.
        {"0-dimensional biomaterials", "Zdimension", false, true, "the part's stem, only among some words"},
        {"0-dimensional biomaterials", "0dimensional", true, true, "the joined word in both"},
        {"multi-view stereo", "Zview", false, true, "a part of a word chain"},
        {"\"multi-view\" stereo", "Zview", false, false, "a quoted chain is a phrase, never its parts"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.query);
        CAPTURE(r.why);
        auto pq = test::compile_query(r.query, analyzer, ctx);
        REQUIRE(pq.is_ok());
        CHECK(terms_of(pq.value().strict).count(r.term) == (r.in_strict ? 1u : 0u));
        CHECK(terms_of(pq.value().loose).count(r.term) == (r.in_loose ? 1u : 0u));
    }
    // The chain's phrase is an alternative of the all-words query only: a paper with the phrase has
    // each part, so among papers with some words it added weight alone, and Xapian read the positions
    // of every paper with both parts to find it.
    auto pq = test::compile_query("multi-view stereo", analyzer, ctx);
    REQUIRE(pq.is_ok());
    CHECK(pq.value().strict.get_description().find("PHRASE") != std::string::npos);
    CHECK(pq.value().loose.get_description().find("PHRASE") == std::string::npos);
}

TEST_CASE("search: long natural-language queries") {
    SmallIndex idx(kPapers);
    struct Row {
        std::string query;
        std::string first;  // the expected first hit
        std::string why;
    };
    const Row rows[] = {
        {"is there a model without recurrence in the output layer", "p2", "stop words left out, content words rank"},
        {"it is in the of and", "p2", "only stop words: kept, so something is found (p2 has `is` and `the`)"},
        {"a study of the multi-view reconstruction of stereo", "p6", "a hyphenated word in a long query"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.query);
        CAPTURE(r.why);
        V got = idx.ids(r.query);
        REQUIRE(!got.empty());
        CHECK(got[0] == r.first);
    }
}

TEST_CASE("search: a stop word of a short query does not let a paper into the some-words group alone") {
    // Papers with `the`: p2 and p7; with `in`: p1, p6 and p7; with `regression`: p3 only.
    SmallIndex idx(kPapers);
    struct Row {
        std::string query;
        V want;  // every hit, in order when the order is known; sorted otherwise
        bool sorted;
        std::string why;
    };
    const Row rows[] = {
        // Regression: `regression the` listed p2 and p7 after p3, for their `the` (and on the 144k
        // benchmark index Xapian weighed every paper to find them: 337 ms, now 2 ms).
        {"regression the", {"p3"}, false, "a stop word beside a content word: no paper by the stop word alone"},
        {"regression in the", {"p3"}, false, "two of them"},
        {"retina the", {"p7"}, false, "a paper with both is found as before"},
        {"the in", {"p1", "p2", "p6", "p7"}, true, "only stop words: each still counts alone, so something is found"},
        {"\"the\" regression", {"p2", "p3", "p7"}, true, "a quoted stop word is searched for itself"},
        {"+the regression", {"p2", "p7"}, true, "so is a required one"},
        // Regression: `in-the-regression` listed p1, p2, p6 and p7 after p3, for their `in` or `the`
        // (19,990 of the 20k bench index's papers for `Solver-in-the-Loop Framework`).
        {"in-the-regression", {"p3"}, false, "the stop words among a hyphenated word's parts: the same"},
        {"in-the", {"p1", "p2", "p6", "p7"}, true, "a hyphenated word of stop words only: each part still counts"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.query);
        CAPTURE(r.why);
        V got = idx.ids(r.query);
        if (r.sorted) std::sort(got.begin(), got.end());
        CHECK(got == r.want);
    }
    // The stop word still counts among papers with every word: `linear the` ranks p2, the one paper
    // with both, first; then p3 (`linear` six times) and p1 (twice), which have `linear` only.
    CHECK(idx.ids("linear the") == V{"p2", "p3", "p1"});
}

TEST_CASE("query: a long query searches stems only, hyphenated words by their parts, and lists its words for proximity") {
    Analyzer analyzer;
    QueryContext ctx;
    ctx.stem_langs = {"en"};
    struct Row {
        std::string query;
        std::vector<std::string> in;      // terms the some-words query has
        std::vector<std::string> not_in;  // terms it must not have
        std::vector<std::string> proximity;
        std::string why;
    };
    const Row rows[] = {
        {"statins reduce stroke risk in elderly patients", {"Zstatin", "Zreduc", "Zstroke", "Zpatient"},
         {"statins", "patients", "statinsreduce"}, {"statins", "reduce", "stroke", "risk", "elderly", "patients"},
         "long: stems alone (the exact forms would count twice), no joins, stop word `in` not listed"},
        {"statins reduce stroke risk", {"Zstatin", "statins", "statinsreduce"}, {}, {},
         "short: the exact form beside the stem, joins, no proximity words"},
        {"0-dimensional biomaterials show inductive properties in cells", {"0", "Zdimension", "Zbiomateri"},
         {"0dimensional", "dimensional"}, {"0", "dimensional", "biomaterials", "show", "inductive", "properties", "cells"},
         "long: a hyphenated word is its parts, without the phrase or the joined word"},
        {"+statins reduce stroke risk in elderly patients now", {"statins", "Zreduc"}, {}, {"reduce", "stroke", "risk", "elderly", "patients", "now"},
         "a required word keeps its exact form and is not a proximity word"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.query);
        CAPTURE(r.why);
        auto pq = test::compile_query(r.query, analyzer, ctx);
        REQUIRE(pq.is_ok());
        std::set<std::string> loose = terms_of(pq.value().loose);
        for (const std::string& t : r.in) CHECK_MESSAGE(loose.count(t) == 1, t);
        for (const std::string& t : r.not_in) CHECK_MESSAGE(loose.count(t) == 0, t);
        // Phrase boosts in the short query only.
        CHECK(!test::has_phrase(pq.value().plan.root) == !r.proximity.empty());
        CHECK(pq.value().plan.proximity == r.proximity);
    }
}

TEST_CASE("search: a long query moves papers with its words close together up") {
    // c1 has every word of the query, most of them twice, far apart; c2 has each once, in one
    // sentence. Xapian alone ranks c1 first; the proximity bonus (0.3 x the best weight x the share of
    // the words within 10 positions) puts c2 first. Both have every word: the same coverage bonus.
    const std::string filler = " and then a great many unrelated filler words follow here for a while. ";
    SmallIndex idx({
        R"({"id": "c1", "title": {"en": "Cohort notes"}, "abstract": {"en": "Statins)" + filler + "reduce" + filler +
            "stroke" + filler + "risk" + filler + "elderly" + filler + "patients" + filler + "statins" + filler +
            "stroke" + filler + "elderly" + filler + "patients" + filler + R"(risk."}})",
        R"({"id": "c2", "title": {"en": "Cohort notes"}, "abstract": {"en": "In elderly patients statins reduce stroke risk.)" +
            filler + filler + filler + filler + filler + R"("}})",
    });
    SearchRequest req;
    req.query = "statins reduce stroke risk in elderly patients";
    req.explain = true;
    auto resp = idx.engine->search(req);
    REQUIRE(resp.is_ok());
    const auto& hits = resp.value().hits;
    REQUIRE(hits.size() == 2);
    CHECK(hits[0].id == "c2");
    CHECK(hits[1].id == "c1");
    const Explanation& c2 = *hits[0].explain;
    const Explanation& c1 = *hits[1].explain;
    const double w2 = c2.score - c2.proximity - c2.coverage, w1 = c1.score - c1.proximity - c1.coverage;
    CHECK(w1 > w2);                                      // Xapian's weight alone: c1 first
    CHECK(c2.coverage == doctest::Approx(0.3 * w1));     // all six words; c1 had the best weight
    CHECK(c1.coverage == doctest::Approx(0.3 * w1));
    CHECK(c2.proximity == doctest::Approx(0.3 * w1));    // all six within 10 positions
    CHECK(c1.proximity == doctest::Approx(0.3 * w1 / 6)); // never two within 10 positions
    CHECK(hits[0].score == doctest::Approx(c2.score));
    // Pages cut from the reranked list agree with it.
    CHECK(idx.ids(req.query, SortOrder::kRelevance, 0, 1) == V{"c2"});
    CHECK(idx.ids(req.query, SortOrder::kRelevance, 1, 1) == V{"c1"});
    // A short query is not reranked.
    SearchRequest shortq;
    shortq.query = "statins stroke";
    shortq.explain = true;
    auto s = idx.engine->search(shortq);
    REQUIRE(s.is_ok());
    REQUIRE(s.value().hits.size() == 2);
    for (const Hit& h : s.value().hits) {
        CHECK(h.explain->proximity == 0);
        CHECK(h.explain->coverage == 0);
    }
}

TEST_CASE("search: exact diacritics rank above folded matches") {
    SmallIndex idx(kPapers);
    CHECK(idx.ids("Müller") == V{"p6", "p7"});
    V plain = idx.ids("Muller");
    std::sort(plain.begin(), plain.end());
    CHECK(plain == V{"p6", "p7"});  // both found without the umlaut
}

TEST_CASE("search: sorts, pages, totals") {
    SmallIndex idx(kPapers);
    CHECK(idx.ids("linear", SortOrder::kDate) == V{"p2", "p1", "p3"});
    CHECK(idx.ids("linear", SortOrder::kUpvotes) == V{"p2", "p1", "p3"});
    CHECK(idx.ids("cat:cs.cv", SortOrder::kUpvotes) == V{"p4", "p5", "p6"});  // p5, p6 have no upvotes: last
    V all = idx.ids("linear attention");
    CHECK(idx.ids("linear attention", SortOrder::kRelevance, 1, 1) == V{all[1]});
    CHECK(idx.ids("linear attention", SortOrder::kRelevance, 2, 5) == V{all[2]});  // the page crosses the tiers
    CHECK(idx.ids("linear attention", SortOrder::kRelevance, 3, 5).empty());
    // Totals: exact up to count_to with or without exact_total, which old clients still send.
    SearchRequest counted;
    counted.query = "linear attention";
    counted.limit = 2;
    counted.exact_total = true;
    auto r = idx.engine->search(counted);
    REQUIRE(r.is_ok());
    CHECK(r->total == 3);
    CHECK(r->total_is_exact);
    CHECK(r->hits.size() == 2);
    SearchResponse estimated = idx.search("linear attention", SortOrder::kRelevance, 0, 2);
    REQUIRE(estimated.hits.size() == 2);
    CHECK(estimated.hits[0].id == r->hits[0].id);
    CHECK(estimated.hits[1].id == r->hits[1].id);
    CHECK(estimated.total >= 2);
    CHECK((estimated.total_is_exact ? estimated.total == 3 : true));
    // A page that holds every match knows the total exactly, counted or not.
    SearchResponse whole = idx.search("linear attention", SortOrder::kRelevance, 0, 10);
    CHECK(whole.total == 3);
    CHECK(whole.total_is_exact);
    // Date order lists only papers with every word...
    CHECK(idx.ids("linear attention", SortOrder::kDate) == V{"p2", "p1"});
    // ...and falls back to some words, with a notice, when none has all.
    SearchResponse fallback = idx.search("regression recurrence", SortOrder::kDate);
    CHECK(fallback.hits.size() == 2);
    REQUIRE(fallback.notices.size() == 1);
    CHECK(fallback.notices[0].message.find("no paper matches every word") != std::string::npos);
}

TEST_CASE("search: papers of equal weight are listed by id, on every page") {
    // t1 to t6 have the same text, so the same weight for `gamma`, and are indexed out of id order
    // (Xapian's document numbers: t3, t1, t4, t2, t6, t5); `hi` has the word twice in a shorter
    // title, `lo` once in a long abstract only.
    std::vector<std::string> lines;
    for (const char* id : {"t3", "t1", "t4", "t2", "t6", "t5"})
        lines.push_back(std::string(R"({"id": ")") + id + R"(", "title": {"en": "Gamma rays"}, "published": "2024-01-01"})");
    lines.push_back(R"({"id": "hi", "title": {"en": "Gamma gamma"}, "published": "2024-01-01"})");
    lines.push_back(R"({"id": "lo", "title": {"en": "Cosmic rays"}, "abstract": {"en": "A long abstract of many words on cosmic rays, their sources, their spectra and one mention of gamma among all of them."}, "published": "2024-01-01"})");
    SmallIndex idx(lines);
    const V all{"hi", "t1", "t2", "t3", "t4", "t5", "t6", "lo"};
    CHECK(idx.ids("gamma") == all);
    // Every page is its slice of that order: pages that begin or end inside the tied run, hold it
    // whole, or hold part of it.
    for (uint64_t offset = 0; offset < all.size(); ++offset)
        for (uint64_t limit = 1; limit <= 3; ++limit) {
            CAPTURE(offset);
            CAPTURE(limit);
            const auto to = std::min<size_t>(all.size(), offset + limit);
            CHECK(idx.ids("gamma", SortOrder::kRelevance, offset, limit) == V(all.begin() + static_cast<long>(offset), all.begin() + static_cast<long>(to)));
        }
}

TEST_CASE("search: a query with only filters lists papers newest first") {
    SmallIndex idx(kPapers);
    CHECK(idx.ids("cat:cs.cv") == V{"p6", "p5", "p4"});
    CHECK(idx.ids("NOT cat:cs.cv") == V{"p2", "p1", "p3", "p7"});
}

TEST_CASE("search: the title is shown in the query's language, the snippet from the matching abstract") {
    SmallIndex idx(kPapers);
    SearchResponse de = idx.search("Diffusionsmodell");
    REQUIRE(de.hits.size() == 1);
    CHECK(de.hits[0].title == "Schnelle Diffusionsmodelle");
    CHECK(de.hits[0].title_lang == "de");
    CHECK(de.hits[0].snippet_lang == "de");
    CHECK(de.hits[0].snippet.html() ==
          "<mark>Diffusionsmodelle</mark> erzeugen Bilder. Wir beschleunigen die <mark>Diffusionsmodelle</mark>.");

    SearchResponse en = idx.search("fast diffusion models");
    REQUIRE(!en.hits.empty());
    CHECK(en.hits[0].id == "p4");
    CHECK(en.hits[0].title == "Fast diffusion models");
    CHECK(en.hits[0].title_lang == "en");

    SearchResponse zh = idx.search("扩散模型");
    REQUIRE(zh.hits.size() == 1);
    CHECK(zh.hits[0].title == "基于扩散模型的图像生成");
    CHECK(zh.hits[0].snippet_lang == "zh");
    CHECK(zh.hits[0].snippet.html() == "本文提出一种基于<mark>扩散</mark><mark>模型</mark>的图像生成方法。");

    // A requested language wins over the best match.
    SearchResponse forced = idx.search("diffusion", SortOrder::kRelevance, 0, 10, "zh");
    REQUIRE(forced.hits.size() == 1);
    CHECK(forced.hits[0].id == "p5");
    CHECK(forced.hits[0].title_lang == "zh");
}

TEST_CASE("search: snippets are escaped for HTML and mark every matched form") {
    SmallIndex idx(kPapers);
    SearchResponse r = idx.search("multiview tags");
    REQUIRE(r.hits.size() == 1);
    CHECK(r.hits[0].snippet.html() ==
          "Escaping &lt;b&gt;<mark>tags</mark>&lt;/b&gt; &amp; ampersands in <mark>multi-view</mark> stereo.");
    std::string json = to_json(r);
    CHECK(json.find("<b>") == std::string::npos);  // nothing unescaped reaches the JSON
}

TEST_CASE("search: bad queries") {
    SmallIndex idx(kPapers);
    struct Row {
        std::string query;
        const char* notice;  // nullptr: no notice
        bool finds_linear;
    };
    const Row rows[] = {
        {"(linear attention", "is not closed", true},
        {"linear attention)", "has no opening one", true},
        {"\"linear attention", "is not closed", true},
        {"linear AND", "AND at the end", true},
        {"OR linear", "OR at position 1", true},
        {"title:", "needs a word", false},
        {"year:20x4 linear", "is not a year", true},
        {"date:2024-13-01 linear", "is not a date", true},
        {"date:2024-05..2024-01 linear", "ends before it starts", true},
        {"lang:!! linear", "not a known language code", true},
        {"lang:xx linear", "not a known language code", true},  // well-formed, unknown
        {"()", "empty brackets", false},
        {"--- !!", "no words to search for", false},
        {"", "no words to search for", false},  // regression: a blank query was a syntax error
        {"linear attention", nullptr, true},
    };
    for (const Row& r : rows) {
        CAPTURE(r.query);
        SearchResponse resp = idx.search(r.query);
        if (r.notice) {
            bool said = std::any_of(resp.notices.begin(), resp.notices.end(),
                                    [&](const Notice& n) { return n.message.find(r.notice) != std::string::npos; });
            CHECK(said);
        } else {
            CHECK(resp.notices.empty());
        }
        bool found = std::any_of(resp.hits.begin(), resp.hits.end(), [](const Hit& h) { return h.id == "p1"; });
        CHECK(found == r.finds_linear);
    }
    // Deep nesting is refused as syntax, not a crash.
    std::string deep = std::string(100, '(') + "linear" + std::string(100, ')');
    SearchResponse d = idx.search(deep);
    REQUIRE(!d.notices.empty());
    CHECK(d.notices[0].message.find("nest") != std::string::npos);
}

TEST_CASE("search: errors") {
    SmallIndex idx(kPapers);
    auto err = [&](SearchRequest r) {
        auto resp = idx.engine->search(r);
        REQUIRE_FALSE(resp.is_ok());
        CHECK(resp.status().code() == ErrorCode::kInvalidArgument);
        return resp.message();
    };
    SearchRequest r;
    r.query = "linear\xff";
    CHECK(err(r).find("not valid UTF-8") != std::string::npos);
    r.query = std::string(5000, 'a');
    CHECK(err(r).find("at most 4096") != std::string::npos);
    r.query.clear();
    for (int i = 0; i < 150; ++i) r.query += "w" + std::to_string(i) + " ";
    CHECK(err(r).find("more than 100 words") != std::string::npos);
    // Exactly 100 words is within the limit (regression: the neighbour joins counted words twice).
    r.query.clear();
    for (int i = 0; i < 100; ++i) r.query += "w" + std::to_string(i) + " ";
    CHECK(idx.engine->search(r).is_ok());
    r.query = "linear";
    r.limit = 101;
    CHECK(err(r).find("limit 101") != std::string::npos);
    r.limit = 10;
    r.offset = 10001;
    CHECK(err(r).find("offset 10001") != std::string::npos);
    r.offset = 0;
    r.lang = "e n";
    CHECK(err(r).find("not a known language code") != std::string::npos);
    r.lang = "xx";
    CHECK(err(r).find("not a known language code") != std::string::npos);

    test::TempDir dir;
    auto missing = Engine::open(dir.file("none"));
    REQUIRE_FALSE(missing.is_ok());
    CHECK(missing.status().code() == ErrorCode::kNotFound);

    // Another schema version is refused; an empty database without one (an older abstrakt-index
    // killed while creating it) is searched as the empty index it is (regression: tests/e2e/kill.sh).
    {
        Xapian::WritableDatabase other(dir.file("other"), Xapian::DB_CREATE);
        other.set_metadata(schema::kMetaSchemaVersion, "1");
        other.commit();
        Xapian::WritableDatabase bare(dir.file("bare"), Xapian::DB_CREATE);
        bare.commit();
    }
    auto other = Engine::open(dir.file("other"));
    REQUIRE_FALSE(other.is_ok());
    CHECK(other.message().find("has schema version 1, this program reads") != std::string::npos);
    auto bare = Engine::open(dir.file("bare"));
    REQUIRE_MESSAGE(bare.is_ok(), bare.message());
    SearchRequest plain;
    plain.query = "linear";
    auto none = bare.value()->search(plain);
    REQUIRE_MESSAGE(none.is_ok(), none.message());
    CHECK(none->total == 0);
}

TEST_CASE("search: a new commit is seen by the next search") {
    SmallIndex idx(kPapers);
    CHECK(idx.ids("retina").size() == 1);
    auto w = IndexWriter::open(idx.dir.file("index"), false);
    REQUIRE(w.is_ok());
    REQUIRE(w.value()->upsert(parse_record(R"({"id": "p8", "title": "The retina again"})").value()).is_ok());
    REQUIRE(w.value()->commit().is_ok());
    CHECK(idx.ids("retina").size() == 2);
}

TEST_CASE("search: what the engine keeps between searches follows a commit: completions, languages") {
    SmallIndex idx({R"({"id": "a1", "title": {"en": "Transformers see images"}, "published": "2021-01-01"})"});
    CHECK(idx.ids("retin").empty());
    CHECK(idx.ids("Bildern").empty());
    auto w = IndexWriter::open(idx.dir.file("index"), false);
    REQUIRE(w.is_ok());
    REQUIRE(w.value()->upsert(parse_record(R"({"id": "a2", "title": {"en": "The retina"}, "published": "2021-01-02"})").value()).is_ok());
    REQUIRE(w.value()->upsert(parse_record(R"({"id": "a3", "title": {"de": "Ein Bild"}, "published": "2021-01-03"})").value()).is_ok());
    REQUIRE(w.value()->commit().is_ok());
    CHECK(idx.ids("retin") == V{"a2"});    // a completion of a prefix that had none
    CHECK(idx.ids("Bildern") == V{"a3"});  // German stems ("bild"), now that the index has German
}

TEST_CASE("search: filters beside the query (from, to, categories, author)") {
    SmallIndex idx(kPapers);
    auto ids = [&](SearchRequest r) {
        auto resp = idx.engine->search(r);
        REQUIRE_MESSAGE(resp.is_ok(), resp.message());
        V out;
        for (const Hit& h : resp->hits) out.push_back(h.id);
        return out;
    };
    SearchRequest r;
    r.from = "2024-02";
    r.to = "2024-12";
    CHECK(ids(r) == V{"p2", "p4"});  // no query: the filtered papers, newest first
    r = {};
    r.categories = {"CS.CV"};
    CHECK(ids(r) == V{"p6", "p5", "p4"});
    r = {};
    r.query = "linear";
    r.categories = {"cs.CL", "stat.ML"};  // any of them
    CHECK(ids(r) == V{"p3", "p1"});     // p3 has "linear" six times
    r = {};
    r.author = "munoz";
    CHECK(ids(r) == V{"p2"});
    r.author = "Ada Lovelace";
    CHECK(ids(r) == V{"p1"});
    r.author = "Ada Muñoz";  // all words of the name, in one author or several
    CHECK(ids(r).empty());

    struct Bad {
        std::string from, to, author, message;
    };
    const Bad bad[] = {
        {"2024-13", "", "", "is not a date"},
        {"2024-05", "2024-01", "", "ends before it starts"},
        {"", "yesterday", "", "is not a date"},
        {"", "", "--", "has no words"},
    };
    for (const Bad& b : bad) {
        CAPTURE(b.from);
        CAPTURE(b.to);
        SearchRequest q;
        q.from = b.from;
        q.to = b.to;
        q.author = b.author;
        auto resp = idx.engine->search(q);
        REQUIRE_FALSE(resp.is_ok());
        CHECK(resp.status().code() == ErrorCode::kInvalidArgument);
        CHECK(resp.message().find(b.message) != std::string::npos);
    }
}

TEST_CASE("search: facets count the whole match set") {
    SmallIndex idx(kPapers);
    SearchRequest r;
    r.query = "cat:cs.cv";
    r.facets = true;
    r.limit = 1;  // the page is smaller than the match set; the counts are not
    auto resp = idx.engine->search(r);
    REQUIRE(resp.is_ok());
    REQUIRE(resp->facets.has_value());
    const Facets& f = *resp->facets;
    using C = Facets::Counts;
    CHECK(f.lang == C{{"en", 3}, {"de", 1}, {"zh", 1}});   // p4 en+de, p5 en+zh, p6 en
    CHECK(f.year == C{{"2025", 2}, {"2024", 1}});          // newest first
    CHECK(f.category == C{{"cs.CV", 3}});                  // as written in the records
    CHECK(resp->total == 3);
    CHECK(resp->total_is_exact);

    r.query = "linear attention";  // both tiers: p1, p2 with both words, p3 with one
    resp = idx.engine->search(r);
    REQUIRE(resp.is_ok());
    CHECK(resp->facets->category == C{{"cs.CL", 1}, {"cs.LG", 1}, {"stat.ML", 1}});
    CHECK(resp->facets->year == C{{"2024", 2}, {"2023", 1}});
    CHECK(resp->total == 3);

    r.facets = false;
    CHECK_FALSE(idx.engine->search(r)->facets.has_value());
    std::string json = to_json(idx.engine->search(r).value());
    CHECK(json.find("\"facets\"") == std::string::npos);
}

TEST_CASE("search: a query that finds little gets a spelling suggestion") {
    SmallIndex idx(kPapers);
    struct Row {
        std::string query, suggestion;
    };
    const Row rows[] = {
        {"retna", "retina"},
        {"linear atention", "linear attention"},      // only the unknown word changes
        {"title:retna", "title:retina"},              // the field stays, the word is corrected
        {"cat:q-bio retna", "cat:q-bio retina"},      // filter values are not words
        {"retna lang:en", "retina lang:en"},
        {"linear attention", ""},                     // every word is known
        {"zzzzqqqq", ""},                             // nothing close enough
    };
    for (const Row& row : rows) {
        CAPTURE(row.query);
        CHECK(idx.search(row.query).suggestion == row.suggestion);
    }
}

TEST_CASE("similar papers, suggestions, records, index info") {
    SmallIndex idx(kPapers);
    auto sim = idx.engine->similar("p1", 0, 10);
    REQUIRE(sim.is_ok());
    CHECK(sim->query == "similar:p1");
    REQUIRE(!sim->hits.empty());
    for (const Hit& h : sim->hits) CHECK(h.id != "p1");  // the paper itself is excluded
    CHECK(std::any_of(sim->hits.begin(), sim->hits.end(), [](const Hit& h) { return h.id == "p2"; }));
    auto unknown = idx.engine->similar("nope", 0, 10);
    REQUIRE_FALSE(unknown.is_ok());
    CHECK(unknown.status().code() == ErrorCode::kNotFound);
    CHECK(idx.engine->similar("p1", 0, 1000).status().code() == ErrorCode::kInvalidArgument);

    // Completions: the last word as a prefix, the most frequent indexed word first, as papers write it.
    CHECK(idx.engine->suggest("lin", 5).value() == V{"linear"});
    CHECK(idx.engine->suggest("fast dif", 5).value() == V{"fast diffusion", "fast Diffusionsmodelle"});
    CHECK(idx.engine->suggest("fast dif", 1).value() == V{"fast diffusion"});
    CHECK(idx.engine->suggest("regression ", 5).value() == V{"regression linear"});  // the next word of a title
    CHECK(idx.engine->suggest("", 5).value().empty());
    CHECK(idx.engine->suggest("xq", 5).value().empty());
    CHECK(idx.engine->suggest("lin", 0).status().code() == ErrorCode::kInvalidArgument);
    CHECK(idx.engine->suggest("lin", 21).status().code() == ErrorCode::kInvalidArgument);
    CHECK(idx.engine->suggest("li\xff", 5).status().code() == ErrorCode::kInvalidArgument);

    auto p4 = idx.engine->paper("p4");
    REQUIRE(p4.is_ok());
    CHECK(to_json(p4.value()) == to_json(parse_record(kPapers[3]).value()));
    CHECK(idx.engine->paper("nope").status().code() == ErrorCode::kNotFound);

    auto info = idx.engine->info();
    REQUIRE(info.is_ok());
    CHECK(info->documents == 7);
    CHECK(info->revision >= 1);
    CHECK(info->bytes > 0);
    // revision(): the same without the walk over the files (the ETag's and /health's).
    auto rev = idx.engine->revision();
    REQUIRE(rev.is_ok());
    CHECK(rev->revision == info->revision);
    CHECK(rev->documents == 7);
    CHECK(rev->bytes == 0);
}

// Type-ahead (schema.h: kPrefixDisplay, kPrefixTitlePair): eight English papers that all say "the",
// "to" and "that", eight German ones that all say "die" and "und" (function words by data: 8 of 8 is
// more than suggest_max_share 0.65 with confidence), a Chinese one.
const std::vector<std::string> kTyping = {
    R"({"id": "e1", "title": {"en": "Linear attention transformers"}, "abstract": {"en": "We show that the linear attention is fast to run."}})",
    R"({"id": "e2", "title": {"en": "Linear attention at scale"}, "abstract": {"en": "The model learns to attend, so that it scales."}})",
    R"({"id": "e3", "title": {"en": "Linear regression revisited"}, "abstract": {"en": "We show that the regression is linear to the end."}})",
    R"({"id": "e4", "title": {"en": "Transformer-based retrieval"}, "abstract": {"en": "Dense models are the best way to search, so that recall is high."}})",
    R"({"id": "e5", "title": {"en": "Sparse tokens"}, "abstract": {"en": "The tokens help to run faster, so that we save tokens."}})",
    R"({"id": "e6", "title": {"en": "Image generation", "zh": "基于扩散模型的图像生成"}, "abstract": {"en": "The images go to noise, so that we learn.", "zh": "本文提出一种基于扩散模型的方法。"}})",
    R"({"id": "e7", "title": {"en": "Graph search"}, "abstract": {"en": "The graph helps to search, so that paths are short."}})",
    R"({"id": "e8", "title": {"en": "Sparse codes"}, "abstract": {"en": "The codes map to bits, so that memory is small."}})",
    R"({"id": "g1", "title": {"de": "Über große Sprachmodelle"}, "abstract": {"de": "Die Modelle und die Daten sind groß."}})",
    R"({"id": "g2", "title": {"de": "Große Daten für Suche"}, "abstract": {"de": "Wir zeigen die Suche und Modelle."}})",
    R"({"id": "g3", "title": {"de": "Suche über Graphen"}, "abstract": {"de": "Die Graphen und die Wege."}})",
    R"({"id": "g4", "title": {"de": "Schnelle Diffusionsmodelle"}, "abstract": {"de": "Die Bilder und die Modelle."}})",
    R"({"id": "g5", "title": {"de": "Kleine Netze"}, "abstract": {"de": "Die Netze und die Wege."}})",
    R"({"id": "g6", "title": {"de": "Daten im Netz"}, "abstract": {"de": "Die Daten und das Netz."}})",
    R"({"id": "g7", "title": {"de": "Wege im Wald"}, "abstract": {"de": "Die Wege und die Bäume."}})",
    R"({"id": "g8", "title": {"de": "Bäume zählen"}, "abstract": {"de": "Die Bäume und die Zahlen."}})",
};

TEST_CASE("suggest: display forms, no function words, the next word, Chinese prefixes") {
    SmallIndex idx(kTyping);
    auto s = [&](const std::string& text, size_t limit = 10) {
        auto r = idx.engine->suggest(text, limit);
        REQUIRE_MESSAGE(r.is_ok(), r.message());
        return r.value();
    };
    // "the", "to", "that" (8 of 8 English papers) are never offered; the rest by papers, ties in
    // folded order; each word as papers write it.
    CHECK(s("t") == V{"tokens", "Transformer-based", "transformers"});
    CHECK(s("th").empty());
    CHECK(s("transformer-bas") == V{"Transformer-based"});
    CHECK(s("dense transfo") == V{"dense Transformer-based", "dense transformers"});
    // German: "die" (8 of 8 German papers) is not offered; "Daten" (3 papers) before "das", "Dense",
    // "Diffusionsmodelle" (1 each).
    // "das" (one German paper) is on German's stop list (searcher/stop_lists.h).
    CHECK(s("d") == V{"Daten", "Dense", "Diffusionsmodelle"});
    CHECK(s("und").empty());
    // Diacritics and ß as written: "große" (g1) and "Große" (g2) tie, the first in byte order shows.
    CHECK(s("Groß") == V{"Große", "groß"});
    CHECK(s("bau") == V{"Bäume"});
    CHECK(s("Bäu") == V{"Bäume"});
    // "über" is a German function word (German's stop list).
    CHECK(s("über").empty());
    // After a space: the next word of the titles, the most frequent first.
    CHECK(s("linear ") == V{"linear attention", "linear regression"});
    CHECK(s("Linear ", 1) == V{"Linear attention"});
    CHECK(s("sparse ") == V{"sparse codes", "sparse tokens"});
    CHECK(s("nothing ").empty());
    // A Han character completes to the words that start with it.
    CHECK(s("扩") == V{"扩散"});
    CHECK(s("基于扩") == V{"基于扩散"});
}

// Function words of languages the index has few papers of: three German papers and two French ones
// among nine English, too few for the data to be sure of any word ("die" and "wir" are in 2 of the 3
// German papers, a Wilson lower bound of 0.21, below similar_max_share 0.3 and suggest_max_share 0.65),
// so the languages' stop lists decide. "war" is on the German list but an English
// word here, which the German papers do not use.
TEST_CASE("suggest: no function words of a language with few papers") {
    std::vector<std::string> papers(kTyping.begin(), kTyping.begin() + 8);
    papers.push_back(R"({"id": "m1", "title": {"en": "War games"}, "abstract": {"en": "Games of war."}})");
    papers.push_back(R"({"id": "g1", "title": {"de": "Daten der Welt"}, "abstract": {"de": "Wir zeigen, dass die Daten und die Wege wichtig sind."}})");
    papers.push_back(R"({"id": "g2", "title": {"de": "Suche im Netz"}, "abstract": {"de": "Die Suche wird durch Wissen über den Dienst besser, weil wir dort viel lernen."}})");
    papers.push_back(R"({"id": "g3", "title": {"de": "Wege im Wald"}, "abstract": {"de": "Alte Bäume säumen Wege."}})");
    papers.push_back(R"({"id": "f1", "title": {"fr": "Les modèles de langue"}, "abstract": {"fr": "Nous montrons que les modèles sont utiles pour des tâches."}})");
    papers.push_back(R"({"id": "f2", "title": {"fr": "Une étude des graphes"}, "abstract": {"fr": "Les graphes et les données sont étudiés."}})");
    SmallIndex idx(papers);
    auto s = [&](const std::string& text) {
        auto r = idx.engine->suggest(text, 10);
        REQUIRE_MESSAGE(r.is_ok(), r.message());
        return r.value();
    };
    // Not "der", "die", "dass", "den", "dort", "durch" (German), "de", "des" (French).
    CHECK(s("d") == V{"Daten", "Dense", "Dienst", "données"});
    CHECK(s("un").empty());
    CHECK(s("wi") == V{"wichtig", "Wissen"});
    CHECK(s("wa") == V{"War", "Wald", "way"});  // "War" and "war" in m1 count twice
    // "les" is missing from Snowball's French list, and two papers cannot show it a function word.
    CHECK(s("le") == V{"Les", "learn", "learns", "lernen"});
    CHECK(s("no") == V{"noise"});                       // not "nous"
    CHECK(s("que").empty());
    // Similar papers do not expand with them either: g1 shares only "die" and "wir" with g2.
    auto similar = idx.engine->similar("g1", 0, 10);
    REQUIRE(similar.is_ok());
    for (const Hit& h : similar->hits) {
        CAPTURE(h.id);
        const std::string marked = h.snippet.html() + h.title_highlighted.html();
        for (const char* w : {"die", "Die", "wir", "Wir", "und", "der", "dass"})
            CHECK(marked.find("<mark>" + std::string(w) + "</mark>") == std::string::npos);
    }
}

TEST_CASE("search: a title that holds the query's words together ranks above papers that have them apart") {
    const std::vector<std::string> papers = {
        // t1: the words apart in its title, and many times in its abstract, once side by side in a list
        // (which the phrase boost counts as the phrase).
        R"({"id": "t1", "title": {"en": "Linear routers and attention routers"}, "abstract": {"en": "We compare routers: Linear, Attention, MLP. Linear layers feed attention heads, and attention is linear in cost."}})",
        // t2: the pair in its title.
        R"({"id": "t2", "title": {"en": "Simple linear attention language models"}, "abstract": {"en": "A recurrent model for recall."}})",
        // t3: neither together.
        R"({"id": "t3", "title": {"en": "Attention sinks"}, "abstract": {"en": "Linear probes find sinks."}})",
    };
    SmallIndex idx(papers);
    CHECK(idx.ids("linear attention") == V{"t2", "t1", "t3"});
    // Off: the abstract that repeats both words wins, as before.
    const V off = idx.ids_with("linear attention", "title_pair_weight", "0");
    REQUIRE(!off.empty());
    CHECK(off[0] == "t1");
}

TEST_CASE("search: title pairs lift papers that fill the page from the some-words tier too") {
    const std::vector<std::string> papers = {
        R"({"id": "f1", "title": {"en": "Linear routers and attention routers"}, "abstract": {"en": "We compare routers: Linear, Attention, MLP. Linear layers feed attention heads, and attention is linear in cost."}})",
        R"({"id": "f2", "title": {"en": "Simple linear attention language models"}, "abstract": {"en": "A recurrent model for recall."}})",
        R"({"id": "f3", "title": {"en": "Sparse kernels"}, "abstract": {"en": "Kernels for sparse data."}})",
    };
    SmallIndex idx(papers);
    // No paper has all three words: every hit comes from the some-words tier, where the pair term
    // lifts f2 (its title holds "linear attention") above f1, which repeats the words apart.
    auto ranked = [&](const std::string& name, const std::string& value) { return idx.ids_with("linear attention kernels", name, value); };
    // The pairs are added to the first phrase_depth papers of the fill (as phrases are); with
    // phrase_depth 0 they are part of the whole match: the same order either way.
    CHECK(ranked("", "") == V{"f2", "f1", "f3"});
    CHECK(ranked("phrase_depth", "0") == V{"f2", "f1", "f3"});
    // Without pairs, the abstract that repeats both words wins.
    CHECK(ranked("title_pair_weight", "0").front() == "f1");
}

TEST_CASE("snippet: passage choice, ellipses, white space") {
    Analyzer a;
    MatchTerms m;
    m.forms = {{"needle", 0}, {"thread", 1}};
    std::string text;
    for (int i = 0; i < 100; ++i) text += "w" + std::to_string(i) + (i % 10 == 9 ? "\n" : " ");
    // Both words near the end: the passage moves there, keeps a few words before, and says "…".
    std::string t2 = text + "needle and thread   end.";
    SnippetOptions o;
    o.window_words = 8;
    o.lead_words = 2;
    Snippet s = make_snippet(a, t2, "en", m, o);
    // (the window is filled from before when the text ends: 8 words from w96)
    CHECK(s.html() == "…w96 w97 w98 w99 <mark>needle</mark> and <mark>thread</mark> end.");
    // No match: the start of the text, cut with an ellipsis.
    Snippet none = make_snippet(a, text, "en", m, o);
    CHECK(none.plain() == "w0 w1 w2 w3 w4 w5 w6 w7…");
    // The window with most distinct words wins over one with more repeats of a single word.
    std::string t3 = "needle needle needle x x x x x x x x x x x needle thread";
    o.window_words = 3;
    o.lead_words = 0;
    CHECK(make_snippet(a, t3, "en", m, o).html() == "…x <mark>needle</mark> <mark>thread</mark>");
    // Stems match: "threads" for "thread".
    m.stems = {{"thread", 1}};
    CHECK(make_snippet(a, "Two threads.", "en", m, o).html() == "Two <mark>threads</mark>.");
    CHECK(make_snippet(a, "", "en", m, o).empty());
}

TEST_CASE("snippet: best_possible_score is what a text with every query word as typed scores") {
    MatchTerms m;
    m.forms = {{"linear", 0}, {"attention", 1}, {"linearattention", -1}};
    m.stems = {{"attent", 1}};
    // Three query words (the join is one too), each 1 and 1 more as typed.
    CHECK(best_possible_score(m) == 6);
    Analyzer a;
    CHECK(match_score(a, "linear attention, LinearAttention", "en", m) == best_possible_score(m));
    CHECK(match_score(a, "linear attentive", "en", m) < best_possible_score(m));
    // A word that counts 3 (a German word that splits) and a translation that counts nothing.
    m.weight = {{0, 3}, {2, 0}};
    m.parts["sprachmodelle"].push_back({2, 7, 13});
    CHECK(best_possible_score(m) == (3 + 1) + (1 + 1) + (1 + 1) + 0);
    CHECK(best_possible_score(MatchTerms{}) == 0);
}

TEST_CASE("snippet: quick_score leaves out only what the query cannot match, and scores the same") {
    Analyzer a;
    auto terms = [&](const std::string& query) {
        MatchTerms m;
        std::vector<Token> toks;
        a.analyze(query, toks);
        int g = 0;
        for (const Token& t : toks) {
            m.forms.emplace(t.folded, g);
            if (std::string s = a.stem("en", t); !s.empty()) m.stems.emplace(s, g);
            ++g;
        }
        return m;
    };
    const MatchTerms en = terms("diffusion models"), zh = terms("扩散模型"), both = terms("扩散模型 diffusion");
    CHECK(match_reach(en).other);
    CHECK_FALSE(match_reach(en).dictionary);
    CHECK(match_reach(zh).dictionary);
    CHECK_FALSE(match_reach(zh).other);
    CHECK(match_reach(both).dictionary);
    CHECK(match_reach(both).other);
    CHECK_FALSE(match_reach(MatchTerms{}).dictionary);

    const std::string zh_text = "我们提出了一种新的扩散模型（Diffusion Models），在图像生成上优于GAN。实验表明 diffusion 更稳定。";
    const std::string en_text = "We study diffusion models for image generation; a model of diffusion.";
    // An English query over a Chinese text: only its Latin words are analysed, with the score of the whole.
    REQUIRE(quick_score(a, zh_text, "zh", en, match_reach(en)));
    CHECK(*quick_score(a, zh_text, "zh", en, match_reach(en)) == match_score(a, zh_text, "zh", en));
    CHECK(match_score(a, zh_text, "zh", en) == 4);  // both words, both as typed
    // A Chinese query over the same text: only the Han runs.
    REQUIRE(quick_score(a, zh_text, "zh", zh, match_reach(zh)));
    CHECK(*quick_score(a, zh_text, "zh", zh, match_reach(zh)) == match_score(a, zh_text, "zh", zh));
    CHECK(match_score(a, zh_text, "zh", zh) > 0);
    // A Chinese query over an English text: nothing can match, nothing is analysed.
    REQUIRE(quick_score(a, en_text, "en", zh, match_reach(zh)));
    CHECK(*quick_score(a, en_text, "en", zh, match_reach(zh)) == 0);
    // Nothing to leave out (an English query over English text, a mixed query): the caller analyses it whole.
    CHECK_FALSE(quick_score(a, en_text, "en", en, match_reach(en)));
    CHECK_FALSE(quick_score(a, zh_text, "zh", both, match_reach(both)));
    // A Latin word touching Han characters on both sides is still whole ("GAN" above), and a
    // hyphenated chain inside Chinese text still joins.
    const MatchTerms gan = terms("GAN multiview");
    const std::string chain = "基于multi-view的GAN方法";
    REQUIRE(quick_score(a, chain, "zh", gan, match_reach(gan)));
    CHECK(*quick_score(a, chain, "zh", gan, match_reach(gan)) == 4);
    CHECK(match_score(a, chain, "zh", gan) == 4);
}

TEST_CASE("search: the bundled data") {
    // The seed listing and the first 300 papers of the slice.
    test::TempDir dir;
    const std::string db = dir.file("index");
    {
        auto w = IndexWriter::open(db, true);
        REQUIRE(w.is_ok());
        IngestOptions options;
        IngestSummary s = ingest(*w.value(), {test::data_dir() + "/seed/chatpaper-2024-02-29.jsonl"}, options);
        REQUIRE(s.added == 11);
        auto reader = RecordReader::open(test::data_dir() + "/arxiv-slice.jsonl.gz");
        REQUIRE(reader.is_ok());
        Record rec;
        std::string error;
        for (int i = 0; i < 300 && reader.value()->next(rec, error) == RecordReader::Outcome::kRecord; ++i)
            REQUIRE(w.value()->upsert(rec).is_ok());
        REQUIRE(w.value()->commit().is_ok());
    }
    auto e = Engine::open(db);
    REQUIRE(e.is_ok());
    auto search = [&](const std::string& q) {
        SearchRequest r;
        r.query = q;
        auto resp = e.value()->search(r);
        REQUIRE(resp.is_ok());
        return resp.value();
    };
    // The two seed papers whose German text says "Diffusionsmodelle".
    SearchResponse de = search("Diffusionsmodell");
    REQUIRE(de.hits.size() >= 2);
    V top2{de.hits[0].id, de.hits[1].id};
    std::sort(top2.begin(), top2.end());
    CHECK(top2 == V{"chatpaper-2024-02-29-07", "chatpaper-2024-02-29-11"});
    CHECK(de.hits[0].snippet_lang == "de");
    CHECK(de.hits[0].snippet.html().find("<mark>Diffusionsmodell") != std::string::npos);

    SearchResponse la = search("linear attention");
    auto it = std::find_if(la.hits.begin(), la.hits.begin() + std::min<size_t>(3, la.hits.size()),
                           [](const Hit& h) { return h.id == "chatpaper-2024-02-29-08"; });
    REQUIRE(it != la.hits.begin() + std::min<size_t>(3, la.hits.size()));
    CHECK(it->title == "Simple linear attention language models balance the recall-throughput tradeoff");
    CHECK(it->title_lang == "en");

    SearchResponse starcoder = search("2402.19173");
    REQUIRE(!starcoder.hits.empty());
    CHECK(starcoder.hits[0].id == "2402.19173");

    // Similar to StarCoder 2 (English and German title and abstract): German function words ("die",
    // "und", "wir", "auf": in more than similar_max_share of the German papers) are no expansion terms,
    // so no hit has them marked. (Before, each of the ten German seed papers was similar through them.)
    auto similar = e.value()->similar("2402.19173", 0, 10);
    REQUIRE(similar.is_ok());
    REQUIRE(!similar->hits.empty());
    for (const Hit& h : similar->hits) {
        CAPTURE(h.id);
        const std::string marked = h.snippet.html() + h.title_highlighted.html();
        for (const char* w : {"die", "Die", "und", "wir", "Wir", "auf", "der"})
            CHECK(marked.find("<mark>" + std::string(w) + "</mark>") == std::string::npos);
    }

    // Chinese: every hit for 扩散 has it in a Chinese title or abstract.
    SearchResponse zh = search("扩散");
    REQUIRE(!zh.hits.empty());
    for (const Hit& h : zh.hits) {
        CAPTURE(h.id);
        CHECK(h.snippet_lang == "zh");
        CHECK((h.snippet.html().find("<mark>扩散") != std::string::npos || h.title.find("扩散") != std::string::npos));
    }
}

TEST_CASE("read_with_retry: a writer's commits get in the way of a read") {
    // Each request of the Engine goes through read_with_retry (engine.h). The errors are thrown here by
    // hand: with a real writer they come only when its commits fall in the middle of a read.
    int calls = 0;
    auto failing = [&](int modified, int corrupt) {
        return [&calls, modified, corrupt]() -> Result<int> {
            ++calls;
            if (calls <= modified) throw Xapian::DatabaseModifiedError("The revision being read has been discarded");
            if (calls <= modified + corrupt) throw Xapian::DatabaseCorruptError("Expected block 71 to be level 1, not 0");
            return calls;
        };
    };
    SUBCASE("glass's \"Expected block N to be level L\" while a writer commits is retried, not reported as corruption") {
        // Under scripts/bench/reindex-load's storm of commits this reached clients as 503 "index ... is corrupt".
        Result<int> r = read_with_retry(failing(0, 1), 0);
        REQUIRE(r.is_ok());
        CHECK(r.value() == 2);
        calls = 0;
        r = read_with_retry(failing(1, 2), 0);  // both kinds in one request
        REQUIRE(r.is_ok());
        CHECK(r.value() == 4);
    }
    SUBCASE("an index that is really corrupt fails every attempt: the error comes out after the third") {
        CHECK_THROWS_AS(read_with_retry(failing(0, 100), 10), Xapian::DatabaseCorruptError);
        CHECK(calls == 3);
    }
    SUBCASE("DatabaseModifiedError: more than three attempts while the time budget lasts") {
        // Three attempts were the limit, and a writer committing every few tens of milliseconds made
        // the server answer 503 "the index changed three times during one search" under load.
        Result<int> r = read_with_retry(failing(10, 0), 60);
        REQUIRE(r.is_ok());
        CHECK(r.value() == 11);
    }
    SUBCASE("DatabaseModifiedError: after the budget, at least three attempts, then unavailable") {
        Result<int> r = read_with_retry(failing(100, 0), 0);
        REQUIRE_FALSE(r.is_ok());
        CHECK(r.status().code() == ErrorCode::kUnavailable);
        CHECK(r.message() == "the index changed 3 times during one request; try again");
        CHECK(calls == 3);
    }
}

TEST_CASE("matching_part: the papers to leave out, without phrase boosts") {
    using Q = Xapian::Query;
    const Q a("a"), b("b"), lang("Lzh");
    const std::vector<Q> ab{a, b};
    const Q phrase(Q::OP_PHRASE, ab.begin(), ab.end(), 2);
    // The shape of a Chinese query's first tier (searcher/builder.cc): both words, their phrase a boost.
    const Q strict(Q::OP_FILTER, Q(Q::OP_AND_MAYBE, Q(Q::OP_AND, a, b), phrase), lang);
    CHECK(matching_part(strict).get_description() == "Query(((a AND b) FILTER Lzh))");
    // A phrase that decides a match (an alternative of an OR) stays; nested boosts go.
    const Q alternatives(Q::OP_OR, phrase, Q(Q::OP_AND_MAYBE, Q("ab"), Q(Q::OP_AND_MAYBE, a, b)));
    CHECK(matching_part(alternatives).get_description() == "Query(((a PHRASE 2 b) OR ab))");
    CHECK(matching_part(Q(Q::OP_AND_NOT, Q(Q::OP_AND_MAYBE, a, phrase), b)).get_description() == "Query((a AND_NOT b))");
    CHECK(matching_part(a).get_description() == a.get_description());
}

TEST_CASE("search: total counts the papers the pages list, the same for every page and limit") {
    SmallIndex idx(kPapers);
    struct Row {
        std::string query;
        SortOrder sort;
    };
    const Row rows[] = {
        {"linear attention", SortOrder::kRelevance},  // two tiers: p1, p2 with both, p3 with one
        {"linear attention", SortOrder::kDate},       // date order: only the papers with both
        {"regression the", SortOrder::kRelevance},    // a weak stop word
        {"multi-view", SortOrder::kRelevance},
        {"diffusion -video", SortOrder::kRelevance},
        {"cat:cs.CV", SortOrder::kRelevance},          // a listing
        {"zebra xylophone", SortOrder::kRelevance},    // nothing
    };
    for (const Row& r : rows) {
        CAPTURE(r.query);
        // Every paper the pages list, one page of one hit at a time.
        std::vector<std::string> listed;
        for (uint64_t offset = 0;; ++offset) {
            SearchResponse page = idx.search(r.query, r.sort, offset, 1);
            CHECK(page.has_more == (offset + page.hits.size() < page.total));
            if (page.hits.empty()) break;
            listed.push_back(page.hits[0].id);
        }
        for (uint64_t limit : {0, 1, 2, 3, 10}) {
            CAPTURE(limit);
            SearchResponse resp = idx.search(r.query, r.sort, 0, limit);
            CHECK(resp.total == listed.size());
            CHECK(resp.total_is_exact);
            CHECK(resp.has_more == (listed.size() > limit));
            CHECK(idx.search(r.query, r.sort, 1, limit).total == listed.size());
        }
    }
    // By hand: "linear attention" lists p1, p2 (both words), then p3 (one); by date only p2 and p1.
    CHECK(idx.search("linear attention", SortOrder::kRelevance, 0, 0).total == 3);
    CHECK(idx.search("linear attention", SortOrder::kDate, 0, 0).total == 2);
    // Beyond the bound (count_to), an estimate marked as one, between the matches seen and the papers
    // of the index: "linear OR regression" matches p1, p2, p3; counting stops after 2.
    auto bounded = std::make_shared<RankingParams>();
    REQUIRE(bounded->set("count_to", "1").is_ok());
    SearchRequest req;
    req.query = "linear OR regression";
    req.limit = 0;
    req.ranking = bounded;
    auto est = idx.engine->search(req);
    REQUIRE(est.is_ok());
    CHECK_FALSE(est->total_is_exact);
    CHECK(est->total >= 2);
    CHECK(est->total <= kPapers.size());
    // has_more beyond the bound comes from a count to one past the page, never from the estimate.
    for (uint64_t offset : {0, 1, 2}) {
        for (uint64_t limit : {1, 2}) {
            CAPTURE(offset);
            CAPTURE(limit);
            req.offset = offset;
            req.limit = limit;
            auto page = idx.engine->search(req);
            REQUIRE(page.is_ok());
            CHECK(page->has_more == (offset + page->hits.size() < 3));
        }
    }
    req.offset = 0;
    req.limit = 0;
    req.ranking = nullptr;
    CHECK(idx.engine->search(req).value().total == 3);
    // "no paper matches every word" does not depend on the page either.
    for (uint64_t limit : {0, 1, 10}) {
        SearchResponse resp = idx.search("linear zebra", SortOrder::kRelevance, 0, limit);
        CHECK(resp.total == 3);  // p1, p2, p3 have "linear"
        REQUIRE(resp.notices.size() == 1);
        CHECK(resp.notices[0].code == notice::kSomeWords);
        CHECK(resp.notices[0].message == "no paper matches every word; showing papers that match some");
    }
}

TEST_CASE("search: each hit's title highlighted whole and HTML-safe, and the languages the paper has") {
    SmallIndex idx({
        R"({"id": "t1", "title": {"en": "x < y & <b>Robots</b>\n  that grasp"}, "abstract": {"de": "Roboter greifen."}})",
        R"({"id": "t2", "title": {"en": "Robot hands", "zh": "机器人的手"}, "abstract": {"en": "Grasping robots."}})",
    });
    SearchResponse r = idx.search("robots");
    REQUIRE(r.hits.size() == 2);
    const Hit& t1 = r.hits[0].id == "t1" ? r.hits[0] : r.hits[1];
    const Hit& t2 = r.hits[0].id == "t1" ? r.hits[1] : r.hits[0];
    // The whole title, white space folded, the markup of the record shown as text.
    CHECK(t1.title_highlighted.html() == "x &lt; y &amp; &lt;b&gt;<mark>Robots</mark>&lt;/b&gt; that grasp");
    CHECK(t1.langs == std::vector<std::string>{"de", "en"});  // an English title, a German abstract
    CHECK(t2.title_highlighted.html() == "<mark>Robot</mark> hands");  // by its stem
    CHECK(t2.langs == std::vector<std::string>{"en", "zh"});
    // A Chinese query shows the Chinese title, highlighted in it.
    SearchResponse zh = idx.search("机器人");
    REQUIRE(zh.hits.size() == 1);
    CHECK(zh.hits[0].title_lang == "zh");
    // (How ICU's dictionary cuts "机器人的手" decides the marks' ends; the first word is marked.)
    CHECK(zh.hits[0].title_highlighted.html().rfind("<mark>机器", 0) == 0);
    CHECK(zh.hits[0].title_highlighted.plain() == "机器人的手");
}

TEST_CASE("search: no \"did you mean\" for a word the index has by one of its stems") {
    SmallIndex idx(kPapers);
    // p4 says "Diffusionsmodelle"; "Diffusionsmodell" itself is in no paper, but its German stem is.
    SearchResponse r = idx.search("Diffusionsmodell");
    CHECK(r.total >= 1);
    CHECK(r.total < 5);  // few enough that a suggestion would be looked for
    CHECK(r.suggestion.empty());
    CHECK(idx.search("retna").suggestion == "retina");  // a word no paper has, by form or stem
}

TEST_CASE("search: as people type: completions and corrections, each below the words as typed") {
    std::vector<std::string> papers = kPapers;
    papers.push_back(R"({"id": "t1", "title": {"en": "Transfo: a tool for power grids"}, "published": "2020-01-01"})");
    papers.push_back(R"({"id": "t2", "title": {"en": "Transformers see images"}, "published": "2021-01-01"})");
    papers.push_back(R"({"id": "t3", "title": {"en": "Transformers hear sounds"}, "published": "2019-01-01"})");
    SmallIndex idx(papers);
    auto ids = [&](SearchRequest r) {
        V out;
        auto resp = idx.engine->search(r);
        REQUIRE_MESSAGE(resp.is_ok(), resp.message());
        for (const Hit& h : resp->hits) out.push_back(h.id);
        return out;
    };
    SearchRequest r;
    r.query = "transfo";
    CHECK(ids(r) == V{"t1", "t2", "t3"});  // the word as typed first, then its completion (2 papers, more than 1)
    r.prefix = false;
    CHECK(ids(r) == V{"t1"});
    r.query = "transfo ";  // finished: a space after it
    r.prefix = true;
    CHECK(ids(r) == V{"t1"});
    r.query = "linear atten";  // every word must still match: p3 has "linear" only
    SearchResponse typed = idx.engine->search(r).value();
    CHECK(typed.hits.size() == 3);
    CHECK(typed.hits[0].id == "p1");
    CHECK(typed.hits[1].id == "p2");
    CHECK(typed.total == 3);
    CHECK(typed.hits[0].title_highlighted.html() == "<mark>Linear</mark> <mark>attention</mark> for language models");

    // Corrections: with typo_ratio 1, two papers with "attention" outweigh none with "atention".
    auto ranking = std::make_shared<RankingParams>();
    REQUIRE(ranking->set("typo_ratio", "1").is_ok());
    SearchRequest c;
    c.query = "linear atention";
    c.ranking = ranking;
    SearchResponse fixed = idx.engine->search(c).value();
    CHECK(fixed.corrected == "linear attention");
    CHECK(fixed.suggestion.empty());  // the correction was searched: no "did you mean" as well
    REQUIRE(!fixed.notices.empty());
    CHECK(fixed.notices.back().code == notice::kCorrected);
    REQUIRE(fixed.hits.size() >= 2);
    CHECK(fixed.hits[0].id == "p1");
    CHECK(fixed.hits[1].id == "p2");
    c.typos = false;
    SearchResponse off = idx.engine->search(c).value();
    CHECK(off.corrected.empty());
    CHECK(off.suggestion == "linear attention");  // offered, not searched
    CHECK(off.hits[0].id == "p3");                // "linear" alone, as before
}

TEST_CASE("suggest: the ranking parameters' stop words are never offered, however few papers have them") {
    // "these" and "their" are in 2 of 6 papers, far below suggest_max_share: the data alone would offer
    // them; they are stop words of the ranking parameters (common/ranking.h), so they are not.
    SmallIndex idx({
        R"({"id": "s1", "title": {"en": "These theorems hold"}})",
        R"({"id": "s2", "title": {"en": "Their theory of everything"}})",
        R"({"id": "s3", "title": {"en": "Thermal imaging"}})",
        R"({"id": "s4", "title": {"en": "Graph layouts"}})",
        R"({"id": "s5", "title": {"en": "Sparse codes"}})",
        R"({"id": "s6", "title": {"en": "Dense codes"}})",
    });
    auto r = idx.engine->suggest("the", 10);
    REQUIRE(r.is_ok());
    CHECK(r.value() == V{"theorems", "theory", "Thermal"});  // as written; one paper each, in folded order
}

TEST_CASE("search: phrase boosts for the first phrase_depth matches, the same order when all are in it, every paper once when not") {
    // Papers with both words of "linear attention", the phrase in some: apart from the phrase, alike.
    std::vector<std::string> lines;
    for (int i = 0; i < 12; ++i) {
        const std::string text = i % 3 == 0 ? "linear attention for sequences" : "attention layers and a linear head for sequences";
        lines.push_back(R"({"id": "q)" + std::to_string(i) + R"(", "title": {"en": "Paper )" + std::to_string(i) +
                        R"("}, "abstract": {"en": ")" + text + std::string(static_cast<size_t>(i % 4), '!') + R"("}})");
    }
    SmallIndex idx(lines);
    auto search = [&](uint32_t depth, uint64_t offset, uint64_t limit) {
        auto rk = std::make_shared<RankingParams>();
        REQUIRE(rk->set("phrase_depth", std::to_string(depth)).is_ok());
        SearchRequest r;
        r.query = "linear attention";
        r.offset = offset;
        r.limit = limit;
        r.ranking = rk;
        auto resp = idx.engine->search(r);
        REQUIRE(resp.is_ok());
        return resp.value();
    };
    auto listed = [](const SearchResponse& s) {
        std::vector<std::pair<std::string, double>> out;
        for (const Hit& h : s.hits) out.emplace_back(h.id, h.score);
        return out;
    };
    // Every match within the depth: exactly the ranking of boosts for all (phrase_depth 0).
    const auto all = listed(search(0, 0, 20));
    REQUIRE(all.size() == 12);
    const auto within = listed(search(50, 0, 20));
    REQUIRE(within.size() == all.size());
    for (size_t i = 0; i < all.size(); ++i) {
        CHECK(within[i].first == all[i].first);
        CHECK(within[i].second == doctest::Approx(all[i].second));
    }
    // The four papers with the phrase come first either way.
    for (size_t i = 0; i < 4; ++i) CHECK(std::stoi(all[i].first.substr(1)) % 3 == 0);
    // A depth of 2, a page of one: every paper once, scores never rising from page to page.
    std::set<std::string> seen;
    double last = 1e300;
    for (uint64_t offset = 0; offset < 12; ++offset) {
        const SearchResponse page = search(2, offset, 1);
        REQUIRE(page.hits.size() == 1);
        CHECK(page.total == 12);
        CHECK(seen.insert(page.hits[0].id).second);
        CHECK(page.hits[0].score <= last + 1e-9);
        last = page.hits[0].score;
    }
    CHECK(search(2, 12, 1).hits.empty());
}

TEST_CASE("search: page_ms is the part of took_ms the page of hits took") {
    SmallIndex idx(kPapers);
    const SearchResponse some = idx.search("linear attention");
    REQUIRE(!some.hits.empty());
    CHECK(some.page_ms > 0);
    CHECK(some.page_ms <= some.took_ms);
    CHECK(to_json(some).find("page_ms") == std::string::npos);
    CHECK(idx.search("linear attention", SortOrder::kRelevance, 0, 0).page_ms < some.page_ms);
}

TEST_CASE("search: natural-language queries keep their proximity rerank whatever phrase_depth") {
    SmallIndex idx(kPapers);
    for (const std::string q : {"本文提出一种基于扩散模型的图像生成方法 we generate images with diffusion",
                                "we study linear attention models for language in depth"}) {
        CAPTURE(q);
        std::vector<std::pair<std::string, double>> by_depth[2];
        for (int d = 0; d < 2; ++d) {
            auto rk = std::make_shared<RankingParams>();
            REQUIRE(rk->set("phrase_depth", d ? "50" : "0").is_ok());
            SearchRequest r;
            r.query = q;
            r.ranking = rk;
            auto resp = idx.engine->search(r);
            REQUIRE(resp.is_ok());
            for (const Hit& h : resp->hits) by_depth[d].emplace_back(h.id, h.score);
        }
        REQUIRE(!by_depth[0].empty());
        REQUIRE(by_depth[0].size() == by_depth[1].size());
        for (size_t i = 0; i < by_depth[0].size(); ++i) {
            CHECK(by_depth[0][i].first == by_depth[1][i].first);
            CHECK(by_depth[0][i].second == doctest::Approx(by_depth[1][i].second));
        }
    }
}
