// Measuring cross-language retrieval before the query plan translates (docs/cross-language.md):
// each query word and its translations (common/translator.h) as one weighted OR, straight through
// Xapian's BM25 over the index abstrakt-eval builds for a BEIR collection (eval/run.h), scored
// with MRR@10, nDCG@10 and Recall@100 against the collection's qrels.
//
//   query = OR( own words,  SCALE_WEIGHT(alpha, OR( SCALE_WEIGHT(w_i, target_i) ... )) )
//
// An own word is its folded form (unprefixed terms) OR its English stem ("Z" + stem); a target is
// the AND of its stems' terms ("language model" -> Zlanguag AND Zmodel), or for a Chinese target
// its words. w_i is the translation's weight, scaled as `norm` says.
#ifndef ABSTRAKT_EVAL_XLANG_H
#define ABSTRAKT_EVAL_XLANG_H

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/translator.h"
#include "eval/run.h"

namespace abstrakt::eval {

struct XlangOptions {
    EvalOptions base;                 // dir, split, lang, cache, rebuild, report, progress
    const Translator* translator = nullptr;  // nullptr: no translation (the words alone)
    size_t top_k = 3;                 // translations per word
    double alpha = 1.0;               // weight of the translated part against the own words
    // How a word's translation weights are scaled: as the Translator gives them, so that they sum
    // to 1, or so that the most probable one weighs 1 (a word counts fully through its best sense).
    enum class Norm { kNone, kSum, kMax };
    Norm norm = Norm::kNone;
    std::string query_lang;           // "" = infer per word
    bool prior = true;                // weigh senses by the index's document frequency (TargetPrior)
    // Told each query's translations (abstrakt-xeval --explain).
    std::function<void(const std::string& query_id, const std::string& text, const std::vector<SpanTranslation>&)> explain;
};

struct XlangResult {
    std::vector<std::string> query_ids;
    std::vector<double> rr10, ndcg10, recall100;
    uint64_t documents = 0;
    uint64_t translated = 0;  // query words (or phrases) that had a translation, over all queries
    double query_seconds = 0;
};

Result<XlangResult> run_xlang(const XlangOptions& options);

}  // namespace abstrakt::eval

#endif  // ABSTRAKT_EVAL_XLANG_H
