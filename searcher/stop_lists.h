// Function words by list: the stop word lists of the Snowball project for 15 languages (Danish,
// German, English, Spanish, Finnish, French, Hungarian, Indonesian, Italian, Dutch, Norwegian,
// Portuguese, Romanian, Russian, Swedish), as Debian's liblingua-stopwords-perl packages them
// (Lingua::StopWords, under Perl's Artistic licence or the GPL, version 1 or later). They are read
// at build time by cmake/stop_lists.pl, so nothing is copied into the source tree.
//
// Type-ahead (engine.cc: FunctionWords) uses them where the data alone cannot tell: a language with
// few papers in the index never shows with confidence which of its words most of its papers share.
#ifndef ABSTRAKT_SEARCHER_STOP_LISTS_H
#define ABSTRAKT_SEARCHER_STOP_LISTS_H

#include <string>
#include <string_view>
#include <vector>

namespace abstrakt {

// The languages that have a stop list (primary subtags: "da", "de", ... "sv").
std::vector<std::string> stop_list_languages();

// The stop words of `lang` as the list writes them (UTF-8, not folded: "für", "aren't"); empty for a
// language without a list.
std::vector<std::string_view> stop_list(std::string_view lang);

}  // namespace abstrakt

#endif  // ABSTRAKT_SEARCHER_STOP_LISTS_H
