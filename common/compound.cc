#include "common/compound.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace abstrakt {

namespace {

// Never a part, although they are words of the vocabulary:
// - function words: they begin verbs and adverbs that are not compounds ("uber|trifft" for
//   "übertrifft", "vorher|sage" for "Vorhersage", "unter|stutzt"), and a query for one of them
//   would otherwise match every such word;
// - derivational endings, which turn up as words of their own after a hyphen ("Bewert-ungen") or in
//   a quoted suffix, and would split "bewert|ungen" and then match nothing related.
// The price: a real compound that starts with one of them ("Mehransicht", "Wochenende") is not
// split. Missing a split costs a little recall; a junk split finds unrelated papers.
const std::set<std::string, std::less<>> kNeverParts{
    // function words (folded: "über" is "uber")
    "aber", "alle", "allem", "allen", "aller", "alles", "auch", "beim", "bereits", "dabei", "dadurch", "daher",
    "damit", "dann", "darauf", "daruber", "dass", "denn", "deren", "dessen", "diese", "diesem", "diesen",
    "dieser", "dieses", "doch", "dort", "durch", "eine", "einem", "einen", "einer", "eines", "etwa", "etwas",
    "gegen", "haben", "hier", "hinter", "ihre", "ihrem", "ihren", "ihrer", "immer", "indem", "jede", "jedem",
    "jeden", "jeder", "jedes", "kann", "keine", "mehr", "nach", "nachdem", "neben", "nicht", "noch", "oder",
    "ohne", "schon", "sehr", "sein", "seine", "selbst", "sich", "sind", "sollte", "sowie", "uber", "unter",
    "viel", "viele", "vorher", "wahrend", "weil", "weiter", "wenn", "werden", "wieder", "wird", "wurde",
    "wurden", "zuvor", "zwischen",
    // derivational endings
    "ende", "enden", "ender", "haft", "heit", "heiten", "ieren", "ierung", "ierungen", "isch", "ische",
    "ischen", "ischer", "ismus", "itat", "keit", "keiten", "lich", "liche", "lichen", "licher", "schaft",
    "schaften", "tion", "tionen", "ungen"};

// The linking elements (Fugenelemente) a part that is not the last may have after it:
// "Diffusion-s-modelle", "Gast-es-recht", "Straße-n-bahn", "Frau-en-bild". "" is no element.
// Others ("-er-" of "Kinderbuch", "-ens-" of "Herzensangelegenheit") are rare and lexicalised; they
// are left out to keep the number of ways a word can be cut small.
const std::string_view kLinks[] = {"", "s", "es", "n", "en"};

// Letters (code points) of a folded word: what the minimum part length counts. Folded German is
// almost all ASCII, but a folded word may keep letters without decomposition.
size_t letters(std::string_view s) {
    size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

bool at_char_start(std::string_view w, size_t i) {
    return i == w.size() || (static_cast<unsigned char>(w[i]) & 0xC0) != 0x80;
}

// The best split of a suffix of the word: its first part, where the rest starts, and what the rules
// compare.
struct Best {
    bool ok = false;
    size_t parts = 0;  // number of parts
    size_t last = 0;   // bytes of the last part
    size_t links = 0;  // linking letters and elided "e"s
    size_t end = 0;    // end of the first part
    size_t next = 0;   // start of the rest, after the linking element
    std::string word;  // the vocabulary word of the first part

    // Fewest parts, then the longest last part, then the fewest linking letters.
    bool better_than(const Best& o) const {
        if (!o.ok) return true;
        if (parts != o.parts) return parts < o.parts;
        if (last != o.last) return last > o.last;
        return links < o.links;
    }
};

}  // namespace

struct CompoundSplitter::Impl {
    std::unordered_map<std::string, Xapian::doccount> vocab;
    // Words of the German lexicon that the vocabulary lacks: parts, with no frequency of their own.
    std::unordered_set<std::string> lexicon;
    std::unordered_set<std::string> dictionary;  // every word the lexicon was given
    // German stem of each vocabulary word that may be a part -> the highest frequency of such a word.
    std::unordered_map<std::string, Xapian::doccount> vocab_stems;
    // German stem of a part -> the compounds with such a part, the most frequent first.
    std::unordered_map<std::string, std::vector<CompoundMatch>> by_part_stem;
    size_t compounds = 0;
    // German stems as the analyzer makes them for German text (german2, which also reads "ae", "oe",
    // "ue" as umlauts), but of folded words, on both sides: the parts here and the query words in
    // compounds_with_part(), so that they always meet.
    Xapian::Stem stemmer{"german2"};

    // The document frequency of `w` when it may be a part; nullptr otherwise.
    // A lexicon word the vocabulary lacks: kLexiconOnly, which the frequency rule reads as "as
    // frequent as the compound".
    static constexpr Xapian::doccount kLexiconOnly = 0;
    const Xapian::doccount* part(const std::string& w) const {
        static const Xapian::doccount lexicon_only = kLexiconOnly;
        if (kNeverParts.count(w)) return nullptr;
        auto it = vocab.find(w);
        if (it != vocab.end()) return &it->second;
        return use_lexicon && lexicon.count(w) ? &lexicon_only : nullptr;
    }
    // Whether lexicon-only words may be parts in the split under way: not when the word itself is
    // a lexicon word. A dictionary word has its own meaning, and the dictionary also lists short
    // rare nouns that cut it into junk ("meth|oden" for "Methoden", "merk|male" for "Merkmale") or
    // compounds that cut it wrongly ("netz|werkverkehr" for "Netzwerkverkehr").
    mutable bool use_lexicon = false;

    // The frequency of `w` as the last part: a vocabulary word, or an inflected form of one (a
    // piece whose German stem is a vocabulary word's: the "modellen" of "Sprachmodellen" when the
    // index has "Modell" and "Modelle" but no "Modellen"). Compounds inflect at their end, so the
    // last part of an inflected compound is often a form that never stands alone in the index.
    // nullptr when it is neither.
    const Xapian::doccount* last_part(const std::string& w) const {
        if (const Xapian::doccount* df = part(w)) return df;
        if (kNeverParts.count(w)) return nullptr;
        auto it = vocab_stems.find(stemmer(w));
        if (it != vocab_stems.end()) return &it->second;
        static const Xapian::doccount lexicon_only = kLexiconOnly;
        return use_lexicon && lexicon_stems.count(stemmer(w)) ? &lexicon_only : nullptr;
    }
    std::unordered_set<std::string> lexicon_stems;  // German stems of the lexicon's words

    std::vector<CompoundPart> split(std::string_view w) const {
        const size_t n = w.size();
        // Four letters at least per part: three-letter pieces are too often syllables, endings and
        // function words ("stat|ion", "ein|satz", "und"), while four admits the short nouns that
        // compounds are made of ("Bild", "Text", "Satz", "Zeit", "Rate").
        if (n > kMaxWordBytes || letters(w) < 2 * kMinPartLetters) return {};
        use_lexicon = !lexicon.empty() && !dictionary.count(std::string(w));
        std::vector<Best> best(n + 1);
        std::string piece;
        for (size_t i = n; i-- > 0;) {
            if (!at_char_start(w, i)) continue;
            Best& b = best[i];
            // The suffix as the last part, as written (an elided "e" or a linking element would
            // make it another word); not the whole word, which is no split.
            piece.assign(w.substr(i));
            if (i > 0 && letters(piece) >= kMinPartLetters && last_part(piece)) {
                b.ok = true;
                b.parts = 1;
                b.last = n - i;
                b.links = 0;
                b.end = b.next = n;
                b.word = piece;
            }
            // A part that is not the last: w[i, j), as written or with its final "e" elided, then a
            // linking element, then the best split of the rest.
            for (size_t j = i + 1; j < n; ++j) {
                if (!at_char_start(w, j)) continue;
                std::string_view written = w.substr(i, j - i);
                if (letters(written) < kMinPartLetters) continue;
                for (int elided = 0; elided < 2; ++elided) {
                    piece.assign(written);
                    if (elided) piece += 'e';
                    if (!part(piece)) continue;
                    for (std::string_view link : kLinks) {
                        const size_t next = j + link.size();
                        if (next >= n || w.substr(j, link.size()) != link || !best[next].ok) continue;
                        Best c;
                        c.ok = true;
                        c.parts = best[next].parts + 1;
                        c.last = best[next].last;
                        c.links = best[next].links + link.size() + static_cast<size_t>(elided);
                        c.end = j;
                        c.next = next;
                        if (c.better_than(b)) {
                            c.word = piece;
                            b = std::move(c);
                        }
                    }
                }
            }
        }
        if (!best[0].ok || best[0].parts < 2) return {};
        std::vector<CompoundPart> parts;
        for (size_t i = 0; i < n;) {
            const Best& b = best[i];
            parts.push_back({b.word, static_cast<uint32_t>(i), static_cast<uint32_t>(b.end)});
            i = b.next;
        }
        // A word more frequent than the geometric mean of its parts has a meaning of its own and is
        // not split (Koehn and Knight, "Empirical Methods for Compound Splitting", 2003): "hardware"
        // is used far more than "hard" and "ware" in a German corpus. A part counts with the most
        // frequent word of its stem ("modellen" as often as "modelle"): an inflected form is rare
        // where its word is not, and "sprachmodellen" (2 papers) was kept whole for its "modellen"
        // (1 paper) on the bundled data. A word the index does not have (frequency 0) always
        // passes: that is the query for a compound nobody wrote.
        if (auto it = vocab.find(std::string(w)); it != vocab.end()) {
            double log_parts = 0;
            for (const CompoundPart& p : parts) {
                auto family = vocab_stems.find(stemmer(p.word));
                const Xapian::doccount df = family == vocab_stems.end() ? kLexiconOnly : family->second;
                log_parts += std::log(static_cast<double>(df == kLexiconOnly ? it->second : df));
            }
            if (static_cast<double>(parts.size()) * std::log(static_cast<double>(it->second)) > log_parts + 1e-9) return {};
        }
        return parts;
    }
};

CompoundSplitter::CompoundSplitter() : impl_(std::make_unique<Impl>()) {}

CompoundSplitter::CompoundSplitter(const Vocabulary& vocabulary) : CompoundSplitter(vocabulary, {}) {}

CompoundSplitter::CompoundSplitter(const Vocabulary& vocabulary, const std::vector<std::string>& lexicon)
    : impl_(std::make_unique<Impl>()) {
    for (const auto& [word, df] : vocabulary)
        if (!word.empty() && df > 0) impl_->vocab[word] += df;
    for (const std::string& word : lexicon) {
        impl_->dictionary.insert(word);
        if (word.empty() || impl_->vocab.count(word) || letters(word) < kMinPartLetters || kNeverParts.count(word)) continue;
        impl_->lexicon.insert(word);
        impl_->lexicon_stems.insert(impl_->stemmer(word));
    }
    for (const auto& [word, df] : impl_->vocab) {
        if (letters(word) < kMinPartLetters || kNeverParts.count(word)) continue;
        Xapian::doccount& max = impl_->vocab_stems[impl_->stemmer(word)];
        max = std::max(max, df);
    }
    for (const auto& [word, df] : impl_->vocab) {
        std::vector<CompoundPart> parts = impl_->split(word);
        if (parts.empty()) continue;
        ++impl_->compounds;
        std::set<std::string> stems;  // a compound is listed once per stem, at its first such part
        for (const CompoundPart& p : parts) {
            std::string stem = impl_->stemmer(p.word);
            if (stem.empty() || !stems.insert(stem).second) continue;
            impl_->by_part_stem[stem].push_back({word, p.begin, p.end, df});
        }
    }
    for (auto& [stem, list] : impl_->by_part_stem)
        std::sort(list.begin(), list.end(), [](const CompoundMatch& a, const CompoundMatch& b) {
            return a.df != b.df ? a.df > b.df : a.compound < b.compound;
        });
}

CompoundSplitter::~CompoundSplitter() = default;
CompoundSplitter::CompoundSplitter(CompoundSplitter&&) noexcept = default;
CompoundSplitter& CompoundSplitter::operator=(CompoundSplitter&&) noexcept = default;

bool CompoundSplitter::empty() const { return impl_->vocab.empty(); }
size_t CompoundSplitter::words() const { return impl_->vocab.size(); }
size_t CompoundSplitter::compounds() const { return impl_->compounds; }

std::vector<CompoundPart> CompoundSplitter::split(std::string_view folded) const { return impl_->split(folded); }

std::vector<std::string> CompoundSplitter::inflections(std::string_view folded) const {
    static const std::string_view kEndings[] = {"e", "en", "er", "ern", "es", "n", "s"};
    std::vector<std::string> out;
    for (std::string_view ending : kEndings) {
        std::string w = std::string(folded) + std::string(ending);
        if (impl_->vocab.count(w)) out.push_back(std::move(w));
    }
    return out;
}

std::vector<CompoundMatch> CompoundSplitter::compounds_with_part(std::string_view folded, size_t limit) const {
    // As short a word as a part may be, and no shorter: the stem of a three-letter word ("dat" of
    // "Daten" typed as "dat") would otherwise reach compounds whose part merely stems alike.
    if (impl_->by_part_stem.empty() || letters(folded) < kMinPartLetters) return {};
    auto it = impl_->by_part_stem.find(impl_->stemmer(std::string(folded)));
    if (it == impl_->by_part_stem.end()) return {};
    const std::vector<CompoundMatch>& list = it->second;
    return std::vector<CompoundMatch>(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(std::min(limit, list.size())));
}

}  // namespace abstrakt
