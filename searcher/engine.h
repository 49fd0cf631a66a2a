// Searching one index: the per-thread Database and Enquire, the one place for reopen-and-retry,
// filters, sorts, result tiers, and turning matches into hits with titles and snippets.
#ifndef ABSTRAKT_SEARCHER_ENGINE_H
#define ABSTRAKT_SEARCHER_ENGINE_H

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/record.h"
#include "common/result.h"
#include "common/status.h"
#include "searcher/query.h"

namespace abstrakt {

enum class SortOrder { kRelevance, kDate, kUpvotes };

// "relevance", "date" or "upvotes"; nullopt otherwise.
std::optional<SortOrder> parse_sort(std::string_view name);

struct SearchRequest {
    std::string query;        // the query syntax of searcher/query.h; may be empty when filters are given
    std::string lang;         // a language code to restrict to, or ""
    SortOrder sort = SortOrder::kRelevance;
    uint64_t offset = 0;
    uint64_t limit = 10;
    // Filters beside the query syntax (the HTTP parameters from, to, cat, author). A request with
    // filters and no query lists the matching papers, newest first.
    std::string from, to;                 // dates, inclusive: YYYY, YYYY-MM or YYYY-MM-DD; "" is open
    std::vector<std::string> categories;  // papers in any of them
    std::string author;                   // words of an author's name, all required
    bool facets = false;                  // count languages, years and categories over all matches
    bool spelling = true;                 // offer a corrected query when few papers match
};

struct EngineLimits {
    uint64_t max_limit = 100;
    uint64_t max_offset = 10000;  // deeper pages cost more than they are worth
    size_t max_suggestions = 20;
    // Matching stops after this many seconds and returns what it found (totals become estimates).
    double time_budget_s = 2.0;
    QueryLimits query;
};

// Not thread-safe: give each thread its own Engine (they may share the index path).
class Engine {
  public:
    // Opens the index at `path` read-only. Errors: kNotFound (no index there), kUnavailable (not
    // readable, corrupt, or written by another schema version).
    static Result<std::unique_ptr<Engine>> open(const std::string& path, EngineLimits limits = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Runs a search. Each search first reopens the index at its newest committed revision.
    // Errors: kInvalidArgument (a bad language code, limit or offset beyond the limits, a query that
    // is not UTF-8, too long or has too many words), kUnavailable (the index failed).
    //
    // Relevance order puts papers that match every juxtaposed word first, then papers that match
    // some; date and upvote orders list only papers that match every word, or, when there are none,
    // those that match some (with a notice). A query with only filters lists papers newest first.
    Result<SearchResponse> search(const SearchRequest& request);

    // Papers like the one with this id: Xapian relevance feedback over its terms, the paper itself
    // excluded, in the shape of a search response (query "similar:ID"). Errors: kNotFound for an
    // unknown id, kInvalidArgument for limit or offset beyond the limits.
    Result<SearchResponse> similar(const std::string& id, uint64_t offset, uint64_t limit);

    // Completions for type-ahead: the last word of `text` taken as a prefix of indexed words, the
    // most frequent first, each returned as the whole text with that word completed. At most
    // `limit` (1 to 20); a bounded number of candidate words is looked at, so a one-letter prefix
    // stays fast. Errors: kInvalidArgument for text that is not UTF-8 or too long.
    Result<std::vector<std::string>> suggest(std::string_view text, size_t limit);

    // The stored record with this id. kNotFound when there is none.
    Result<Record> paper(const std::string& id);

    struct Info {
        std::string path;
        uint64_t revision = 0;
        uint64_t documents = 0;
        uint64_t bytes = 0;  // size of the index's files
    };
    // The index as of its newest revision (this reopens it).
    Result<Info> info();

  private:
    struct Impl;
    explicit Engine(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace abstrakt

#endif  // ABSTRAKT_SEARCHER_ENGINE_H
