#include "indexer/parallel.h"

#include <unistd.h>
#include <xapian.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "common/schema.h"
#include "common/shards.h"
#include "common/xapian_guard.h"
#include "indexer/writer.h"

namespace abstrakt {

namespace {

namespace fs = std::filesystem;

// A bounded queue of records for one thread: the reader waits when it is full, so that memory holds
// at most `capacity` records per thread besides what Xapian buffers.
class RecordQueue {
  public:
    explicit RecordQueue(size_t capacity) : capacity_(capacity) {}

    // False when the queue was closed for a failure (the record is dropped).
    bool push(Record&& r) {
        std::unique_lock<std::mutex> lock(mutex_);
        not_full_.wait(lock, [&] { return items_.size() < capacity_ || failed_; });
        if (failed_) return false;
        items_.push_back(std::move(r));
        not_empty_.notify_one();
        return true;
    }
    // The next record; nullopt once the queue is finished and empty.
    std::optional<Record> pop() {
        std::unique_lock<std::mutex> lock(mutex_);
        not_empty_.wait(lock, [&] { return !items_.empty() || finished_; });
        if (items_.empty()) return std::nullopt;
        Record r = std::move(items_.front());
        items_.pop_front();
        not_full_.notify_one();
        return r;
    }
    void finish() {
        std::lock_guard<std::mutex> lock(mutex_);
        finished_ = true;
        not_empty_.notify_all();
    }
    // The consumer failed: the producer stops waiting and gives up.
    void fail() {
        std::lock_guard<std::mutex> lock(mutex_);
        failed_ = true;
        items_.clear();
        not_full_.notify_all();
    }

  private:
    std::mutex mutex_;
    std::condition_variable not_full_, not_empty_;
    std::deque<Record> items_;
    size_t capacity_;
    bool finished_ = false, failed_ = false;
};

struct Part {
    std::string dir;                 // the thread's folder; its partial indexes are dir/0, dir/1, ...
    std::vector<std::string> paths;  // the partial indexes it wrote, once it has finished
    RecordQueue queue;
    IngestSummary counts;  // added, updated, unchanged, error
    std::thread thread;
    Part(std::string d, size_t capacity) : dir(std::move(d)), queue(capacity) {}
};

// One thread's work: its records into partial indexes of at most `partial_records` records each.
// A record whose id is already in a closed partial index replaces it there as upsert() does in the
// open one: the earlier copies are deleted once the thread is done (each closed index is opened for
// writing once more), unless the record is the same as the last copy (counted unchanged).
void run_part(Part& part, const ParallelOptions& options) {
    auto fail = [&](Status s) {
        part.counts.error = std::move(s);
        part.queue.fail();
    };
    std::unique_ptr<IndexWriter> writer;
    uint64_t in_open = 0;
    auto open_next = [&]() -> bool {
        const std::string path = part.dir + "/" + std::to_string(part.paths.size());
        std::error_code ec;
        fs::create_directories(part.dir, ec);
        auto opened = IndexWriter::open(path, true, WriterOptions{options.batch_size, 0, options.index_params});
        if (!opened.is_ok()) {
            fail(opened.status());
            return false;
        }
        writer = std::move(opened.value());
        part.paths.push_back(path);
        in_open = 0;
        return true;
    };
    if (!open_next()) return;
    Xapian::Database closed;                         // the closed partial indexes, for repeated ids
    size_t n_closed = 0;
    std::set<std::pair<size_t, std::string>> stale;  // (closed index, id term) replaced later
    while (std::optional<Record> r = part.queue.pop()) {
        if (options.partial_records && in_open == options.partial_records) {
            if (Status s = writer->commit(); !s.is_ok()) return fail(s);
            writer.reset();
            Result<bool> added = guarded(part.paths.back(), [&]() -> Result<bool> {
                closed.add_database(Xapian::Database(part.paths.back()));
                return true;
            });
            if (!added.is_ok()) return fail(added.status());
            ++n_closed;
            if (!open_next()) return;
        }
        bool replaces = false;
        if (n_closed) {
            const std::string idterm = schema::kPrefixId + r->id;
            Result<bool> same = guarded(part.dir, [&]() -> Result<bool> {
                // Xapian numbers the documents of several databases in turn: docid d is document
                // (d - 1) / n + 1 of database (d - 1) % n. A closed copy not yet replaced is the
                // current one (when every closed copy was replaced, the current one is in the open
                // index, where upsert() finds it).
                std::optional<std::pair<size_t, Xapian::docid>> live;
                for (auto p = closed.postlist_begin(idterm); p != closed.postlist_end(idterm); ++p) {
                    const size_t k = (*p - 1) % n_closed;
                    if (!stale.count({k, idterm})) live = std::make_pair(k, *p);
                }
                if (!live) return false;
                Result<std::string> stored = stored_json(closed.get_document(live->second).get_data());
                if (stored.is_ok() && stored.value() == to_json(*r)) return true;
                stale.emplace(live->first, idterm);
                replaces = true;
                return false;
            });
            if (!same.is_ok()) return fail(same.status());
            if (same.value()) {
                ++part.counts.unchanged;
                continue;
            }
        }
        Result<IndexWriter::Change> change = writer->upsert(*r);
        if (!change.is_ok()) return fail(change.status());
        IndexWriter::Change c = change.value();
        if (replaces && c == IndexWriter::Change::kAdded) c = IndexWriter::Change::kUpdated;
        switch (c) {
            case IndexWriter::Change::kAdded: ++part.counts.added; break;
            case IndexWriter::Change::kUpdated: ++part.counts.updated; break;
            case IndexWriter::Change::kUnchanged: ++part.counts.unchanged; break;
        }
        ++in_open;
    }
    if (Status s = writer->commit(); !s.is_ok()) return fail(s);
    writer.reset();
    closed = Xapian::Database();
    // The earlier copies of repeated ids out of the closed partial indexes (their spelling words
    // with them, as upsert() would have done).
    for (auto it = stale.begin(); it != stale.end();) {
        const size_t k = it->first;
        auto old = IndexWriter::open(part.paths[k], false, WriterOptions{options.batch_size, 0, options.index_params});
        if (!old.is_ok()) return fail(old.status());
        for (; it != stale.end() && it->first == k; ++it) {
            const std::string id = it->second.substr(std::string(schema::kPrefixId).size());
            if (Result<bool> removed = old.value()->remove(id); !removed.is_ok()) return fail(removed.status());
        }
        if (Status s = old.value()->commit(); !s.is_ok()) return fail(s);
    }
}

}  // namespace

bool is_new_index_path(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return !ec;
    return fs::is_directory(path, ec) && fs::is_empty(path, ec);
}

IngestSummary ingest_parallel(const std::string& path, const std::vector<std::string>& paths,
                              const IngestOptions& options, const ParallelOptions& parallel) {
    IngestSummary summary;
    const fs::path target(path);
    fs::path parent = target.parent_path();
    if (parent.empty()) parent = ".";
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) {
        summary.error = Status(ErrorCode::kUnavailable, "cannot create " + parent.string() + ": " + ec.message());
        return summary;
    }
    if (!is_new_index_path(path)) {
        summary.error = Status(ErrorCode::kInvalidArgument, path + " already holds something: a parallel build makes a new index only");
        return summary;
    }
    const std::string stem = "." + target.filename().string() + ".parallel-";
    remove_dead_builds(parent.string(), target.filename().string());  // earlier runs' folders
    const fs::path work = parent / (stem + std::to_string(::getpid()));
    fs::remove_all(work, ec);
    fs::create_directories(work, ec);
    if (ec) {
        summary.error = Status(ErrorCode::kUnavailable, "cannot create " + work.string() + ": " + ec.message());
        return summary;
    }
    struct Cleanup {
        fs::path dir;
        ~Cleanup() {
            std::error_code e;
            fs::remove_all(dir, e);
        }
    } cleanup{work};

    // A sharded build has one part per shard, and deals a record to the part of its shard.
    const bool sharded = parallel.shards >= 2;
    if (parallel.shards > shards::kMaxShards) {
        summary.error = Status(ErrorCode::kInvalidArgument, "an index has at most " + std::to_string(shards::kMaxShards) + " shards");
        return summary;
    }
    const unsigned jobs = sharded ? parallel.shards : std::max(1u, parallel.jobs);
    std::vector<std::unique_ptr<Part>> parts;
    for (unsigned k = 0; k < jobs; ++k)
        parts.push_back(std::make_unique<Part>((work / ("part-" + std::to_string(k))).string(), std::max<size_t>(1, parallel.queue_records)));
    for (auto& part : parts) part->thread = std::thread(run_part, std::ref(*part), std::cref(parallel));

    // The reading is ingest()'s, with each record dealt to its part instead of upserted here.
    IngestSummary read = read_records(paths, options, [&](Record&& r) {
        return parts[sharded ? shards::shard_of(r.id, jobs) : shards::id_hash(r.id) % parts.size()]->queue.push(std::move(r));
    });
    for (auto& part : parts) part->queue.finish();
    for (auto& part : parts) part->thread.join();

    summary.skipped = read.skipped;
    summary.files_failed = read.files_failed;
    summary.interrupted = read.interrupted;
    for (auto& part : parts) {
        summary.added += part->counts.added;
        summary.updated += part->counts.updated;
        summary.unchanged += part->counts.unchanged;
        if (summary.error.is_ok() && !part->counts.error.is_ok()) summary.error = part->counts.error;
    }
    if (!summary.error.is_ok() || summary.interrupted) return summary;

    // Merge. Xapian renumbers the documents part after part; every part has the same schema version
    // (IndexWriter wrote it), and compaction keeps one copy of each metadata key and adds up the
    // spelling tables' frequencies.
    // A sharded build merges each part into its shard, and writes the stub file that lists them.
    const fs::path merged = work / "merged";
    Result<bool> compacted = guarded(merged.string(), [&]() -> Result<bool> {
        if (!sharded) {
            Xapian::Database all;
            for (auto& part : parts)
                for (const std::string& p : part->paths) all.add_database(Xapian::Database(p));
            all.compact(merged.string(), Xapian::DBCOMPACT_MULTIPASS);
            return true;
        }
        fs::create_directories(merged);
        for (unsigned k = 0; k < jobs; ++k) {
            Xapian::Database shard;
            for (const std::string& p : parts[k]->paths) shard.add_database(Xapian::Database(p));
            shard.compact((merged / shards::shard_name(k)).string(), Xapian::DBCOMPACT_MULTIPASS);
        }
        if (Status s = shards::write_stub(merged.string(), jobs); !s.is_ok()) return s;
        return true;
    });
    if (!compacted.is_ok()) {
        summary.error = compacted.status();
        return summary;
    }
    // rename(2) replaces an empty folder (a generation prepared by rebuild), and fails on one that is
    // not: someone else made an index there meanwhile, which stays as it is.
    if (::rename(merged.c_str(), target.c_str()) != 0) {
        summary.error = Status(ErrorCode::kUnavailable, "cannot move the new index to " + path + ": " + std::strerror(errno));
        return summary;
    }
    return summary;
}

}  // namespace abstrakt
