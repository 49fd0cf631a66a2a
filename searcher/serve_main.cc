// abstrakt-serve: argument parsing over searcher/http.h. See docs/http-api.md.
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "common/config.h"
#include "common/ranking.h"
#include "common/version.h"
#include "searcher/http.h"
#include "searcher/translate_plan.h"
#include "searcher/ui.h"

namespace {

using namespace abstrakt;

constexpr const char* kUsage = R"(usage: abstrakt-serve [options]

The HTTP JSON API over an index: GET /search, /papers/{id}, /papers/{id}/similar, /suggest,
/health, /metrics (docs/http-api.md), and a search page at / (docs/web.md). Stops on SIGTERM or
SIGINT after the requests in flight.

options:
  --db PATH            the index, a directory or a symlink to one (default: $ABSTRAKT_DB,
                       else $XDG_DATA_HOME/abstrakt/index), a Xapian stub file, or a cluster
                       file of shards and replicas (docs/scale-out.md)
  --host ADDRESS       address to listen on (default 127.0.0.1)
  --port N             port to listen on (default 8080; 0: any free port, printed at start)
  --threads N          worker threads, each with its own index reader (default: one per core)
  --max-connections N  client connections open at once, 16 to 65536 (default 4096; fewer
                       when the limit of open files is lower); a new one beyond gets 503
  --cors-origin ORIGIN an origin allowed to read responses, e.g. https://example.org; repeat
                       for more (default: any origin, *)
  --ranking NAME=VALUE a query-time ranking parameter for every request (docs/relevance.md;
                       abstrakt-search --ranking-defaults lists them); repeatable
  --ranking-file FILE  the same from a JSON object of names and values
  --ui DIR             serve the page's files from DIR (its index.html at /, the others
                       under /ui/) instead of the page built into the binary
  --no-ui              serve no page, only the API
  --quiet              no access log
  -h, --help           this text
  --version            the version
)";

int usage_error(const std::string& message) {
    std::cerr << "abstrakt-serve: " << message << "\n(abstrakt-serve --help lists the options)\n";
    return kExitUsage;
}

bool parse_number(const std::string& s, long low, long high, long& out) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 9) return false;
    out = std::strtol(s.c_str(), nullptr, 10);
    return out >= low && out <= high;
}

}  // namespace

int main(int argc, char** argv) {
    http::ServerOptions options;
    RankingParams ranking;
    bool no_ui = false;
    std::optional<std::string> ui_dir;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            std::cout << kUsage;
            return kExitOk;
        }
        if (a == "--version") {
            std::cout << "abstrakt-serve " << kVersion << "\n";
            return kExitOk;
        }
        if (a == "--quiet") {
            options.quiet = true;
            continue;
        }
        if (a == "--no-ui") {
            if (ui_dir) return usage_error("--no-ui and --ui cannot be combined");
            no_ui = true;
            continue;
        }
        if (a != "--db" && a != "--host" && a != "--port" && a != "--threads" && a != "--cors-origin" &&
            a != "--max-connections" && a != "--ranking" && a != "--ranking-file" && a != "--ui")
            return usage_error(a.rfind("-", 0) == 0 ? "unknown option " + a : "unexpected argument " + a);
        if (i + 1 >= argc) return usage_error(a + " needs a value");
        const std::string v = argv[++i];
        long n = 0;
        if (a == "--db") {
            if (v.empty()) return usage_error("--db needs a path");
            options.db = v;
        } else if (a == "--host") {
            if (v.empty()) return usage_error("--host needs an address");
            options.host = v;
        } else if (a == "--port") {
            if (!parse_number(v, 0, 65535, n)) return usage_error("--port takes a number from 0 to 65535");
            options.port = static_cast<int>(n);
        } else if (a == "--threads") {
            if (!parse_number(v, 1, http::kMaxThreads, n))
                return usage_error("--threads takes a number from 1 to " + std::to_string(http::kMaxThreads));
            options.threads = static_cast<unsigned>(n);
        } else if (a == "--ranking" || a == "--ranking-file") {
            Status s = a == "--ranking" ? ranking.set_assignment(v) : ranking.load_file(v);
            if (s.is_ok()) s = query_time_only(ranking);
            if (!s.is_ok()) return usage_error(s.message());
        } else if (a == "--max-connections") {
            if (!parse_number(v, http::kMinConnections, http::kMaxConnectionsOption, n))
                return usage_error("--max-connections takes a number from " + std::to_string(http::kMinConnections) + " to " +
                                   std::to_string(http::kMaxConnectionsOption));
            options.max_connections = static_cast<size_t>(n);
        } else if (a == "--ui") {
            if (v.empty()) return usage_error("--ui needs a directory");
            if (no_ui) return usage_error("--no-ui and --ui cannot be combined");
            ui_dir = v;
        } else {
            if (v.empty()) return usage_error("--cors-origin needs an origin, such as https://example.org, or *");
            options.cors_origins.push_back(v);
        }
    }
    options.ranking = std::make_shared<const RankingParams>(std::move(ranking));
    options.translator = SharedTranslator::process();
    // The dictionaries load on a thread of their own while the server starts, so that the first
    // query that needs them does not wait for them (docs/cross-language.md, "Loading").
    options.translator->preload();
    if (no_ui) {
        options.ui = ui::Site();
    } else if (ui_dir) {
        Result<ui::Site> site = ui::Site::directory(*ui_dir);
        if (!site.is_ok()) return usage_error(site.message());
        options.ui = site.value();
    }
    return http::serve(options);
}
