// The user query grammar, parsed to a syntax tree and compiled to Xapian queries through the shared
// analyzer, so that query words meet document words in exactly the form they were indexed.
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
#ifndef ABSTRAKT_SEARCHER_QUERY_H
#define ABSTRAKT_SEARCHER_QUERY_H

#include <xapian.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/analysis.h"
#include "common/compound.h"
#include "common/status.h"

namespace abstrakt {

// A list of at least this many juxtaposed plain words (no field, no +, - or quotes) is read as natural
// language, such as a claim or a question: its English stop words are left out (unless it has
// nothing else), each word searches its stems only, neighbouring words are neither joined nor get a
// phrase boost, and papers with many of the words close together are moved up after the match
// (ParsedQuery::proximity). Shorter lists keep every word, the exact form's extra weight and the
// boosts, so that `linear attention` ranks the paper with the phrase first. (docs/relevance.md)
constexpr size_t kLongQueryWords = 6;

// Whether `folded` (a folded word) is one of the English stop words left out of long queries.
bool is_stop_word(std::string_view folded);

// A query word reaches at most this many German compounds that have it as a part (the most frequent
// first): "Modell" may be a part of hundreds in a large German index, and each is a term of the query.
constexpr size_t kMaxCompoundsPerWord = 50;

struct QueryContext {
    // Languages whose stemmers expand each query word (primary subtags): the languages present in
    // the index, or the one language a search is restricted to.
    std::vector<std::string> stem_langs;
    // German compounds (docs/query-syntax.md, "German compounds"): the splitter learned from the
    // index's German vocabulary, or nullptr. Used only when "de" is one of `stem_langs`, for words
    // of the text fields (not authors): a word also matches the compounds it is a part of, and a word
    // that splits also matches papers with all its parts. Must outlive the parse.
    const CompoundSplitter* compounds = nullptr;
    // Whether the `abstract:` field can be searched. It filters with a posting source of ours
    // (query.cc: InAbstract), which Xapian's remote backend cannot run: over remote shards the engine
    // clears this, and a query with `abstract:` is refused (kInvalidArgument) rather than failing.
    bool abstract_field = true;
};

struct QueryLimits {
    size_t max_bytes = 4096;  // longer queries are refused
    size_t max_words = 100;   // more words than this are refused
    size_t max_depth = 32;    // brackets nested deeper than this do not parse
};

// What the snippet builder highlights: folded words and folded stems, each mapped to the number of
// the query word it came from (so that a passage can count distinct query words).
struct MatchTerms {
    std::unordered_map<std::string, int> forms;
    std::unordered_map<std::string, int> stems;
    // German compounds found through one of their parts: folded compound -> the query word and the
    // part's bytes in the folded compound, so that the part alone is highlighted
    // ("Sprach<mark>modelle</mark>" for "Modell"). Looked at only when the word matched no form or stem.
    struct Part {
        int group = 0;
        uint32_t begin = 0, end = 0;
    };
    std::unordered_map<std::string, std::vector<Part>> parts;
};

struct ParsedQuery {
    Xapian::Query strict;  // juxtaposed words all required
    Xapian::Query loose;   // juxtaposed words: at least one (required ones still required)
    bool tiered = false;   // strict and loose differ: search strict first, then fill from loose
    bool has_text = false; // false when only filters (or nothing) were given: list papers instead
    bool nothing = false;  // no words, filters or exclusions: the query asks for nothing
    MatchTerms match;
    // The folded words of a long list of plain words (natural language, kLongQueryWords), stop words
    // left out, in query order: the engine rewards papers that have many of them close together
    // (searcher/engine.cc: proximity rerank). Empty for other queries.
    std::vector<std::string> proximity;
    std::vector<std::string> notices;
};

// Parses `text`. Errors (kInvalidArgument): the query is not valid UTF-8, is longer than
// limits.max_bytes, or has more than limits.max_words words. Syntax errors are not errors: the
// words are searched plainly and a notice says so.
Result<ParsedQuery> parse_query(std::string_view text, Analyzer& analyzer, const QueryContext& context,
                                const QueryLimits& limits = {});

// Whether `name` (lower case, without the colon) is a filter field of the syntax: cat, lang, id,
// year or date. Their values are not words (the spelling suggestion leaves them alone).
bool is_filter_field(std::string_view name);

// A query that matches every document. Use it rather than copying Xapian::Query::MatchAll: that is
// one static object whose reference count is not atomic, so copying it on several threads at once is
// a data race (ThreadSanitizer found it in abstrakt-serve; Xapian's query.h says the same).
Xapian::Query match_all();

// The filter for papers published from `from` to `to`, inclusive; each is YYYY, YYYY-MM or
// YYYY-MM-DD, or "" for an open end (both "" is an error). Errors (kInvalidArgument): not such a date,
// or a range that ends before it starts.
Result<Xapian::Query> date_range_filter(std::string_view from, std::string_view to);

}  // namespace abstrakt

#endif  // ABSTRAKT_SEARCHER_QUERY_H
