#include "indexer/sync.h"

#include <sys/stat.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/record.h"
#include "indexer/sources/feed.h"

namespace abstrakt {

namespace fs = std::filesystem;

std::string watermark_key(const std::string& source_name) { return "abstrakt.watermark." + source_name; }

std::string next_day(const std::string& day) {
    std::tm tm{};
    tm.tm_year = std::stoi(day.substr(0, 4)) - 1900;
    tm.tm_mon = std::stoi(day.substr(5, 2)) - 1;
    tm.tm_mday = std::stoi(day.substr(8, 2)) + 1;  // timegm normalises the 32nd to the 1st
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
                    std::to_string(updated) + ", unchanged " + std::to_string(unchanged) + ", skipped " +
                    std::to_string(skipped) + ", failed " + std::to_string(failed);
    if (watermark_before != watermark_after)
        s += "; watermark " + (watermark_before.empty() ? std::string("(none)") : watermark_before) + " -> " + watermark_after;
    else if (!watermark_after.empty())
        s += "; watermark " + watermark_after;
    return s;
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

std::string url_encode(const std::string& s) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

// One source's run: fetch, spool, parse, merge, commit with the watermark.
class SourceRun {
  public:
    SourceRun(IndexWriter& writer, const SyncConfig& config, const SourceConfig& source, const SyncOptions& options)
        : writer_(writer), config_(config), src_(source), opt_(options) {
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
    void log(const std::string& line) {
        if (opt_.log) opt_.log(src_.name + ": " + line);
    }
    void failed(const std::string& message) {
        ++report_.failed;
        report_.messages.push_back(message);
        log(message);
    }

    // Keeps a raw response for replay and debugging; failures to spool are reported, not fatal.
    void spool(const std::string& key, const std::string& body) {
        if (config_.spool.empty()) return;
        std::error_code ec;
        fs::path dir = fs::path(config_.spool) / src_.name;
        fs::create_directories(dir, ec);
        std::ofstream out(dir / key, std::ios::binary | std::ios::trunc);
        out.write(body.data(), static_cast<std::streamsize>(body.size()));
        if (!out) report_.messages.push_back("could not write the spool file " + (dir / key).string());
    }

    // Fetches `url`; on failure records it and returns false.
    bool fetch(const std::string& url, const std::string& what, std::string& body) {
        if (opt_.dry_run) {
            log("would fetch " + url);
            return false;
        }
        Result<FetchResponse> r = fetcher_->get(url);
        if (!r.is_ok()) {
            failed(what + ": " + r.message());
            return false;
        }
        body = std::move(r->body);
        ++report_.fetched;
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
        return Status::ok();
    }

    // Commits the data so far together with a new watermark ("" leaves it as it is).
    Status commit(const std::string& watermark) {
        if (!watermark.empty()) {
            if (Status s = writer_.set_metadata(watermark_key(src_.name), watermark); !s.is_ok()) return s;
        }
        if (Status s = writer_.commit(); !s.is_ok()) return s;
        if (!watermark.empty()) report_.watermark_after = watermark;
        return Status::ok();
    }

    // Hugging Face: one request per day after the watermark, through today. A day is committed with
    // the watermark set to it; a day that fails stops the source, so that the watermark never moves
    // past it and the next run starts there.
    Status hf_daily() {
        std::string day = report_.watermark_before.empty() ? src_.start : next_day(report_.watermark_before);
        for (; day <= today_ && !stopped(); day = next_day(day)) {
            std::string url = src_.base + "/api/daily_papers?date=" + day;
            std::string body;
            if (!fetch(url, day, body)) {
                if (opt_.dry_run) continue;
                break;
            }
            spool(day + ".json", body);
            Result<FeedPage> page = parse_hf_daily(body, day);
            if (!page.is_ok()) {
                failed(day + ": " + page.message());
                break;
            }
            if (Status s = apply(page.value(), day); !s.is_ok()) return s;
            if (Status s = commit(day); !s.is_ok()) return s;
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
            if (!fetch(url, what, body)) return Status::ok();
            spool("listrecords-" + from + "-" + today_ + "-" + std::to_string(page_no) + ".xml", body);
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
            if (!fetch(url, what, body)) return Status::ok();
            spool("query-" + std::to_string(start) + ".atom", body);
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
            std::string body;
            if (!fetch(path, path, body)) return Status::ok();
            // The reader takes a file (it also undoes gzip): the spool copy, or a temporary one.
            fs::path dir = config_.spool.empty() ? fs::temp_directory_path() : fs::path(config_.spool) / src_.name;
            std::error_code ec;
            fs::create_directories(dir, ec);
            path = (dir / (config_.spool.empty() ? "abstrakt-jsonl-" + src_.name + ".tmp" : today_ + ".jsonl")).string();
            if (config_.spool.empty()) temp = path;
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            out.write(body.data(), static_cast<std::streamsize>(body.size()));
            if (!out) {
                failed("cannot write " + path);
                return Status::ok();
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
    std::unique_ptr<Fetcher> fetcher_;
    SourceReport report_;
    std::string today_;
};

void clean_spool(const SyncConfig& config) {
    if (config.spool.empty() || config.spool_days < 0) return;
    std::error_code ec;
    const auto limit = fs::file_time_type::clock::now() - std::chrono::hours(24) * config.spool_days;
    for (const auto& entry : fs::recursive_directory_iterator(config.spool, ec))
        if (entry.is_regular_file(ec) && entry.last_write_time(ec) < limit) fs::remove(entry.path(), ec);
}

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
            const std::string where = "source \"" + src.name + "\": ";
            if (!valid_name(src.name)) return config_error(path, where + "\"name\" must be 1 to 40 of a-z, 0-9, - and _");
            for (const SourceConfig& other : c.sources)
                if (other.name == src.name) return config_error(path, where + "the name is used twice");
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
    std::vector<SourceReport> reports;
    for (const SourceConfig& src : config.sources) {
        if (options.stop && options.stop->load()) break;
        Result<SourceReport> r = SourceRun(writer, config, src, options).run();
        if (!r.is_ok()) return r.status();
        reports.push_back(std::move(r.value()));
    }
    if (!options.dry_run) clean_spool(config);
    return reports;
}

}  // namespace abstrakt
