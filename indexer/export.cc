#include "indexer/export.h"

#include <xapian.h>

#include <cstdio>
#include <filesystem>

#include "common/schema.h"
#include "common/text.h"
#include "common/xapian_guard.h"
#include "indexer/sync.h"

namespace abstrakt {

namespace {

// 64-bit FNV-1a (common/text.h), fed piece by piece: enough to tell documents apart.
class Fnv1a {
  public:
    void add(const std::string& s) {
        add_bytes(s.data(), s.size());
        add_number(s.size());  // length after the bytes: "ab"+"c" and "a"+"bc" differ
    }
    void add_number(uint64_t n) {
        for (int i = 0; i < 8; ++i) add_byte(static_cast<unsigned char>(n >> (8 * i)));
    }
    std::string hex() const {
        char buf[17];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
        return buf;
    }

  private:
    void add_bytes(const char* p, size_t n) { h_ = fnv1a64(std::string_view(p, n), h_); }
    void add_byte(unsigned char b) { add_bytes(reinterpret_cast<const char*>(&b), 1); }
    uint64_t h_ = fnv1a64("");
};

// Visits every document in order of id (the id term, Q..., sorts them), or fails like guarded().
template <class F>
Result<uint64_t> each_document(const std::string& path, F&& visit) {
    return guarded(path, [&]() -> Result<uint64_t> {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) return Status(ErrorCode::kNotFound, "no index at " + path);
        Xapian::Database db(path);
        uint64_t n = 0;
        const std::string q = schema::kPrefixId;
        for (auto t = db.allterms_begin(q); t != db.allterms_end(q); ++t) {
            for (auto p = db.postlist_begin(*t); p != db.postlist_end(*t); ++p) {
                visit(db, (*t).substr(q.size()), db.get_document(*p));
                ++n;
            }
        }
        return n;
    });
}

}  // namespace

// A record that cannot be read is left out and named in the error, after every other one is out.
Result<uint64_t> export_records(const std::string& path, const std::function<void(const std::string&)>& line) {
    Status unreadable;
    Result<uint64_t> n = each_document(path, [&](Xapian::Database&, const std::string& id, const Xapian::Document& doc) {
        Result<std::string> json = stored_json(doc.get_data());
        if (json.is_ok())
            line(json.value());
        else if (unreadable.is_ok())
            unreadable = Status(ErrorCode::kUnavailable, path + ": the stored record of " + id + " cannot be read (" + json.message() + ")");
    });
    if (n.is_ok() && !unreadable.is_ok()) return unreadable;
    return n;
}

Result<uint64_t> digest_index(const std::string& path, const std::function<void(const std::string&)>& line) {
    Result<uint64_t> n = each_document(path, [&](Xapian::Database&, const std::string& id, const Xapian::Document& doc) {
        Fnv1a h;
        Result<std::string> json = stored_json(doc.get_data());  // the record, however it is compressed
        h.add(json.is_ok() ? json.value() : doc.get_data());
        for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
            h.add(*t);
            h.add_number(t.get_wdf());
            for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p) h.add_number(*p);
        }
        for (auto v = doc.values_begin(); v != doc.values_end(); ++v) {
            h.add_number(v.get_valueno());
            h.add(*v);
        }
        line("doc " + id + " " + h.hex());
    });
    if (!n.is_ok()) return n;
    Result<bool> meta = guarded(path, [&]() -> Result<bool> {
        Xapian::Database db(path);
        for (auto k = db.metadata_keys_begin("abstrakt."); k != db.metadata_keys_end("abstrakt."); ++k) {
            std::string value = db.get_metadata(*k);
            // A retry list counts how often each day was tried: bookkeeping of the runs, not content.
            if ((*k).rfind(schema::kMetaRetryPrefix, 0) == 0) {
                std::string days;
                for (const auto& entry : parse_retry_list(value)) days += (days.empty() ? "" : ",") + entry.first;
                value = days;
            }
            line("meta " + *k + " " + value);
        }
        return true;
    });
    if (!meta.is_ok()) return meta.status();
    return n;
}

}  // namespace abstrakt
