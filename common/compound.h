// German compound words: a splitter learned from the index's own German vocabulary, so that
// "Modell" finds "Sprachmodelle" and "Videobeschriftung" finds "Beschriftung von Videos".
//
// The index stores every word of its German texts once more under schema::kPrefixGermanWord, with
// the number of papers it occurs in; nothing is decomposed at index time (the index stays a function
// of the records alone). The searcher builds a CompoundSplitter from those words and their
// frequencies, and the query plan (searcher/plan.cc) asks it two things:
//   split("videobeschriftung")          -> video | beschriftung      (the query word's parts)
//   compounds_with_part("modell", 50)  -> sprachmodelle, diffusionsmodelle, ...  (compounds with it)
//
// Rules, with the reasons next to the code in compound.cc:
// - every part is a vocabulary word (or a word of the German lexicon, when one is given), at least kMinPartLetters letters long; a part that is not the
//   last may also be a vocabulary word without its final "e" ("sprach" for "sprache") and may be
//   followed by one linking element: "s", "es", "n" or "en" ("diffusion|s|modelle"); the last part
//   may also be an inflected form of a vocabulary word, by German stem ("modellen" when the
//   vocabulary has "modelle");
// - German function words and derivational endings are never parts ("uber|trifft", "bewert|ungen");
// - among the possible splits, the one with the fewest parts wins, then the one with the longest
//   last part, then the one with the fewest linking letters;
// - a word is not split when it is more frequent than the geometric mean of its parts (a word that
//   has its own meaning, such as "Hardware", is used more often than "hard" and "ware" are);
// - words shorter than two minimal parts, or with pieces that are not vocabulary words, do not split.
//
// Not thread-safe (it holds a Xapian stemmer, whose state is not shared safely): keep one per thread;
// the searcher keeps one per Engine. Movable, not copyable.
#ifndef ABSTRAKT_COMMON_COMPOUND_H
#define ABSTRAKT_COMMON_COMPOUND_H

#include <xapian.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace abstrakt {

// One part of a split compound.
struct CompoundPart {
    std::string word;    // the vocabulary word the part stands for: "sprache" for the "sprach" of "sprachmodelle";
                         // for a last part, possibly an inflected form the vocabulary lacks ("modellen")
    uint32_t begin = 0;  // the part's bytes in the folded compound, without its linking element
    uint32_t end = 0;

    bool operator==(const CompoundPart& o) const { return word == o.word && begin == o.begin && end == o.end; }
};

// A vocabulary compound one of whose parts a query word is.
struct CompoundMatch {
    std::string compound;     // the folded compound, as indexed ("sprachmodelle")
    uint32_t begin = 0;       // bytes of the matching part in it ("modelle": 6 to 13)
    uint32_t end = 0;
    Xapian::doccount df = 0;  // papers with the compound
};

class CompoundSplitter {
  public:
    // Folded German words and the number of papers each occurs in.
    using Vocabulary = std::vector<std::pair<std::string, Xapian::doccount>>;

    // An empty splitter: splits nothing and knows no compounds.
    CompoundSplitter();
    // Learns `vocabulary`: splits each of its words once, so that compounds_with_part() is a lookup.
    // Costs about 10 µs per word (the 917 German words of the bundled data: 8 ms); words longer
    // than kMaxWordBytes are not split.
    explicit CompoundSplitter(const Vocabulary& vocabulary);
    // The same, with a German lexicon besides: folded words of a real dictionary (Ding's nouns,
    // common/ding.h) that may be parts too, so that a compound splits even when one of its parts
    // never occurs alone in the index ("modell|gewichte" for an index with "Modellgewichte" and
    // no "Modell"), and "Gewichte" then finds it. In the frequency rule a lexicon word the index
    // lacks counts as frequent as the compound (it neither favours nor prevents the split), so the
    // rule is decided by the parts the index has. The lexicon's words are not themselves split
    // (only the vocabulary's are; split() still splits any word asked). kNeverParts applies to
    // them as well.
    CompoundSplitter(const Vocabulary& vocabulary, const std::vector<std::string>& lexicon);
    ~CompoundSplitter();
    CompoundSplitter(CompoundSplitter&&) noexcept;
    CompoundSplitter& operator=(CompoundSplitter&&) noexcept;

    // True when the vocabulary was empty (an index without German text).
    bool empty() const;
    // Number of vocabulary words, and of those that split.
    size_t words() const;
    size_t compounds() const;

    // The parts of `folded` (a folded word, as Token::folded), in order; empty when it does not split
    // by the rules above. `folded` itself need not be in the vocabulary.
    std::vector<CompoundPart> split(std::string_view folded) const;

    // The vocabulary compounds that have a part with the German stem of `folded` ("modell" matches
    // the "modelle" of "sprachmodelle"), the most frequent first (ties: alphabetical), at most `limit`.
    std::vector<CompoundMatch> compounds_with_part(std::string_view folded, size_t limit) const;

    // The vocabulary words that are `folded` with a German plural or case ending after it: "e", "n",
    // "en", "s", "es", "er", "ern" ("videos" for "video"). The German stemmer leaves the "-s" plural
    // of words that end in a vowel alone ("videos" stays "videos"), so a part's stems alone would
    // not find "Beschriftung von Videos" for "Videobeschriftung". In alphabetical order.
    std::vector<std::string> inflections(std::string_view folded) const;

    static constexpr size_t kMinPartLetters = 4;
    static constexpr size_t kMaxWordBytes = 64;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace abstrakt

#endif  // ABSTRAKT_COMMON_COMPOUND_H
