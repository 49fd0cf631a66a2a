// abstrakt-xeval: cross-language retrieval measured with the Translator's expansions as a weighted
// OR over abstrakt-eval's index (eval/xlang.h, docs/cross-language.md).
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "common/config.h"
#include "common/version.h"
#include "eval/xlang.h"

namespace {

using namespace abstrakt;

constexpr const char* kUsage = R"(usage: abstrakt-xeval [options] DIR [SPLIT]

Cross-language retrieval on a BEIR-format collection (as abstrakt-eval reads it, and over the index
abstrakt-eval caches for it): each query word OR its translations, weighted, through Xapian BM25.
Prints MRR@10, nDCG@10 and Recall@100, and with --compare the same without translation and the
paired randomisation p-value of MRR@10.

options:
  --lang CODE          the corpus language (default: detected from its script)
  --cache DIR          abstrakt-eval's index cache (default as abstrakt-eval)
  --lexicon-dir DIR    the lexicons (default: Translator::default_resources(), data/lexicon)
  --no-ding            leave the Ding dictionary out (no German)
  --no-translate       the query words alone
  --compare            also run without translation and print the p-value
  --top K              translations per word (default 3)
  --alpha A            weight of the translated part (default 1)
  --norm none|sum|max  a word's translation weights: as given, summing to 1, or the best one at 1
                       (default none)
  --no-prior           do not weigh senses by the index's document frequencies
  --query-lang CODE    the language of the queries' Latin words (default: inferred per word)
  --per-query FILE     query id and RR@10, tab-separated
  --explain            print each query's translations
  --quiet              no progress lines
  --version            the version
)";

int usage(const std::string& m) {
    std::cerr << "abstrakt-xeval: " << m << "\n";
    return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
    eval::XlangOptions o;
    bool translate = true, compare = false, no_ding = false, quiet = false;
    std::string lexicon_dir, per_query;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
        auto need = [&]() -> bool { return v != nullptr && *v; };
        if (a == "-h" || a == "--help") {
            std::cout << kUsage;
            return kExitOk;
        } else if (a == "--version") {
            std::cout << "abstrakt-xeval " << kVersion << "\n";
            return kExitOk;
        } else if (a == "--no-translate") {
            translate = false;
        } else if (a == "--compare") {
            compare = true;
        } else if (a == "--no-ding") {
            no_ding = true;
        } else if (a == "--no-prior") {
            o.prior = false;
        } else if (a == "--norm") {
            const std::string n = v ? v : "";
            if (n != "none" && n != "sum" && n != "max") return usage("--norm is none, sum or max");
            o.norm = n == "none" ? eval::XlangOptions::Norm::kNone : n == "sum" ? eval::XlangOptions::Norm::kSum : eval::XlangOptions::Norm::kMax;
            ++i;
        } else if (a == "--explain") {
            o.explain = [](const std::string& qid, const std::string& text, const std::vector<SpanTranslation>& spans) {
                std::cout << qid << "\t" << text << "\n";
                for (const SpanTranslation& s : spans) {
                    std::cout << "    " << s.source << " (" << s.from << ") ->";
                    for (const Translation& t : s.as) std::cout << " " << t.text << ":" << std::setprecision(2) << t.weight;
                    std::cout << "\n";
                }
            };
        } else if (a == "--quiet") {
            quiet = true;
        } else if (a == "--lang" || a == "--cache" || a == "--lexicon-dir" || a == "--top" || a == "--alpha" ||
                   a == "--query-lang" || a == "--per-query") {
            if (!need()) return usage(a + " needs a value");
            ++i;
            if (a == "--lang") o.base.lang = v;
            else if (a == "--cache") o.base.cache_dir = v;
            else if (a == "--lexicon-dir") lexicon_dir = v;
            else if (a == "--query-lang") o.query_lang = v;
            else if (a == "--per-query") per_query = v;
            else {
                char* end = nullptr;
                const double n = std::strtod(v, &end);
                if (*end || !(n > 0) || n > 100) return usage(a + " needs a positive number");
                if (a == "--top") o.top_k = static_cast<size_t>(n);
                else o.alpha = n;
            }
        } else if (a.size() > 1 && a[0] == '-') {
            return usage("unknown option " + a);
        } else {
            positional.push_back(a);
        }
    }
    if (positional.empty() || positional.size() > 2) return usage("expected DIR [SPLIT]");
    o.base.dir = positional[0];
    if (positional.size() == 2) o.base.split = positional[1];
    o.base.report = [](const std::string& m) { std::cerr << "abstrakt-xeval: " << m << "\n"; };
    if (!quiet) o.base.progress = o.base.report;

    std::unique_ptr<Translator> translator;
    if (translate) {
        Translator::Resources res = Translator::default_resources();
        if (!lexicon_dir.empty()) res.lexicon_dir = lexicon_dir;
        if (no_ding) res.ding_path.clear();
        auto t = Translator::load(res, o.base.report);
        if (!t.is_ok()) {
            std::cerr << "abstrakt-xeval: " << t.message() << "\n";
            return kExitUsage;
        }
        translator = std::move(t.value());
        o.translator = translator.get();
    }
    auto r = eval::run_xlang(o);
    if (!r.is_ok()) {
        std::cerr << "abstrakt-xeval: " << r.message() << "\n";
        return r.status().code() == ErrorCode::kInvalidArgument || r.status().code() == ErrorCode::kNotFound ? kExitUsage : kExitIndex;
    }
    auto line = [](const char* name, const eval::XlangResult& x) {
        std::ostringstream s;
        s << std::fixed << std::setprecision(3) << name << "  MRR@10 " << eval::mean(x.rr10) << "  nDCG@10 " << eval::mean(x.ndcg10)
          << "  R@100 " << eval::mean(x.recall100) << "  (" << x.query_ids.size() << " queries, " << x.documents
          << " documents, " << x.translated << " words translated, " << std::setprecision(1)
          << 1000.0 * x.query_seconds / static_cast<double>(x.query_ids.size()) << " ms/query)\n";
        return s.str();
    };
    std::cout << line(translate ? "translated" : "words only", r.value());
    if (compare && translate) {
        eval::XlangOptions plain = o;
        plain.translator = nullptr;
        auto b = eval::run_xlang(plain);
        if (!b.is_ok()) {
            std::cerr << "abstrakt-xeval: " << b.message() << "\n";
            return kExitIndex;
        }
        std::cout << line("words only", b.value());
        std::cout << "p (MRR@10, paired randomisation): " << eval::paired_randomisation_p(r->rr10, b->rr10) << "\n";
    }
    if (!per_query.empty()) {
        std::ofstream out(per_query);
        for (size_t i = 0; i < r->query_ids.size(); ++i) out << r->query_ids[i] << "\t" << r->rr10[i] << "\n";
        if (!out) return usage("cannot write " + per_query);
    }
    return kExitOk;
}
