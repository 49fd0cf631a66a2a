#include "indexer/writer.h"

#include <signal.h>
#include <unistd.h>
#include <xapian.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "common/analysis.h"
#include "common/schema.h"
#include "common/shards.h"
#include "common/xapian_guard.h"
#include "indexer/document.h"

namespace abstrakt {

struct IndexWriter::Impl {
    std::string path;
    WriterOptions options;
    std::vector<Xapian::WritableDatabase> dbs;  // one per shard; dbs[0] holds the metadata
    Analyzer analyzer;
    IndexParams params;  // what the index was built with (WriterOptions::index_params)
    uint64_t pending = 0;

    Xapian::WritableDatabase& db_for(const std::string& id) {
        return dbs[shards::shard_of(id, static_cast<unsigned>(dbs.size()))];
    }

    // Commits shard 0, which holds the metadata, last (writer.h).
    void commit_all() {
        for (size_t k = dbs.size(); k-- > 0;) dbs[k].commit();
        pending = 0;
    }

    // Reads the index's parameters, or stores the asked ones in an index without documents.
    Status settle_params() {
        Result<IndexParams> stored = IndexParams::from_metadata(dbs[0].get_metadata(schema::kMetaIndexParams));
        if (!stored.is_ok()) return Status(ErrorCode::kUnavailable, "index " + path + ": " + stored.message());
        Xapian::doccount documents = 0;
        for (const auto& db : dbs) documents += db.get_doccount();
        const IndexParams wanted = options.index_params.value_or(stored.value());
        if (documents > 0 && !dbs[0].get_metadata(schema::kMetaIndexParams).empty() && wanted != stored.value())
            return Status(ErrorCode::kInvalidArgument, "index " + path + " was built with the ranking parameters " +
                                                           stored.value().to_metadata() + ", not " + wanted.to_metadata() +
                                                           ": rebuild it to change them (abstrakt-index --ranking ... rebuild)");
        if (documents > 0 && dbs[0].get_metadata(schema::kMetaIndexParams).empty() && wanted != IndexParams{})
            return Status(ErrorCode::kInvalidArgument, "index " + path + " was built with the default ranking parameters " +
                                                           "(its metadata names none): rebuild it to change them");
        params = wanted;
        if (dbs[0].get_metadata(schema::kMetaIndexParams) != params.to_metadata()) {
            for (auto& db : dbs) {
                db.set_metadata(schema::kMetaIndexParams, params.to_metadata());
                db.commit();
            }
        }
        return Status::ok();
    }

    // Takes the words of a stored record out of the spelling dictionary of its shard, so that
    // replaced and deleted text stops being suggested.
    void forget_spelling(Xapian::WritableDatabase& db, const std::string& stored_json) {
        Result<Record> old = from_json(stored_json);
        if (!old.is_ok()) return;
        std::vector<std::string> words;
        build_document(old.value(), analyzer, &words, params);
        for (const std::string& w : words) db.remove_spelling(w);
    }
};

IndexWriter::IndexWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

IndexWriter::~IndexWriter() {
    if (impl_ && impl_->pending > 0) (void)commit();
}

namespace {

namespace fs = std::filesystem;

// True for a folder that holds Xapian's table files but no version file (`iamglass`): what a process
// killed while Xapian created a database leaves (Xapian writes the tables first). Nothing was ever
// committed there, and Xapian can neither open it nor create over it.
bool is_unfinished_creation(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec) || fs::exists(dir / "iamglass", ec)) return false;
    bool any = false;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        const bool xapian = name == "flintlock" || name == "v.tmp" ||
                            (name.size() > 6 && name.compare(name.size() - 6, 6, ".glass") == 0) ||
                            (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0);
        if (!xapian) return false;
        any = true;
    }
    return any;
}

// A new, empty database at `dir` with the schema version and the index parameters committed together.
void create_database(const std::string& dir, const IndexParams& params) {
    Xapian::WritableDatabase db(dir, Xapian::DB_CREATE);
    db.set_metadata(schema::kMetaSchemaVersion, std::to_string(schema::kVersion));
    db.set_metadata(schema::kMetaIndexParams, params.to_metadata());
    db.commit();
    db.close();
}

// Makes a new, empty index at `path` (of `n` shards when n >= 2), crash-safe: the database, or the
// shards and their stub file, are created and their schema version and index parameters committed in a folder beside it,
// which is then renamed into place. A process killed at any point leaves either no index at `path` or
// a complete empty one. Losing a race with another creator is fine: the caller opens what is there.
Status create_index(const std::string& path, unsigned n, const IndexParams& params) {
    const fs::path target(path);
    fs::path parent = target.parent_path();
    if (parent.empty()) parent = ".";
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) return Status(ErrorCode::kUnavailable, "cannot create " + parent.string() + ": " + ec.message());
    // (Folders left by creators that were killed are gone: IndexWriter::open removed them.)
    const std::string stem = "." + target.filename().string() + ".creating-";
    if (is_unfinished_creation(target)) fs::remove_all(target, ec);

    const fs::path temp = parent / (stem + std::to_string(::getpid()));
    fs::remove_all(temp, ec);
    if (n >= 2) {
        fs::create_directories(temp, ec);
        for (unsigned k = 0; k < n; ++k) create_database((temp / shards::shard_name(k)).string(), params);
        if (Status s = shards::write_stub(temp.string(), n); !s.is_ok()) {
            fs::remove_all(temp, ec);
            return s;
        }
    } else {
        create_database(temp.string(), params);
    }
    // rename(2) replaces an empty folder (a generation prepared by rebuild) and fails on one that is
    // not empty: someone else's index, which the caller then opens.
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        const int err = errno;
        fs::remove_all(temp, ec);
        if (err != ENOTEMPTY && err != EEXIST)
            return Status(ErrorCode::kUnavailable, "cannot create the index " + path + ": " + std::strerror(err));
    }
    return Status::ok();
}

}  // namespace

bool process_gone(long pid) { return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH; }

void remove_dead_builds(const std::string& folder, const std::string& name) {
    std::error_code ec;
    std::vector<fs::path> dead;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string entry = it->path().filename().string();
        if (entry.size() < 2 || entry[0] != '.') continue;
        for (const std::string kind : {".creating-", ".parallel-"}) {
            const size_t at = entry.rfind(kind);
            if (at == std::string::npos || at < 2) continue;  // .NAME.KIND-PID, NAME not empty
            if (!name.empty() && entry.compare(1, at - 1, name) != 0) continue;
            const std::string pid = entry.substr(at + kind.size());
            if (pid.empty() || pid.size() > 10 || pid.find_first_not_of("0123456789") != std::string::npos) continue;
            if (process_gone(std::strtol(pid.c_str(), nullptr, 10))) dead.push_back(it->path());
        }
    }
    for (const fs::path& p : dead) fs::remove_all(p, ec);
}

Result<std::unique_ptr<IndexWriter>> IndexWriter::open(const std::string& path, bool create, WriterOptions options) {
    return guarded(path, [&]() -> Result<std::unique_ptr<IndexWriter>> {
        std::error_code ec;
        // A killed job's folder goes with the next job that opens the index, whatever that job is.
        // (Regression, tests/e2e/kill.sh: only a parallel build removed a parallel build's folder, so
        // a parallel add killed on the way and followed by an add on one thread left its partial
        // indexes for good; so would one killed after its rename, while it deleted its folder.)
        const fs::path target = fs::path(path).has_filename() ? fs::path(path) : fs::path(path).parent_path();
        if (!target.filename().empty())
            remove_dead_builds(target.has_parent_path() ? target.parent_path().string() : ".", target.filename().string());
        const bool exists = fs::exists(path, ec);
        const bool empty_dir = exists && fs::is_directory(path, ec) && fs::is_empty(path, ec);
        if (options.shards > shards::kMaxShards)
            return Status(ErrorCode::kInvalidArgument, "an index has at most " + std::to_string(shards::kMaxShards) + " shards");
        if (!exists || empty_dir || is_unfinished_creation(path)) {
            if (!create) return Status(ErrorCode::kNotFound, "no index at " + path);
            if (Status s = create_index(path, options.shards, options.index_params.value_or(IndexParams{})); !s.is_ok()) return s;
        }
        Result<unsigned> n = shards::count(path);
        if (!n.is_ok()) return n.status();
        const unsigned have = std::max(1u, n.value()), asked = std::max(1u, options.shards);
        if (options.shards != 0 && have != asked)
            return Status(ErrorCode::kInvalidArgument, "index " + path + " has " + std::to_string(have) + " shard" +
                                                           (have == 1 ? "" : "s") + ", not " + std::to_string(asked) +
                                                           ": `abstrakt-index rebuild --shards N` changes the number");
        auto impl = std::make_unique<Impl>();
        impl->path = path;
        impl->options = options;
        for (unsigned k = 0; k < have; ++k) {
            const std::string dir = n.value() == 0 ? path : path + "/" + shards::shard_name(k);
            Xapian::WritableDatabase db(dir, Xapian::DB_OPEN);
            if (std::string wrong = schema::version_mismatch(db, dir); !wrong.empty())
                return Status(ErrorCode::kUnavailable, wrong);
            if (db.get_metadata(schema::kMetaSchemaVersion).empty()) {
                db.set_metadata(schema::kMetaSchemaVersion, std::to_string(schema::kVersion));
                db.commit();
            }
            impl->dbs.push_back(std::move(db));
        }
        if (Status s = impl->settle_params(); !s.is_ok()) return s;
        return std::unique_ptr<IndexWriter>(new IndexWriter(std::move(impl)));
    });
}

Result<IndexWriter::Change> IndexWriter::upsert(const Record& incoming, Mode mode) {
    return guarded(impl_->path, [&]() -> Result<Change> {
        const std::string idterm = schema::kPrefixId + incoming.id;
        Xapian::WritableDatabase& db = impl_->db_for(incoming.id);
        Change change = Change::kAdded;
        Record merged;
        const Record* record = &incoming;
        Xapian::PostingIterator p = db.postlist_begin(idterm);
        if (p != db.postlist_end(idterm)) {
            // A stored record that cannot be read is replaced (its spelling words stay).
            const Result<std::string> read = stored_json(db.get_document(*p).get_data());
            const std::string stored = read.is_ok() ? read.value() : "";
            if (mode == Mode::kMerge) {
                Result<Record> old = from_json(stored);
                if (old.is_ok()) {
                    merged = merge_records(old.value(), incoming);
                    record = &merged;
                }
            }
            if (stored == to_json(*record)) return Change::kUnchanged;
            change = Change::kUpdated;
            impl_->forget_spelling(db, stored);
        }
        std::vector<std::string> words;
        db.replace_document(idterm, build_document(*record, impl_->analyzer, &words, impl_->params));
        for (const std::string& w : words) db.add_spelling(w);
        if (++impl_->pending >= impl_->options.batch_size) impl_->commit_all();
        return change;
    });
}

Result<bool> IndexWriter::remove(const std::string& id) {
    return guarded(impl_->path, [&]() -> Result<bool> {
        const std::string idterm = schema::kPrefixId + id;
        Xapian::WritableDatabase& db = impl_->db_for(id);
        Xapian::PostingIterator p = db.postlist_begin(idterm);
        if (p == db.postlist_end(idterm)) return false;
        if (Result<std::string> stored = stored_json(db.get_document(*p).get_data()); stored.is_ok())
            impl_->forget_spelling(db, stored.value());
        db.delete_document(idterm);
        ++impl_->pending;
        return true;
    });
}

Status IndexWriter::set_metadata(const std::string& key, const std::string& value) {
    Result<bool> r = guarded(impl_->path, [&]() -> Result<bool> {
        impl_->dbs[0].set_metadata(key, value);
        ++impl_->pending;
        return true;
    });
    return r.is_ok() ? Status::ok() : r.status();
}

Result<std::string> IndexWriter::metadata(const std::string& key) {
    return guarded(impl_->path, [&]() -> Result<std::string> { return impl_->dbs[0].get_metadata(key); });
}

Status IndexWriter::commit() {
    Result<bool> r = guarded(impl_->path, [&]() -> Result<bool> {
        impl_->commit_all();
        return true;
    });
    return r.is_ok() ? Status::ok() : r.status();
}

unsigned IndexWriter::shards() const { return static_cast<unsigned>(impl_->dbs.size()); }

}  // namespace abstrakt
