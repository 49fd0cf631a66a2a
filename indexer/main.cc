// abstrakt-index: argument parsing and reporting over the indexer library. See docs/cli.md.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/lang.h"
#include "indexer/ingest.h"
#include "indexer/stats.h"
#include "indexer/writer.h"

namespace {

using namespace abstrakt;

constexpr const char* kUsage = R"(usage: abstrakt-index [--db PATH] COMMAND ...

commands:
  add FILE...      upsert the records of JSON Lines files (.jsonl, .jsonl.gz; - for stdin)
  delete ID...     delete records by id
  stats            documents, languages, terms and size of the index

options:
  --db PATH             the index (default: $ABSTRAKT_DB, else $XDG_DATA_HOME/abstrakt/index)
  --batch N             records between commits (add; default 2000)
  --default-lang CODE   language of bare-string titles and abstracts in Latin script (default en)
  --quiet               no progress output
  -h, --help            this text
)";

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

int usage_error(const std::string& message) {
    std::cerr << "abstrakt-index: " << message << "\n" << kUsage;
    return kExitUsage;
}

int exit_for(const Status& s) {
    std::cerr << "abstrakt-index: " << s.message() << "\n";
    return s.code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitIndex;
}

std::string format_count(uint64_t n) {
    std::string s = std::to_string(n), out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (i > 0 && (s.size() - i) % 3 == 0) out += ',';
        out += s[i];
    }
    return out;
}

// A progress bar when stderr is a terminal, a plain line every 10 seconds otherwise.
class ProgressReporter {
  public:
    explicit ProgressReporter(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0) {}

    void operator()(const IngestProgress& p) {
        if (quiet_) return;
        auto now = std::chrono::steady_clock::now();
        double elapsed = std::chrono::duration<double>(now - start_).count();
        double since_last = std::chrono::duration<double>(now - last_).count();
        if (since_last < (tty_ ? 0.2 : 10.0)) return;
        last_ = now;
        double rate = elapsed > 0 ? static_cast<double>(p.records) / elapsed : 0;
        char line[200];
        if (tty_ && p.bytes_total > 0) {
            double frac = std::min(1.0, static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total));
            int filled = static_cast<int>(frac * 30);
            double eta = frac > 0.001 ? elapsed * (1 - frac) / frac : 0;
            std::snprintf(line, sizeof line, "\r[%-30s] %3.0f%%  %s records  %.0f/s  ETA %d:%02d ",
                          std::string(static_cast<size_t>(filled), '#').c_str(), frac * 100,
                          format_count(p.records).c_str(), rate, static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
        } else if (tty_) {
            std::snprintf(line, sizeof line, "\r%s records  %.0f/s ", format_count(p.records).c_str(), rate);
        } else {
            std::snprintf(line, sizeof line, "abstrakt-index: %s records, %.0f/s\n", format_count(p.records).c_str(), rate);
        }
        std::cerr << line << std::flush;
        drawn_ = tty_;
    }

    void finish(uint64_t records) {
        if (drawn_) std::cerr << "\r\033[K";
        double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        elapsed_ = elapsed;
        rate_ = elapsed > 0 ? static_cast<double>(records) / elapsed : 0;
    }
    double elapsed() const { return elapsed_; }
    double rate() const { return rate_; }

  private:
    bool quiet_, tty_, drawn_ = false;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_ = start_;
    double elapsed_ = 0, rate_ = 0;
};

int cmd_add(const std::string& db, const std::vector<std::string>& files, uint64_t batch,
            const std::string& default_lang, bool quiet) {
    if (files.empty()) return usage_error("add needs at least one file (or - for standard input)");
    auto writer = IndexWriter::open(db, true, WriterOptions{batch});
    if (!writer.is_ok()) return exit_for(writer.status());

    // Without SA_RESTART, so that a read waiting on a pipe returns and the stop flag is seen at once.
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    ProgressReporter reporter(quiet);
    IngestOptions options;
    options.parse.default_lang = default_lang;
    options.stop = &g_stop;
    options.report = [&](const std::string& message) {
        reporter.finish(0);  // clears a drawn bar before the message
        std::cerr << message << "\n";
    };
    options.progress = [&](const IngestProgress& p) { reporter(p); };
    IngestSummary s = ingest(*writer.value(), files, options);
    uint64_t handled = s.added + s.updated + s.unchanged + s.skipped;
    reporter.finish(handled);
    if (!quiet || s.skipped > 0 || !s.error.is_ok())
        std::cerr << "abstrakt-index: " << format_count(s.added) << " added, " << format_count(s.updated)
                  << " updated, " << format_count(s.unchanged) << " unchanged, " << format_count(s.skipped)
                  << " skipped in " << static_cast<int>(reporter.elapsed() * 10) / 10.0 << " s ("
                  << static_cast<uint64_t>(reporter.rate()) << " records/s)"
                  << (s.added + s.updated == 0 && s.error.is_ok() ? "; the index is unchanged" : "") << "\n";
    if (!s.error.is_ok()) return exit_for(s.error);
    if (s.interrupted) {
        std::cerr << "abstrakt-index: interrupted; everything above is committed\n";
        return kExitInterrupted;
    }
    return s.skipped > 0 || s.files_failed > 0 ? kExitPartial : kExitOk;
}

int cmd_delete(const std::string& db, const std::vector<std::string>& ids) {
    if (ids.empty()) return usage_error("delete needs at least one id");
    auto writer = IndexWriter::open(db, false);
    if (!writer.is_ok()) return exit_for(writer.status());
    uint64_t deleted = 0, missing = 0;
    for (const std::string& id : ids) {
        Result<bool> r = writer.value()->remove(id);
        if (!r.is_ok()) return exit_for(r.status());
        if (r.value()) {
            ++deleted;
        } else {
            ++missing;
            std::cerr << "abstrakt-index: no record with id " << id << "\n";
        }
    }
    if (Status s = writer.value()->commit(); !s.is_ok()) return exit_for(s);
    std::cerr << "abstrakt-index: " << deleted << " deleted, " << missing << " not found\n";
    return missing > 0 ? kExitPartial : kExitOk;
}

int cmd_stats(const std::string& db) {
    Result<IndexStats> r = read_stats(db);
    if (!r.is_ok()) return exit_for(r.status());
    const IndexStats& s = r.value();
    std::cout << "index:      " << db << "\n"
              << "documents:  " << format_count(s.documents) << "\n"
              << "languages: ";
    for (const auto& [code, count] : s.languages) std::cout << " " << code << " " << format_count(count);
    std::cout << "\nterms:      " << format_count(s.terms) << "\n"
              << "size:       " << format_count(s.bytes / 1024) << " KiB\n"
              << "published:  " << (s.oldest.empty() ? "-" : s.oldest + " to " + s.newest) << "\n"
              << "revision:   " << s.revision << "\n";
    return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    std::string db_flag, default_lang = "en", command;
    uint64_t batch = 2000;
    bool quiet = false;
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](const char* name) -> const char* {
            if (i + 1 >= argc) return nullptr;
            (void)name;
            return argv[++i];
        };
        if (a == "-h" || a == "--help") {
            std::cout << kUsage;
            return kExitOk;
        } else if (a == "--db") {
            const char* v = value("--db");
            if (!v) return usage_error("--db needs a path");
            db_flag = v;
        } else if (a == "--batch") {
            const char* v = value("--batch");
            char* end = nullptr;
            unsigned long long n = v ? std::strtoull(v, &end, 10) : 0;
            if (!v || *end != '\0' || n == 0 || n > 10000000) return usage_error("--batch needs a number from 1 to 10000000");
            batch = n;
        } else if (a == "--default-lang") {
            const char* v = value("--default-lang");
            auto tag = v ? lang::canonical_tag(v) : std::nullopt;
            if (!tag) return usage_error("--default-lang needs a language code such as en or de");
            default_lang = *tag;
        } else if (a == "--quiet" || a == "-q") {
            quiet = true;
        } else if (a.size() > 1 && a[0] == '-' && a != "-" && a.rfind("--", 0) != 0 && command.empty()) {
            return usage_error("unknown option " + a);
        } else if (a.rfind("--", 0) == 0 && a.size() > 2) {
            return usage_error("unknown option " + a);
        } else if (command.empty()) {
            command = a;
        } else {
            args.push_back(a);
        }
    }
    const std::string db = resolve_db_path(db_flag);
    if (command == "add") return cmd_add(db, args, batch, default_lang, quiet);
    if (command == "delete") return cmd_delete(db, args);
    if (command == "stats") {
        if (!args.empty()) return usage_error("stats takes no arguments");
        return cmd_stats(db);
    }
    if (command.empty()) return usage_error("no command given");
    return usage_error("unknown command " + command);
}
