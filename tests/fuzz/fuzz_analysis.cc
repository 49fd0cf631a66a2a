// Fuzz target: the text analyser (common/analysis.h), on any bytes: invalid UTF-8, and runs of text
// longer than the 4,096-byte chunks it breaks text into (very long Chinese runs, which ICU's
// dictionary segmentation reads as one unbroken word sequence).
//
// Checks, beyond not crashing, hanging or throwing:
// - each token lies inside the text, on valid UTF-8 (invalid bytes only separate words), with a
//   folded form of 1 to kMaxWordBytes bytes and valid UTF-8 exact and folded forms;
// - words (tokens that are not joined hyphen chains) come in text order without overlapping, each
//   at a higher position than the one before; a joined chain starts at one of its parts and shares
//   its position;
// - for an alphabetic word or a number, fold() of its bytes gives its folded form (the snippet
//   builder relies on this to find the bytes of a highlighted compound part);
// - stems (under a different stemmer for each token in turn) are valid UTF-8;
// - detect_from_script gives a canonical language tag.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/analysis.h"
#include "common/lang.h"
#include "tests/fuzz/fuzz_util.h"

using namespace abstrakt;

namespace {

// Longer inputs are cut. The analyser works chunk by chunk, so its cost grows linearly beyond a few
// chunks; 256 KiB is 64 chunks, more than any abstract, and keeps one run of the target fast.
constexpr size_t kMaxInput = 256 << 10;

// Stemmers tried in turn: a language with its own stemmer for each of several scripts, and one
// without a stemmer (Latin words in Chinese text use the English one).
constexpr std::string_view kLangs[] = {"en", "de", "ru", "ar", "el", "zh", "fr", "tr"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Analyzer analyzer;
    const std::string_view text(reinterpret_cast<const char*>(data), size < kMaxInput ? size : kMaxInput);
    std::vector<Token> tokens;
    analyzer.analyze(text, tokens);

    const Token* prev = nullptr;  // the previous word (not joined)
    for (size_t k = 0; k < tokens.size(); ++k) {
        const Token& t = tokens[k];
        const std::string where = "token " + fuzz::show(t.folded) + " at " + std::to_string(t.start);
        FUZZ_CHECK(t.start < t.end && t.end <= text.size(), where + ": bytes out of the text");
        const std::string_view bytes = text.substr(t.start, t.end - t.start);
        FUZZ_CHECK(valid_utf8(bytes), where + ": covers invalid UTF-8 " + fuzz::show(bytes));
        FUZZ_CHECK(!t.folded.empty() && t.folded.size() <= Analyzer::kMaxWordBytes, where + ": folded size");
        FUZZ_CHECK(valid_utf8(t.folded) && valid_utf8(t.exact), where + ": forms not UTF-8");
        if (t.joined) {
            FUZZ_CHECK(t.kind == TokenKind::kWord || t.kind == TokenKind::kNumber, where + ": joined a word that cannot join");
            // The analyser appends a chain right after its parts: look back to its first part.
            size_t first = k;
            while (first > 0 && tokens[first - 1].start >= t.start) --first;
            FUZZ_CHECK(first < k && tokens[first].start == t.start && !tokens[first].joined && tokens[first].pos == t.pos,
                       where + ": a joined chain not at the position of its first part");
            FUZZ_CHECK(k - first >= 2 && tokens[k - 1].end == t.end, where + ": a joined chain that does not end with its last part");
        } else {
            if (prev) {
                FUZZ_CHECK(t.start >= prev->end, where + ": overlaps the word before");
                FUZZ_CHECK(t.pos > prev->pos, where + ": position not after the word before");
            }
            prev = &t;
            if (t.kind == TokenKind::kWord || t.kind == TokenKind::kNumber)
                FUZZ_CHECK(analyzer.fold(bytes) == t.folded,
                           where + ": fold() gives " + fuzz::show(analyzer.fold(bytes)) + " for " + fuzz::show(bytes));
        }
        const std::string stem = analyzer.stem(kLangs[k % std::size(kLangs)], t);
        FUZZ_CHECK(valid_utf8(stem), where + ": stem not UTF-8: " + fuzz::show(stem));
    }

    const std::string lang = lang::detect_from_script(text, "en");
    const auto tag = lang::canonical_tag(lang);
    FUZZ_CHECK(tag && *tag == lang, "detected language " + fuzz::show(lang));
    return 0;
}
