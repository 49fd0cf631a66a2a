#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <unordered_set>

namespace abstrakt::eval {

namespace {

int grade_of(const Judgements& judged, const std::string& id) {
    auto it = judged.find(id);
    return it == judged.end() ? 0 : std::max(0, it->second);
}

// Calls f(rank, grade) for the first k distinct documents of the ranking, rank counting from 1.
template <class F>
void walk(const Ranking& ranking, const Judgements& judged, size_t k, F&& f) {
    std::unordered_set<std::string> seen;
    size_t rank = 0;
    for (const std::string& id : ranking) {
        if (rank >= k) break;
        if (!seen.insert(id).second) continue;  // a repeat is ignored
        ++rank;
        if (!f(rank, grade_of(judged, id))) break;
    }
}

double discount(size_t rank) { return std::log2(static_cast<double>(rank) + 1.0); }

}  // namespace

bool has_relevant(const Judgements& judged) {
    for (const auto& [id, grade] : judged)
        if (grade > 0) return true;
    return false;
}

double ndcg_at(const Ranking& ranking, const Judgements& judged, size_t k) {
    std::vector<int> grades;
    for (const auto& [id, grade] : judged)
        if (grade > 0) grades.push_back(grade);
    std::sort(grades.begin(), grades.end(), std::greater<>());
    double ideal = 0;
    for (size_t i = 0; i < grades.size() && i < k; ++i) ideal += grades[i] / discount(i + 1);
    if (ideal <= 0) return 0;
    double dcg = 0;
    walk(ranking, judged, k, [&](size_t rank, int grade) {
        dcg += grade / discount(rank);
        return true;
    });
    return dcg / ideal;
}

double recall_at(const Ranking& ranking, const Judgements& judged, size_t k) {
    size_t relevant = 0;
    for (const auto& [id, grade] : judged)
        if (grade > 0) ++relevant;
    if (relevant == 0) return 0;
    size_t found = 0;
    walk(ranking, judged, k, [&](size_t, int grade) {
        if (grade > 0) ++found;
        return true;
    });
    return static_cast<double>(found) / static_cast<double>(relevant);
}

double reciprocal_rank_at(const Ranking& ranking, const Judgements& judged, size_t k) {
    double rr = 0;
    walk(ranking, judged, k, [&](size_t rank, int grade) {
        if (grade <= 0) return true;
        rr = 1.0 / static_cast<double>(rank);
        return false;
    });
    return rr;
}

double mean(const std::vector<double>& values) {
    if (values.empty()) return 0;
    double sum = 0;
    for (double v : values) sum += v;
    return sum / static_cast<double>(values.size());
}

double paired_randomisation_p(const std::vector<double>& a, const std::vector<double>& b, uint32_t permutations,
                              uint64_t seed) {
    if (a.size() != b.size() || a.empty()) return 1;
    std::vector<double> d(a.size());
    double observed = 0, magnitude = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        d[i] = a[i] - b[i];
        observed += d[i];
        magnitude += std::fabs(d[i]);
    }
    observed = std::fabs(observed);
    if (magnitude == 0) return 1;
    // Sums taken in another order may differ in the last bits: an assignment as extreme as the
    // observed one must not be missed for that.
    const double tolerance = 1e-9 * magnitude;
    auto extreme = [&](double sum) { return std::fabs(sum) >= observed - tolerance; };

    const size_t n = d.size();
    if (n < 63 && (uint64_t{1} << n) <= permutations) {
        const uint64_t total = uint64_t{1} << n;
        uint64_t hits = 0;
        for (uint64_t signs = 0; signs < total; ++signs) {
            double sum = 0;
            for (size_t i = 0; i < n; ++i) sum += (signs >> i & 1) ? -d[i] : d[i];
            if (extreme(sum)) ++hits;
        }
        return static_cast<double>(hits) / static_cast<double>(total);
    }
    // mt19937_64's output sequence is fixed by the standard; the distributions are not, so bits are
    // taken from the raw output.
    std::mt19937_64 rng(seed);
    uint64_t hits = 0;
    for (uint32_t p = 0; p < permutations; ++p) {
        double sum = 0;
        uint64_t bits = 0;
        for (size_t i = 0; i < n; ++i) {
            if (i % 64 == 0) bits = rng();
            sum += (bits >> (i % 64) & 1) ? -d[i] : d[i];
        }
        if (extreme(sum)) ++hits;
    }
    return static_cast<double>(hits + 1) / (static_cast<double>(permutations) + 1);
}

}  // namespace abstrakt::eval
