// The paper record: the model, its validation, its canonical JSON, and reading JSON Lines files.
//
// The input format is documented in docs/record-format.md. One JSON object a line:
//   {"id": "2402.19173", "title": {"en": "...", "de": "..."}, "abstract": {"de": "..."},
//    "authors": ["..."], "categories": ["cs.SE"], "published": "2024-02-29",
//    "upvotes": 148, "comments": 5, "url": "https://arxiv.org/abs/2402.19173"}
#ifndef ABSTRAKT_COMMON_RECORD_H
#define ABSTRAKT_COMMON_RECORD_H

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace abstrakt {

struct LangText {
    std::string lang;  // canonical BCP-47 tag (common/lang.h)
    std::string text;  // as the source had it, hard line breaks included
    bool operator==(const LangText& o) const { return lang == o.lang && text == o.text; }
};

struct Record {
    std::string id;
    std::vector<LangText> title;     // in input order: the first is the paper's original title
    std::vector<LangText> abstract;  // in input order
    std::vector<std::string> authors;
    std::vector<std::string> categories;
    std::string published;           // "YYYY-MM-DD", or empty when unknown
    std::optional<int64_t> upvotes;
    std::optional<int64_t> comments;
    std::string url;

    // The text of `field` in language `lang` (a canonical tag or a primary subtag), or nullptr.
    static const LangText* find(const std::vector<LangText>& field, std::string_view lang);
};

struct ParseOptions {
    // Language given to a bare string whose script does not decide it (Latin script, digits).
    std::string default_lang = "en";
};

// Parses and validates one line. Errors (kInvalidArgument) give the reason without file and line:
// not JSON, not an object, invalid UTF-8, missing or empty id, no title, a field of the wrong type,
// an invalid language tag, the same language twice, a date that is not a calendar date, a negative
// counter. Unknown fields are ignored; null counts as absent.
Result<Record> parse_record(std::string_view line, const ParseOptions& options = {});

// Canonical JSON of a record: fields in a fixed order, absent ones left out. Two records are the
// same paper version exactly when their canonical JSON is byte-identical.
std::string to_json(const Record& record);

// Reads a record from its canonical JSON (as stored in the index). Throws nothing; returns an error
// for text that parse_record would reject.
Result<Record> from_json(std::string_view json);

// A record as the index stores it (Xapian document data): its canonical JSON compressed with zstd.
// Glass compresses document data with zlib itself when that makes it smaller, and inflating it for
// every hit was 6% of a server's time under load; data that zstd compressed it cannot shrink, so it
// keeps it as it is, and zstd reads it back with fewer instructions and faster (docs/performance.md).
std::string to_stored(const Record& record);

// The canonical JSON of stored document data: zstd data decompressed, plain JSON (indexes of schema
// versions before 7, documents made by tests) as it is. An error (kInvalidArgument) for anything else.
Result<std::string> stored_json(std::string_view data);

// from_json() of stored_json().
Result<Record> from_stored(std::string_view data);

// The record that results from `update` arriving for a paper stored as `stored` (same id), for
// sources that each know part of a paper: titles and abstracts merge language by language (the
// update's text wins in the languages it has, the stored text stays in the others); authors,
// categories, date and url come from the update when it has them; counters (upvotes, comments)
// take the update's value when it has one.
Record merge_records(const Record& stored, const Record& update);

// True for "YYYY-MM-DD" naming a real calendar day (years 1000 to 9999).
bool valid_date(std::string_view date);

// True for an arXiv category: an archive of arXiv's taxonomy, current or merged away ("hep-th",
// "cs", "solv-int"), alone or with a subject class of letters and inner hyphens ("cs.CL",
// "physics.soc-ph", "cond-mat.str-el"). False for the ACM and MSC classes that sources list beside
// them ("I.2.7", "68T05"), and for free text ("Machine learning", "cyberinfrastructure").
bool is_arxiv_category(std::string_view s);

// Reads JSON Lines records from a file, a gzip-compressed file (detected by content, not by name),
// or standard input ("-"). Blank lines are skipped; a UTF-8 byte order mark on the first line is
// ignored. Lines longer than kMaxLineBytes are reported as malformed and skipped.
//
// Input is read with read(2) as it arrives: a record that came down a pipe is returned at once, not
// when a buffer fills. A signal that interrupts a waiting read (one installed without SA_RESTART)
// makes next() return kInterrupted, so that the caller can look at its stop flag.
class RecordReader {
  public:
    static constexpr size_t kMaxLineBytes = 16u << 20;

    // Opens `path`; kNotFound when it does not exist, kUnavailable when it cannot be read.
    static Result<std::unique_ptr<RecordReader>> open(const std::string& path, ParseOptions options = {});
    ~RecordReader();
    RecordReader(const RecordReader&) = delete;
    RecordReader& operator=(const RecordReader&) = delete;

    enum class Outcome { kRecord, kMalformed, kEnd, kReadError, kInterrupted };
    // Reads the next non-blank line. kRecord fills `record`; kMalformed and kReadError (an I/O
    // error, corrupt or truncated gzip data) fill `error` with "path:line: reason". After
    // kInterrupted, calling next() again goes on where it stopped.
    Outcome next(Record& record, std::string& error);

    uint64_t line() const { return line_; }
    // Bytes of the file consumed so far and its size on disk (0 when unknown, as for a pipe): a
    // progress estimate for compressed files too.
    uint64_t bytes_read() const { return raw_bytes_; }
    uint64_t total_bytes() const { return total_bytes_; }
    const std::string& path() const { return path_; }

  private:
    struct Inflater;
    enum class Fill { kMore, kEnd, kError, kInterrupted };
    RecordReader();
    Fill fill();  // appends decoded bytes to pending_

    std::string path_;
    ParseOptions options_;
    int fd_ = -1;
    bool own_fd_ = false;
    bool sniffed_ = false;                 // gzip or not is decided on the first bytes
    std::unique_ptr<Inflater> inflater_;   // set for gzip input
    std::string raw_;                      // bytes read but not yet decoded
    std::string pending_;                  // decoded bytes not yet returned as lines
    size_t scan_from_ = 0;                 // pending_ before this offset holds no newline
    bool discarding_ = false;              // inside a line that is too long
    bool eof_ = false;
    std::string read_error_;
    uint64_t line_ = 0;
    uint64_t raw_bytes_ = 0;
    uint64_t total_bytes_ = 0;
};

}  // namespace abstrakt

#endif  // ABSTRAKT_COMMON_RECORD_H
