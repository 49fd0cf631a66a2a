#include "searcher/snippet.h"

#include "common/lang.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <bitset>
#include <climits>
#include <map>
#include <optional>
#include <set>

namespace abstrakt {

namespace {

constexpr int kNoMatch = INT_MIN;

// The query word that `t` matches, or kNoMatch; `by_form` tells whether the word itself matched
// (rather than only its stem).
// `stem_first`: the first bytes of the match's stems, when the language's stemmer keeps a word's
// first byte (lang::stem_keeps_first_byte), else null; a word whose first byte is none of them is
// not stemmed: the stem lookups were a tenth of a server's time.
int group_of(Analyzer& analyzer, std::string_view lang, const Token& t, const MatchTerms& match, bool& by_form,
             const std::bitset<256>* stem_first) {
    by_form = true;
    if (auto f = match.forms.find(t.folded); f != match.forms.end()) return f->second;
    by_form = false;
    if (match.stems.empty()) return kNoMatch;
    if (stem_first && !(*stem_first)[static_cast<unsigned char>(t.folded[0])]) return kNoMatch;
    if (std::string s = analyzer.stem(lang, t); !s.empty())
        if (auto m = match.stems.find(s); m != match.stems.end()) return m->second;
    return kNoMatch;
}

// The bytes of `text` that fold to bytes [begin, end) of the folded form of word `t`: the folded
// form is shorter than the text when letters lose their accents ("ö" is 2 bytes, "o" 1) and longer
// when they expand ("ß" becomes "ss"). Each prefix of the word is folded as the analyzer folds the
// whole; where several character boundaries fold to the same length (a combining mark folds to
// nothing), the last is taken, so that a mark stays with its letter. The whole word when no
// boundary folds to exactly `begin` or `end` (a part boundary inside the "ss" of a "ß").
std::pair<uint32_t, uint32_t> original_bytes(Analyzer& analyzer, std::string_view text, const Token& t, uint32_t begin,
                                             uint32_t end) {
    std::string_view word = text.substr(t.start, t.end - t.start);
    const bool ascii = std::all_of(word.begin(), word.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii && word.size() == t.folded.size()) return {t.start + begin, t.start + end};  // folding only lowered case
    std::optional<uint32_t> from, to;
    for (uint32_t b = 0; b <= word.size(); ++b) {
        if (b < word.size() && (static_cast<unsigned char>(word[b]) & 0xC0) == 0x80) continue;
        const size_t n = b == 0 ? 0 : analyzer.fold(word.substr(0, b)).size();
        if (n == begin) from = b;
        if (n == end) to = b;
    }
    if (!from || !to || *from >= *to) return {t.start, t.end};
    return {t.start + *from, t.start + *to};
}

// For a word that matched no form or stem: the query word whose German compound part it has (the
// "modelle" of "Sprachmodelle" for "Modell"), with the part's bytes added to `marks` when given;
// kNoMatch when it has none.
int part_group(Analyzer& analyzer, std::string_view text, const Token& t, const MatchTerms& match,
               std::vector<std::pair<uint32_t, uint32_t>>* marks) {
    if (match.parts.empty() || t.joined) return kNoMatch;
    auto it = match.parts.find(t.folded);
    if (it == match.parts.end() || it->second.empty()) return kNoMatch;
    if (marks)
        for (const MatchTerms::Part& p : it->second) marks->push_back(original_bytes(analyzer, text, t, p.begin, p.end));
    return it->second.front().group;
}

// A character of ICU's dictionary segmentation for Chinese and Japanese: Han, kana, and what the word
// break rules count as kana (the prolonged sound mark U+30FC is of the Common script).
bool is_dictionary_char(UChar32 c) {
    if (c < 0x2E80) return false;  // below the CJK radicals: no Han, no kana
    if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3040 && c <= 0x30FF)) return true;  // the common ideographs, kana
    UErrorCode err = U_ZERO_ERROR;
    const UScriptCode sc = uscript_getScript(c, &err);
    if (sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA || sc == USCRIPT_KATAKANA) return true;
    return u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC) || u_getIntPropertyValue(c, UCHAR_WORD_BREAK) == U_WB_KATAKANA;
}

// Whether a character can be part of a word ICU's word breaking gives a status of letter, number,
// kana or ideograph (Analyzer keeps only those): a run of text without any (spaces, punctuation, the
// full-width commas of Chinese text) has no word, and need not be analysed.
bool can_start_word(UChar32 c) {
    switch (u_getIntPropertyValue(c, UCHAR_WORD_BREAK)) {
        case U_WB_ALETTER:
        case U_WB_HEBREW_LETTER:
        case U_WB_NUMERIC:
        case U_WB_KATAKANA:
            return true;
        default:
            return u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || u_isalnum(c);
    }
}

// Calls f(character, its first byte, the byte after it) for each character of `s`; an invalid
// sequence comes as a negative character.
template <typename F>
void for_each_char(std::string_view s, F&& f) {
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    const auto n = static_cast<int32_t>(s.size());
    for (int32_t i = 0; i < n;) {
        const int32_t at = i;
        UChar32 c;
        if (p[i] < 0x80) {
            c = p[i++];
        } else {
            U8_NEXT(p, i, n, c);
        }
        f(c, static_cast<size_t>(at), static_cast<size_t>(i));
    }
}

}  // namespace

struct MatchedText::Analysed {
    struct Span {
        uint32_t start, end;
    };
    std::vector<Span> words;   // the words' byte ranges, without joined tokens, in text order
    std::vector<int> group;    // per word: the query word it matches, or kNoMatch
    std::set<int> by_form;     // query words matched as typed somewhere in the text
    std::vector<std::pair<uint32_t, uint32_t>> marks;  // matched byte ranges, sorted and merged
};

namespace {

using Analysed = MatchedText::Analysed;

// What analyse() looks a text's words up with, for one query and one language: computed once per
// text, not once per run of a text that quick_score() analyses in parts.
struct Lookup {
    Lookup(const MatchTerms& m, std::string_view language) : match(m), lang(language), any_stem(!m.stems.empty()) {
        for (const auto& [stem, group] : m.stems)
            if (!stem.empty()) first.set(static_cast<unsigned char>(stem[0]));
        stem_first = lang::stem_keeps_first_byte(language) ? &first : nullptr;
        // The first bytes of the folded words a text's word can equal (forms, compounds with a part):
        // a word that starts with none of them, and cannot share a stem, is looked up nowhere.
        for (const auto& [form, group] : m.forms)
            if (!form.empty()) word_first.set(static_cast<unsigned char>(form[0]));
        for (const auto& [compound, parts] : m.parts)
            if (!compound.empty()) word_first.set(static_cast<unsigned char>(compound[0]));
        wanted = word_first;
        if (any_stem) {
            if (stem_first) wanted |= first;
            else wanted.set();
        }
    }
    Lookup(const Lookup&) = delete;
    Lookup& operator=(const Lookup&) = delete;

    const MatchTerms& match;
    std::string_view lang;
    bool any_stem;
    std::bitset<256> first, word_first;
    const std::bitset<256>* stem_first;
    std::bitset<256> wanted;  // the first bytes of the words looked up: the others need no folding
};

// `with_marks` false: no byte ranges in `marks`, for a score alone. `tokens`: scratch space.
Analysed analyse(Analyzer& analyzer, std::string_view text, const Lookup& lookup, std::vector<Token>& tokens,
                 bool with_marks = true) {
    const MatchTerms& match = lookup.match;
    const std::string_view lang = lookup.lang;
    Analysed a;
    tokens.clear();
    tokens.reserve(text.size() / 6);
    analyzer.analyze(text, tokens, 0, lookup.wanted);
    a.words.reserve(tokens.size());
    a.group.reserve(tokens.size());
    for (const Token& t : tokens) {
        bool by_form = false;
        int g = kNoMatch;
        const auto b = static_cast<unsigned char>(t.folded.empty() ? 0 : t.folded[0]);
        if (!t.folded.empty() && lookup.wanted[b]) {
            g = group_of(analyzer, lang, t, match, by_form, lookup.stem_first);
            if (g != kNoMatch) {
                if (with_marks) a.marks.emplace_back(t.start, t.end);
            } else {
                g = part_group(analyzer, text, t, match, with_marks ? &a.marks : nullptr);
            }
        }
        if (g != kNoMatch && by_form) a.by_form.insert(g);
        if (!t.joined) {
            a.group.push_back(g);
            a.words.push_back({t.start, t.end});
        } else if (g != kNoMatch) {
            // A joined chain that matched ("multiview" for "multi-view"): its first part carries it.
            for (size_t k = a.words.size(); k-- > 0;)
                if (a.words[k].start == t.start) {
                    if (a.group[k] == kNoMatch) a.group[k] = g;
                    break;
                }
        }
    }
    std::sort(a.marks.begin(), a.marks.end());
    std::vector<std::pair<uint32_t, uint32_t>> merged;
    for (const auto& m : a.marks) {
        if (!merged.empty() && m.first < merged.back().second)
            merged.back().second = std::max(merged.back().second, m.second);
        else
            merged.push_back(m);
    }
    a.marks = std::move(merged);
    return a;
}

bool is_space_byte(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// Appends `s` with each run of white space folded to one space. (Spaces at the very ends of a
// snippet are trimmed afterwards.)
void append_collapsed(std::string& out, std::string_view s) {
    for (char c : s) {
        if (is_space_byte(c)) {
            if (out.empty() || out.back() != ' ') out += ' ';
        } else {
            out += c;
        }
    }
}

}  // namespace

namespace {

// Each query word matched counts its weight (MatchTerms::weight, else 1), and 1 more when matched as
// typed, unless its weight is 0 (a translation's words).
int weighed(const std::set<int>& groups, const std::set<int>& by_form, const MatchTerms& match) {
    int n = 0;
    for (int g : groups) {
        auto w = match.weight.find(g);
        const int weight = w == match.weight.end() ? 1 : w->second;
        n += weight + (weight > 0 && by_form.count(g) ? 1 : 0);
    }
    return n;
}

}  // namespace

MatchedText::MatchedText(Analyzer& analyzer, std::string_view text, std::string_view lang, const MatchTerms& match)
    : text_(text) {
    const Lookup lookup(match, lang);
    std::vector<Token> tokens;
    a_ = std::make_unique<Analysed>(analyse(analyzer, text, lookup, tokens));
    std::set<int> groups;
    for (int g : a_->group)
        if (g != kNoMatch) groups.insert(g);
    score_ = weighed(groups, a_->by_form, match);
}
MatchedText::~MatchedText() = default;
MatchedText::MatchedText(MatchedText&&) noexcept = default;
MatchedText& MatchedText::operator=(MatchedText&&) noexcept = default;


int MatchedText::score() const { return score_; }

int match_score(Analyzer& analyzer, std::string_view text, std::string_view lang, const MatchTerms& match) {
    return MatchedText(analyzer, text, lang, match).score();
}

int best_possible_score(const MatchTerms& match) {
    std::set<int> groups;
    for (const auto& [word, group] : match.forms) groups.insert(group);
    for (const auto& [word, group] : match.stems) groups.insert(group);
    for (const auto& [word, parts] : match.parts)
        for (const MatchTerms::Part& p : parts) groups.insert(p.group);
    groups.erase(kNoMatch);
    return weighed(groups, groups, match);
}

MatchReach match_reach(const MatchTerms& match) {
    MatchReach reach;
    auto look = [&](const std::string& word) {
        for_each_char(word, [&](UChar32 c, size_t, size_t) { ((c >= 0 && is_dictionary_char(c)) ? reach.dictionary : reach.other) = true; });
    };
    for (const auto& [word, group] : match.forms) look(word);
    for (const auto& [word, group] : match.stems) look(word);
    for (const auto& [word, parts] : match.parts) look(word);
    return reach;
}

std::optional<int> quick_score(Analyzer& analyzer, std::string_view text, std::string_view lang,
                               const MatchTerms& match, MatchReach reach) {
    if (reach.dictionary && reach.other) return std::nullopt;
    std::set<int> groups, by_form;
    const Lookup lookup(match, lang);
    std::vector<Token> tokens;
    bool left_out = false;
    size_t run = std::string_view::npos;  // where the current run of characters kept began
    bool has_word = false;                // whether the run has a letter or a digit (else it has no word)
    auto close_run = [&](size_t end) {
        if (run != std::string_view::npos && has_word) {
            const Analysed a = analyse(analyzer, text.substr(run, end - run), lookup, tokens, false);
            for (int g : a.group)
                if (g != kNoMatch) groups.insert(g);
            by_form.insert(a.by_form.begin(), a.by_form.end());
        }
        run = std::string_view::npos;
        has_word = false;
    };
    for_each_char(text, [&](UChar32 c, size_t at, size_t) {
        const bool dictionary = c >= 0 && is_dictionary_char(c);
        if (dictionary ? reach.dictionary : reach.other) {
            if (run == std::string_view::npos) run = at;
            if (!has_word)
                has_word = c < 0x80 ? ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9')
                                    : dictionary || (c > 0 && can_start_word(c));
        } else {
            left_out = true;
            close_run(at);
        }
    });
    if (!left_out) return std::nullopt;
    close_run(text.size());
    return weighed(groups, by_form, match);
}

Snippet make_snippet(Analyzer& analyzer, std::string_view text, std::string_view lang, const MatchTerms& match,
                     const SnippetOptions& options) {
    return MatchedText(analyzer, text, lang, match).snippet(options);
}

Snippet MatchedText::whole() const {
    SnippetOptions all;
    all.window_words = a_->words.size();  // one window over every word: nothing left out
    all.lead_words = a_->words.size();
    Snippet s = snippet(all);
    if (s.empty() && !text_.empty()) {  // a text without words ("???"): as it is, white space folded
        s.parts.push_back({"", false});
        append_collapsed(s.parts.back().text, text_);
    }
    return s;
}

Snippet MatchedText::snippet(const SnippetOptions& options) const {
    const Analysed& a = *a_;
    std::string_view text = text_;
    Snippet snippet;
    const size_t n = a.words.size();
    if (n == 0) return snippet;
    const size_t w = std::max<size_t>(1, std::min(options.window_words, n));

    // The window of w words with the most distinct query words, then the most matches; earliest wins.
    size_t best = 0;
    std::pair<size_t, size_t> best_score{0, 0};
    std::map<int, int> in_window;
    size_t matches = 0;
    auto add = [&](size_t k, int delta) {
        if (a.group[k] == kNoMatch) return;
        matches += delta;
        if ((in_window[a.group[k]] += delta) == 0) in_window.erase(a.group[k]);
    };
    for (size_t k = 0; k < w; ++k) add(k, 1);
    best_score = {in_window.size(), matches};
    for (size_t i = 1; i + w <= n; ++i) {
        add(i - 1, -1);
        add(i + w - 1, 1);
        std::pair<size_t, size_t> score{in_window.size(), matches};
        if (score > best_score) {
            best_score = score;
            best = i;
        }
    }
    // Start a few words before the first match rather than far ahead of it.
    size_t lo = best;
    for (size_t k = best; k < best + w; ++k)
        if (a.group[k] != kNoMatch) {
            if (k > lo + options.lead_words) lo = k - options.lead_words;
            break;
        }
    size_t hi = std::min(n, lo + w);
    if (hi - lo < w && hi == n) lo = n - w;  // a window cut by the end of the text takes words before

    const uint32_t start = lo == 0 ? 0 : a.words[lo].start;
    const uint32_t end = hi == n ? static_cast<uint32_t>(text.size()) : a.words[hi - 1].end;
    auto push = [&](std::string_view s, bool is_match) {
        if (s.empty()) return;
        if (is_match) {
            snippet.parts.push_back({std::string(s), true});
            return;
        }
        if (snippet.parts.empty() || snippet.parts.back().match) snippet.parts.push_back({"", false});
        append_collapsed(snippet.parts.back().text, s);
    };
    if (lo > 0) push("…", false);
    uint32_t at = start;
    for (const auto& [ms, me] : a.marks) {
        if (me <= start || ms >= end) continue;
        uint32_t s = std::max(ms, start), e = std::min(me, end);
        push(text.substr(at, s - at), false);
        push(text.substr(s, e - s), true);
        at = e;
    }
    push(text.substr(at, end - at), false);
    if (hi < n) push("…", false);
    // Trim white space at both ends.
    if (!snippet.parts.empty() && !snippet.parts.front().match) {
        std::string& f = snippet.parts.front().text;
        f.erase(0, f.find_first_not_of(' '));
        if (f.empty()) snippet.parts.erase(snippet.parts.begin());
    }
    if (!snippet.parts.empty() && !snippet.parts.back().match) {
        std::string& b = snippet.parts.back().text;
        while (!b.empty() && b.back() == ' ') b.pop_back();
        if (b.empty()) snippet.parts.pop_back();
    }
    return snippet;
}

}  // namespace abstrakt
