// Source adapters: each turns one response of a paper feed into records (docs/sources.md).
//
// An adapter only reads a body that was already fetched (indexer/fetch.h fetches). It never throws:
// a body that is not the kind of response it expects is an error (kInvalidArgument, the message says
// what was wrong), and the caller retries the request later; an entry of a good response that lacks
// what a record needs (an id, a title) is skipped and reported in FeedPage::problems. Every field is
// treated as optional and every type as possibly wrong.
//
// Thread-safety: the adapters keep no state; separate bodies may be parsed on separate threads.
#ifndef ABSTRAKT_INDEXER_SOURCES_FEED_H
#define ABSTRAKT_INDEXER_SOURCES_FEED_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/record.h"
#include "common/status.h"

namespace abstrakt {

struct FeedPage {
    std::vector<Record> records;          // valid records, in feed order
    std::vector<std::string> problems;    // one line per entry skipped: "<where>: <reason>" (where = entry index or id)
    std::vector<std::string> deleted;     // OAI-PMH: ids of records the repository has deleted
    std::string resumption_token;         // OAI-PMH: the token for the next page, "" when the list is complete
    uint64_t total_results = 0;           // Atom (opensearch:totalResults) / OAI-PMH (completeListSize) when given, else 0
    uint64_t start_index = 0;             // Atom opensearch:startIndex, OAI cursor
    uint64_t items_per_page = 0;          // Atom opensearch:itemsPerPage
};

// Bodies longer than this are refused before parsing (the fetcher's default size cap is the same).
inline constexpr size_t kMaxFeedBytes = 64u << 20;

// Hugging Face daily papers: the body of GET /api/daily_papers?date=DAY (DAY only names the day in
// messages). The body must be a JSON array of paper objects; anything else (a list of Python-repr
// strings, a wrapper object, a {"status": "no_data"} answer, truncated JSON, null) is an error: the
// whole day failed and will be retried. An entry of the array that lacks what a record needs (an
// id, a title) is a problem, not an error. An empty array is a day without papers.
Result<FeedPage> parse_hf_daily(std::string_view body, std::string_view day);

// arXiv OAI-PMH ListRecords / GetRecord with metadataPrefix=arXiv. <error code="noRecordsMatch">
// is an empty page; any other OAI-PMH error code is an error. A deleted record (header
// status="deleted") puts its id in FeedPage::deleted; one whose identifier is no arXiv id is a problem.
Result<FeedPage> parse_oai_pmh(std::string_view body);

// arXiv API Atom search results (export.arxiv.org/api/query). A feed whose entry is arXiv's error
// entry (id http://arxiv.org/api/errors#...) is an error carrying arXiv's message.
Result<FeedPage> parse_arxiv_atom(std::string_view body);

}  // namespace abstrakt

#endif  // ABSTRAKT_INDEXER_SOURCES_FEED_H
