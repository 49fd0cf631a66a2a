// The only owner of the index's Xapian::WritableDatabase: upserts, deletes and batched commits.
//
// A sharded index (common/shards.h) has one WritableDatabase per shard, all owned here: a paper is
// written to, replaced in and deleted from the shard its id hashes to, and metadata (the schema version
// aside, which every shard has) lives in shard 0. A commit commits the other shards first and shard 0
// last, so a source's watermark never becomes durable before the records it covers: a run killed
// between the two re-fetches what it had committed, and finds it unchanged.
//
// Every Xapian exception on the writing side is caught in writer.cc and returned as a Status, so
// callers never see one. A second writer on the same index gets kLocked with a plain message.
#ifndef ABSTRAKT_INDEXER_WRITER_H
#define ABSTRAKT_INDEXER_WRITER_H

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/ranking.h"
#include "common/record.h"
#include "common/status.h"

namespace abstrakt {

struct WriterOptions {
    // Records upserted between commits. A commit makes them visible to searchers and durable; a
    // run that is killed loses at most the records since the last commit, never the index.
    uint64_t batch_size = 2000;
    // Shards of a new index: 0 or 1 makes one database, 2 to shards::kMaxShards a sharded index. An
    // existing index keeps what it has: 0 accepts it, any other number must match (kInvalidArgument).
    unsigned shards = 0;
    // How much each field's words count (common/ranking.h), for a new or empty index; an index with
    // documents keeps the ones it was built with, and any other given here is kInvalidArgument (a
    // different weighting needs a rebuild). Unset: the index's own, the defaults for a new one.
    std::optional<IndexParams> index_params{};
};

class IndexWriter {
  public:
    // Opens the index at `path` for writing, creating it (and its parent directories) when
    // `create` is set. Errors: kLocked (another writer), kNotFound (no index and !create),
    // kUnavailable (corrupt, unreadable, or written by another schema version), kInvalidArgument
    // (options.shards differs from the index's, or a stub that abstrakt-index did not write).
    static Result<std::unique_ptr<IndexWriter>> open(const std::string& path, bool create,
                                                     WriterOptions options = {});
    ~IndexWriter();  // commits what is pending; errors there are lost, so call commit() first
    IndexWriter(const IndexWriter&) = delete;
    IndexWriter& operator=(const IndexWriter&) = delete;

    enum class Change { kAdded, kUpdated, kUnchanged };
    enum class Mode {
        kReplace,  // the record replaces the stored one whole (files: `abstrakt-index add`)
        kMerge,    // the record is merged into the stored one (feeds: merge_records in common/record.h)
    };
    // Adds the record, or replaces or merges into the stored record with the same id. A result
    // identical to the stored record is left alone (kUnchanged). Commits when a batch is full.
    Result<Change> upsert(const Record& record, Mode mode = Mode::kReplace);

    // Metadata (a source's watermark, say) that becomes durable with the next commit, atomically
    // with the records upserted before it. An empty value deletes the key.
    Status set_metadata(const std::string& key, const std::string& value);
    // The committed or pending value of a key; "" when unset.
    Result<std::string> metadata(const std::string& key);

    // Deletes the record with this id; false when there was none.
    Result<bool> remove(const std::string& id);

    // Makes everything upserted so far durable and visible.
    Status commit();

    // The index's shards: 1 for a single database.
    unsigned shards() const;

  private:
    struct Impl;
    explicit IndexWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// What jobs killed on the way leave beside an index. A job that makes an index whole before renaming
// it into place works in a folder named after its process: `.NAME.creating-PID` (a new index, made by
// IndexWriter::open) or `.NAME.parallel-PID` (a parallel build, indexer/parallel.h). This removes
// those in `folder` of the index NAME (of any index when `name` is empty: a generations folder) whose
// process is gone; a live process's folder is in use and stays. IndexWriter::open calls it for the
// index it opens, whatever the job, so that one killed run's folder never outlives the next job.
void remove_dead_builds(const std::string& folder, const std::string& name);

// Whether the process `pid` is gone (kill(pid, 0) fails with ESRCH), so that what it left is no one's.
bool process_gone(long pid);

}  // namespace abstrakt

#endif  // ABSTRAKT_INDEXER_WRITER_H
