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
// is marked with a subject of science and technology ([comp.], [math.], [statist.], [techn.], ...),
// the subjects of the papers Abstrakt indexes. Each word's scores are divided by its best one: a
// dictionary translation is a translation for certain, and the weight says how it ranks among the
// word's senses (1 for the best), not how sure it is (as a learned lexicon's probability does).
#ifndef ABSTRAKT_COMMON_DING_H
#define ABSTRAKT_COMMON_DING_H

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

}  // namespace abstrakt

#endif  // ABSTRAKT_COMMON_DING_H
