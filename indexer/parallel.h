// Building a new index from record files on several cores: partial indexes merged by compaction.
//
// Xapian has one writer per database, and on our documents (about 670 terms and 350 positions each)
// that writer's own work is about three quarters of the time of a serial `add` (docs/performance.md).
// So more threads feeding one writer cannot go much faster. Instead each of `jobs` threads owns an
// IndexWriter on a partial index of its own (a new one every ParallelOptions::partial_records
// records), the records are dealt to them by a hash of their id (so that the later of two records
// with the same id is seen by the same thread, which replaces the earlier), and Xapian's compaction
// merges the partial indexes into the new index at the end (which also writes its tables full, so
// the result is smaller than a serially built index).
//
// All or nothing: the partial indexes and the merged one are built in a folder beside the target
// (`.NAME.parallel-PID`), and only the finished index is renamed into place. A process killed on the
// way leaves no index at the target, and its folder is removed by the next run.
#ifndef ABSTRAKT_INDEXER_PARALLEL_H
#define ABSTRAKT_INDEXER_PARALLEL_H

#include <optional>
#include <string>
#include <vector>

#include "common/ranking.h"
#include "indexer/ingest.h"

namespace abstrakt {

struct ParallelOptions {
    unsigned jobs = 2;            // threads, each with its partial index (at least 1)
    uint64_t batch_size = 2000;   // records per partial index between commits: with `jobs`, bounds
                                  // the memory Xapian holds for uncommitted changes
    size_t queue_records = 256;   // records waiting for each thread at most
    // Records per partial index: a thread that has written this many closes its partial index and
    // starts another, so that no partial index grows large however large the input (Xapian's advice
    // for big builds: smaller databases merged by compaction). A repeated id whose earlier record is
    // in a closed partial index is taken out of it before the merge. 0: one partial index per thread.
    // On the 144k corpus (two threads) it made no difference beyond the noise: 275 s with 25,000,
    // 286 s with one partial index per thread, 297 s with 6,000 (docs/performance.md); so the default
    // leaves inputs up to 200k records to one partial index per thread.
    uint64_t partial_records = 100000;
    // 2 or more: build a sharded index (common/shards.h) of this many shards, with one thread per
    // shard (`jobs` is not used) that gets the records of its shard, and each shard merged from its
    // thread's partial indexes.
    unsigned shards = 0;
    std::optional<IndexParams> index_params{};  // as WriterOptions::index_params
};

// Builds a new index at `path` from the records of `paths` (as ingest() reads them). `path` must not
// exist, or be an empty folder (a generation prepared by rebuild). Malformed lines are reported and
// skipped as by ingest(); `summary.updated` counts records that replaced an earlier one of the same
// id in the input. Errors (summary.error): kInvalidArgument when `path` holds something, kUnavailable
// when writing or merging failed (nothing is left at `path`). When `options.stop` is set during the
// run, nothing is built and summary.interrupted is set.
IngestSummary ingest_parallel(const std::string& path, const std::vector<std::string>& paths,
                              const IngestOptions& options, const ParallelOptions& parallel);

// Whether `path` is free for ingest_parallel: it does not exist, or is an empty folder.
bool is_new_index_path(const std::string& path);

}  // namespace abstrakt

#endif  // ABSTRAKT_INDEXER_PARALLEL_H
