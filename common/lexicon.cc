#include "common/lexicon.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>

namespace abstrakt {

namespace {

constexpr std::string_view kMagic = "# abstrakt-lexicon 1";

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

void Lexicon::add(const std::string& source, const std::string& target, double prob) {
    if (source.empty() || target.empty() || !(prob > 0)) return;
    auto& list = entries_[source];
    for (LexiconEntry& e : list)
        if (e.target == target) {
            e.prob = std::min(1.0, e.prob + prob);
            return;
        }
    list.push_back({target, std::min(1.0, prob)});
}

void Lexicon::finish(size_t top_k, double min_prob) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        auto& list = it->second;
        std::sort(list.begin(), list.end(), [](const LexiconEntry& a, const LexiconEntry& b) {
            return a.prob != b.prob ? a.prob > b.prob : a.target < b.target;
        });
        list.erase(std::remove_if(list.begin(), list.end(), [&](const LexiconEntry& e) { return e.prob < min_prob; }),
                   list.end());
        if (list.size() > top_k) list.resize(top_k);
        it = list.empty() ? entries_.erase(it) : std::next(it);
    }
}

void Lexicon::set(const std::string& source, std::vector<LexiconEntry> list) {
    if (list.empty()) entries_.erase(source);
    else entries_[source] = std::move(list);
}

const std::vector<LexiconEntry>* Lexicon::find(std::string_view source) const {
    auto it = entries_.find(std::string(source));
    return it == entries_.end() ? nullptr : &it->second;
}

size_t Lexicon::pairs() const {
    size_t n = 0;
    for (const auto& [s, list] : entries_) n += list.size();
    return n;
}

Result<Lexicon> Lexicon::read(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Status(ErrorCode::kNotFound, path + ": no such lexicon file");
    gzFile f = gzopen(path.c_str(), "rb");  // reads plain files as they are
    if (!f) return Status(ErrorCode::kUnavailable, path + ": cannot open: " + std::strerror(errno));
    Lexicon lex;
    std::string line;
    std::vector<char> buf(1 << 16);
    uint64_t n = 0;
    bool header = false, have_from = false, have_to = false;
    auto bad = [&](const std::string& why) {
        gzclose(f);
        return Status(ErrorCode::kInvalidArgument, path + ":" + std::to_string(n) + ": " + why);
    };
    while (true) {
        line.clear();
        bool got = false;
        while (gzgets(f, buf.data(), static_cast<int>(buf.size()))) {
            got = true;
            line += buf.data();
            if (!line.empty() && line.back() == '\n') break;
        }
        if (!got) break;
        ++n;
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
        if (n == 1) {
            if (line != kMagic) return bad("not an Abstrakt lexicon (the first line must be \"" + std::string(kMagic) + "\")");
            header = true;
            continue;
        }
        if (line.empty()) continue;
        if (line[0] == '#') {
            if (line.rfind("# from: ", 0) == 0) {
                lex.from_ = line.substr(8);
                have_from = true;
            } else if (line.rfind("# to: ", 0) == 0) {
                lex.to_ = line.substr(6);
                have_to = true;
            } else {
                lex.notes_.push_back(line.size() > 2 ? line.substr(2) : "");
            }
            continue;
        }
        if (!have_from || !have_to) return bad("a translation before the \"# from:\" and \"# to:\" lines");
        const size_t t1 = line.find('\t');
        const size_t t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
        if (t2 == std::string::npos || line.find('\t', t2 + 1) != std::string::npos)
            return bad("expected three tab-separated fields: source, target, probability");
        std::string source = line.substr(0, t1), target = line.substr(t1 + 1, t2 - t1 - 1);
        if (source.empty() || target.empty()) return bad("empty source or target");
        const std::string p = line.substr(t2 + 1);
        char* end = nullptr;
        errno = 0;
        const double prob = std::strtod(p.c_str(), &end);
        if (p.empty() || *end != '\0' || errno != 0 || !(prob > 0) || prob > 1 || !std::isfinite(prob))
            return bad("the probability must be a number in (0, 1], not \"" + p + "\"");
        auto& list = lex.entries_[source];
        for (const LexiconEntry& e : list)
            if (e.target == target) return bad("\"" + source + "\" -> \"" + target + "\" given twice");
        list.push_back({std::move(target), prob});
    }
    int err = 0;
    const char* msg = gzerror(f, &err);
    if (err != Z_OK && err != Z_BUF_ERROR) {
        std::string m = msg ? msg : "read error";
        gzclose(f);
        return Status(ErrorCode::kUnavailable, path + ": " + m);
    }
    gzclose(f);
    if (!header) return Status(ErrorCode::kInvalidArgument, path + ": empty file, not an Abstrakt lexicon");
    if (!have_from || !have_to) return Status(ErrorCode::kInvalidArgument, path + ": no \"# from:\" or \"# to:\" line");
    lex.finish(SIZE_MAX);
    return lex;
}

Status Lexicon::write(const std::string& path) const {
    const std::string tmp = path + ".tmp";
    const bool gz = ends_with(path, ".gz");
    std::string out;
    out += kMagic;
    out += "\n# from: " + from_ + "\n# to: " + to_ + "\n";
    for (const std::string& note : notes_) out += "# " + note + "\n";
    std::vector<const std::pair<const std::string, std::vector<LexiconEntry>>*> sorted;
    for (const auto& kv : entries_) sorted.push_back(&kv);
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
    char num[32];
    for (const auto* kv : sorted)
        for (const LexiconEntry& e : kv->second) {
            std::snprintf(num, sizeof num, "%.4g", e.prob);
            out += kv->first + "\t" + e.target + "\t" + num + "\n";
        }
    bool ok = false;
    if (gz) {
        gzFile f = gzopen(tmp.c_str(), "wb9");
        if (f) {
            ok = gzwrite(f, out.data(), static_cast<unsigned>(out.size())) == static_cast<int>(out.size());
            ok = gzclose(f) == Z_OK && ok;
        }
    } else if (FILE* f = std::fopen(tmp.c_str(), "wb")) {
        ok = std::fwrite(out.data(), 1, out.size(), f) == out.size();
        ok = std::fclose(f) == 0 && ok;
    }
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        return Status(ErrorCode::kUnavailable, path + ": cannot write the lexicon");
    }
    return Status::ok();
}

}  // namespace abstrakt
