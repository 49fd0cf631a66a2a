#include "searcher/engine.h"

#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "common/analysis.h"
#include "common/compound.h"
#include "common/lang.h"
#include "common/record.h"
#include "common/schema.h"
#include "common/shards.h"
#include "common/text.h"
#include "common/xapian_guard.h"
#include "searcher/cluster.h"
#include "searcher/snippet.h"
#include "searcher/stop_lists.h"
#include "searcher/translate_plan.h"

namespace abstrakt {

std::optional<SortOrder> parse_sort(std::string_view name) {
    if (name == "relevance") return SortOrder::kRelevance;
    if (name == "date") return SortOrder::kDate;
    if (name == "upvotes") return SortOrder::kUpvotes;
    return std::nullopt;
}

namespace {

// The weighting scheme is RankingParams::weighting: DFR's IneB2 (c = 1.5) by default rather than BM25
// (k1 1.2, b 0.75, until 2026-11): on the dev sets it ranked better with everything else equal (SciFact
// nDCG@10 +0.008 alone, +0.016 with the proximity rerank; CSL MRR@10 +0.007; the grid and the other
// schemes tried are in docs/relevance.md). Totals are counted apart from the page, without weights, exactly
// up to RankingParams::count_to (Engine::Impl::count_matches).

// One hit of a page: its place in the MSet, and its score (Xapian's weight plus the proximity and
// coverage bonuses of a reranked page, 0 otherwise).
struct Ranked {
    Xapian::doccount index = 0;
    double score = 0;
    double proximity = 0;
    double coverage = 0;
};

struct Page {
    Xapian::MSet mset;          // may hold more than the page when the page was reranked
    std::vector<Ranked> order;  // the page's hits, in order
    uint64_t lower = 0, estimated = 0, upper = 0;
    size_t size() const { return order.size(); }
};

// ---- Proximity rerank (long natural-language queries: QueryPlan::proximity) ----
//
// A claim or a question is mostly answered by one sentence of an abstract, so a paper that has many
// of the query's words close together is likelier to be about it than one that has them spread out.
// Xapian has no proximity weight short of phrases (which cost SciFact 0.09 nDCG@10 as boosts, see
// plan.cc), so the engine rescores the first rerank_depth matches of each tier after the match: each
// gets proximity_weight x (the tier's best weight) x (the share of the query's distinct words found in
// the best window of proximity_window positions), and coverage_weight x (the best weight) x (the share
// of those words it has at all) (RankingParams). Measured on the dev sets (docs/relevance.md). Pages
// beyond the first rerank_depth hits keep Xapian's order, so paging stays consistent.

// One MSet of a response, with the query that produced it and its tier for explanations: "all"
// (papers with every word), "some", or "" when the query has a single tier.
struct Tier {
    Page page;
    Xapian::Query query;
    std::string name;
};

// Facets list at most this many values each, the most frequent first.
constexpr size_t kMaxFacetValues = 50;

// Type-ahead looks at no more than this many display forms (or title pairs) that start with the
// prefix, so that a one-letter prefix costs a bounded scan of the term list.
constexpr size_t kSuggestCandidates = 20000;

// Function words are judged on at most this many papers of each language, spread evenly over its
// papers (FunctionWords).
constexpr Xapian::doccount kShareSample = 500;

// Function words by data, for every language alike (and by list where data is short: below): a word is a
// function word of a language when more than a share of that language's papers have it ("the", "to",
// "that" in English; "die", "und", "wir", "auf" in German; "的" in Chinese). Type-ahead never offers
// one, and similar papers never expand with one (RankingParams: suggest_max_share, similar_max_share).
// A share is judged on a sample: up to kShareSample papers of each language ("L" + language), spread
// evenly over its posting list, chosen once until the index changes; a word's count among them is a
// walk of its posting list against the sample's document numbers (at most one skip_to per sampled
// paper), done when first asked and kept. Reading the sampled papers' term lists instead cost 400 ms per
// index revision on the bundled data (2,017 papers); docs/http-api.md gives what this costs. A paper
// counts for every language it has, so the English title of a German paper counts among the German
// papers: a share is of the papers of a language, not of its texts.
//
// A language of few papers never shows its function words with that confidence (2 German papers of
// 3 that say "die" are not enough), so its stop list (searcher/stop_lists.h: Snowball's, for 15
// languages) is used too, weighed by the same sample: a listed word of a language is a function word
// when that language's sampled papers have it more often than the papers without the language have
// it ("die" in 3 of 3 German papers against 1 in 200 others). The comparison keeps a word that is
// another language's content word and the first language's papers do not use ("war" is on the German
// list: over English papers it stays, unless German papers say it more often than English ones).
class FunctionWords {
  public:
    FunctionWords() = default;
    // Samples `db`'s languages; folds their stop lists with `analyzer`.
    FunctionWords(const Xapian::Database& db, Analyzer& analyzer) {
        const std::string p = schema::kPrefixLang;
        std::vector<std::string> langs;
        for (auto t = db.allterms_begin(p); t != db.allterms_end(p); ++t) langs.push_back((*t).substr(p.size()));
        std::vector<Token> tokens;
        for (const std::string& lang : langs) {
            std::vector<Xapian::docid>& docs = samples_[lang];
            const std::string term = p + lang;
            papers_[lang] = db.get_termfreq(term);
            const Xapian::docid stride = std::max<Xapian::doccount>(1, db.get_termfreq(term) / kShareSample);
            for (Xapian::PostingIterator it = db.postlist_begin(term); it != db.postlist_end(term) && docs.size() < kShareSample;
                 it.skip_to(docs.back() + stride))
                docs.push_back(*it);
            // A listed word that the analyser splits ("aren't") is left out: its parts are words of
            // their own.
            for (std::string_view word : stop_list(lang)) {
                tokens.clear();
                analyzer.analyze(word, tokens);
                if (tokens.size() == 1) listed_[tokens[0].folded].push_back(lang);
            }
        }
        documents_ = db.get_doccount();
    }

    // Whether `word` (folded) is in more than `share` of the papers of one of `langs` (primary
    // subtags; every language of the index when empty), judged on `db`, the database the sample was
    // taken from.
    bool operator()(const Xapian::Database& db, const std::string& word, double share, const std::vector<std::string>& langs = {}) {
        auto high = [&](const std::string& lang, const std::vector<Xapian::docid>& docs) {
            return lower_share(papers_with(db, word, lang, docs), docs.size()) > share;
        };
        if (langs.empty()) {
            for (const auto& [lang, docs] : samples_)
                if (high(lang, docs)) return true;
            return false;
        }
        for (const std::string& lang : langs)
            if (auto it = samples_.find(lang); it != samples_.end() && high(lang, it->second)) return true;
        return false;
    }

    // Whether `word` (folded) is on the stop list of a language of `db` whose sampled papers have it
    // in a larger share than the papers without that language have it (above).
    bool listed(const Xapian::Database& db, const std::string& word) {
        auto it = listed_.find(word);
        if (it == listed_.end()) return false;
        const double all = db.get_termfreq(word);
        for (const std::string& lang : it->second) {
            const std::vector<Xapian::docid>& docs = samples_[lang];
            if (docs.empty()) continue;
            const size_t k = papers_with(db, word, lang, docs);
            if (k == 0) continue;
            const double share = static_cast<double>(k) / static_cast<double>(docs.size());
            const double in_lang = static_cast<double>(papers_[lang]), others = static_cast<double>(documents_) - in_lang;
            if (others <= 0) return true;
            if (share > std::max(0.0, all - share * in_lang) / others) return true;
        }
        return false;
    }

  private:
    // The lower end of the 95% Wilson score interval of the share k/n: a word is a function word only
    // when its sample says so with confidence, so that a language of few papers (where every word of its
    // one paper is in "all" of them) has none but the words all of its papers share: 6 of 6 papers are
    // more than 0.6 (0.61), 3 of 3 are not (0.44), 8 of 8 more than 0.65 (0.68).
    static double lower_share(size_t k, size_t n) {
        if (n == 0) return 0;
        const double z = 1.96, nn = static_cast<double>(n), p = static_cast<double>(k) / nn;
        return (p + z * z / (2 * nn) - z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn))) / (1 + z * z / nn);
    }

    // The sampled papers of `lang` (`docs`, ascending) that have `word`.
    size_t papers_with(const Xapian::Database& db, const std::string& word, const std::string& lang, const std::vector<Xapian::docid>& docs) {
        const std::string key = lang + '\0' + word;
        if (auto it = counts_.find(key); it != counts_.end()) return it->second;
        size_t n = 0;
        Xapian::PostingIterator p = db.postlist_begin(word);
        const Xapian::PostingIterator end = db.postlist_end(word);
        for (auto d = docs.begin(); d != docs.end() && p != end;) {
            if (*p < *d) {
                p.skip_to(*d);
            } else {
                if (*p == *d) ++n;
                d = std::lower_bound(d, docs.end(), *p == *d ? *p + 1 : *p);
            }
        }
        counts_.emplace(key, n);
        return n;
    }

    std::map<std::string, std::vector<Xapian::docid>> samples_;  // language -> sampled papers, ascending
    std::map<std::string, Xapian::doccount> papers_;              // language -> its papers
    Xapian::doccount documents_ = 0;
    std::unordered_map<std::string, std::vector<std::string>> listed_;  // folded stop word -> languages listing it
    std::unordered_map<std::string, size_t> counts_;             // language NUL word -> sampled papers with it
};

// The counts of the items of a value slot that holds one item ("2024") or several joined by
// schema::kValueListSeparator ("cs.CL,cs.AI"), from Xapian's count of each whole value, the most
// frequent first (ties in item order), at most kMaxFacetValues. Xapian's own ValueCountMatchSpy
// does the counting because the remote backend knows it (a spy of our own would need registering in
// xapian-tcpsrv, which cannot be done), and it adds up the counts of every shard.
Facets::Counts facet_counts(const Xapian::ValueCountMatchSpy& spy) {
    std::map<std::string, uint64_t> counts;
    for (auto v = spy.values_begin(); v != spy.values_end(); ++v) {
        const std::string value = *v;
        size_t start = 0;
        while (start < value.size()) {
            size_t end = value.find(schema::kValueListSeparator, start);
            if (end == std::string::npos) end = value.size();
            if (end > start) counts[value.substr(start, end - start)] += v.get_termfreq();
            start = end + 1;
        }
    }
    Facets::Counts out(counts.begin(), counts.end());
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (out.size() > kMaxFacetValues) out.resize(kMaxFacetValues);
    return out;
}

// Words worth expanding a "similar papers" query with: unprefixed (prefixes start with an upper-case
// ASCII letter), not numbers, at least three bytes, no function word by the data (FunctionWords) of the
// source paper's languages, and no stop-listed function word of any language (FunctionWords::listed).
class SimilarTermDecider : public Xapian::ExpandDecider {
  public:
    SimilarTermDecider(const Xapian::Database& db, FunctionWords& function_words, double share, std::vector<std::string> langs)
        : db_(db), function_words_(function_words), share_(share), langs_(std::move(langs)) {}
    bool operator()(const std::string& term) const override {
        if (term.size() < 3) return false;
        unsigned char c = static_cast<unsigned char>(term[0]);
        if (c >= 'A' && c <= 'Z') return false;
        if (c >= '0' && c <= '9') return false;
        return !function_words_(db_, term, share_, langs_) && !function_words_.listed(db_, term);
    }

  private:
    const Xapian::Database& db_;
    FunctionWords& function_words_;
    double share_;
    std::vector<std::string> langs_;
};

// ---- Explaining a score (engine.h: explain_match) ----

// The one document `did`, as a query: its id term (schema::kPrefixId), which only it has. FILTER by
// it runs a subquery for that document alone, and adds no weight. (A posting source that yields
// `did` did this until shards: xapian-tcpsrv cannot run a posting source of ours, and a document
// number means something else on each shard.)
Xapian::Query only_document(const Xapian::Database& db, Xapian::docid did) {
    Xapian::TermIterator t = db.termlist_begin(did);
    t.skip_to(schema::kPrefixId);
    if (t == db.termlist_end(did) || (*t).rfind(schema::kPrefixId, 0) != 0) return Xapian::Query::MatchNothing;
    return Xapian::Query(*t);
}

class Explainer {
  public:
    Explainer(const Xapian::Database& db, const Xapian::Weight& weighting, Xapian::docid did)
        : db_(db), weighting_(weighting), did_(did), only_(only_document(db, did)) {}

    // Xapian's weight of this document under `q` alone; nullopt when `q` does not match it.
    std::optional<double> weight(const Xapian::Query& q) {
        Xapian::Enquire enquire(db_);
        enquire.set_weighting_scheme(weighting_);
        enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, q, only_));
        Xapian::MSet m = enquire.get_mset(0, 1);
        if (m.empty()) return std::nullopt;
        return m.begin().get_weight();
    }

    // The wdf of `term` here; nullopt when the document does not have it.
    std::optional<Xapian::termcount> wdf(const std::string& term) {
        Xapian::TermIterator t = db_.termlist_begin(did_);
        t.skip_to(term);
        if (t == db_.termlist_end(did_) || *t != term) return std::nullopt;
        return t.get_wdf();
    }

    // Appends the rows of `q`, a subquery that contributes to the score as `kind` ("term", "phrase"
    // or "filter"). `known_match`: `q` is known to match (the whole query of a hit).
    void walk(const Xapian::Query& q, const std::string& kind, std::vector<Explanation::Term>& rows, bool known_match = false) {
        using Q = Xapian::Query;
        const bool filter = kind == "filter";
        auto matches = [&] { return known_match || weight(q).has_value(); };
        switch (q.get_type()) {
            case Q::LEAF_TERM: {
                const std::string term = *q.get_terms_begin();
                std::optional<Xapian::termcount> f = wdf(term);
                if (!f) return;
                rows.push_back({term, term_field(term), kind, *f, filter ? 0.0 : weight(q).value_or(0.0), 1});
                return;
            }
            case Q::LEAF_MATCH_NOTHING:
            case Q::OP_VALUE_RANGE:
            case Q::OP_VALUE_GE:
            case Q::OP_VALUE_LE:
                return;  // no terms, no weight
            case Q::OP_AND:
            case Q::OP_OR:
            case Q::OP_XOR:
            case Q::OP_AND_MAYBE:
                if (!matches()) return;
                // Every subquery of a matching AND matches; those of the others are checked.
                for (size_t i = 0; i < q.get_num_subqueries(); ++i) walk(q.get_subquery(i), kind, rows, q.get_type() == Q::OP_AND);
                return;
            case Q::OP_AND_NOT:
                if (!matches()) return;
                walk(q.get_subquery(0), kind, rows, true);
                return;
            case Q::OP_FILTER:
                if (!matches()) return;
                walk(q.get_subquery(0), kind, rows, true);
                for (size_t i = 1; i < q.get_num_subqueries(); ++i) walk(q.get_subquery(i), "filter", rows, true);
                return;
            case Q::OP_PHRASE:
            case Q::OP_NEAR:
                if (!matches()) return;
                for (size_t i = 0; i < q.get_num_subqueries(); ++i) walk(q.get_subquery(i), filter ? kind : "phrase", rows, true);
                return;
            case Q::OP_SYNONYM: {
                std::optional<double> w = weight(q);
                if (!w) return;
                Explanation::Term row{"", "", filter ? kind : "synonym", 0, filter ? 0.0 : *w, 1};
                uint64_t sum = 0;
                for (size_t i = 0; i < q.get_num_subqueries(); ++i) {
                    const Q member = q.get_subquery(i);
                    std::string name = member.get_type() == Q::LEAF_TERM ? *member.get_terms_begin() : member.get_description();
                    std::optional<Xapian::termcount> f = member.get_type() == Q::LEAF_TERM ? wdf(name) : std::nullopt;
                    if (member.get_type() == Q::LEAF_TERM && !f) continue;
                    if (f) sum += *f;
                    const std::string field = f ? term_field(name) : "other";
                    row.term += (row.term.empty() ? "" : " | ") + name;
                    if (("| " + row.field + " |").find("| " + field + " |") == std::string::npos)
                        row.field += (row.field.empty() ? "" : " | ") + field;
                }
                // Xapian clamps a synonym's wdf to the document's length (a term given twice counts twice).
                row.wdf = std::min<uint64_t>(sum, db_.get_doclength(did_));
                rows.push_back(std::move(row));
                return;
            }
            case Q::OP_SCALE_WEIGHT: {
                std::optional<double> w = weight(q);
                if (!w) return;
                const Q child = q.get_subquery(0);
                const size_t first = rows.size();
                walk(child, kind, rows, true);
                // The factor is not in Xapian 1.4's API: measure it. A child of weight 0 leaves rows of
                // weight 0, whatever the factor.
                const double child_weight = weight(child).value_or(0.0);
                const double factor = child_weight != 0 ? *w / child_weight : 1;
                for (size_t i = first; i < rows.size(); ++i) {
                    rows[i].weight *= factor;
                    rows[i].factor *= factor;
                }
                return;
            }
            default: {  // OP_MAX, OP_ELITE_SET, OP_WILDCARD, OP_EDIT_DISTANCE, posting sources, MatchAll
                if (filter) return;
                std::optional<double> w = weight(q);
                if (!w || *w == 0) return;  // MatchAll and the like: no weight, nothing to say
                rows.push_back({q.get_description(), "", "other", 0, *w, 1});
                return;
            }
        }
    }

  private:
    const Xapian::Database& db_;
    const Xapian::Weight& weighting_;
    Xapian::docid did_;
    Xapian::Query only_;
};

}  // namespace

std::string term_field(std::string_view term) {
    using namespace schema;
    auto starts = [&](std::string_view prefix) { return term.substr(0, prefix.size()) == prefix; };
    // After a prefix comes the analyzer's output (lower case, digits or non-ASCII), never an ASCII
    // capital: a capital is always part of the prefix.
    auto is_prefix_char = [](char c) { return c >= 'A' && c <= 'Z'; };
    if (term.empty() || !is_prefix_char(term[0])) return "any";
    if (starts(kPrefixStem)) {
        std::string_view rest = term.substr(std::string_view(kPrefixStem).size());
        if (rest.empty() || !is_prefix_char(rest[0])) return "stem";
        const std::string sub = term_field(rest);
        return sub == "title" ? "stem:" + sub : "other";
    }
    // Longer prefixes first: "XY" before any one-letter prefix.
    static const std::pair<const char*, const char*> kFields[] = {
        {kPrefixYear, "year"}, {kPrefixTitlePair, "title pair"}, {kPrefixTitle, "title"}, {kPrefixAuthor, "author"},
        {kPrefixId, "id"}, {kPrefixCategory, "category"}, {kPrefixLang, "lang"}};
    for (const auto& [prefix, field] : kFields)
        if (starts(prefix)) return field;
    return "other";
}

Explanation explain_match(const Xapian::Database& db, const Xapian::Weight& weighting, const Xapian::Query& query,
                          Xapian::docid did) {
    Explainer ex(db, weighting, did);
    Explanation e;
    std::optional<double> score = ex.weight(query);
    if (!score) return e;
    e.score = *score;
    ex.walk(query, "term", e.terms, true);
    double sum = 0;
    for (const Explanation::Term& t : e.terms) sum += t.weight;
    e.unexplained = e.score - sum;
    return e;
}

struct Engine::Impl {
    std::string path;
    EngineLimits limits;
    std::shared_ptr<const RankingParams> ranking;  // the engine's query-time parameters (Engine::open)
    Xapian::Database db;
    std::unique_ptr<ClusterConnection> cluster;  // when `path` is a cluster file
    Analyzer analyzer;
    std::shared_ptr<SharedTranslator> translator;  // Engine::open; nullptr: no translation

    // The one place where a search meets a database that a writer changed under it: run again from
    // the start, which reopens at the newest revision (every `f` begins with db.reopen(); a reopen in
    // the handler, outside the try, would let its own failure through). read_with_retry (engine.h)
    // says which errors, and how often.
    //
    // Over a cluster (searcher/cluster.h) it is also where a replica that stopped answering is left
    // for another: a NetworkError (a closed connection, or no answer within the cluster's timeout)
    // makes the cluster ask each open replica for its revision, close those that do not answer, and
    // open the next replica of their shards; the request then runs again from the start, over what is
    // open. A shard whose replicas all fail is left out (the response says so: mark_partial). Every
    // round either drops a replica or gives up, and there are at most as many rounds as replicas; a
    // replica that stops answering costs a request at most two timeouts (the one its search met, and
    // drop_failed's question), a closed connection or a refused one next to nothing.
    template <class F>
    auto with_retry(F&& f) -> decltype(f()) {
        if (!cluster) return guarded(path, [&]() -> decltype(f()) { return read_with_retry(f, limits.time_budget_s); });
        size_t replicas = 0;
        for (const auto& shard : cluster->config().shards) replicas += shard.replicas.size();
        for (size_t round = 0;; ++round) {
            bool changed = false;
            Result<bool> opened = guarded(path, [&]() -> Result<bool> {
                db = cluster->database(changed);
                return true;
            });
            if (!opened.is_ok()) return opened.status();
            if (changed) mark_changed();
            if (db.size() == 0) {
                std::string why;
                for (const std::string& f : cluster->failures()) why += (why.empty() ? "" : "; ") + f;
                return Status(ErrorCode::kUnavailable, "no shard of the cluster " + path + " answers: " + why);
            }
            bool lost = false;
            auto replica_lost = [&](const Xapian::Error& e) -> decltype(f()) {
                lost = true;
                return Status(ErrorCode::kUnavailable, "index " + path + ": " + e.get_type() + ": " + e.get_msg());
            };
            auto r = guarded(path, [&]() -> decltype(f()) {
                try {
                    return read_with_retry(f, limits.time_budget_s);
                } catch (const Xapian::NetworkError& e) {
                    return replica_lost(e);
                } catch (const Xapian::DatabaseOpeningError& e) {  // a replica's database replaced under its server
                    return replica_lost(e);
                }
            });
            if (!lost || round > replicas) return r;
            Result<bool> dropped = guarded(path, [&]() -> Result<bool> { return cluster->drop_failed(); });
            if (!dropped.is_ok() || !dropped.value()) return r;
        }
    }

    // Over a cluster with shards missing: the response says which, and that its results are partial.
    void mark_partial(SearchResponse& resp) const {
        if (!cluster) return;
        resp.missing_shards = cluster->missing();
        resp.partial = !resp.missing_shards.empty();
    }

    // Reopens at the newest revision; the compound splitter is learned again when anything changed.
    void reopen() {
        if (db.reopen()) mark_changed();
    }

    // What is kept between requests until the database changes: the German compounds, the function
    // words, the index-time ranking parameters, the languages and the vocabulary's lookups.
    void mark_changed() {
        compounds_stale = true;
        lexicon_compounds_stale = true;
        params_stale = true;
        function_words_stale = true;
        languages_stale = true;
        vocabulary.forget();
    }

    // Function words by data (FunctionWords), kept until the database changes. Call after reopen(),
    // inside with_retry.
    FunctionWords function_words_;
    bool function_words_stale = true;
    FunctionWords& function_words() {
        if (function_words_stale) {
            function_words_ = FunctionWords(db, analyzer);
            function_words_stale = false;
        }
        return function_words_;
    }

    IndexParams params;
    bool params_stale = true;

    // The index-time ranking parameters the index was built with (common/ranking.h). Call after
    // reopen(), inside with_retry.
    Result<IndexParams> index_params() {
        if (params_stale) {
            Result<IndexParams> read = IndexParams::from_metadata(db.get_metadata(schema::kMetaIndexParams));
            if (!read.is_ok()) return Status(ErrorCode::kUnavailable, "index " + path + ": " + read.message());
            params = read.value();
            params_stale = false;
        }
        return params;
    }

    // The query-time ranking parameters of a request: its own, else the engine's, else the defaults.
    const RankingParams& ranking_of(const SearchRequest& r) const {
        static const RankingParams kDefaults;
        if (r.ranking) return *r.ranking;
        return ranking ? *ranking : kDefaults;
    }

    // The German compound splitter (common/compound.h), learned from the index's German vocabulary
    // (schema::kPrefixGermanWord) and kept until the database's revision changes: reading the
    // vocabulary and splitting every word costs far more than a search, and it changes only with a
    // commit. An index without German text gives an empty splitter, which leaves queries as they
    // were. Each Engine has its own (one per thread), so nothing here is shared between threads.
    // (Database::reopen() says whether anything may have changed; a revision number would not do, as
    // Xapian 1.4 gives none for several shards.)
    CompoundSplitter compounds;
    bool compounds_stale = true;

    // Call after reopen(), inside with_retry (reading the vocabulary may meet a newer revision).
    const CompoundSplitter& german_compounds() {
        if (compounds_stale) {
            CompoundSplitter::Vocabulary vocabulary;
            const std::string p = schema::kPrefixGermanWord;
            for (auto t = db.allterms_begin(p); t != db.allterms_end(p); ++t)
                vocabulary.emplace_back((*t).substr(p.size()), t.get_termfreq());
            compounds = CompoundSplitter(vocabulary);
            compounds_stale = false;
        }
        return compounds;
    }

    // The plan's view of the index's words (searcher/plan.h).
    // The frequencies, completions and corrections it looks up are kept until the database changes
    // (forget(), from mark_changed()): the same words come back query after query, and looking them up
    // read a fifth of a search's index blocks on the 20k bench index (docs/performance.md).
    class IndexVocabulary : public Vocabulary {
      public:
        explicit IndexVocabulary(const Xapian::Database& db) : db_(db) {}
        uint64_t documents() const override { return db_.get_doccount(); }
        uint64_t papers_in(const std::string& lang) const override { return frequency(schema::kPrefixLang + lang); }
        uint64_t frequency(const std::string& term) const override {
            return kept(frequencies_, term, [&] { return static_cast<uint64_t>(db_.get_termfreq(term)); });
        }
        std::vector<std::string> completions(const std::string& prefix, size_t n) const override {
            return kept(completions_, prefix + '\0' + std::to_string(n), [&] { return look_up_completions(prefix, n); });
        }
        std::string correction(const std::string& word, unsigned edits) const override {
            return kept(corrections_, word + '\0' + std::to_string(edits), [&] { return db_.get_spelling_suggestion(word, edits); });
        }
        uint64_t papers_with_both(const std::string& a, const std::string& b, uint64_t at_most) const override {
            Xapian::Enquire e(db_);
            e.set_query(Xapian::Query(Xapian::Query::OP_AND, Xapian::Query(a), Xapian::Query(b)));
            e.set_weighting_scheme(Xapian::BoolWeight());
            return e.get_mset(0, 0, static_cast<Xapian::doccount>(at_most)).get_matches_lower_bound();
        }
        uint64_t papers_with_phrase(const std::vector<std::string>& words, uint64_t at_most) const override {
            Xapian::Enquire e(db_);
            e.set_query(Xapian::Query(Xapian::Query::OP_PHRASE, words.begin(), words.end(), static_cast<Xapian::termcount>(words.size())));
            e.set_weighting_scheme(Xapian::BoolWeight());
            return e.get_mset(0, 0, static_cast<Xapian::doccount>(at_most)).get_matches_lower_bound();
        }
        void forget() {
            frequencies_.clear();
            completions_.clear();
            corrections_.clear();
        }

      private:
        // Entries per map: a map that fills is emptied, which bounds an engine's memory (a few MB)
        // whatever words its queries bring.
        static constexpr size_t kMaxKept = 50000;

        template <typename Map, typename F>
        static const typename Map::mapped_type& kept(Map& map, const std::string& key, F&& look_up) {
            if (auto it = map.find(key); it != map.end()) return it->second;
            if (map.size() >= kMaxKept) map.clear();
            return map.emplace(key, look_up()).first->second;
        }

        // Reads at most kScan words in term order: a short prefix costs no more than a long one, at the
        // price of missing a frequent word far down a very common prefix's list.
        std::vector<std::string> look_up_completions(const std::string& prefix, size_t n) const {
            constexpr size_t kScan = 4000;
            std::vector<std::pair<Xapian::doccount, std::string>> found;
            size_t scanned = 0;
            for (auto t = db_.allterms_begin(prefix); t != db_.allterms_end(prefix) && scanned < kScan; ++t, ++scanned)
                if ((*t).size() > prefix.size()) found.emplace_back(t.get_termfreq(), *t);
            const size_t keep = std::min(n, found.size());
            std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(keep), found.end(),
                              [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
            std::vector<std::string> out;
            for (size_t i = 0; i < keep; ++i) out.push_back(std::move(found[i].second));
            return out;
        }

        const Xapian::Database& db_;
        mutable std::unordered_map<std::string, uint64_t> frequencies_;
        mutable std::unordered_map<std::string, std::vector<std::string>> completions_;
        mutable std::unordered_map<std::string, std::string> corrections_;
    };
    IndexVocabulary vocabulary{db};
    // The same with the Translator's German nouns as parts besides the index's words, for queries that
    // are translated: "Gewichte" finds "Modellgewichte" although "Modell" never stands alone in the
    // index (common/compound.h). Queries that load no Translator keep the splitter above.
    CompoundSplitter lexicon_compounds;
    bool lexicon_compounds_stale = true;

    const CompoundSplitter& german_compounds(const Translator* tr) {
        if (!tr || tr->german_nouns().empty()) return german_compounds();
        if (lexicon_compounds_stale) {
            CompoundSplitter::Vocabulary vocabulary;
            const std::string p = schema::kPrefixGermanWord;
            for (auto t = db.allterms_begin(p); t != db.allterms_end(p); ++t)
                vocabulary.emplace_back((*t).substr(p.size()), t.get_termfreq());
            lexicon_compounds = vocabulary.empty() ? CompoundSplitter() : CompoundSplitter(vocabulary, tr->german_nouns());
            lexicon_compounds_stale = false;
        }
        return lexicon_compounds;
    }

    // The index's languages, kept until the database changes.
    std::vector<std::string> languages;
    bool languages_stale = true;
    const std::vector<std::string>& index_languages() {
        if (languages_stale) {
            languages.clear();
            const std::string p = schema::kPrefixLang;
            for (auto t = db.allterms_begin(p); t != db.allterms_end(p); ++t) languages.push_back((*t).substr(p.size()));
            languages_stale = false;
        }
        return languages;
    }

    // `ties_by_id` false: relevance order by weight alone (ties in document-number order), for a match
    // whose order run_one() puts right itself or that is only summed (add_phrase_boosts).
    Xapian::Enquire enquire_for(const Xapian::Query& q, SortOrder sort, bool by_relevance, const RankingParams& rk,
                                bool ties_by_id = true) {
        Xapian::Enquire enquire(db);
        enquire.set_weighting_scheme(rk.scheme());
        enquire.set_query(q);
        enquire.set_time_limit(limits.time_budget_s);
        // Ties go to the id (schema.h: kSlotId, kSlotDateId), never to Xapian's document numbers,
        // which differ between a single index and its shards, and from one build to the next:
        // relevance order puts the smaller id first, a listing by date (no words: every weight is 0)
        // the larger. Date and upvote orders of a query sort by value then weight, and a listing by
        // upvotes by value: papers equal in both stay in document-number order (Xapian 1.4 has no
        // sort by value, weight, then value, and its remote backend runs no KeyMaker).
        if (sort == SortOrder::kUpvotes) {
            enquire.set_sort_by_value_then_relevance(schema::kSlotUpvotes, true);
        } else if (!by_relevance) {
            enquire.set_sort_by_value(schema::kSlotDateId, true);
        } else if (sort == SortOrder::kDate) {
            enquire.set_sort_by_value_then_relevance(schema::kSlotDate, true);
        } else if (ties_by_id) {
            enquire.set_sort_by_relevance_then_value(schema::kSlotId, false);
        }
        return enquire;
    }

    // The id of a match: its sort key when the match ran with ties_by_id, else its id value.
    static std::string id_of(const Xapian::MSetIterator& it) {
        std::string key = it.get_sort_key();
        return key.empty() ? it.get_document().get_value(schema::kSlotId) : key;
    }

    // Puts each run of equal weights in `ranked` (a match's items in Xapian's relevance order: weight,
    // then document number) in id order, as set_sort_by_relevance_then_value(kSlotId) orders them. Only
    // tied items have their ids read.
    static void ties_by_id(const Xapian::MSet& mset, std::vector<Ranked>& ranked) {
        for (size_t i = 0; i < ranked.size();) {
            size_t j = i + 1;
            while (j < ranked.size() && ranked[j].score == ranked[i].score) ++j;
            if (j - i > 1) {
                std::vector<std::pair<std::string, Ranked>> run;
                for (size_t k = i; k < j; ++k) run.emplace_back(id_of(mset[ranked[k].index]), ranked[k]);
                std::stable_sort(run.begin(), run.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
                for (size_t k = i; k < j; ++k) ranked[k] = run[k - i].second;
            }
            i = j;
        }
    }

    // Runs `q` for one page. Counting goes on to at least `count_to` matches (and always to the end of
    // the page), so that totals up to there are exact.
    // With `proximity` words (two or more) and relevance order, a page within the first rerank_depth
    // hits is cut from those hits reranked by proximity (above).
    //
    // Phrase boosts read the positions of every paper that has the phrase's words, thousands for
    // common words: most of a short query's match cost (docs/performance.md). In relevance order,
    // only the first phrase_depth matches of the query without them (at least to the end of the
    // page) get them: the query with its boosts runs again on those papers alone (FILTER by their id
    // terms, which adds no weight), which gives each the weight the whole query would. A page beyond
    // keeps the order without boosts, so paging stays consistent.
    //
    // `which`: the boosts so treated (builder.h: Boosts); the some-words tier's title pairs too.
    Page run(const Xapian::Query& q, SortOrder sort, uint64_t offset, uint64_t limit, bool by_relevance, const RankingParams& rk,
             uint64_t count_to = 0, const std::vector<std::string>& proximity = {}, Boosts which = Boosts::kPhrases) {
        // Not with the proximity rerank (natural language), which reranks its own first hits.
        if (rk.phrase_depth > 0 && sort == SortOrder::kRelevance && by_relevance && limit > 0 && proximity.size() < 2) {
            bool boosted = false;
            Xapian::Query plain = without_phrase_boosts(q, &boosted, which);
            if (boosted) return run_phrase_depth(q, plain, offset, limit, rk, count_to, which);
        }
        return run_one(q, sort, offset, limit, by_relevance, rk, count_to, proximity);
    }

    Page run_phrase_depth(const Xapian::Query& q, const Xapian::Query& plain, uint64_t offset, uint64_t limit,
                          const RankingParams& rk, uint64_t count_to, Boosts which) {
        const uint64_t depth = std::max<uint64_t>(rk.phrase_depth, offset + limit);
        if (offset >= rk.phrase_depth) return run_one(plain, SortOrder::kRelevance, offset, limit, true, rk, count_to);
        Page top = run_one(plain, SortOrder::kRelevance, 0, depth, true, rk, std::max(offset + limit, count_to), {}, false);
        if (!cluster && db.size() == 1) {
            if (std::optional<std::vector<Xapian::Query>> boosts = spine_phrase_boosts(q, which))
                return add_phrase_boosts(std::move(top), *boosts, offset, limit, rk);
        }
        // Shards (a sub-database's documents have numbers of their own, and remote ones run no
        // PostingSource), or boosts off the spine: the whole query again on those papers.
        std::vector<Xapian::Query> ids;
        for (const Ranked& r : top.order) {
            const std::string id = id_of(top.mset[r.index]);
            if (id.empty()) return run_one(q, SortOrder::kRelevance, offset, limit, true, rk, count_to);  // a document not made by indexer/document.cc
            ids.emplace_back(schema::kPrefixId + id);
        }
        Xapian::Query only(Xapian::Query::OP_OR, ids.begin(), ids.end());
        Page p = run_one(Xapian::Query(Xapian::Query::OP_FILTER, q, only), SortOrder::kRelevance, offset, limit, true, rk);
        p.lower = top.lower;
        p.estimated = top.estimated;
        p.upper = top.upper;
        return p;
    }

    // The page [offset, offset + limit) of `top` (the plain query's first matches) reranked with
    // `boosts` (builder.h: spine_phrase_boosts): each paper's weight is its plain weight plus that of
    // each phrase it has, which a query of that phrase alone on those papers gives (the same term
    // statistics as the whole query). Cheaper than the whole query on them: only the phrases' terms
    // are read (docs/performance.md). Ties go to the smaller id, as enquire_for orders them.
    Page add_phrase_boosts(Page top, const std::vector<Xapian::Query>& boosts, uint64_t offset, uint64_t limit,
                           const RankingParams& rk) {
        std::vector<Ranked> all = top.order;
        std::vector<Xapian::docid> docids;
        std::unordered_map<Xapian::docid, size_t> at;
        for (size_t k = 0; k < all.size(); ++k) {
            docids.push_back(*top.mset[all[k].index]);
            at.emplace(docids.back(), k);
        }
        if (!docids.empty()) {
            const Xapian::Query only = documents(docids);
            for (const Xapian::Query& boost : boosts) {
                Xapian::Enquire enquire = enquire_for(Xapian::Query(Xapian::Query::OP_FILTER, boost, only), SortOrder::kRelevance, true, rk, false);
                const Xapian::MSet m = enquire.get_mset(0, static_cast<Xapian::doccount>(docids.size()));
                for (auto it = m.begin(); it != m.end(); ++it)
                    if (auto found = at.find(*it); found != at.end()) all[found->second].score += it.get_weight();
            }
        }
        std::unordered_map<Xapian::doccount, std::string> ids;  // read for ties only
        auto id = [&](const Ranked& r) -> const std::string& {
            auto found = ids.find(r.index);
            if (found == ids.end()) found = ids.emplace(r.index, id_of(top.mset[r.index])).first;
            return found->second;
        };
        std::stable_sort(all.begin(), all.end(), [&](const Ranked& a, const Ranked& b) {
            if (a.score != b.score) return a.score > b.score;
            return id(a) < id(b);
        });
        const size_t from = std::min<size_t>(offset, all.size());
        const size_t to = std::min<size_t>(offset + limit, all.size());
        top.order.assign(all.begin() + static_cast<std::ptrdiff_t>(from), all.begin() + static_cast<std::ptrdiff_t>(to));
        fetch_page(top);
        return top;
    }

    // `fetch` false: the page's documents are not read ahead.
    Page run_one(const Xapian::Query& q, SortOrder sort, uint64_t offset, uint64_t limit, bool by_relevance, const RankingParams& rk,
                 uint64_t count_to = 0, const std::vector<std::string>& proximity = {}, bool fetch = true) {
        Page p;
        const uint64_t depth_asked = rk.rerank_depth;
        const bool rerank = proximity.size() >= 2 && sort == SortOrder::kRelevance && by_relevance && offset < depth_asked && limit > 0;
        const auto first = static_cast<Xapian::doccount>(rerank ? 0 : offset);
        const auto count = static_cast<Xapian::doccount>(rerank ? std::max<uint64_t>(depth_asked, offset + limit) : limit);
        const auto at_least = static_cast<Xapian::doccount>(std::max(offset + limit, count_to));
        // In relevance order, the match runs by weight alone with one item more on each side, and
        // ties_by_id() orders the ties: the same items in the same order as a sort by weight then id,
        // without Xapian reading the id of every candidate (docs/performance.md). A tie across an edge
        // of the range would leave it unclear which of the tied items belong: then the sort by id.
        // Not over shards, whose documents Xapian numbers per shard.
        Xapian::doccount lead = 0;
        bool by_weight = sort == SortOrder::kRelevance && by_relevance && !cluster && db.size() == 1 && count > 0;
        if (by_weight) {
            lead = first > 0 ? 1 : 0;
            p.mset = enquire_for(q, sort, by_relevance, rk, false).get_mset(first - lead, count + lead + 1, at_least);
            const auto n = p.mset.size();
            const bool tied = (lead && n > 1 && p.mset[0].get_weight() == p.mset[1].get_weight()) ||
                              (n > lead + count && p.mset[lead + count - 1].get_weight() == p.mset[lead + count].get_weight());
            if (tied) {
                by_weight = false;
                lead = 0;
            }
        }
        if (!by_weight) p.mset = enquire_for(q, sort, by_relevance, rk).get_mset(first, count, at_least);
        p.lower = p.mset.get_matches_lower_bound();
        p.estimated = p.mset.get_matches_estimated();
        p.upper = p.mset.get_matches_upper_bound();
        std::vector<Ranked> all;
        for (Xapian::doccount i = lead; i < p.mset.size() && i < lead + count; ++i) all.push_back({i, p.mset[i].get_weight(), 0});
        if (by_weight) ties_by_id(p.mset, all);
        if (rerank && !all.empty()) {
            const double best = all.front().score;
            const size_t depth = std::min<size_t>(all.size(), depth_asked);
            for (size_t i = 0; i < depth; ++i) {
                const Shares sh = shares(*p.mset[all[i].index], proximity, rk.proximity_window);
                all[i].proximity = rk.proximity_weight * best * sh.window;
                all[i].coverage = rk.coverage_weight * best * sh.document;
                all[i].score += all[i].proximity + all[i].coverage;
            }
            std::stable_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(depth),
                             [](const Ranked& a, const Ranked& b) { return a.score > b.score; });
            const size_t from = std::min<size_t>(offset, all.size());
            const size_t to = std::min<size_t>(offset + limit, all.size());
            p.order.assign(all.begin() + static_cast<std::ptrdiff_t>(from), all.begin() + static_cast<std::ptrdiff_t>(to));
        } else {
            p.order = std::move(all);
        }
        if (fetch) fetch_page(p);
        return p;
    }

    // One request for the page's documents rather than one each: over remote shards each read is a
    // round trip (docs/scale-out.md).
    static void fetch_page(const Page& p) {
        if (p.order.empty()) return;
        Xapian::doccount lo = p.order.front().index, hi = lo;
        for (const Ranked& r : p.order) {
            lo = std::min(lo, r.index);
            hi = std::max(hi, r.index);
        }
        p.mset.fetch(p.mset[lo], hi + 1 < p.mset.size() ? p.mset[hi + 1] : p.mset.end());  // [lo, hi]
    }

    // The largest share of the distinct `words` that paper `did` has within `window`
    // consecutive positions, and the share it has at all (each 0 to 1), from the positions of the
    // words' folded forms. (Counting the paper's other forms of a word's stem too, found through its
    // term list, was tried: SciFact nDCG@10 -0.0015 and 20% slower.)
    struct Shares {
        double window = 0, document = 0;
    };
    Shares shares(Xapian::docid did, const std::vector<std::string>& words, Xapian::termpos window) {
        std::vector<std::string> distinct = words;
        std::sort(distinct.begin(), distinct.end());
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        std::vector<std::pair<Xapian::termpos, size_t>> at;  // (position, word)
        for (size_t w = 0; w < distinct.size(); ++w)
            for (auto p = db.positionlist_begin(did, distinct[w]); p != db.positionlist_end(did, distinct[w]); ++p)
                at.emplace_back(*p, w);
        std::sort(at.begin(), at.end());
        std::vector<int> in_window(distinct.size(), 0);
        std::vector<bool> present(distinct.size(), false);
        size_t have = 0, most = 0, lo = 0, found = 0;
        for (size_t hi = 0; hi < at.size(); ++hi) {
            if (!present[at[hi].second]) {
                present[at[hi].second] = true;
                ++found;
            }
            if (in_window[at[hi].second]++ == 0) ++have;
            while (at[hi].first - at[lo].first >= window)
                if (--in_window[at[lo++].second] == 0) --have;
            most = std::max(most, have);
        }
        if (distinct.empty()) return {};
        const auto n = static_cast<double>(distinct.size());
        return {static_cast<double>(most) / n, static_cast<double>(found) / n};
    }

    // Counts every match of `q` by language, year and category.
    Facets facets(const Xapian::Query& q, const RankingParams& rk, uint64_t& total, bool& exact) {
        Xapian::Enquire enquire = enquire_for(q, SortOrder::kRelevance, true, rk);
        Xapian::ValueCountMatchSpy langs(schema::kSlotLangs), years(schema::kSlotYear), cats(schema::kSlotCategories);
        enquire.add_matchspy(&langs);
        enquire.add_matchspy(&years);
        enquire.add_matchspy(&cats);
        Xapian::MSet m = enquire.get_mset(0, 0, db.get_doccount());
        total = m.get_matches_estimated();
        exact = m.get_matches_lower_bound() == m.get_matches_upper_bound();
        Facets f{facet_counts(langs), facet_counts(years), facet_counts(cats)};
        // Years read best in order, newest first.
        std::sort(f.year.begin(), f.year.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        return f;
    }

    // "Did you mean": each word of the plan's spelling spans (QueryPlan::spelling: alphabetic words,
    // not field names, operators or filter values) that no paper has, not even by one of its stems
    // ("Diffusionsmodell" finds "Diffusionsmodelle": no correction), replaced by the closest word of
    // the spelling dictionary. "" when nothing changed.
    std::string spelling_suggestion(const QueryPlan& plan) {
        const std::string& query = plan.text;
        std::string out;
        size_t at = 0;
        for (const SpellingWord& w : plan.spelling) {
            if (w.span.begin < at || db.get_termfreq(w.folded) > 0) continue;
            if (std::any_of(w.stems.begin(), w.stems.end(),
                            [&](const std::string& s) { return db.get_termfreq(schema::kPrefixStem + s) > 0; }))
                continue;
            std::string better = db.get_spelling_suggestion(w.folded, 2);
            if (better.empty() || better == w.folded) continue;
            out.append(query, at, w.span.begin - at);
            out += better;
            at = w.span.end;
        }
        if (at == 0) return "";
        out.append(query, at, std::string::npos);
        return out;
    }

    // `ceiling`: best_possible_score(match).
    Hit make_hit(const Xapian::MSetIterator& it, const Record& rec, const MatchTerms& match, MatchReach reach, int ceiling,
                 const std::string& want_lang) {
        Hit h;
        h.id = rec.id;
        h.authors = rec.authors;
        h.published = rec.published;
        h.categories = rec.categories;
        h.upvotes = rec.upvotes;
        h.comments = rec.comments;
        h.url = rec.url;
        h.score = it.get_weight();

        // The title shown is the one that matches the query best (the query's language, in effect),
        // the snippet comes from the abstract that matches best; ties go to the title's language,
        // then to the record's order (the original first). A requested language wins when present.
        // Each text is analysed once, for its score and, for the chosen abstract, its snippet; a text
        // the query can match only in part (the Chinese abstract of an English query) only in that
        // part for its score (quick_score), and whole only if it is chosen.
        auto pick = [&](const std::vector<LangText>& field, const std::string& prefer,
                        std::optional<MatchedText>& chosen) -> const LangText* {
            const LangText* best = nullptr;
            int best_score = -1;
            auto consider = [&](const LangText& t) {
                if (best_score >= ceiling) return;  // cannot be beaten (ties keep the first)
                if (std::optional<int> quick = quick_score(analyzer, t.text, lang::primary(t.lang), match, reach)) {
                    if (*quick > best_score) {
                        best_score = *quick;
                        best = &t;
                        chosen.reset();
                    }
                    return;
                }
                MatchedText m(analyzer, t.text, lang::primary(t.lang), match);
                int score = m.score();
                if (score > best_score) {
                    best_score = score;
                    best = &t;
                    chosen = std::move(m);
                }
            };
            if (field.empty()) return nullptr;
            const LangText* first = want_lang.empty() ? nullptr : Record::find(field, want_lang);
            if (first) {  // a requested language wins outright
                chosen.emplace(analyzer, first->text, lang::primary(first->lang), match);
                return first;
            }
            if (const LangText* p = Record::find(field, prefer)) consider(*p);
            for (const LangText& t : field)
                if (&t != best) consider(t);
            if (best && !chosen) chosen.emplace(analyzer, best->text, lang::primary(best->lang), match);
            return best;
        };
        std::optional<MatchedText> analysed_title, analysed_abstract;
        const LangText* title = pick(rec.title, rec.title.front().lang, analysed_title);
        h.title = title->text;
        h.title_highlighted = analysed_title->whole();
        h.title_lang = title->lang;
        for (const auto* field : {&rec.title, &rec.abstract})
            for (const LangText& t : *field) h.langs.push_back(lang::primary(t.lang));
        std::sort(h.langs.begin(), h.langs.end());
        h.langs.erase(std::unique(h.langs.begin(), h.langs.end()), h.langs.end());
        if (const LangText* abstract = pick(rec.abstract, lang::primary(title->lang), analysed_abstract)) {
            h.snippet = analysed_abstract->snippet();
            h.snippet_lang = abstract->lang;
        }
        return h;
    }

    // Hits for every document of `msets`, in order, each paper once (builder.h: ListedOnce).
    //
    // With `explain`, each hit gets the Explanation of the query its MSet ran, and that MSet's tier.
    void add_hits(SearchResponse& resp, const std::vector<Tier>& tiers, const MatchTerms& match,
                  const std::string& want_lang, bool explain, const RankingParams& rk) {
        ListedOnce listed;
        const MatchReach reach = match_reach(match);
        const int ceiling = best_possible_score(match);
        for (const Tier& tier : tiers) {
            for (const Ranked& ranked : tier.page.order) {
                const Xapian::MSetIterator it = tier.page.mset[ranked.index];
                if (!listed.first(*it)) continue;
                Result<Record> rec = from_stored(it.get_document().get_data());
                if (!rec.is_ok()) {
                    resp.notices.push_back({notice::kRecordUnreadable, "a stored record could not be read (" + rec.message() + "); rebuild the index"});
                    continue;
                }
                resp.hits.push_back(make_hit(it, rec.value(), match, reach, ceiling, want_lang));
                resp.hits.back().score = ranked.score;
                if (explain) {
                    Explanation e = explain_match(db, rk.scheme(), tier.query, *it);
                    // The score shown is the weight that ranked the hit. explain_match ran the same
                    // query on this paper alone and usually agrees to 1e-12; when the full match gave
                    // another weight (engine.h: explain_match), the difference goes to `unexplained`.
                    // The match's weight is the score less the rerank's parts (a page of
                    // add_phrase_boosts has its phrases' weights in the score, not in its MSet's).
                    e.unexplained += ranked.score - ranked.proximity - ranked.coverage - e.score;
                    e.proximity = ranked.proximity;
                    e.coverage = ranked.coverage;
                    e.score = ranked.score;
                    e.tier = tier.name;
                    resp.hits.back().explain = std::move(e);
                }
            }
        }
    }

    Status check_page(uint64_t offset, uint64_t limit) const {
        if (limit > limits.max_limit)
            return {ErrorCode::kInvalidArgument, "limit " + std::to_string(limit) + " is above the maximum of " + std::to_string(limits.max_limit)};
        if (offset > limits.max_offset)
            return {ErrorCode::kInvalidArgument, "offset " + std::to_string(offset) + " is above the maximum of " + std::to_string(limits.max_offset)};
        return Status::ok();
    }

    // The filters given beside the query (dates, categories, author, language), AND-ed; an empty
    // query when there are none.
    Result<Xapian::Query> request_filters(const SearchRequest& r, const std::string& want_lang) {
        std::vector<Xapian::Query> fs;
        if (!r.from.empty() || !r.to.empty()) {
            Result<PlanFilter> dates = date_filter(r.from, r.to);
            if (!dates.is_ok()) return dates.status();
            fs.push_back(build_filter(dates.value()));
        }
        if (!r.categories.empty()) {
            std::vector<Xapian::Query> cats;
            for (const std::string& c : r.categories) cats.emplace_back(schema::kPrefixCategory + ascii_lower(c));
            fs.emplace_back(Xapian::Query::OP_OR, cats.begin(), cats.end());
        }
        if (!r.author.empty()) {
            if (!valid_utf8(r.author)) return Status(ErrorCode::kInvalidArgument, "the author is not valid UTF-8");
            std::vector<Token> tokens;
            analyzer.analyze(r.author, tokens);
            std::vector<Xapian::Query> words;
            for (const Token& t : tokens)
                if (!t.joined) words.emplace_back(schema::kPrefixAuthor + t.folded);
            if (words.empty()) return Status(ErrorCode::kInvalidArgument, "the author \"" + r.author + "\" has no words");
            fs.emplace_back(Xapian::Query::OP_AND, words.begin(), words.end());
        }
        if (!want_lang.empty()) fs.emplace_back(schema::kPrefixLang + want_lang);
        if (fs.empty()) return Xapian::Query();
        return Xapian::Query(Xapian::Query::OP_AND, fs.begin(), fs.end());
    }

    // Whether any shard is read over the network (Xapian's remote backend).
    bool has_remote_shards() const {
        if (!cluster) return false;
        for (const std::string& r : cluster->serving())
            if (parse_remote(r)) return true;
        return false;
    }

    Result<SearchResponse> search(const SearchRequest& r) {
        Result<SearchResponse> out = search_once(r);
        if (out.is_ok()) mark_partial(out.value());
        return out;
    }

    // The language a request is restricted to (a primary subtag), "" for none.
    static Result<std::string> wanted_language(const SearchRequest& r) { return language_code(r.lang); }

    // A request's language code as a primary subtag ("" stays ""); kInvalidArgument for an unknown one.
    static Result<std::string> language_code(const std::string& code) {
        if (code.empty()) return std::string();
        auto tag = lang::canonical_tag(code);
        if (!tag) return Status(ErrorCode::kInvalidArgument, "\"" + code + "\" is not a known language code (such as en, de, zh)");
        return lang::primary(*tag);
    }

    // The plan of `r`'s query. Call after reopen(), inside with_retry.
    Result<QueryPlan> plan_of(const SearchRequest& r, const std::string& want_lang, const std::string& query_lang, const RankingParams& rk) {
        QueryContext ctx;
        ctx.stem_langs = want_lang.empty() ? index_languages() : std::vector<std::string>{want_lang};
        ctx.abstract_field = !has_remote_shards();
        ctx.ranking = &rk;
        ctx.vocabulary = &vocabulary;
        ctx.prefix = r.prefix;
        ctx.typos = r.typos;
        // The Translator only for a query it may change (loading it takes seconds the first time).
        if (r.translate && translator && rk.translations_per_word > 0 && may_translate(r.query, analyzer, ctx.stem_langs, vocabulary, query_lang)) {
            ctx.translator = translator->get();
            ctx.query_lang = query_lang;
        }
        ctx.compounds = &german_compounds(ctx.translator);
        return make_plan(r.query, analyzer, ctx, limits.query);
    }

    // The pages of a search's tiers, and the query whose matches `total` counts.
    struct Tiered {
        std::vector<Tier> tiers;
        Xapian::Query counted;
    };

    // The matches of `q` counted without scoring (Xapian's BoolWeight over the query without its
    // boosts; counting with weights and phrase boosts took 572 ms for one query to 1,000). Xapian checks
    // at least `at_least` of them, so a count up to there is exact. Beyond, over one index, an estimate
    // from the matches in stretches of document numbers spread over the index (sampled_matches,
    // builder.h), about kCountSample of them: papers are numbered in the order they were added, by date
    // for a corpus indexed in order, and the words papers use change with time, so the first at_least
    // matches said little of the rest (up to 41% off on the 144k corpus, docs/performance.md). A term
    // that matches on its own and is in at_least papers or more shows that the count is beyond without
    // counting to there. Over shards (whose document numbers interleave, and a remote one runs no
    // PostingSource), and for a small at_least (has_more), the estimate comes from how far into the
    // index the at_least-th match lies: at_least x the last document number / its document number.
    static constexpr double kCountSample = 1000;
    struct Count {
        uint64_t n = 0;
        bool exact = true;
    };
    [[gnu::noinline]] Count count_matches(const Xapian::Query& q, uint64_t at_least) {  // noinline: scripts/bench/instructions counts it
        const Xapian::Query counting = counting_part(q);
        Xapian::Enquire enquire(db);
        enquire.set_weighting_scheme(Xapian::BoolWeight());
        enquire.set_docid_order(Xapian::Enquire::ASCENDING);
        enquire.set_query(counting);
        enquire.set_time_limit(limits.time_budget_s);
        const auto n = static_cast<Xapian::doccount>(std::max<uint64_t>(at_least, 1));
        const bool sampled = !cluster && db.size() == 1 && static_cast<double>(n) > kCountSample;
        auto sample = [&](uint64_t estimated, uint64_t lower, uint64_t upper) -> Count {
            const uint64_t s = sampled_matches(db, counting, estimated, kCountSample);
            return {std::clamp(s, lower, std::max(lower, std::min<uint64_t>(upper, db.get_doccount()))), false};
        };
        const auto frequency = [&](const std::string& t) { return vocabulary.frequency(t); };
        if (sampled && largest_sufficient_frequency(counting, frequency) >= n) {
            // The sample sized from the kept term frequencies where the query's operators allow
            // (estimate_matches): Xapian's own estimate, from a match with no document to return,
            // opens every posting list.
            if (std::optional<MatchEstimate> e = estimate_matches(counting, db.get_doccount(), frequency))
                return sample(static_cast<uint64_t>(std::llround(e->estimated)), n, e->upper);
            const Xapian::MSet m = enquire.get_mset(0, 0);
            return sample(m.get_matches_estimated(), n, m.get_matches_upper_bound());
        }
        Xapian::MSet m = enquire.get_mset(n - 1, 1, n);
        const uint64_t lower = m.get_matches_lower_bound(), upper = m.get_matches_upper_bound();
        if (lower == upper) return {lower, true};
        if (sampled) return sample(m.get_matches_estimated(), lower, upper);
        if (m.empty()) return {m.get_matches_estimated(), false};
        const double share = static_cast<double>(*m.begin()) / static_cast<double>(std::max<Xapian::docid>(db.get_lastdocid(), 1));
        const auto extrapolated = static_cast<uint64_t>(static_cast<double>(n) / std::max(share, 1e-9));
        return {std::clamp(extrapolated, lower, std::min<uint64_t>(upper, db.get_doccount())), false};
    }

    // Runs the tiers of a plan for one page and sets resp.total. Relevance order lists the papers with
    // every word first, then fills the page from those with some; date and upvote orders list the
    // papers with every word, or those with some when none has every word. `total` counts the papers
    // the pages list, whatever the page: exactly up to RankingParams::count_to, an estimate beyond.
    Tiered run_tiers(const SearchRequest& r, const QueryPlan& plan, const Xapian::Query& all, const Xapian::Query& some,
                     const RankingParams& rk, SearchResponse& resp) {
        const bool by_relevance = plan.has_text;
        const bool two_tiers = plan.two_tiers && plan.has_text;
        Tiered out;
        out.counted = all;
        Page first = run(all, r.sort, r.offset, r.limit, by_relevance, rk, 0, plan.proximity);
        out.tiers.push_back({first, all, two_tiers ? "all" : ""});
        // Whether any paper has every word: the page says so when it has one, else a count of one.
        const bool any_all = !two_tiers || first.size() > 0 || count_matches(all, 1).n > 0;
        if (two_tiers && r.sort == SortOrder::kRelevance) {
            out.counted = some;
            if (first.size() < r.limit) {
                // Papers with every word are all listed: fill the page with papers that have some.
                // The first run checked offset + limit documents, so its count is exact here. The
                // title pairs lift only the first phrase_depth of these, as phrases do (run): with
                // them in the whole match, Xapian weighed most of the papers with any word.
                const uint64_t t1 = first.lower;
                const uint64_t rest_offset = r.offset > t1 ? r.offset - t1 : 0;
                const Xapian::Query fill = some_words_only(some, all);
                Page rest = run(fill, r.sort, rest_offset, r.limit - first.size(), by_relevance, rk, 0, plan.proximity,
                                Boosts::kPhrasesAndTitlePairs);
                out.tiers.push_back({rest, fill, "some"});
            }
        } else if (two_tiers && !any_all) {
            Page rest = run(some, r.sort, r.offset, r.limit, by_relevance, rk, 0, plan.proximity);
            out.tiers.back() = {rest, some, "some"};
            out.counted = some;
        }
        const Count c = count_matches(out.counted, static_cast<uint64_t>(rk.count_to) + 1);
        resp.total = c.n;
        resp.total_is_exact = c.exact;
        if (!any_all && resp.total > 0) resp.notices.push_back({notice::kSomeWords, "no paper matches every word; showing papers that match some"});
        return out;
    }

    // Whether another page follows this one (one that a request may still ask for). Beyond the count's
    // bound `total` is an estimate, which may be too high: there, with the query `counted` given, the
    // matches are counted to one past this page, so that a pager is never offered an empty page.
    bool has_more(const SearchResponse& resp, const Xapian::Query* counted = nullptr) {
        const uint64_t shown = resp.offset + resp.hits.size();
        if (shown >= resp.total || shown > limits.max_offset) return false;
        if (resp.total_is_exact || counted == nullptr) return true;
        return count_matches(*counted, shown + 1).n > shown;
    }

    Result<SearchResponse> search_once(const SearchRequest& r) {
        auto started = std::chrono::steady_clock::now();
        Result<std::string> lang = wanted_language(r);
        if (!lang.is_ok()) return lang.status();
        const std::string& want_lang = lang.value();
        Result<std::string> query_lang = language_code(r.query_lang);
        if (!query_lang.is_ok()) return query_lang.status();
        if (Status s = check_page(r.offset, r.limit); !s.is_ok()) return s;
        const RankingParams& rk = ranking_of(r);

        return with_retry([&]() -> Result<SearchResponse> {
            reopen();
            Result<Xapian::Query> filters = request_filters(r, want_lang);
            if (!filters.is_ok()) return filters.status();
            Result<QueryPlan> planned = plan_of(r, want_lang, query_lang.value(), rk);
            if (!planned.is_ok()) return planned.status();
            QueryPlan& plan = planned.value();
            Result<IndexParams> index = index_params();
            if (!index.is_ok()) return index.status();
            TierQueries q = build_tiers(plan, index.value(), &rk);
            SearchResponse resp;
            resp.query = r.query;
            resp.offset = r.offset;
            resp.limit = r.limit;
            resp.notices = plan.notices;
            resp.translations = plan.translations;
            if (plan.nothing) {
                if (filters->empty()) {
                    resp.notices.push_back({notice::kNoWords, "the query has no words to search for"});
                } else {
                    q.all = q.some = match_all();  // the filters alone: list papers
                    plan.two_tiers = false;
                }
            }
            if (!filters->empty()) {
                q.all = Xapian::Query(Xapian::Query::OP_FILTER, q.all, filters.value());
                q.some = Xapian::Query(Xapian::Query::OP_FILTER, q.some, filters.value());
            }
            Tiered tiered = run_tiers(r, plan, q.all, q.some, rk, resp);
            if (r.facets) resp.facets = facets(tiered.counted, rk, resp.total, resp.total_is_exact);
            resp.corrected = plan.corrected;
            if (!plan.corrected.empty())
                resp.notices.push_back({notice::kCorrected, "misspelt words were also searched as: " + plan.corrected});
            else if (r.spelling && plan.has_text && resp.total < rk.few_results)
                resp.suggestion = spelling_suggestion(plan);
            const auto page_started = std::chrono::steady_clock::now();
            add_hits(resp, tiered.tiers, q.match, want_lang, r.explain, rk);
            resp.page_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - page_started).count();
            if (r.explain) resp.plan = plan.print();
            resp.has_more = has_more(resp, resp.offset + resp.hits.size() >= rk.count_to ? &tiered.counted : nullptr);
            resp.took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
            return resp;
        });
    }

    // kNotFound for an id no paper has, or kUnavailable when a shard that might hold it is missing.
    Status no_paper(const std::string& id) const {
        if (cluster && !cluster->missing().empty())
            return Status(ErrorCode::kUnavailable, "no paper with id " + id + " in the shards that answer; missing: " + join_names(cluster->missing()));
        return Status(ErrorCode::kNotFound, "no paper with id " + id);
    }
    static std::string join_names(const std::vector<std::string>& names) {
        std::string out;
        for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
        return out;
    }

    Result<SearchResponse> similar(const std::string& id, uint64_t offset, uint64_t limit) {
        Result<SearchResponse> out = similar_once(id, offset, limit);
        if (out.is_ok()) mark_partial(out.value());
        return out;
    }

    Result<SearchResponse> similar_once(const std::string& id, uint64_t offset, uint64_t limit) {
        auto started = std::chrono::steady_clock::now();
        if (Status s = check_page(offset, limit); !s.is_ok()) return s;
        const RankingParams& rk = ranking_of(SearchRequest{});
        return with_retry([&]() -> Result<SearchResponse> {
            reopen();
            const std::string idterm = schema::kPrefixId + id;
            Xapian::PostingIterator p = db.postlist_begin(idterm);
            if (p == db.postlist_end(idterm)) return no_paper(id);
            Xapian::RSet rset;
            rset.add_document(*p);
            Xapian::Enquire enquire(db);
            std::vector<std::string> langs;
            const std::string langs_value = db.get_document(*p).get_value(schema::kSlotLangs);
            for (size_t at = 0; at < langs_value.size();) {
                size_t end = langs_value.find(schema::kValueListSeparator, at);
                if (end == std::string::npos) end = langs_value.size();
                if (end > at) langs.push_back(langs_value.substr(at, end - at));
                at = end + 1;
            }
            SimilarTermDecider decider(db, function_words(), rk.similar_max_share, langs);
            // Exact term frequencies: over several shards Xapian otherwise estimates them from the
            // shard of the paper, and other terms come first (tests/test_shards.cc).
            Xapian::ESet eset = enquire.get_eset(rk.similar_terms, rset, Xapian::Enquire::USE_EXACT_TERMFREQ, &decider);
            std::vector<Xapian::Query> terms;
            MatchTerms match;
            int group = 0;
            for (auto t = eset.begin(); t != eset.end(); ++t) {
                terms.emplace_back(*t);
                match.forms.emplace(*t, group++);
            }
            SearchResponse resp;
            resp.query = "similar:" + id;
            resp.offset = offset;
            resp.limit = limit;
            if (!terms.empty()) {
                Xapian::Query q(Xapian::Query::OP_AND_NOT, Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()),
                                Xapian::Query(idterm));
                Page page = run(q, SortOrder::kRelevance, offset, limit, true, rk, rk.count_to);
                resp.total = page.estimated;
                resp.total_is_exact = page.lower == page.upper;
                add_hits(resp, {{page, q, ""}}, match, "", false, rk);
                resp.has_more = has_more(resp);
            } else {
                resp.total_is_exact = true;
            }
            resp.took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
            return resp;
        });
    }

    Result<std::vector<std::string>> suggest(std::string_view text, size_t limit) {
        if (!valid_utf8(text)) return Status(ErrorCode::kInvalidArgument, "the text is not valid UTF-8");
        if (text.size() > limits.query.max_bytes)
            return Status(ErrorCode::kInvalidArgument, "the text is longer than " + std::to_string(limits.query.max_bytes) + " bytes");
        if (limit < 1 || limit > limits.max_suggestions)
            return Status(ErrorCode::kInvalidArgument, "limit must be from 1 to " + std::to_string(limits.max_suggestions));
        const RankingParams& rk = ranking_of(SearchRequest{});
        return with_retry([&]() -> Result<std::vector<std::string>> {
            reopen();
            std::vector<Token> tokens;
            analyzer.analyze(text, tokens);
            std::vector<std::string> out;
            if (tokens.empty()) return out;
            // Never offered: a function word by the data or by a language's stop list (FunctionWords),
            // or one of the stop words of the ranking parameters.
            FunctionWords& by_data = function_words();
            const std::set<std::string, std::less<>> stop_words(rk.stop_words.begin(), rk.stop_words.end());
            auto stop = [&](const std::string& word) {
                return stop_words.count(word) > 0 || by_data(db, word, rk.suggest_max_share) || by_data.listed(db, word);
            };
            const bool next_word = text.back() == ' ';
            // Completing: the word the text ends in; a hyphenated chain whole ("transformer-bas"), as
            // its joined word. After a space: the last word, whose next word is offered.
            const Token* last = nullptr;
            for (const Token& t : tokens)
                if (next_word ? !t.joined : t.end == text.size() && (!last || t.joined)) last = &t;
            if (!last) return out;
            std::vector<std::pair<Xapian::doccount, std::string>> words;  // (papers, display form)
            if (next_word) {
                // The title pairs that start with the last word (schema.h: kPrefixTitlePair).
                const std::string prefix = schema::kPrefixTitlePair + last->folded + ' ';
                size_t seen = 0;
                std::vector<std::pair<Xapian::doccount, std::string>> pairs;
                for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix) && seen < kSuggestCandidates; ++t, ++seen)
                    pairs.emplace_back(t.get_termfreq(), (*t).substr(prefix.size()));
                std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
                for (const auto& [papers, next] : pairs) {
                    if (words.size() >= limit) break;
                    if (!stop(next)) words.emplace_back(papers, display_form(next));
                }
            } else {
                words = completions(last->folded, stop, limit);
            }
            const std::string head(text.substr(0, next_word ? text.size() : last->start));
            std::set<std::string> listed;
            for (const auto& w : words) {
                if (out.size() >= limit) break;
                if (listed.insert(w.second).second) out.push_back(head + w.second);
            }
            return out;
        });
    }

    // The words that start with `prefix` (folded), most papers first, each in its most frequent display
    // form (schema.h: kPrefixDisplay), function words left out; from at most kSuggestCandidates forms.
    std::vector<std::pair<Xapian::doccount, std::string>> completions(const std::string& prefix, const std::function<bool(const std::string&)>& stop, size_t limit) {
        struct Word {
            Xapian::doccount papers = 0, best = 0;
            std::string display;
        };
        std::map<std::string, Word> by_word;
        const std::string p = schema::kPrefixDisplay + prefix;
        const size_t skip = std::string_view(schema::kPrefixDisplay).size();
        size_t seen = 0;
        for (auto t = db.allterms_begin(p); t != db.allterms_end(p) && seen < kSuggestCandidates; ++t, ++seen) {
            const std::string term = *t;
            const size_t sep = term.find(schema::kDisplaySeparator, p.size());
            if (sep == std::string::npos) continue;
            Word& w = by_word[term.substr(skip, sep - skip)];
            const Xapian::doccount n = t.get_termfreq();
            w.papers += n;  // a paper that writes the word two ways counts twice: an upper bound
            if (n > w.best) {
                w.best = n;
                w.display = term.substr(sep + 1);
            }
        }
        std::vector<std::tuple<Xapian::doccount, const std::string*, std::string*>> ranked;  // papers, folded, display
        for (auto& [folded, w] : by_word) ranked.emplace_back(w.papers, &folded, &w.display);
        std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
        // Function words are judged for the first words only, until `limit` are found.
        std::vector<std::pair<Xapian::doccount, std::string>> out;
        for (const auto& [papers, folded, display] : ranked) {
            if (out.size() >= limit) break;
            if (!stop(*folded)) out.emplace_back(papers, std::move(*display));
        }
        return out;
    }

    // The most frequent display form of the folded word `folded`; `folded` itself when it has none.
    std::string display_form(const std::string& folded) {
        const std::string p = schema::kPrefixDisplay + folded + schema::kDisplaySeparator;
        std::string best = folded;
        Xapian::doccount most = 0;
        for (auto t = db.allterms_begin(p); t != db.allterms_end(p); ++t)
            if (t.get_termfreq() > most) {
                most = t.get_termfreq();
                best = (*t).substr(p.size());
            }
        return best;
    }

    Result<Record> paper(const std::string& id) {
        return with_retry([&]() -> Result<Record> {
            reopen();
            const std::string idterm = schema::kPrefixId + id;
            Xapian::PostingIterator p = db.postlist_begin(idterm);
            if (p == db.postlist_end(idterm)) return no_paper(id);
            Result<Record> rec = from_stored(db.get_document(*p).get_data());
            if (!rec.is_ok()) return Status(ErrorCode::kUnavailable, "the stored record of " + id + " cannot be read: " + rec.message());
            return rec;
        });
    }

    // `with_bytes` false: no walk over the index's files (Info::bytes stays 0), for the ETag of every
    // request, which needs the revision and the number of papers only.
    Result<Info> info(bool with_bytes = true) {
        return with_retry([&]() -> Result<Info> {
            reopen();
            Info i;
            i.path = path;
            i.documents = db.get_doccount();
            if (cluster) {
                // Xapian's remote backend gives no revision, nor the size of the files.
                i.shards = cluster->config().shards.size();
                i.missing_shards = cluster->missing();
                return i;
            }
            if (db.size() == 1 && !with_bytes) {
                i.revision = db.get_revision();
                return i;
            }
            namespace fs = std::filesystem;
            std::error_code ec;
            fs::path dir = fs::canonical(path, ec);
            Result<unsigned> n = shards::count(dir.string());
            if (db.size() == 1) {
                i.revision = db.get_revision();
            } else if (n.is_ok() && n.value() == db.size()) {
                // A sharded index: Xapian 1.4 gives a revision for one database only; the sum of the
                // shards' revisions grows with every commit, as indexer/stats.h says.
                i.shards = n.value();
                for (unsigned k = 0; k < n.value(); ++k)
                    i.revision += Xapian::Database((dir / shards::shard_name(k)).string()).get_revision();
            } else {
                i.shards = static_cast<unsigned>(db.size());  // a stub file of another kind: no revision
            }
            if (with_bytes && !ec && fs::is_directory(dir, ec))
                for (const auto& entry : fs::recursive_directory_iterator(dir, ec))
                    if (entry.is_regular_file(ec)) i.bytes += entry.file_size(ec);
            return i;
        });
    }
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::open(const std::string& path, EngineLimits limits,
                                             std::shared_ptr<const RankingParams> ranking,
                                             std::shared_ptr<SharedTranslator> translator) {
    auto open_once = [&]() -> Result<std::unique_ptr<Engine>> {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec))
            return Status(ErrorCode::kNotFound, "no index at " + path + " (create one with: abstrakt-index --db " + path + " add FILE)");
        auto impl = std::make_unique<Impl>();
        impl->path = path;
        impl->limits = limits;
        impl->ranking = ranking;
        impl->translator = translator;
        if (is_cluster_file(path)) {
            Result<ClusterConfig> config = ClusterConfig::load(path);
            if (!config.is_ok()) return config.status();
            impl->cluster = std::make_unique<ClusterConnection>(std::move(config.value()));
            // Each shard's schema version is checked as its replica is opened (cluster.h).
            Result<Info> first = impl->info();
            if (!first.is_ok()) return first.status();
            return std::unique_ptr<Engine>(new Engine(std::move(impl)));
        }
        impl->db = Xapian::Database(path);
        if (std::string wrong = schema::version_mismatch(impl->db, path); !wrong.empty())
            return Status(ErrorCode::kUnavailable, wrong);
        return std::unique_ptr<Engine>(new Engine(std::move(impl)));
    };
    // Opening reads the root blocks as a reopen does: a worker opens a generation on its first request
    // after a switch, maybe while the next sync commits to it (read_with_retry, engine.h).
    return guarded(path, [&]() { return read_with_retry(open_once, limits.time_budget_s); });
}

Result<SearchResponse> Engine::search(const SearchRequest& request) { return impl_->search(request); }

Result<SearchResponse> Engine::similar(const std::string& id, uint64_t offset, uint64_t limit) {
    return impl_->similar(id, offset, limit);
}
Result<std::vector<std::string>> Engine::suggest(std::string_view text, size_t limit) { return impl_->suggest(text, limit); }
Result<Record> Engine::paper(const std::string& id) { return impl_->paper(id); }
Result<Engine::Info> Engine::info() { return impl_->info(); }
Result<Engine::Info> Engine::revision() { return impl_->info(false); }

}  // namespace abstrakt
