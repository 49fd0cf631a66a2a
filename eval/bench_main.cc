// abstrakt-bench: the peers and measurements of the benchmarks in scripts/bench/ (docs/performance.md).
//
//   abstrakt-bench floor  --db DIR FILE...      the floor: plain Xapian TermGenerator, one thread
//   abstrakt-bench fts5   --db FILE FILE...     SQLite FTS5 (porter unicode61), same fields
//   abstrakt-bench make-queries FILE N [--warm W]
//                                               N short and N long queries from a record file
//   abstrakt-bench title-queries FILE N [--seed S]
//                                               N distinct queries of 1 to 4 consecutive title words
//   abstrakt-bench queries --db DIR [--fts5 FILE] [--floor] QUERIES
//                                               latency of Abstrakt (and FTS5, plain Xapian) on the queries
//   abstrakt-bench repeat FILE COPIES           the records COPIES times, with new ids (growth curve)
//
// Every subcommand prints one line of `key value` pairs per measurement, for the scripts to collect.
#include <sqlite3.h>
#include <xapian.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/ranking.h"
#include "common/record.h"
#include "common/text.h"
#include "common/version.h"
#include "eval/peer_fts5.h"
#include "searcher/engine.h"
#include "searcher/translate_plan.h"

namespace {

using namespace abstrakt;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage = R"(usage: abstrakt-bench COMMAND ...

  floor --db DIR FILE...         index the records with Xapian's TermGenerator as it comes (English
                                 stemmer, default flags), one thread, a commit every 2000 records: the
                                 floor Abstrakt's indexing is measured against
  fts5 --db FILE FILE...         index the records into SQLite FTS5 (porter unicode61; columns id,
                                 title, abstract: every language's text joined), one transaction
  make-queries FILE N [--warm W] N short queries (2 or 3 words of a title) and N long ones (a
                                 sentence of an abstract, 8 to 20 words), from evenly spread records
                                 (fewer only when the file has too few), no query twice (letter case
                                 aside); prints "short<TAB>text" and "long<TAB>text" lines; with
                                 --warm, W more of each kind first, as "warm<TAB>text" lines
  title-queries FILE N [--seed S]
                                 N distinct queries (letter case aside) of 1 to 4 consecutive words of
                                 English titles: a record, a length and a start drawn at random (seed S,
                                 default 1), a window of English stop words only left out; prints
                                 "title<TAB>text" lines (fewer, with a warning, when the titles hold
                                 too few)
  queries --db DIR [--fts5 FILE] [--floor] [--trace FILE] [--no-prefix] [--no-typos]
          [--ranking NAME=VALUE]... QUERIES
                                 load the translation dictionaries, run the "warm" queries of the
                                 QUERIES file (as make-queries writes it) once untimed, then every
                                 other query once timed, on one thread, per
                                 system: Abstrakt through Engine::search (10 hits, titles and snippets),
                                 FTS5 through MATCH with bm25() and snippet(), the floor (--floor) as
                                 plain Xapian on the same index: QueryParser (English stemmer, default
                                 operator AND), the top 10 by BM25, each hit's document data read;
                                 prints latency percentiles per system and kind, and for Abstrakt
                                 those of its page of hits alone ("abstrakt-page"); --trace writes
                                 "system<TAB>kind<TAB>ms<TAB>query" per timed query; Abstrakt searches
                                 as a search box does (last word completed, typos corrected) unless
                                 --no-prefix, --no-typos; --ranking sets a query-time ranking
                                 parameter (docs/relevance.md) for Abstrakt
  repeat FILE COPIES             print the records COPIES times, copy k > 0 with ids suffixed "-rK"
  --version                      the version
)";

int usage_error(const std::string& m) {
    std::cerr << "abstrakt-bench: " << m << "\n(abstrakt-bench --help lists the commands)\n";
    return 2;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Calls `f` for every well-formed record of `files`; malformed lines are counted and skipped.
template <class F>
uint64_t for_records(const std::vector<std::string>& files, F&& f, uint64_t* skipped = nullptr) {
    uint64_t n = 0;
    for (const std::string& file : files) {
        auto reader = RecordReader::open(file);
        if (!reader.is_ok()) {
            std::cerr << "abstrakt-bench: " << reader.message() << "\n";
            continue;
        }
        Record r;
        std::string error;
        for (;;) {
            RecordReader::Outcome o = reader.value()->next(r, error);
            if (o == RecordReader::Outcome::kRecord) {
                f(r);
                ++n;
            } else if (o == RecordReader::Outcome::kMalformed) {
                if (skipped) ++*skipped;
            } else if (o != RecordReader::Outcome::kInterrupted) {
                break;
            }
        }
    }
    return n;
}

std::string joined(const std::vector<LangText>& texts) {
    std::string out;
    for (const LangText& t : texts) {
        if (!out.empty()) out += "\n";
        out += t.text;
    }
    return out;
}

int cmd_floor(const std::string& db, const std::vector<std::string>& files) {
    auto start = Clock::now();
    Xapian::WritableDatabase out(db, Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    uint64_t pending = 0;
    uint64_t n = for_records(files, [&](const Record& r) {
        Xapian::Document doc;
        tg.set_document(doc);
        for (const LangText& t : r.title) {
            tg.index_text(t.text);
            tg.increase_termpos();
        }
        for (const LangText& t : r.abstract) {
            tg.index_text(t.text);
            tg.increase_termpos();
        }
        const std::string idterm = "Q" + r.id;
        doc.add_boolean_term(idterm);
        doc.set_data(to_json(r));
        out.replace_document(idterm, doc);
        if (++pending % 2000 == 0) out.commit();
    });
    out.commit();
    const double s = seconds_since(start);
    std::printf("system floor records %llu seconds %.2f records_per_s %.0f\n", static_cast<unsigned long long>(n), s, n / s);
    return 0;
}

bool exec(sqlite3* db, const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::cerr << "abstrakt-bench: sqlite: " << (err ? err : "?") << "\n";
        sqlite3_free(err);
        return false;
    }
    return true;
}

int cmd_fts5(const std::string& path, const std::vector<std::string>& files) {
    auto start = Clock::now();
    std::remove(path.c_str());
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return usage_error("cannot create " + path);
    bool ok = exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;") &&
              exec(db, "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, abstract, tokenize='porter unicode61')") &&
              exec(db, "BEGIN");
    sqlite3_stmt* ins = nullptr;
    ok = ok && sqlite3_prepare_v2(db, "INSERT INTO docs(id, title, abstract) VALUES (?, ?, ?)", -1, &ins, nullptr) == SQLITE_OK;
    uint64_t n = 0;
    if (ok) {
        n = for_records(files, [&](const Record& r) {
            const std::string title = joined(r.title), abstract = joined(r.abstract);
            sqlite3_bind_text(ins, 1, r.id.data(), static_cast<int>(r.id.size()), SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, title.data(), static_cast<int>(title.size()), SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 3, abstract.data(), static_cast<int>(abstract.size()), SQLITE_TRANSIENT);
            if (sqlite3_step(ins) != SQLITE_DONE) ok = false;
            sqlite3_reset(ins);
        });
    }
    sqlite3_finalize(ins);
    ok = ok && exec(db, "COMMIT");
    sqlite3_close(db);
    if (!ok) return 3;
    const double s = seconds_since(start);
    std::printf("system fts5 records %llu seconds %.2f records_per_s %.0f\n", static_cast<unsigned long long>(n), s, n / s);
    return 0;
}

// The words of `text` that start with a letter (ASCII), for query making.
std::vector<std::string> ascii_words(const std::string& text) {
    std::vector<std::string> out;
    std::string w;
    auto flush = [&] {
        if (!w.empty() && std::isalpha(static_cast<unsigned char>(w[0]))) out.push_back(w);
        w.clear();
    };
    for (char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') w += c;
        else flush();
    }
    flush();
    return out;
}

// A query's text in lower case (ASCII), for telling repeated queries apart.
std::string query_key(const std::string& text) { return ascii_lower(text); }

int cmd_make_queries(const std::string& file, uint64_t n, uint64_t warm) {
    std::vector<Record> all;
    for_records({file}, [&](const Record& r) { all.push_back(r); });
    if (all.empty()) return usage_error("no records in " + file);
    // The first `warm` of each kind are the warm-up queries, the next n the timed ones.
    const uint64_t want = n + warm;
    std::vector<std::string> shorts, longs;
    std::unordered_set<std::string> seen;  // every query taken, of either kind: none is run twice
    auto take = [&](std::vector<std::string>& into, const std::string& q) {
        if (seen.insert(query_key(q)).second) into.push_back(q);
    };
    const size_t step = std::max<size_t>(1, all.size() / want);
    // Records 0, step, 2 step, ...; when some of them give no query of a kind (a title of one word, an
    // abstract without a sentence of 8 words, a query taken before), the next pass takes the records
    // after them, and so on.
    auto more = [&] { return shorts.size() < want || longs.size() < want; };
    for (size_t pass = 0; pass < step && more(); ++pass) {
        for (size_t i = pass; i < all.size() && more(); i += step) {
            const Record& r = all[i];
            if (const LangText* t = Record::find(r.title, "en"); t && shorts.size() < want) {
                std::vector<std::string> w = ascii_words(t->text);
                const size_t k = 2 + i % 2;
                if (w.size() >= k) {
                    std::string q;
                    for (size_t j = 0; j < k; ++j) q += (j ? " " : "") + w[j];
                    take(shorts, q);
                }
            }
            if (const LangText* a = Record::find(r.abstract, "en"); a && longs.size() < want) {
                // The second sentence, else the first: the first often restates the title.
                std::vector<std::string> sentences;
                size_t from = 0;
                for (size_t p = a->text.find(". "); p != std::string::npos; p = a->text.find(". ", from)) {
                    sentences.push_back(a->text.substr(from, p - from));
                    from = p + 2;
                }
                sentences.push_back(a->text.substr(from));
                const std::string& s = sentences.size() > 1 ? sentences[1] : sentences[0];
                std::vector<std::string> w = ascii_words(s);
                if (w.size() >= 8) {
                    std::string q;
                    for (size_t j = 0; j < w.size() && j < 20; ++j) q += (j ? " " : "") + w[j];
                    take(longs, q);
                }
            }
        }
    }
    for (size_t i = 0; i < shorts.size(); ++i) std::printf("%s\t%s\n", i < warm ? "warm" : "short", shorts[i].c_str());
    for (size_t i = 0; i < longs.size(); ++i) std::printf("%s\t%s\n", i < warm ? "warm" : "long", longs[i].c_str());
    return 0;
}

// The words of a title as written, split at white space, with the punctuation around each taken off
// (inside a word, such as "state-of-the-art" or "LLM's", it stays): a window of them is a query a user
// could type. Words without a letter or digit are left out; so are leading '+' and '-', which the
// query syntax reads as operators.
std::vector<std::string> title_words(const std::string& title) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < title.size()) {
        while (i < title.size() && std::isspace(static_cast<unsigned char>(title[i]))) ++i;
        size_t j = i;
        while (j < title.size() && !std::isspace(static_cast<unsigned char>(title[j]))) ++j;
        std::string w = title.substr(i, j - i);
        i = j;
        auto edge = [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u < 0x80 && !std::isalnum(u);  // ASCII punctuation; UTF-8 letters stay
        };
        while (!w.empty() && edge(w.front())) w.erase(w.begin());
        while (!w.empty() && edge(w.back())) w.pop_back();
        bool has_alnum = false;
        for (char c : w) has_alnum = has_alnum || std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
        // A quote or colon inside a word would be query syntax (a phrase, a field): such words are
        // rare in titles, and left out.
        if (has_alnum && w.find_first_of("\":()") == std::string::npos) out.push_back(w);
    }
    return out;
}

int cmd_title_queries(const std::string& file, uint64_t n, uint64_t seed) {
    std::vector<std::vector<std::string>> titles;
    for_records({file}, [&](const Record& r) {
        if (const LangText* t = Record::find(r.title, "en")) {
            std::vector<std::string> w = title_words(t->text);
            if (!w.empty()) titles.push_back(std::move(w));
        }
    });
    if (titles.empty()) return usage_error("no English titles in " + file);
    std::mt19937_64 rng(seed);  // the engine's output is fixed by the standard: the same queries everywhere
    std::unordered_set<std::string> seen;
    std::vector<std::string> out;
    const std::vector<std::string>& stop_words = RankingParams{}.stop_words;
    auto is_stop_word = [&](const std::string& w) { return std::find(stop_words.begin(), stop_words.end(), w) != stop_words.end(); };
    // Draws until n distinct queries, or until a long run of draws found nothing new.
    for (uint64_t misses = 0; out.size() < n && misses < 1000 + 20 * n;) {
        const std::vector<std::string>& w = titles[rng() % titles.size()];
        const size_t len = std::min<size_t>(w.size(), 1 + rng() % 4);
        const size_t from = rng() % (w.size() - len + 1);
        std::string q;
        bool only_stop = true;
        for (size_t j = from; j < from + len; ++j) {
            q += (j > from ? " " : "") + w[j];
            only_stop = only_stop && is_stop_word(query_key(w[j]));
        }
        if (only_stop || !seen.insert(query_key(q)).second) {
            ++misses;
            continue;
        }
        out.push_back(q);
    }
    if (out.size() < n)
        std::cerr << "abstrakt-bench: the titles of " << file << " gave " << out.size() << " distinct queries, not " << n << "\n";
    for (const std::string& q : out) std::printf("title\t%s\n", q.c_str());
    return 0;
}

struct Latencies {
    std::vector<double> ms;
    void print(const char* system, const std::string& kind) {
        if (ms.empty()) return;
        std::vector<double> s = ms;
        std::sort(s.begin(), s.end());
        auto pct = [&](double p) { return s[std::min(s.size() - 1, static_cast<size_t>(p * static_cast<double>(s.size())))]; };
        double sum = 0;
        for (double v : s) sum += v;
        std::printf("system %s kind %s queries %zu p50_ms %.2f p95_ms %.2f p99_ms %.2f mean_ms %.2f max_ms %.2f\n", system,
                    kind.c_str(), s.size(), pct(0.5), pct(0.95), pct(0.99), sum / static_cast<double>(s.size()), s.back());
        std::fflush(stdout);  // a line as soon as it is known: the FTS5 runs can take minutes
    }
};

// The floor of a search: Xapian as it comes over the same index, what any Xapian application does
// for a results page. QueryParser with the English stemmer (its default STEM_SOME: "Z" + stem terms,
// which the index has for the unprefixed space) and AND between the words, BM25, the first 10 hits,
// each hit's document data (the stored record) read. No parsing of the record, no snippets, no
// tiers, no phrase boosts, no language choice: the cost below which no page of hits can come.
class FloorSearch {
  public:
    explicit FloorSearch(const std::string& path) : db_(path), enquire_(db_) {
        parser_.set_database(db_);
        parser_.set_stemmer(Xapian::Stem("english"));
        parser_.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        parser_.set_default_op(Xapian::Query::OP_AND);
    }
    // The number of hits, or -1 when QueryParser refused the text. Never inlined: scripts/bench/instructions
    // finds its instruction count under this name.
    [[gnu::noinline]] int search(const std::string& text) {
        try {
            enquire_.set_query(parser_.parse_query(text));
        } catch (const Xapian::QueryParserError&) {
            return -1;
        }
        Xapian::MSet mset = enquire_.get_mset(0, 10);
        for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) data_bytes_ += it.get_document().get_data().size();
        return static_cast<int>(mset.size());
    }

  private:
    Xapian::Database db_;
    Xapian::Enquire enquire_;
    Xapian::QueryParser parser_;
    size_t data_bytes_ = 0;  // read, so that the reads are not optimised away
};

int cmd_queries(const std::string& db, const std::string& fts5_path, bool floor, const std::string& trace_path,
                std::shared_ptr<const RankingParams> ranking,
                const std::string& queries_file, bool prefix, bool typos) {
    std::ifstream in(queries_file);
    if (!in) return usage_error("cannot read " + queries_file);
    // Kind "warm": run once untimed before each system's timed queries (the index's pages into the
    // cache, the engine's first-use costs), never timed; every other kind is timed, each query once.
    constexpr const char* kWarm = "warm";
    std::vector<std::pair<std::string, std::string>> queries;  // (kind, text)
    for (std::string line; std::getline(in, line);) {
        size_t tab = line.find('\t');
        if (tab != std::string::npos) queries.emplace_back(line.substr(0, tab), line.substr(tab + 1));
    }
    {
        // A benchmark's queries never repeat: a repeated query finds its pages in the caches the first
        // run filled, and looks faster than any new query would.
        std::unordered_set<std::string> seen;
        size_t repeated = 0;
        for (const auto& q : queries) repeated += !seen.insert(query_key(q.second)).second;
        if (repeated)
            std::cerr << "abstrakt-bench: warning: " << repeated << " queries of " << queries_file
                      << " repeat an earlier one (warm-up included): their times flatter\n";
    }
    // Translating as abstrakt-search and abstrakt-serve do (docs/cross-language.md).
    // The translation dictionaries are loaded before any query, as abstrakt-serve loads them at start:
    // the first query that needs them would otherwise pay seconds for it.
    std::shared_ptr<SharedTranslator> translator = SharedTranslator::process();
    translator->get();
    auto engine = Engine::open(db, EngineLimits{}, std::move(ranking), translator);
    if (!engine.is_ok()) return usage_error(engine.message());
    std::ofstream trace;
    if (!trace_path.empty()) {
        trace.open(trace_path);
        if (!trace) return usage_error("cannot write " + trace_path);
    }
    auto traced = [&](const char* system, const std::string& kind, double ms, const std::string& text) {
        if (trace.is_open()) trace << system << '\t' << kind << '\t' << ms << '\t' << text << '\n';
    };
    std::vector<std::string> kinds;
    for (const auto& q : queries)
        if (q.first != kWarm && std::find(kinds.begin(), kinds.end(), q.first) == kinds.end()) kinds.push_back(q.first);

    // Runs `one` on the warm-up queries untimed, then on each kind's queries timed, and prints a line
    // per kind.
    std::string current;  // the kind of the query being timed; "" while warming up
    auto measure = [&](const char* system, auto&& one) {
        current.clear();
        for (const auto& [k, text] : queries)
            if (k == kWarm) one(text);
        for (const std::string& kind : kinds) {
            Latencies l;
            current = kind;
            for (const auto& [k, text] : queries) {
                if (k != kind) continue;
                auto t = Clock::now();
                one(text);
                l.ms.push_back(seconds_since(t) * 1000);
                traced(system, kind, l.ms.back(), text);
            }
            l.print(system, kind);
        }
    };

    std::map<std::string, Latencies> pages;  // per kind: the page of hits (SearchResponse::page_ms)
    measure("abstrakt", [&](const std::string& text) {
        SearchRequest r;
        r.query = text;
        r.spelling = false;
        r.prefix = prefix;
        r.typos = typos;
        auto resp = engine.value()->search(r);
        if (resp.is_ok() && !current.empty()) pages[current].ms.push_back(resp->page_ms);
        if (!resp.is_ok()) std::cerr << "abstrakt-bench: " << text << ": " << resp.message() << "\n";
    });
    // The page of hits of those searches alone: stored records, titles and snippets.
    for (const std::string& kind : kinds) pages[kind].print("abstrakt-page", kind);

    if (floor) {
        size_t refused = 0;
        try {
            FloorSearch f(db);
            measure("floor", [&](const std::string& text) { refused += f.search(text) < 0; });
        } catch (const Xapian::Error& e) {
            return usage_error("the floor cannot read " + db + ": " + e.get_description());
        }
        if (refused) std::cerr << "abstrakt-bench: the floor's QueryParser refused " << refused << " queries\n";
    }

    if (fts5_path.empty()) return 0;
    sqlite3* fdb = nullptr;
    if (sqlite3_open_v2(fts5_path.c_str(), &fdb, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return usage_error("cannot open " + fts5_path);
    sqlite3_stmt* st = nullptr;
    const char* sql = "SELECT id, title, snippet(docs, 2, '<mark>', '</mark>', '…', 32) FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10";
    if (sqlite3_prepare_v2(fdb, sql, -1, &st, nullptr) != SQLITE_OK) return usage_error(sqlite3_errmsg(fdb));
    measure("fts5", [&](const std::string& text) {
        const eval::Fts5Query q = eval::fts5_query(text, eval::Fts5Tokenizer::kPorter);
        if (!q.match.empty()) {
            sqlite3_bind_text(st, 1, q.match.data(), static_cast<int>(q.match.size()), SQLITE_TRANSIENT);
            while (sqlite3_step(st) == SQLITE_ROW) {
            }
            sqlite3_reset(st);
        }
    });
    sqlite3_finalize(st);
    sqlite3_close(fdb);
    return 0;
}

int cmd_repeat(const std::string& file, uint64_t copies) {
    std::vector<std::string> lines;
    for (uint64_t k = 0; k < copies; ++k) {
        for_records({file}, [&](const Record& r) {
            Record c = r;
            if (k > 0) c.id += "-r" + std::to_string(k);
            std::string line = to_json(c);
            std::fwrite(line.data(), 1, line.size(), stdout);
            std::fputc('\n', stdout);
        });
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "-h" || args[0] == "--help") {
        std::cout << kUsage;
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
        std::cout << "abstrakt-bench " << kVersion << "\n";
        return 0;
    }
    const std::string cmd = args[0];
    std::string db, fts5, trace, warm, seed;
    bool floor = false, prefix = true, typos = true;
    std::vector<std::string> rest;
    auto ranking = std::make_shared<RankingParams>();
    for (size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--db" && i + 1 < args.size()) db = args[++i];
        else if (args[i] == "--floor") floor = true;
        else if (args[i] == "--no-prefix") prefix = false;
        else if (args[i] == "--no-typos") typos = false;
        else if (args[i] == "--warm" && i + 1 < args.size()) warm = args[++i];
        else if (args[i] == "--seed" && i + 1 < args.size()) seed = args[++i];
        else if (args[i] == "--fts5" && i + 1 < args.size()) fts5 = args[++i];
        else if (args[i] == "--trace" && i + 1 < args.size()) trace = args[++i];
        else if (args[i] == "--ranking" && i + 1 < args.size()) {
            const std::string& nv = args[++i];
            const size_t eq = nv.find('=');
            if (eq == std::string::npos) return usage_error("--ranking takes NAME=VALUE");
            if (Status st = ranking->set(std::string_view(nv).substr(0, eq), std::string_view(nv).substr(eq + 1)); !st.is_ok())
                return usage_error("--ranking " + nv + ": " + st.message());
        }
        else rest.push_back(args[i]);
    }
    auto count = [](const std::string& s, uint64_t& out) {
        char* end = nullptr;
        out = std::strtoull(s.c_str(), &end, 10);
        // strtoull takes "-1" as 2^64 - 1: only digits are a count.
        return !s.empty() && std::isdigit(static_cast<unsigned char>(s[0])) && *end == '\0' && out > 0;
    };
    uint64_t n = 0, w = 0, sd = 1;
    if (cmd == "floor") return db.empty() || rest.empty() ? usage_error("floor needs --db DIR and files") : cmd_floor(db, rest);
    if (cmd == "fts5") return db.empty() || rest.empty() ? usage_error("fts5 needs --db FILE and files") : cmd_fts5(db, rest);
    if (cmd == "make-queries") {
        if (rest.size() != 2 || !count(rest[1], n)) return usage_error("make-queries needs FILE N");
        if (!warm.empty() && !count(warm, w)) return usage_error("--warm takes a number above 0");
        return cmd_make_queries(rest[0], n, w);
    }
    if (cmd == "title-queries") {
        if (rest.size() != 2 || !count(rest[1], n)) return usage_error("title-queries needs FILE N");
        if (!seed.empty() && !count(seed, sd)) return usage_error("--seed takes a number above 0");
        return cmd_title_queries(rest[0], n, sd);
    }
    if (cmd == "queries")
        return db.empty() || rest.size() != 1 ? usage_error("queries needs --db DIR and a QUERIES file") : cmd_queries(db, fts5, floor, trace, ranking, rest[0], prefix, typos);
    if (cmd == "repeat") return rest.size() != 2 || !count(rest[1], n) ? usage_error("repeat needs FILE COPIES") : cmd_repeat(rest[0], n);
    return usage_error("unknown command " + cmd);
}
