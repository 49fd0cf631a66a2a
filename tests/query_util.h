// Test helpers over the query plan and its builder: the plan of a query with the Xapian queries of its
// tiers, and questions the tests ask of a plan's structure.
#ifndef ABSTRAKT_TESTS_QUERY_UTIL_H
#define ABSTRAKT_TESTS_QUERY_UTIL_H

#include <string_view>

#include "common/ranking.h"
#include "searcher/builder.h"
#include "searcher/plan.h"

namespace abstrakt::test {

// A query's plan and what the builder makes of it with the default index parameters.
struct Compiled {
    QueryPlan plan;
    Xapian::Query strict;  // the all-words tier
    Xapian::Query loose;   // the some-words tier
    MatchTerms match;
};

inline Result<Compiled> compile_query(std::string_view q, Analyzer& analyzer, const QueryContext& context,
                                      const QueryLimits& limits = {}) {
    Result<QueryPlan> plan = make_plan(q, analyzer, context, limits);
    if (!plan.is_ok()) return plan.status();
    TierQueries t = build_tiers(plan.value(), IndexParams{});
    return Compiled{std::move(plan.value()), t.all, t.some, std::move(t.match)};
}

// Whether the plan searches any phrase: a quoted one, a phrase boost of joined neighbours, or the
// phrase of a word the analyzer split (a hyphenated chain, Chinese words) outside natural language.
inline bool has_phrase(const Clause& c) {
    switch (c.kind) {
        case Clause::Kind::kPhrase: return c.words.size() >= 2;
        case Clause::Kind::kWord: return c.words.size() >= 2 && !c.natural && !c.stop;
        case Clause::Kind::kFilter: return false;
        case Clause::Kind::kAnyOf:
        case Clause::Kind::kAllOf:
            if (!c.joins.empty()) return true;
            for (const Clause& k : c.children)
                if (!k.stop && has_phrase(k)) return true;
            return false;
    }
    return false;
}

// Whether any clause of the plan has modifier `m`.
inline bool has_modifier(const Clause& c, Modifier m) {
    if (c.mod == m) return true;
    for (const Clause& k : c.children)
        if (has_modifier(k, m)) return true;
    return false;
}

}  // namespace abstrakt::test

#endif  // ABSTRAKT_TESTS_QUERY_UTIL_H
