// A word-translation lexicon: for each source word or phrase of one language, its translations in
// another, each with a probability. What the learner (indexer/lexicon_learn.h) writes, what a
// dictionary reader (common/ding.h) makes, and what the Translator (common/translator.h) looks up.
//
// File format (docs/cross-language.md), UTF-8 text, gzip-compressed or not (detected by content):
//
//   # abstrakt-lexicon 1            first line, required
//   # from: zh                      source language (BCP-47 primary subtag), required
//   # to: en                        target language, required
//   # any other comment line        (method, data, licence): kept as notes, not interpreted
//   语言模型<TAB>language model<TAB>0.62
//
// One translation a line: source, target, probability in (0, 1]. Source and target are folded text
// as common/analysis.h's Analyzer folds it (lowercase, no diacritics for Latin script); words of a
// multi-word entry are separated by one space (Chinese has none between its words: "语言模型").
// A source's lines need not be adjacent; a (source, target) pair given twice is an error. Blank
// lines are skipped.
#ifndef ABSTRAKT_COMMON_LEXICON_H
#define ABSTRAKT_COMMON_LEXICON_H

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace abstrakt {

struct LexiconEntry {
    std::string target;  // folded, words separated by one space
    double prob = 0;     // in (0, 1]

    bool operator==(const LexiconEntry& o) const { return target == o.target && prob == o.prob; }
};

class Lexicon {
  public:
    Lexicon() = default;
    Lexicon(std::string from, std::string to) : from_(std::move(from)), to_(std::move(to)) {}

    const std::string& from() const { return from_; }
    const std::string& to() const { return to_; }
    std::vector<std::string>& notes() { return notes_; }
    const std::vector<std::string>& notes() const { return notes_; }

    // Adds `prob` to the pair's probability (capped at 1). Empty source or target, or prob <= 0: ignored.
    void add(const std::string& source, const std::string& target, double prob);
    // Sorts every source's translations by descending probability (ties: target), keeps the first
    // `top_k` and drops those below `min_prob`. Call after the last add().
    void finish(size_t top_k, double min_prob = 0);

    // Sets `source`'s translations as given (already sorted and cut: a reader of a finished lexicon,
    // such as the Ding cache of common/ding.h), replacing any it had; an empty list removes it.
    void set(const std::string& source, std::vector<LexiconEntry> list);
    void reserve(size_t sources) { entries_.reserve(sources); }

    // The translations of `source`, most probable first; nullptr when it has none.
    const std::vector<LexiconEntry>* find(std::string_view source) const;
    size_t sources() const { return entries_.size(); }
    size_t pairs() const;
    // Every source, for iteration (unordered).
    const std::unordered_map<std::string, std::vector<LexiconEntry>>& entries() const { return entries_; }

    // Reads a lexicon file. Errors: kNotFound (no such file), kUnavailable (unreadable, corrupt
    // gzip), kInvalidArgument ("PATH:LINE: reason": a missing or wrong header, not three fields,
    // empty source or target, a probability outside (0, 1], a pair given twice).
    static Result<Lexicon> read(const std::string& path);
    // Writes it, sources in byte order and each source's translations most probable first; gzip
    // (level 9, no name or time stamp, so the same lexicon gives the same bytes) when `path` ends
    // in ".gz". Written to PATH.tmp and renamed: a failed write leaves no half file. Errors:
    // kUnavailable.
    Status write(const std::string& path) const;

  private:
    std::string from_, to_;
    std::vector<std::string> notes_;
    std::unordered_map<std::string, std::vector<LexiconEntry>> entries_;
};

}  // namespace abstrakt

#endif  // ABSTRAKT_COMMON_LEXICON_H
