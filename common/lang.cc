#include "common/lang.h"

#include <algorithm>

#include <unicode/uchar.h>
#include <unicode/uloc.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <array>
#include <cctype>
#include <utility>

namespace abstrakt::lang {

namespace {

bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::optional<std::string> canonical_tag(std::string_view tag) {
    std::string out;
    size_t i = 0;
    bool first = true;
    while (true) {
        size_t j = tag.find('-', i);
        std::string_view sub = tag.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
        if (first) {
            if (sub.size() < 2 || sub.size() > 3) return std::nullopt;
            for (char c : sub) {
                if (!is_alpha(c)) return std::nullopt;
                out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            first = false;
        } else {
            if (sub.empty() || sub.size() > 8) return std::nullopt;
            for (char c : sub)
                if (!is_alnum(c)) return std::nullopt;
            out += '-';
            out += sub;
        }
        if (j == std::string_view::npos) break;
        i = j + 1;
    }
    // The primary subtag must name a language ICU knows ("xx" and "qq" do not): ICU answers an
    // unknown code with the code itself and a warning.
    std::string p = primary(out);
    UErrorCode st = U_ZERO_ERROR;
    UChar name[64];
    uloc_getDisplayLanguage(p.c_str(), "en", name, 64, &st);
    if (U_FAILURE(st) || st == U_USING_DEFAULT_WARNING) return std::nullopt;
    return out;
}

std::string primary(std::string_view tag) { return std::string(tag.substr(0, tag.find('-'))); }

const char* stemmer_name(std::string_view p) {
    // Only languages whose Snowball stemmer ships with Xapian 1.4. German uses german2, which also
    // treats "ae", "oe", "ue" as umlauts, so that "Ueber" and "Über" stem alike.
    static constexpr std::array<std::pair<const char*, const char*>, 27> kStemmers{{
        {"ar", "arabic"},     {"hy", "armenian"},   {"eu", "basque"},    {"ca", "catalan"},
        {"da", "danish"},     {"nl", "dutch"},      {"en", "english"},   {"fi", "finnish"},
        {"fr", "french"},     {"de", "german2"},    {"hu", "hungarian"}, {"id", "indonesian"},
        {"ga", "irish"},      {"it", "italian"},    {"lt", "lithuanian"}, {"ne", "nepali"},
        {"no", "norwegian"},  {"nb", "norwegian"},  {"nn", "norwegian"}, {"pt", "portuguese"},
        {"ro", "romanian"},   {"ru", "russian"},    {"es", "spanish"},   {"sv", "swedish"},
        {"ta", "tamil"},      {"tr", "turkish"},    {"ms", "indonesian"},
    }};
    for (const auto& [code, name] : kStemmers)
        if (p == code) return name;
    return "";
}

bool stem_keeps_first_byte(std::string_view p) {
    static constexpr std::string_view kSuffixOnly[] = {"english", "german2", "french", "spanish", "italian", "portuguese",
                                                       "dutch", "swedish", "norwegian", "danish", "finnish", "romanian",
                                                       "russian", "hungarian", "turkish", "catalan", "basque"};
    const char* stemmer = stemmer_name(p);
    const std::string_view name = *stemmer ? std::string_view(stemmer) : std::string_view("english");
    return std::find(std::begin(kSuffixOnly), std::end(kSuffixOnly), name) != std::end(kSuffixOnly);
}

std::string detect_from_script(std::string_view s, std::string_view fallback) {
    // Counts letters per script; kana decides Japanese outright because Japanese text mixes kana
    // with Han and Chinese text never has kana.
    size_t han = 0, kana = 0, hangul = 0, latin = 0;
    std::array<std::pair<UScriptCode, size_t>, 8> other{{{USCRIPT_CYRILLIC, 0},
                                                         {USCRIPT_GREEK, 0},
                                                         {USCRIPT_ARABIC, 0},
                                                         {USCRIPT_HEBREW, 0},
                                                         {USCRIPT_THAI, 0},
                                                         {USCRIPT_DEVANAGARI, 0},
                                                         {USCRIPT_GEORGIAN, 0},
                                                         {USCRIPT_ARMENIAN, 0}}};
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    int32_t i = 0, n = static_cast<int32_t>(s.size());
    while (i < n) {
        UChar32 c;
        U8_NEXT(p, i, n, c);
        if (c < 0) return std::string(fallback);
        if (!u_isalpha(c)) continue;
        UErrorCode err = U_ZERO_ERROR;
        UScriptCode sc = uscript_getScript(c, &err);
        switch (sc) {
            case USCRIPT_HAN: ++han; break;
            case USCRIPT_HIRAGANA:
            case USCRIPT_KATAKANA: ++kana; break;
            case USCRIPT_HANGUL: ++hangul; break;
            case USCRIPT_LATIN: ++latin; break;
            default:
                for (auto& [code, count] : other)
                    if (code == sc) ++count;
        }
    }
    if (kana > 0) return "ja";
    std::pair<std::string, size_t> best{std::string(fallback), latin};
    auto consider = [&](const char* code, size_t count) {
        if (count > best.second) best = {code, count};
    };
    // A Han or Hangul character carries about as much as a short Latin word, and Chinese summaries
    // quote English terms freely ("提出了 Referring Video Object Segmentation 的方案"): weigh each
    // such character as three Latin letters.
    consider("zh", han * 3);
    consider("ko", hangul * 3);
    static constexpr std::array<const char*, 8> kCodes{"ru", "el", "ar", "he", "th", "hi", "ka", "hy"};
    for (size_t k = 0; k < other.size(); ++k) consider(kCodes[k], other[k].second);
    return best.first;
}

}  // namespace abstrakt::lang
