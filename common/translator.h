// Translating query words into the other languages of the index (docs/cross-language.md): the API
// the query plan calls. A Translator holds lexicons (common/lexicon.h) for pairs of languages:
// Chinese <-> English learned from the corpus (data/lexicon/, `abstrakt-index lexicon learn`) and
// German <-> English from the Ding dictionary (common/ding.h), with German compounds split into
// Ding's nouns (common/compound.h) when the compound itself is not in the dictionary.
//
// Once loaded, a Translator does not change and may be shared by threads; the Analyzer each call
// takes is the calling thread's own (the query plan has one).
#ifndef ABSTRAKT_COMMON_TRANSLATOR_H
#define ABSTRAKT_COMMON_TRANSLATOR_H

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/analysis.h"
#include "common/lexicon.h"
#include "common/status.h"

namespace abstrakt {

// The language of one query word, as far as the word alone tells.
enum class WordLanguage {
    kUnknown,  // a name, an acronym, a number, a word no lexicon knows ("lidar", "gpt")
    kChinese,  // Han characters without kana
    kJapanese, // kana
    kGerman,   // a German word that is not also English ("sprachmodelle", "gewichte")
    kEnglish,  // an English word that is not also German ("weights", "language")
    kBoth,     // written the same in German and English ("transformer", "system", "training")
    kOther,    // another script (Hangul, Cyrillic, ...)
};
const char* to_string(WordLanguage l);

// One translation of a source word or phrase.
struct Translation {
    std::string text;                // the target as the lexicon has it, folded ("language model")
    std::vector<std::string> words;  // its folded words, as the index holds them unprefixed
    std::vector<std::string> stems;  // their stems in the target language ("languag", "model"); for
                                     // Chinese (no stemmer) the words themselves
    double weight = 0;               // in (0, 1]: the lexicon's probability, times the parts' for a compound
};

// The translations of a span of query tokens.
struct SpanTranslation {
    size_t begin = 0, end = 0;     // the tokens [begin, end) of the analysed query
    std::string source;            // the folded source: one word, or a Chinese phrase of two words
    std::string from;              // its language: "zh", "de", "en"
    std::vector<Translation> as;   // most probable first
};

// A multiplier for a translation's weight, from what the caller knows of the target language (the
// query plan: how many papers of the index have the target's words). Senses the index lacks then
// drop (multiplier 0), and a dictionary's common-language senses ("design" for "Planung") give way
// to the ones the papers use ("planning"). The Translator renormalises a source's weights after it.
using TargetPrior = std::function<double(const Translation&)>;

class Translator {
  public:
    // Where the resources are. Empty fields: not loaded.
    struct Resources {
        std::string lexicon_dir;  // *.tsv.gz lexicons named FROM-TO.tsv.gz (data/lexicon)
        std::string ding_path;    // the Ding dictionary (common/ding.h)
        std::string ding_cache_dir;  // where its parsed copy is kept ("" = none; common/ding.h)
    };
    // The project's defaults: the lexicon directory is $ABSTRAKT_LEXICON_DIR, else the first of
    // <executable>/../share/abstrakt/lexicon and the source tree's data/lexicon that exists;
    // Ding is $ABSTRAKT_DING, else /usr/share/trans/de-en. $ABSTRAKT_DING="" (set, empty)
    // leaves Ding out. Ding's cache: default_ding_cache_dir() (common/ding.h).
    static Resources default_resources();

    // Loads what `resources` names. A resource that is missing is not an error (its language pair
    // is simply absent: told to `report`); a resource that exists but does not read is one.
    static Result<std::unique_ptr<Translator>> load(const Resources& resources,
                                                    const std::function<void(const std::string&)>& report = {});

    Translator();  // knows no language pair
    ~Translator();
    Translator(Translator&&) noexcept;
    Translator& operator=(Translator&&) noexcept;

    // Adds one direction's lexicon (replacing one of the same direction).
    void add(Lexicon lexicon);
    // German nouns (folded) that compounds split into, and that count as German for infer_language.
    void set_german_nouns(const std::vector<std::string>& nouns);

    // The German nouns compounds split into (from Ding): what the searcher's CompoundSplitter takes
    // as its lexicon, so that "Gewichte" finds "Modellgewichte" (common/compound.h).
    const std::vector<std::string>& german_nouns() const;

    // A German or English function word ("mit", "von", "the"; folded): never translated, nor a target.
    static bool function_word(std::string_view folded);

    // True when words can be translated from `from` into `to`.
    bool can_translate(std::string_view from, std::string_view to) const;

    // Whether the dictionary (Ding, either side) has `folded` as one of its words, as written: no
    // stemming, no compound splitting, and not the learned lexicons, which hold the corpus's own
    // misspellings. Such a word is no typo (searcher/plan.cc: correct; docs/query-syntax.md, "Typos").
    bool dictionary_word(std::string_view folded) const;

    // The language of a query token (Analyzer output). Han and kana by script; a Latin word by the
    // lexicons: German when a German lexicon has it (or its German stem, or it splits into German
    // nouns), English when an English lexicon has its English stem, kBoth when both do and the word
    // is written alike in the two ("transformer", "training"), kUnknown when neither does.
    WordLanguage infer_language(const Token& token, Analyzer& analyzer) const;

    // The translations of one folded word (or a Chinese phrase, "语言模型") from `from` into `to`,
    // at most `top_k`, most probable first; empty when there is none. German: the word, else a
    // dictionary word with its German stem, else its compound parts' translations joined
    // ("sprachmodelle" -> "language model"). English: looked up by English stem. Chinese: the word,
    // else the mean over its character bigrams when the lexicon has them.
    // With `prior`, each translation's weight is multiplied by prior(translation), those at 0 are
    // dropped, and the rest scaled so that their largest weight is what the largest was before.
    std::vector<Translation> translate(std::string_view folded, std::string_view from, std::string_view to,
                                       size_t top_k, Analyzer& analyzer, const TargetPrior& prior = {}) const;

    // Every span of an analysed query worth translating into `to`: Chinese words, two adjacent
    // ones as a phrase when the lexicon has it; Latin words whose inferred language is German or
    // English (not kBoth, not kUnknown) and is not `to`. `from_hint` ("" = infer) forces the
    // language of the Latin words (the request's query_lang).
    // German and English function words ("mit", "von", "the") are not translated. `text`, the
    // analysed text the tokens' offsets point into, lets German case count: in a query with a
    // capitalised word besides its first, a capitalised German word is looked up among the
    // dictionary's nouns and a lower-case one among its other words, where the dictionary has such
    // ("große" -> "groß", not "Größe", which folds alike).
    std::vector<SpanTranslation> translate_query(const std::vector<Token>& tokens, std::string_view to, size_t top_k,
                                                 Analyzer& analyzer, std::string_view from_hint = "",
                                                 const TargetPrior& prior = {}, std::string_view text = "") const;

  private:
    std::vector<Translation> translate_word(std::string_view folded, std::string_view from, std::string_view to,
                                            size_t top_k, Analyzer& analyzer, const TargetPrior& prior, int noun,
                                            bool related) const;
    // Adds the translation of tokens i and the next word as one German phrase of the dictionary
    // ("kognitive Verzerrungen" -> "cognitive bias"), when it has one.
    void german_phrase(const std::vector<Token>& tokens, size_t i, std::string_view to, size_t top_k,
                       Analyzer& analyzer, const TargetPrior& prior, std::string_view text,
                       std::vector<SpanTranslation>& out) const;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace abstrakt

#endif  // ABSTRAKT_COMMON_TRANSLATOR_H
