// Snippets built from the same analysis that indexed the text, so that every matched form (stems,
// folded accents, Chinese words, joined hyphenations) is highlighted. Not MSet::snippet, which
// re-tokenises with Xapian's own rules.
#ifndef ABSTRAKT_SEARCHER_SNIPPET_H
#define ABSTRAKT_SEARCHER_SNIPPET_H

#include <memory>
#include <optional>
#include <string_view>

#include "common/analysis.h"
#include "common/result.h"
#include "searcher/builder.h"

namespace abstrakt {

struct SnippetOptions {
    size_t window_words = 32;  // words in the passage
    size_t lead_words = 4;     // words of context kept before the first match when the passage moves
};

// A text analysed once against a query, for both its score and its snippet. Keeps a view of
// `text`, which must outlive it.
class MatchedText {
  public:
    MatchedText(Analyzer& analyzer, std::string_view text, std::string_view lang, const MatchTerms& match);
    ~MatchedText();
    MatchedText(MatchedText&&) noexcept;
    MatchedText& operator=(MatchedText&&) noexcept;

    int score() const;                                         // as match_score()
    Snippet snippet(const SnippetOptions& options = {}) const;  // as make_snippet()
    Snippet whole() const;  // the whole text, white space folded, every matching word marked (titles)

    struct Analysed;  // defined in snippet.cc

  private:
    std::string_view text_;
    std::unique_ptr<Analysed> a_;
    int score_ = 0;
};

// How well `text` (in language `lang`, a primary subtag) matches the query: one point for each
// distinct query word it matches (a German word that splits, more than all its parts together:
// MatchTerms::weight), and one more for each it matches as typed rather than only by stem. The searcher picks the title and abstract language with it: "linear attention" prefers the
// English title "Simple linear attention ..." (4 points) to the German "Einfache lineare Attention-
// Sprachmodelle ..." (3 points: "lineare" matches by stem only).
int match_score(Analyzer& analyzer, std::string_view text, std::string_view lang, const MatchTerms& match);

// The highest score match_score() can give any text for `match`: every query word matched as typed.
// A text that has it cannot be beaten, so the others need not be scored.
int best_possible_score(const MatchTerms& match);

// Which text the words of a query can match at all. A word of Han or kana (ICU's dictionary
// segmentation, the costliest part of the analysis) only ever matches a query word of Han or kana, and
// a word of any other script only one of another script: an English query cannot match the Chinese
// words of a Chinese abstract, only the English words inside it. Tells which runs of a text
// quick_score() may leave unanalysed.
struct MatchReach {
    bool dictionary = false;  // the query has a word with Han or kana
    bool other = false;       // the query has a word without
};
MatchReach match_reach(const MatchTerms& match);

// match_score() analysing only the runs of `text` that `reach` says can match: the same score, at the
// cost of the rest left out. std::nullopt when the text has nothing to leave out (analyse it whole).
// The runs are cut at the characters left out, where ICU breaks words anyway (a Han character is a
// word boundary for Latin letters and digits), so the words kept are the words of the whole text.
std::optional<int> quick_score(Analyzer& analyzer, std::string_view text, std::string_view lang,
                               const MatchTerms& match, MatchReach reach);

// The passage of `text` with the most distinct query words (then the most matches, then the
// earliest), cut at word boundaries with "…" where text was left out, runs of white space folded to
// one space, and every matching word marked. Without any match: the start of the text.
Snippet make_snippet(Analyzer& analyzer, std::string_view text, std::string_view lang, const MatchTerms& match,
                     const SnippetOptions& options = {});

}  // namespace abstrakt

#endif  // ABSTRAKT_SEARCHER_SNIPPET_H
