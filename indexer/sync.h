// The nightly job: for each configured source, fetch what is new since its watermark, merge it into
// the index, and move the watermark in the same commit as the data it covers.
//
// The configuration file is documented in docs/sync.md, with an example in scripts/sync.example.json.
#ifndef ABSTRAKT_INDEXER_SYNC_H
#define ABSTRAKT_INDEXER_SYNC_H

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "indexer/fetch.h"
#include "indexer/writer.h"

namespace abstrakt {

struct SourceConfig {
    std::string name;          // [a-z0-9_-], 1 to 40: names the watermark and the spool folder
    std::string type;          // "hf-daily", "oai-pmh", "arxiv-atom" or "jsonl"
    std::string base;          // hf-daily, oai-pmh, arxiv-atom: the service's base URL
    std::string url;           // jsonl: an http(s) URL or a local path
    std::string start;         // hf-daily, oai-pmh: the first day to fetch when there is no watermark
    std::string set;           // oai-pmh: the set to harvest ("cs"), or "" for all
    std::string query;         // arxiv-atom: search_query
    uint64_t page_size = 100;  // arxiv-atom: results per request
    double pause_s = 0;        // between two requests to this source (arXiv asks for 3 s)
    int refresh_days = 0;      // hf-daily: fetch the last N days through today again each run (counters change)
};

struct SyncConfig {
    std::string spool;      // raw responses are kept here, one folder per source; "" keeps none
    int spool_days = 30;    // spooled nights older than this are deleted after a run
    int retry_runs = 7;     // hf-daily: runs that fetch a day that did not parse again before giving up
    FetchOptions fetch;
    std::vector<SourceConfig> sources;

    // Reads a JSON configuration. Relative paths are taken from the file's folder. Errors
    // (kInvalidArgument) name the file and what is wrong in it.
    static Result<SyncConfig> load(const std::string& path);
};

struct SourceReport {
    std::string name;
    uint64_t fetched = 0;    // responses received (whether they parsed or not: see failed)
    uint64_t added = 0, updated = 0, unchanged = 0;
    uint64_t deleted = 0;    // papers the source deleted (OAI-PMH) that were in the index
    uint64_t skipped = 0;    // entries of good responses that were not records
    uint64_t failed = 0;     // requests or responses that failed: retried on the next run
    std::string watermark_before, watermark_after;
    std::vector<std::string> messages;  // what failed and what was skipped, one line each

    // "hf: fetched 3, added 10, updated 2, unchanged 0, deleted 0, skipped 1, failed 0; watermark 2024-05-28 -> 2024-05-30"
    std::string summary() const;
    // Adds the counts and messages of a later run of the same source; the watermark becomes the later one's.
    void add(const SourceReport& later);
};

struct SyncOptions {
    bool dry_run = false;    // list the requests a run would make, fetch and change nothing
    std::string today;       // the last day to fetch, YYYY-MM-DD; "" is today in UTC
    const std::atomic<bool>* stop = nullptr;  // checked between requests
    // Read the responses of night `today` from the configuration's spool instead of the network,
    // and keep nothing (rebuild --replay). A source that kept nothing that night is not run.
    bool replay = false;
    std::function<void(const std::string&)> log;  // progress and dry-run lines
    // Makes the fetcher for a source (tests replace the sleeping); "" uses Fetcher(options).
    std::function<std::unique_ptr<Fetcher>(const FetchOptions&)> make_fetcher;
};

// The metadata keys of a source: its watermark, and (hf-daily) the days to fetch again.
std::string watermark_key(const std::string& source_name);
std::string retry_key(const std::string& source_name);

// The value of a retry list: "DAY:TRIES,DAY:TRIES", oldest day first. Parsing drops entries that do
// not read (a day that is no date, tries that are no number from 0 to 999).
std::map<std::string, int> parse_retry_list(const std::string& value);
std::string format_retry_list(const std::map<std::string, int>& days);

// Runs every source in turn. A source's failure is reported in its SourceReport and does not stop
// the other sources. The result is an error only when the index fails (kUnavailable and the like).
Result<std::vector<SourceReport>> sync_sources(IndexWriter& writer, const SyncConfig& config, const SyncOptions& options);

// Runs again, without the network, the nights kept in the configuration's spool: oldest first, each
// as a sync with `today` set to the night and with the responses kept that night. Nights after
// options.today (when set) are left out. Returns one report per source, the nights added up.
// Errors: kInvalidArgument when the configuration keeps no spool or the spool holds no night; the
// index's errors as sync_sources.
Result<std::vector<SourceReport>> replay_spool(IndexWriter& writer, const SyncConfig& config, const SyncOptions& options);

// Day arithmetic for YYYY-MM-DD strings (valid dates only).
std::string next_day(const std::string& day);
std::string add_days(const std::string& day, int days);  // days may be negative
std::string today_utc();

}  // namespace abstrakt

#endif  // ABSTRAKT_INDEXER_SYNC_H
