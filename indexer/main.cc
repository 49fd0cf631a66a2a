// abstrakt-index: argument parsing and reporting over the indexer library. See docs/cli.md.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/config.h"
#include "common/lang.h"
#include "common/ranking.h"
#include "common/shards.h"
#include "common/translator.h"
#include "common/version.h"
#include "indexer/export.h"
#include "indexer/generations.h"
#include "indexer/ingest.h"
#include "indexer/lexicon_learn.h"
#include "indexer/parallel.h"
#include "indexer/rebuild.h"
#include "indexer/stats.h"
#include "indexer/sync.h"
#include "indexer/writer.h"

namespace {

using namespace abstrakt;

constexpr const char* kUsage = R"(usage: abstrakt-index [--db PATH] COMMAND ...

commands:
  add FILE...      upsert the records of JSON Lines files (.jsonl, .jsonl.gz; - for stdin)
  delete ID...     delete records by id
  stats            documents, languages, terms and size of the index
  sync --config FILE [--dry-run] [--today YYYY-MM-DD]
                   fetch what is new from each configured source and merge it (docs/sync.md)
  rebuild [--config FILE [--replay]] [--today YYYY-MM-DD] [FILE...]
                   build a new generation from files and sources, verify it, serve it;
                   --replay takes the sources' responses from the spool, not the network
  rollback         serve the previous generation again
  adopt            turn an index directory made by `add` into generation 1 (once, before serving)
  export           every stored record as JSON Lines on standard output, in order of id
  digest           one line per document and per watermark: diff two of them to compare indexes
  lexicon learn --out DIR [options] [FILE...]
                   learn a Chinese<->English lexicon from records with both languages (the files,
                   else the index): DIR/zh-en.tsv.gz and DIR/en-zh.tsv.gz (docs/cross-language.md)
  lexicon show     where the translation resources are found (the lexicons, the Ding dictionary)
                   and which language pairs they load

options:
  --db PATH             the index (default: $ABSTRAKT_DB, else $XDG_DATA_HOME/abstrakt/index)
  --batch N             records between commits (add; default 2000; with --jobs, per thread)
  --jobs N              add, rebuild: read the files into a new index with N threads, all or
                        nothing (default: one per core when the index is new and the files hold
                        8 MB or more, else 1; add to an existing index always uses one); a
                        sharded build with 2 or more uses one thread per shard
  --shards N            add to a new index, rebuild: spread the papers over N shards (2 to 64) by a
                        hash of their id (docs/scale-out.md); rebuild keeps the served number
                        unless given, and --shards 1 makes a single database again
  --ranking NAME=VALUE  add to a new index, rebuild: an index-time ranking parameter (title_wdf,
                        abstract_wdf, author_wdf, id_wdf: how much a word counts in each field;
                        docs/relevance.md); repeatable. Stored in the index; an index with papers
                        keeps its own, rebuild keeps the served ones unless given
  --ranking-file FILE   the same from a JSON object (name to value); --ranking given after it wins
  --default-lang CODE   language of bare-string titles and abstracts in Latin script (default en)
  --quiet               no progress output
  -h, --help            this text
  --version             the version
)";

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

void install_stop_handlers() {
    // Without SA_RESTART, so that a read waiting on a pipe returns and the stop flag is seen at once.
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

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

// Files smaller than this together are added by one thread, whose commits every --batch records
// survive an interruption (a parallel build is all or nothing). Not for speed: two threads were faster
// even on 1,000 records (2.3 MB: 1.64 s against 2.67 s), but there a second matters less than keeping
// what was done (docs/performance.md).
constexpr uint64_t kParallelMinBytes = 8u << 20;

// The threads for reading `files` into a new index (add to a new path, rebuild): --jobs N when given
// (0: not given), else one per core when the files are large enough for the merge to pay.
unsigned new_index_jobs(const std::vector<std::string>& files, unsigned jobs) {
    if (jobs >= 1) return jobs;
    uint64_t bytes = 0;
    for (const std::string& f : files) {
        struct stat st {};
        if (f != "-" && ::stat(f.c_str(), &st) == 0) bytes += static_cast<uint64_t>(st.st_size);
    }
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return bytes >= kParallelMinBytes ? cores : 1;
}

// Whether `add` builds in parallel: with --jobs N (N >= 2) always (a new index only), with --jobs 1
// never, and by default when the index is new and the files are large enough.
unsigned add_jobs(const std::string& db, const std::vector<std::string>& files, unsigned jobs) {
    if (jobs == 1 || !is_new_index_path(db)) return 1;
    return new_index_jobs(files, jobs);
}

int cmd_add(const std::string& db, const std::vector<std::string>& files, uint64_t batch, unsigned jobs_asked,
            unsigned n_shards, const std::optional<IndexParams>& params, const std::string& default_lang, bool quiet) {
    if (files.empty()) return usage_error("add needs at least one file (or - for standard input)");
    if (jobs_asked >= 2 && !is_new_index_path(db))
        return usage_error("--jobs builds a new index only, and " + db + " exists: add to it without --jobs");
    const unsigned jobs = add_jobs(db, files, jobs_asked);
    std::unique_ptr<IndexWriter> writer;
    if (jobs == 1) {
        auto opened = IndexWriter::open(db, true, WriterOptions{batch, n_shards, params});
        if (!opened.is_ok()) return exit_for(opened.status());
        writer = std::move(opened.value());
    }

    install_stop_handlers();
    ProgressReporter reporter(quiet);
    IngestOptions options;
    options.parse.default_lang = default_lang;
    options.stop = &g_stop;
    options.report = [&](const std::string& message) {
        reporter.finish(0);  // clears a drawn bar before the message
        std::cerr << message << "\n";
    };
    options.progress = [&](const IngestProgress& p) { reporter(p); };
    IngestSummary s = jobs == 1 ? ingest(*writer, files, options)
                                : ingest_parallel(db, files, options, ParallelOptions{jobs, batch, 256, 100000, n_shards, params});
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
        std::cerr << (jobs == 1 ? "abstrakt-index: interrupted; everything above is committed\n"
                                : "abstrakt-index: interrupted; no index was made\n");
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

// One job at a time per index: an exclusive lock on a file beside it, held for the whole run and
// released by the kernel when the process ends, however it ends.
bool lock_job(const std::string& db, std::string& error) {
    const std::string path = db + ".job-lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = "cannot create " + path + ": " + std::strerror(errno);
        return false;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        error = "another abstrakt-index job is running on " + db + " (" + path + " is locked); try again when it has finished";
        ::close(fd);
        return false;
    }
    return true;  // the descriptor stays open, and the lock held, until the process exits
}

int cmd_sync(const std::string& db, const std::string& config_path, bool dry_run, const std::string& today) {
    if (config_path.empty()) return usage_error("sync needs --config FILE");
    if (!today.empty() && !valid_date(today)) return usage_error("--today needs a date YYYY-MM-DD");
    Result<SyncConfig> config = SyncConfig::load(config_path);
    if (!config.is_ok()) {
        std::cerr << "abstrakt-index: " << config.message() << "\n";
        return kExitUsage;
    }
    std::string lock_error;
    if (!lock_job(db, lock_error)) {
        std::cerr << "abstrakt-index: " << lock_error << "\n";
        return kExitIndex;
    }
    auto writer = IndexWriter::open(db, true);
    if (!writer.is_ok()) return exit_for(writer.status());
    install_stop_handlers();
    SyncOptions options;
    options.dry_run = dry_run;
    options.today = today;
    options.stop = &g_stop;
    options.log = [](const std::string& line) { std::cerr << "abstrakt-index: " << line << "\n"; };
    Result<std::vector<SourceReport>> reports = sync_sources(*writer.value(), config.value(), options);
    if (!reports.is_ok()) return exit_for(reports.status());
    bool partial = false;
    for (const SourceReport& r : reports.value()) {
        std::cout << r.summary() << "\n";
        partial = partial || r.failed > 0 || r.skipped > 0;
    }
    if (g_stop.load()) {
        std::cerr << "abstrakt-index: interrupted; what was committed stays, with its watermarks\n";
        return kExitInterrupted;
    }
    return partial ? kExitPartial : kExitOk;
}

int cmd_rebuild(const std::string& db, const std::string& config_path, const std::string& today,
                const std::vector<std::string>& files, const std::string& default_lang, bool replay, unsigned jobs,
                unsigned n_shards, const std::optional<IndexParams>& params) {
    if (replay && config_path.empty()) return usage_error("--replay needs --config FILE (it names the spool)");
    if (files.empty() && config_path.empty()) return usage_error("rebuild needs files, --config FILE, or both");
    if (!today.empty() && !valid_date(today)) return usage_error("--today needs a date YYYY-MM-DD");
    std::optional<SyncConfig> config;
    if (!config_path.empty()) {
        Result<SyncConfig> c = SyncConfig::load(config_path);
        if (!c.is_ok()) {
            std::cerr << "abstrakt-index: " << c.message() << "\n";
            return kExitUsage;
        }
        config = std::move(c.value());
    }
    std::string lock_error;
    if (!lock_job(db, lock_error)) {
        std::cerr << "abstrakt-index: " << lock_error << "\n";
        return kExitIndex;
    }
    install_stop_handlers();
    RebuildOptions o;
    o.files = files;
    o.jobs = new_index_jobs(files, jobs);
    o.shards = n_shards;
    o.index_params = params;
    o.sources = config ? &*config : nullptr;
    o.replay = replay;
    o.sync.today = today;
    o.sync.stop = &g_stop;
    o.sync.log = [](const std::string& line) { std::cerr << "abstrakt-index: " << line << "\n"; };
    o.ingest.parse.default_lang = default_lang;
    o.ingest.stop = &g_stop;
    o.ingest.report = [](const std::string& m) { std::cerr << m << "\n"; };
    Result<RebuildReport> r = rebuild(db, o);
    if (!r.is_ok()) {
        std::cerr << "abstrakt-index: " << r.message() << "\n";
        return g_stop.load() ? kExitInterrupted : r.status().code() == ErrorCode::kInvalidArgument ? kExitPartial : kExitIndex;
    }
    const RebuildReport& rep = r.value();
    if (!files.empty())
        std::cout << "files: added " << rep.files.added << ", updated " << rep.files.updated << ", skipped " << rep.files.skipped << "\n";
    bool partial = rep.files.skipped > 0 || rep.files.files_failed > 0;
    for (const SourceReport& s : rep.sources) {
        std::cout << s.summary() << "\n";
        partial = partial || s.failed > 0 || s.skipped > 0;
    }
    std::cout << "rebuild: generation " << rep.generation << " (" << format_count(rep.documents) << " documents) is served at " << db;
    if (rep.previous) std::cout << "; generation " << rep.previous << " is kept for rollback";
    std::cout << "\n";
    return partial ? kExitPartial : kExitOk;
}

int cmd_generations(const std::string& db, const std::string& command) {
    std::string lock_error;
    if (!lock_job(db, lock_error)) {
        std::cerr << "abstrakt-index: " << lock_error << "\n";
        return kExitIndex;
    }
    Generations gens(db);
    if (command == "adopt") {
        if (Status s = gens.adopt(); !s.is_ok()) return exit_for(s);
        std::cout << db << " is generation 1 of " << gens.dir << "\n";
        return kExitOk;
    }
    Result<uint64_t> g = gens.rollback();
    if (!g.is_ok()) {
        std::cerr << "abstrakt-index: " << g.message() << "\n";
        return g.status().code() == ErrorCode::kNotFound ? kExitPartial : kExitIndex;
    }
    std::cout << "rollback: generation " << g.value() << " is served at " << db << "\n";
    return kExitOk;
}

// export and digest: read-only, so no job lock; they read one consistent revision.
int cmd_read_out(const std::string& db, const std::string& command) {
    auto print = [](const std::string& line) { std::cout << line << '\n'; };
    Result<uint64_t> n = command == "export" ? export_records(db, print) : digest_index(db, print);
    std::cout.flush();
    if (!n.is_ok()) return exit_for(n.status());
    if (!std::cout) {
        std::cerr << "abstrakt-index: could not write the output\n";
        return kExitIndex;
    }
    return kExitOk;
}

int cmd_stats(const std::string& db) {
    Result<IndexStats> r = read_stats(db);
    if (!r.is_ok()) return exit_for(r.status());
    const IndexStats& s = r.value();
    std::cout << "index:      " << db << "\n"
              << "documents:  " << format_count(s.documents) << "\n";
    if (s.shards > 1) {
        std::cout << "shards:     " << s.shards << " (";
        for (size_t k = 0; k < s.shard_documents.size(); ++k) std::cout << (k ? ", " : "") << format_count(s.shard_documents[k]);
        std::cout << " documents)\n";
    }
    std::cout << "languages: ";
    for (const auto& [code, count] : s.languages) std::cout << " " << code << " " << format_count(count);
    std::cout << "\nterms:      " << format_count(s.terms) << "\n"
              << "size:       " << format_count(s.bytes / 1024) << " KiB\n"
              << "published:  " << (s.oldest.empty() ? "-" : s.oldest + " to " + s.newest) << "\n"
              << "revision:   " << s.revision << "\n";
    return kExitOk;
}


constexpr const char* kLexiconUsage = R"(usage: abstrakt-index [--db PATH] lexicon learn --out DIR [options] [FILE...]
       abstrakt-index lexicon show

Learns a Chinese<->English word-translation lexicon from the records of FILE... (JSON Lines, gzip or
not), or of the index when no file is given: each record with a Chinese and an English title is a
sentence pair. Writes DIR/zh-en.tsv.gz and DIR/en-zh.tsv.gz (format: docs/cross-language.md).

options:
  --method dice|ibm1   Dice with competitive linking (default), or IBM Model 1 with EM
  --units words|bigrams  Chinese units: ICU words only (default), or words and character bigrams
  --no-phrases         no multi-word units (adjacent word pairs)
  --summaries          also the Chinese summaries beside the English abstracts
  --holdout FILE       ids (one a line, # comments) whose records are left out
  --min-count N        occurrences a unit and a link need (default 2)
  --top N              translations kept per word (default 6)
  --min-prob P         translations below this probability are dropped (default 0.02)
  --iterations N       EM iterations of ibm1 (default 5)
)";

// `lexicon show`: what Translator::default_resources() finds, the same as the searcher loads, so that
// an installation can be checked (docs/deploy.md). Exit 0 when every pair loads, 1 when some resource
// is missing, 3 when one exists but does not read.
int cmd_lexicon_show() {
    const Translator::Resources res = Translator::default_resources();
    // <bin>/../share/abstrakt/lexicon shown without its "..".
    const std::string dir = std::filesystem::path(res.lexicon_dir).lexically_normal().string();
    std::cout << "lexicons: " << (res.lexicon_dir.empty() ? "(none found)" : dir) << "\n"
              << "ding: " << (res.ding_path.empty() ? "(left out)" : res.ding_path) << "\n";
    auto loaded = Translator::load(res, [](const std::string& m) { std::cerr << "abstrakt-index: " << m << "\n"; });
    if (!loaded.is_ok()) {
        std::cerr << "abstrakt-index: " << loaded.message() << "\n";
        return kExitIndex;
    }
    bool all = true;
    for (const auto& [from, to] : {std::pair{"zh", "en"}, {"en", "zh"}, {"de", "en"}, {"en", "de"}}) {
        const bool ok = loaded.value()->can_translate(from, to);
        all = all && ok;
        std::cout << from << " -> " << to << ": " << (ok ? "loaded" : "missing") << "\n";
    }
    return all ? kExitOk : kExitPartial;
}

int cmd_lexicon(const std::string& db, int argc, char** argv) {
    if (argc == 1 && std::string(argv[0]) == "show") return cmd_lexicon_show();
    if (argc < 1 || std::string(argv[0]) != "learn") {
        std::cerr << kLexiconUsage;
        return kExitUsage;
    }
    LearnOptions o;
    std::string out_dir;
    std::vector<std::string> files;
    auto number = [](const char* v, double lo, double hi, double& out) {
        if (!v) return false;
        char* end = nullptr;
        out = std::strtod(v, &end);
        return *v && *end == '\0' && out >= lo && out <= hi;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
        double n = 0;
        if (a == "-h" || a == "--help") {
            std::cout << kLexiconUsage;
            return kExitOk;
        } else if (a == "--no-phrases") {
            o.phrases = false;
        } else if (a == "--summaries") {
            o.summaries = true;
        } else if (a == "--out") {
            if (!v) return usage_error("--out needs a directory");
            out_dir = argv[++i];
        } else if (a == "--method") {
            if (!v || (std::string(v) != "dice" && std::string(v) != "ibm1")) return usage_error("--method is dice or ibm1");
            o.method = std::string(argv[++i]) == "dice" ? LearnOptions::Method::kDice : LearnOptions::Method::kIbm1;
        } else if (a == "--units") {
            if (!v || (std::string(v) != "words" && std::string(v) != "bigrams")) return usage_error("--units is words or bigrams");
            o.zh_bigrams = std::string(argv[++i]) == "bigrams";
        } else if (a == "--holdout") {
            if (!v) return usage_error("--holdout needs a file");
            std::ifstream in(argv[++i]);
            if (!in) return usage_error(std::string("cannot read ") + argv[i]);
            for (std::string line; std::getline(in, line);) {
                while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
                if (!line.empty() && line[0] != '#') o.holdout.insert(line);
            }
        } else if (a == "--min-count") {
            if (!number(v, 1, 1e6, n) || n != static_cast<uint32_t>(n)) return usage_error("--min-count needs a whole number from 1");
            o.min_count = static_cast<uint32_t>(n);
            ++i;
        } else if (a == "--top") {
            if (!number(v, 1, 100, n) || n != static_cast<size_t>(n)) return usage_error("--top needs a whole number from 1 to 100");
            o.top_k = static_cast<size_t>(n);
            ++i;
        } else if (a == "--iterations") {
            if (!number(v, 1, 100, n) || n != static_cast<int>(n)) return usage_error("--iterations needs a whole number from 1 to 100");
            o.iterations = static_cast<int>(n);
            ++i;
        } else if (a == "--min-prob") {
            if (!number(v, 0, 1, n)) return usage_error("--min-prob needs a number from 0 to 1");
            o.min_prob = n;
            ++i;
        } else if (a.size() > 1 && a[0] == '-') {
            return usage_error("unknown lexicon option " + a);
        } else {
            files.push_back(a);
        }
    }
    if (out_dir.empty()) return usage_error("lexicon learn needs --out DIR");
    LearnStats stats;
    std::vector<ParallelText> pairs;
    auto report = [](const std::string& m) { std::cerr << "abstrakt-index: " << m << "\n"; };
    if (!files.empty()) {
        auto r = read_parallel(files, o, stats, report);
        if (!r.is_ok()) {
            std::cerr << "abstrakt-index: " << r.message() << "\n";
            return kExitUsage;
        }
        pairs = std::move(r.value());
    } else {
        std::string bad;
        auto r = export_records(db, [&](const std::string& line) {
            auto rec = parse_record(line);
            if (rec.is_ok()) add_parallel(rec.value(), o, stats, pairs);
            else if (bad.empty()) bad = rec.message();
        });
        if (!r.is_ok()) {
            std::cerr << "abstrakt-index: " << r.message() << "\n";
            return kExitIndex;
        }
    }
    std::cerr << "abstrakt-index: " << stats.records << " records, " << stats.held_out << " held out, " << pairs.size()
              << " sentence pairs\n";
    if (pairs.empty()) {
        std::cerr << "abstrakt-index: no record has both a Chinese and an English title: nothing to learn from\n";
        return kExitUsage;
    }
    LearnedLexicons lex = learn_lexicon(pairs, o, report);
    for (Lexicon* l : {&lex.zh_en, &lex.en_zh}) {
        const std::string path = out_dir + "/" + l->from() + "-" + l->to() + ".tsv.gz";
        Status s = l->write(path);
        if (!s.is_ok()) {
            std::cerr << "abstrakt-index: " << s.message() << "\n";
            return kExitIndex;
        }
        std::cerr << "abstrakt-index: wrote " << path << ": " << l->sources() << " words, " << l->pairs() << " translations\n";
    }
    return stats.skipped ? kExitPartial : kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    std::string db_flag, default_lang = "en", command, config_path, today;
    uint64_t batch = 2000;
    unsigned jobs = 0, n_shards = 0;
    bool quiet = false, dry_run = false, replay = false;
    RankingParams ranking;  // only its index-time part is used here
    bool ranking_given = false;
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](const char* name) -> const char* {
            if (i + 1 >= argc) return nullptr;
            (void)name;
            return argv[++i];
        };
        if (a == "lexicon" && command.empty()) return cmd_lexicon(resolve_db_path(db_flag), argc - i - 1, argv + i + 1);
        if (a == "-h" || a == "--help") {
            std::cout << kUsage;
            return kExitOk;
        } else if (a == "--version") {
            std::cout << "abstrakt-index " << kVersion << "\n";
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
        } else if (a == "--jobs") {
            const char* v = value("--jobs");
            char* end = nullptr;
            unsigned long n = v ? std::strtoul(v, &end, 10) : 0;
            if (!v || *end != '\0' || n == 0 || n > 64) return usage_error("--jobs needs a number from 1 to 64");
            jobs = static_cast<unsigned>(n);
        } else if (a == "--shards") {
            const char* v = value("--shards");
            char* end = nullptr;
            unsigned long n = v ? std::strtoul(v, &end, 10) : 0;
            if (!v || *end != '\0' || n == 0 || n > shards::kMaxShards)
                return usage_error("--shards needs a number from 1 to " + std::to_string(shards::kMaxShards));
            n_shards = static_cast<unsigned>(n);
        } else if (a == "--ranking" || a == "--ranking-file") {
            const char* v = value(a.c_str());
            if (!v) return usage_error(a + " needs " + (a == "--ranking" ? "NAME=VALUE" : "a file"));
            Status s = a == "--ranking" ? ranking.set_assignment(v) : ranking.load_file(v);
            if (!s.is_ok()) return usage_error(s.message());
            for (const std::string& name : ranking.given())
                if (!RankingParams::index_time(name))
                    return usage_error(name + " is a query-time ranking parameter: give it to abstrakt-search, abstrakt-serve or abstrakt-eval");
            ranking_given = true;
        } else if (a == "--default-lang") {
            const char* v = value("--default-lang");
            auto tag = v ? lang::canonical_tag(v) : std::nullopt;
            if (!tag) return usage_error("--default-lang needs a language code such as en or de");
            default_lang = *tag;
        } else if (a == "--quiet" || a == "-q") {
            quiet = true;
        } else if (a == "--dry-run") {
            dry_run = true;
        } else if (a == "--replay") {
            replay = true;
        } else if (a == "--config" || a == "--today") {
            const char* v = value(a.c_str());
            if (!v) return usage_error(a + " needs a value");
            (a == "--config" ? config_path : today) = v;
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
    if (n_shards && command != "add" && command != "rebuild") return usage_error("--shards is an option of add and rebuild");
    if (ranking_given && command != "add" && command != "rebuild") return usage_error("--ranking is an option of add and rebuild");
    const std::optional<IndexParams> params = ranking_given ? std::optional<IndexParams>(ranking.index) : std::nullopt;
    if (command == "add") return cmd_add(db, args, batch, jobs, n_shards, params, default_lang, quiet);
    if (command == "delete") return cmd_delete(db, args);
    if (command == "sync") {
        if (!args.empty()) return usage_error("sync takes no arguments besides its options");
        return cmd_sync(db, config_path, dry_run, today);
    }
    if (command == "rebuild") return cmd_rebuild(db, config_path, today, args, default_lang, replay, jobs, n_shards, params);
    if (replay) return usage_error("--replay is an option of rebuild");
    if (command == "export" || command == "digest") {
        if (!args.empty()) return usage_error(command + " takes no arguments");
        return cmd_read_out(db, command);
    }
    if (command == "rollback" || command == "adopt") {
        if (!args.empty()) return usage_error(command + " takes no arguments");
        return cmd_generations(db, command);
    }
    if (command == "stats") {
        if (!args.empty()) return usage_error("stats takes no arguments");
        return cmd_stats(db);
    }
    if (command.empty()) return usage_error("no command given");
    return usage_error("unknown command " + command);
}
