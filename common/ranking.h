// Every ranking constant of Abstrakt as data: one struct with each parameter's default, set by name
// from text ("rerank_depth=30") or JSON, validated, and printed as one flat JSON object. The table of
// parameters with their meaning and the evidence for each default is in docs/relevance.md.
//
// Two kinds:
// - query time (RankingParams): read per request by the searcher; abstrakt-search, abstrakt-serve and
//   abstrakt-eval take them as --ranking NAME=VALUE and --ranking-file FILE;
// - index time (IndexParams: how much each field's words count in a document): fixed when an index is
//   created (abstrakt-index --ranking, abstrakt-eval, where they are part of the cache key), stored in
//   its metadata (schema::kMetaIndexParams) and read from there by the searcher, which needs them to
//   tell a word of the abstract from one of the title (searcher/builder.cc: InAbstract).
#ifndef ABSTRAKT_COMMON_RANKING_H
#define ABSTRAKT_COMMON_RANKING_H

#include <xapian.h>

#include <cstdint>
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace abstrakt {

// The within-document frequency each occurrence of a word adds to the unprefixed term it is indexed
// as, by field. A title word counts title_wdf times, so that under the weighting scheme a word in the
// title weighs more than the same word in the abstract. The paper's id, when it is one word
// ("2402.19173"), is indexed as such a term too, with id_wdf.
struct IndexParams {
    uint32_t title_wdf = 3;
    uint32_t abstract_wdf = 1;
    uint32_t author_wdf = 1;
    uint32_t id_wdf = 1;

    bool operator==(const IndexParams& o) const {
        return title_wdf == o.title_wdf && abstract_wdf == o.abstract_wdf && author_wdf == o.author_wdf && id_wdf == o.id_wdf;
    }
    bool operator!=(const IndexParams& o) const { return !(*this == o); }

    // The metadata value: the flat JSON object of these parameters.
    std::string to_metadata() const;
    // Reads a metadata value; "" (an index written before the parameters were stored) gives the
    // defaults, which every such index was built with. kInvalidArgument for anything else unreadable.
    static Result<IndexParams> from_metadata(std::string_view value);
};

struct RankingParams {
    // The weighting scheme and its parameters, as Xapian names them: "ineb2 1.5" (the default),
    // "bm25 K1 K2 K3 B MIN_NORMLEN", "bm25+ ... DELTA", "pl2 C", "pl2+ C DELTA", "inl2 C", "ifb2 C",
    // "dlh", "dph", "tfidf NORMS", "bool". Missing numbers take Xapian's defaults.
    // Change it through set(), which also makes the scheme (scheme()).
    std::string weighting = "ineb2 1.5";
    // Long (natural-language) queries: this many plain words or more.
    uint32_t long_query_words = 6;
    // Words left out of long queries.
    std::vector<std::string> stop_words = {"a",   "an",    "and",  "are",   "as",    "at",   "be",   "but",  "by",
                                           "for", "if",    "in",   "into",  "is",    "it",   "no",   "not",  "of",
                                           "on",  "or",    "such", "that",  "the",   "their", "then", "there", "these",
                                           "they", "this", "to",   "was",   "will",  "with"};
    // Neighbouring plain words of a short query: at most this many pairs are also searched joined.
    uint32_t max_joins = 8;
    // A German word reaches at most this many compounds that have it as a part.
    uint32_t max_compounds_per_word = 50;
    // Proximity rerank of long queries: the first rerank_depth hits of a tier are rescored.
    uint32_t rerank_depth = 50;
    // Phrase boosts (neighbouring words of a short query) are given to the first this many matches
    // of the query without them, at least to the end of the page; 0: to every match.
    uint32_t phrase_depth = 50;
    uint32_t proximity_window = 10;  // positions
    double proximity_weight = 0.3;   // times the tier's best weight, times the best window's share
    double coverage_weight = 0.3;    // times the tier's best weight, times the share of words present
    // A search that finds fewer papers than this gets a spelling suggestion.
    uint32_t few_results = 5;
    // Totals count the papers the pages list exactly up to this many, and estimate beyond.
    uint32_t count_to = 2000;
    // Similar papers: a paper's this many best expansion terms make the query.
    uint32_t similar_terms = 25;
    // The word being typed (the last, no space after it) is also searched as this many of the index's
    // words that begin with it, most frequent first, with weight x prefix_weight; from prefix_min_chars
    // characters on (a Han character completes from one).
    uint32_t prefix_completions = 10;
    uint32_t prefix_min_chars = 2;
    double prefix_weight = 0.5;
    // Typo tolerance: a word of typo_min_chars characters or more that at most typo_rare papers have
    // (by the word or a stem of it) is also searched as the spelling dictionary's best word one edit
    // away (two from typo_two_edits_chars characters on), when at least typo_ratio times as many papers
    // have that word (as the misspelt one, or as 1 when none has it), with weight x typo_weight.
    uint32_t typo_min_chars = 4;
    uint32_t typo_two_edits_chars = 8;
    uint32_t typo_rare = 2;
    uint32_t typo_ratio = 10;
    double typo_weight = 0.5;
    // Function words, judged by data per language (searcher/engine.cc: FunctionWords): a word in more
    // than this share of the sampled papers of one language. Similar papers: never an expansion term
    // when so in a language of the source paper. Type-ahead: never a completion when so in any language.
    double similar_max_share = 0.3;
    double suggest_max_share = 0.65;
    // Title matches first: each pair of adjacent query words that some title holds together
    // (schema::kPrefixTitlePair) is a boost, its weight times this (0: off).
    double title_pair_weight = 1.0;
    // Cross-language search (searcher/translate_plan.h): how much a translated match counts against a
    // match of the word as typed (times the translation's probability), and how many translations of
    // a word are searched, the most probable first (0: none).
    double translation_weight = 0.8;
    uint32_t translations_per_word = 3;

    IndexParams index;

    // Sets parameter `name` from its text: a number, the scheme's text, or for a list its items
    // separated by commas. kInvalidArgument, saying why, for an unknown name or a value of the wrong
    // kind or out of range; nothing is changed then.
    Status set(std::string_view name, std::string_view value);
    // "NAME=VALUE", as --ranking takes it.
    Status set_assignment(std::string_view assignment);
    // Every member of a JSON object (as --ranking-file holds it), as set() would; the values are JSON
    // numbers, strings or arrays of strings. `origin` names the file in messages.
    Status set_json(const nlohmann::json& object, const std::string& origin);
    Status load_file(const std::string& path);

    // Whether `name` is an index-time parameter.
    static bool index_time(std::string_view name);
    // Every parameter, name to value, in the table's order: query-time ones, then index-time ones.
    nlohmann::ordered_json to_json() const;

    // The weighting scheme (parsed and validated when `weighting` was set). Never null.
    const Xapian::Weight& scheme() const;

    // The names set so far (through set() and what calls it), in the order first set.
    const std::vector<std::string>& given() const { return given_; }

  private:
    Status set_value(const void* param, std::string_view value);  // param: its row of the table (ranking.cc)
    std::shared_ptr<const Xapian::Weight> scheme_;
    std::vector<std::string> given_;
};

// For the programs that search (abstrakt-search, abstrakt-serve): an error naming abstrakt-index when
// `r` was given an index-time parameter, which an index has already been built with.
Status query_time_only(const RankingParams& r);

// Parses a weighting scheme's text (RankingParams::weighting). kInvalidArgument for an unknown scheme
// or parameters Xapian refuses.
Result<std::shared_ptr<const Xapian::Weight>> parse_weighting(std::string_view text);

}  // namespace abstrakt

#endif  // ABSTRAKT_COMMON_RANKING_H
