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

struct Hit {
    std::string id;
    std::string title;       // in the query's language when the paper has it, else the original
    std::string title_lang;
    std::vector<std::string> authors;
    std::string published;   // "YYYY-MM-DD" or ""
    std::vector<std::string> categories;
    std::optional<int64_t> upvotes, comments;
    std::string url;
    double score = 0;
    Snippet snippet;         // from the abstract in the language that matched best
    std::string snippet_lang;
};

// Counts over the whole match set, most frequent first (then by key).
struct Facets {
    using Counts = std::vector<std::pair<std::string, uint64_t>>;
    Counts lang;      // primary language subtags
    Counts year;      // "2024"
    Counts category;  // as in the records ("cs.CL")
};

struct SearchResponse {
    std::string query;
    uint64_t total = 0;          // matching papers (an estimate unless total_is_exact)
    bool total_is_exact = false;
    double took_ms = 0;
    uint64_t offset = 0, limit = 0;
    std::vector<Hit> hits;
    std::vector<std::string> notices;  // e.g. "the query did not parse; searched for its words"
    std::optional<Facets> facets;      // when asked for
    std::string suggestion;            // a corrected query ("did you mean"), or ""
};

// The JSON document: {query, total, total_is_exact, took_ms, offset, limit, hits: [{id, title,
// title_lang, authors, published, categories, upvotes, comments, url, score, snippet,
// snippet_lang}], facets: {lang: {code: n}, year: {...}, category: {...}} (only when computed),
// suggestion (a string or null), notices}. Snippets are HTML-escaped with <mark> around matches; absent optional
// fields are null. `indent` < 0 prints one line.
std::string to_json(const SearchResponse& response, int indent = -1);

// Escapes &, <, >, " and ' for HTML text and attribute contexts.
std::string html_escape(std::string_view text);

}  // namespace abstrakt

#endif  // ABSTRAKT_COMMON_RESULT_H
