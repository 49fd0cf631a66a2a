#include "indexer/ingest.h"

#include <sys/stat.h>

namespace abstrakt {

IngestSummary ingest(IndexWriter& writer, const std::vector<std::string>& paths, const IngestOptions& options) {
    Status error;
    IngestSummary counts;
    IngestSummary summary = read_records(paths, options, [&](Record&& record) {
        Result<IndexWriter::Change> change = writer.upsert(record);
        if (!change.is_ok()) {
            error = change.status();
            return false;  // the writer's last commit stands
        }
        switch (change.value()) {
            case IndexWriter::Change::kAdded: ++counts.added; break;
            case IndexWriter::Change::kUpdated: ++counts.updated; break;
            case IndexWriter::Change::kUnchanged: ++counts.unchanged; break;
        }
        return true;
    });
    summary.added = counts.added;
    summary.updated = counts.updated;
    summary.unchanged = counts.unchanged;
    summary.error = error.is_ok() ? writer.commit() : error;
    return summary;
}

IngestSummary read_records(const std::vector<std::string>& paths, const IngestOptions& options,
                           const std::function<bool(Record&&)>& sink) {
    IngestSummary summary;
    IngestProgress progress;
    auto report = [&](const std::string& message) {
        if (options.report) options.report(message);
    };
    for (const std::string& path : paths) {
        struct stat st {};
        if (path != "-" && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
            progress.bytes_total += static_cast<uint64_t>(st.st_size);
    }
    uint64_t bytes_before = 0;
    for (const std::string& path : paths) {
        auto opened = RecordReader::open(path, options.parse);
        if (!opened.is_ok()) {
            report(opened.message());
            ++summary.files_failed;
            continue;
        }
        RecordReader& reader = *opened.value();
        Record record;
        std::string error;
        bool done = false;
        while (!done) {
            if (options.stop && options.stop->load()) {
                summary.interrupted = true;
                break;
            }
            switch (reader.next(record, error)) {
                case RecordReader::Outcome::kRecord:
                    ++progress.records;
                    if (!sink(std::move(record))) return summary;
                    break;
                case RecordReader::Outcome::kMalformed:
                    report(error);
                    ++summary.skipped;
                    ++progress.records;
                    break;
                case RecordReader::Outcome::kReadError:
                    report(error);
                    ++summary.files_failed;
                    done = true;
                    break;
                case RecordReader::Outcome::kEnd: done = true; break;
                case RecordReader::Outcome::kInterrupted: break;  // a signal: the loop looks at `stop`
            }
            if (options.progress && progress.records % 50 == 0) {
                progress.bytes_done = bytes_before + reader.bytes_read();
                options.progress(progress);
            }
        }
        bytes_before += reader.bytes_read();
        if (summary.interrupted) break;
    }
    progress.bytes_done = bytes_before;
    if (options.progress) options.progress(progress);
    return summary;
}

}  // namespace abstrakt
