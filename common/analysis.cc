#include "common/analysis.h"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>
#include <xapian.h>

#include <map>
#include <unordered_map>
#include <stdexcept>

#include "common/lang.h"
#include "common/text.h"

namespace abstrakt {

namespace {

// ICU's dictionary segmentation (Chinese, Japanese, Thai) costs more than linearly in the length of
// an unbroken run, and an abstract can be one long run of Han characters. Text is therefore broken
// in chunks of at most this many bytes, cut after a space or a CJK punctuation mark when one is
// near the end of the chunk, else at a character boundary.
constexpr size_t kChunkBytes = 4096;
constexpr size_t kChunkSlack = 1024;

bool is_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

// Length of the next chunk of `s`.
size_t chunk_length(std::string_view s) {
    if (s.size() <= kChunkBytes) return s.size();
    static constexpr std::string_view kCjkStops[] = {"\u3001", "\u3002", "\uFF0C", "\uFF1B",
                                                     "\uFF01", "\uFF1F", "\uFF1A"};
    for (size_t i = kChunkBytes; i > kChunkBytes - kChunkSlack; --i) {
        unsigned char c = static_cast<unsigned char>(s[i - 1]);
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') return i;
        for (std::string_view stop : kCjkStops)
            if (i >= stop.size() && s.substr(i - stop.size(), stop.size()) == stop) return i;
    }
    size_t i = kChunkBytes;
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;  // not inside a character
    return i == 0 ? kChunkBytes : i;
}

// The separator between two parts of a hyphenated word: ASCII hyphen-minus, U+2010 HYPHEN and
// U+2011 NON-BREAKING HYPHEN. En and em dashes separate clauses, not word parts, and are not here.
bool is_hyphen(std::string_view gap) { return gap == "-" || gap == "\u2010" || gap == "\u2011"; }

// Word breaking of pure ASCII text, equal to what ICU's root word break rules (Unicode UAX #29 as
// ICU 72 tailors it) give for it, at a fraction of the cost: ICU's rule machine was about a tenth of
// a search's instructions (snippets analyse ten abstracts) and of an index build. For ASCII, UAX #29
// comes down to: letters (ICU counts `@` as one), digits and `_` stick together (WB5, WB8-10,
// WB13a-b); `.` or `'` between two letters (WB6-7), and `.`, `'`, `,` or `;` between two digits
// (WB11-12), join them; ICU gives a word status to every such run except a lone `_`. Everything
// else is a break and no word. tests/test_analysis.cc compares this with ICU on random strings and
// on the bundled data.
enum class AsciiClass : uint8_t { kOther, kLetter, kDigit, kMidNumLet, kMidNum, kExtendNumLet };

AsciiClass ascii_class(char ch) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return AsciiClass::kLetter;
    if (c >= '0' && c <= '9') return AsciiClass::kDigit;
    switch (c) {
        case '@': return AsciiClass::kLetter;
        case '.':
        case '\'': return AsciiClass::kMidNumLet;
        case ',':
        case ';': return AsciiClass::kMidNum;
        case '_': return AsciiClass::kExtendNumLet;
        default: return AsciiClass::kOther;
    }
}

// Calls word(begin, end) for each word of ASCII text `s`, in order.
template <typename F>
void ascii_words(std::string_view s, F&& word) {
    using C = AsciiClass;
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        const C first = ascii_class(s[i]);
        if (first != C::kLetter && first != C::kDigit && first != C::kExtendNumLet) {
            ++i;
            continue;
        }
        const size_t begin = i;
        C last = first;
        for (++i; i < n;) {
            const C c = ascii_class(s[i]);
            if (c == C::kLetter || c == C::kDigit || c == C::kExtendNumLet) {
                last = c;
                ++i;
                continue;
            }
            if ((c == C::kMidNumLet || c == C::kMidNum) && i + 1 < n) {
                const C next = ascii_class(s[i + 1]);
                if ((last == C::kLetter && c == C::kMidNumLet && next == C::kLetter) || (last == C::kDigit && next == C::kDigit)) {
                    last = next;
                    i += 2;
                    continue;
                }
            }
            break;
        }
        if (!(i - begin == 1 && first == C::kExtendNumLet)) word(begin, i);
    }
}

// Scripts whose words are case folded and stripped of diacritics. For these, a user typing without
// accents ("Munoz", "uber") expects to find the accented word, and removing combining marks loses
// nothing a reader would miss. Other scripts keep their marks: in Devanagari or Thai a combining
// mark is a vowel, and in Japanese kana the voicing mark changes the syllable.
bool is_foldable_script(UScriptCode sc) {
    switch (sc) {
        case USCRIPT_LATIN:
        case USCRIPT_GREEK:
        case USCRIPT_CYRILLIC:
        case USCRIPT_ARABIC:    // harakat are optional vowel marks, usually not written
        case USCRIPT_HEBREW:    // niqqud likewise
        case USCRIPT_ARMENIAN:
        case USCRIPT_GEORGIAN:
        case USCRIPT_COMMON:
        case USCRIPT_INHERITED:
            return true;
        default:
            return false;
    }
}

UScriptCode first_letter_script(std::string_view s) {
    if (!s.empty() && ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z')) return USCRIPT_LATIN;  // what ICU says of an ASCII letter
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    int32_t i = 0, n = static_cast<int32_t>(s.size());
    while (i < n) {
        UChar32 c;
        U8_NEXT(p, i, n, c);
        if (c >= 0 && u_isalpha(c)) {
            UErrorCode err = U_ZERO_ERROR;
            return uscript_getScript(c, &err);
        }
    }
    return USCRIPT_COMMON;
}

// Letters that have no canonical decomposition but that a reader typing ASCII writes as shown.
// (Case folding already turned "ß" into "ss" and upper case into lower.)
bool map_special_letter(UChar32 c, icu::UnicodeString& out) {
    switch (c) {
        case 0x00F8: out.append(u'o'); return true;          // ø
        case 0x0111: out.append(u'd'); return true;          // đ
        case 0x00F0: out.append(u'd'); return true;          // ð
        case 0x0127: out.append(u'h'); return true;          // ħ
        case 0x0131: out.append(u'i'); return true;          // dotless ı
        case 0x0142: out.append(u'l'); return true;          // ł
        case 0x00E6: out.append(u"ae", 2); return true;      // æ
        case 0x0153: out.append(u"oe", 2); return true;      // œ
        case 0x00FE: out.append(u"th", 2); return true;      // þ
        default: return false;
    }
}

}  // namespace

bool valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    int32_t i = 0;
    const auto n = static_cast<int32_t>(s.size());
    if (s.size() > static_cast<size_t>(INT32_MAX)) return false;
    while (i < n) {
        UChar32 c;
        U8_NEXT(p, i, n, c);
        if (c < 0) return false;
    }
    return true;
}

struct Analyzer::Impl {
    std::unique_ptr<icu::BreakIterator> words;
    const icu::Normalizer2* nfkc_cf = nullptr;
    const icu::Normalizer2* nfd = nullptr;
    const icu::Normalizer2* nfc = nullptr;
    std::map<std::string, Xapian::Stem, std::less<>> stemmers;
    // Stems already made: the same words come again and again (a page of hits analyses ten abstracts
    // per search, an index build every record's), and Snowball and the folding of its result cost
    // several times the look-up. Key: the stemmer's name, NUL, the token's kind, its exact form.
    // Emptied when full, which keeps it bounded (about 2 MB) without bookkeeping.
    std::unordered_map<std::string, std::string> stem_cache;
    std::string stem_key;
    std::string stem_lang;                                    // the language stem() was asked last
    const char* stem_lang_name = lang::stemmer_name("");  // its stemmer's name
    static constexpr size_t kStemCacheEntries = 16384;

    // NFKC + case folding; `fold_marks` also removes diacritics.
    void normalise(std::string_view word, bool fold_marks, std::string& exact, std::string& folded) {
        if (is_ascii(word)) {
            // The common case in English text, and byte-for-byte what the ICU path gives for ASCII.
            exact.assign(word);
            for (char& c : exact)
                if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
            folded.assign(exact);
            return;
        }
        UErrorCode st = U_ZERO_ERROR;
        icu::UnicodeString u =
            icu::UnicodeString::fromUTF8(icu::StringPiece(word.data(), static_cast<int32_t>(word.size())));
        icu::UnicodeString n = nfkc_cf->normalize(u, st);
        if (U_FAILURE(st)) n = u;
        // The typographic apostrophe is the one most abstracts use; the ASCII one is what people type.
        n.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0x2019)), icu::UnicodeString(u'\''));
        exact.clear();
        n.toUTF8String(exact);
        if (!fold_marks) {
            folded = exact;
            return;
        }
        st = U_ZERO_ERROR;
        icu::UnicodeString d = nfd->normalize(n, st);
        if (U_FAILURE(st)) {
            folded = exact;
            return;
        }
        icu::UnicodeString stripped;
        for (int32_t i = 0; i < d.length();) {
            UChar32 c = d.char32At(i);
            i += U16_LENGTH(c);
            if (u_charType(c) == U_NON_SPACING_MARK) continue;
            if (!map_special_letter(c, stripped)) stripped.append(c);
        }
        st = U_ZERO_ERROR;
        icu::UnicodeString composed = nfc->normalize(stripped, st);
        folded.clear();
        (U_FAILURE(st) ? stripped : composed).toUTF8String(folded);
    }

    // Whether analyze() breaks pure ASCII runs itself (ascii_words) rather than through ICU; off
    // only in tests, which compare the two.
    bool ascii_fast_path = true;

    // The first bytes analyze() folds ASCII words for; null: every word (analyze() without `wanted`).
    const std::bitset<256>* wanted = nullptr;

    // The words of one chunk: its pure ASCII stretches (cut at spaces, where ICU always breaks too)
    // through ascii_words, the rest through ICU, into one stream for add_word.
    void analyze_chunk(std::string_view chunk, uint32_t base, std::vector<Token>& out, uint32_t& pos) {
        Chain chain{out.size(), 0, {}, 0};
        if (!ascii_fast_path) {
            icu_words(chunk, base, out, pos, chain);
        } else {
            size_t from = 0;
            while (from < chunk.size()) {
                // The next stretch of space-separated pieces that are all ASCII, or all have a
                // byte above 0x7F somewhere: pieces are split at ' ' only.
                size_t end = from;
                bool ascii = true, first = true;
                while (end < chunk.size()) {
                    size_t piece_end = chunk.find(' ', end);
                    piece_end = piece_end == std::string_view::npos ? chunk.size() : piece_end + 1;
                    const bool piece_ascii = is_ascii(chunk.substr(end, piece_end - end));
                    if (first) ascii = piece_ascii;
                    else if (piece_ascii != ascii) break;
                    first = false;
                    end = piece_end;
                }
                std::string_view run = chunk.substr(from, end - from);
                const auto at = base + static_cast<uint32_t>(from);
                if (ascii) {
                    ascii_words(run, [&](size_t s, size_t e) { add_word(run, at, s, e, UBRK_WORD_LETTER, out, pos, chain, true); });
                    close_chain(out, chain);
                } else {
                    icu_words(run, at, out, pos, chain);
                }
                from = end;
            }
        }
    }

    // Indices into `out` of the parts of the current hyphenated chain, and the text their offsets
    // point into (`text` starts at offset `base`).
    struct Chain {
        size_t first = 0, len = 0;
        std::string_view text;
        uint32_t base = 0;
    };

    void close_chain(std::vector<Token>& out, Chain& chain) {
        if (chain.len >= 2) {
            Token joined;
            joined.kind = out[chain.first].kind;
            joined.start = out[chain.first].start;
            joined.pos = out[chain.first].pos;
            joined.joined = true;
            // A part left unfolded (`wanted`) is ASCII: its folded form is its lower case.
            const bool unfolded = out[chain.first].folded.empty();
            size_t bytes = 0;
            for (size_t k = chain.first; k < chain.first + chain.len; ++k) {
                const Token& part = out[k];
                joined.end = part.end;
                if (!part.folded.empty()) {
                    bytes += part.folded.size();
                    if (!unfolded) {
                        joined.folded += part.folded;
                        joined.exact += part.exact;
                    }
                } else {
                    bytes += part.end - part.start;
                    if (!unfolded) {
                        const std::string_view w = chain.text.substr(part.start - chain.base, part.end - part.start);
                        append_lower(joined.folded, w);
                        append_lower(joined.exact, w);
                    }
                }
            }
            if (bytes <= kMaxWordBytes) out.push_back(std::move(joined));
        }
        chain.len = 0;
    }

    static void append_lower(std::string& out, std::string_view ascii) {
        for (char c : ascii) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
    }

    void icu_words(std::string_view chunk, uint32_t base, std::vector<Token>& out, uint32_t& pos, Chain& chain) {
        UErrorCode st = U_ZERO_ERROR;
        UText* ut = utext_openUTF8(nullptr, chunk.data(), static_cast<int64_t>(chunk.size()), &st);
        if (U_FAILURE(st)) return;
        words->setText(ut, st);
        if (U_FAILURE(st)) {
            utext_close(ut);
            return;
        }
        int32_t s = words->first();
        for (int32_t e = words->next(); e != icu::BreakIterator::DONE; s = e, e = words->next()) {
            int32_t status = words->getRuleStatus();
            if (status < UBRK_WORD_NONE_LIMIT) continue;  // spaces and punctuation
            add_word(chunk, base, static_cast<size_t>(s), static_cast<size_t>(e), status, out, pos, chain);
        }
        close_chain(out, chain);
        utext_close(ut);
    }

    // One word of `chunk` (bytes [s, e), ICU's rule status `status`) as a token.
    void add_word(std::string_view chunk, uint32_t base, size_t s, size_t e, int32_t status, std::vector<Token>& out,
                  uint32_t& pos, Chain& chain, bool ascii = false) {
        std::string_view seg = chunk.substr(s, e - s);
        chain.text = chunk;  // a chain never spans two runs: each run closes its own
        chain.base = base;
        Token t;
        t.start = base + static_cast<uint32_t>(s);
        t.end = base + static_cast<uint32_t>(e);
        t.pos = pos++;
        // Chinese and Japanese arrive already segmented into dictionary words by ICU; they have
        // no case and no diacritics to fold, and no stemmer. Hangul and Thai likewise.
        if (status >= UBRK_WORD_IDEO && status < UBRK_WORD_IDEO_LIMIT) {
            t.kind = TokenKind::kIdeograph;
        } else if (status >= UBRK_WORD_KANA && status < UBRK_WORD_KANA_LIMIT) {
            t.kind = TokenKind::kKana;
        } else if (seg[0] >= '0' && seg[0] <= '9') {
            // Numbers and alphanumerics that start with a digit ("70M", "3D", "2402.19173") are
            // kept whole, as typed, and never stemmed.
            t.kind = TokenKind::kNumber;
        } else {
            t.kind = is_foldable_script(first_letter_script(seg)) ? TokenKind::kWord : TokenKind::kOtherWord;
        }
        const bool fold_marks = t.kind == TokenKind::kWord || t.kind == TokenKind::kNumber;
        const bool unwanted = ascii && wanted && !(*wanted)[static_cast<unsigned char>(seg[0] >= 'A' && seg[0] <= 'Z' ? seg[0] + ('a' - 'A') : seg[0])];
        if (!unwanted) normalise(seg, fold_marks, t.exact, t.folded);
        const size_t folded_size = unwanted ? seg.size() : t.folded.size();  // ASCII folds to its lower case
        if (folded_size == 0 || folded_size > kMaxWordBytes) {
            close_chain(out, chain);
            return;
        }
        // Hyphenated chains: "multi-view", "Llama-2", "GPT-4o", "state-of-the-art". The parts are
        // indexed as words at their own positions (so "multi view" and the phrase match), and the
        // whole chain once more as one joined word at the position of its first part (so
        // "multiview" matches too). Han and kana never join: they carry no hyphens.
        const bool joinable = t.kind == TokenKind::kWord || t.kind == TokenKind::kNumber;
        if (chain.len > 0 && joinable) {
            const Token& prev = out[chain.first + chain.len - 1];
            std::string_view gap = chunk.substr(prev.end - base, t.start - prev.end);
            if (is_hyphen(gap)) {
                out.push_back(std::move(t));
                ++chain.len;
                return;
            }
        }
        close_chain(out, chain);
        out.push_back(std::move(t));
        if (joinable) {
            chain.first = out.size() - 1;
            chain.len = 1;
        }
    }
};

Analyzer::Analyzer() : impl_(std::make_unique<Impl>()) {
    UErrorCode st = U_ZERO_ERROR;
    impl_->words.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), st));
    if (U_FAILURE(st) || !impl_->words)
        throw std::runtime_error(std::string("ICU word break iterator unavailable: ") + u_errorName(st));
    impl_->nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(st);
    impl_->nfd = icu::Normalizer2::getNFDInstance(st);
    impl_->nfc = icu::Normalizer2::getNFCInstance(st);
    if (U_FAILURE(st)) throw std::runtime_error(std::string("ICU normalizer unavailable: ") + u_errorName(st));
}

Analyzer::~Analyzer() = default;

void Analyzer::analyze(std::string_view text, std::vector<Token>& out, uint32_t first_pos) {
    uint32_t pos = first_pos;
    size_t base = 0;
    while (base < text.size()) {
        size_t len = chunk_length(text.substr(base));
        impl_->analyze_chunk(text.substr(base, len), static_cast<uint32_t>(base), out, pos);
        base += len;
    }
}

void Analyzer::analyze(std::string_view text, std::vector<Token>& out, uint32_t first_pos, const std::bitset<256>& wanted) {
    struct Reset {
        const std::bitset<256>*& p;
        ~Reset() { p = nullptr; }
    } reset{impl_->wanted};
    impl_->wanted = &wanted;
    analyze(text, out, first_pos);
}

void Analyzer::set_ascii_fast_path(bool on) { impl_->ascii_fast_path = on; }

std::string Analyzer::fold(std::string_view text) {
    std::string exact, folded;
    impl_->normalise(text, true, exact, folded);
    return folded;
}

std::string Analyzer::stem(std::string_view primary_lang, const Token& token) {
    if (token.kind != TokenKind::kWord && token.kind != TokenKind::kOtherWord) return "";
    // The stemmer's name of the language asked last, kept: a text's words all ask for the same.
    if (primary_lang != impl_->stem_lang) {
        impl_->stem_lang.assign(primary_lang);
        impl_->stem_lang_name = lang::stemmer_name(primary_lang);
    }
    const char* name = impl_->stem_lang_name;
    if (*name == '\0') {
        // English words inside Chinese or Japanese text ("diffusion models" in a Chinese summary)
        // are stemmed as English: that is what they almost always are in research papers.
        if (token.kind != TokenKind::kWord) return "";
        name = "english";
    }
    std::string& key = impl_->stem_key;
    key.assign(name);
    key += '\0';
    key += static_cast<char>(token.kind);
    key += token.exact;
    if (auto cached = impl_->stem_cache.find(key); cached != impl_->stem_cache.end()) return cached->second;
    auto it = impl_->stemmers.find(std::string_view(name));
    if (it == impl_->stemmers.end()) it = impl_->stemmers.emplace(name, Xapian::Stem(name)).first;
    std::string stemmed = it->second(token.exact);
    std::string exact, folded;
    if (!stemmed.empty()) impl_->normalise(stemmed, token.kind == TokenKind::kWord, exact, folded);
    if (impl_->stem_cache.size() >= Impl::kStemCacheEntries) impl_->stem_cache.clear();
    impl_->stem_cache.emplace(key, folded);
    return folded;
}

}  // namespace abstrakt
