// Learning a Chinese <-> English word-translation lexicon from records that carry both languages
// (`abstrakt-index lexicon learn`, docs/cross-language.md): the Chinese and English titles of a
// paper are a sentence pair. Both sides are analysed as the index analyses them (common/analysis.h):
//
//   Chinese units: ICU's dictionary words (Han only; Latin words in Chinese text, such as model
//     names, are left out: they match as they are), pairs of adjacent words as one unit
//     ("语言" + "模型" -> "语言模型", for multi-word entries), and optionally the character bigrams
//     of each run of Han characters (a word ICU segments otherwise at query time still meets them).
//   English units: Snowball stems of words that are not function words, and pairs of adjacent ones
//     ("languag model"). Each stem is written out as its most frequent folded form ("language
//     model"): the lexicon holds text, the Translator analyses it again.
//
// Two methods, both over the set of units of each sentence pair:
//   kDice: Dice's coefficient 2 c(z,e) / (c(z) + c(e)), then competitive linking (Melamed 2000):
//     in each pair, the candidate links are taken best-Dice first, each unit linked at most once;
//     p(e | z) = links(z, e) / c(z), and p(z | e) = links(z, e) / c(e) for the other direction.
//   kIbm1: IBM Model 1 (Brown et al. 1993), EM from uniform, with an empty word on the source side;
//     trained once in each direction, t(e | z) and t(z | e).
// A unit must occur in at least `min_count` pairs, and a pair of units co-occur that often.
#ifndef ABSTRAKT_INDEXER_LEXICON_LEARN_H
#define ABSTRAKT_INDEXER_LEXICON_LEARN_H

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/lexicon.h"
#include "common/record.h"
#include "common/status.h"

namespace abstrakt {

struct LearnOptions {
    enum class Method { kDice, kIbm1 };
    Method method = Method::kDice;
    bool zh_bigrams = false;    // Chinese character bigrams beside the words (measured: no better, docs/cross-language.md)
    bool phrases = true;        // adjacent word pairs as units on both sides
    bool summaries = false;     // also the Chinese summary beside the English abstract (first sentences)
    uint32_t min_count = 2;
    int iterations = 5;         // kIbm1
    size_t top_k = 6;           // translations kept per source
    double min_prob = 0.02;     // translations below this are dropped
    std::unordered_set<std::string> holdout;  // ids of records left out
};

struct ParallelText {
    std::string zh, en;
};

struct LearnStats {
    uint64_t records = 0;   // read
    uint64_t pairs = 0;     // sentence pairs learned from
    uint64_t held_out = 0;  // records left out by id
    uint64_t skipped = 0;   // malformed lines
};

// Appends the sentence pairs of one record to `out` (nothing when its id is held out).
void add_parallel(const Record& record, const LearnOptions& options, LearnStats& stats, std::vector<ParallelText>& out);

// The sentence pairs of the records of `paths` (JSON Lines, gzip or not): each record with a
// Chinese and an English title gives one; with options.summaries, also its Chinese summary and
// English abstract (their first 300 and 600 bytes). Malformed lines are told to `report` and skipped.
// Errors: kNotFound / kUnavailable for a file that cannot be read.
Result<std::vector<ParallelText>> read_parallel(const std::vector<std::string>& paths, const LearnOptions& options,
                                                LearnStats& stats, const std::function<void(const std::string&)>& report);

struct LearnedLexicons {
    Lexicon zh_en{"zh", "en"};
    Lexicon en_zh{"en", "zh"};
};

// Learns both directions from `pairs`.
LearnedLexicons learn_lexicon(const std::vector<ParallelText>& pairs, const LearnOptions& options,
                              const std::function<void(const std::string&)>& progress = {});

}  // namespace abstrakt

#endif  // ABSTRAKT_INDEXER_LEXICON_LEARN_H
