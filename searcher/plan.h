// The query plan: what a query asks for, as a plain value between the user's syntax and Xapian.
//
//   query text --make_plan()--> QueryPlan --build_tiers() (searcher/builder.h)--> Xapian queries
//
// make_plan() lexes and parses the syntax, analyses every word once (folded and exact forms, stems per
// language, German compound parts and the compounds a word is a part of), and decides everything a
// ranking rule depends on: which words are stop words, which are natural language, which neighbours
// are also searched joined, whether the query has one tier or two, the words of the proximity rerank,
// the spans a spelling correction may replace. Nothing in it is a Xapian query; the builder turns it
// into those, and the tests read its structure (print() shows it, as --explain and explain=1 do).
//
// Syntax (docs/query-syntax.md):
//   words                 juxtaposed words: papers with all of them rank above papers with some
//   "exact phrase"        the words adjacent and in order, unstemmed
//   +word  -word          required / excluded
//   a AND b, a OR b, NOT a, ( ... )
//   title: abstract: author:   a field for the next word, "phrase" or ( group )
//   cat:cs.CL  lang:de  id:2402.19173  year:2024  year:2023..2024
//   date:2024-02-01..2024-03-01  date:2024-02  date:2024..  date:..2024-06-30
// A query that does not parse is searched as its plain words, with a notice; it is never an error.
#ifndef ABSTRAKT_SEARCHER_PLAN_H
#define ABSTRAKT_SEARCHER_PLAN_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/analysis.h"
#include "common/compound.h"
#include "common/ranking.h"
#include "common/result.h"
#include "common/status.h"

namespace abstrakt {

// What the plan asks of the index: counts for completions, corrections and translations, completions
// and corrections themselves (the engine answers from Xapian; tests may answer from a table). Words
// are folded and unprefixed.
class Vocabulary {
  public:
    virtual ~Vocabulary() = default;
    // The papers of the index.
    virtual uint64_t documents() const = 0;
    // The papers with text in `lang` (a primary subtag).
    virtual uint64_t papers_in(const std::string& lang) const = 0;
    // The papers that have `term` (an index term, prefix included: "Z" + a stem, "XDE" + a German word).
    virtual uint64_t frequency(const std::string& term) const = 0;
    // At most `n` words that begin with `prefix` and are longer, most frequent first.
    virtual std::vector<std::string> completions(const std::string& prefix, size_t n) const = 0;
    // The spelling dictionary's best word within `edits` edits of `word` (not `word`), or "".
    virtual std::string correction(const std::string& word, unsigned edits) const = 0;
    // The papers that have both terms, counted up to `at_most` at least (0: the index cannot say).
    virtual uint64_t papers_with_both(const std::string& /*a*/, const std::string& /*b*/, uint64_t /*at_most*/) const { return 0; }
    // The papers that have `words` (unprefixed, folded) as a phrase, counted up to `at_most` at least
    // (0: the index cannot say).
    virtual uint64_t papers_with_phrase(const std::vector<std::string>& /*words*/, uint64_t /*at_most*/) const { return 0; }
};
class Translator;

struct QueryContext {
    // Languages whose stemmers expand each query word (primary subtags): the languages present in
    // the index, or the one language a search is restricted to.
    std::vector<std::string> stem_langs;
    // German compounds (docs/query-syntax.md, "German compounds"): the splitter learned from the
    // index's German vocabulary, or nullptr. Used only when "de" is one of `stem_langs`, for words
    // of the text fields (not authors): a word also matches the compounds it is a part of, and a word
    // that splits also matches papers with all its parts. Must outlive the plan's making.
    const CompoundSplitter* compounds = nullptr;
    // Whether the `abstract:` field can be searched. It filters with a posting source of ours
    // (builder.cc: InAbstract), which Xapian's remote backend cannot run: over remote shards the engine
    // clears this, and a query with `abstract:` is refused (kInvalidArgument) rather than failing.
    bool abstract_field = true;
    // The query-time ranking parameters (long_query_words, stop_words, max_joins,
    // max_compounds_per_word, prefix_* and typo_*); nullptr: the defaults.
    const RankingParams* ranking = nullptr;
    // The index's words, for completions and corrections; nullptr: neither.
    const Vocabulary* vocabulary = nullptr;
    // The last word, while it is being typed (Clause::last), is also searched as its completions.
    bool prefix = false;
    // A word the index does not know, or knows far less often than a close word, is also searched as
    // its correction (QueryPlan::corrected).
    bool typos = false;
    // Cross-language search (searcher/translate_plan.h): the Translator, nullptr for none (the
    // request's translate=0, or nothing to translate), which needs `vocabulary` for the counts that
    // decide where a translation can help; the language of the query's Latin words ("" = inferred per
    // word).
    const Translator* translator = nullptr;
    std::string query_lang;
};

struct QueryLimits {
    size_t max_bytes = 4096;  // longer queries are refused
    size_t max_words = 100;   // more words than this are refused
    size_t max_depth = 32;    // brackets nested deeper than this do not parse
};

// Bytes [begin, end) of the query text.
struct Span {
    size_t begin = 0, end = 0;
};

enum class QueryField { kAny, kTitle, kAbstract, kAuthor };
enum class Modifier { kOptional, kRequired, kExcluded };

// Another way to search a word, below the word itself: a completion of the word being typed, a
// correction of a misspelt word, a translation into another language. The builder ors it beside the
// word's own terms with its weight scaled by `weight`, so that an equal match of the word as typed
// ranks first; a paper with the alternative satisfies the word in the all-words tier.
struct Alternative {
    enum class Kind { kCompletion, kCorrection, kTranslation };
    Kind kind = Kind::kCompletion;
    std::string lang;                // the language of `words`, "" when not one language
    std::vector<std::string> words;  // folded; several: all of them (a phrase when `phrase`)
    // Stems of `words`, one each ("" for a word not stemmed): searched instead of the word when set.
    std::vector<std::string> stems;
    // How `words` combine: all of them (a translation "language model"), as a phrase, or any one of
    // them as one synonym group (the completions of a prefix: a paper with several counts once).
    enum class Join { kAll, kPhrase, kAny };
    Join join = Join::kAll;
    double weight = 1;               // in (0, 1]
    std::string display;             // as the response shows it ("language model", "attention")
};
const char* to_string(Alternative::Kind k);

// One word as the analyzer gave it, with everything the builder searches it by.
struct PlanWord {
    std::string folded;  // the search form
    std::string exact;   // with diacritics, when the user typed them (== folded otherwise)
    TokenKind kind = TokenKind::kWord;
    Span span;           // in the query text
    // Its stems under each language of QueryContext::stem_langs that stems it, in that order (a part of
    // a German compound: under German only). Empty in a field that is not stemmed (author:).
    std::vector<std::pair<std::string, std::string>> stems;  // (language, stem)
    // German (QueryContext::compounds), for words of stemmed fields: the compounds this word is a part
    // of (the most frequent first, at most max_compounds_per_word), and the word's own parts when it
    // splits, each with the vocabulary's inflected forms of it (CompoundSplitter::inflections).
    std::vector<CompoundMatch> compounds;
    struct Part {
        std::vector<PlanWord> word;  // exactly one: the part (a PlanWord of its own; vector for recursion)
        std::vector<std::string> inflections;
    };
    std::vector<Part> parts;
    // Completions, corrections, translations (most weight first).
    std::vector<Alternative> alternatives;
    // A stop word among the parts of a hyphenated chain that has another part ("in", "the" of
    // "Solver-in-the-Loop"): in the some-words query it matches only beside another part, as a weak
    // word of a list does (Clause::weak).
    bool weak = false;
};

// A filter of the syntax (cat:, lang:, id:, year:, date:) or of the request.
struct PlanFilter {
    std::string field;   // "cat", "lang", "id", "year" or "date"
    std::string term;    // a boolean term (schema.h prefix + value), or "" for a date range
    std::string from, to;  // a date range, YYYY-MM-DD each, "" for an open end
};

struct Clause {
    enum class Kind {
        kWord,    // one user word (which the analyzer may split: "multi-view", "扩散模型")
        kPhrase,  // "quoted words"
        kFilter,
        kAnyOf,   // a OR b
        kAllOf,   // juxtaposed clauses, each with its modifier
    };
    Kind kind = Kind::kAllOf;
    QueryField field = QueryField::kAny;  // kWord, kPhrase
    Modifier mod = Modifier::kOptional;   // in the list it belongs to
    Span span;                            // the clause's text in the query (kWord, kPhrase, kFilter)
    std::string text;                     // as typed: the word, the phrase's inside, the filter's value
    std::vector<PlanWord> words;          // kWord, kPhrase: the analyzer's words, in order
    // kWord: a hyphenated chain that is the whole text, joined ("multi-view" -> "multiview").
    std::vector<PlanWord> joined;         // empty or one
    PlanFilter filter;                    // kFilter
    std::vector<Clause> children;         // kAnyOf, kAllOf

    // Its role in its list (decided by make_plan, read by the builder):
    bool natural = false;  // a plain word of a long list (natural language): stems only, no boosts
    bool stop = false;     // a stop word of a long list: left out
    bool weak = false;     // a stop word of a short list: matches only beside another word
    bool last = false;     // kWord: the last word of the query, with no space after it (still being typed)
    // kAllOf: neighbouring single plain words also searched joined ("multi view" -> "multiview"),
    // with a phrase boost for the pair: the index of the left one in `children`.
    std::vector<size_t> joins;
    // kFilter: why its value is not one ("year:abc"); such a filter is left out, with a notice.
    std::string invalid;
};

// A word that a spelling correction may replace: an alphabetic word of the text (not a field name,
// an operator or a filter's value).
struct SpellingWord {
    Span span;
    std::string folded;
    std::vector<std::string> stems;  // its stems, as PlanWord::stems has them (no prefix)
};

struct QueryPlan {
    std::string text;
    Clause root;
    bool natural = false;   // some list is natural language (RankingParams::long_query_words)
    bool has_text = false;  // there are words to rank by (not only filters and exclusions)
    bool nothing = false;   // no words, filters or exclusions: the query asks for nothing
    // Two tiers: papers with every juxtaposed word first ("all"), then those with some ("some").
    // False when the two would be the same query.
    bool two_tiers = false;
    // One tier of the papers with some words instead (two_tiers is then false): a query with
    // translated words, whose translations may miss a paper's own word (translate_plan.h).
    bool some_words_tier = false;
    // The folded words of the natural-language lists, stop words left out, in query order: the engine
    // rewards papers that have many of them close together (engine.cc: proximity rerank).
    std::vector<std::string> proximity;
    std::vector<SpellingWord> spelling;
    // The query with each corrected word replaced by its correction ("showing results for"), or "" when
    // no word was corrected (Alternative::Kind::kCorrection).
    std::string corrected;
    std::vector<Notice> notices;
    std::vector<std::string> stem_langs;
    // The words also searched in another language (translate_plan.h), as the response lists them.
    std::vector<QueryTranslation> translations;

    // The plan in a readable form, one clause a line, indented by depth (docs/query-syntax.md shows one).
    std::string print() const;
};

// Makes the plan of `text`. Errors (kInvalidArgument): the query is not valid UTF-8, is longer than
// limits.max_bytes, has more than limits.max_words words, or uses abstract: where it cannot be searched.
// Syntax errors are not errors: the words are searched plainly and a notice says so.
Result<QueryPlan> make_plan(std::string_view text, Analyzer& analyzer, const QueryContext& context,
                            const QueryLimits& limits = {});

// Whether `name` (lower case, without the colon) is a filter field of the syntax: cat, lang, id,
// year or date.
bool is_filter_field(std::string_view name);

// Parses a date bound "YYYY", "YYYY-MM" or "YYYY-MM-DD" to a full date, padding a lower bound with
// the first day and an upper bound with the last ("-31" for any month: compared as strings). "" when
// the text is no such date. The one date check of the query syntax and of the request's from and to.
std::string date_bound(std::string_view text, bool upper);

// The date filter from `from` to `to`, inclusive, each YYYY, YYYY-MM or YYYY-MM-DD or "" for an open end
// (both "" is an error). Errors (kInvalidArgument): not such a date, or a range that ends before it starts.
Result<PlanFilter> date_filter(std::string_view from, std::string_view to);

}  // namespace abstrakt

#endif  // ABSTRAKT_SEARCHER_PLAN_H
