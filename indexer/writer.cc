#include "indexer/writer.h"

#include <xapian.h>

#include <filesystem>

#include "common/analysis.h"
#include "common/schema.h"
#include "common/xapian_guard.h"
#include "indexer/document.h"

namespace abstrakt {

struct IndexWriter::Impl {
    std::string path;
    WriterOptions options;
    Xapian::WritableDatabase db;
    Analyzer analyzer;
    uint64_t pending = 0;

    // Takes the words of a stored record out of the spelling dictionary, so that replaced and
    // deleted text stops being suggested.
    void forget_spelling(const std::string& stored_json) {
        Result<Record> old = from_json(stored_json);
        if (!old.is_ok()) return;
        std::vector<std::string> words;
        build_document(old.value(), analyzer, &words);
        for (const std::string& w : words) db.remove_spelling(w);
    }
};

IndexWriter::IndexWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

IndexWriter::~IndexWriter() {
    if (impl_ && impl_->pending > 0) (void)commit();
}

Result<std::unique_ptr<IndexWriter>> IndexWriter::open(const std::string& path, bool create, WriterOptions options) {
    return guarded(path, [&]() -> Result<std::unique_ptr<IndexWriter>> {
        namespace fs = std::filesystem;
        std::error_code ec;
        if (!fs::exists(path, ec)) {
            if (!create) return Status(ErrorCode::kNotFound, "no index at " + path);
            fs::path parent = fs::path(path).parent_path();
            if (!parent.empty()) fs::create_directories(parent, ec);
            if (ec) return Status(ErrorCode::kUnavailable, "cannot create " + parent.string() + ": " + ec.message());
        }
        auto impl = std::make_unique<Impl>();
        impl->path = path;
        impl->options = options;
        impl->db = Xapian::WritableDatabase(path, create ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN);
        std::string version = impl->db.get_metadata(schema::kMetaSchemaVersion);
        if (version.empty() && impl->db.get_doccount() == 0) {
            impl->db.set_metadata(schema::kMetaSchemaVersion, std::to_string(schema::kVersion));
            impl->db.commit();
        } else if (version != std::to_string(schema::kVersion)) {
            return Status(ErrorCode::kUnavailable, "index " + path + " was written with schema version " +
                                                       (version.empty() ? "?" : version) + ", this program writes " +
                                                       std::to_string(schema::kVersion) + ": rebuild it into a new directory");
        }
        return std::unique_ptr<IndexWriter>(new IndexWriter(std::move(impl)));
    });
}

Result<IndexWriter::Change> IndexWriter::upsert(const Record& incoming, Mode mode) {
    return guarded(impl_->path, [&]() -> Result<Change> {
        const std::string idterm = schema::kPrefixId + incoming.id;
        Change change = Change::kAdded;
        Record merged;
        const Record* record = &incoming;
        Xapian::PostingIterator p = impl_->db.postlist_begin(idterm);
        if (p != impl_->db.postlist_end(idterm)) {
            std::string stored = impl_->db.get_document(*p).get_data();
            if (mode == Mode::kMerge) {
                Result<Record> old = from_json(stored);
                if (old.is_ok()) {
                    merged = merge_records(old.value(), incoming);
                    record = &merged;
                }
            }
            if (stored == to_json(*record)) return Change::kUnchanged;
            change = Change::kUpdated;
            impl_->forget_spelling(stored);
        }
        std::vector<std::string> words;
        impl_->db.replace_document(idterm, build_document(*record, impl_->analyzer, &words));
        for (const std::string& w : words) impl_->db.add_spelling(w);
        if (++impl_->pending >= impl_->options.batch_size) {
            impl_->db.commit();
            impl_->pending = 0;
        }
        return change;
    });
}

Result<bool> IndexWriter::remove(const std::string& id) {
    return guarded(impl_->path, [&]() -> Result<bool> {
        const std::string idterm = schema::kPrefixId + id;
        Xapian::PostingIterator p = impl_->db.postlist_begin(idterm);
        if (p == impl_->db.postlist_end(idterm)) return false;
        impl_->forget_spelling(impl_->db.get_document(*p).get_data());
        impl_->db.delete_document(idterm);
        ++impl_->pending;
        return true;
    });
}

Status IndexWriter::set_metadata(const std::string& key, const std::string& value) {
    Result<bool> r = guarded(impl_->path, [&]() -> Result<bool> {
        impl_->db.set_metadata(key, value);
        ++impl_->pending;
        return true;
    });
    return r.is_ok() ? Status::ok() : r.status();
}

Result<std::string> IndexWriter::metadata(const std::string& key) {
    return guarded(impl_->path, [&]() -> Result<std::string> { return impl_->db.get_metadata(key); });
}

Status IndexWriter::commit() {
    Result<bool> r = guarded(impl_->path, [&]() -> Result<bool> {
        impl_->db.commit();
        impl_->pending = 0;
        return true;
    });
    return r.is_ok() ? Status::ok() : r.status();
}

}  // namespace abstrakt
