// A measurement, not built by CMake (docs/query-syntax.md, "Typos"): which words the typo corrector
// (searcher/plan.cc: correct, with the default ranking parameters) would correct over an index, and
// which of them each candidate rule keeps as words of another language. Typos: codespell's list of
// common misspellings (Debian package codespell); foreign words: every 10th single German word of Ding.
//   g++ -std=c++20 -O2 -I. -Ibuild/generated scripts/bench/typo-table.cc build/libabstrakt_common.a \
//       $(pkg-config --libs icu-uc icu-i18n) -lxapian -lz -o /tmp/typo-table
//   /tmp/typo-table INDEX /usr/lib/python3/dist-packages/codespell_lib/data/dictionary.txt [WORDS]
// WORDS: a file of "word<TAB>kind" lines, each printed with the corrector's correction and every
// rule's verdict.
#include <xapian.h>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include "common/analysis.h"
#include "common/ding.h"
#include "common/schema.h"
#include "common/translator.h"
#include "common/text.h"
using namespace abstrakt;

static bool adjacent_swap(const std::string& a, const std::string& b) {
    if (a.size() != b.size() || a == b) return false;
    size_t i = 0;
    while (a[i] == b[i]) ++i;
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] && a.substr(i + 2) == b.substr(i + 2);
}

int main(int argc, char** argv) {
    Xapian::Database db(argv[1]);
    auto t = Translator::load(Translator::default_resources());
    const Translator& tr = *t.value();
    Analyzer an;
    auto freq = [&](const std::string& w) {
        Token tok; tok.folded = tok.exact = w; tok.kind = TokenKind::kWord;
        uint64_t k = db.get_termfreq(w);
        for (const char* l : {"en", "de"}) {
            std::string s = an.stem(l, tok);
            if (!s.empty()) k = std::max<uint64_t>(k, db.get_termfreq(schema::kPrefixStem + s));
        }
        return k;
    };
    // The corrector (plan.cc: correct) without any rule about lexicons: the correction, or "".
    auto corrects = [&](const std::string& w) -> std::string {
        const size_t chars = utf8_code_points(w).size();
        if (chars < 4) return "";
        const uint64_t known = freq(w);
        if (known > 2) return "";
        std::string better = db.get_spelling_suggestion(w, chars >= 8 ? 2 : 1);
        if (better.empty() || better == w) return "";
        if (db.get_termfreq(better) < 10 * std::max<uint64_t>(known, 1)) return "";
        return better;
    };
    struct Rule { const char* name; std::function<bool(const std::string&, const std::string&)> keeps; };
    std::vector<Rule> rules = {
        {"none (translated words only)", [](const std::string&, const std::string&) { return false; }},
        {"Ding as written", [&](const std::string& w, const std::string&) { return tr.dictionary_word(w); }},
        {"Ding as written, not a swap of two adjacent letters of the correction", [&](const std::string& w, const std::string& c) { return tr.dictionary_word(w) && !adjacent_swap(w, c); }},
        {"any lexicon, stem or compound split", [&](const std::string& w, const std::string&) {
             Token tok; tok.folded = tok.exact = w; tok.kind = TokenKind::kWord; return tr.infer_language(tok, an) != WordLanguage::kUnknown; }},
    };
    // Typos: codespell's misspellings (one correction, lower-case ASCII letters) whose correction the
    // index has in at least 10 papers and which the corrector would correct to it.
    std::vector<std::pair<std::string, std::string>> typos;
    {
        std::ifstream in(argv[2]);
        std::string line;
        while (std::getline(in, line)) {
            size_t arrow = line.find("->");
            if (arrow == std::string::npos) continue;
            std::string w = line.substr(0, arrow), c = line.substr(arrow + 2);
            if (c.find(',') != std::string::npos || w.size() < 4) continue;
            if (!std::all_of(w.begin(), w.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; })) continue;
            if (!std::all_of(c.begin(), c.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; })) continue;
            if (db.get_termfreq(c) < 10) continue;
            if (corrects(w) == c) typos.emplace_back(w, c);
        }
    }
    // Foreign words: every 10th single German word of Ding (folded, letters only) that the corrector
    // would change.
    std::vector<std::pair<std::string, std::string>> german;
    {
        auto ding = read_ding(default_ding_path(), an);
        std::vector<std::string> words;
        for (const auto& [src, list] : ding.value().de_en.entries())
            if (src.size() >= 4 && std::all_of(src.begin(), src.end(), [](char ch) { return (ch >= 'a' && ch <= 'z'); })) words.push_back(src);
        std::sort(words.begin(), words.end());
        for (size_t i = 0; i < words.size(); i += 10)
            if (std::string c = corrects(words[i]); !c.empty()) german.emplace_back(words[i], c);
        std::cerr << words.size() << " German words, " << words.size() / 10 << " tried\n";
    }
    std::cout << "typos the corrector fixes: " << typos.size() << "; German dictionary words it would change: " << german.size() << "\n";
    for (const Rule& r : rules) {
        size_t typos_kept = 0, german_kept = 0;
        std::vector<std::string> bad;
        for (const auto& [w, c] : typos) if (!r.keeps(w, c)) ++typos_kept; else if (bad.size() < 12) bad.push_back(w + "->" + c);
        std::vector<std::string> badg;
        for (const auto& [w, c] : german) if (r.keeps(w, c)) ++german_kept; else if (badg.size() < 12) badg.push_back(w + "->" + c);
        std::cout << r.name << ": typos still corrected " << typos_kept << "/" << typos.size() << ", German words left alone " << german_kept << "/" << german.size() << "\n";
        std::cout << "   typos kept as words:"; for (auto& b : bad) std::cout << " " << b; std::cout << "\n";
        std::cout << "   German words corrected:"; for (auto& b : badg) std::cout << " " << b; std::cout << "\n";
    }
    if (argc > 3) {
        std::ifstream in(argv[3]);
        std::string line;
        while (std::getline(in, line)) {
            std::string w = line.substr(0, line.find('\t')), kind = line.substr(line.find('\t') + 1);
            kind = kind.substr(0, kind.find('\t'));
            std::string c = corrects(w);
            std::cout << "T\t" << w << "\t" << kind << "\t" << (c.empty() ? "-" : c);
            for (const Rule& r : rules) std::cout << "\t" << (c.empty() ? "-" : r.keeps(w, c) ? "kept" : "corrected");
            std::cout << "\n";
        }
    }
}
