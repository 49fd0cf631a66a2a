// `abstrakt-index rebuild`: a complete new generation from files and sources, verified, then served.
#ifndef ABSTRAKT_INDEXER_REBUILD_H
#define ABSTRAKT_INDEXER_REBUILD_H

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/ranking.h"
#include "common/status.h"
#include "indexer/ingest.h"
#include "indexer/sync.h"

namespace abstrakt {

struct RebuildOptions {
    std::vector<std::string> files;   // JSON Lines files, read first (replacing records)
    const SyncConfig* sources = nullptr;  // then every source from its start (merging), when given
    bool replay = false;              // the sources' nights come from their spool, not the network
    SyncOptions sync;                 // today, stop flag, log, fetcher factory for the sources
    IngestOptions ingest;             // reporting and stop flag for the files
    // Threads for the files: 2 or more read them with ingest_parallel (partial indexes merged by
    // compaction, indexer/parallel.h) before the sources are synced on one thread; 1 reads them in turn.
    unsigned jobs = 1;
    // Shards of the new generation (common/shards.h): 0 keeps the served generation's number (a single
    // database when nothing is served), 1 makes a single database, N >= 2 N shards.
    unsigned shards = 0;
    // How much each field's words count in the new generation (common/ranking.h); unset: the served
    // generation's (the defaults when nothing is served).
    std::optional<IndexParams> index_params{};
    // The new generation must hold at least this many documents, and at least this share of the
    // served generation's documents, or it is not switched to.
    uint64_t min_documents = 1;
    double min_share_of_current = 0.5;
};

struct RebuildReport {
    uint64_t generation = 0, previous = 0;  // previous: what was served before (0: nothing)
    uint64_t documents = 0;
    IngestSummary files;
    std::vector<SourceReport> sources;
};

// Builds PATH's next generation, verifies it (document count, and for a sample of documents that
// their id term finds them and their stored record reads back), and switches PATH to it. On any
// failure the served generation is untouched and the half-built one is removed on the next rebuild.
// Errors: kUnavailable (the index failed), kInvalidArgument (PATH is not a generations link, or the
// verification failed: the message says what).
Result<RebuildReport> rebuild(const std::string& served_path, const RebuildOptions& options);

}  // namespace abstrakt

#endif  // ABSTRAKT_INDEXER_REBUILD_H
