#include "common/ding.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <unordered_map>
#include <unordered_set>

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
            for (const char* tag : kTechnical)
                if (de[k].find(tag) != std::string::npos || en[k].find(tag) != std::string::npos) sub_weight *= 2;
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

}  // namespace abstrakt
