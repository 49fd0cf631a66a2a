// abstrakt-eval: argument parsing and output over the evaluation library. See docs/cli.md and
// docs/relevance.md.
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/version.h"
#include "eval/run.h"

namespace {

using namespace abstrakt;

constexpr const char* kUsage = R"(usage: abstrakt-eval [options] DIR [SPLIT]
       abstrakt-eval --compare BEFORE.tsv AFTER.tsv

Evaluates Abstrakt's ranking on a BEIR-format collection (DIR/corpus.jsonl, DIR/queries.jsonl,
DIR/qrels/SPLIT.tsv; SPLIT defaults to test) and SQLite FTS5 on the same data: nDCG@10, Recall@100
and MRR@10 side by side, with paired randomisation p-values. Writes a TREC run file per system.

options:
  --lang CODE         the corpus language (default: detected from the script of its text)
  --cache DIR         where indexes are kept between runs
                      (default: $XDG_CACHE_HOME/abstrakt/eval, else ~/.cache/abstrakt/eval)
  --rebuild           build the indexes again even when the cached ones match
  --run-dir DIR       where the run files go (default: the current directory)
  --no-runs           write no run file
  --per-query FILE    every query's scores as tab-separated lines, for comparing runs
  --compare A B       compare two --per-query files of one collection (before and after a
                      change): each metric's means and the paired randomisation p-value
  --no-peer           evaluate Abstrakt alone
  --raw-queries       give Abstrakt the query text as it is, query syntax and all
                      (default: as plain words, see docs/relevance.md)
  --prefix            complete each query's last word, as a search box does (default: queries are
                      finished words)
  --no-typos          do not search misspelt words as their corrections
  --no-translate      search every query as typed, not also translated into the corpus's
                      language where that can help (docs/cross-language.md)
  --translate-both    run every query translated and as typed, side by side, with the paired
                      p-values between the two (in the peer's place: FTS5 is not run)
  --ranking NAME=VALUE  a ranking parameter, query-time or index-time (docs/relevance.md lists
                      them; abstrakt-search --ranking-defaults prints them); repeatable; the
                      index-time ones are part of the index cache's key
  --ranking-file FILE the same from a JSON object of names and values
  --permutations N    sign permutations of the significance test (default 10000, at most 1000000)
  --quiet             no progress lines on standard error
  -h, --help          this text
  --version           the version

exit status: 0 done, 1 done but input was skipped or a query refused, 2 bad arguments or a missing
file, 3 an index could not be built or opened
)";

int usage_error(const std::string& message) {
    std::cerr << "abstrakt-eval: " << message << "\n(abstrakt-eval --help lists the options)\n";
    return kExitUsage;
}

bool parse_count(const char* s, uint64_t& out) {
    if (!s || !*s || s[0] == '-') return false;
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s, &end, 10);
    if (*end != '\0' || errno != 0) return false;
    out = v;
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    eval::EvalOptions o;
    bool quiet = false;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
        if (a == "-h" || a == "--help") {
            std::cout << kUsage;
            return kExitOk;
        } else if (a == "--version") {
            std::cout << "abstrakt-eval " << kVersion << "\n";
            return kExitOk;
        } else if (a == "--compare") {
            if (i + 2 >= argc) return usage_error("--compare needs two per-query files");
            Result<std::string> table = eval::compare_per_query(argv[i + 1], argv[i + 2], o.permutations);
            if (!table.is_ok()) {
                std::cerr << "abstrakt-eval: " << table.message() << "\n";
                return kExitUsage;
            }
            std::cout << table.value();
            return kExitOk;
        } else if (a == "--rebuild") {
            o.rebuild = true;
        } else if (a == "--no-runs") {
            o.run_dir.clear();
        } else if (a == "--no-peer") {
            o.peer = false;
        } else if (a == "--no-translate") {
            o.translate = false;
        } else if (a == "--translate-both") {
            o.translate_both = true;
        } else if (a == "--raw-queries") {
            o.raw_queries = true;
        } else if (a == "--prefix") {
            o.prefix = true;
        } else if (a == "--no-typos") {
            o.typos = false;
        } else if (a == "--quiet") {
            quiet = true;
        } else if (a == "--ranking" || a == "--ranking-file") {
            if (!next) return usage_error(a + " needs " + (a == "--ranking" ? "NAME=VALUE" : "a file"));
            ++i;
            Status s = a == "--ranking" ? o.ranking.set_assignment(next) : o.ranking.load_file(next);
            if (!s.is_ok()) return usage_error(s.message());
        } else if (a == "--lang" || a == "--cache" || a == "--run-dir" || a == "--per-query" || a == "--permutations") {
            if (!next || !*next) return usage_error(a + " needs a value");
            ++i;
            if (a == "--lang") {
                o.lang = next;
            } else if (a == "--cache") {
                o.cache_dir = next;
            } else if (a == "--run-dir") {
                o.run_dir = next;
            } else if (a == "--per-query") {
                o.per_query_path = next;
            } else {
                uint64_t n = 0;
                if (!parse_count(next, n) || n < 1 || n > 1000000)
                    return usage_error("--permutations needs a whole number from 1 to 1000000");
                o.permutations = static_cast<uint32_t>(n);
            }
        } else if (a.size() > 1 && a[0] == '-') {
            return usage_error("unknown option " + a);
        } else {
            positional.push_back(a);
        }
    }
    if (o.translate_both && !o.translate) return usage_error("--translate-both and --no-translate cannot be combined");
    if (positional.empty()) return usage_error("no BEIR directory given");
    if (positional.size() > 2) return usage_error("too many arguments: expected DIR [SPLIT]");
    o.dir = positional[0];
    if (positional.size() == 2) o.split = positional[1];
    if (o.split.empty() || o.split.find('/') != std::string::npos) return usage_error("SPLIT must be a name such as test or dev");

    o.report = [](const std::string& m) { std::cerr << "abstrakt-eval: " << m << "\n"; };
    if (!quiet) o.progress = [](const std::string& m) { std::cerr << "abstrakt-eval: " << m << "\n"; };

    Result<eval::EvalResult> r = eval::run_eval(o);
    if (!r.is_ok()) {
        std::cerr << "abstrakt-eval: " << r.message() << "\n";
        switch (r.status().code()) {
            case ErrorCode::kInvalidArgument:
            case ErrorCode::kNotFound: return kExitUsage;
            default: return kExitIndex;
        }
    }
    std::cout << eval::format_result(r.value());
    return r->partial() ? kExitPartial : kExitOk;
}
