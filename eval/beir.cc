#include "eval/beir.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

namespace abstrakt::eval {

namespace {

namespace fs = std::filesystem;

// Reads `path` line by line: f(line_number, line) for each non-blank line, with the byte order mark
// and a final carriage return taken off.
template <class F>
Status for_each_line(const std::string& path, F&& f) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return Status(ErrorCode::kNotFound, path + ": no such file");
    if (fs::is_directory(path, ec)) return Status(ErrorCode::kUnavailable, path + ": is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(ErrorCode::kUnavailable, path + ": cannot be read: " + std::strerror(errno));
    std::string line;
    uint64_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (number == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        f(number, line);
    }
    if (in.bad()) return Status(ErrorCode::kUnavailable, path + ": read error after line " + std::to_string(number));
    return Status::ok();
}

// The `_id` of a JSON object, or "" with `why` set.
std::string read_id(const nlohmann::json& j, std::string& why) {
    auto it = j.find("_id");
    if (it == j.end()) {
        why = "no _id";
        return "";
    }
    std::string id;
    if (it->is_string()) id = it->get<std::string>();
    else if (it->is_number_unsigned()) id = std::to_string(it->get<uint64_t>());
    else if (it->is_number_integer() && it->get<int64_t>() >= 0) id = std::to_string(it->get<int64_t>());
    else {
        why = "_id is neither a string nor a non-negative integer";
        return "";
    }
    if (id.empty()) why = "_id is empty";
    return id;
}

// Parses one JSON Lines line into an object; "" or the reason it is not one.
std::string parse_object(const std::string& line, nlohmann::json& out) {
    try {
        out = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
        std::string what = e.what();
        // "[json.exception.parse_error.101] parse error at line 1, column 5: ..." -> the part after
        // the bracket, which is what a reader needs.
        if (size_t b = what.find("] "); b != std::string::npos) what.erase(0, b + 2);
        return "not JSON (" + what + ")";
    }
    if (!out.is_object()) return "not a JSON object";
    return "";
}

bool is_integer(const std::string& s, int& out) {
    if (s.empty() || s.size() > 9) return false;
    size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
    if (i == s.size()) return false;
    for (size_t k = i; k < s.size(); ++k)
        if (s[k] < '0' || s[k] > '9') return false;
    out = std::stoi(s);
    return true;
}

std::vector<std::string> split_fields(const std::string& line) {
    std::vector<std::string> f;
    size_t start = 0;
    while (true) {
        size_t tab = line.find('\t', start);
        f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) break;
        start = tab + 1;
    }
    if (f.size() == 1) {  // no tabs: whitespace-separated, as some hand-written qrels are
        f.clear();
        size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
            size_t s = i;
            while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
            if (i > s) f.push_back(line.substr(s, i - s));
        }
    }
    return f;
}

}  // namespace

Result<std::vector<BeirDoc>> read_corpus(const std::string& path, const Report& report, uint64_t& skipped) {
    std::vector<BeirDoc> docs;
    std::set<std::string, std::less<>> ids;
    Status s = for_each_line(path, [&](uint64_t number, const std::string& line) {
        auto bad = [&](const std::string& why) {
            if (report) report(path + ":" + std::to_string(number) + ": " + why);
            ++skipped;
        };
        nlohmann::json j;
        if (std::string why = parse_object(line, j); !why.empty()) return bad(why);
        std::string why;
        BeirDoc d;
        d.line = number;
        d.id = read_id(j, why);
        if (d.id.empty()) return bad(why);
        if (auto t = j.find("title"); t != j.end() && !t->is_null()) {
            if (!t->is_string()) return bad("title is not a string");
            d.title = t->get<std::string>();
        }
        auto t = j.find("text");
        if (t == j.end()) return bad("no text");
        if (!t->is_string()) return bad("text is not a string");
        d.text = t->get<std::string>();
        if (d.title.find_first_not_of(" \t\r\n") == std::string::npos &&
            d.text.find_first_not_of(" \t\r\n") == std::string::npos)
            return bad("document " + d.id + " has neither title nor text");
        if (!ids.insert(d.id).second) return bad("document " + d.id + " was seen before; the first one is kept");
        docs.push_back(std::move(d));
    });
    if (!s.is_ok()) return s;
    return docs;
}

Result<std::vector<BeirQuery>> read_queries(const std::string& path, const Report& report, uint64_t& skipped) {
    std::vector<BeirQuery> queries;
    std::set<std::string, std::less<>> ids;
    Status s = for_each_line(path, [&](uint64_t number, const std::string& line) {
        auto bad = [&](const std::string& why) {
            if (report) report(path + ":" + std::to_string(number) + ": " + why);
            ++skipped;
        };
        nlohmann::json j;
        if (std::string why = parse_object(line, j); !why.empty()) return bad(why);
        std::string why;
        BeirQuery q;
        q.id = read_id(j, why);
        if (q.id.empty()) return bad(why);
        auto t = j.find("text");
        if (t == j.end()) return bad("no text");
        if (!t->is_string()) return bad("text is not a string");
        q.text = t->get<std::string>();
        if (!ids.insert(q.id).second) return bad("query " + q.id + " was seen before; the first one is kept");
        queries.push_back(std::move(q));
    });
    if (!s.is_ok()) return s;
    return queries;
}

Status read_qrels(const std::string& path, BeirData& out, const Report& report) {
    bool first = true;
    return for_each_line(path, [&](uint64_t number, const std::string& line) {
        auto bad = [&](const std::string& why) {
            if (report) report(path + ":" + std::to_string(number) + ": " + why);
            ++out.skipped;
        };
        std::vector<std::string> f = split_fields(line);
        int score = 0;
        const bool header = first && !(f.size() == 3 && is_integer(f[2], score));
        first = false;
        if (header) return;
        if (f.size() != 3)
            return bad("expected 3 tab-separated fields (query-id, corpus-id, score), found " + std::to_string(f.size()));
        if (f[0].empty() || f[1].empty()) return bad("empty query-id or corpus-id");
        if (!is_integer(f[2], score)) return bad("score \"" + f[2] + "\" is not an integer");
        auto [it, added] = out.qrels.try_emplace(f[0]);
        if (added) out.qrels_order.push_back(f[0]);
        if (!it->second.emplace(f[1], score).second)
            return bad("query " + f[0] + " judges document " + f[1] + " again; the first judgement is kept");
    });
}

std::vector<std::string> list_splits(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(fs::path(dir) / "qrels", ec), end; !ec && it != end; it.increment(ec))
        if (it->path().extension() == ".tsv") out.push_back(it->path().stem().string());
    std::sort(out.begin(), out.end());
    return out;
}

Result<BeirData> load_beir(const std::string& dir, const std::string& split, const Report& report) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return Status(ErrorCode::kNotFound, dir + ": no such directory");
    const std::string qrels = (fs::path(dir) / "qrels" / (split + ".tsv")).string();
    if (!fs::exists(qrels, ec)) {
        std::vector<std::string> splits = list_splits(dir);
        std::string there;
        for (const std::string& s : splits) there += (there.empty() ? "" : ", ") + s;
        return Status(ErrorCode::kNotFound, qrels + ": no such file (split \"" + split + "\"; " +
                                                (there.empty() ? "no qrels/*.tsv there" : "splits there: " + there) + ")");
    }
    BeirData data;
    auto corpus = read_corpus((fs::path(dir) / "corpus.jsonl").string(), report, data.skipped);
    if (!corpus.is_ok()) return corpus.status();
    data.corpus = std::move(corpus.value());
    auto queries = read_queries((fs::path(dir) / "queries.jsonl").string(), report, data.skipped);
    if (!queries.is_ok()) return queries.status();
    data.queries = std::move(queries.value());
    if (Status s = read_qrels(qrels, data, report); !s.is_ok()) return s;
    return data;
}

}  // namespace abstrakt::eval
