// Explaining scores: term_field, explain_match's arithmetic on a hand-built index, the engine's
// explanations and tiers, their JSON, and abstrakt-search --explain.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <xapian.h>

#include <cmath>
#include <cstdio>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/record.h"
#include "common/result.h"
#include "common/schema.h"
#include "searcher/engine.h"
#include "test_util.h"

using namespace abstrakt;
using nlohmann::json;

namespace {

// ---- The hand-built index ----
//
// Four documents, terms and wdfs chosen so that BM25 can be worked out by hand (positions in
// brackets; Q and K terms are boolean, wdf 0, and add nothing to a length):
//   d1: alpha x2 [1, 3], beta x1 [2], Salpha x1 [1], Kcs.cl       length 4
//   d2: alpha x1 [1], gamma x5 [2..6]                              length 6
//   d3: delta x5 [1..5]                                            length 5
//   d4: beta x1 [1]                                                length 1
// N = 4 documents, average length (4 + 6 + 5 + 1) / 4 = 4.
//
// BM25 as the tests weigh it (k1 = 1.2, k2 = 0, k3 = 1, b = 0.75, min_normlen = 0.5), Xapian 1.4:
//   r = (N - tf + 0.5) / (tf + 0.5), and r/2 + 1 instead when r < 2;  idf = (k1 + 1) ln r = 2.2 ln r
//   K = k1 (b max(len / 4, 0.5) + 1 - b);  weight = idf * wdf / (K + wdf)   (wqf 1)
// Term frequencies: alpha 2, beta 2 -> r = 2.5 / 2.5 = 1 -> 1.5: idf2 = 2.2 ln 1.5.
//                   Salpha 1        -> r = 3.5 / 1.5 = 7/3:    idf1 = 2.2 ln(7/3).
// K: d1 (len 4, norm 1)   = 1.2 (0.75 + 0.25)           = 1.2
//    d2 (len 6, norm 1.5) = 1.2 (1.125 + 0.25)          = 1.65
//    d4 (len 1, norm 0.25, raised to 0.5) = 1.2 (0.375 + 0.25) = 0.75
const double kLn15 = std::log(1.5);
const double kAlphaD1 = 2.2 * kLn15 * 2 / (1.2 + 2);   // = 1.375 ln 1.5
const double kBetaD1 = 2.2 * kLn15 * 1 / (1.2 + 1);    // = ln 1.5
const double kSalphaD1 = 2.2 * std::log(7.0 / 3) / (1.2 + 1);  // = ln(7/3)
const double kAlphaD2 = 2.2 * kLn15 * 1 / (1.65 + 1);  // = (2.2 / 2.65) ln 1.5
const double kBetaD4 = 2.2 * kLn15 * 1 / (0.75 + 1);   // = (2.2 / 1.75) ln 1.5

Xapian::BM25Weight test_weighting() { return Xapian::BM25Weight(1.2, 0, 1, 0.75, 0.5); }

struct Posting {
    std::string term;
    std::vector<Xapian::termpos> positions;  // its wdf is their number
};

// The index above at `path`, readable by Engine (schema version, records as document data).
// Returns the docids of d1..d4.
std::vector<Xapian::docid> build_hand_index(const std::string& path) {
    Xapian::WritableDatabase db(path, Xapian::DB_CREATE_OR_OVERWRITE);
    db.set_metadata(schema::kMetaSchemaVersion, std::to_string(schema::kVersion));
    auto doc = [&](const std::string& id, const std::string& title, const std::vector<Posting>& postings,
                   const std::vector<std::string>& boolean) {
        Xapian::Document d;
        for (const Posting& p : postings)
            for (Xapian::termpos pos : p.positions) d.add_posting(p.term, pos);
        d.add_boolean_term(schema::kPrefixId + id);
        for (const std::string& b : boolean) d.add_boolean_term(b);
        Record r;
        r.id = id;
        r.title = {{"en", title}};
        d.set_data(to_json(r));
        return db.add_document(d);
    };
    std::vector<Xapian::docid> ids;
    ids.push_back(doc("d1", "Alpha beta alpha", {{"alpha", {1, 3}}, {"beta", {2}}, {"Salpha", {1}}},
                      {std::string(schema::kPrefixCategory) + "cs.cl"}));
    ids.push_back(doc("d2", "Alpha gamma", {{"alpha", {1}}, {"gamma", {2, 3, 4, 5, 6}}}, {}));
    ids.push_back(doc("d3", "Delta", {{"delta", {1, 2, 3, 4, 5}}}, {}));
    ids.push_back(doc("d4", "Beta", {{"beta", {1}}}, {}));
    db.commit();
    return ids;
}

// Xapian's weight of `did` under `q`, from a plain Enquire over the whole index.
double mset_weight(const Xapian::Database& db, const Xapian::Query& q, Xapian::docid did) {
    Xapian::Enquire enquire(db);
    enquire.set_weighting_scheme(test_weighting());
    enquire.set_query(q);
    Xapian::MSet m = enquire.get_mset(0, db.get_doccount());
    for (auto it = m.begin(); it != m.end(); ++it)
        if (*it == did) return it.get_weight();
    return -1;
}

double sum_of(const Explanation& e) {
    double s = 0;
    for (const Explanation::Term& t : e.terms) s += t.weight;
    return s;
}

}  // namespace

TEST_CASE("explain: term_field decodes every prefix of the schema") {
    struct Row {
        const char* term;
        const char* field;
    };
    const Row rows[] = {
        {"attention", "any"},          // unprefixed: title, abstract and author words together
        {"2402.19173", "any"},         // a number is a word too
        {"扩散", "any"},               // non-ASCII first byte: never a prefix
        {"Sattention", "title"},       // S
        {"XAattention", "other"},      // the abstract's prefix up to schema 3, no longer written
        {"Alozhkov", "author"},        // A
        {"Zattent", "stem"},           // Z + lower case: the unprefixed space's stem
        {"ZSattent", "stem:title"},    // Z + S
        {"ZXAattent", "other"},        // likewise
        {"Q2402.19173", "id"},         // Q
        {"Kcs.cl", "category"},        // K
        {"Lde", "lang"},               // L
        {"XY2024", "year"},            // XY, not XA
        {"XPlinear attention", "title pair"},  // XP: two adjacent title words
        {"XWlinear\x1fLinear", "other"},      // display forms are never searched
        {"XQfoo", "other"},            // a prefix the schema does not have
        {"ZAfoo", "other"},            // authors have no stems
        {"", "any"},                   // the empty term (MatchAll) has no prefix
    };
    for (const Row& r : rows) {
        INFO(r.term);
        CHECK(term_field(r.term) == r.field);
    }
}

TEST_CASE("explain: explain_match's rows against BM25 worked out by hand") {
    test::TempDir dir;
    const std::vector<Xapian::docid> d = build_hand_index(dir.file("index"));
    Xapian::Database db(dir.file("index"));
    REQUIRE(db.get_doccount() == 4);
    REQUIRE(db.get_avlength() == doctest::Approx(4.0));
    using Q = Xapian::Query;
    const Q alpha("alpha"), beta("beta"), salpha("Salpha"), gamma("gamma");
    const std::string kcs = std::string(schema::kPrefixCategory) + "cs.cl";

    struct Want {
        std::string term, field, kind;
        uint64_t wdf;
        double weight;
        double factor = 1;
    };
    struct Case {
        const char* what;
        Q query;
        Xapian::docid doc;
        std::vector<Want> rows;
    };
    const std::vector<Case> cases = {
        // One term: its BM25 weight, 1.375 ln 1.5 (wdf 2 over K 1.2 + 2).
        {"one term", alpha, d[0], {{"alpha", "any", "term", 2, kAlphaD1}}},
        // A title term, rarer (tf 1): ln(7/3).
        {"title term", salpha, d[0], {{"Salpha", "title", "term", 1, kSalphaD1}}},
        // The same term in a longer document (len 6): (2.2 / 2.65) ln 1.5.
        {"longer document", alpha, d[1], {{"alpha", "any", "term", 1, kAlphaD2}}},
        // A very short document (len 1) is normalised as if half the average: (2.2 / 1.75) ln 1.5.
        {"min_normlen", beta, d[3], {{"beta", "any", "term", 1, kBetaD4}}},
        // Two terms: both rows, and they add up to the score.
        {"OR of two terms", Q(Q::OP_OR, alpha, beta), d[0],
         {{"alpha", "any", "term", 2, kAlphaD1}, {"beta", "any", "term", 1, kBetaD1}}},
        // A term the document lacks has no row.
        {"OR, one term absent", Q(Q::OP_OR, alpha, beta), d[3], {{"beta", "any", "term", 1, kBetaD4}}},
        // An AND that does not match as a whole adds nothing, though d1 has alpha.
        {"unmatched AND inside OR", Q(Q::OP_OR, Q(Q::OP_AND, alpha, gamma), beta), d[0],
         {{"beta", "any", "term", 1, kBetaD1}}},
        // A phrase that matches (alpha at 1, beta at 2) weighs its terms again, as phrase rows.
        {"matching phrase boost", Q(Q::OP_AND_MAYBE, alpha, Q(Q::OP_PHRASE, alpha, beta)), d[0],
         {{"alpha", "any", "term", 2, kAlphaD1}, {"alpha", "any", "phrase", 2, kAlphaD1}, {"beta", "any", "phrase", 1, kBetaD1}}},
        // A phrase whose terms are there but not adjacent (Salpha at 1 never follows alpha) adds nothing.
        {"unmatched phrase boost", Q(Q::OP_AND_MAYBE, beta, Q(Q::OP_PHRASE, alpha, salpha)), d[0],
         {{"beta", "any", "term", 1, kBetaD1}}},
        // FILTER: the left side weighs; the filter's terms are listed with weight 0 (wdf 0: boolean).
        {"filter", Q(Q::OP_FILTER, alpha, Q(kcs)), d[0],
         {{"alpha", "any", "term", 2, kAlphaD1}, {kcs, "category", "filter", 0, 0.0}}},
        // AND_NOT: only the left side counts.
        {"and_not", Q(Q::OP_AND_NOT, Q(Q::OP_OR, alpha, beta), gamma), d[0],
         {{"alpha", "any", "term", 2, kAlphaD1}, {"beta", "any", "term", 1, kBetaD1}}},
        // A synonym group is one row: wdf 2 + 1 = 3; Xapian estimates its frequency as
        // 2 + 1 - 2 * 1 / 4 = 2.5, rounded to 3: r = 1.5 / 3.5 = 3/7 -> 3/14 + 1 = 17/14;
        // weight = 2.2 ln(17/14) * 3 / (1.2 + 3) = (11/7) ln(17/14).
        {"synonym", Q(Q::OP_SYNONYM, alpha, salpha), d[0],
         {{"alpha | Salpha", "any | title", "synonym", 3, 2.2 * std::log(17.0 / 14) * 3 / 4.2}}},
        // OP_SCALE_WEIGHT 2.5: the row's weight is scaled and says by how much.
        {"scaled", Q(Q::OP_SCALE_WEIGHT, alpha, 2.5), d[0], {{"alpha", "any", "term", 2, 2.5 * kAlphaD1, 2.5}}},
        // wqf 2 (a term given twice): BM25's k3 = 1 multiplies by (1 + 1) 2 / (1 + 2) = 4/3.
        {"wqf 2", Q("alpha", 2), d[0], {{"alpha", "any", "term", 2, 4.0 / 3 * kAlphaD1}}},
        // A document the query does not match: no rows.
        {"no match", alpha, d[2], {}},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        Explanation e = explain_match(db, test_weighting(), c.query, c.doc);
        REQUIRE(e.terms.size() == c.rows.size());
        for (size_t i = 0; i < c.rows.size(); ++i) {
            INFO("row ", i);
            CHECK(e.terms[i].term == c.rows[i].term);
            CHECK(e.terms[i].field == c.rows[i].field);
            CHECK(e.terms[i].kind == c.rows[i].kind);
            CHECK(e.terms[i].wdf == c.rows[i].wdf);
            CHECK(e.terms[i].weight == doctest::Approx(c.rows[i].weight).epsilon(1e-12));
            CHECK(e.terms[i].factor == doctest::Approx(c.rows[i].factor).epsilon(1e-12));
        }
        // The rows add up to Xapian's own weight of the document.
        const double want_score = c.rows.empty() ? 0.0 : mset_weight(db, c.query, c.doc);
        CHECK(std::abs(e.score - want_score) < 1e-9);
        CHECK(std::abs(sum_of(e) - e.score) < 1e-9);
        CHECK(std::abs(e.unexplained) < 1e-9);
        CHECK(e.tier.empty());
    }

    SUBCASE("OP_MAX has no breakdown: one row of its whole weight") {
        const Q max(Q::OP_MAX, alpha, beta);
        Explanation e = explain_match(db, test_weighting(), max, d[0]);
        REQUIRE(e.terms.size() == 1);
        CHECK(e.terms[0].kind == "other");
        CHECK(e.terms[0].term == max.get_description());
        CHECK(e.terms[0].weight == doctest::Approx(kAlphaD1).epsilon(1e-12));  // max(1.375 ln 1.5, ln 1.5)
        CHECK(std::abs(e.unexplained) < 1e-9);
    }
}

TEST_CASE("explain: the engine explains every hit, with its tier, and only when asked") {
    test::TempDir dir;
    build_hand_index(dir.file("index"));
    auto engine = Engine::open(dir.file("index"));
    REQUIRE_MESSAGE(engine.is_ok(), engine.message());

    SearchRequest plain;
    plain.query = "alpha beta";
    auto without = engine.value()->search(plain);
    REQUIRE_MESSAGE(without.is_ok(), without.message());
    for (const Hit& h : without->hits) CHECK(!h.explain);
    CHECK(to_json(without.value()).find("\"explain\"") == std::string::npos);

    SearchRequest req = plain;
    req.explain = true;
    auto r = engine.value()->search(req);
    REQUIRE_MESSAGE(r.is_ok(), r.message());
    // d1 has both words; d4 (beta, short) and d2 (alpha, long) one each: (2.2 / 1.75) ln 1.5 for d4
    // is above (2.2 / 2.65) ln 1.5 for d2.
    REQUIRE(r->hits.size() == 3);
    struct Want {
        const char* id;
        const char* tier;
        std::vector<std::pair<std::string, std::string>> rows;  // term, kind
    };
    const Want want[] = {
        // Both words, and their phrase (alpha at 1, beta at 2) as a boost.
        {"d1", "all", {{"alpha", "term"}, {"beta", "term"}, {"alpha", "phrase"}, {"beta", "phrase"}}},
        // Some words: beta alone.
        {"d4", "some", {{"beta", "term"}}},
        // Some words: alpha alone.
        {"d2", "some", {{"alpha", "term"}}},
    };
    for (size_t i = 0; i < r->hits.size(); ++i) {
        const Hit& h = r->hits[i];
        INFO(h.id);
        CHECK(h.id == want[i].id);
        REQUIRE(h.explain);
        CHECK(h.explain->tier == want[i].tier);
        CHECK(h.explain->score == h.score);
        REQUIRE(h.explain->terms.size() == want[i].rows.size());
        for (size_t k = 0; k < want[i].rows.size(); ++k) {
            CHECK(h.explain->terms[k].term == want[i].rows[k].first);
            CHECK(h.explain->terms[k].kind == want[i].rows[k].second);
            CHECK(h.explain->terms[k].field == "any");
        }
        // The accuracy check: the rows add up to the hit's Xapian weight.
        CHECK(std::abs(sum_of(*h.explain) - h.score) < 1e-9);
        CHECK(std::abs(h.explain->unexplained) < 1e-9);
    }
    // A phrase row weighs what the same term weighs alone.
    CHECK(r->hits[0].explain->terms[0].weight == r->hits[0].explain->terms[2].weight);

    SUBCASE("one word: one tier, one row") {
        SearchRequest one;
        one.query = "beta";
        one.explain = true;
        auto o = engine.value()->search(one);
        REQUIRE(o.is_ok());
        REQUIRE(o->hits.size() == 2);
        for (const Hit& h : o->hits) {
            REQUIRE(h.explain);
            CHECK(h.explain->tier.empty());
            REQUIRE(h.explain->terms.size() == 1);
            CHECK(h.explain->terms[0].wdf == 1);
            CHECK(std::abs(h.explain->terms[0].weight - h.score) < 1e-9);
        }
    }
    SUBCASE("filters only: papers listed without weight have nothing to explain") {
        SearchRequest browse;
        browse.categories = {"cs.CL"};
        browse.explain = true;
        auto b = engine.value()->search(browse);
        REQUIRE(b.is_ok());
        REQUIRE(b->hits.size() == 1);
        REQUIRE(b->hits[0].explain);
        CHECK(b->hits[0].explain->score == 0);
        CHECK(std::abs(b->hits[0].explain->unexplained) < 1e-9);
    }
}

TEST_CASE("explain: JSON of an explanation") {
    SearchResponse resp;
    resp.query = "q";
    Hit h;
    h.id = "x";
    h.title = "T";
    h.title_lang = "en";
    h.score = 3.0;
    resp.hits.push_back(h);
    const std::string no_explain = to_json(resp);
    CHECK(no_explain.find("explain") == std::string::npos);  // without an explanation, as before

    Explanation e;
    e.tier = "some";
    e.score = 3.0;
    e.terms = {{"alpha | Zalpha", "any | stem", "synonym", 3, 1.23456789, 1},   // rounded to 6 decimals
               {"Salpha", "title", "term", 1, 1.0, 1.5},                        // factor shown when not 1
               {"Kcs.cl", "category", "filter", 0, 0.0, 1}};
    e.unexplained = 3.0 - 0.5 - 0.25 - (1.23456789 + 1.0);  // 0.01543211
    e.proximity = 0.5;
    e.coverage = 0.25;
    resp.hits[0].explain = e;
    json j = json::parse(to_json(resp));
    const json& x = j["hits"][0]["explain"];
    const json want = json::parse(R"({"tier": "some", "score": 3.0, "terms": [
        {"term": "alpha | Zalpha", "field": "any | stem", "kind": "synonym", "wdf": 3, "weight": 1.234568},
        {"term": "Salpha", "field": "title", "kind": "term", "wdf": 1, "weight": 1.0, "factor": 1.5},
        {"term": "Kcs.cl", "field": "category", "kind": "filter", "wdf": 0, "weight": 0.0}],
        "unexplained": 0.015432, "proximity": 0.5, "coverage": 0.25})");
    CHECK(x == want);
    // "explain" comes last in a hit, after snippet_lang.
    const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(to_json(resp));
    CHECK(std::prev(ordered["hits"][0].end()).key() == "explain");

    // One tier: null; an unexplained amount that rounds to -0 prints as 0.
    e.tier = "";
    e.unexplained = -1e-12;
    resp.hits[0].explain = e;
    const std::string s = to_json(resp);
    CHECK(s.find("\"tier\":null") != std::string::npos);
    CHECK(s.find("\"unexplained\":0.0") != std::string::npos);
    CHECK(s.find("-0.0") == std::string::npos);
}

namespace {

// Runs abstrakt-search with `args`; its standard output, and its exit status in `status`.
std::string run_search(const std::string& args, int& status) {
    const std::string cmd = std::string(ABSTRAKT_BINARY_DIR) + "/bin/abstrakt-search " + args + " 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int rc = pclose(p);
    status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return out;
}

std::string fixed4(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return buf;
}

}  // namespace

TEST_CASE("explain: abstrakt-search --explain prints a table under each hit, --json an explain object") {
    test::TempDir dir;
    build_hand_index(dir.file("index"));
    const std::string db = "--db " + dir.file("index") + " --color never ";
    int status = 0;

    const std::string plain = run_search(db + "alpha beta", status);
    CHECK(status == 0);
    CHECK(plain.find("score") == std::string::npos);
    CHECK(plain.find("kind") == std::string::npos);

    const std::string js = run_search(db + "--json --explain alpha beta", status);
    REQUIRE(status == 0);
    json j = json::parse(js);
    REQUIRE(j["hits"].size() == 3);
    const json& e1 = j["hits"][0]["explain"];
    CHECK(e1["tier"] == "all");
    REQUIRE(e1["terms"].size() == 4);
    CHECK(e1["terms"][0] == json::parse(R"({"term": "alpha", "field": "any", "kind": "term", "wdf": 2, "weight": )" +
                                        e1["terms"][0]["weight"].dump() + "}"));

    const std::string text = run_search(db + "--explain alpha beta", status);
    REQUIRE(status == 0);
    // d1's block: the score with its tier, a header, and one line per row, columns aligned: term
    // and field left, wdf and weight right (the widest weight sets the column), kind last.
    const std::string w_alpha = fixed4(e1["terms"][0]["weight"].get<double>());
    const std::string w_beta = fixed4(e1["terms"][1]["weight"].get<double>());
    REQUIRE(w_alpha.size() == w_beta.size());  // both "0.xxxx"
    const std::string block = "      score " + fixed4(e1["score"].get<double>()) + ", all words\n" +
                              "       term   field  wdf  weight  kind\n"
                              "       alpha  any      2  " + w_alpha + "  term\n" +
                              "       beta   any      1  " + w_beta + "  term\n" +
                              "       alpha  any      2  " + w_alpha + "  phrase\n" +
                              "       beta   any      1  " + w_beta + "  phrase\n\n";
    CHECK_MESSAGE(text.find(block) != std::string::npos, text);
    CHECK(text.find(", some words\n") != std::string::npos);  // d4 and d2
    CHECK(text.find("unexplained") == std::string::npos);

    // --explain explains a query; --similar is refused (exit 2).
    run_search(db + "--explain --similar d1", status);
    CHECK(status == 2);
}
