#include "indexer/parallel.h"

#include <signal.h>
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
#include <thread>

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
    std::string path;
    RecordQueue queue;
    IngestSummary counts;  // added, updated, unchanged, error
    std::thread thread;
    Part(std::string p, size_t capacity) : path(std::move(p)), queue(capacity) {}
};

// FNV-1a: a stable hash, the same on every run and machine, so that a record's partial index does not
// depend on anything but its id.
uint64_t id_hash(const std::string& id) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : id) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

void run_part(Part& part, uint64_t batch_size) {
    auto writer = IndexWriter::open(part.path, true, WriterOptions{batch_size});
    if (!writer.is_ok()) {
        part.counts.error = writer.status();
        part.queue.fail();
        return;
    }
    while (std::optional<Record> r = part.queue.pop()) {
        Result<IndexWriter::Change> change = writer.value()->upsert(*r);
        if (!change.is_ok()) {
            part.counts.error = change.status();
            part.queue.fail();
            return;
        }
        switch (change.value()) {
            case IndexWriter::Change::kAdded: ++part.counts.added; break;
            case IndexWriter::Change::kUpdated: ++part.counts.updated; break;
            case IndexWriter::Change::kUnchanged: ++part.counts.unchanged; break;
        }
    }
    part.counts.error = writer.value()->commit();
}

// Removes the folders of earlier runs whose process is gone.
void clear_leftovers(const fs::path& parent, const std::string& stem) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(parent, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind(stem, 0) != 0) continue;
        const long pid = std::strtol(name.c_str() + stem.size(), nullptr, 10);
        if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove_all(e.path(), ec);
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
    clear_leftovers(parent, stem);
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

    const unsigned jobs = std::max(1u, parallel.jobs);
    std::vector<std::unique_ptr<Part>> parts;
    for (unsigned k = 0; k < jobs; ++k)
        parts.push_back(std::make_unique<Part>((work / ("part-" + std::to_string(k))).string(), std::max<size_t>(1, parallel.queue_records)));
    for (auto& part : parts) part->thread = std::thread(run_part, std::ref(*part), parallel.batch_size);

    // The reading is ingest()'s, with each record dealt to its part instead of upserted here.
    IngestSummary read = read_records(paths, options, [&](Record&& r) {
        return parts[id_hash(r.id) % parts.size()]->queue.push(std::move(r));
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
    const fs::path merged = work / "merged";
    Result<bool> compacted = guarded(merged.string(), [&]() -> Result<bool> {
        Xapian::Database all;
        for (auto& part : parts) all.add_database(Xapian::Database(part->path));
        all.compact(merged.string(), Xapian::DBCOMPACT_MULTIPASS);
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
