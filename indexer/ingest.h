// Reading record files into the index: the loop behind `abstrakt-index add`.
#ifndef ABSTRAKT_INDEXER_INGEST_H
#define ABSTRAKT_INDEXER_INGEST_H

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/record.h"
#include "common/status.h"
#include "indexer/writer.h"

namespace abstrakt {

struct IngestProgress {
    uint64_t records = 0;      // lines handled so far, good or bad
    uint64_t bytes_done = 0;   // of all files, as stored on disk
    uint64_t bytes_total = 0;  // 0 when unknown (standard input, pipes)
};

struct IngestSummary {
    uint64_t added = 0, updated = 0, unchanged = 0, skipped = 0;
    uint64_t files_failed = 0;  // files that could not be opened or read to the end
    bool interrupted = false;
    Status error;               // a write error that stopped the run (the index keeps its last commit)
};

struct IngestOptions {
    ParseOptions parse;
    // Told each malformed line ("file:line: reason") and each unreadable file.
    std::function<void(const std::string&)> report;
    // Called every 50 records and once at the end.
    std::function<void(const IngestProgress&)> progress;
    // When set, the run stops before the next record, commits, and says interrupted.
    const std::atomic<bool>* stop = nullptr;
};

// Upserts every record of `paths` ("-" is standard input) and commits. Malformed lines are
// reported and skipped; an unreadable file is reported and the next one read.
IngestSummary ingest(IndexWriter& writer, const std::vector<std::string>& paths, const IngestOptions& options);

// The reading half of ingest(): hands every well-formed record of `paths` to `sink`, reporting and
// skipping malformed lines and unreadable files, with progress and the stop flag as ingest(). Stops
// when `sink` returns false. Fills `skipped`, `files_failed` and `interrupted` of the summary only.
IngestSummary read_records(const std::vector<std::string>& paths, const IngestOptions& options,
                           const std::function<bool(Record&&)>& sink);

}  // namespace abstrakt

#endif  // ABSTRAKT_INDEXER_INGEST_H
