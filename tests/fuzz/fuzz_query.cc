// Fuzz target: the query plan and its builder (searcher/plan.h, searcher/builder.h) on any bytes, with the analyser it
// runs on every word, against a small real index (fuzz_index.h) with a German compound splitter.
//
// Checks, beyond not crashing, hanging or throwing (make_plan promises that syntax errors are
// notices, never errors or exceptions):
// - invalid UTF-8 and queries longer than QueryLimits::max_bytes are refused; any other query parses,
//   or is refused for having too many words;
// - a plan says `nothing` exactly when both its Xapian queries are empty, and two tiers exactly when
//   the builder makes two different queries of it; it prints; its notices and
//   the words and stems it highlights are valid UTF-8 (they go into JSON answers), and a compound
//   part to highlight lies inside its compound;
// - both Xapian queries run on the index (through the abstract filter's posting source too).
#include <xapian.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/analysis.h"
#include "searcher/builder.h"
#include "searcher/plan.h"
#include "tests/fuzz/fuzz_index.h"
#include "tests/fuzz/fuzz_util.h"

using namespace abstrakt;

namespace {

// Longer inputs are cut: make_plan refuses anything over QueryLimits::max_bytes (4,096) at once,
// and that refusal is reached well within this.
constexpr size_t kMaxInput = 16 << 10;

void run(Xapian::Database& db, const Xapian::Query& q) {
    Xapian::Enquire enquire(db);
    enquire.set_query(q);
    Xapian::MSet mset = enquire.get_mset(0, 10);
    FUZZ_CHECK(mset.size() <= db.get_doccount(), "more hits than papers");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Analyzer analyzer;
    static fuzz::SmallIndex index(analyzer);
    const std::string_view text(reinterpret_cast<const char*>(data), size < kMaxInput ? size : kMaxInput);
    QueryContext context;
    context.stem_langs = {"de", "en", "zh"};  // the languages of the index
    context.compounds = &index.compounds;
    const QueryLimits limits;

    Result<QueryPlan> parsed = make_plan(text, analyzer, context, limits);
    if (!valid_utf8(text) || text.size() > limits.max_bytes) {
        FUZZ_CHECK(!parsed.is_ok(), "accepted a query that is not UTF-8 or too long");
        return 0;
    }
    if (!parsed.is_ok()) {
        FUZZ_CHECK(parsed.message().find("words") != std::string::npos, "refused: " + parsed.message());
        return 0;
    }
    const QueryPlan& plan = parsed.value();
    const TierQueries q = build_tiers(plan, IndexParams{});
    FUZZ_CHECK(plan.nothing == (q.all.empty() && q.some.empty()), "nothing but a query, or no query but not nothing");
    FUZZ_CHECK(plan.nothing || (!q.all.empty() && !q.some.empty()), "one of the two queries is empty");
    FUZZ_CHECK(plan.two_tiers || plan.nothing ||
                   build_tier(plan, IndexParams{}, false).get_description() == q.all.get_description(),
               "one tier planned, but the some-words query differs");
    FUZZ_CHECK(!plan.two_tiers || build_tier(plan, IndexParams{}, false).get_description() != q.all.get_description(),
               "two tiers planned, but they are the same query");
    FUZZ_CHECK(!plan.print().empty(), "a plan that prints nothing");
    for (const Notice& n : plan.notices) FUZZ_CHECK(valid_utf8(n.message), "notice not UTF-8: " + fuzz::show(n.message));
    for (const auto* terms : {&q.match.forms, &q.match.stems})
        for (const auto& [term, group] : *terms) FUZZ_CHECK(!term.empty() && valid_utf8(term), "highlight " + fuzz::show(term));
    for (const auto& [compound, parts] : q.match.parts)
        for (const MatchTerms::Part& p : parts)
            FUZZ_CHECK(p.begin < p.end && p.end <= compound.size(), "compound part outside " + fuzz::show(compound));
    for (const std::string& w : plan.proximity) FUZZ_CHECK(!w.empty() && valid_utf8(w), "proximity word " + fuzz::show(w));
    if (!plan.nothing) {
        run(index.db, q.all);
        run(index.db, q.some);
    }
    return 0;
}
