// abstrakt-search: argument parsing and output over the searcher library. See docs/cli.md.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/ranking.h"
#include "common/result.h"
#include "common/version.h"
#include "searcher/engine.h"
#include "searcher/translate_plan.h"

namespace {

using namespace abstrakt;

constexpr const char* kUsage = R"(usage: abstrakt-search [options] QUERY...

Words of the query may come as separate arguments. Syntax: words, "exact phrases", -exclude,
+require, AND/OR/NOT, (brackets), title: abstract: author: cat: lang: year: date: id:
(docs/query-syntax.md).

options:
  --db PATH          the index (default: $ABSTRAKT_DB, else $XDG_DATA_HOME/abstrakt/index), a
                     Xapian stub file, or a cluster file of shards and replicas (docs/scale-out.md)
  --lang CODE        only papers with text in this language, matched with its stemmer
  --query-lang CODE  the language the query is written in (default: inferred per word)
  --no-translate     search the words as typed only, not also their translations into the
                     index's other languages (docs/cross-language.md)
  --sort ORDER       relevance (default), date (newest first) or upvotes
  --limit N          results to show (default 10, at most 100)
  --offset N         results to skip (default 0)
  --facets           count languages, years and categories over all matches
  --exact-total      accepted for old scripts; totals are exact up to 2,000 (count_to) anyway
  --no-prefix        do not complete the last word (by default it is searched as typed and as the
                     index's words that begin with it, unless the query ends in a space)
  --no-typos         do not search misspelt words as their corrections
  --similar ID       papers like the one with this id (no query)
  --explain          how the query was read (its plan), and under each hit the query's terms it
                     has: field, wdf and weight
  --ranking NAME=VALUE  a query-time ranking parameter (docs/relevance.md); repeatable
  --ranking-file FILE   the same from a JSON object of names and values
  --ranking-defaults every ranking parameter and its default, as one JSON object, and exit
  --json             one JSON document on standard output
  --color WHEN       auto (default: when output is a terminal), always or never
  --                 everything after this is the query
  -h, --help         this text
  --version          the version
)";

int usage_error(const std::string& message) {
    std::cerr << "abstrakt-search: " << message << "\n(abstrakt-search --help lists the options)\n";
    return kExitUsage;
}

bool parse_count(const char* s, uint64_t& out) {
    if (!s || !*s) return false;
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s, &end, 10);
    if (*end != '\0' || errno != 0 || s[0] == '-') return false;
    out = v;
    return true;
}

void print_facets(const Facets& f) {
    auto line = [](const char* name, const Facets::Counts& counts) {
        std::cout << name;
        if (counts.empty()) std::cout << " -";
        for (size_t i = 0; i < counts.size() && i < 12; ++i) std::cout << (i ? ", " : " ") << counts[i].first << " " << counts[i].second;
        if (counts.size() > 12) std::cout << ", ...";
        std::cout << "\n";
    };
    line("languages: ", f.lang);
    line("years:     ", f.year);
    line("categories:", f.category);
    std::cout << "\n";
}

// Columns of a terminal a UTF-8 string takes, near enough for a table: one per code point.
size_t columns(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

// The explanation of a hit, indented under it:
//       score 3.1416, all words
//       term       field  wdf  weight  kind
//       attention  any      4  2.1000  term
std::string explain_table(const Explanation& e) {
    auto fixed = [](double v, int decimals) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.*f", decimals, v == 0 ? 0.0 : v);  // no "-0.0000"
        return std::string(buf);
    };
    std::string out = "      score " + fixed(e.score, 4);
    if (e.tier == "all") out += ", all words";
    else if (e.tier == "some") out += ", some words";
    out += "\n";
    if (e.terms.empty()) return out + "      (no term of the query adds weight)\n";
    std::vector<std::array<std::string, 5>> rows = {{"term", "field", "wdf", "weight", "kind"}};
    for (const Explanation::Term& t : e.terms)
        rows.push_back({t.term, t.field, std::to_string(t.wdf), fixed(t.weight, 4),
                        t.factor != 1 ? t.kind + " (x" + fixed(t.factor, 4) + ")" : t.kind});
    std::array<size_t, 5> width{};
    for (const auto& row : rows)
        for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], columns(row[c]));
    for (const auto& row : rows) {
        std::string line = "     ";
        for (size_t c = 0; c < row.size(); ++c) {
            const std::string pad(width[c] - columns(row[c]), ' ');
            const bool right = c == 2 || c == 3;  // numbers
            line += "  " + (right ? pad + row[c] : row[c] + (c + 1 < row.size() ? pad : ""));
        }
        out += line + "\n";
    }
    if (std::abs(e.unexplained) >= 5e-5) out += "      unexplained " + fixed(e.unexplained, 4) + "\n";
    if (e.proximity != 0) out += "      proximity   " + fixed(e.proximity, 4) + "\n";
    if (e.coverage != 0) out += "      coverage    " + fixed(e.coverage, 4) + "\n";
    return out;
}

void print_text(const SearchResponse& r, bool color) {
    const char* bold = color ? "\033[1m" : "";
    const char* dim = color ? "\033[2m" : "";
    const char* reset = color ? "\033[0m" : "";
    if (!r.corrected.empty()) std::cout << "Showing results for: " << bold << r.corrected << reset << "\n\n";
    if (!r.suggestion.empty()) std::cout << "Did you mean: " << bold << r.suggestion << reset << "\n\n";
    if (r.hits.empty() && r.total == 0) {
        std::cout << "No results for: " << r.query << "\n";
        return;
    }
    std::cout << (r.total_is_exact ? "" : "about ") << r.total << (r.total == 1 ? " result" : " results") << " for: "
              << r.query << "  (" << static_cast<long>(r.took_ms * 10 + 0.5) / 10.0 << " ms)\n\n";
    if (!r.plan.empty()) std::cout << r.plan << "\n";
    if (r.facets) print_facets(*r.facets);
    uint64_t rank = r.offset;
    for (const Hit& h : r.hits) {
        ++rank;
        std::cout << (rank < 10 ? " " : "") << rank << ". " << dim << h.id << "  " << (h.published.empty() ? "----------" : h.published)
                  << reset << "  " << bold << h.title << reset << "\n";
        if (!h.authors.empty()) {
            std::cout << "    ";
            for (size_t i = 0; i < h.authors.size() && i < 3; ++i) std::cout << (i ? ", " : "") << h.authors[i];
            if (h.authors.size() > 3) std::cout << ", et al.";
            std::cout << "\n";
        }
        if (!h.snippet.empty()) std::cout << "    " << (color ? h.snippet.ansi() : h.snippet.plain()) << "\n";
        if (h.explain) std::cout << explain_table(*h.explain);
        std::cout << "\n";
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::string db_flag, query, color = "auto", similar_id;
    SearchRequest request;
    RankingParams ranking;
    bool json = false, rest_is_query = false;
    auto add_word = [&](const std::string& w) { query += (query.empty() ? "" : " ") + w; };
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
        if (rest_is_query) {
            add_word(a);
        } else if (a == "--") {
            rest_is_query = true;
        } else if (a == "-h" || a == "--help") {
            std::cout << kUsage;
            return kExitOk;
        } else if (a == "--version") {
            std::cout << "abstrakt-search " << kVersion << "\n";
            return kExitOk;
        } else if (a == "--ranking-defaults") {
            std::cout << RankingParams{}.to_json().dump(2) << "\n";
            return kExitOk;
        } else if (a == "--ranking" || a == "--ranking-file") {
            if (!next) return usage_error(a + " needs " + (a == "--ranking" ? "NAME=VALUE" : "a file"));
            ++i;
            Status s = a == "--ranking" ? ranking.set_assignment(next) : ranking.load_file(next);
            if (s.is_ok()) s = query_time_only(ranking);
            if (!s.is_ok()) return usage_error(s.message());
        } else if (a == "--json") {
            json = true;
        } else if (a == "--facets") {
            request.facets = true;
        } else if (a == "--explain") {
            request.explain = true;
        } else if (a == "--no-translate") {
            request.translate = false;
        } else if (a == "--exact-total") {
            request.exact_total = true;
        } else if (a == "--no-prefix") {
            request.prefix = false;
        } else if (a == "--no-typos") {
            request.typos = false;
        } else if (a == "--similar") {
            if (!next) return usage_error("--similar needs a paper id");
            similar_id = next;
            ++i;
        } else if (a == "--db" || a == "--lang" || a == "--query-lang" || a == "--sort" || a == "--limit" || a == "--offset" || a == "--color") {
            if (!next) return usage_error(a + " needs a value");
            ++i;
            if (a == "--db") {
                db_flag = next;
            } else if (a == "--lang") {
                request.lang = next;
            } else if (a == "--query-lang") {
                request.query_lang = next;
            } else if (a == "--sort") {
                auto s = parse_sort(next);
                if (!s) return usage_error("--sort takes relevance, date or upvotes, not \"" + std::string(next) + "\"");
                request.sort = *s;
            } else if (a == "--limit") {
                if (!parse_count(next, request.limit)) return usage_error("--limit needs a whole number");
            } else if (a == "--offset") {
                if (!parse_count(next, request.offset)) return usage_error("--offset needs a whole number");
            } else {
                color = next;
                if (color != "auto" && color != "always" && color != "never") return usage_error("--color takes auto, always or never");
            }
        } else if (a.rfind("--", 0) == 0) {
            return usage_error("unknown option " + a);
        } else {
            add_word(a);  // words, and "-word" exclusions
        }
    }
    const bool has_query = query.find_first_not_of(" \t\n") != std::string::npos;
    if (!similar_id.empty() && has_query) return usage_error("--similar takes no query");
    if (!similar_id.empty() && request.explain) return usage_error("--explain explains a query's hits, not --similar");
    if (similar_id.empty() && !has_query) return usage_error("no query given");

    const std::string db = resolve_db_path(db_flag);
    auto engine = Engine::open(db, EngineLimits{}, std::make_shared<const RankingParams>(std::move(ranking)), SharedTranslator::process());
    if (!engine.is_ok()) {
        std::cerr << "abstrakt-search: " << engine.message() << "\n";
        return kExitIndex;
    }
    request.query = query;
    Result<SearchResponse> r = similar_id.empty() ? engine.value()->search(request)
                                                  : engine.value()->similar(similar_id, request.offset, request.limit);
    if (!r.is_ok()) {
        std::cerr << "abstrakt-search: " << r.message() << "\n";
        switch (r.status().code()) {
            case ErrorCode::kInvalidArgument: return kExitUsage;
            case ErrorCode::kNotFound: return kExitPartial;  // --similar with an unknown id
            default: return kExitIndex;
        }
    }
    for (const Notice& n : r->notices)
        if (n.code != notice::kCorrected || json) std::cerr << "abstrakt-search: note: " << n.message << "\n";  // else shown above the hits
    if (r->partial) {
        std::cerr << "abstrakt-search: partial results: no replica of";
        for (const std::string& n : r->missing_shards) std::cerr << " " << n;
        std::cerr << " answered\n";
    }
    if (json) {
        std::cout << to_json(r.value(), 2) << "\n";
    } else {
        bool use_color = color == "always" || (color == "auto" && isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR"));
        print_text(r.value(), use_color);
    }
    return r->partial ? kExitPartial : kExitOk;
}
