// Cross-language search in the query plan (docs/cross-language.md): a query word's translations into
// the index's other languages become Alternatives of the word (plan.h, Kind::kTranslation), or'd
// beside it by the builder with their weight scaled down, so that a German or Chinese query also
// finds the papers that exist only in English, and an equal match in the query's own language still
// ranks first.
//
// Where a word is translated, and into what:
// - into each language of the index that the search covers (QueryContext::stem_langs), from the
//   word's own language (Translator::translate_query: Chinese by script, a Latin word by the lexicons
//   or QueryContext::query_lang; a word written alike in both, "Transformer", or unknown, "LiDAR",
//   is not translated);
// - only where it can help: the index has papers without text in the word's language (they have
//   text in another), or the index does not have the word at all. An English query over papers that
//   all have English is searched as it was.
// - the best RankingParams::translations_per_word translations, each weighted
//   translation_weight x its probability (the lexicon's, times how common its words are in the
//   index: the TargetPrior below). A multi-word translation needs all its words (Join::kAll); one
//   of two words is also searched as one word where the papers usually write it so ("codebases").
// - a Chinese phrase of two words that the lexicon has ("语言模型" -> "language model") is attached
//   to its first word: the builder ors it beside that word, and the second word still needs its own
//   match or translation in the all-words tier, which the phrase's words give it.
#ifndef ABSTRAKT_SEARCHER_TRANSLATE_PLAN_H
#define ABSTRAKT_SEARCHER_TRANSLATE_PLAN_H

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/analysis.h"
#include "common/translator.h"
#include "searcher/plan.h"

namespace abstrakt {

// Whether translating could change what `query` finds over an index with `langs` (its languages, or
// the one a search is restricted to) and `counts`: a cheap look at the words (the query's syntax is
// not parsed), before the Translator is needed. False means no word of it would be translated, so a
// process need not load the dictionaries (Ding takes seconds) for an English query over English
// papers. A Latin word counts as German when the index has it mostly in German text, else as the
// index's other text; `query_lang` ("" = per word) overrides that.
bool may_translate(std::string_view query, Analyzer& analyzer, const std::vector<std::string>& langs,
                   const Vocabulary& counts, std::string_view query_lang);

// Adds the translations of `plan`'s words (above) as Alternatives, lists them in plan.translations
// and adds the notice "translated". Nothing when context.translator or context.vocabulary is null.
// Words of author:, excluded words, stop words left out and "quoted phrases" are not translated.
void add_translations(QueryPlan& plan, Analyzer& analyzer, const QueryContext& context, const RankingParams& ranking);

// One Translator for a whole process, shared by its engines and threads: loaded on first use (Ding
// takes about 7 s of CPU), or from preload() on a thread of its own while the process starts.
class SharedTranslator {
  public:
    explicit SharedTranslator(Translator::Resources resources);
    explicit SharedTranslator(std::shared_ptr<const Translator> loaded);  // already loaded (tests)
    ~SharedTranslator();
    SharedTranslator(const SharedTranslator&) = delete;
    SharedTranslator& operator=(const SharedTranslator&) = delete;

    // The Translator; the first call loads it (other threads wait for it). nullptr when the
    // resources could not be read (said once on standard error): searching goes on untranslated.
    const Translator* get();
    // Starts loading on a thread of its own (abstrakt-serve, at start); get() waits for it.
    void preload();

    // The process's Translator over Translator::default_resources().
    static std::shared_ptr<SharedTranslator> process();

  private:
    Translator::Resources resources_;
    std::shared_ptr<const Translator> translator_;
    std::once_flag once_;
    std::thread preloading_;
    std::mutex preload_mutex_;
};

}  // namespace abstrakt

#endif  // ABSTRAKT_SEARCHER_TRANSLATE_PLAN_H
