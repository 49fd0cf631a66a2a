#include "indexer/sync.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <map>
#include <optional>

#include "common/record.h"
#include "common/schema.h"
#include "indexer/sources/feed.h"
#include "indexer/spool.h"

namespace abstrakt {

namespace fs = std::filesystem;

std::string watermark_key(const std::string& source_name) { return schema::kMetaWatermarkPrefix + source_name; }
std::string retry_key(const std::string& source_name) { return schema::kMetaRetryPrefix + source_name; }

std::map<std::string, int> parse_retry_list(const std::string& value) {
    std::map<std::string, int> out;
    size_t start = 0;
    while (start < value.size()) {
        size_t end = value.find(',', start);
        if (end == std::string::npos) end = value.size();
        const std::string entry = value.substr(start, end - start);
        const size_t colon = entry.find(':');
        if (colon != std::string::npos && valid_date(entry.substr(0, colon))) {
            char* stop = nullptr;
            long tries = std::strtol(entry.c_str() + colon + 1, &stop, 10);
            if (*stop == '\0' && tries >= 0 && tries < 1000) out[entry.substr(0, colon)] = static_cast<int>(tries);
        }
        start = end + 1;
    }
    return out;
}

std::string format_retry_list(const std::map<std::string, int>& days) {
    std::string value;
    for (const auto& [day, tries] : days) value += (value.empty() ? "" : ",") + day + ":" + std::to_string(tries);
    return value;
}

std::string next_day(const std::string& day) { return add_days(day, 1); }

std::string add_days(const std::string& day, int days) {
    std::tm tm{};
    tm.tm_year = std::stoi(day.substr(0, 4)) - 1900;
    tm.tm_mon = std::stoi(day.substr(5, 2)) - 1;
    tm.tm_mday = std::stoi(day.substr(8, 2)) + days;  // timegm normalises the 32nd to the 1st
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    std::tm out{};
    gmtime_r(&t, &out);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &out);
    return buf;
}

std::string today_utc() {
    time_t now = std::time(nullptr);
    std::tm out{};
    gmtime_r(&now, &out);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &out);
    return buf;
}

std::string SourceReport::summary() const {
    std::string s = name + ": fetched " + std::to_string(fetched) + ", added " + std::to_string(added) + ", updated " +
                    std::to_string(updated) + ", unchanged " + std::to_string(unchanged) + ", deleted " +
                    std::to_string(deleted) + ", skipped " +
                    std::to_string(skipped) + ", failed " + std::to_string(failed);
    if (watermark_before != watermark_after)
        s += "; watermark " + (watermark_before.empty() ? std::string("(none)") : watermark_before) + " -> " + watermark_after;
    else if (!watermark_after.empty())
        s += "; watermark " + watermark_after;
    return s;
}

void SourceReport::add(const SourceReport& later) {
    fetched += later.fetched;
    added += later.added;
    updated += later.updated;
    unchanged += later.unchanged;
    deleted += later.deleted;
    skipped += later.skipped;
    failed += later.failed;
    messages.insert(messages.end(), later.messages.begin(), later.messages.end());
    watermark_after = later.watermark_after;
}

namespace {

Status config_error(const std::string& path, const std::string& what) {
    return {ErrorCode::kInvalidArgument, path + ": " + what};
}

bool valid_name(const std::string& n) {
    if (n.empty() || n.size() > 40) return false;
    for (char c : n)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
    return true;
}

// One source's run: fetch, spool, parse, merge, commit with the watermark.
class SourceRun {
  public:
    SourceRun(IndexWriter& writer, const SyncConfig& config, const SourceConfig& source, const SyncOptions& options,
              Spool* spool)
        : writer_(writer), config_(config), src_(source), opt_(options), spool_(spool) {
        FetchOptions fo = config.fetch;
        fo.pause_s = source.pause_s;
        fetcher_ = options.make_fetcher ? options.make_fetcher(fo) : std::make_unique<Fetcher>(fo);
        report_.name = source.name;
    }

    Result<SourceReport> run() {
        Result<std::string> wm = writer_.metadata(watermark_key(src_.name));
        if (!wm.is_ok()) return wm.status();
        report_.watermark_before = report_.watermark_after = wm.value();
        today_ = opt_.today.empty() ? today_utc() : opt_.today;
        if (opt_.replay) {
            if (Status s = bridge_gap(); !s.is_ok()) return s;
        }
        Status s;
        if (src_.type == "hf-daily") s = hf_daily();
        else if (src_.type == "oai-pmh") s = oai_pmh();
        else if (src_.type == "arxiv-atom") s = arxiv_atom();
        else s = jsonl();
        if (!s.is_ok()) return s;
        return report_;
    }

  private:
    bool stopped() const { return opt_.stop && opt_.stop->load(); }

    // Replaying: when the night began from a watermark the replay has not reached (the nights before
    // were deleted from the spool by retention), the records of those nights are not in the new
    // index unless files gave them. Says so, and goes on from where the night began.
    Status bridge_gap() {
        std::optional<Spool::RunStart> start = spool_->start_of(today_, src_.name);
        if (!start || start->watermark.empty() || report_.watermark_before >= start->watermark) return Status::ok();
        report_.messages.push_back("the spool has no nights from " +
                                   (report_.watermark_before.empty() ? std::string("the start") : report_.watermark_before) +
                                   " to " + start->watermark + " (deleted after spool_days?): what they fetched must come from the files given");
        log(report_.messages.back());
        if (Status s = writer_.set_metadata(watermark_key(src_.name), start->watermark); !s.is_ok()) return s;
        if (Status s = writer_.set_metadata(retry_key(src_.name), start->retry); !s.is_ok()) return s;
        report_.watermark_before = report_.watermark_after = start->watermark;
        return Status::ok();
    }
    void log(const std::string& line) {
        if (opt_.log) opt_.log(src_.name + ": " + line);
    }
    void failed(const std::string& message) {
        ++report_.failed;
        report_.messages.push_back(message);
        log(message);
    }

    // Fetches `url` (from the spool when replaying) and keeps the response in the spool as `file`;
    // on failure records it and returns false. `kept` gets the spooled copy's path ("" when none).
    bool fetch(const std::string& url, const std::string& what, const std::string& file, std::string& body,
               std::string* kept = nullptr) {
        if (kept) kept->clear();
        if (opt_.dry_run) {
            log("would fetch " + url);
            return false;
        }
        if (opt_.replay) {
            Result<std::string> path = spool_->find(today_, src_.name, file);
            if (!path.is_ok()) {
                failed(what + ": " + path.message());
                return false;
            }
            std::ifstream in(path.value(), std::ios::binary);
            body.assign(std::istreambuf_iterator<char>(in), {});
            if (!in.good() && !in.eof()) {
                failed(what + ": cannot read " + path.value());
                return false;
            }
            if (kept) *kept = path.value();
            ++report_.fetched;
            return true;
        }
        Result<FetchResponse> r = fetcher_->get(url);
        if (!r.is_ok()) {
            failed(what + ": " + r.message());
            return false;
        }
        body = std::move(r->body);
        ++report_.fetched;
        // Kept for replay and debugging; a failure to keep it is reported, not fatal.
        if (spool_) {
            if (!noted_start_) {
                noted_start_ = true;
                Result<std::string> retry = writer_.metadata(retry_key(src_.name));
                Status s = spool_->note_start(today_, src_.name, {report_.watermark_before, retry.is_ok() ? retry.value() : ""});
                if (!s.is_ok()) report_.messages.push_back(s.message());
            }
            Result<std::string> path = spool_->keep(today_, src_.name, file, url, body);
            if (!path.is_ok()) report_.messages.push_back(path.message());
            else if (kept) *kept = path.value();
        }
        return true;
    }

    // Merges the page's records; returns the writer's error, if any.
    Status apply(const FeedPage& page, const std::string& what) {
        for (const std::string& p : page.problems) {
            ++report_.skipped;
            report_.messages.push_back(what + ": skipped " + p);
            log(report_.messages.back());
        }
        for (const Record& r : page.records) {
            Result<IndexWriter::Change> c = writer_.upsert(r, IndexWriter::Mode::kMerge);
            if (!c.is_ok()) return c.status();
            switch (c.value()) {
                case IndexWriter::Change::kAdded: ++report_.added; break;
                case IndexWriter::Change::kUpdated: ++report_.updated; break;
                case IndexWriter::Change::kUnchanged: ++report_.unchanged; break;
            }
        }
        for (const std::string& id : page.deleted) {
            Result<bool> removed = writer_.remove(id);
            if (!removed.is_ok()) return removed.status();
            if (removed.value()) ++report_.deleted;
        }
        return Status::ok();
    }

    // Commits the data so far together with a new watermark ("" leaves it as it is) and, when given,
    // the retry list.
    Status commit(const std::string& watermark, const std::map<std::string, int>* retry = nullptr) {
        if (!watermark.empty()) {
            if (Status s = writer_.set_metadata(watermark_key(src_.name), watermark); !s.is_ok()) return s;
        }
        if (retry) {
            if (Status s = writer_.set_metadata(retry_key(src_.name), format_retry_list(*retry)); !s.is_ok()) return s;
        }
        if (Status s = writer_.commit(); !s.is_ok()) return s;
        if (!watermark.empty()) report_.watermark_after = watermark;
        return Status::ok();
    }

    // Hugging Face: one request per day after the watermark, through today, each day committed with
    // the watermark set to it.
    // - A request that fails (refused, timed out, 5xx or 429 after the retries) stops the source: the
    //   watermark stays before that day, and the next run starts there.
    // - A day that answers but does not parse is another matter: the API has broken days (runs of 21
    //   days of Python-repr strings, a wrapper object, "no_data"), and stopping at one would stop the
    //   source for good. Such a day goes on the source's retry list (metadata, committed with the
    //   watermark) and the source moves on. Each run first fetches the listed days again; a day that
    //   still does not parse after `retry_runs` runs is given up, and reported as such.
    Status hf_daily() {
        Result<std::string> listed = writer_.metadata(retry_key(src_.name));
        if (!listed.is_ok()) return listed.status();
        std::map<std::string, int> retry = parse_retry_list(listed.value());
        auto url_of = [&](const std::string& day) { return src_.base + "/api/daily_papers?date=" + day; };

        for (auto it = retry.begin(); it != retry.end() && !stopped();) {
            const std::string day = it->first;
            std::string body;
            if (!fetch(url_of(day), day, day + ".json", body)) {
                if (opt_.dry_run) {
                    ++it;
                    continue;
                }
                return Status::ok();  // the network again: the list stays as it is for the next run
            }
            Result<FeedPage> page = parse_hf_daily(body, day);
            if (page.is_ok()) {
                if (Status s = apply(page.value(), day); !s.is_ok()) return s;
                it = retry.erase(it);
            } else if (++it->second > config_.retry_runs) {
                failed(day + ": " + page.message() + "; given up after " + std::to_string(config_.retry_runs) + " retries");
                it = retry.erase(it);
            } else {
                failed(day + ": " + page.message() + "; retry " + std::to_string(it->second) + " of " +
                       std::to_string(config_.retry_runs) + " next run");
                ++it;
            }
            if (Status s = commit("", &retry); !s.is_ok()) return s;
        }

        // The days after the watermark, and the last `refresh_days` through today again: a day is
        // not over when the job runs, and upvotes and comments keep changing.
        std::string day = report_.watermark_before.empty() ? src_.start : next_day(report_.watermark_before);
        if (src_.refresh_days > 0 && !report_.watermark_before.empty())
            day = std::max(src_.start, std::min(day, add_days(today_, 1 - src_.refresh_days)));
        const std::map<std::string, int> retried = retry;  // tried above: not twice in one run
        for (; day <= today_ && !stopped(); day = next_day(day)) {
            if (retried.count(day)) continue;
            std::string body;
            if (!fetch(url_of(day), day, day + ".json", body)) {
                if (opt_.dry_run) continue;
                break;
            }
            Result<FeedPage> page = parse_hf_daily(body, day);
            if (page.is_ok()) {
                if (Status s = apply(page.value(), day); !s.is_ok()) return s;
            } else {
                failed(day + ": " + page.message() + "; fetched again next run");
                retry[day] = 0;
            }
            if (Status s = commit(day, &retry); !s.is_ok()) return s;
        }
        return Status::ok();
    }


    // OAI-PMH: ListRecords from the watermark day through today, page by page along resumption
    // tokens. Pages are committed as they come (upserts are idempotent); the watermark moves to
    // today only when the whole list has arrived.
    Status oai_pmh() {
        const std::string from = report_.watermark_before.empty() ? src_.start : report_.watermark_before;
        std::string url = src_.base + "?verb=ListRecords&metadataPrefix=arXiv&from=" + from + "&until=" + today_ +
                          (src_.set.empty() ? "" : "&set=" + url_encode(src_.set));
        for (int page_no = 1; !stopped(); ++page_no) {
            std::string what = "ListRecords " + from + ".." + today_ + " page " + std::to_string(page_no);
            std::string body;
            char file[96];
            std::snprintf(file, sizeof file, "listrecords-%s-%s-%04d.xml", from.c_str(), today_.c_str(), page_no);
            if (!fetch(url, what, file, body)) return Status::ok();
            Result<FeedPage> page = parse_oai_pmh(body);
            if (!page.is_ok()) {
                failed(what + ": " + page.message());
                return Status::ok();
            }
            if (Status s = apply(page.value(), what); !s.is_ok()) return s;
            if (page->resumption_token.empty()) return commit(today_);
            if (Status s = commit(""); !s.is_ok()) return s;
            url = src_.base + "?verb=ListRecords&resumptionToken=" + url_encode(page->resumption_token);
        }
        return Status::ok();
    }

    // arXiv API: the configured search, page by page, in order of submission. The whole result list
    // is read each run (a search is bounded by its query); the watermark records the day of the last
    // complete run.
    Status arxiv_atom() {
        const uint64_t size = std::max<uint64_t>(1, src_.page_size);
        for (uint64_t start = 0; !stopped(); start += size) {
            std::string url = src_.base + "?search_query=" + url_encode(src_.query) + "&start=" + std::to_string(start) +
                              "&max_results=" + std::to_string(size) + "&sortBy=submittedDate&sortOrder=ascending";
            std::string what = "results from " + std::to_string(start);
            std::string body;
            if (!fetch(url, what, "query-" + std::to_string(start) + ".atom", body)) return Status::ok();
            Result<FeedPage> page = parse_arxiv_atom(body);
            if (!page.is_ok()) {
                failed(what + ": " + page.message());
                return Status::ok();
            }
            if (Status s = apply(page.value(), what); !s.is_ok()) return s;
            const bool last = page->records.empty() && page->problems.empty();
            if (last || start + size >= page->total_results) return commit(today_);
            if (Status s = commit(""); !s.is_ok()) return s;
        }
        return Status::ok();
    }

    // JSON Lines in the record format, from a URL or a file, merged record by record.
    Status jsonl() {
        std::string path = src_.url;
        std::string temp;
        if (path.rfind("http://", 0) == 0 || path.rfind("https://", 0) == 0) {
            std::string body, kept;
            if (!fetch(path, path, "export.jsonl", body, &kept)) return Status::ok();
            // The reader takes a file (it also undoes gzip): the spooled copy, or a temporary one.
            if (!kept.empty()) {
                path = kept;
            } else {
                path = temp = (fs::temp_directory_path() / ("abstrakt-jsonl-" + std::to_string(::getpid()) + "-" + src_.name)).string();
                std::ofstream out(path, std::ios::binary | std::ios::trunc);
                out.write(body.data(), static_cast<std::streamsize>(body.size()));
                if (!out) {
                    failed("cannot write " + path);
                    fs::remove(temp);
                    return Status::ok();
                }
            }
        } else if (opt_.dry_run) {
            log("would read " + path);
            return Status::ok();
        } else {
            ++report_.fetched;
        }
        Status result = read_jsonl(path);
        if (!temp.empty()) fs::remove(temp);
        return result;
    }

    Status read_jsonl(const std::string& path) {
        auto reader = RecordReader::open(path);
        if (!reader.is_ok()) {
            failed(reader.message());
            return Status::ok();
        }
        FeedPage page;
        Record rec;
        std::string error;
        while (!stopped()) {
            RecordReader::Outcome o = reader.value()->next(rec, error);
            if (o == RecordReader::Outcome::kEnd) break;
            if (o == RecordReader::Outcome::kRecord) page.records.push_back(std::move(rec));
            else if (o == RecordReader::Outcome::kMalformed) page.problems.push_back(error);
            else if (o == RecordReader::Outcome::kReadError) {
                failed(error);
                return Status::ok();  // a file cut short is not applied at all: the next run retries it
            }
        }
        if (stopped()) return Status::ok();
        if (Status s = apply(page, src_.name); !s.is_ok()) return s;
        return commit(today_);
    }

    IndexWriter& writer_;
    const SyncConfig& config_;
    const SourceConfig& src_;
    const SyncOptions& opt_;
    Spool* spool_;  // null when the configuration keeps no spool
    bool noted_start_ = false;
    std::unique_ptr<Fetcher> fetcher_;
    SourceReport report_;
    std::string today_;
};

}  // namespace

Result<SyncConfig> SyncConfig::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(ErrorCode::kNotFound, path + ": cannot read the configuration");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        return config_error(path, std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object()) return config_error(path, "the configuration must be a JSON object");
    const fs::path dir = fs::absolute(fs::path(path)).parent_path();
    SyncConfig c;
    try {
        if (j.contains("spool") && !j["spool"].is_null()) {
            fs::path spool = j["spool"].get<std::string>();
            c.spool = (spool.is_relative() ? dir / spool : spool).string();
        }
        c.spool_days = j.value("spool_days", 30);
        c.retry_runs = j.value("retry_runs", c.retry_runs);
        if (c.retry_runs < 0 || c.retry_runs > 100) return config_error(path, "\"retry_runs\" must be from 0 to 100");
        if (j.contains("fetch")) {
            const auto& f = j["fetch"];
            c.fetch.timeout_s = f.value("timeout_s", c.fetch.timeout_s);
            c.fetch.connect_timeout_s = f.value("connect_timeout_s", c.fetch.connect_timeout_s);
            c.fetch.max_bytes = f.value("max_bytes", c.fetch.max_bytes);
            c.fetch.max_attempts = f.value("max_attempts", c.fetch.max_attempts);
            c.fetch.backoff_s = f.value("backoff_s", c.fetch.backoff_s);
            c.fetch.max_backoff_s = f.value("max_backoff_s", c.fetch.max_backoff_s);
        }
        if (!j.contains("sources") || !j["sources"].is_array() || j["sources"].empty())
            return config_error(path, "\"sources\" must be a non-empty array");
        for (const auto& s : j["sources"]) {
            SourceConfig src;
            src.name = s.value("name", "");
            src.type = s.value("type", "");
            src.base = s.value("base", "");
            src.url = s.value("url", "");
            src.start = s.value("start", "");
            src.set = s.value("set", "");
            src.query = s.value("query", "");
            src.page_size = s.value("page_size", src.page_size);
            src.pause_s = s.value("pause_s", 0.0);
            src.refresh_days = s.value("refresh_days", 0);
            const std::string where = "source \"" + src.name + "\": ";
            if (!valid_name(src.name)) return config_error(path, where + "\"name\" must be 1 to 40 of a-z, 0-9, - and _");
            for (const SourceConfig& other : c.sources)
                if (other.name == src.name) return config_error(path, where + "the name is used twice");
            if (src.refresh_days < 0 || src.refresh_days > 60 || (src.refresh_days > 0 && src.type != "hf-daily"))
                return config_error(path, where + "\"refresh_days\" is for hf-daily sources, from 0 to 60");
            if (src.type == "hf-daily" || src.type == "oai-pmh") {
                if (src.base.empty()) return config_error(path, where + "needs \"base\"");
                if (!valid_date(src.start)) return config_error(path, where + "needs \"start\", a date YYYY-MM-DD");
            } else if (src.type == "arxiv-atom") {
                if (src.base.empty() || src.query.empty()) return config_error(path, where + "needs \"base\" and \"query\"");
            } else if (src.type == "jsonl") {
                if (src.url.empty()) return config_error(path, where + "needs \"url\"");
                if (src.url.rfind("http", 0) != 0 && fs::path(src.url).is_relative()) src.url = (dir / src.url).string();
            } else {
                return config_error(path, where + "\"type\" must be hf-daily, oai-pmh, arxiv-atom or jsonl");
            }
            c.sources.push_back(std::move(src));
        }
    } catch (const nlohmann::json::exception& e) {
        return config_error(path, std::string("a value has the wrong type: ") + e.what());
    }
    return c;
}

Result<std::vector<SourceReport>> sync_sources(IndexWriter& writer, const SyncConfig& config, const SyncOptions& options) {
    std::optional<Spool> spool;
    if (!config.spool.empty()) spool.emplace(config.spool);
    if (options.replay && !spool) return Status(ErrorCode::kInvalidArgument, "the configuration keeps no spool to replay");
    const std::string today = options.today.empty() ? today_utc() : options.today;
    std::vector<SourceReport> reports;
    for (const SourceConfig& src : config.sources) {
        if (options.stop && options.stop->load()) break;
        // Replaying, a source that kept nothing that night fetched nothing then (a file is read again).
        const bool from_network = src.type != "jsonl" || src.url.rfind("http", 0) == 0;
        if (options.replay && from_network && !spool->has(today, src.name)) continue;
        Result<SourceReport> r = SourceRun(writer, config, src, options, spool ? &*spool : nullptr).run();
        if (!r.is_ok()) return r.status();
        reports.push_back(std::move(r.value()));
    }
    if (spool && !options.dry_run && !options.replay) spool->expire(today, config.spool_days);
    return reports;
}

Result<std::vector<SourceReport>> replay_spool(IndexWriter& writer, const SyncConfig& config, const SyncOptions& options) {
    if (config.spool.empty()) return Status(ErrorCode::kInvalidArgument, "the configuration keeps no spool to replay");
    std::vector<std::string> nights = Spool(config.spool).nights();
    if (!options.today.empty())
        nights.erase(std::remove_if(nights.begin(), nights.end(), [&](const std::string& n) { return n > options.today; }),
                     nights.end());
    if (nights.empty()) return Status(ErrorCode::kInvalidArgument, "the spool " + config.spool + " holds no night to replay");
    std::vector<SourceReport> totals;
    for (const std::string& night : nights) {
        if (options.stop && options.stop->load()) break;
        SyncOptions o = options;
        o.today = night;
        o.replay = true;
        if (o.log) o.log("replaying the night of " + night);
        Result<std::vector<SourceReport>> r = sync_sources(writer, config, o);
        if (!r.is_ok()) return r.status();
        for (const SourceReport& rep : r.value()) {
            auto t = std::find_if(totals.begin(), totals.end(), [&](const SourceReport& x) { return x.name == rep.name; });
            if (t == totals.end()) totals.push_back(rep);
            else t->add(rep);
        }
    }
    return totals;
}

}  // namespace abstrakt
