// The text analysis pipeline: one pipeline for documents and queries, so that whatever was indexed
// can be found and highlighted.
//
//   UTF-8 text -> ICU word breaking (dictionary segmentation for Chinese, Japanese, Thai)
//              -> per word: NFKC with case folding ("exact"), then diacritics removed ("folded")
//              -> hyphenated chains also as one joined word ("multi-view" -> "multiview")
//              -> stems on request, with the Snowball stemmer of the text's language
//
// Why each decision was taken is written next to the code in analysis.cc, script by script.
//
// An Analyzer holds ICU and Xapian objects that are not thread-safe: give each thread its own. They
// are cheap to keep and moderately expensive to create (a break iterator and the stemmers), so keep
// one per thread rather than one per call.
#ifndef ABSTRAKT_COMMON_ANALYSIS_H
#define ABSTRAKT_COMMON_ANALYSIS_H

#include <bitset>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace abstrakt {

enum class TokenKind : uint8_t {
    kWord,       // letters of an alphabetic script (Latin, Greek, Cyrillic, ...), possibly with digits
    kNumber,     // starts with a digit: "2402.19173", "70m", "3d"
    kIdeograph,  // a Han word from ICU's dictionary segmentation
    kKana,       // a Japanese kana word
    kOtherWord,  // a word in a script that is neither folded nor stemmed (Hangul, Thai, ...)
};

struct Token {
    std::string folded;   // the search form: NFKC, case folded, diacritics removed where the script allows
    std::string exact;    // NFKC and case folded, diacritics kept; equal to `folded` for most words
    uint32_t start = 0;   // byte offsets of the word in the analysed text: [start, end)
    uint32_t end = 0;
    uint32_t pos = 0;     // word position, counting from the `first_pos` given to analyze()
    TokenKind kind = TokenKind::kWord;
    bool joined = false;  // the parts of a hyphenated chain joined into one word; shares the
                          // position of its first part and spans the whole chain
};

// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view s);

class Analyzer {
  public:
    // Throws std::runtime_error when ICU cannot create its word break iterator (missing ICU data).
    Analyzer();
    ~Analyzer();
    Analyzer(const Analyzer&) = delete;
    Analyzer& operator=(const Analyzer&) = delete;

    // Appends the words of `text` to `out`, with positions counted from `first_pos`. Punctuation
    // and spaces produce no token. Invalid UTF-8 sequences act as separators (callers validate
    // first where invalid input must be an error). Words longer than kMaxWordBytes once folded are
    // dropped (URLs, base64, runs of symbols) but still take a position.
    void analyze(std::string_view text, std::vector<Token>& out, uint32_t first_pos = 0);

    // As analyze(), for a caller that looks words up only when the first byte of their folded form
    // is in `wanted` (snippets): an ASCII word whose first byte is not in it comes with `folded` and
    // `exact` left empty, and so does a joined chain whose first part does. Every other field is as
    // analyze() gives it. Folding was a third of the cost of analysing an abstract.
    void analyze(std::string_view text, std::vector<Token>& out, uint32_t first_pos, const std::bitset<256>& wanted);

    // The folded stem of a token under the stemmer of `primary_lang` (a primary subtag). Latin words
    // in a language without a stemmer (English words in Chinese text) use the English stemmer.
    // Returns "" for tokens that are not stemmed: numbers, Han, kana, Hangul, Thai, or a language
    // and script with no stemmer.
    std::string stem(std::string_view primary_lang, const Token& token);

    // The folded form of one word or phrase, as analyze() would produce for a single word: used
    // for boolean field values that are not tokenised.
    std::string fold(std::string_view text);

    static constexpr size_t kMaxWordBytes = 64;

    // Pure ASCII text is broken into words without ICU, with the same result (analysis.cc:
    // ascii_words); false sends everything through ICU, for tests that compare the two.
    void set_ascii_fast_path(bool on);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace abstrakt

#endif  // ABSTRAKT_COMMON_ANALYSIS_H
