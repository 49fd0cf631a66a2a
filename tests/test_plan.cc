// The query plan (searcher/plan.h), its builder's tier rule, ranking parameters as data
// (common/ranking.h), index-time parameters stored in the index, and abstract: by the field counts.
#include <doctest/doctest.h>

#include <xapian.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "common/ranking.h"
#include "common/record.h"
#include "common/schema.h"
#include "indexer/writer.h"
#include "searcher/engine.h"
#include "test_util.h"
#include "tests/query_util.h"

using namespace abstrakt;

namespace {

QueryPlan plan_of(const std::string& q, std::vector<std::string> langs = {"en"}) {
    Analyzer analyzer;
    QueryContext ctx;
    ctx.stem_langs = std::move(langs);
    Result<QueryPlan> p = make_plan(q, analyzer, ctx);
    REQUIRE_MESSAGE(p.is_ok(), p.message());
    return std::move(p.value());
}

// The clause's text as the query has it at its span.
std::string at(const QueryPlan& p, const Span& s) { return p.text.substr(s.begin, s.end - s.begin); }

std::vector<std::string> folded(const std::vector<PlanWord>& words) {
    std::vector<std::string> out;
    for (const PlanWord& w : words) out.push_back(w.folded);
    return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("plan: clauses, fields, modifiers and spans, table") {
    SUBCASE("two plain words: optional, joined, two tiers, the last one still being typed") {
        QueryPlan p = plan_of("linear attention");
        REQUIRE(p.root.kind == Clause::Kind::kAllOf);
        REQUIRE(p.root.children.size() == 2);
        const Clause& a = p.root.children[0];
        const Clause& b = p.root.children[1];
        CHECK(a.kind == Clause::Kind::kWord);
        CHECK(a.mod == Modifier::kOptional);
        CHECK(a.field == QueryField::kAny);
        CHECK(at(p, a.span) == "linear");
        CHECK(at(p, b.span) == "attention");
        CHECK(b.words[0].stems == std::vector<std::pair<std::string, std::string>>{{"en", "attent"}});
        CHECK_FALSE(a.last);
        CHECK(b.last);
        CHECK(p.root.joins == std::vector<size_t>{0});
        CHECK(p.two_tiers);
        CHECK(p.has_text);
        CHECK_FALSE(p.nothing);
        CHECK_FALSE(p.natural);
        CHECK(p.proximity.empty());
    }
    SUBCASE("a space after the last word: nothing is being typed") {
        QueryPlan p = plan_of("linear attention ");
        CHECK_FALSE(p.root.children[1].last);
    }
    SUBCASE("a field, an exclusion, a requirement") {
        QueryPlan p = plan_of("title:diffusion -robot +grasp");
        REQUIRE(p.root.children.size() == 3);
        CHECK(p.root.children[0].field == QueryField::kTitle);
        CHECK(at(p, p.root.children[0].span) == "diffusion");
        CHECK(p.root.children[1].mod == Modifier::kExcluded);
        CHECK(at(p, p.root.children[1].span) == "robot");
        CHECK(p.root.children[2].mod == Modifier::kRequired);
        CHECK(p.root.children[2].last);
        CHECK(p.two_tiers);  // one optional beside a required one
        CHECK(p.root.joins.empty());  // a field word is no plain word
    }
    SUBCASE("an exclusion beside one word: one tier") {
        QueryPlan p = plan_of("transformer -vision");
        CHECK_FALSE(p.two_tiers);
        CHECK(p.has_text);
    }
    SUBCASE("a phrase: its words, no stems, one tier") {
        QueryPlan p = plan_of("\"large language model\"");
        CHECK(p.root.kind == Clause::Kind::kPhrase);
        CHECK(folded(p.root.words) == V{"large", "language", "model"});
        CHECK(p.root.words[0].stems.empty());
        CHECK(at(p, p.root.span) == "large language model");
        CHECK_FALSE(p.two_tiers);
    }
    SUBCASE("filters are values, not queries") {
        QueryPlan p = plan_of("cat:cs.CL date:2024-02");
        REQUIRE(p.root.children.size() == 2);
        CHECK(p.root.children[0].kind == Clause::Kind::kFilter);
        CHECK(p.root.children[0].filter.term == "Kcs.cl");
        CHECK(p.root.children[1].filter.from == "2024-02-01");
        CHECK(p.root.children[1].filter.to == "2024-02-31");  // compared as a string: any month's end
        CHECK_FALSE(p.has_text);
        CHECK_FALSE(p.nothing);  // filters alone list papers
    }
    SUBCASE("a hyphenated chain: its parts and the joined word") {
        QueryPlan p = plan_of("multi-view");
        CHECK(p.root.kind == Clause::Kind::kWord);
        CHECK(folded(p.root.words) == V{"multi", "view"});
        REQUIRE(p.root.joined.size() == 1);
        CHECK(p.root.joined[0].folded == "multiview");
        CHECK(p.two_tiers);
    }
    SUBCASE("Chinese: one typed word, two dictionary words") {
        QueryPlan p = plan_of("扩散模型", {"zh"});
        CHECK(folded(p.root.words) == V{"扩散", "模型"});
        CHECK(p.root.words[0].kind == TokenKind::kIdeograph);
        CHECK(p.root.joined.empty());
        CHECK(p.two_tiers);
    }
    SUBCASE("OR of single words: one tier") {
        QueryPlan p = plan_of("diffusion OR gan");
        CHECK(p.root.kind == Clause::Kind::kAnyOf);
        CHECK_FALSE(p.two_tiers);
    }
    SUBCASE("a long list is natural language: stop words left out, the rest listed for proximity") {
        QueryPlan p = plan_of("the effect of aspirin on stroke");
        CHECK(p.natural);
        REQUIRE(p.root.children.size() == 6);
        CHECK(p.root.children[0].stop);
        CHECK(p.root.children[2].stop);
        CHECK(p.root.children[4].stop);
        CHECK(p.root.children[1].natural);
        CHECK(p.root.joins.empty());
        CHECK(p.proximity == V{"effect", "aspirin", "stroke"});
    }
    SUBCASE("a stop word of a short list is weak, not left out") {
        QueryPlan p = plan_of("VLQA the");
        CHECK_FALSE(p.root.children[0].weak);
        CHECK(p.root.children[1].weak);
        CHECK_FALSE(p.root.children[1].stop);
    }
    SUBCASE("nothing to search") {
        CHECK(plan_of("").nothing);
        CHECK(plan_of("   ").nothing);
        CHECK(plan_of("---").nothing);  // no word in it
        CHECK_FALSE(plan_of("-robot").nothing);  // an exclusion alone lists what is left
        CHECK_FALSE(plan_of("-robot").has_text);
    }
    SUBCASE("a query that does not parse: its words, spans in the query as typed") {
        QueryPlan p = plan_of("(a +bc");
        REQUIRE(p.notices.size() == 1);
        CHECK(p.notices[0].message.find("did not parse") != std::string::npos);
        REQUIRE(p.root.children.size() == 2);
        CHECK(at(p, p.root.children[0].span) == "a");
        CHECK(at(p, p.root.children[1].span) == "bc");
        CHECK(p.root.children[1].mod == Modifier::kOptional);  // modifiers are dropped there
    }
}

TEST_CASE("plan: the words a spelling correction may replace") {
    struct Row {
        std::string query;
        V words;  // the spans' text, in order
        std::string why;
    };
    const Row rows[] = {
        {"langauge model", {"langauge", "model"}, "every alphabetic word"},
        {"cat:cs.CL langauge", {"langauge"}, "not a filter's value"},
        {"title:retreival", {"retreival"}, "a text field's word is a word"},
        {"foo: bar", {"bar"}, "not a word followed by a colon"},
        {"\"a AND b\"", {"a", "b"}, "not an operator's letters in a phrase"},
        {"(cat:cs.CL langauge", {"langauge"}, "a filter searched as words (no parse) is still no word to correct"},
        {"GPT-4o 2402.19173", {"GPT"}, "numbers are not corrected (the span is the text as typed)"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.query);
        CAPTURE(r.why);
        QueryPlan p = plan_of(r.query);
        V got;
        for (const SpellingWord& w : p.spelling) got.push_back(at(p, w.span));
        CHECK(got == r.words);
    }
}

TEST_CASE("plan: the printed form") {
    // Worked out from the rules: two plain words joined, the second still being typed, English stems
    // (Snowball's English stemmer makes "attention" "attent").
    CHECK(plan_of("linear attention").print() ==
          "plan: two tiers (all words, then some); languages en\n"
          "  all of; joined linearattention\n"
          "    word \"linear\" @0-6: linear {en:linear}\n"
          "    word \"attention\" @7-16 last: attention {en:attent}\n");
    CHECK(plan_of("title:robot -\"deep learning\" year:2024 ").print() ==
          "plan: one tier; languages en\n"
          "  all of\n"
          "    word title:\"robot\" @6-11: robot {en:robot}\n"
          "    -phrase \"deep learning\" @14-27: deep, learning\n"
          "    filter year:2024 = XY2024\n");
    CHECK(plan_of("").print() == "plan: nothing to search; languages en\n  all of\n");
}

TEST_CASE("plan: two tiers exactly when the builder makes two different queries") {
    // The plan decides the tiers from its clauses; the builder, asked for both tiers anyway, must agree.
    Analyzer analyzer;
    QueryContext ctx;
    ctx.stem_langs = {"de", "en", "zh"};
    const std::string queries[] = {"linear attention", "robot", "robot -vision", "+robot grasp", "+robot +grasp", "a OR b",
                                   "(a b) OR c", "\"a b\"", "multi-view", "扩散模型", "VLQA the", "--- the", "the",
                                   "the of", "-(a b)", "x -(a b)", "cat:cs.CL", "cat:cs.CL robot", "title:(a b)",
                                   "we propose a new method for training models", "a AND b", "NOT a", "(a"};
    for (const std::string& q : queries) {
        CAPTURE(q);
        Result<QueryPlan> p = make_plan(q, analyzer, ctx);
        REQUIRE(p.is_ok());
        if (p->nothing) continue;
        const bool differ = build_tier(p.value(), IndexParams{}, true).get_description() !=
                            build_tier(p.value(), IndexParams{}, false).get_description();
        CHECK(p->two_tiers == differ);
    }
}

TEST_CASE("builder: neighbouring words get their phrase boost in the all-words tier only") {
    Analyzer analyzer;
    QueryContext ctx;
    ctx.stem_langs = {"en"};
    Result<QueryPlan> p = make_plan("satellite attitude", analyzer, ctx);
    REQUIRE(p.is_ok());
    const std::string all = build_tier(p.value(), IndexParams{}, true).get_description();
    const std::string some = build_tier(p.value(), IndexParams{}, false).get_description();
    CHECK(all.find("(satellite PHRASE 2 attitude)") != std::string::npos);
    CHECK(some.find("PHRASE") == std::string::npos);
    // Both tiers keep the joined word and the title pair.
    CHECK(all.find("satelliteattitude") != std::string::npos);
    CHECK(some.find("satelliteattitude") != std::string::npos);
    CHECK(some.find("XPsatellite attitude") != std::string::npos);
    // Without its phrase boosts: the same query less the PHRASE, title pairs kept.
    const std::string plain = without_phrase_boosts(build_tier(p.value(), IndexParams{}, true)).get_description();
    CHECK(plain.find("PHRASE") == std::string::npos);
    CHECK(plain.find("XPsatellite attitude") != std::string::npos);
    CHECK(plain.find("satelliteattitude") != std::string::npos);
    CHECK(without_phrase_boosts(build_tier(p.value(), IndexParams{}, false)).get_description() == some);
}

TEST_CASE("builder: the phrase boosts on a query's spine, none when one is elsewhere") {
    using Q = Xapian::Query;
    const Q phrase1(Q::OP_PHRASE, Q("linear"), Q("attention"));
    const Q phrase2(Q::OP_PHRASE, Q("state"), Q("space"));
    const Q base(Q::OP_AND, Q("linear"), Q("attention"));
    // Two boosts, a title pair (not a phrase) between them, under a filter and an exclusion.
    Q q(Q::OP_AND_MAYBE, Q(Q::OP_AND_MAYBE, base, phrase1), Q(Q::OP_SCALE_WEIGHT, Q("XPlinear attention"), 2.0));
    q = Q(Q::OP_AND_MAYBE, q, phrase2);
    q = Q(Q::OP_AND_NOT, Q(Q::OP_FILTER, q, Q("Len")), Q("excluded"));
    auto boosts = spine_phrase_boosts(q);
    REQUIRE(boosts.has_value());
    REQUIRE(boosts->size() == 2);
    CHECK((*boosts)[0].get_description() == phrase2.get_description());
    CHECK((*boosts)[1].get_description() == phrase1.get_description());
    // None at all: an empty list, not nullopt.
    auto none = spine_phrase_boosts(base);
    REQUIRE(none.has_value());
    CHECK(none->empty());
    // A boost under an OR only applies where its side matches: no spine answer.
    const Q nested(Q::OP_OR, Q(Q::OP_AND_MAYBE, base, phrase1), Q("other"));
    CHECK_FALSE(spine_phrase_boosts(nested).has_value());
    CHECK_FALSE(spine_phrase_boosts(Q(Q::OP_AND_MAYBE, nested, phrase2)).has_value());
    // ... nor under a boost that is not a phrase.
    CHECK_FALSE(spine_phrase_boosts(Q(Q::OP_AND_MAYBE, base, Q(Q::OP_AND_MAYBE, Q("x"), phrase1))).has_value());
    // With the title pairs (the some-words tier): the pair is a boost too, scaled or not; a term of
    // another prefix is not.
    auto with_pairs = spine_phrase_boosts(q, Boosts::kPhrasesAndTitlePairs);
    REQUIRE(with_pairs.has_value());
    REQUIRE(with_pairs->size() == 3);
    CHECK((*with_pairs)[1].get_description() == Q(Q::OP_SCALE_WEIGHT, Q("XPlinear attention"), 2.0).get_description());
    auto unscaled = spine_phrase_boosts(Q(Q::OP_AND_MAYBE, Q(Q::OP_AND_MAYBE, base, Q("XPa b")), Q("Xother")), Boosts::kPhrasesAndTitlePairs);
    REQUIRE(unscaled.has_value());
    REQUIRE(unscaled->size() == 1);
    CHECK((*unscaled)[0].get_description() == Q("XPa b").get_description());
    const Q pair_under_or(Q::OP_OR, Q(Q::OP_AND_MAYBE, base, Q("XPa b")), Q("other"));
    CHECK(spine_phrase_boosts(pair_under_or).has_value());
    CHECK_FALSE(spine_phrase_boosts(pair_under_or, Boosts::kPhrasesAndTitlePairs).has_value());
    bool removed = false;
    const std::string plain = without_phrase_boosts(q, &removed, Boosts::kPhrasesAndTitlePairs).get_description();
    CHECK(removed);
    CHECK(plain.find("XP") == std::string::npos);
    CHECK(plain.find("PHRASE") == std::string::npos);
    CHECK(without_phrase_boosts(q).get_description().find("XPlinear attention") != std::string::npos);
}

TEST_CASE("builder: the counting part leaves out a term its synonym group already holds") {
    using Q = Xapian::Query;
    const Q group(Q::OP_SYNONYM, Q("models"), Q("Zmodel"));
    const Q word(Q::OP_OR, group, Q("models"));
    const Q q(Q::OP_AND_MAYBE, Q(Q::OP_OR, word, Q(Q::OP_OR, Q(Q::OP_SYNONYM, Q("graph"), Q("Zgraph")), Q("graphs"))),
              Q("XPgraph models"));
    // "models" is in its group; "graphs" is not in "graph"'s group, so it stays.
    CHECK(counting_part(q).get_description() == "Query(((models SYNONYM Zmodel) OR ((graph SYNONYM Zgraph) OR graphs)))");
    // The same papers, counted on an index.
    Xapian::WritableDatabase db(std::string(), Xapian::DB_BACKEND_INMEMORY);
    for (const V& terms : {V{"models", "Zmodel"}, V{"Zmodel"}, V{"graphs", "Zgraph"}, V{"graph", "Zgraph"}, V{"other"}}) {
        Xapian::Document d;
        for (const std::string& t : terms) d.add_term(t);
        db.add_document(d);
    }
    auto count = [&](const Q& query) {
        Xapian::Enquire e(db);
        e.set_query(query);
        return e.get_mset(0, 10).size();
    };
    CHECK(count(counting_part(q)) == 4);
    CHECK(count(matching_part(q)) == 4);
}

TEST_CASE("builder: documents() matches exactly the numbers given, with no weight") {
    Xapian::WritableDatabase db(std::string(), Xapian::DB_BACKEND_INMEMORY);
    for (int i = 0; i < 6; ++i) {
        Xapian::Document d;
        d.add_term(i % 2 ? "even" : "odd");
        db.add_document(d);  // document numbers 1 to 6: 1, 3, 5 odd
    }
    auto matches = [&](const Xapian::Query& q) {
        Xapian::Enquire e(db);
        e.set_query(q);
        std::vector<Xapian::docid> out;
        Xapian::MSet m = e.get_mset(0, 10);
        for (auto it = m.begin(); it != m.end(); ++it) out.push_back(*it);
        std::sort(out.begin(), out.end());
        return out;
    };
    using D = std::vector<Xapian::docid>;
    CHECK(matches(documents({5, 2, 2, 3})) == D{2, 3, 5});  // any order, duplicates once
    CHECK(matches(Xapian::Query(Xapian::Query::OP_FILTER, Xapian::Query("odd"), documents({1, 2, 3, 6}))) == D{1, 3});
    CHECK(matches(documents({})).empty());
    CHECK(matches(documents({9})).empty());  // no such document
    CHECK(matches(documents({6, 7, 9})) == D{6});
    // No weight: the filtered query weighs as it would alone.
    Xapian::Enquire e(db);
    e.set_query(Xapian::Query(Xapian::Query::OP_AND_MAYBE, Xapian::Query("odd"), documents({1})));
    Xapian::Enquire alone(db);
    alone.set_query(Xapian::Query("odd"));
    CHECK(e.get_mset(0, 1).begin().get_weight() == doctest::Approx(alone.get_mset(0, 1).begin().get_weight()));
}

TEST_CASE("plan: errors") {
    Analyzer analyzer;
    QueryContext ctx;
    ctx.stem_langs = {"en"};
    CHECK(make_plan("\xFF", analyzer, ctx).message() == "the query is not valid UTF-8");
    QueryLimits limits;
    limits.max_words = 2;
    CHECK(make_plan("a b c", analyzer, ctx, limits).message() == "the query has more than 2 words");
    ctx.abstract_field = false;
    CHECK(make_plan("abstract:robot", analyzer, ctx).message().find("abstract: cannot be searched") == 0);
    CHECK(make_plan("title:robot", analyzer, ctx).is_ok());
}

TEST_CASE("ranking: parameters by name, validated, as one flat JSON object") {
    RankingParams r;
    const nlohmann::ordered_json defaults = r.to_json();
    // Every constant the query path had, with the value it had.
    CHECK(defaults["weighting"] == "ineb2 1.5");
    CHECK(defaults["long_query_words"] == 6);
    CHECK(defaults["max_joins"] == 8);
    CHECK(defaults["max_compounds_per_word"] == 50);
    CHECK(defaults["rerank_depth"] == 50);
    CHECK(defaults["proximity_window"] == 10);
    CHECK(defaults["proximity_weight"] == 0.3);
    CHECK(defaults["coverage_weight"] == 0.3);
    CHECK(defaults["few_results"] == 5);
    CHECK(defaults["count_to"] == 2000);
    CHECK(defaults["similar_terms"] == 25);
    CHECK(defaults["similar_max_share"] == 0.3);
    CHECK(defaults["suggest_max_share"] == 0.65);
    CHECK(defaults["title_pair_weight"] == 1.0);
    CHECK(defaults["title_wdf"] == 3);
    CHECK(defaults["abstract_wdf"] == 1);
    CHECK(defaults["author_wdf"] == 1);
    CHECK(defaults["id_wdf"] == 1);
    CHECK(defaults["stop_words"].size() == 33);  // Lucene's classic English set
    CHECK(defaults["prefix_completions"] == 10);
    CHECK(defaults["prefix_min_chars"] == 2);
    CHECK(defaults["prefix_weight"] == 0.5);
    CHECK(defaults["typo_min_chars"] == 4);
    CHECK(defaults["typo_two_edits_chars"] == 8);
    CHECK(defaults["typo_rare"] == 2);
    CHECK(defaults["typo_ratio"] == 10);
    CHECK(defaults["typo_weight"] == 0.5);
    
    CHECK(defaults["translation_weight"] == 0.8);
    CHECK(defaults["translations_per_word"] == 3);
    CHECK(defaults.size() == 30);

    CHECK(r.set("rerank_depth", "30").is_ok());
    CHECK(r.rerank_depth == 30);
    CHECK(r.set_assignment("proximity_weight=0.5").is_ok());
    CHECK(r.proximity_weight == 0.5);
    CHECK(r.set("stop_words", "the, of ,a").is_ok());
    CHECK(r.stop_words == V{"the", "of", "a"});
    CHECK(r.set("title_wdf", "4").is_ok());
    CHECK(r.index.title_wdf == 4);
    CHECK(r.given() == V{"rerank_depth", "proximity_weight", "stop_words", "title_wdf"});
    CHECK(r.set("weighting", "bm25 1.2 0 1 0.75 0.5").is_ok());
    CHECK(r.scheme().name() == "Xapian::BM25Weight");
    CHECK(RankingParams{}.scheme().name() == "Xapian::IneB2Weight");

    struct Bad {
        std::string assignment;
        std::string message;
    };
    const Bad bad[] = {
        {"nope=1", "unknown ranking parameter \"nope\""},
        {"rerank_depth=-1", "ranking parameter rerank_depth=-1: out of range (0 to 1000)"},
        {"rerank_depth=1.5", "ranking parameter rerank_depth=1.5: not a whole number"},
        {"proximity_weight=abc", "ranking parameter proximity_weight=abc: not a number"},
        {"proximity_weight=nan", "ranking parameter proximity_weight=nan: not a number"},
        {"stop_words=The", "ranking parameter stop_words=The: \"The\" is not lower case"},
        {"weighting=foo 1", "ranking parameter weighting=foo 1: unknown scheme \"foo\""},
        {"weighting=ineb2 x", "ranking parameter weighting=ineb2 x: \"x\" is not a number"},
        {"weighting=ineb2 1 2", "ranking parameter weighting=ineb2 1 2: too many numbers for ineb2"},
        {"weighting=ineb2 -1", "ranking parameter weighting=ineb2 -1: "},  // Xapian's own message follows
        {"title_wdf=0", "ranking parameter title_wdf=0: out of range (1 to 100)"},
        {"similar_max_share=0", "ranking parameter similar_max_share=0: out of range (0.01 to 1)"},
        {"suggest_max_share=1.5", "ranking parameter suggest_max_share=1.5: out of range (0.01 to 1)"},
        {"title_pair_weight=-1", "ranking parameter title_pair_weight=-1: out of range (0 to 100)"},
        {"rerank_depth", "--ranking takes NAME=VALUE, not \"rerank_depth\""},
    };
    for (const Bad& b : bad) {
        CAPTURE(b.assignment);
        RankingParams p;
        Status s = p.set_assignment(b.assignment);
        CHECK(s.code() == ErrorCode::kInvalidArgument);
        CHECK(s.message().find(b.message) == 0);
        CHECK(p.to_json() == defaults);  // nothing changed
    }
}

TEST_CASE("ranking: a JSON file, all or nothing, and index-time names refused where an index is only read") {
    test::TempDir dir;
    RankingParams r;
    const std::string good = dir.write("good.json", {R"({"rerank_depth": 20, "stop_words": ["the"], "weighting": "bm25"})"});
    REQUIRE(r.load_file(good).is_ok());
    CHECK(r.rerank_depth == 20);
    CHECK(r.stop_words == V{"the"});
    CHECK(query_time_only(r).is_ok());

    RankingParams p;
    const std::string half = dir.write("half.json", {R"({"rerank_depth": 20, "count_to": "many"})"});
    Status s = p.load_file(half);
    CHECK(s.message() == half + ": ranking parameter count_to=many: not a number");
    CHECK(p.rerank_depth == 50);  // the first member was not applied either
    CHECK(p.load_file(dir.file("missing.json")).message() == dir.file("missing.json") + ": cannot be read");
    CHECK(p.load_file(dir.write("list.json", {"[1]"})).message().find("must be a JSON object") != std::string::npos);
    CHECK(p.load_file(dir.write("broken.json", {"{"})).message().find("not JSON") != std::string::npos);
    CHECK(p.load_file(dir.write("kind.json", {R"({"stop_words": "the"})"})).message().find("wrong kind of value") != std::string::npos);

    RankingParams indexed;
    REQUIRE(indexed.set("title_wdf", "5").is_ok());
    CHECK(query_time_only(indexed).message().find("title_wdf is an index-time ranking parameter") == 0);
}

TEST_CASE("ranking: index parameters in the index's metadata") {
    IndexParams d;
    CHECK(d.to_metadata() == R"({"title_wdf":3,"abstract_wdf":1,"author_wdf":1,"id_wdf":1})");
    CHECK(IndexParams::from_metadata("").value() == IndexParams{});  // older indexes: the defaults
    IndexParams other;
    other.title_wdf = 7;
    CHECK(IndexParams::from_metadata(other.to_metadata()).value() == other);
    CHECK_FALSE(IndexParams::from_metadata("{").is_ok());
    CHECK(IndexParams::from_metadata(R"({"rerank_depth": 3})").message().find("no index-time parameter") != std::string::npos);

    // The writer stores what a new index is built with, and an index with papers keeps it.
    test::TempDir dir;
    const std::string path = dir.file("index");
    const Record rec = parse_record(R"({"id": "x1", "title": {"en": "Robot grasping"}})").value();
    {
        WriterOptions w;
        w.index_params = other;
        auto writer = IndexWriter::open(path, true, w);
        REQUIRE(writer.is_ok());
        REQUIRE(writer.value()->upsert(rec).is_ok());
        REQUIRE(writer.value()->commit().is_ok());
    }
    CHECK(Xapian::Database(path).get_metadata(schema::kMetaIndexParams) == other.to_metadata());
    CHECK(IndexWriter::open(path, false).is_ok());  // unset: the index's own
    WriterOptions defaults;
    defaults.index_params = IndexParams{};
    auto refused = IndexWriter::open(path, false, defaults);
    CHECK(refused.status().code() == ErrorCode::kInvalidArgument);
    CHECK(refused.message().find("rebuild it to change them") != std::string::npos);
    // Its title words count 7 times: "robot" has wdf 7 (title) in the unprefixed space.
    Xapian::Database db(path);
    Xapian::PostingIterator it = db.postlist_begin("robot");
    REQUIRE(it != db.postlist_end("robot"));
    CHECK(it.get_wdf() == 7);
}

TEST_CASE("abstract: a word of the abstract, by the counts of the index's own parameters, never the id") {
    // p1's title has "robot" twice and its abstract once; p2 has "robot" in its title only; p3 in its
    // abstract only, and its id is a word. With title_wdf 2 and author_wdf 5 the counts are unlike the
    // defaults': the filter must read the index's parameters to tell the fields apart.
    IndexParams params;
    params.title_wdf = 2;
    params.author_wdf = 5;
    for (const IndexParams& p : {IndexParams{}, params}) {
        CAPTURE(p.to_metadata());
        test::TempDir dir;
        {
            WriterOptions w;
            w.index_params = p;
            auto writer = IndexWriter::open(dir.file("index"), true, w);
            REQUIRE(writer.is_ok());
            for (const char* line :
                 {R"({"id": "p1", "title": {"en": "Robot robot arms"}, "abstract": {"en": "A robot."}})",
                  R"({"id": "p2", "title": {"en": "Robot hands"}, "abstract": {"en": "Grasping."}, "authors": ["Ann Robot"]})",
                  R"({"id": "2401.00631", "title": {"en": "Hands"}, "abstract": {"en": "A robot picks."}})"})
                REQUIRE(writer.value()->upsert(parse_record(line).value()).is_ok());
            REQUIRE(writer.value()->commit().is_ok());
        }
        auto engine = Engine::open(dir.file("index"));
        REQUIRE(engine.is_ok());
        auto ids = [&](const std::string& q) {
            SearchRequest r;
            r.query = q;
            auto resp = engine.value()->search(r);
            REQUIRE(resp.is_ok());
            std::set<std::string> out;
            for (const Hit& h : resp->hits) out.insert(h.id);
            return out;
        };
        CHECK(ids("abstract:robot") == std::set<std::string>{"p1", "2401.00631"});
        CHECK(ids("abstract:hands").empty());
        CHECK(ids("2401.00631") == std::set<std::string>{"2401.00631"});  // the id is still a word
        CHECK(ids("abstract:2401.00631").empty());                        // but not one of the abstract
    }
}

TEST_CASE("builder: a word's alternatives are or'd beside it, scaled, and satisfy it in the all-words tier") {
    QueryPlan p = plan_of("transfo robot");
    PlanWord& typed = p.root.children[0].words[0];
    Alternative completions;
    completions.kind = Alternative::Kind::kCompletion;
    completions.words = {"transformer", "transform"};
    completions.join = Alternative::Join::kAny;
    completions.weight = 0.5;
    typed.alternatives.push_back(completions);
    Alternative translation;
    translation.kind = Alternative::Kind::kTranslation;
    translation.lang = "en";
    translation.words = {"language", "model"};
    translation.stems = {"languag", "model"};
    translation.weight = 0.25;
    typed.alternatives.push_back(translation);
    MatchTerms match;
    const std::string all = build_tier(p, IndexParams{}, true, &match).get_description();
    // Written out by hand from the builder's rule: the word's own terms, then each alternative scaled.
    CHECK(all.find("((((transfo SYNONYM Ztransfo) OR transfo) OR 0.5 * (transformer SYNONYM transform)) OR 0.25 * "
                   "(Zlanguag AND Zmodel)) AND ((robot SYNONYM Zrobot) OR robot)") != std::string::npos);
    CHECK(match.forms.count("transformer") == 1);
    CHECK(match.stems.count("languag") == 1);
    CHECK(p.print().find("transfo {en:transfo} completion transformer|transform x0.5 translation:en language model x0.25") !=
          std::string::npos);
    Alternative phrase = translation;
    phrase.join = Alternative::Join::kPhrase;
    p.root.children[0].words[0].alternatives = {phrase};
    CHECK(build_tier(p, IndexParams{}, true).get_description().find("OR 0.25 * (language PHRASE 2 model))") != std::string::npos);
}

namespace {

// A vocabulary from a table: word -> papers (stems as "Z" + stem), spelling corrections by hand.
struct TableVocabulary : Vocabulary {
    std::map<std::string, uint64_t> papers;
    std::map<std::string, std::string> spelling;
    uint64_t documents() const override { return 100; }
    uint64_t papers_in(const std::string&) const override { return 100; }
    uint64_t frequency(const std::string& term) const override {
        auto it = papers.find(term);
        return it == papers.end() ? 0 : it->second;
    }
    std::vector<std::string> completions(const std::string& prefix, size_t n) const override {
        std::vector<std::pair<uint64_t, std::string>> found;
        for (const auto& [w, f] : papers)
            if (w.size() > prefix.size() && w.compare(0, prefix.size(), prefix) == 0) found.emplace_back(f, w);
        std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        std::vector<std::string> out;
        for (size_t i = 0; i < found.size() && i < n; ++i) out.push_back(found[i].second);
        return out;
    }
    std::string correction(const std::string& word, unsigned) const override {
        auto it = spelling.find(word);
        return it == spelling.end() ? "" : it->second;
    }
};

QueryPlan typed(const std::string& q, const Vocabulary& v, bool prefix = true, bool typos = true) {
    Analyzer analyzer;
    QueryContext ctx;
    ctx.stem_langs = {"en"};
    ctx.vocabulary = &v;
    ctx.prefix = prefix;
    ctx.typos = typos;
    Result<QueryPlan> p = make_plan(q, analyzer, ctx);
    REQUIRE_MESSAGE(p.is_ok(), p.message());
    return std::move(p.value());
}

// The alternatives of the word at `span_begin`, printed as "kind:word|word".
std::vector<std::string> alternatives_at(const Clause& c, size_t span_begin) {
    std::vector<std::string> out;
    for (const PlanWord& w : c.words)
        if (w.span.begin == span_begin)
            for (const Alternative& a : w.alternatives) {
                std::string s = std::string(to_string(a.kind)) + ":";
                for (size_t i = 0; i < a.words.size(); ++i) s += (i ? "|" : "") + a.words[i];
                out.push_back(s);
            }
    for (const Clause& k : c.children) {
        auto more = alternatives_at(k, span_begin);
        out.insert(out.end(), more.begin(), more.end());
    }
    return out;
}

// The word of `c` (or of its clauses) that begins at byte `at`.
const PlanWord* word_at(const Clause& c, size_t at) {
    for (const PlanWord& w : c.words)
        if (w.span.begin == at) return &w;
    for (const Clause& k : c.children)
        if (const PlanWord* w = word_at(k, at)) return w;
    return nullptr;
}

}  // namespace

TEST_CASE("plan: the word being typed is also searched as its completions, most frequent first") {
    TableVocabulary v;
    v.papers = {{"transformer", 40}, {"transformers", 30}, {"transfer", 50}, {"transform", 5}, {"model", 90},
                {"models", 80}, {"modular", 3}, {"扩散", 12}, {"扩展", 20}, {"t", 1}, {"the", 99}, {"to", 98}};
    RankingParams rk;
    struct Row {
        std::string query;
        size_t at;  // the word's first byte
        V expected;
        const char* why;
    };
    // Expected lists from the table by hand: words longer than the prefix that begin with it, by papers.
    const Row rows[] = {
        {"transfo", 0, {"completion:transformer|transformers|transform"}, "the last word, nothing after it"},
        {"diffusion mod", 10, {"completion:model|models|modular"}, "only the last word"},
        {"diffusion mod", 0, {}, "not the words before it"},
        {"transfo ", 0, {}, "a space after it: the word is finished"},
        {"t", 0, {}, "one Latin letter is too short (prefix_min_chars 2)"},
        {"扩", 0, {"completion:扩展|扩散"}, "a Han character completes from one"},
        {"robot -transfo", 8, {}, "an excluded word is not completed"},
        {"\"linear transfo\"", 8, {}, "nor a word of a phrase"},
        {"author:transfo", 7, {}, "nor an author's name"},
        {"xyzzy", 0, {}, "nothing begins with it"},
        {"model", 0, {}, "a word of its own that more papers have (90) than any completion (80): finished"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.query);
        CAPTURE(r.why);
        CHECK(alternatives_at(typed(r.query, v).root, r.at) == r.expected);
    }
    CHECK(alternatives_at(typed("transfo", v, false).root, 0).empty());  // prefix off
    const QueryPlan p = typed("transfo", v);
    const PlanWord* w = word_at(p.root, 0);
    REQUIRE((w && w->alternatives.size() == 1));
    CHECK(w->alternatives[0].weight == rk.prefix_weight);
    CHECK(w->alternatives[0].join == Alternative::Join::kAny);
    CHECK(p.corrected.empty());
}

TEST_CASE("plan: a misspelt word is also searched as its correction, and the plan says so") {
    TableVocabulary v;
    v.papers = {{"attention", 200}, {"Zattent", 230}, {"linear", 70}, {"Zlinear", 75}, {"language", 800},
                {"Zlanguag", 820}, {"langauge", 1}, {"modell", 0}, {"Zmodel", 50}, {"gene", 2}, {"gen", 5},
                {"retrieval", 150}, {"Zretriev", 160}, {"manipulation", 9}, {"Zmanipul", 9}};
    v.spelling = {{"atention", "attention"}, {"langauge", "language"}, {"modell", "models"}, {"gene", "gen"},
                  {"retreival", "retrieval"}, {"manipulaton", "manipulation"}, {"lineer", "linear"}};
    struct Row {
        std::string query;
        size_t at;
        V expected;
        std::string corrected;
        const char* why;
    };
    // From the table and the rule (typo_rare 2, typo_ratio 10, typo_min_chars 4), by hand.
    const Row rows[] = {
        {"linear atention ", 7, {"correction:attention"}, "linear attention ", "unknown, 200 papers have the correction"},
        {"langauge model ", 0, {"correction:language"}, "language model ", "1 paper has it, 800 the correction"},
        {"modell ", 0, {}, "", "known by its stem (50 papers have model)"},
        {"gene ", 0, {}, "", "5 papers are fewer than 10 x 2"},
        {"manipulaton ", 0, {}, "", "9 papers are fewer than 10 x 1"},
        {"lineer atention ", 0, {"correction:linear"}, "linear attention ", "two corrections"},
        {"atn ", 0, {}, "", "shorter than typo_min_chars"},
        {"\"linear atention\"", 8, {}, "", "not inside a phrase"},
        {"robot -atention", 7, {}, "", "not an excluded word"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.query);
        CAPTURE(r.why);
        const QueryPlan p = typed(r.query, v);
        CHECK(alternatives_at(p.root, r.at) == r.expected);
        CHECK(p.corrected == r.corrected);
    }
    const QueryPlan off = typed("linear atention ", v, true, false);
    CHECK(alternatives_at(off.root, 7).empty());
    CHECK(off.corrected.empty());
    // The correction is searched by its stem, weighted below the word.
    const QueryPlan p = typed("linear atention ", v);
    const PlanWord* w = word_at(p.root, 7);
    REQUIRE((w && w->alternatives.size() == 1));
    const Alternative& a = w->alternatives[0];
    CHECK(a.stems == V{"attent"});
    CHECK(a.weight == RankingParams{}.typo_weight);
    // The last word is corrected when it has no completion, and completed (not corrected) when it has.
    CHECK(alternatives_at(typed("linear atention", v).root, 7) == V{"correction:attention"});
    v.papers["atentions"] = 1;
    CHECK(alternatives_at(typed("linear atention", v).root, 7) == V{"completion:atentions"});
}

TEST_CASE("plan: mistyped filters are left out with a notice, an unknown field is searched as text with one") {
    struct Row {
        std::string query;
        V codes;
        std::string printed;  // a line of the printed plan
        const char* why;
    };
    const Row rows[] = {
        {"year:abc robot", {"invalid_filter"}, "    filter year:abc = invalid, left out\n", "not a year"},
        {"date:2024-13-45 robot", {"invalid_filter"}, "    filter date:2024-13-45 = invalid, left out\n", "no month 13"},
        {"lang:xx robot", {"invalid_filter"}, "    filter lang:xx = invalid, left out\n", "no such language"},
        {"year:2024 robot", {}, "    filter year:2024 = XY2024\n", "a good filter"},
        {"foo:bar", {"unknown_field"}, "  word \"foo:bar\" @0-7 last: foo {en:foo}, bar {en:bar}\n", "not a field"},
        {"ratio 10:1", {}, "", "digits before the colon: not a field name"},
        {"see http://example.org", {}, "", "a URL"},
        {"robot (year:abc", {"query_unparsed"}, "", "the parse failed: plain words, no filter"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.query);
        CAPTURE(r.why);
        const QueryPlan p = plan_of(r.query);
        V codes;
        for (const Notice& n : p.notices) codes.push_back(n.code);
        CHECK(codes == r.codes);
        if (!r.printed.empty()) CHECK(p.print().find(r.printed) != std::string::npos);
    }
    const QueryPlan p = plan_of("year:abc robot");
    CHECK(p.notices[0].message == "year:abc is not a year or a range of years; the filter was left out");
    CHECK(build_tier(p, IndexParams{}, true).get_description() == "Query(((robot SYNONYM Zrobot) OR robot))");
    CHECK(plan_of("year:abc").nothing);
}

TEST_CASE("builder: sampled_matches estimates from stretches spread over the index, exactly when they cover it") {
    // 6,400 documents: "late" in every 20th of the first 4,800 (240) and in each of the last 1,600, as a
    // word that papers took up late in a corpus numbered by date: 1,840 in all. "every" is in each.
    Xapian::WritableDatabase db(std::string(), Xapian::DB_BACKEND_INMEMORY);
    for (Xapian::docid did = 1; did <= 6400; ++did) {
        Xapian::Document d;
        d.add_term("every");
        if (did > 4800 || did % 20 == 0) d.add_term("late");
        db.add_document(d);
    }
    const Xapian::Query late("late"), every("every");
    // Exact when the stretches cover every number (a sample as large as the estimate).
    CHECK(sampled_matches(db, late, 1840, 1840) == 1840);
    CHECK(sampled_matches(db, every, 6400, 1e9) == 6400);
    // A quarter of each sixteenth: 16 stretches of 100 of every 400 numbers, 12 in the early part
    // (5 matches each) and 4 in the late one (100 each): 460, x 6,400 / 1,600.
    CHECK(sampled_matches(db, late, 1840, 460) == 1840);
    // About 100 matches: stretches of ceil(100 / 1,840 x 400) = 22 numbers, 1 match in each early one,
    // 22 in each late one: 100 x 6,400 / 352 = 1,818. Extrapolating from the first 101 matches instead
    // (the engine's estimate before): they end at document 2,020, so 101 x 6,400 / 2,020 = 320.
    CHECK(sampled_matches(db, late, 1840, 100) == 1818);
    CHECK(sampled_matches(db, Xapian::Query("none"), 1840, 100) == 0);
}

TEST_CASE("builder: largest_sufficient_frequency looks only where a term matches on its own") {
    using Q = Xapian::Query;
    auto freq = [](const std::string& t) -> uint64_t { return t == "common" ? 5000 : t == "rare" ? 10 : 300; };
    const Q common("common"), rare("rare"), other("other");
    CHECK(largest_sufficient_frequency(common, freq) == 5000);
    CHECK(largest_sufficient_frequency(Q(Q::OP_OR, rare, Q(Q::OP_SYNONYM, other, common)), freq) == 5000);
    CHECK(largest_sufficient_frequency(Q(Q::OP_SCALE_WEIGHT, Q(Q::OP_OR, rare, other), 0.5), freq) == 300);
    // Under AND, FILTER or AND_NOT a term does not match alone.
    CHECK(largest_sufficient_frequency(Q(Q::OP_AND, rare, common), freq) == 0);
    CHECK(largest_sufficient_frequency(Q(Q::OP_OR, rare, Q(Q::OP_FILTER, common, other)), freq) == 10);
    CHECK(largest_sufficient_frequency(Q(Q::OP_AND_NOT, common, rare), freq) == 0);
}

TEST_CASE("builder: estimate_matches gives Xapian's estimate from term frequencies alone") {
    using Q = Xapian::Query;
    // 100 documents: "a" in 1-50, "b" in every 5th (20), "c" in every 10th (10), "rare" in none.
    Xapian::WritableDatabase db(std::string(), Xapian::DB_BACKEND_INMEMORY);
    for (Xapian::docid did = 1; did <= 100; ++did) {
        Xapian::Document d;
        if (did <= 50) d.add_term("a");
        if (did % 5 == 0) d.add_term("b");
        if (did % 10 == 0) d.add_term("c");
        d.add_term("every");
        db.add_document(d);
    }
    auto freq = [&](const std::string& t) -> uint64_t { return db.get_termfreq(t); };
    const Q a("a"), b("b"), c("c");
    struct Row {
        Q q;
        double estimated;  // by hand, from the shares 0.5, 0.2 and 0.1
        uint64_t upper;
        bool as_xapian;    // Xapian's own estimate is the same (to its rounding)
    };
    // Xapian combines an OR of three or more in a tree of pairs, its estimate rounded at each: for
    // the two rows marked false it gives 60 where independence gives 64.
    const Row rows[] = {
        {a, 50, 50, true},
        {Q(Q::OP_OR, a, b), 100 * (1 - 0.5 * 0.8), 70, true},                              // 60
        {Q(Q::OP_AND, a, b), 100 * 0.5 * 0.2, 20, true},                                   // 10
        {Q(Q::OP_AND_NOT, a, b), 100 * 0.5 * 0.8, 50, true},                               // 40
        {Q(Q::OP_FILTER, Q(Q::OP_OR, a, b), c), 100 * (1 - 0.5 * 0.8) * 0.1, 10, true},    // 6
        {Q(Q::OP_SYNONYM, a, Q(Q::OP_OR, b, c)), 100 * (1 - 0.5 * 0.8 * 0.9), 80, false},  // 64
        {Q(Q::OP_OR, a, Q(Q::OP_OR, b, c)), 100 * (1 - 0.5 * 0.8 * 0.9), 80, false},       // 64
        {Q(Q::OP_SCALE_WEIGHT, Q(Q::OP_OR, b, c), 2.0), 100 * (1 - 0.8 * 0.9), 30, true},  // 28
        {Q(std::string()), 100, 100, true},                                                // every paper
        {Q(Q::OP_OR, a, Q("rare")), 50, 50, true},
    };
    for (const Row& r : rows) {
        CAPTURE(r.q.get_description());
        const std::optional<MatchEstimate> e = estimate_matches(r.q, db.get_doccount(), freq);
        REQUIRE(e.has_value());
        CHECK(e->estimated == doctest::Approx(r.estimated));
        CHECK(e->upper == r.upper);
        // Xapian's own, from a match that returns no document.
        Xapian::Enquire enquire(db);
        enquire.set_weighting_scheme(Xapian::BoolWeight());
        enquire.set_query(r.q);
        const Xapian::MSet m = enquire.get_mset(0, 0);
        CHECK(m.get_matches_upper_bound() == r.upper);
        if (r.as_xapian) CHECK(std::abs(static_cast<double>(m.get_matches_estimated()) - r.estimated) <= 1.0);
    }
    // A phrase (or a value range) has no estimate from frequencies: Xapian's is needed.
    CHECK_FALSE(estimate_matches(Q(Q::OP_PHRASE, a, b), 100, freq).has_value());
    CHECK_FALSE(estimate_matches(Q(Q::OP_OR, a, Q(Q::OP_VALUE_GE, 0, "x")), 100, freq).has_value());
    CHECK(estimate_matches(a, 0, freq)->estimated == 0);
}
