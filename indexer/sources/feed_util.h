// Helpers shared by the source adapters: arXiv ids and categories, text clean-up, dates, and the
// last check that turns a mapped entry into a record or a problem line.
#ifndef ABSTRAKT_INDEXER_SOURCES_FEED_UTIL_H
#define ABSTRAKT_INDEXER_SOURCES_FEED_UTIL_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/record.h"
#include "indexer/sources/feed.h"

namespace abstrakt::feed {

// The arXiv id in `raw` without its version: "2402.19173v2" -> "2402.19173", "hep-th/9901001v1" ->
// "hep-th/9901001". Accepts the bare id, "arXiv:ID", the OAI identifier "oai:arXiv.org:ID" and an
// abs URL ("http://arxiv.org/abs/ID"), with surrounding white space. nullopt when what remains is
// not an arXiv id: new style NNNN.NNNN or NNNN.NNNNN, or old style archive[.XX]/NNNNNNN.
std::optional<std::string> arxiv_id(std::string_view raw);

// Runs of ASCII white space (space, tab, CR, LF, FF, VT) become one space; leading and trailing
// white space goes. Other characters, non-breaking spaces included, are kept.
std::string collapse_whitespace(std::string_view s);

// An author name worth keeping: white space collapsed, and "" when no letter or digit is left
// (arXiv's OAI metadata lists ":" as an author between a collaboration and its members).
std::string author_name(std::string_view s);

// The date of "YYYY-MM-DD" or an ISO date-time ("2024-05-27T15:01:23.000Z" -> "2024-05-27") when it
// is a real calendar day (valid_date), else "".
std::string date_part(std::string_view s);

// Digits only (white space around allowed) as a number; nullopt when empty, not digits, or too big.
std::optional<uint64_t> parse_u64(std::string_view s);

// Offset of the first byte that is not part of well-formed UTF-8 (overlong forms, surrogates and
// code points above U+10FFFF are not), or npos.
size_t first_invalid_utf8(std::string_view s);

// At most `max_bytes` of `s`, cut at a character boundary, with "..." when something was cut: for
// quoting input in messages.
std::string excerpt(std::string_view s, size_t max_bytes);

// "https://arxiv.org/abs/ID".
std::string abs_url(std::string_view id);

// Appends `cat` to `cats` when it is an arXiv category not already there.
void add_category(std::vector<std::string>& cats, std::string_view cat);

// Collects a page's records: each mapped record is checked against the record format (by the
// same validation as abstrakt-index applies to JSON Lines) and against the ids already on the page.
class PageBuilder {
  public:
    explicit PageBuilder(FeedPage& page) : page_(page) {}

    // Adds `record` or, when it is not a valid record or repeats an id, a problem line "<where>: ...".
    // `where` names the entry in problems: its id when known, else "entry N".
    void add(Record record, const std::string& where);
    void problem(const std::string& where, const std::string& reason);
    // Records that the repository deleted the record `id` (a problem when the id is already on the page).
    void deleted(const std::string& id);

  private:
    FeedPage& page_;
    std::unordered_set<std::string> seen_;  // ids already on the page
};

}  // namespace abstrakt::feed

#endif  // ABSTRAKT_INDEXER_SOURCES_FEED_UTIL_H
