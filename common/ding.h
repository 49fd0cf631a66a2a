// Reading the Ding German-English dictionary (Frank Richter, TU Chemnitz; GPL-2+), as Debian's
// trans-de-en package installs it (/usr/share/trans/de-en; scripts/setup installs it). The file is
// read at run time and never copied into the project (its licence is the GPL).
//
// Format (one entry a line, UTF-8; lines starting with '#' are comments):
//
//   Gewicht {n} /Gew./ | Gewichte {pl} | Höchstgewicht {n}; Maximalgewicht {n} :: weight /w./ | weights | maximum weight
//
// German and English halves separated by " :: "; each half is a list of sub-entries separated by
// " | ", the n-th German sub-entry translated by the n-th English one; a sub-entry lists synonyms
// separated by "; ". Annotations: {m} {f} {n} {pl} (gender, plural; also {adj} {vt} ...), [comp.]
// (subject), (…) (explanations), /…/ (abbreviations), <…> (variants); "to " before an English verb.
//
// What is taken: every pair of a German and an English synonym of aligned sub-entries, with the
// annotations removed, folded as the Analyzer folds (common/analysis.h), at most three words on
// each side and none with a placeholder (etw., jdn., sth., sb., …). A pair's score adds, over the
// lines that give it, 1 for the first sub-entry (the headword) and 0.7 for later ones (plurals,
// compounds), times 1 / (1 + 0.5 rank of the target synonym in its list), times 1 / sqrt(synonyms
// on the source side) (a long list is a loose group; measured: 0.638 -> 0.651 MRR@10 on the German
// dev queries, where discounting the source synonym's rank too gave 0.631), times 2 when the sub-entry
// is marked with a subject of science and technology ([comp.], [math.], [statist.], [techn.], ...;
// once, however many it names; not when the German side restricts the sense by an explanation in
// parentheses, "groß (Buchstabe) [comp.] :: capital"), the subjects of the papers Abstrakt indexes. Each word's scores are divided by its best one: a
// dictionary translation is a translation for certain, and the weight says how it ranks among the
// word's senses (1 for the best), not how sure it is (as a learned lexicon's probability does).
// Besides, the abbreviations of aligned sub-entries are pairs ("künstliche Intelligenz /KI/ ::
// artificial intelligence /AI/": KI -> AI) at the sub-entry's weight.
#ifndef ABSTRAKT_COMMON_DING_H
#define ABSTRAKT_COMMON_DING_H

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/analysis.h"
#include "common/lexicon.h"
#include "common/status.h"

namespace abstrakt {

struct DingDictionary {
    Lexicon de_en{"de", "en"};
    Lexicon en_de{"en", "de"};
    // Folded single German words marked as nouns ({m}, {f}, {n}, {pl}): the parts compounds are
    // split into (common/compound.h).
    std::vector<std::string> german_nouns;
    size_t lines = 0;    // entries read
    size_t skipped = 0;  // lines without " :: "
};

// Reads the dictionary at `path`, keeping `top_k` translations per word. Errors: kNotFound,
// kUnavailable (unreadable), kInvalidArgument (no line has " :: ": not a Ding file).
Result<DingDictionary> read_ding(const std::string& path, Analyzer& analyzer, size_t top_k = 8);

// The default location: $ABSTRAKT_DING, else /usr/share/trans/de-en.
std::string default_ding_path();

// A parsed copy of the dictionary, so that a process does not parse 25 MB of text again (seconds of
// CPU and some 400 MB at the peak) to load it. A binary file in `cache_dir`, named after the
// dictionary's path, holding what read_ding returns and the key it was made under: the dictionary's
// path, size and modification time, kDingCacheVersion (bump it when read_ding's output changes)
// and top_k; a checksum (FNV-1a) over all of it. A cache whose key differs, or that is short,
// corrupt or unreadable, is ignored (and rebuilt); it is written to a temporary file and renamed,
// so a reader never sees half of one.
inline constexpr uint32_t kDingCacheVersion = 5;

// Where the cache lives: $ABSTRAKT_DING_CACHE (set and empty: no cache), else
// $XDG_CACHE_HOME/abstrakt, else $HOME/.cache/abstrakt; "" when none of them is set.
std::string default_ding_cache_dir();
// The cache file of dictionary `path` in `cache_dir`.
std::string ding_cache_path(const std::string& cache_dir, const std::string& path);

// read_ding through the cache in `cache_dir` ("" = no cache): the cached copy when it is valid for
// the dictionary as it is now, else read_ding, whose result is then written to the cache (a cache
// that cannot be written is told to `report` and otherwise ignored). `from_cache`, when given,
// says which happened.
Result<DingDictionary> load_ding(const std::string& path, Analyzer& analyzer, const std::string& cache_dir,
                                 const std::function<void(const std::string&)>& report = {}, bool* from_cache = nullptr,
                                 size_t top_k = 8);

// The cache's two halves, for tests: write `d` (read from `path` with `top_k`) to `cache_file`;
// read it back, kNotFound when absent, kInvalidArgument when stale or corrupt.
Status write_ding_cache(const DingDictionary& d, const std::string& path, size_t top_k, const std::string& cache_file);
Result<DingDictionary> read_ding_cache(const std::string& path, size_t top_k, const std::string& cache_file);

}  // namespace abstrakt

#endif  // ABSTRAKT_COMMON_DING_H
