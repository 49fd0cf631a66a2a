#include "indexer/stats.h"

#include <xapian.h>

#include <filesystem>

#include "common/schema.h"
#include "common/shards.h"
#include "common/xapian_guard.h"

namespace abstrakt {

Result<IndexStats> read_stats(const std::string& path) {
    return guarded(path, [&]() -> Result<IndexStats> {
        namespace fs = std::filesystem;
        std::error_code ec;
        if (!fs::exists(path, ec)) return Status(ErrorCode::kNotFound, "no index at " + path);
        Result<unsigned> n = shards::count(path);
        if (!n.is_ok()) return n.status();
        Xapian::Database db(path);
        IndexStats s;
        s.documents = db.get_doccount();
        if (n.value() == 0) {
            s.revision = db.get_revision();  // Xapian 1.4 gives a revision for a single database only
        } else {
            s.shards = n.value();
            for (unsigned k = 0; k < n.value(); ++k) {
                Xapian::Database shard(path + "/" + shards::shard_name(k));
                s.revision += shard.get_revision();
                s.shard_documents.push_back(shard.get_doccount());
            }
        }
        const std::string lp = schema::kPrefixLang;
        for (auto t = db.allterms_begin(lp); t != db.allterms_end(lp); ++t)
            s.languages.emplace_back((*t).substr(lp.size()), t.get_termfreq());
        for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t) ++s.terms;
        s.oldest = db.get_value_lower_bound(schema::kSlotDate);
        s.newest = db.get_value_upper_bound(schema::kSlotDate);
        for (const auto& entry : fs::recursive_directory_iterator(path, ec))
            if (entry.is_regular_file(ec)) s.bytes += entry.file_size(ec);
        return s;
    });
}

}  // namespace abstrakt
