#include "searcher/translate_plan.h"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <pthread.h>

#include "common/lang.h"
#include "common/schema.h"

namespace abstrakt {

namespace {

// Whether the index has papers without text in `lang` (they have text in another language).
bool papers_lack(const Vocabulary& counts, const std::string& lang) { return counts.papers_in(lang) < counts.documents(); }

// Whether the index has the word: as folded, or by one of its stems under the index's languages.
bool in_vocabulary(const Vocabulary& counts, const std::string& folded, const std::vector<std::string>& stems) {
    if (counts.frequency(folded) > 0) return true;
    return std::any_of(stems.begin(), stems.end(),
                       [&](const std::string& s) { return !s.empty() && counts.frequency(schema::kPrefixStem + s) > 0; });
}

bool other_language(const std::vector<std::string>& langs, const std::string& lang) {
    return std::any_of(langs.begin(), langs.end(), [&](const std::string& l) { return l != lang; });
}

// The text words of `c` that may be translated, with where they are.
void collect(Clause& c, bool positive, std::vector<PlanWord*>& words) {
    switch (c.kind) {
        case Clause::Kind::kWord:
            if (!positive || c.stop || c.field == QueryField::kAuthor) return;
            for (PlanWord& w : c.words)
                if (w.kind == TokenKind::kWord || w.kind == TokenKind::kIdeograph) words.push_back(&w);
            return;
        case Clause::Kind::kPhrase:  // "exact words" stay exact
        case Clause::Kind::kFilter: return;
        case Clause::Kind::kAnyOf:
        case Clause::Kind::kAllOf:
            for (Clause& k : c.children) collect(k, positive && k.mod != Modifier::kExcluded, words);
            return;
    }
}

// A query with words translated from German: its German function words ("der", "mit", "von") are
// left out of the search, as stop words. Not translated (Translator::function_word), they would be
// searched as typed in the other language's text, where they are rare names ("van der Pol", "von
// Neumann") with a high idf, and in the all-words tier every paper would need them.
void leave_out_function_words(Clause& c, QueryPlan& plan) {
    if (c.kind != Clause::Kind::kAllOf && c.kind != Clause::Kind::kAnyOf) return;
    for (Clause& k : c.children) leave_out_function_words(k, plan);
    if (c.kind != Clause::Kind::kAllOf) return;
    auto function = [](const Clause& k) {
        return k.kind == Clause::Kind::kWord && k.mod == Modifier::kOptional && k.field == QueryField::kAny && k.words.size() == 1 &&
               k.words[0].kind == TokenKind::kWord && k.words[0].alternatives.empty() && Translator::function_word(k.words[0].folded);
    };
    const bool others = std::any_of(c.children.begin(), c.children.end(), [&](const Clause& k) { return !k.stop && !function(k); });
    if (!others) return;
    for (Clause& k : c.children)
        if (function(k) && !k.stop) {
            k.stop = true;
            plan.proximity.erase(std::remove(plan.proximity.begin(), plan.proximity.end(), k.words[0].folded), plan.proximity.end());
        }
    c.joins.erase(std::remove_if(c.joins.begin(), c.joins.end(), [&](size_t i) { return c.children[i].stop || c.children[i + 1].stop; }),
                  c.joins.end());
}

// The word as the index may have it in English when it is an English word with a German ending
// ("Autoencodern", "residuales", "adaptives", "Benchmarks"): the word less the ending (longest
// first), or that plus "e", when the index has it mostly outside German text. "" when none.
std::string english_loanword(const std::string& folded, const Vocabulary& counts) {
    static const char* const kEndings[] = {"ern", "en", "em", "er", "es", "n", "s", "e"};
    for (const char* ending : kEndings) {
        const std::string_view e(ending);
        if (folded.size() < e.size() + 4 || folded.compare(folded.size() - e.size(), e.size(), e) != 0) continue;
        const std::string base = folded.substr(0, folded.size() - e.size());
        for (const std::string& c : {base, base + "e"}) {
            const uint64_t all = counts.frequency(c);
            if (all > 0 && 2 * counts.frequency(schema::kPrefixGermanWord + c) < all) return c;
        }
    }
    return "";
}

// A German word's senses weighed by the other words: a sense whose papers also have the other words'
// translations is the query's ("Muster" with "sprachliche" and "Texten": pattern, not sample). For
// each sense, over each of the kContextSpans nearest other spans, the best share of the papers of the
// rarer of the two (the sense's rarest word, one of the other span's two best translations) that
// have both, counted up to kContextCount (beyond, a share of kContextCount: frequent pairs saturate);
// weights times 0.5 + 0.5 x that sum over the largest, the best keeping its weight. At most
// 3 x 6 x 2 counts a word, each stopped at kContextCount papers.
constexpr size_t kContextSpans = 6;
constexpr uint64_t kContextCount = 1000;
template <typename Term>
void by_context(std::vector<SpanTranslation>& spans, const Vocabulary& counts, const Term& term) {
    auto rarest = [&](const Translation& t) {
        std::string best;
        uint64_t df = UINT64_MAX;
        for (size_t i = 0; i < t.words.size(); ++i) {
            const std::string x = term(t, i);
            const uint64_t f = counts.frequency(x);
            if (f < df) df = f, best = x;
        }
        return std::make_pair(best, df == UINT64_MAX ? 0 : df);
    };
    std::vector<std::vector<std::pair<std::string, uint64_t>>> keys(spans.size());
    for (size_t i = 0; i < spans.size(); ++i)
        for (const Translation& t : spans[i].as) keys[i].push_back(rarest(t));
    for (size_t i = 0; i < spans.size(); ++i) {
        SpanTranslation& s = spans[i];
        if (s.from != "de" || s.as.size() < 2) continue;
        std::vector<double> score(s.as.size(), 0);
        // The other spans (not overlapping this one), nearest first.
        std::vector<size_t> context;
        for (size_t j = 0; j < spans.size(); ++j)
            if (j != i && (spans[j].begin >= s.end || spans[j].end <= s.begin)) context.push_back(j);
        auto distance = [&](size_t j) { return spans[j].begin >= s.end ? spans[j].begin - s.end : s.begin - spans[j].end; };
        std::stable_sort(context.begin(), context.end(), [&](size_t x, size_t y) { return distance(x) < distance(y); });
        if (context.size() > kContextSpans) context.resize(kContextSpans);
        for (size_t k = 0; k < s.as.size(); ++k) {
            const auto& [a, fa] = keys[i][k];
            if (fa == 0) continue;
            for (size_t j : context) {
                double best = 0;
                for (size_t l = 0; l < keys[j].size() && l < 2; ++l) {
                    const auto& [b, fb] = keys[j][l];
                    if (fb == 0 || b == a) continue;
                    const uint64_t rarer = std::min({fa, fb, kContextCount});
                    const uint64_t both = std::min(rarer, counts.papers_with_both(a, b, rarer));
                    best = std::max(best, static_cast<double>(both) / static_cast<double>(rarer));
                }
                score[k] += best;
            }
        }
        const double top = *std::max_element(score.begin(), score.end());
        if (!(top > 0)) continue;
        double before = 0, after = 0;
        for (size_t k = 0; k < s.as.size(); ++k) {
            before = std::max(before, s.as[k].weight);
            s.as[k].weight *= 0.5 + 0.5 * score[k] / top;
            after = std::max(after, s.as[k].weight);
        }
        for (Translation& t : s.as) t.weight = std::min(1.0, t.weight * before / after);
        std::stable_sort(s.as.begin(), s.as.end(), [](const Translation& x, const Translation& y) { return x.weight > y.weight; });
    }
}

// A translation of two words written as one word, where the papers usually write it so: "code
// bases" as "codebases", "meta data" as "metadata" (a dictionary gives the open form). Searched
// beside the open form, as a translation of one word (`weight`). The index holds a hyphenated form
// as its parts and as one word (common/analysis.h), so the papers with the closed form (c + h: closed,
// hyphenated) must be more than twice those with the open form as a phrase (o + h): c > 2o + h. Then
// a stray token ("LanguageModels" in 3 papers, against hundreds with "language models") is not
// searched as a translation, nor a word mostly hyphenated ("follow-up"), which the open form finds
// already. No Alternative (empty words) otherwise.
Alternative joined_form(const Translation& t, const std::string& to, bool stemmed, const Vocabulary& counts,
                        Analyzer& analyzer, double weight) {
    Alternative a;
    if (t.words.size() != 2) return a;
    std::string closed;
    for (const std::string& w : t.words) {
        // Latin letters only: a script written without spaces has no open form.
        if (!std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; })) return a;
        closed += w;
    }
    Token token;
    token.folded = closed;
    token.exact = closed;
    const std::string stem = stemmed ? analyzer.stem(to, token) : std::string();
    const uint64_t df = counts.frequency(stem.empty() ? closed : schema::kPrefixStem + stem);
    if (df == 0) return a;
    if (2 * counts.papers_with_phrase(t.words, 2 * df + 1) >= df) return a;
    a.kind = Alternative::Kind::kTranslation;
    a.lang = to;
    a.words = {closed};
    if (!stem.empty()) a.stems = {stem};
    a.join = Alternative::Join::kAll;
    a.weight = weight;
    a.display = closed;
    return a;
}

}  // namespace

bool may_translate(std::string_view query, Analyzer& analyzer, const std::vector<std::string>& langs,
                   const Vocabulary& counts, std::string_view query_lang) {
    if (langs.empty() || counts.documents() == 0) return false;
    std::vector<Token> tokens;
    analyzer.analyze(query, tokens);
    for (const Token& t : tokens) {
        if (t.joined) continue;
        std::string lang;
        if (t.kind == TokenKind::kIdeograph) lang = "zh";
        else if (t.kind == TokenKind::kKana) lang = "ja";
        else if (t.kind != TokenKind::kWord) continue;
        std::vector<std::string> stems;
        for (const std::string& l : langs) stems.push_back(analyzer.stem(l, t));
        const bool known = in_vocabulary(counts, t.folded, stems);
        if (lang.empty() && !query_lang.empty()) lang = std::string(query_lang);
        if (lang.empty()) {
            // A word the index lacks as typed (perhaps a word of another language, or an inflection
            // of one that its stems meet) may be translated.
            if (!known || counts.frequency(t.folded) == 0) return true;
            // The index's German vocabulary (schema.h: kPrefixGermanWord) tells a German word from
            // the English ones that German abstracts also use ("Large Language Models").
            const uint64_t german = counts.frequency(schema::kPrefixGermanWord + t.folded);
            lang = german > 0 && 2 * german >= counts.frequency(t.folded) ? "de" : "en";
        }
        if (other_language(langs, lang) && (!known || papers_lack(counts, lang))) return true;
    }
    return false;
}

void add_translations(QueryPlan& plan, Analyzer& analyzer, const QueryContext& ctx, const RankingParams& ranking) {
    if (!ctx.translator || !ctx.vocabulary || ranking.translations_per_word == 0) return;
    const Translator& tr = *ctx.translator;
    const Vocabulary& counts = *ctx.vocabulary;
    std::vector<PlanWord*> words;
    collect(plan.root, plan.root.mod != Modifier::kExcluded, words);
    if (words.empty()) return;
    // The words as the Translator reads a query: their offsets are the query's, so that German
    // capitals and adjacent Chinese words are seen as typed.
    std::vector<Token> tokens;
    for (const PlanWord* w : words) {
        Token t;
        t.folded = w->folded;
        t.exact = w->exact;
        t.kind = w->kind;
        t.start = static_cast<uint32_t>(w->span.begin);
        t.end = static_cast<uint32_t>(w->span.end);
        tokens.push_back(std::move(t));
    }
    const double log_n = std::log(1.0 + static_cast<double>(counts.documents()));
    std::string notice;
    for (const std::string& to : plan.stem_langs) {
        if (counts.papers_in(to) == 0) continue;
        const bool stemmed = lang::stemmer_name(to)[0] != '\0';
        // The terms a translation is searched by, in the index.
        auto term = [&](const Translation& t, size_t i) {
            return stemmed && i < t.stems.size() && !t.stems[i].empty() ? schema::kPrefixStem + t.stems[i] : t.words[i];
        };
        // A sense weighs by how many papers have all of its words, log(1 + df) / log(1 + N) with the
        // rarest word's df: senses the papers lack drop, theirs rise (eval/xlang.cc measured it).
        TargetPrior prior = [&](const Translation& t) {
            uint64_t df = counts.documents();
            for (size_t i = 0; i < t.words.size(); ++i) df = std::min(df, counts.frequency(term(t, i)));
            return log_n > 0 ? std::log(1.0 + static_cast<double>(df)) / log_n : 0.0;
        };
        auto spans = tr.translate_query(tokens, to, ranking.translations_per_word, analyzer, ctx.query_lang, prior, plan.text);
        by_context(spans, counts, term);
        for (const SpanTranslation& span : spans) {
            if (span.as.empty() || span.begin >= words.size() || span.end > words.size()) continue;
            // Only where it can help: papers without the word's language, or a word the index lacks.
            const PlanWord& w0 = *words[span.begin];
            bool known = true;
            for (size_t i = span.begin; i < span.end; ++i) {
                std::vector<std::string> stems;
                for (const auto& s : words[i]->stems) stems.push_back(s.second);
                known = known && in_vocabulary(counts, words[i]->folded, stems);
            }
            if (known && !papers_lack(counts, span.from)) continue;
            // A word the lexicons take for German that the index has as typed, mostly outside German
            // text, is the index's own word: "rat" (Ding: "Rat", advice) in a paper about rats.
            // An abbreviation typed in capitals is the dictionary's ("KI" -> "AI"), whatever the
            // index has of it ("Ki-67").
            const std::string_view typed = std::string_view(plan.text).substr(w0.span.begin, w0.span.end - w0.span.begin);
            const bool capitals = typed.size() >= 2 && std::all_of(typed.begin(), typed.end(), [](char c) {
                                      return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                                  });
            if (span.from == "de" && span.end == span.begin + 1 && !capitals) {
                const uint64_t all = counts.frequency(w0.folded);
                if (all > 0 && 2 * counts.frequency(schema::kPrefixGermanWord + w0.folded) < all) continue;
            }
            PlanWord& w = *words[span.begin];
            QueryTranslation listed{plan.text.substr(w.span.begin, words[span.end - 1]->span.end - w.span.begin), span.from, to, {}};
            for (const Translation& t : span.as) {
                if (t.words.empty()) continue;
                Alternative a;
                a.kind = Alternative::Kind::kTranslation;
                a.lang = to;
                a.words = t.words;
                if (stemmed) a.stems = t.stems;
                a.join = Alternative::Join::kAll;
                // Each of a translation's words adds its own weight where a paper has them all, so a
                // translation of n words is scaled by 1 / sqrt(n): "language models" for "Sprachmodelle"
                // counts less than two words would and ranks below an equal match of the word as typed.
                // (1 / n did too, and lost 0.02 MRR@10 on the German dev set; docs/cross-language.md.)
                a.weight = ranking.translation_weight * t.weight / std::sqrt(static_cast<double>(t.words.size()));
                a.display = t.text;
                if (a.weight <= 0) continue;
                Alternative closed = joined_form(t, to, stemmed, counts, analyzer, a.weight * std::sqrt(static_cast<double>(t.words.size())));
                w.alternatives.push_back(std::move(a));
                listed.as.push_back(t.text);
                // Not when the lexicon gives the closed form itself ("everyday" beside "every day").
                const bool given = !closed.words.empty() && std::any_of(span.as.begin(), span.as.end(), [&](const Translation& o) {
                    return o.words == closed.words || (!closed.stems.empty() && o.stems == closed.stems);
                });
                if (!closed.words.empty() && !given) {
                    listed.as.push_back(closed.display);
                    w.alternatives.push_back(std::move(closed));
                }
            }
            if (listed.as.empty()) continue;
            std::stable_sort(w.alternatives.begin(), w.alternatives.end(),
                             [](const Alternative& a, const Alternative& b) { return a.weight > b.weight; });
            notice += (notice.empty() ? "" : "; ") + listed.word + " -> " + listed.as.front();
            plan.translations.push_back(std::move(listed));
        }
    }
    if (std::any_of(plan.translations.begin(), plan.translations.end(), [](const QueryTranslation& t) { return t.lang == "de"; })) {
        // A German query: a word with no translation that the index lacks may be an English word
        // with a German ending, searched as the English word.
        for (PlanWord* w : words) {
            if (w->kind != TokenKind::kWord || !w->alternatives.empty() || Translator::function_word(w->folded)) continue;
            std::vector<std::string> stems;
            for (const auto& st : w->stems) stems.push_back(st.second);
            if (in_vocabulary(counts, w->folded, stems)) continue;
            const std::string english = english_loanword(w->folded, counts);
            if (english.empty()) continue;
            Token t;
            t.folded = english;
            t.exact = english;
            Alternative a;
            a.kind = Alternative::Kind::kTranslation;
            a.lang = "en";
            a.words = {english};
            const std::string stem = analyzer.stem("en", t);
            if (!stem.empty() && std::find(plan.stem_langs.begin(), plan.stem_langs.end(), "en") != plan.stem_langs.end()) a.stems = {stem};
            a.weight = ranking.translation_weight;
            a.display = english;
            w->alternatives.push_back(std::move(a));
            plan.translations.push_back({plan.text.substr(w->span.begin, w->span.end - w->span.begin), "de", "en", {english}});
            notice += (notice.empty() ? "" : "; ") + plan.translations.back().word + " -> " + english;
        }
        leave_out_function_words(plan.root, plan);
    }
    if (!notice.empty()) {
        plan.notices.push_back({notice::kTranslated, "also searched in translation: " + notice});
        // One tier: a paper with every word but one, whose word the translation missed (a sense the
        // dictionary lacks or ranks low), is not ranked below every paper that happens to have all
        // the translations. Measured: +0.016 MRR@10 on the German dev sets, +0.003 on zh-title
        // (docs/cross-language.md).
        plan.some_words_tier = true;
        plan.two_tiers = false;
    }
}

SharedTranslator::SharedTranslator(Translator::Resources resources) : resources_(std::move(resources)) {}

SharedTranslator::SharedTranslator(std::shared_ptr<const Translator> loaded) : translator_(std::move(loaded)) {
    std::call_once(once_, [] {});
}

SharedTranslator::~SharedTranslator() {
    std::lock_guard<std::mutex> lock(preload_mutex_);
    if (preloading_.joinable()) preloading_.join();
}

const Translator* SharedTranslator::get() {
    std::call_once(once_, [this] {
        auto loaded = Translator::load(resources_);
        if (loaded.is_ok()) translator_ = std::move(loaded.value());
        else std::cerr << "abstrakt: cross-language search is off: " << loaded.message() << "\n";
    });
    return translator_.get();
}

void SharedTranslator::preload() {
    std::lock_guard<std::mutex> lock(preload_mutex_);
    if (preloading_.joinable()) return;
    // The loading thread takes no signals: a server that starts it before it installs its own
    // handling of SIGTERM and SIGINT (http.cc) would otherwise be killed by one delivered to it.
    sigset_t all, before;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &before);
    preloading_ = std::thread([this] { get(); });
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

std::shared_ptr<SharedTranslator> SharedTranslator::process() {
    static const std::shared_ptr<SharedTranslator> shared = std::make_shared<SharedTranslator>(Translator::default_resources());
    return shared;
}

}  // namespace abstrakt
