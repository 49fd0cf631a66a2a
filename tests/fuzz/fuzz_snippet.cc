// Fuzz target: the snippet builder (searcher/snippet.h), with the highlight terms of a real parsed
// query.
//
// Input: a first line "LANG<TAB>QUERY" (or just QUERY, for English), then the passage. The query is
// parsed as the searcher parses it (with the German compound splitter of fuzz_index.h) and the
// passage is analysed once and cut into snippets with the default options and two small windows.
// Checks, beyond not crashing, hanging or throwing:
// - every part of a snippet has text, and when the passage is valid UTF-8 so is every part (a cut
//   inside a character would make the JSON answer fail);
// - the HTML has no tags but <mark> and </mark>, alternating, and no character unescaped that
//   must be; unescaped and without its tags, it is the snippet's plain text;
// - the plain text, without the "…" that marks text left out at either end, is a piece of the
//   passage with its runs of white space folded to one space;
// - a passage with words gives a snippet; the score is at most two points per query word.
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/analysis.h"
#include "common/lang.h"
#include "searcher/builder.h"
#include "searcher/plan.h"
#include "searcher/snippet.h"
#include "tests/fuzz/fuzz_index.h"
#include "tests/fuzz/fuzz_util.h"

using namespace abstrakt;

namespace {

// Longer passages are cut: an abstract is a few kilobytes, and the builder's cost is linear.
constexpr size_t kMaxPassage = 64 << 10;
constexpr std::string_view kEllipsis = "…";

bool is_space_byte(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// Runs of white space as one space, none at either end.
std::string collapse(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (!is_space_byte(c)) out += c;
        else if (!out.empty() && out.back() != ' ') out += ' ';
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// The text of `html` unescaped and without its <mark> tags; aborts on anything else.
std::string check_html(const std::string& html) {
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    std::string text;
    bool open = false;
    for (size_t i = 0; i < html.size();) {
        const std::string_view rest = std::string_view(html).substr(i);
        if (html[i] == '<') {
            const std::string_view tag = open ? "</mark>" : "<mark>";
            FUZZ_CHECK(rest.substr(0, tag.size()) == tag, "unexpected tag in " + fuzz::show(html));
            open = !open;
            i += tag.size();
        } else if (html[i] == '&') {
            bool known = false;
            for (const auto& [entity, c] : kEntities)
                if (rest.substr(0, entity.size()) == entity) {
                    text += c;
                    i += entity.size();
                    known = true;
                    break;
                }
            FUZZ_CHECK(known, "an & that starts no entity in " + fuzz::show(html));
        } else {
            FUZZ_CHECK(html[i] != '>' && html[i] != '"' && html[i] != '\'', "unescaped character in " + fuzz::show(html));
            text += html[i++];
        }
    }
    FUZZ_CHECK(!open, "<mark> not closed in " + fuzz::show(html));
    return text;
}

void check_snippet(const Snippet& snippet, std::string_view passage, const std::string& folded_passage, bool has_words) {
    FUZZ_CHECK(snippet.empty() != has_words, "a snippet without the words of the passage, or of none");
    const bool utf8 = valid_utf8(passage);
    for (const Snippet::Part& p : snippet.parts) {
        FUZZ_CHECK(!p.text.empty(), "an empty part");
        FUZZ_CHECK(!utf8 || valid_utf8(p.text), "a part cut inside a character: " + fuzz::show(p.text));
    }
    const std::string plain = snippet.plain();
    FUZZ_CHECK(check_html(snippet.html()) == plain, "the HTML does not give back the text: " + fuzz::show(plain));
    // Each end may carry a "…" that is not in the passage.
    std::string_view inner = plain;
    const bool lead = inner.substr(0, kEllipsis.size()) == kEllipsis;
    const bool trail = inner.size() >= kEllipsis.size() && inner.substr(inner.size() - kEllipsis.size()) == kEllipsis;
    bool found = false;
    for (int strip = 0; strip < 4 && !found; ++strip) {
        std::string_view s = inner;
        if ((strip & 1) && lead) s.remove_prefix(kEllipsis.size());
        if ((strip & 2) && trail && s.size() >= kEllipsis.size()) s.remove_suffix(kEllipsis.size());
        found = folded_passage.find(s) != std::string::npos;
    }
    FUZZ_CHECK(found, "the snippet is no piece of the passage: " + fuzz::show(plain));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Analyzer analyzer;
    static fuzz::SmallIndex index(analyzer);
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const size_t nl = input.find('\n');
    std::string_view first = input.substr(0, nl);
    std::string_view passage = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
    if (passage.size() > kMaxPassage) passage = passage.substr(0, kMaxPassage);

    // As the engine does: the text's language is a primary subtag, the query's stems those of it.
    std::string lang = "en";
    if (size_t tab = first.find('\t'); tab != std::string_view::npos) {
        if (auto tag = lang::canonical_tag(first.substr(0, tab))) lang = lang::primary(*tag);
        first.remove_prefix(tab + 1);
    }
    QueryContext context;
    context.stem_langs = {lang};
    context.compounds = &index.compounds;
    Result<QueryPlan> parsed = make_plan(first, analyzer, context);
    const MatchTerms match = parsed.is_ok() ? build_tiers(parsed.value(), IndexParams{}).match : MatchTerms();

    std::vector<Token> tokens;
    analyzer.analyze(passage, tokens);
    const bool has_words = !tokens.empty();
    const std::string folded_passage = collapse(passage);

    MatchedText matched(analyzer, passage, lang, match);
    check_snippet(matched.snippet(), passage, folded_passage, has_words);
    check_snippet(matched.snippet({5, 2}), passage, folded_passage, has_words);
    check_snippet(matched.snippet({1, 0}), passage, folded_passage, has_words);
    check_snippet(make_snippet(analyzer, passage, lang, match, {0, 0}), passage, folded_passage, has_words);

    std::set<int> groups;  // the query words (a joined pair of words is one more, -1)
    for (const auto* terms : {&match.forms, &match.stems})
        for (const auto& [term, group] : *terms) groups.insert(group);
    for (const auto& [compound, parts] : match.parts)
        for (const MatchTerms::Part& p : parts) groups.insert(p.group);
    // Each query word counts its weight (MatchTerms::weight, else 1) and 1 more when matched as typed.
    size_t most = 0;
    for (int g : groups) {
        auto w = match.weight.find(g);
        most += (w == match.weight.end() ? 1 : static_cast<size_t>(w->second)) + 1;
    }
    const int score = matched.score();
    FUZZ_CHECK(score >= 0 && static_cast<size_t>(score) <= most,
               "score " + std::to_string(score) + " for " + std::to_string(groups.size()) + " query words");
    return 0;
}
