// Retrieval metrics and the paired significance test that abstrakt-eval reports.
//
// Conventions (docs/relevance.md repeats them):
// - A ranking is evaluated in the order the system returned it. Scores are not consulted, so equal
//   scores never reorder anything (trec_eval would re-sort by score and break ties by document id;
//   the run files abstrakt-eval writes carry rank-derived scores, so trec_eval sees the same order).
// - A grade <= 0 is not relevant. Gains are linear in the grade (trec_eval's and pytrec_eval's
//   ndcg_cut, which BEIR reports), discounted by log2(rank + 1).
// - A document id that occurs again further down a ranking is ignored there (counted once).
// - A query whose judgements have no grade > 0 cannot be scored: callers skip it (has_relevant), as
//   trec_eval and BEIR do. A query that was run and returned nothing scores 0 on every metric and
//   counts in the means (trec_eval -c).
#ifndef ABSTRAKT_EVAL_METRICS_H
#define ABSTRAKT_EVAL_METRICS_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace abstrakt::eval {

// The judgements of one query: document id -> grade. Documents not listed are not relevant.
using Judgements = std::unordered_map<std::string, int>;

// Document ids, best first.
using Ranking = std::vector<std::string>;

// True when some document has a grade > 0.
bool has_relevant(const Judgements& judged);

// nDCG@k: DCG of the first k documents, sum of grade / log2(rank + 1), divided by the DCG of the
// ideal ranking (every judged grade, highest first, cut at k). 0 when there is nothing relevant.
double ndcg_at(const Ranking& ranking, const Judgements& judged, size_t k);

// Recall@k: relevant documents among the first k, divided by all relevant documents. 0 when there
// are none.
double recall_at(const Ranking& ranking, const Judgements& judged, size_t k);

// Reciprocal rank cut at k: 1 / the rank of the first relevant document if it is within the first k,
// else 0. Its mean over queries is MRR@k.
double reciprocal_rank_at(const Ranking& ranking, const Judgements& judged, size_t k);

// The arithmetic mean; 0 for no values.
double mean(const std::vector<double>& values);

// Two-sided paired randomisation (sign-flip) test of the mean difference between `a` and `b`, which
// hold one score per query for two systems, in the same query order (sizes must match; a mismatch
// returns 1). Under the null hypothesis each query's difference a[i] - b[i] is as likely to have
// the other sign. The p-value is the share of sign assignments whose |sum of differences| is at
// least the observed one:
// - when 2^n <= permutations, all 2^n assignments are enumerated and the p-value is exact;
// - otherwise `permutations` assignments are drawn with std::mt19937_64 seeded with `seed` (the same
//   answer on every platform) and p = (hits + 1) / (permutations + 1), counting the observed
//   assignment, so p is never 0.
// Identical systems (every difference 0) and n = 0 give p = 1.
double paired_randomisation_p(const std::vector<double>& a, const std::vector<double>& b,
                              uint32_t permutations = 10000, uint64_t seed = 20240229);

}  // namespace abstrakt::eval

#endif  // ABSTRAKT_EVAL_METRICS_H
