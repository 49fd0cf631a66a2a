// The spool: the raw responses that `sync` fetched, kept night by night so that `rebuild --replay`
// can run the same nights again without the network (docs/sync.md).
//
// Layout: SPOOL/NIGHT/SOURCE/ holds the bodies (FILE names say what they are: a day, a page),
// `requests.jsonl`, one line per response kept: {"url": URL, "file": FILE}, and `start.json`, the
// source's watermark and retry list when its first run of the night began. NIGHT is the day the job
// ran for (its `--today`), so that replaying the nights in order, and the sources of a night in the
// configuration's order, repeats what the job did.
//
// Crash safety: a body is written to a temporary file and renamed into place before its line is
// appended to requests.jsonl; a process killed half-way leaves at most an unlisted file or a last
// line cut short, which readers ignore. Not thread-safe: one job writes the spool at a time (the
// job lock in abstrakt-index sees to that).
#ifndef ABSTRAKT_INDEXER_SPOOL_H
#define ABSTRAKT_INDEXER_SPOOL_H

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace abstrakt {

class Spool {
  public:
    explicit Spool(std::string dir) : dir_(std::move(dir)) {}
    const std::string& dir() const { return dir_; }

    // Keeps `body`, the answer to `url`, as NIGHT/SOURCE/FILE (replacing an earlier one of that name)
    // and returns its path. Errors: kUnavailable when the file cannot be written.
    Result<std::string> keep(const std::string& night, const std::string& source, const std::string& file,
                             const std::string& url, std::string_view body);

    // The nights on disk (folders named YYYY-MM-DD), oldest first.
    std::vector<std::string> nights() const;
    // Whether SOURCE kept anything on NIGHT.
    bool has(const std::string& night, const std::string& source) const;
    // The path of the body kept as FILE on NIGHT by SOURCE, or kNotFound when there is none or it is
    // not listed in requests.jsonl (not known to be whole). Looked up by file name, not by URL, so
    // that a source's base URL may change between the night and the replay.
    Result<std::string> find(const std::string& night, const std::string& source, const std::string& file) const;

    // What a source's run started from on NIGHT: its watermark and retry list then. Written once per
    // night and source (the first run's), so that a replay can tell a gap in the spool (nights
    // deleted by retention) from a night that fetched nothing.
    struct RunStart {
        std::string watermark, retry;
    };
    Status note_start(const std::string& night, const std::string& source, const RunStart& start);
    std::optional<RunStart> start_of(const std::string& night, const std::string& source) const;

    // Deletes the nights more than `days` days before `today` (days < 0 keeps everything).
    void expire(const std::string& today, int days) const;

  private:
    std::string dir_;
    // Cache of requests.jsonl, by night/source: file -> url.
    mutable std::map<std::string, std::map<std::string, std::string>> index_;
};

}  // namespace abstrakt

#endif  // ABSTRAKT_INDEXER_SPOOL_H
