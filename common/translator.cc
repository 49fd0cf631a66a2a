#include "common/translator.h"

#include <xapian.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>
#include <unordered_set>

#include "common/compound.h"
#include "common/ding.h"
#include "common/lang.h"
#include "common/text.h"

namespace abstrakt {

namespace {

bool exists(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0;
}

std::vector<std::string> words_of(std::string_view s) {
    std::vector<std::string> out;
    size_t at = 0;
    while (at < s.size()) {
        size_t sp = s.find(' ', at);
        if (sp == std::string_view::npos) sp = s.size();
        if (sp > at) out.emplace_back(s.substr(at, sp - at));
        at = sp + 1;
    }
    return out;
}


std::string pair_key(std::string_view from, std::string_view to) { return std::string(from) + "-" + std::string(to); }

// Function words: never translated (their dictionary senses are noise: "mit" -> "cum"), and never
// targets.
const std::unordered_set<std::string> kFunctionWords{
    // German, folded
    "ab", "aber", "als", "am", "an", "auch", "auf", "aus", "bei", "beim", "bis", "da", "dass", "dem", "den", "der",
    "des", "die", "das", "durch", "ein", "eine", "einem", "einen", "einer", "eines", "es", "fur", "gegen", "hat",
    "im", "in", "ins", "ist", "mit", "mittels", "nach", "nicht", "noch", "nur", "ob", "oder", "ohne", "sich",
    "sind", "so", "sowie", "uber", "um", "und", "unter", "vom", "von", "vor", "was", "wie", "wir", "wird", "zu",
    "zum", "zur", "zwischen",
    // English
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "how", "is", "it", "its", "of", "on", "or",
    "our", "than", "that", "the", "their", "this", "to", "via", "we", "what", "when", "which", "with"};

// A lexicon with the indexes its lookups need.
struct Indexed {
    Lexicon lex;
    // English sources: stems of the source's words, joined by spaces -> sources.
    std::unordered_map<std::string, std::vector<std::string>> by_stem;
    bool has_bigrams = false;  // Chinese sources: the lexicon has character bigrams
};

// Lexicon entries as (target, weight) pairs before they become Translations.
using Scored = std::vector<std::pair<std::string, double>>;

// The senses of a compound's part weighed (by the prior) before the best two are joined.
constexpr size_t kPartSenses = 6;

}  // namespace

const char* to_string(WordLanguage l) {
    switch (l) {
        case WordLanguage::kChinese: return "zh";
        case WordLanguage::kJapanese: return "ja";
        case WordLanguage::kGerman: return "de";
        case WordLanguage::kEnglish: return "en";
        case WordLanguage::kBoth: return "de+en";
        case WordLanguage::kOther: return "other";
        case WordLanguage::kUnknown: break;
    }
    return "unknown";
}

struct Translator::Impl {
    std::map<std::string, Indexed> lexicons;  // "from-to"
    std::unordered_set<std::string> german;   // folded German words (dictionary sources, nouns)
    std::unordered_set<std::string> english_stems;
    // English stems of the learned lexicons (the papers' own vocabulary): a dictionary sense made of
    // them is the one research papers use ("weights" rather than "hefts" for "Gewichte").
    std::unordered_set<std::string> domain_stems;
    std::unordered_map<std::string, std::vector<std::string>> german_by_stem;  // german2 stem -> dictionary words
    CompoundSplitter splitter;
    mutable std::mutex mutex;  // the splitter and the stemmers are not thread-safe
    mutable Xapian::Stem english{"english"}, german2{"german2"};

    const Indexed* find(std::string_view from, std::string_view to) const {
        auto it = lexicons.find(pair_key(from, to));
        return it == lexicons.end() ? nullptr : &it->second;
    }

    std::string english_stem_key(std::string_view folded) const {
        std::string key;
        for (const std::string& w : words_of(folded)) {
            if (!key.empty()) key += ' ';
            key += english(w);
        }
        return key;
    }

    void reindex() {
        german.clear();
        english_stems.clear();
        domain_stems.clear();
        german_by_stem.clear();
        for (auto& [k, ix] : lexicons) {
            ix.by_stem.clear();
            ix.has_bigrams = false;
            for (const auto& [src, list] : ix.lex.entries()) {
                if (ix.lex.from() == "en") {
                    ix.by_stem[english_stem_key(src)].push_back(src);
                    if (src.find(' ') == std::string::npos) {
                        english_stems.insert(english(src));
                        if (ix.lex.to() != "de") domain_stems.insert(english(src));
                    }
                }
                if (ix.lex.from() == "de" && src.find(' ') == std::string::npos) {
                    german.insert(src);
                    german_by_stem[german2(src)].push_back(src);
                }
                if (ix.lex.from() == "zh" && utf8_code_points(src).size() == 2) ix.has_bigrams = true;
            }
        }
        german.insert(nouns.begin(), nouns.end());
        noun_set = std::unordered_set<std::string>(nouns.begin(), nouns.end());
    }
    std::vector<std::string> nouns;
    std::unordered_set<std::string> noun_set;

    // Lexicon entries of one word, without compound splitting.
    // `noun`: for German, 1 when the word was written capitalised (a noun), 0 when in lower case
    // (not a noun), -1 when that is not known; the dictionary words of the other kind are then
    // passed over where words of the right kind exist ("große" is "groß", not "Größe", which
    // folds alike; "statistische" is "statistisch", not "Statist").
    Scored lookup(std::string_view folded, std::string_view from, std::string_view to, bool fallback, int noun = -1) const {
        if (from == "de" && noun >= 0) {
            Scored kind = lookup_de(folded, to, fallback, noun);
            if (!kind.empty()) return kind;
        }
        return lookup_any(folded, from, to, fallback);
    }

    Scored lookup_de(std::string_view folded, std::string_view to, bool fallback, int noun) const {
        Scored out;
        const Indexed* ix = find("de", to);
        if (!ix) return out;
        auto right_kind = [&](const std::string& w) { return (noun_set.count(w) > 0) == (noun == 1); };
        const std::string w(folded);
        if (right_kind(w))
            if (const auto* list = ix->lex.find(w))
                for (const LexiconEntry& e : *list) out.emplace_back(e.target, e.prob);
        if (!out.empty() || !fallback) return out;
        auto it = german_by_stem.find(german2(w));
        if (it == german_by_stem.end()) return out;
        std::vector<const std::string*> kind;
        for (const std::string& c : it->second)
            if (right_kind(c)) kind.push_back(&c);
        for (const std::string* c : kind)
            if (const auto* list = ix->lex.find(*c))
                for (const LexiconEntry& e : *list) out.emplace_back(e.target, e.prob / static_cast<double>(kind.size()));
        return out;
    }

    // The other dictionary words with the German stem of `w` (its inflected forms and derivations:
    // "kurzsichtig" for "kurzsichtige"), of the kind `noun` says where there are such, each at
    // 1 / their number.
    Scored related(const std::string& w, std::string_view to, int noun) const {
        Scored out;
        const Indexed* ix = find("de", to);
        auto it = german_by_stem.find(german2(w));
        if (!ix || it == german_by_stem.end()) return out;
        std::vector<const std::string*> forms;
        for (int any = 0; any < 2 && forms.empty(); ++any)
            for (const std::string& c : it->second)
                if (c != w && (any || noun < 0 || (noun_set.count(c) > 0) == (noun == 1))) forms.push_back(&c);
        for (const std::string* c : forms)
            if (const auto* list = ix->lex.find(*c))
                for (const LexiconEntry& e : *list) out.emplace_back(e.target, e.prob / static_cast<double>(forms.size()));
        return out;
    }

    // The dictionary's entry for two German words, an adjective and a noun, as a query may inflect
    // them: "kognitive Verzerrungen" is Ding's "kognitive Verzerrung" (cognitive bias), "neuronale
    // Netze" its "neuronales Netz". The adjective as typed, else its stem (less -em -en -er -es -e)
    // with each declension ending; the noun as typed, else each dictionary word with its German
    // stem. "" when the dictionary has none of these.
    std::string german_phrase(const std::string& adjective, const std::string& noun, std::string_view to) const {
        const Indexed* ix = find("de", to);
        if (!ix) return "";
        std::vector<std::string> adjectives{adjective}, nouns{noun};
        std::string stem = adjective;
        for (const char* ending : {"em", "en", "er", "es", "e"}) {
            const std::string_view e(ending);
            if (stem.size() >= e.size() + 3 && stem.compare(stem.size() - e.size(), e.size(), e) == 0) {
                stem.resize(stem.size() - e.size());
                break;
            }
        }
        for (const char* ending : {"", "e", "es", "en", "er", "em"})
            if (stem + ending != adjective) adjectives.push_back(stem + ending);
        if (auto it = german_by_stem.find(german2(noun)); it != german_by_stem.end())
            for (const std::string& n : it->second)
                if (n != noun) nouns.push_back(n);
        for (const std::string& n : nouns)
            for (const std::string& a : adjectives)
                if (ix->lex.find(a + " " + n)) return a + " " + n;
        return "";
    }

    Scored lookup_any(std::string_view folded, std::string_view from, std::string_view to, bool fallback) const {
        Scored out;
        const Indexed* ix = find(from, to);
        if (!ix) return out;
        auto take = [&](const std::vector<LexiconEntry>* list, double scale) {
            if (!list) return;
            for (const LexiconEntry& e : *list) out.emplace_back(e.target, e.prob * scale);
        };
        if (from == "en") {
            auto it = ix->by_stem.find(english_stem_key(folded));
            if (it != ix->by_stem.end())
                for (const std::string& src : it->second) take(ix->lex.find(src), 1.0);
            return out;
        }
        take(ix->lex.find(folded), 1.0);
        if (!out.empty() || !fallback) return out;
        if (from == "de") {
            auto it = german_by_stem.find(german2(std::string(folded)));
            if (it != german_by_stem.end())
                for (const std::string& w : it->second) take(ix->lex.find(w), 1.0 / static_cast<double>(it->second.size()));
        } else if (from == "zh" && ix->has_bigrams) {
            auto cps = utf8_code_points(folded);
            if (cps.size() >= 3) {
                const double n = static_cast<double>(cps.size() - 1);
                for (size_t i = 0; i + 1 < cps.size(); ++i) take(ix->lex.find(cps[i] + cps[i + 1]), 1.0 / n);
            }
        }
        return out;
    }

    // Scored targets as Translations: analysed into the target language's words and stems, function
    // words dropped, and targets that analyse alike ("model", "models") made one, their weights added.
    std::vector<Translation> analysed(const Scored& scored, std::string_view from, std::string_view to, Analyzer& analyzer) const {
        std::vector<Translation> out;
        std::vector<Token> tokens;
        for (const auto& [text, weight] : scored) {
            Translation t;
            t.text = text;
            tokens.clear();
            analyzer.analyze(text, tokens);
            for (const Token& tok : tokens) {
                if (tok.joined) continue;
                t.words.push_back(tok.folded);
                std::string s = analyzer.stem(to, tok);
                t.stems.push_back(s.empty() ? tok.folded : s);
            }
            if (t.words.empty() || (t.words.size() == 1 && kFunctionWords.count(t.words[0]))) continue;
            t.weight = weight;
            if (from == "de" && to == "en" && !domain_stems.empty()) {
                std::lock_guard<std::mutex> lock(mutex);  // the stemmer
                bool domain = true;
                for (const std::string& w : t.words) domain = domain && domain_stems.count(english(w)) > 0;
                if (!domain) t.weight /= 3;
            }
            auto same = std::find_if(out.begin(), out.end(), [&](const Translation& o) { return o.stems == t.stems; });
            if (same != out.end()) same->weight = std::min(1.0, same->weight + weight);
            else out.push_back(std::move(t));
        }
        return out;
    }
};

Translator::Translator() : impl_(std::make_unique<Impl>()) {}
Translator::~Translator() = default;
Translator::Translator(Translator&&) noexcept = default;
Translator& Translator::operator=(Translator&&) noexcept = default;

Translator::Resources Translator::default_resources() {
    Resources r;
    if (const char* env = std::getenv("ABSTRAKT_LEXICON_DIR")) {
        r.lexicon_dir = env;
    } else {
        std::vector<std::string> candidates;
        char exe[4096];
        const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
            std::string dir(exe, static_cast<size_t>(n));
            dir = dir.substr(0, dir.rfind('/'));
            candidates.push_back(dir + "/../share/abstrakt/lexicon");
        }
#ifdef ABSTRAKT_SOURCE_DATA_DIR
        candidates.push_back(std::string(ABSTRAKT_SOURCE_DATA_DIR) + "/lexicon");
#endif
        for (const std::string& c : candidates)
            if (exists(c)) {
                r.lexicon_dir = c;
                break;
            }
    }
    // ABSTRAKT_DING set and empty leaves German out; default_ding_path() reads empty as unset.
    const char* ding = std::getenv("ABSTRAKT_DING");
    r.ding_path = ding && !*ding ? std::string() : default_ding_path();
    r.ding_cache_dir = default_ding_cache_dir();
    return r;
}

Result<std::unique_ptr<Translator>> Translator::load(const Resources& res,
                                                     const std::function<void(const std::string&)>& report) {
    auto t = std::make_unique<Translator>();
    auto tell = [&](const std::string& m) {
        if (report) report(m);
    };
    if (!res.lexicon_dir.empty()) {
        for (const char* pair : {"zh-en", "en-zh"}) {
            const std::string path = res.lexicon_dir + "/" + pair + ".tsv.gz";
            if (!exists(path)) {
                tell(path + ": not found, no " + pair + " translation");
                continue;
            }
            auto lex = Lexicon::read(path);
            if (!lex.is_ok()) return lex.status();
            const std::string key = pair_key(lex->from(), lex->to());  // before the move below
            t->impl_->lexicons[key] = Indexed{std::move(lex.value()), {}, false};
        }
    }
    if (!res.ding_path.empty()) {
        if (!exists(res.ding_path)) {
            tell(res.ding_path + ": not found (install trans-de-en), no German translation");
        } else {
            Analyzer analyzer;
            auto ding = load_ding(res.ding_path, analyzer, res.ding_cache_dir, report);
            if (!ding.is_ok()) return ding.status();
            for (Lexicon* l : {&ding.value().de_en, &ding.value().en_de}) {
                const std::string key = pair_key(l->from(), l->to());  // before the move below
                t->impl_->lexicons[key] = Indexed{std::move(*l), {}, false};
            }
            t->impl_->nouns = std::move(ding.value().german_nouns);
            t->impl_->splitter = CompoundSplitter({}, t->impl_->nouns);
        }
    }
    t->impl_->reindex();  // once, for everything loaded
    return t;
}

void Translator::add(Lexicon lexicon) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    const std::string key = pair_key(lexicon.from(), lexicon.to());
    impl_->lexicons[key] = Indexed{std::move(lexicon), {}, false};
    impl_->reindex();
}

void Translator::set_german_nouns(const std::vector<std::string>& nouns) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->nouns = nouns;
    // The nouns as the splitter's lexicon, with no vocabulary: nothing is split in advance, and
    // split() splits any word into them. Only words the dictionary lacks are split here.
    impl_->splitter = CompoundSplitter({}, nouns);
    impl_->reindex();
}

const std::vector<std::string>& Translator::german_nouns() const { return impl_->nouns; }

bool Translator::function_word(std::string_view folded) { return kFunctionWords.count(std::string(folded)) > 0; }

bool Translator::can_translate(std::string_view from, std::string_view to) const {
    return impl_->find(from, to) != nullptr;
}

bool Translator::dictionary_word(std::string_view folded) const {
    for (const char* pair : {"de-en", "en-de"})
        if (auto it = impl_->lexicons.find(pair); it != impl_->lexicons.end() && it->second.lex.find(folded)) return true;
    return false;
}

WordLanguage Translator::infer_language(const Token& token, Analyzer& /*analyzer*/) const {
    switch (token.kind) {
        case TokenKind::kIdeograph:
        case TokenKind::kKana:
            // By script: any kana is Japanese (the analyzer may give a kana letter as its own token).
            return lang::detect_from_script(token.folded, "zh") == "ja" ? WordLanguage::kJapanese : WordLanguage::kChinese;
        case TokenKind::kOtherWord: return WordLanguage::kOther;
        case TokenKind::kNumber: return WordLanguage::kUnknown;
        case TokenKind::kWord: break;
    }
    // Letters of a script other than Latin (Greek, Cyrillic): not German or English.
    for (unsigned char c : token.folded)
        if (c >= 0xCE && c < 0xE0) return WordLanguage::kOther;
    std::lock_guard<std::mutex> lock(impl_->mutex);
    const std::string& w = token.folded;
    const bool en = impl_->english_stems.count(impl_->english(w)) > 0;
    bool de = impl_->german.count(w) > 0;
    // An inflected form of a dictionary word ("mehrsprachiger" of "mehrsprachig"), or a compound of
    // dictionary nouns.
    if (!de && !en) de = impl_->german_by_stem.count(impl_->german2(w)) > 0 || !impl_->splitter.split(w).empty();
    if (de && en) {
        // Both only when the word is its own translation ("training" -> "training", "system" ->
        // "system"); otherwise it is German when the German dictionary has it as written
        // ("modell", which a stray English entry, "modell town", also has), else English.
        if (const Indexed* ix = impl_->find("de", "en"))
            if (const auto* list = ix->lex.find(w))
                for (const LexiconEntry& e : *list)
                    if (e.target == w) return WordLanguage::kBoth;
        return impl_->german.count(w) ? WordLanguage::kGerman : WordLanguage::kEnglish;
    }
    if (de) return WordLanguage::kGerman;
    if (en) return WordLanguage::kEnglish;
    return WordLanguage::kUnknown;
}

std::vector<Translation> Translator::translate(std::string_view folded, std::string_view from, std::string_view to,
                                               size_t top_k, Analyzer& analyzer, const TargetPrior& prior) const {
    return translate_word(folded, from, to, top_k, analyzer, prior, -1, false);
}

std::vector<Translation> Translator::translate_word(std::string_view folded, std::string_view from, std::string_view to,
                                                    size_t top_k, Analyzer& analyzer, const TargetPrior& prior,
                                                    int noun, bool related) const {
    Scored scored;
    std::vector<Scored> each;  // a compound's parts' candidate senses
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        scored = related ? impl_->related(std::string(folded), to, noun) : impl_->lookup(folded, from, to, true, noun);
        if (scored.empty() && from == "de" && !related) {
            // A compound the dictionary lacks: its parts' translations (below).
            std::vector<CompoundPart> parts = impl_->splitter.split(folded);
            size_t known = 0;
            for (const CompoundPart& p : parts) {
                // A part of a compound is a noun ("Fragen|beantwortung": questions, not "to ask").
                Scored s = impl_->lookup(p.word, from, to, true, 1);
                std::stable_sort(s.begin(), s.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
                if (s.size() > kPartSenses) s.resize(kPartSenses);
                // A part the dictionary lacks stays as it is: such parts are mostly names and
                // international words ("Plankton", "Cloud", "Docking").
                if (s.empty()) s.emplace_back(p.word, 0.5);
                else ++known;
                each.push_back(std::move(s));
            }
            if (known == 0) each.clear();
        }
    }
    if (!each.empty()) {
        // Each part's senses are weighed by the prior first, so that the papers' sense of a part is
        // among the two kept ("Problem|komplexität": Ding lists "complexness" and "intricacy"
        // before "complexity"); a part whose senses the prior all drops keeps them as they were.
        for (Scored& s : each) {
            if (prior) {
                double best_before = 0, best_after = 0;
                Scored weighed;
                for (const Translation& t : impl_->analysed(s, from, to, analyzer)) {
                    best_before = std::max(best_before, t.weight);
                    const double w = t.weight * prior(t);
                    if (w > 0) weighed.emplace_back(t.text, w);
                    best_after = std::max(best_after, w);
                }
                if (!weighed.empty()) {
                    for (auto& [t, w] : weighed) w = std::min(1.0, w * best_before / best_after);
                    s = std::move(weighed);
                }
            }
            std::stable_sort(s.begin(), s.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
            if (s.size() > 2) s.resize(2);
        }
        // The parts' translations joined in order, each combination weighing the geometric mean
        // of its parts' probabilities (a compound of two parts is no less likely than one word),
        // and the head's (the last part's) alone at 0.3.
        Scored combos{{"", 1.0}};
        for (const Scored& s : each) {
            Scored next;
            for (const auto& [text, w] : combos)
                for (const auto& [t, p] : s) next.emplace_back(text.empty() ? t : text + " " + t, w * p);
            combos = std::move(next);
        }
        for (auto& [t, w] : combos) w = std::pow(w, 1.0 / static_cast<double>(each.size()));
        scored = std::move(combos);
        for (const auto& [t, p] : each.back()) scored.emplace_back(t, 0.3 * p);
    }
    std::vector<Translation> out = impl_->analysed(scored, from, to, analyzer);
    if (prior && !out.empty()) {
        double before = 0, after = 0;
        for (Translation& t : out) {
            before = std::max(before, t.weight);
            t.weight *= prior(t);
            after = std::max(after, t.weight);
        }
        out.erase(std::remove_if(out.begin(), out.end(), [](const Translation& t) { return !(t.weight > 0); }), out.end());
        for (Translation& t : out) t.weight = std::min(1.0, t.weight * before / after);
    }
    // A German word whose every sense the prior dropped (the index has none of them): its related
    // forms' senses. "kurzsichtige" is Ding's noun "Kurzsichtige" (myope), and the adjective
    // "kurzsichtig" (short-sighted, myopic) is the papers'.
    if (out.empty() && prior && from == "de" && !related && each.empty() && !scored.empty())
        return translate_word(folded, from, to, top_k, analyzer, prior, noun, true);
    std::stable_sort(out.begin(), out.end(), [](const Translation& a, const Translation& b) { return a.weight > b.weight; });
    if (out.size() > top_k) out.resize(top_k);
    return out;
}

namespace {

// Whether the word at `at` of `text` starts with a capital letter: ASCII, or Ä Ö Ü (U+00C4, U+00D6,
// U+00DC) in UTF-8.
bool capitalised(std::string_view text, size_t at) {
    if (at >= text.size()) return false;
    const unsigned char c = static_cast<unsigned char>(text[at]);
    if (c >= 'A' && c <= 'Z') return true;
    if (c == 0xC3 && at + 1 < text.size()) {
        const unsigned char d = static_cast<unsigned char>(text[at + 1]);
        return d == 0x84 || d == 0x96 || d == 0x9C;
    }
    return false;
}

}  // namespace

void Translator::german_phrase(const std::vector<Token>& tokens, size_t i, std::string_view to, size_t top_k,
                               Analyzer& analyzer, const TargetPrior& prior, std::string_view text,
                               std::vector<SpanTranslation>& out) const {
    size_t j = i + 1;
    while (j < tokens.size() && tokens[j].joined) ++j;
    if (j >= tokens.size() || tokens[j].kind != TokenKind::kWord || kFunctionWords.count(tokens[j].folded)) return;
    // Two words of one phrase: nothing but spaces between them.
    if (!text.empty()) {
        if (tokens[j].start < tokens[i].end || tokens[j].start > text.size()) return;
        const std::string_view between = text.substr(tokens[i].end, tokens[j].start - tokens[i].end);
        if (between.empty() || between.find_first_not_of(' ') != std::string_view::npos) return;
    }
    std::string phrase;
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);  // the stemmer
        phrase = impl_->german_phrase(tokens[i].folded, tokens[j].folded, to);
    }
    if (phrase.empty()) return;
    auto as = translate_word(phrase, "de", to, top_k, analyzer, prior, -1, false);
    if (!as.empty()) out.push_back({i, j + 1, phrase, "de", std::move(as)});
}

std::vector<SpanTranslation> Translator::translate_query(const std::vector<Token>& tokens, std::string_view to,
                                                         size_t top_k, Analyzer& analyzer, std::string_view from_hint,
                                                         const TargetPrior& prior, std::string_view text) const {
    std::vector<SpanTranslation> out;
    // German capitalises nouns: when the query does (it has a capitalised word besides its first),
    // a word's case says whether it is a noun. A query in lower case says nothing.
    bool cased = false;
    bool first_word = true;
    for (const Token& t : tokens) {
        if (t.kind != TokenKind::kWord || t.joined) continue;
        if (!first_word && capitalised(text, t.start)) cased = true;
        first_word = false;
    }
    for (size_t i = 0; i < tokens.size(); ++i) {
        const Token& t = tokens[i];
        if (t.joined) continue;
        std::string from;
        if (t.kind == TokenKind::kIdeograph) {
            from = "zh";
            if (to == from) continue;
            // Two adjacent Chinese words as one phrase, when the lexicon has it; the words are
            // translated on their own as well.
            if (i + 1 < tokens.size() && tokens[i + 1].kind == TokenKind::kIdeograph && tokens[i + 1].start == t.end) {
                const std::string phrase = t.folded + tokens[i + 1].folded;
                bool known;
                {
                    std::lock_guard<std::mutex> lock(impl_->mutex);
                    known = !impl_->lookup(phrase, "zh", to, false).empty();
                }
                if (known) {
                    auto as = translate(phrase, from, to, top_k, analyzer, prior);
                    if (!as.empty()) out.push_back({i, i + 2, phrase, from, std::move(as)});
                }
            }
        } else if (t.kind == TokenKind::kWord) {
            if (kFunctionWords.count(t.folded)) continue;
            // A phrase of the German dictionary makes its words German, whatever each word alone
            // seems ("maschinelles", which the dictionary has only in "maschinelles Lernen").
            if (to != "de" && (from_hint.empty() || from_hint == "de")) german_phrase(tokens, i, to, top_k, analyzer, prior, text, out);
            if (!from_hint.empty()) {
                from = std::string(from_hint);
            } else {
                const WordLanguage l = infer_language(t, analyzer);
                if (l == WordLanguage::kGerman) from = "de";
                else if (l == WordLanguage::kEnglish) from = "en";
                else continue;
            }
            if (from == to) continue;
        } else {
            continue;
        }
        // The first word is capitalised whatever it is.
        const bool first = i == 0 || std::none_of(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(i),
                                                  [](const Token& p) { return p.kind == TokenKind::kWord; });
        const int noun = cased && from == "de" && !first ? (capitalised(text, t.start) ? 1 : 0) : -1;
        auto as = translate_word(t.folded, from, to, top_k, analyzer, prior, noun, false);
        if (!as.empty()) out.push_back({i, i + 1, t.folded, from, std::move(as)});
    }
    return out;
}

}  // namespace abstrakt
