// One evaluation run of abstrakt-eval: load a BEIR collection, build (or reuse) an Abstrakt index and
// an FTS5 index of its corpus, run every judged query through both, score them and compare.
//
// Abstrakt is driven as a user would drive it: each BEIR document becomes a Record (id = _id, title
// and abstract in the corpus language) upserted through IndexWriter; each query goes through
// Engine::search with relevance order, the top 100 asked for, and no spelling suggestion (it only
// adds a "did you mean" and costs a lookup). The engine has no switch for snippets: every hit is
// built with its title choice and snippet, as for a user, and that time is in the query times.
//
// Caching: indexes live under the cache directory in a folder named after the collection, keyed by
// the corpus file's canonical path, size and modification time, the index schema version
// (common/schema.h), the corpus language, kRecordMappingVersion and the index-time ranking parameters. A second run with the same key
// reuses them; --rebuild (EvalOptions::rebuild) builds them again. Indexes are built under a
// temporary name and renamed into place when complete, so an interrupted build is never reused.
// A change to the analysis that does not bump the schema version needs rebuild.
#ifndef ABSTRAKT_EVAL_RUN_H
#define ABSTRAKT_EVAL_RUN_H

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ranking.h"
#include "common/status.h"
#include "eval/beir.h"

namespace abstrakt::eval {

// Bump when the way a BEIR document becomes a Record changes: cached indexes are then rebuilt.
inline constexpr int kRecordMappingVersion = 1;

// Results asked of each system per query (Engine's maximum page); Recall@100 needs them all.
inline constexpr size_t kDepth = 100;

struct EvalOptions {
    std::string dir;            // the BEIR directory
    std::string split = "test"; // qrels/<split>.tsv
    std::string lang;           // corpus language tag; "" = detected from the corpus's script
    std::string cache_dir;      // "" = default_cache_dir()
    std::string run_dir = ".";  // where the TREC run files go; "" = write none
    std::string per_query_path; // a TSV of every query's scores (write_per_query); "" = none
    bool rebuild = false;       // build the indexes even when cached ones match
    bool peer = true;           // also evaluate SQLite FTS5
    bool raw_queries = false;   // give Abstrakt the query text as is instead of plain_words() of it
    // Queries are finished: the last word is not completed unless asked (SearchRequest::prefix);
    // misspelt words are corrected as in a search unless turned off.
    bool prefix = false;
    bool typos = true;
    // Cross-language search with the project's default resources (SharedTranslator::process(),
    // docs/cross-language.md); false: every query searched as typed (SearchRequest::translate).
    bool translate = true;
    // Also run every query as typed (translate false) and compare the two, in the peer's place
    // (EvalResult::peer, named "as typed"): FTS5 is then not run.
    bool translate_both = false;
    // Ranking parameters (common/ranking.h): the index-time ones build the index (and are part of the
    // cache key), the query-time ones rank every query.
    RankingParams ranking;
    uint32_t permutations = 10000;
    uint64_t seed = 20240229;
    Report report;  // malformed input lines, judged queries without text, queries a system refused
    std::function<void(const std::string&)> progress;  // what is being done, for a terminal
};

struct SystemRun {
    std::string name;    // "Abstrakt" or "FTS5"
    std::string detail;  // how it was configured, one line
    std::string tag;     // the run file's tag column: "abstrakt", "fts5"
    // One value per evaluated query, in EvalResult::query_ids order.
    std::vector<double> ndcg10, recall100, rr10;
    std::vector<std::vector<std::string>> rankings;  // the ids each query returned, best first, each once
    double index_seconds = 0;  // the build that made the index (also when it came from the cache)
    bool index_cached = false;
    uint64_t indexed = 0;      // documents in the index
    double query_seconds = 0;  // all queries of this run, wall clock
    uint64_t empty = 0;        // queries that returned nothing (they score 0)
    uint64_t refused = 0;      // queries the system answered with an error (reported; they score 0)
    uint64_t repeated = 0;     // queries whose results had a document twice: kept at its first rank
    std::string run_file;      // "" when none was written
};

struct EvalResult {
    std::string dataset;  // the directory's name
    std::string split;
    std::string lang;
    bool lang_detected = false;
    uint64_t documents = 0;        // documents read from corpus.jsonl
    uint64_t judged_queries = 0;   // queries in the qrels split
    uint64_t no_relevant = 0;      // judged queries without a grade > 0: skipped
    uint64_t missing_text = 0;     // judged queries absent from queries.jsonl: reported, skipped
    uint64_t skipped_lines = 0;    // malformed lines of the three files
    std::vector<std::string> query_ids;  // the evaluated queries, in qrels order
    SystemRun abstrakt;
    std::optional<SystemRun> peer;
    // Abstrakt's notices, counted over queries: the text did not parse as query syntax (only with
    // raw_queries); no paper had every word, so only the "some words" tier answered.
    uint64_t unparsed = 0, no_all_words = 0;
    // Per evaluated query: true when no paper had every word (the some-words tier answered alone).
    std::vector<bool> some_words_only;
    // FTS5 with the trigram tokenizer: tokens of 1-2 characters left out, queries left with none.
    uint64_t peer_dropped_tokens = 0, peer_no_token = 0;
    // Two-sided paired randomisation p-values, Abstrakt against the peer.
    double p_ndcg10 = 1, p_recall100 = 1, p_rr10 = 1;
    uint32_t permutations = 0;
    bool raw_queries = false;

    // True when some input was skipped or a query refused: the tool exits 1 then.
    bool partial() const;
};

// Runs the whole evaluation. Errors: kNotFound (the directory, a file or the split is missing),
// kInvalidArgument (an unknown --lang, no documents, no query to evaluate, a run file that cannot be
// written), kLocked / kUnavailable / kInternal (an index could not be built, opened or searched).
Result<EvalResult> run_eval(const EvalOptions& options);

// The Abstrakt index of `data`'s corpus that run_eval uses: reused from the cache when it matches,
// else built there (same key, same mapping). Returns its path. Errors as for run_eval.
Result<std::string> cached_abstrakt_index(const EvalOptions& options, const BeirData& data, const std::string& lang_tag);

// Writes one line per evaluated query, tab-separated, after a header line: query-id, then nDCG@10,
// Recall@100 and RR@10 of Abstrakt and (when evaluated) of the peer, then "all" or "some" (whether
// any paper had every word of the query, or only the some-words tier answered). Errors:
// kInvalidArgument when the file cannot be written.
// Compares two per-query files of the same collection (write_per_query, before and after a change):
// for each of Abstrakt's metrics the two means, the difference and the paired randomisation p-value,
// over the queries both files have, as a table; kInvalidArgument for a file that does not read or
// two files without a query in common.
Result<std::string> compare_per_query(const std::string& before, const std::string& after, uint32_t permutations = 10000);

Status write_per_query(const std::string& path, const EvalResult& result);

// The side-by-side table and the notes, as abstrakt-eval prints them.
std::string format_result(const EvalResult& result);

// The query text made into plain words for Abstrakt's query syntax, so that natural-language text is
// searched for its words and nothing else: quotes and brackets become spaces, a + or - at the start
// of a word is dropped (in "E2f-1, -2, -3" the "-2" would otherwise exclude papers with a 2), AND, OR
// and NOT become the words and, or, not, and every colon becomes a space (so "title:" or "id:"
// cannot turn into a field). Spaces are folded; other characters are kept for the analyzer.
std::string plain_words(std::string_view text);

// The language of a corpus from the script of its first documents (common/lang.h's
// detect_from_script; Latin script gives "en").
std::string detect_corpus_lang(const std::vector<BeirDoc>& corpus);

// $XDG_CACHE_HOME/abstrakt/eval, else $HOME/.cache/abstrakt/eval, else ./.abstrakt-eval-cache.
std::string default_cache_dir();

}  // namespace abstrakt::eval

#endif  // ABSTRAKT_EVAL_RUN_H
