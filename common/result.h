// The search response model and its JSON: one shape for `abstrakt-search --json` and the HTTP
// endpoint.
#ifndef ABSTRAKT_COMMON_RESULT_H
#define ABSTRAKT_COMMON_RESULT_H

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/record.h"

namespace abstrakt {

// A piece of text with some parts marked as matching the query. Text is plain UTF-8 (never
// escaped); renderers escape for their medium.
struct Snippet {
    struct Part {
        std::string text;
        bool match = false;
    };
    std::vector<Part> parts;

    bool empty() const { return parts.empty(); }
    std::string plain() const;
    // HTML-escaped text with <mark>...</mark> around matches: safe to insert into a page.
    std::string html() const;
    // Matches in bold with ANSI escape sequences, for a terminal.
    std::string ansi() const;
};

// How a hit got its score: the query's terms that the paper has, each with what Xapian gave it
// (abstrakt-search --explain, explain=1). Computed by searcher/engine.h's explain_match, which says
// exactly what the numbers are and where they stop being exact.
struct Explanation {
    struct Term {
        // The indexed term as Xapian sees it, prefix included ("Sattention", "Zattent"). A synonym
        // group (weighted by Xapian as one term) lists the members the paper has, joined by " | ";
        // a subquery explained as a whole (kind "other") is its Xapian description.
        std::string term;
        // Where the term is indexed, from its prefix (common/schema.h): "any" (unprefixed), "title",
        // "author", "stem", "stem:title", "id", "category", "lang",
        // "year"; a synonym group's members' fields joined by " | ".
        std::string field;
        // "term": weighted on its own; "phrase": a word of a phrase (or NEAR) that matched, weighted
        // like a term; "synonym": a group weighted as one term; "filter": a boolean term (weight 0);
        // "other": a subquery with no term-by-term breakdown.
        std::string kind;
        uint64_t wdf = 0;   // in this paper; a synonym group's is its members' sum, at most the paper's length
        double weight = 0;  // its part of the score, OP_SCALE_WEIGHT factors included
        double factor = 1;  // the OP_SCALE_WEIGHT factors above it, multiplied (already in `weight`)
    };
    std::string tier;         // "all" (matched every word), "some" (some words), "" (the query has one tier)
    double score = 0;         // the hit's score: Xapian's weight, plus `proximity` and `coverage`
    std::vector<Term> terms;  // in the order of the query
    double unexplained = 0;   // Xapian's weight minus the terms' weights (see explain_match for when it is not 0)
    // The bonus of a long natural-language query for having many of its words close together
    // (searcher/engine.cc: proximity rerank); 0 for other queries and beyond the reranked hits.
    double proximity = 0;
    // The bonus of a long natural-language query for having a large share of its words at all (same
    // place, same conditions as `proximity`).
    double coverage = 0;
};

struct Hit {
    std::string id;
    std::string title;       // in the query's language when the paper has it, else the original
    Snippet title_highlighted;  // the same title whole, white space folded, its matching words marked
    std::string title_lang;
    std::vector<std::string> langs;  // every language the paper has text in (primary subtags, sorted)
    std::vector<std::string> authors;
    std::string published;   // "YYYY-MM-DD" or ""
    std::vector<std::string> categories;
    std::optional<int64_t> upvotes, comments;
    std::string url;
    double score = 0;
    Snippet snippet;         // from the abstract in the language that matched best
    std::string snippet_lang;
    std::optional<Explanation> explain;  // when asked for
};

// Counts over the whole match set: languages and categories most frequent first (then by key), years
// newest first.
struct Facets {
    using Counts = std::vector<std::pair<std::string, uint64_t>>;
    Counts lang;      // primary language subtags
    Counts year;      // "2024"
    Counts category;  // as in the records ("cs.CL")
};

// A notice: something the user should know about how the query was read or answered. `code` is stable
// (a front end shows its own text for it); `message` is English, for people and logs.
struct Notice {
    std::string code;
    std::string message;
    bool operator==(const Notice& o) const { return code == o.code && message == o.message; }
};

// The stable notice codes (docs/http-api.md, "Notices").
namespace notice {
inline constexpr const char* kQueryUnparsed = "query_unparsed";    // searched for the words instead
inline constexpr const char* kNoWords = "no_words";                // nothing to search for
inline constexpr const char* kSomeWords = "some_words";            // no paper has every word
inline constexpr const char* kUnknownField = "unknown_field";      // "foo:bar" searched as text
inline constexpr const char* kInvalidFilter = "invalid_filter";    // "year:abc": left out
inline constexpr const char* kCorrected = "corrected";             // misspelt words also searched corrected
inline constexpr const char* kTranslated = "translated";           // words also searched in other languages
inline constexpr const char* kRecordUnreadable = "record_unreadable";
}  // namespace notice

// A query word searched in another language as well (cross-language search, docs/cross-language.md).
struct QueryTranslation {
    std::string word;             // as typed ("Sprachmodelle")
    std::string lang;             // its language ("de")
    std::string to;               // the language it was translated into ("en")
    std::vector<std::string> as;  // what was searched, most probable first ("language model")
};

struct SearchResponse {
    std::string query;
    // The papers the pages of this search list, whatever the page: exact up to a bound (ranking
    // parameter count_to, 2,000), an estimate beyond (total_is_exact false).
    uint64_t total = 0;
    bool total_is_exact = false;
    bool has_more = false;       // a next page exists (and may be asked for)
    double took_ms = 0;
    // Of took_ms, the time the page of hits took: stored records read and parsed, titles and
    // abstracts analysed, snippets made (engine.cc: add_hits). For benchmarks; not in the JSON.
    double page_ms = 0;
    uint64_t offset = 0, limit = 0;
    std::vector<Hit> hits;
    std::vector<Notice> notices;
    std::optional<Facets> facets;      // when asked for
    std::string suggestion;            // a corrected query ("did you mean"), or ""
    // The query as its misspelt words were also searched ("showing results for"), or "" when no word
    // was corrected.
    std::string corrected;
    std::vector<QueryTranslation> translations;
    // Over a cluster (searcher/cluster.h): shards none of whose replicas answered, left out of this
    // response, which is then partial: its hits, totals and facets are those of the other shards.
    bool partial = false;
    std::vector<std::string> missing_shards;
    // With explain: the query plan as searcher/plan.h prints it (how the query was read), else "".
    std::string plan;
};

// The JSON document: {query, total, total_is_exact, took_ms, offset, limit, has_more, hits: [{id, title,
// title_highlighted, title_lang, langs, authors, published, categories, upvotes, comments, url, score, snippet,
// snippet_lang, explain}], facets: {lang: {code: n}, year: {...}, category: {...}} (only when computed),
// suggestion (a string or null), corrected (a string or null), translations: [{word, lang, to, as}],
// notices: [{code, message}], partial (true when shards are missing), missing_shards
// (their names), plan (only when explained: the query plan's text)}. Snippets are HTML-escaped with <mark> around matches; absent optional
// fields are null. A hit's "explain" is there only when the hit has an explanation: {tier (a string
// or null), score, terms: [{term, field, kind, wdf, weight, factor (only when not 1)}], unexplained},
// numbers rounded to 6 decimals. `indent` < 0 prints one line.
std::string to_json(const SearchResponse& response, int indent = -1);

// Escapes &, <, >, " and ' for HTML text and attribute contexts.
std::string html_escape(std::string_view text);

// `json` (a serialised JSON text) with every <, >, & and ' written as \u003c, \u003e, \u0026, \u0027,
// and U+2028, U+2029 as \u2028, \u2029: the same JSON value, but no byte sequence of it can close a
// <script> element, open a tag or an entity, or end a JavaScript string when a page inlines it, and
// a browser that sniffs it as HTML finds no markup. These characters stand only inside strings in
// JSON, so the value is unchanged.
std::string html_safe_json(std::string_view json);

}  // namespace abstrakt

#endif  // ABSTRAKT_COMMON_RESULT_H
