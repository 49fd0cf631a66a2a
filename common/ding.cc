#include "common/ding.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>
#include <unordered_set>

#include "common/text.h"

namespace abstrakt {

namespace {

std::vector<std::string> split(const std::string& s, const std::string& sep) {
    std::vector<std::string> out;
    size_t at = 0;
    while (true) {
        size_t next = s.find(sep, at);
        out.push_back(s.substr(at, next == std::string::npos ? std::string::npos : next - at));
        if (next == std::string::npos) break;
        at = next + sep.size();
    }
    return out;
}

// Removes {…}, […], (…), <…> and /…/ annotations; returns the text with single spaces, trimmed.
std::string strip_annotations(const std::string& s) {
    std::string out;
    int depth = 0;
    char close = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (depth == 0) {
            if (c == '{' || c == '[' || c == '(' || c == '<') {
                close = c == '{' ? '}' : c == '[' ? ']' : c == '(' ? ')' : '>';
                depth = 1;
                continue;
            }
            // "/Gew./": an abbreviation between slashes after a space.
            if (c == '/' && (i == 0 || s[i - 1] == ' ')) {
                size_t end = s.find('/', i + 1);
                if (end != std::string::npos) {
                    i = end;
                    continue;
                }
            }
            out += c;
        } else if (c == close) {
            depth = 0;
        } else if ((close == ')' && c == '(') || (close == ']' && c == '[')) {
            // nested brackets of the same kind are rare; treat as one level
        }
    }
    std::string tidy;
    bool space = true;
    for (char c : out) {
        if (c == ' ' || c == '\t') {
            if (!space) tidy += ' ';
            space = true;
        } else {
            tidy += c;
            space = false;
        }
    }
    while (!tidy.empty() && tidy.back() == ' ') tidy.pop_back();
    return tidy;
}

const std::unordered_set<std::string> kPlaceholders{"etw.", "jdn.", "jdm.", "jds.", "sth.", "sb.", "sb's", "sth's",
                                                    "sich", "one's", "oneself", "…", "...", "etc."};

bool acceptable(const std::string& s) {
    if (s.empty()) return false;
    size_t words = 1;
    for (char c : s) words += c == ' ';
    if (words > 3) return false;
    for (const std::string& w : split(s, " "))
        if (kPlaceholders.count(w)) return false;
    return s.find_first_of("\"{}[]()<>/:=+&") == std::string::npos && s.find("…") == std::string::npos;
}

// Replaces the gender and plural marks of German nouns ({m}, {f}, {n}, {pl}) with kNounMark, and
// strips every other annotation, so that splitting on "; " is safe and the nouns stay known.
constexpr const char* kNounMark = "\x01";
std::string mark_nouns(const std::string& s) {
    std::string t = s;
    for (const char* m : {"{m}", "{f}", "{n}", "{pl}"})
        for (size_t at; (at = t.find(m)) != std::string::npos;) t.replace(at, std::strlen(m), kNounMark);
    std::string out;
    for (const std::string& piece : split(strip_annotations(t), "; ")) {
        if (!out.empty()) out += "; ";
        out += piece;
    }
    return out;
}

// The abbreviations of a sub-entry: the items of "/…/" after a space ("/MR; MRT/"), each one word
// of 2 to 8 bytes with a capital letter and no dot (not "/Gew./", "/w./").
std::vector<std::string> abbreviations(const std::string& s) {
    std::vector<std::string> out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '/' || (i > 0 && s[i - 1] != ' ')) continue;
        const size_t end = s.find('/', i + 1);
        if (end == std::string::npos) break;
        for (const std::string& item : split(s.substr(i + 1, end - i - 1), "; ")) {
            const bool capital = std::any_of(item.begin(), item.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
            if (item.size() >= 2 && item.size() <= 8 && capital && item.find_first_of(". ") == std::string::npos) out.push_back(item);
        }
        i = end;
    }
    return out;
}

const char* const kTechnical[] = {"[comp.]", "[math.]", "[statist.]", "[techn.]", "[sci.]", "[phys.]", "[electr.]",
                                  "[ling.]", "[biol.]", "[med.]", "[chem.]", "[telco.]", "[econ.]", "[psych.]"};

}  // namespace

std::string default_ding_path() {
    const char* env = std::getenv("ABSTRAKT_DING");
    return env && *env ? env : "/usr/share/trans/de-en";
}

Result<DingDictionary> read_ding(const std::string& path, Analyzer& analyzer, size_t top_k) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Status(ErrorCode::kNotFound, path + ": no such file (install trans-de-en)");
    std::ifstream in(path);
    if (!in) return Status(ErrorCode::kUnavailable, path + ": cannot read");
    DingDictionary d;
    // Pair scores keyed by the interned ids of the two words (one hash table rather than one per
    // word: the dictionary gives some 3 million pairs).
    std::unordered_map<std::string, uint32_t> ids;
    std::vector<const std::string*> words;
    auto intern = [&](const std::string& w) {
        auto [it, added] = ids.emplace(w, static_cast<uint32_t>(words.size()));
        if (added) words.push_back(&it->first);
        return static_cast<uint64_t>(it->second);
    };
    std::unordered_map<uint64_t, double> de_en, en_de;
    std::set<std::string> nouns;
    std::unordered_map<std::string, std::string> fold_cache;
    // ASCII letters and spaces fold to lower case (what the Analyzer does to them, without its ICU
    // cost: most of the dictionary is ASCII); the rest goes through the Analyzer.
    auto fold = [&](const std::string& s) -> const std::string& {
        auto it = fold_cache.find(s);
        if (it != fold_cache.end()) return it->second;
        bool ascii = true;
        std::string lower;
        for (char c : s) {
            if (c >= 'A' && c <= 'Z') lower += static_cast<char>(c - 'A' + 'a');
            else if ((c >= 'a' && c <= 'z') || c == ' ') lower += c;
            else {
                ascii = false;
                break;
            }
        }
        return fold_cache.emplace(s, ascii ? lower : analyzer.fold(s)).first->second;
    };
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const size_t sep = line.find(" :: ");
        if (sep == std::string::npos) {
            ++d.skipped;
            continue;
        }
        ++d.lines;
        std::vector<std::string> de = split(line.substr(0, sep), " | "), en = split(line.substr(sep + 4), " | ");
        const size_t n = de.size() == en.size() ? de.size() : 1;
        for (size_t k = 0; k < n; ++k) {
            double sub_weight = k == 0 ? 1.0 : 0.7;
            // Twice for a subject of science or technology, once however many it names
            // ("Bestimmung; Analyse [chem.] [envir.] [med.] [pharm.] [phys.] :: determination" is not
            // 32 times "Auswertung; Analyse :: evaluation; analysis").
            // Not for a sense the German side restricts to one use by an explanation: "groß {adj}
            // (Buchstabe) [comp.] [print] :: capital" is no sense of science, and doubled it came
            // before "big", "large" and "great". (Halving such senses as well was measured worse.)
            if (de[k].find('(') == std::string::npos &&
                std::any_of(std::begin(kTechnical), std::end(kTechnical), [&](const char* tag) {
                    return de[k].find(tag) != std::string::npos || en[k].find(tag) != std::string::npos;
                }))
                sub_weight *= 2;
            std::vector<std::string> de_syn, en_syn;
            // Annotations go before the synonyms are split: some hold "; " ("/w.; wt/").
            for (const std::string& raw : split(mark_nouns(de[k]), "; ")) {
                std::string s;
                for (char c : raw)
                    if (c != kNounMark[0]) s += c;
                s = strip_annotations(s);  // tidies the spaces the marks leave
                if (!acceptable(s)) continue;
                const std::string& f = fold(s);
                if (f.empty()) continue;
                de_syn.push_back(f);
                if (raw.find(kNounMark) != std::string::npos && f.find(' ') == std::string::npos) nouns.insert(f);
            }
            for (const std::string& raw : split(strip_annotations(en[k]), "; ")) {
                std::string s = strip_annotations(raw);  // trims the spaces an annotation left
                if (s.rfind("to ", 0) == 0) s = s.substr(3);
                if (!acceptable(s)) continue;
                const std::string& f = fold(s);
                if (!f.empty()) en_syn.push_back(f);
            }
            // A sub-entry that lists many synonyms on the other side is a loose group: each of its
            // words shares it (1 / sqrt(synonyms)); "Zusammenfassung; Zusammenlegung; Bündelung; ...
            // :: aggregation; consolidation; ..." says less of each word than "Zusammenfassung ::
            // summary" does.
            const double de_share = 1.0 / std::sqrt(static_cast<double>(std::max<size_t>(1, de_syn.size())));
            const double en_share = 1.0 / std::sqrt(static_cast<double>(std::max<size_t>(1, en_syn.size())));
            std::vector<uint64_t> gi, ei;
            for (const std::string& g : de_syn) gi.push_back(intern(g));
            for (const std::string& e : en_syn) ei.push_back(intern(e));
            for (size_t i = 0; i < gi.size(); ++i)
                for (size_t j = 0; j < ei.size(); ++j) {
                    de_en[gi[i] << 32 | ei[j]] += sub_weight * de_share / (1.0 + 0.5 * static_cast<double>(j));
                    en_de[ei[j] << 32 | gi[i]] += sub_weight * en_share / (1.0 + 0.5 * static_cast<double>(i));
                }
            // The abbreviations of aligned sub-entries translate each other: "künstliche Intelligenz
            // /KI/ :: artificial intelligence /AI/" gives KI -> AI, "/MR; MRT/ :: /MRI/" MRT -> MRI.
            // One written alike in both ("/MRT/" on both sides) needs no translation.
            for (const std::string& ga : abbreviations(de[k]))
                for (const std::string& ea : abbreviations(en[k])) {
                    const std::string g = fold(ga), e = fold(ea);
                    if (g.empty() || e.empty() || g == e) continue;
                    de_en[intern(g) << 32 | intern(e)] += sub_weight;
                    en_de[intern(e) << 32 | intern(g)] += sub_weight;
                }
        }
    }
    if (d.lines == 0) return Status(ErrorCode::kInvalidArgument, path + ": no line has \" :: \": not a Ding dictionary");
    auto fill = [&](const std::unordered_map<uint64_t, double>& scores, Lexicon& lex) {
        std::vector<std::pair<uint64_t, double>> sorted(scores.begin(), scores.end());
        std::sort(sorted.begin(), sorted.end());  // by source, then target
        for (size_t i = 0; i < sorted.size();) {
            const uint64_t src = sorted[i].first >> 32;
            size_t j = i;
            while (j < sorted.size() && sorted[j].first >> 32 == src) ++j;
            std::vector<std::pair<double, const std::string*>> targets;
            for (size_t k = i; k < j; ++k) targets.emplace_back(sorted[k].second, words[sorted[k].first & 0xffffffffu]);
            // The best top_k (ties: alphabetical), each relative to the best.
            const size_t keep = std::min(top_k, targets.size());
            std::partial_sort(targets.begin(), targets.begin() + static_cast<std::ptrdiff_t>(keep), targets.end(),
                              [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : *a.second < *b.second; });
            for (size_t k = 0; k < keep; ++k) lex.add(*words[src], *targets[k].second, targets[k].first / targets[0].first);
            i = j;
        }
        lex.finish(top_k);
    };
    fill(de_en, d.de_en);
    fill(en_de, d.en_de);
    d.de_en.notes().push_back("Ding " + path + " (Frank Richter, TU Chemnitz; GPL-2+)");
    d.en_de.notes() = d.de_en.notes();
    d.german_nouns.assign(nouns.begin(), nouns.end());
    return d;
}

namespace {

constexpr char kCacheMagic[] = "abstrakt-ding-cache\n";

// The key a cache is valid under: the dictionary as it is now, and how it was read.
struct CacheKey {
    std::string path;
    uint64_t size = 0;
    int64_t mtime_sec = 0, mtime_nsec = 0;
    uint32_t version = kDingCacheVersion;
    uint32_t top_k = 0;
};

Result<CacheKey> key_of(const std::string& path, size_t top_k) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Status(ErrorCode::kNotFound, path + ": no such file (install trans-de-en)");
    CacheKey k;
    k.path = path;
    k.size = static_cast<uint64_t>(st.st_size);
    k.mtime_sec = static_cast<int64_t>(st.st_mtim.tv_sec);
    k.mtime_nsec = static_cast<int64_t>(st.st_mtim.tv_nsec);
    k.top_k = static_cast<uint32_t>(top_k);
    return k;
}

// Little-endian fixed-width numbers and length-prefixed strings.
struct Writer {
    std::string out;
    template <typename T> void num(T v) {
        for (size_t i = 0; i < sizeof(T); ++i) out += static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
    }
    void str(const std::string& s) {
        num<uint32_t>(static_cast<uint32_t>(s.size()));
        out += s;
    }
    void real(double d) {
        uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        num(bits);
    }
    void lexicon(const Lexicon& lex) {
        // In byte order of the sources, so that the same dictionary gives the same file.
        std::vector<const std::string*> sources;
        for (const auto& [src, list] : lex.entries()) sources.push_back(&src);
        std::sort(sources.begin(), sources.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
        num<uint64_t>(sources.size());
        for (const std::string* src : sources) {
            const auto& list = *lex.find(*src);
            str(*src);
            num<uint32_t>(static_cast<uint32_t>(list.size()));
            for (const LexiconEntry& e : list) {
                str(e.target);
                real(e.prob);
            }
        }
    }
};

struct Reader {
    std::string_view in;
    size_t at = 0;
    bool ok = true;
    template <typename T> T num() {
        if (!ok || in.size() - at < sizeof(T)) {
            ok = false;
            return T{};
        }
        uint64_t v = 0;
        for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
        at += sizeof(T);
        return static_cast<T>(v);
    }
    std::string str() {
        const uint32_t n = num<uint32_t>();
        if (!ok || in.size() - at < n) {
            ok = false;
            return {};
        }
        std::string s(in.substr(at, n));
        at += n;
        return s;
    }
    double real() {
        const uint64_t bits = num<uint64_t>();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
    }
    // A count of items each at least `min_bytes` long: no more than the bytes left allow.
    uint64_t count(size_t min_bytes) {
        const uint64_t n = num<uint64_t>();
        if (ok && n > (in.size() - at) / min_bytes) ok = false;
        return ok ? n : 0;
    }
    void lexicon(Lexicon& lex) {
        const uint64_t sources = count(8);
        lex.reserve(sources);
        for (uint64_t i = 0; i < sources && ok; ++i) {
            std::string src = str();
            const uint32_t n = num<uint32_t>();
            if (!ok || n == 0 || n > (in.size() - at) / 12) {
                ok = false;
                return;
            }
            std::vector<LexiconEntry> list;
            list.reserve(n);
            for (uint32_t j = 0; j < n && ok; ++j) {
                std::string target = str();
                const double prob = real();
                if (target.empty() || !(prob > 0 && prob <= 1)) ok = false;
                list.push_back({std::move(target), prob});
            }
            if (src.empty() || lex.find(src)) ok = false;
            if (ok) lex.set(src, std::move(list));
        }
    }
};

void put_key(Writer& w, const CacheKey& k) {
    w.str(k.path);
    w.num(k.size);
    w.num(k.mtime_sec);
    w.num(k.mtime_nsec);
    w.num(k.version);
    w.num(k.top_k);
}

}  // namespace

std::string default_ding_cache_dir() {
    if (const char* env = std::getenv("ABSTRAKT_DING_CACHE")) return env;
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/abstrakt";
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/abstrakt";
    return "";
}

std::string ding_cache_path(const std::string& cache_dir, const std::string& path) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(path)));
    return cache_dir + "/ding-" + hex + ".bin";
}

Status write_ding_cache(const DingDictionary& d, const std::string& path, size_t top_k, const std::string& cache_file) {
    Result<CacheKey> key = key_of(path, top_k);
    if (!key.is_ok()) return key.status();
    Writer w;
    w.out = kCacheMagic;
    put_key(w, key.value());
    w.num<uint64_t>(d.lines);
    w.num<uint64_t>(d.skipped);
    w.num<uint64_t>(d.de_en.notes().size());
    for (const std::string& n : d.de_en.notes()) w.str(n);
    w.lexicon(d.de_en);
    w.lexicon(d.en_de);
    w.num<uint64_t>(d.german_nouns.size());
    for (const std::string& n : d.german_nouns) w.str(n);
    w.num(fnv1a64(w.out));
    // A temporary file of this process, renamed into place: readers see the old file or the whole
    // new one, and two processes writing at once do not mix their bytes.
    const std::string tmp = cache_file + ".tmp" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return Status(ErrorCode::kUnavailable, tmp + ": cannot be written");
        out.write(w.out.data(), static_cast<std::streamsize>(w.out.size()));
        out.close();
        if (!out) {
            std::remove(tmp.c_str());
            return Status(ErrorCode::kUnavailable, tmp + ": write failed");
        }
    }
    if (std::rename(tmp.c_str(), cache_file.c_str()) != 0) {
        std::remove(tmp.c_str());
        return Status(ErrorCode::kUnavailable, cache_file + ": cannot be renamed into place");
    }
    return Status::ok();
}

Result<DingDictionary> read_ding_cache(const std::string& path, size_t top_k, const std::string& cache_file) {
    std::ifstream in(cache_file, std::ios::binary | std::ios::ate);
    if (!in) return Status(ErrorCode::kNotFound, cache_file + ": no cache");
    std::string bytes(static_cast<size_t>(std::max<std::streamoff>(0, in.tellg())), '\0');
    in.seekg(0);
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!in) return Status(ErrorCode::kInvalidArgument, cache_file + ": cannot be read");
    auto corrupt = [&](const std::string& why) { return Status(ErrorCode::kInvalidArgument, cache_file + ": " + why); };
    const size_t magic = sizeof kCacheMagic - 1;
    if (bytes.size() < magic + 8 || bytes.compare(0, magic, kCacheMagic) != 0) return corrupt("not a Ding cache");
    Reader tail{std::string_view(bytes).substr(bytes.size() - 8)};
    if (tail.num<uint64_t>() != fnv1a64(std::string_view(bytes).substr(0, bytes.size() - 8))) return corrupt("checksum mismatch");
    Result<CacheKey> now = key_of(path, top_k);
    if (!now.is_ok()) return now.status();
    Writer expected;
    put_key(expected, now.value());
    Reader r{std::string_view(bytes).substr(0, bytes.size() - 8), magic};
    if (bytes.compare(magic, expected.out.size(), expected.out) != 0) return corrupt("made from another version of " + path);
    r.at += expected.out.size();
    DingDictionary d;
    d.lines = r.num<uint64_t>();
    d.skipped = r.num<uint64_t>();
    const uint64_t notes = r.count(4);
    for (uint64_t i = 0; i < notes && r.ok; ++i) d.de_en.notes().push_back(r.str());
    d.en_de.notes() = d.de_en.notes();
    r.lexicon(d.de_en);
    r.lexicon(d.en_de);
    const uint64_t nouns = r.count(4);
    d.german_nouns.reserve(nouns);
    for (uint64_t i = 0; i < nouns && r.ok; ++i) d.german_nouns.push_back(r.str());
    if (!r.ok || r.at != r.in.size()) return corrupt("truncated or malformed");
    return d;
}

Result<DingDictionary> load_ding(const std::string& path, Analyzer& analyzer, const std::string& cache_dir,
                                 const std::function<void(const std::string&)>& report, bool* from_cache, size_t top_k) {
    if (from_cache) *from_cache = false;
    const std::string file = cache_dir.empty() ? std::string() : ding_cache_path(cache_dir, path);
    if (!file.empty()) {
        Result<DingDictionary> cached = read_ding_cache(path, top_k, file);
        if (cached.is_ok()) {
            if (from_cache) *from_cache = true;
            return cached;
        }
        if (report && cached.status().code() == ErrorCode::kInvalidArgument) report(cached.message() + "; parsing the dictionary again");
    }
    Result<DingDictionary> d = read_ding(path, analyzer, top_k);
    if (!d.is_ok() || file.empty()) return d;
    std::error_code ec;
    std::filesystem::create_directories(cache_dir, ec);  // a failure shows in the write below
    if (Status s = write_ding_cache(d.value(), path, top_k, file); !s.is_ok() && report)
        report("the dictionary's cache was not written: " + s.message());
    return d;
}

}  // namespace abstrakt
