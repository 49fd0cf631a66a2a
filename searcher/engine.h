// Searching one index: the per-thread Database and Enquire, the one place for reopen-and-retry,
// filters, sorts, result tiers, and turning matches into hits with titles and snippets.
#ifndef ABSTRAKT_SEARCHER_ENGINE_H
#define ABSTRAKT_SEARCHER_ENGINE_H

#include <xapian.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/record.h"
#include "common/result.h"
#include "common/status.h"
#include "common/ranking.h"
#include "searcher/builder.h"
#include "searcher/plan.h"

namespace abstrakt {

class SharedTranslator;  // searcher/translate_plan.h

enum class SortOrder { kRelevance, kDate, kUpvotes };

// "relevance", "date" or "upvotes"; nullopt otherwise.
std::optional<SortOrder> parse_sort(std::string_view name);

struct SearchRequest {
    std::string query;        // the query syntax of searcher/plan.h; may be empty when filters are given
    std::string lang;         // a language code to restrict to, or ""
    SortOrder sort = SortOrder::kRelevance;
    uint64_t offset = 0;
    uint64_t limit = 10;
    // Filters beside the query syntax (the HTTP parameters from, to, cat, author). A request with
    // filters and no query lists the matching papers, newest first.
    std::string from, to;                 // dates, inclusive: YYYY, YYYY-MM or YYYY-MM-DD; "" is open
    std::vector<std::string> categories;  // papers in any of them
    std::string author;                   // words of an author's name, all required
    bool facets = false;                  // count languages, years and categories over all matches
    bool spelling = true;                 // offer a corrected query when few papers match
    bool prefix = true;                   // the word being typed is also searched as its completions
    bool typos = true;                    // misspelt words are also searched as their corrections
    bool explain = false;                 // give each hit an Explanation (explain_match below), and the plan
    // Kept for old clients; no longer changes anything: every total is exact up to
    // RankingParams::count_to (SearchResponse::total).
    bool exact_total = false;
    // The query-time ranking parameters of this request; nullptr: the engine's (Engine::open).
    std::shared_ptr<const RankingParams> ranking;
    // Cross-language search (docs/cross-language.md): words also searched translated into the
    // index's other languages where that can help (searcher/translate_plan.h), when the engine has a
    // Translator; `query_lang`, a language code, says what language the query's words are in ("":
    // inferred per word). false: searched exactly as typed.
    bool translate = true;
    std::string query_lang;
};

struct EngineLimits {
    uint64_t max_limit = 100;
    uint64_t max_offset = 10000;  // deeper pages cost more than they are worth
    size_t max_suggestions = 20;
    // Matching stops after this many seconds and returns what it found (totals become estimates).
    double time_budget_s = 2.0;
    QueryLimits query;
};

// ---- Reading an index that a writer commits to ----
//
// Xapian 1.4's glass backend keeps no old revision for readers: once a writer has committed after the
// revision a reader has open, the writer may reuse that revision's blocks, and the reader's next read of
// such a block fails. Every Engine request goes through read_with_retry, with a `read` that starts by
// reopening the database at its newest revision and does the whole request from there, so a retried
// request answers from one revision, never from two. Two errors are retried:
// - DatabaseModifiedError, Xapian's error for this: at least three attempts, and more while less than
//   `budget_s` seconds have passed since the first. Three alone were too few under load while a writer
//   committed every few tens of milliseconds (`abstrakt-index add --batch 1`): 503 "the index changed
//   three times during one search" (scripts/bench/reindex-load's storm, docs/reliability.md). Then
//   kUnavailable, "the index changed N times during one request".
// - DatabaseCorruptError, at most three attempts: (re)opening reads the revision from the version file
//   and then each table's root block, and when the writer commits twice in between it may have reused
//   that block for one of another level; glass then throws "Expected block N to be level L, not M" (its
//   level check comes before its revision check there), though the index is sound. This reached clients
//   as 503 "index ... is corrupt" under the same storm. An index that is really corrupt fails every
//   attempt; the last error is thrown.
template <class F>
auto read_with_retry(F&& read, double budget_s) -> decltype(read()) {
    const auto start = std::chrono::steady_clock::now();
    int corrupt = 0;
    for (int attempt = 1;; ++attempt) {
        try {
            return read();
        } catch (const Xapian::DatabaseModifiedError&) {
            const std::chrono::duration<double> spent = std::chrono::steady_clock::now() - start;
            if (attempt >= 3 && spent.count() >= budget_s)
                return Status(ErrorCode::kUnavailable,
                              "the index changed " + std::to_string(attempt) + " times during one request; try again");
        } catch (const Xapian::DatabaseCorruptError&) {
            if (++corrupt == 3) throw;
        }
    }
}

// ---- Explaining a score ----
//
// The field a term is indexed in, from its prefix (common/schema.h): "any" for unprefixed words,
// "title", "author", "stem" / "stem:title" for "Z" + stem of those
// spaces, "id", "category", "lang", "year", "title pair" (two adjacent title words); "other" for a
// prefix the schema does not have or that is never searched (display forms).
std::string term_field(std::string_view term);

// How `query` weighs document `did` of `db` under `weighting`, term by term. Engine::search calls it
// for each hit when SearchRequest::explain is set (with the engine's own weighting scheme, whatever
// its parameters); it is public for the tests.
//
// What the numbers are: each row's weight is computed by Xapian itself, not re-derived: the row's
// subquery (a term, a synonym group, an opaque subquery) is run alone, restricted to this one
// document, with the same weighting scheme. A term's weight depends only on the collection's
// statistics, the term's frequency, its wdf here, this document's length and its wqf, so it is the
// same alone as inside the whole query. The engine weighs with IneB2 (DFR); the tests work out by
// hand BM25 (Xapian 1.4), where
//   idf = ln(r) with r = (N - tf + 0.5) / (tf + 0.5), r replaced by r/2 + 1 when below 2
//   weight = (k1 + 1) * idf * wdf / (k1 * (b * max(len / avg_len, min_normlen) + 1 - b) + wdf)
// times (k3 + 1) * wqf / (k3 + wqf) (1 for a word given once) and any OP_SCALE_WEIGHT factors.
// The tree of the query is walked as Xapian's matcher sums it: OR, AND, XOR and AND_MAYBE add the
// weights of their subqueries that match this document (each checked by running it, so a term of an
// AND or a phrase that does not match as a whole contributes nothing); AND_NOT and FILTER count
// only their left side (FILTER's other terms are listed with kind "filter" and weight 0); a PHRASE or
// NEAR that matches adds the weights of its terms (kind "phrase").
//
// Limits:
// - OP_SYNONYM is weighted by Xapian as one term whose wdf is the sum of its members' and whose
//   frequency is an estimate from theirs; it is one row (kind "synonym"), never split per member.
// - A term that occurs several times in the query (a word alone and inside a synonym group, or in a
//   phrase boost) has one row per occurrence: each occurrence is weighted separately and all add up.
// - OP_SCALE_WEIGHT's factor is not readable through Xapian 1.4's API: it is measured as the ratio
//   of the scaled subquery's weight to its child's here (row field `factor`).
// - OP_MAX, OP_ELITE_SET, OP_WILDCARD, OP_EDIT_DISTANCE, posting sources and anything else have no
//   term-by-term breakdown: one row of kind "other" with the subquery's whole weight.
// - A per-document extra weight (BM25's k2, which is 0 in the engine) depends on the whole query's
//   length and is in no row: it would show in `unexplained`.
// - Engine::search takes the hit's weight from the MSet of the full match. Until the phrase boosts
//   became one AND_MAYBE each (searcher/builder.h), Xapian 1.4.22 gave some papers 2 to 15 more there
//   than the rows add up to: it weighs `base AND_MAYBE (phrase OR phrase)` wrongly, and differently
//   along different match paths (tests/test_shards.cc). Any such difference is shown in
//   `unexplained`, not spread over the rows.
// - The proximity and coverage bonuses of a long query (searcher/engine.cc: proximity rerank) are
//   added by Engine::search after the match; explain_match leaves them at 0, the engine fills them in.
// `score` is Xapian's weight of the document under the whole query run on it alone (0 when it does not
// match), and `unexplained` is score minus the rows' weights: 0 up to rounding (about 1e-12) unless one
// of the cases above applies. `tier` is left empty.
Explanation explain_match(const Xapian::Database& db, const Xapian::Weight& weighting, const Xapian::Query& query,
                          Xapian::docid did);

// Not thread-safe: give each thread its own Engine (they may share the index path).
class Engine {
  public:
    // Opens the index at `path` read-only: an index folder (one database or shards, common/shards.h),
    // a Xapian stub file, or a cluster file (searcher/cluster.h; its shards are connected to at once,
    // and again on each request for those that did not answer). Errors: kNotFound (no index there),
    // kUnavailable (not readable, corrupt, written by another schema version, or no shard of a
    // cluster answers), kInvalidArgument (a cluster file that does not parse).
    // `ranking`: the query-time ranking parameters of every request that brings none; nullptr: the
    // defaults. (The index-time ones are the index's own, read from its metadata.)
    // `translator`: translates queries (SearchRequest::translate), loaded when a query first needs it
    // and shared by engines (SharedTranslator::process() in the programs); nullptr: no translation.
    // German compounds then also split into its dictionary's nouns ("Gewichte" finds
    // "Modellgewichte"), for queries it is loaded for.
    static Result<std::unique_ptr<Engine>> open(const std::string& path, EngineLimits limits = {},
                                                std::shared_ptr<const RankingParams> ranking = nullptr,
                                                std::shared_ptr<SharedTranslator> translator = nullptr);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Runs a search. Each search first reopens the index at its newest committed revision.
    // Errors: kInvalidArgument (a bad language code, limit or offset beyond the limits, a query that
    // is not UTF-8, too long or has too many words), kUnavailable (the index failed).
    //
    // Relevance order puts papers that match every juxtaposed word first, then papers that match
    // some; date and upvote orders list only papers that match every word, or, when there are none,
    // those that match some (with a notice). A query with only filters lists papers newest first.
    // With request.explain each hit has an Explanation of the query that found it, with its tier
    // ("all" or "some" words) when the query had two.
    Result<SearchResponse> search(const SearchRequest& request);

    // Papers like the one with this id: Xapian relevance feedback over its terms, the paper itself
    // excluded, in the shape of a search response (query "similar:ID"). Errors: kNotFound for an
    // unknown id, kInvalidArgument for limit or offset beyond the limits.
    Result<SearchResponse> similar(const std::string& id, uint64_t offset, uint64_t limit);

    // Completions for type-ahead: the last word of `text` taken as a prefix of indexed words, the
    // most frequent first, each returned as the whole text with that word completed. At most
    // `limit` (1 to 20); a bounded number of candidate words is looked at, so a one-letter prefix
    // stays fast. Errors: kInvalidArgument for text that is not UTF-8 or too long.
    Result<std::vector<std::string>> suggest(std::string_view text, size_t limit);

    // The stored record with this id. kNotFound when there is none.
    Result<Record> paper(const std::string& id);

    struct Info {
        std::string path;
        // Xapian's revision; for a sharded index the sum of its shards' (indexer/stats.h); 0 over a
        // cluster file or a stub file, for which Xapian gives none.
        uint64_t revision = 0;
        uint64_t documents = 0;
        uint64_t bytes = 0;  // size of the index's files (0 over a cluster file)
        unsigned shards = 1;
        std::vector<std::string> missing_shards;  // over a cluster file: shards with no replica answering
    };
    // The index as of its newest revision (this reopens it).
    Result<Info> info();
    // As info() without the size of the files (`bytes` 0): what an ETag needs, without the walk over
    // the index's files that info() makes.
    Result<Info> revision();

  private:
    struct Impl;
    explicit Engine(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace abstrakt

#endif  // ABSTRAKT_SEARCHER_ENGINE_H
