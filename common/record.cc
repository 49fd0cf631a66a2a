#include "common/record.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <unordered_map>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "common/analysis.h"
#include "common/lang.h"

namespace abstrakt {

namespace {

using Json = nlohmann::ordered_json;  // keeps language maps in input order: the first title is the original

Status invalid(std::string message) { return {ErrorCode::kInvalidArgument, std::move(message)}; }

// Position of the first invalid UTF-8 byte, or npos.
size_t first_invalid_utf8(std::string_view s) {
    size_t lo = 0, hi = s.size();
    if (valid_utf8(s)) return std::string_view::npos;
    // Narrow down by halves; lines are short enough that this stays cheap.
    while (hi - lo > 4) {
        size_t mid = lo + (hi - lo) / 2;
        while (mid > lo && (static_cast<unsigned char>(s[mid]) & 0xC0) == 0x80) --mid;
        if (mid == lo) break;
        if (valid_utf8(s.substr(lo, mid - lo)))
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

Status parse_lang_map(const Json& v, const char* field, const ParseOptions& options, std::vector<LangText>& out) {
    if (v.is_null()) return Status::ok();
    if (v.is_string()) {
        // A bare string: the language is not given. Decide it from the script, else the default.
        const std::string& text = v.get_ref<const std::string&>();
        if (!text.empty()) out.push_back({lang::detect_from_script(text, options.default_lang), text});
        return Status::ok();
    }
    if (!v.is_object())
        return invalid(std::string("\"") + field + "\" must be an object mapping language codes to text, or a string");
    for (const auto& [key, text] : v.items()) {
        auto tag = lang::canonical_tag(key);
        if (!tag) return invalid(std::string("\"") + field + "\" has an unknown or invalid language code \"" + key + "\"");
        if (text.is_null()) continue;
        if (!text.is_string())
            return invalid(std::string("\"") + field + "." + key + "\" must be a string");
        for (const auto& existing : out)
            if (existing.lang == *tag)
                return invalid(std::string("\"") + field + "\" has language \"" + *tag + "\" twice");
        const std::string& s = text.get_ref<const std::string&>();
        if (!s.empty()) out.push_back({*tag, s});
    }
    return Status::ok();
}

// Categories as the sources give them, cleaned: the arXiv corpus lists ACM and MSC classes beside the
// arXiv categories, often several in one string ("I.4.8; I.5.4; I.2.10", "68T07 (Primary), 68T45"),
// and now and then free text ("Artificial intelligence"); such values made junk facets. Each string
// is split at ',', ';' and white space, and only the pieces that are arXiv categories are kept, each
// once, in order. In the shared corpus of 144,395 papers, 3,584 had such values, always after their
// arXiv categories; none has an arXiv category only inside a list.
void clean_categories(std::vector<std::string>& cats) {
    std::vector<std::string> out;
    for (const std::string& value : cats) {
        size_t start = 0;
        while (start < value.size()) {
            const size_t end = value.find_first_of(",; \t\r\n\f\v", start);
            const std::string piece = value.substr(start, end == std::string::npos ? std::string::npos : end - start);
            start = end == std::string::npos ? value.size() : end + 1;
            if (is_arxiv_category(piece) && std::find(out.begin(), out.end(), piece) == out.end()) out.push_back(piece);
        }
    }
    cats = std::move(out);
}

Status parse_string_list(const Json& v, const char* field, std::vector<std::string>& out) {
    if (v.is_null()) return Status::ok();
    if (!v.is_array()) return invalid(std::string("\"") + field + "\" must be an array of strings");
    for (const auto& item : v) {
        if (!item.is_string()) return invalid(std::string("\"") + field + "\" must be an array of strings");
        const std::string& s = item.get_ref<const std::string&>();
        if (!s.empty()) out.push_back(s);
    }
    return Status::ok();
}

Status parse_counter(const Json& v, const char* field, std::optional<int64_t>& out) {
    if (v.is_null()) return Status::ok();
    if (v.is_number_unsigned()) {
        uint64_t n = v.get<uint64_t>();
        if (n > static_cast<uint64_t>(INT64_MAX)) return invalid(std::string("\"") + field + "\" is too large");
        out = static_cast<int64_t>(n);
        return Status::ok();
    }
    if (v.is_number_integer()) {
        int64_t n = v.get<int64_t>();
        if (n < 0) return invalid(std::string("\"") + field + "\" must not be negative");
        out = n;
        return Status::ok();
    }
    return invalid(std::string("\"") + field + "\" must be a non-negative integer");
}

bool all_digits(std::string_view s) {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

}  // namespace

bool is_arxiv_category(std::string_view s) {
    // arXiv's archives (arxiv.org/category_taxonomy), and those merged into others since, which old
    // papers still carry.
    static constexpr std::string_view kArchives[] = {
        "astro-ph", "cond-mat", "cs",       "econ",     "eess",     "gr-qc",    "hep-ex",  "hep-lat", "hep-ph",
        "hep-th",   "math",     "math-ph",  "nlin",     "nucl-ex",  "nucl-th",  "physics", "q-bio",   "q-fin",
        "quant-ph", "stat",     "acc-phys", "adap-org", "alg-geom", "ao-sci",   "atom-ph", "bayes-an", "chao-dyn",
        "chem-ph",  "cmp-lg",   "comp-gas", "dg-ga",    "funct-an", "mtrl-th",  "patt-sol", "plasm-ph", "q-alg",
        "solv-int", "supr-con"};
    const size_t dot = s.find('.');
    if (std::find(std::begin(kArchives), std::end(kArchives), s.substr(0, dot)) == std::end(kArchives)) return false;
    if (dot == std::string_view::npos) return true;
    const std::string_view subject = s.substr(dot + 1);
    if (subject.empty() || subject.front() == '-' || subject.back() == '-') return false;
    for (char c : subject)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')) return false;
    return true;
}

bool valid_date(std::string_view d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
    std::string_view ys = d.substr(0, 4), ms = d.substr(5, 2), ds = d.substr(8, 2);
    if (!all_digits(ys) || !all_digits(ms) || !all_digits(ds)) return false;
    int y = std::stoi(std::string(ys)), m = std::stoi(std::string(ms)), day = std::stoi(std::string(ds));
    if (y < 1000 || m < 1 || m > 12 || day < 1) return false;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
    return day <= max;
}

const LangText* Record::find(const std::vector<LangText>& field, std::string_view l) {
    for (const auto& lt : field)
        if (lt.lang == l) return &lt;
    for (const auto& lt : field)
        if (lang::primary(lt.lang) == l) return &lt;
    return nullptr;
}

Result<Record> parse_record(std::string_view line, const ParseOptions& options) {
    if (size_t bad = first_invalid_utf8(line); bad != std::string_view::npos)
        return invalid("invalid UTF-8 near byte " + std::to_string(bad + 1));
    Json j;
    try {
        j = Json::parse(line);
    } catch (const Json::parse_error& e) {
        // e.what() starts with "[json.exception.parse_error.101] "; the rest is the useful part.
        std::string what = e.what();
        if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
        return invalid("not valid JSON: " + what);
    }
    if (!j.is_object()) return invalid("a record must be a JSON object");

    Record r;
    auto get = [&](const char* key) -> const Json& {
        static const Json kNull;
        auto it = j.find(key);
        return it == j.end() ? kNull : *it;
    };
    const Json& id = get("id");
    if (id.is_null()) return invalid("missing \"id\"");
    if (!id.is_string()) return invalid("\"id\" must be a string");
    r.id = id.get<std::string>();
    if (r.id.empty()) return invalid("\"id\" is empty");
    if (r.id.size() > 200) return invalid("\"id\" is longer than 200 bytes");
    for (unsigned char c : r.id)
        if (c < 0x20) return invalid("\"id\" contains a control character");

    if (Status s = parse_lang_map(get("title"), "title", options, r.title); !s.is_ok()) return s;
    if (r.title.empty()) return invalid("missing \"title\": a record needs at least one non-empty title");
    if (Status s = parse_lang_map(get("abstract"), "abstract", options, r.abstract); !s.is_ok()) return s;
    if (Status s = parse_string_list(get("authors"), "authors", r.authors); !s.is_ok()) return s;
    if (Status s = parse_string_list(get("categories"), "categories", r.categories); !s.is_ok()) return s;
    clean_categories(r.categories);

    const Json& published = get("published");
    if (!published.is_null()) {
        if (!published.is_string()) return invalid("\"published\" must be a date string YYYY-MM-DD");
        std::string d = published.get<std::string>();
        // An ISO date-time ("2024-02-29T17:00:00Z") is accepted for its date.
        if (d.size() > 10 && (d[10] == 'T' || d[10] == ' ')) d.resize(10);
        if (!valid_date(d)) return invalid("\"published\" is not a date (YYYY-MM-DD): \"" + published.get<std::string>() + "\"");
        r.published = d;
    }
    if (Status s = parse_counter(get("upvotes"), "upvotes", r.upvotes); !s.is_ok()) return s;
    if (Status s = parse_counter(get("comments"), "comments", r.comments); !s.is_ok()) return s;
    const Json& url = get("url");
    if (!url.is_null()) {
        if (!url.is_string()) return invalid("\"url\" must be a string");
        r.url = url.get<std::string>();
    }
    return r;
}

Record merge_records(const Record& stored, const Record& update) {
    Record out = stored;
    auto merge_field = [](std::vector<LangText>& into, const std::vector<LangText>& from) {
        for (const LangText& lt : from) {
            auto same = std::find_if(into.begin(), into.end(), [&](const LangText& x) { return x.lang == lt.lang; });
            if (same != into.end())
                same->text = lt.text;
            else
                into.push_back(lt);
        }
    };
    merge_field(out.title, update.title);
    merge_field(out.abstract, update.abstract);
    if (!update.authors.empty()) out.authors = update.authors;
    if (!update.categories.empty()) out.categories = update.categories;
    if (!update.published.empty()) out.published = update.published;
    if (update.upvotes) out.upvotes = update.upvotes;
    if (update.comments) out.comments = update.comments;
    if (!update.url.empty()) out.url = update.url;
    return out;
}

std::string to_json(const Record& r) {
    Json j;
    j["id"] = r.id;
    auto lang_map = [](const std::vector<LangText>& field) {
        Json m = Json::object();
        for (const auto& lt : field) m[lt.lang] = lt.text;
        return m;
    };
    j["title"] = lang_map(r.title);
    if (!r.abstract.empty()) j["abstract"] = lang_map(r.abstract);
    if (!r.authors.empty()) j["authors"] = r.authors;
    if (!r.categories.empty()) j["categories"] = r.categories;
    if (!r.published.empty()) j["published"] = r.published;
    if (r.upvotes) j["upvotes"] = *r.upvotes;
    if (r.comments) j["comments"] = *r.comments;
    if (!r.url.empty()) j["url"] = r.url;
    return j.dump();
}

namespace {

// A language code as to_json writes it, and one that parse_record takes as it is: kept per thread,
// since the same few come with every record and lang::canonical_tag asks ICU each time.
bool canonical_code(std::string_view key) {
    thread_local std::unordered_map<std::string, bool> known;
    auto it = known.find(std::string(key));
    if (it != known.end()) return it->second;
    if (known.size() > 1000) known.clear();
    const auto tag = lang::canonical_tag(key);
    return known.emplace(std::string(key), tag && *tag == key).first->second;
}

// The canonical JSON of a record (to_json, as the index stores it) read with simdjson, which does it
// about ten times faster than nlohmann: a page of ten hits read ten records, 2.4 M instructions of a
// search's 20 M (docs/performance.md). Anything to_json would not have written (a field of another
// type, a duplicate key, an unknown field or language code, an empty string, an unclean value) gives
// nullopt, and parse_record, the one judge of what a record is, reads the text instead.
std::optional<Record> read_canonical(std::string_view json) {
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::dom::object object;
    if (parser.parse(json.data(), json.size()).get(doc) || doc.get_object().get(object)) return std::nullopt;
    Record r;
    unsigned seen = 0;
    auto once = [&seen](unsigned bit) { return !(seen & bit) && (seen |= bit); };
    auto lang_map = [](simdjson::dom::element v, std::vector<LangText>& out) {
        simdjson::dom::object m;
        if (v.get_object().get(m)) return false;
        for (auto [key, value] : m) {
            std::string_view text;
            if (value.get_string().get(text) || text.empty() || !canonical_code(key)) return false;
            for (const LangText& lt : out)
                if (lt.lang == key) return false;
            out.push_back({std::string(key), std::string(text)});
        }
        return true;
    };
    auto list = [](simdjson::dom::element v, std::vector<std::string>& out) {
        simdjson::dom::array a;
        if (v.get_array().get(a)) return false;
        for (simdjson::dom::element item : a) {
            std::string_view s;
            if (item.get_string().get(s) || s.empty()) return false;
            out.emplace_back(s);
        }
        return true;
    };
    auto counter = [](simdjson::dom::element v, std::optional<int64_t>& out) {
        int64_t n = 0;
        if (v.get_int64().get(n) || n < 0) return false;
        out = n;
        return true;
    };
    for (auto [key, value] : object) {
        std::string_view s;
        bool ok = false;
        if (key == "id") {
            ok = once(1) && !value.get_string().get(s) && !s.empty() && s.size() <= 200 &&
                 std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
            r.id = s;
        } else if (key == "title") {
            ok = once(2) && lang_map(value, r.title);
        } else if (key == "abstract") {
            ok = once(4) && lang_map(value, r.abstract);
        } else if (key == "authors") {
            ok = once(8) && list(value, r.authors);
        } else if (key == "categories") {
            ok = once(16) && list(value, r.categories);
        } else if (key == "published") {
            ok = once(32) && !value.get_string().get(s) && valid_date(s);
            r.published = s;
        } else if (key == "upvotes") {
            ok = once(64) && counter(value, r.upvotes);
        } else if (key == "comments") {
            ok = once(128) && counter(value, r.comments);
        } else if (key == "url") {
            ok = once(256) && !value.get_string().get(s);
            r.url = s;
        }
        if (!ok) return std::nullopt;
    }
    if (r.id.empty() || r.title.empty()) return std::nullopt;
    const std::vector<std::string> categories = r.categories;
    clean_categories(r.categories);
    if (r.categories != categories) return std::nullopt;
    return r;
}

}  // namespace

Result<Record> from_json(std::string_view json) {
    if (std::optional<Record> r = read_canonical(json)) return std::move(*r);
    return parse_record(json);
}

// ---- Stored form ----

namespace {

// zstd's level 3 (its default): the 20k bench slice's document data is 37.0 MB, 7% more than glass's
// zlib made it (34.5 MB), and indexing it took as long (docs/performance.md).
constexpr int kStoredLevel = 3;
// A record is at most a few hundred kilobytes; more is not a record this program stored.
constexpr unsigned long long kMaxStoredJson = 64ull << 20;

bool is_zstd_frame(std::string_view data) {
    return data.size() >= 4 && static_cast<unsigned char>(data[0]) == 0x28 && static_cast<unsigned char>(data[1]) == 0xB5 &&
           static_cast<unsigned char>(data[2]) == 0x2F && static_cast<unsigned char>(data[3]) == 0xFD;
}

}  // namespace

std::string to_stored(const Record& record) {
    const std::string json = to_json(record);
    // One compression context per thread (ZSTD_compress makes one for every call).
    thread_local std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> ctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
    std::string out(ZSTD_compressBound(json.size()), '\0');
    const size_t n = ZSTD_compressCCtx(ctx.get(), out.data(), out.size(), json.data(), json.size(), kStoredLevel);
    if (ZSTD_isError(n)) return json;  // cannot happen with a bound-sized buffer; plain JSON reads back too
    out.resize(n);
    return out;
}

Result<std::string> stored_json(std::string_view data) {
    if (!is_zstd_frame(data)) {
        if (!data.empty() && data.front() == '{') return std::string(data);
        return Status(ErrorCode::kInvalidArgument, "stored data is neither zstd nor JSON");
    }
    const unsigned long long size = ZSTD_getFrameContentSize(data.data(), data.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxStoredJson)
        return Status(ErrorCode::kInvalidArgument, "stored data is not one zstd frame of a record");
    // One decompression context per thread (ZSTD_decompress makes one for every call).
    thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
    std::string json(static_cast<size_t>(size), '\0');
    const size_t n = ZSTD_decompressDCtx(ctx.get(), json.data(), json.size(), data.data(), data.size());
    if (ZSTD_isError(n) || n != json.size())
        return Status(ErrorCode::kInvalidArgument, std::string("stored data does not decompress: ") + (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short"));
    return json;
}

Result<Record> from_stored(std::string_view data) {
    Result<std::string> json = stored_json(data);
    if (!json.is_ok()) return json.status();
    return from_json(json.value());
}

// ---- RecordReader ----

struct RecordReader::Inflater {
    z_stream zs{};
    bool in_member = false;  // inside a gzip member (between its header and its end)
    Inflater() { inflateInit2(&zs, 15 + 16); }  // gzip wrapper only
    ~Inflater() { inflateEnd(&zs); }
};

RecordReader::RecordReader() = default;

RecordReader::~RecordReader() {
    if (own_fd_ && fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<RecordReader>> RecordReader::open(const std::string& path, ParseOptions options) {
    std::unique_ptr<RecordReader> r(new RecordReader());
    r->path_ = path;
    r->options_ = std::move(options);
    if (path == "-") {
        r->fd_ = STDIN_FILENO;
        return r;
    }
    struct stat st {};
    if (stat(path.c_str(), &st) != 0)
        return Status(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kUnavailable, path + ": " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) return Status(ErrorCode::kInvalidArgument, path + ": is a directory");
    r->total_bytes_ = S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
    r->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (r->fd_ < 0) return Status(ErrorCode::kUnavailable, path + ": " + std::strerror(errno));
    r->own_fd_ = true;
    return r;
}

RecordReader::Fill RecordReader::fill() {
    char buf[1 << 16];
    const bool need_raw = !sniffed_ || !inflater_ || inflater_->zs.avail_in == 0;
    bool raw_eof = false;
    if (need_raw) {
        ssize_t n = ::read(fd_, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) return Fill::kInterrupted;
            read_error_ = std::strerror(errno);
            return Fill::kError;
        }
        raw_eof = n == 0;
        raw_bytes_ += static_cast<uint64_t>(n);
        if (inflater_) {
            // Keep the bytes zlib has not consumed yet in raw_, followed by the new ones.
            raw_.erase(0, raw_.size() - inflater_->zs.avail_in);
        }
        raw_.append(buf, static_cast<size_t>(n));
    }
    if (!sniffed_) {
        if (raw_.size() < 2 && !raw_eof) return Fill::kMore;  // wait for the magic number
        sniffed_ = true;
        if (raw_.size() >= 2 && static_cast<unsigned char>(raw_[0]) == 0x1f && static_cast<unsigned char>(raw_[1]) == 0x8b)
            inflater_ = std::make_unique<Inflater>();
    }
    if (!inflater_) {
        pending_ += raw_;
        raw_.clear();
        return raw_eof ? Fill::kEnd : Fill::kMore;
    }
    z_stream& zs = inflater_->zs;
    zs.next_in = reinterpret_cast<Bytef*>(raw_.data() + (raw_.size() - (need_raw ? raw_.size() : zs.avail_in)));
    if (need_raw) zs.avail_in = static_cast<uInt>(raw_.size());
    if (zs.avail_in == 0) {
        if (!raw_eof) return Fill::kMore;
        if (inflater_->in_member) {
            read_error_ = "unexpected end of gzip data (the file is truncated)";
            return Fill::kError;
        }
        return Fill::kEnd;
    }
    // Inflate until the input is used up and zlib has no more output for now (a full output buffer
    // means there may be more).
    do {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        if (zs.avail_in > 0) inflater_->in_member = true;
        int rc = inflate(&zs, Z_NO_FLUSH);
        pending_.append(buf, sizeof buf - zs.avail_out);
        if (rc == Z_STREAM_END) {
            // The end of one gzip member; another may follow ("cat a.gz b.gz").
            inflater_->in_member = false;
            inflateReset(&zs);
            if (zs.avail_in == 0) break;
            continue;
        }
        if (rc == Z_BUF_ERROR) break;  // no progress without more input
        if (rc != Z_OK) {
            read_error_ = std::string("corrupt gzip data: ") + (zs.msg ? zs.msg : "inflate failed");
            return Fill::kError;
        }
    } while (zs.avail_out == 0 || zs.avail_in > 0);
    return Fill::kMore;
}

RecordReader::Outcome RecordReader::next(Record& record, std::string& error) {
    while (true) {
        size_t nl = pending_.find('\n', scan_from_);
        if (nl == std::string::npos && !eof_) {
            scan_from_ = pending_.size();
            if (!discarding_ && pending_.size() > kMaxLineBytes) {
                discarding_ = true;  // report it when its end arrives; keep no more of it
            }
            if (discarding_) {
                pending_.clear();
                scan_from_ = 0;
            }
            Fill f = fill();
            if (f == Fill::kInterrupted) return Outcome::kInterrupted;
            if (f == Fill::kError) {
                eof_ = true;
                pending_.clear();
                error = path_ + ":" + std::to_string(line_ + 1) + ": read error: " + read_error_;
                return Outcome::kReadError;
            }
            if (f == Fill::kEnd) eof_ = true;
            continue;
        }
        if (nl == std::string::npos && pending_.empty() && !discarding_) return Outcome::kEnd;
        // A whole line: up to the newline, or the rest of the input.
        size_t end = nl == std::string::npos ? pending_.size() : nl;
        std::string text = pending_.substr(0, end);
        pending_.erase(0, nl == std::string::npos ? end : end + 1);
        scan_from_ = 0;
        ++line_;
        if (discarding_ || text.size() > kMaxLineBytes) {
            discarding_ = false;
            error = path_ + ":" + std::to_string(line_) + ": line longer than " + std::to_string(kMaxLineBytes >> 20) + " MiB";
            return Outcome::kMalformed;
        }
        std::string_view view = text;
        if (line_ == 1 && view.substr(0, 3) == "\xEF\xBB\xBF") view.remove_prefix(3);
        while (!view.empty() && (view.back() == '\r' || view.back() == ' ' || view.back() == '\t')) view.remove_suffix(1);
        if (view.find_first_not_of(" \t") == std::string_view::npos) continue;
        Result<Record> r = parse_record(view, options_);
        if (!r.is_ok()) {
            error = path_ + ":" + std::to_string(line_) + ": " + r.message();
            return Outcome::kMalformed;
        }
        record = std::move(r.value());
        return Outcome::kRecord;
    }
}

}  // namespace abstrakt
