#include "indexer/rebuild.h"

#include <xapian.h>

#include "common/record.h"
#include "common/schema.h"
#include "common/shards.h"
#include "common/xapian_guard.h"
#include "indexer/generations.h"
#include "indexer/parallel.h"
#include "indexer/writer.h"

namespace abstrakt {

namespace {

// The checks a new generation must pass before it is served.
Status verify(const std::string& path, uint64_t current_documents, const RebuildOptions& o, uint64_t& documents) {
    Result<bool> r = guarded(path, [&]() -> Result<bool> {
        Xapian::Database db(path);
        documents = db.get_doccount();
        if (documents < o.min_documents)
            return Status(ErrorCode::kInvalidArgument, "the new index has " + std::to_string(documents) +
                                                           " documents, fewer than the " + std::to_string(o.min_documents) + " required");
        if (static_cast<double>(documents) < o.min_share_of_current * static_cast<double>(current_documents))
            return Status(ErrorCode::kInvalidArgument, "the new index has " + std::to_string(documents) +
                                                           " documents against " + std::to_string(current_documents) +
                                                           " served now: less than the share required");
        if (std::string wrong = schema::version_mismatch(db, path); !wrong.empty() || db.get_metadata(schema::kMetaSchemaVersion).empty())
            return Status(ErrorCode::kInvalidArgument, wrong.empty() ? "the new index has no schema version" : wrong);
        // Probes: up to five documents spread over the index, each found by its id term, each with a
        // stored record that reads back with that id.
        const Xapian::docid last = db.get_lastdocid();
        for (int k = 0; k < 5 && documents > 0; ++k) {
            Xapian::docid did = 1 + static_cast<Xapian::docid>((static_cast<uint64_t>(last) - 1) * static_cast<uint64_t>(k) / 5);
            Xapian::PostingIterator p = db.postlist_begin("");  // all documents
            p.skip_to(did);
            if (p == db.postlist_end("")) break;
            Result<Record> rec = from_stored(db.get_document(*p).get_data());
            if (!rec.is_ok()) return Status(ErrorCode::kInvalidArgument, "document " + std::to_string(*p) + " has no readable record");
            if (db.get_termfreq(schema::kPrefixId + rec->id) != 1)
                return Status(ErrorCode::kInvalidArgument, "the id " + rec->id + " does not find exactly one document");
        }
        return true;
    });
    return r.is_ok() ? Status::ok() : r.status();
}

}  // namespace

Result<RebuildReport> rebuild(const std::string& served_path, const RebuildOptions& o) {
    Generations gens(served_path);
    Result<uint64_t> current = gens.current();
    if (!current.is_ok()) return current.status();
    uint64_t current_documents = 0;
    std::optional<IndexParams> params = o.index_params;
    if (current.value() > 0) {
        std::string stored;
        Result<bool> counted = guarded(served_path, [&]() -> Result<bool> {
            Xapian::Database served(served_path);
            current_documents = served.get_doccount();
            stored = served.get_metadata(schema::kMetaIndexParams);
            return true;
        });
        if (!counted.is_ok()) return counted.status();
        if (!params) {
            Result<IndexParams> kept = IndexParams::from_metadata(stored);
            if (!kept.is_ok()) return Status(ErrorCode::kUnavailable, "index " + served_path + ": " + kept.message());
            params = kept.value();
        }
    }
    unsigned n_shards = o.shards;
    if (n_shards == 0 && current.value() > 0) {
        Result<unsigned> served = shards::count(served_path);
        if (!served.is_ok()) return served.status();
        n_shards = served.value();
    }
    Result<std::string> next = gens.prepare_next();
    if (!next.is_ok()) return next.status();

    RebuildReport report;
    report.previous = current.value();
    report.generation = current.value() + 1;
    {
        // The new generation is an empty folder: the parallel build fills it whole, or leaves it empty.
        const bool parallel = !o.files.empty() && o.jobs >= 2;
        if (parallel) {
            ParallelOptions p;
            p.jobs = o.jobs;
            p.shards = n_shards;
            p.index_params = params;
            report.files = ingest_parallel(next.value(), o.files, o.ingest, p);
            if (!report.files.error.is_ok()) return report.files.error;
            if (report.files.interrupted) return Status(ErrorCode::kUnavailable, "interrupted; nothing was switched");
        }
        WriterOptions w;
        w.shards = n_shards;
        w.index_params = params;
        auto writer = IndexWriter::open(next.value(), true, w);
        if (!writer.is_ok()) return writer.status();
        if (!o.files.empty() && !parallel) {
            report.files = ingest(*writer.value(), o.files, o.ingest);
            if (!report.files.error.is_ok()) return report.files.error;
            if (report.files.interrupted) return Status(ErrorCode::kUnavailable, "interrupted; nothing was switched");
        }
        if (o.sources) {
            Result<std::vector<SourceReport>> s = o.replay ? replay_spool(*writer.value(), *o.sources, o.sync)
                                                           : sync_sources(*writer.value(), *o.sources, o.sync);
            if (!s.is_ok()) return s.status();
            report.sources = s.value();
            if (o.sync.stop && o.sync.stop->load()) return Status(ErrorCode::kUnavailable, "interrupted; nothing was switched");
        }
        if (Status s = writer.value()->commit(); !s.is_ok()) return s;
    }
    if (Status s = verify(next.value(), current_documents, o, report.documents); !s.is_ok())
        return Status(s.code(), "generation " + std::to_string(report.generation) + " was not switched to: " + s.message());
    if (Status s = gens.switch_to(report.generation); !s.is_ok()) return s;
    return report;
}

}  // namespace abstrakt
