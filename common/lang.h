// Languages: tag validation, the Snowball stemmer each language uses, and language detection from
// the script of a text.
#ifndef ABSTRAKT_COMMON_LANG_H
#define ABSTRAKT_COMMON_LANG_H

#include <optional>
#include <string>
#include <string_view>

namespace abstrakt::lang {

// Canonical form of a BCP-47 language tag: the primary subtag in lowercase, other subtags kept with
// their case as given ("de", "zh-CN", "pt-BR"). Returns nullopt when the text is not a tag of a
// known language: the primary subtag must be 2 or 3 ASCII letters naming a language ICU knows ("xx"
// is refused; "und", undetermined, is accepted), each further subtag 1 to 8 ASCII letters or digits.
std::optional<std::string> canonical_tag(std::string_view tag);

// The primary subtag of a canonical tag: "zh-CN" -> "zh".
std::string primary(std::string_view tag);

// Name of the Xapian Snowball stemmer for a primary subtag ("de" -> "german2", "en" -> "english"),
// or "" when Xapian has none for that language (Chinese, Japanese, Korean, Thai, ...): such text is
// indexed unstemmed.
const char* stemmer_name(std::string_view primary_subtag);

// Whether the stemmer stemmer_name() gives (English for a language without one) only ever changes
// the end of a word, so that a word's folded stem starts with the same byte as its folded form:
// the Snowball stemmers that strip suffixes alone. Not Arabic, Indonesian and Malay, Irish (which
// strip prefixes or initial mutations), nor those not checked (Armenian, Lithuanian, Nepali,
// Tamil). Lets a highlighter skip stemming the words that cannot match (searcher/snippet.cc).
bool stem_keeps_first_byte(std::string_view primary_subtag);

// Decides the language of text whose language was not given, from its letters' scripts: any kana
// means Japanese; Han without kana, Chinese; Hangul, Korean; Cyrillic, Russian; Greek, Arabic,
// Hebrew, Thai, Devanagari, Georgian, Armenian as named; the script with most letters wins, a Han or
// Hangul character counting as three letters. Latin text, text without letters and invalid UTF-8 get
// `fallback`.
std::string detect_from_script(std::string_view utf8, std::string_view fallback);

}  // namespace abstrakt::lang

#endif  // ABSTRAKT_COMMON_LANG_H
