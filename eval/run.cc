#include "eval/run.h"

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "common/lang.h"
#include "common/record.h"
#include "common/schema.h"
#include "common/text.h"
#include "eval/metrics.h"
#include "eval/peer_fts5.h"
#include "indexer/writer.h"
#include "searcher/engine.h"
#include "searcher/translate_plan.h"

namespace abstrakt::eval {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string with_commas(uint64_t n) {
    std::string s = std::to_string(n);
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
    return s;
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// A folder name made of the collection's name: letters, digits, '-', '_' and '.' only.
std::string safe_name(std::string s) {
    for (char& c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) c = '_';
    return s.empty() ? "collection" : s;
}

// The collection's name: the last component of its directory ("scifact-dev" for "data/scifact-dev/").
std::string dataset_name(const std::string& dir) {
    std::error_code ec;
    fs::path p = fs::absolute(dir, ec).lexically_normal();
    std::string name = p.filename().string();
    if (name.empty()) name = p.parent_path().filename().string();  // a trailing slash
    return name;
}

// What a cached index records about its build: "seconds documents".
struct BuildInfo {
    double seconds = 0;
    uint64_t documents = 0;
};

std::optional<BuildInfo> read_build_info(const fs::path& file) {
    std::ifstream in(file);
    BuildInfo b;
    if (!(in >> b.seconds >> b.documents)) return std::nullopt;
    return b;
}

Status write_build_info(const fs::path& file, const BuildInfo& b) {
    std::ofstream out(file);
    out << fixed(b.seconds, 3) << " " << b.documents << "\n";
    out.close();
    if (!out) return Status(ErrorCode::kUnavailable, file.string() + ": cannot be written");
    return Status::ok();
}

// The cache folder for this corpus, language and schema, created, with a key.txt that says what the
// key was made of.
Result<fs::path> cache_folder(const EvalOptions& o, const std::string& lang_tag) {
    std::error_code ec;
    const fs::path corpus = fs::canonical(fs::path(o.dir) / "corpus.jsonl", ec);
    if (ec) return Status(ErrorCode::kNotFound, (fs::path(o.dir) / "corpus.jsonl").string() + ": " + ec.message());
    struct stat st {};
    if (::stat(corpus.c_str(), &st) != 0) return Status(ErrorCode::kUnavailable, corpus.string() + ": cannot stat");
    std::ostringstream key;
    key << "corpus " << corpus.string() << "\n"
        << "size " << st.st_size << "\n"
        << "mtime " << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec << "\n"
        << "schema " << schema::kVersion << "\n"
        << "lang " << lang_tag << "\n"
        << "record-mapping " << kRecordMappingVersion << "\n"
        << "index-params " << o.ranking.index.to_metadata() << "\n";
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016" PRIx64, fnv1a64(key.str()));
    const fs::path root = o.cache_dir.empty() ? fs::path(default_cache_dir()) : fs::path(o.cache_dir);
    const fs::path folder = root / (safe_name(dataset_name(o.dir)) + "-" + safe_name(lang_tag) + "-" + hex);
    fs::create_directories(folder, ec);
    if (ec) return Status(ErrorCode::kUnavailable, "cannot create the cache folder " + folder.string() + ": " + ec.message());
    std::ofstream(folder / "key.txt") << key.str();
    return folder;
}

// Removes what an earlier, interrupted build left under `name` (NAME.tmp-PID).
void remove_leftovers(const fs::path& folder, const std::string& name) {
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().filename().string().rfind(name + ".tmp-", 0) == 0) fs::remove_all(it->path(), ec);
}

// A BEIR document as an Abstrakt record, validated by the same parser `abstrakt-index add` uses.
// A document without a title takes its text as the title (a record needs one) and has no abstract.
Result<Record> to_record(const BeirDoc& d, const std::string& lang_tag) {
    nlohmann::json j;
    j["id"] = d.id;
    const bool has_title = d.title.find_first_not_of(" \t\r\n") != std::string::npos;
    j["title"][lang_tag] = has_title ? d.title : d.text;
    if (has_title && d.text.find_first_not_of(" \t\r\n") != std::string::npos) j["abstract"][lang_tag] = d.text;
    std::string line;
    try {
        line = j.dump();
    } catch (const nlohmann::json::exception& e) {
        return Status(ErrorCode::kInvalidArgument, e.what());
    }
    ParseOptions po;
    po.default_lang = lang_tag;
    return parse_record(line, po);
}

struct Built {
    std::string path;
    BuildInfo info;
    bool cached = false;
};

Result<Built> abstrakt_index(const EvalOptions& o, const BeirData& data, const fs::path& folder, const std::string& lang_tag) {
    Built b;
    const fs::path final_path = folder / "abstrakt";
    const fs::path info_path = folder / "abstrakt.built";
    b.path = final_path.string();
    std::error_code ec;
    if (!o.rebuild && fs::is_directory(final_path, ec)) {
        if (auto info = read_build_info(info_path)) {
            b.info = *info;
            b.cached = true;
            return b;
        }
    }
    fs::remove_all(final_path, ec);
    fs::remove(info_path, ec);
    remove_leftovers(folder, "abstrakt");
    const fs::path tmp = folder / ("abstrakt.tmp-" + std::to_string(::getpid()));
    if (o.progress) o.progress("Abstrakt: indexing " + with_commas(data.corpus.size()) + " documents into " + final_path.string());
    auto started = Clock::now();
    {
        WriterOptions w;
        w.index_params = o.ranking.index;
        auto writer = IndexWriter::open(tmp.string(), true, w);
        if (!writer.is_ok()) {
            fs::remove_all(tmp, ec);
            return writer.status();
        }
        for (const BeirDoc& d : data.corpus) {
            Result<Record> rec = to_record(d, lang_tag);
            if (!rec.is_ok()) {
                if (o.report) o.report("corpus.jsonl:" + std::to_string(d.line) + ": not indexed by Abstrakt: " + rec.message());
                continue;
            }
            Result<IndexWriter::Change> c = writer.value()->upsert(rec.value());
            if (!c.is_ok()) {
                fs::remove_all(tmp, ec);
                return c.status();
            }
            ++b.info.documents;
        }
        if (Status s = writer.value()->commit(); !s.is_ok()) {
            fs::remove_all(tmp, ec);
            return s;
        }
    }
    b.info.seconds = seconds_since(started);
    fs::rename(tmp, final_path, ec);
    if (ec) {
        fs::remove_all(tmp, ec);
        return Status(ErrorCode::kUnavailable, "cannot move the new index to " + final_path.string() + ": " + ec.message());
    }
    if (Status s = write_build_info(info_path, b.info); !s.is_ok()) return s;
    return b;
}

Result<Built> fts5_index(const EvalOptions& o, const BeirData& data, const fs::path& folder, Fts5Tokenizer tokenizer) {
    Built b;
    std::string name = std::string("fts5-") + fts5_tokenizer_spec(tokenizer);
    for (char& c : name)
        if (c == ' ') c = '-';
    const fs::path final_path = folder / (name + ".sqlite");
    const fs::path info_path = folder / (name + ".built");
    b.path = final_path.string();
    std::error_code ec;
    if (!o.rebuild && fs::is_regular_file(final_path, ec)) {
        if (auto info = read_build_info(info_path)) {
            b.info = *info;
            b.cached = true;
            return b;
        }
    }
    fs::remove(final_path, ec);
    fs::remove(info_path, ec);
    remove_leftovers(folder, name);
    const fs::path tmp = folder / (name + ".tmp-" + std::to_string(::getpid()));
    if (o.progress) o.progress("FTS5: indexing " + with_commas(data.corpus.size()) + " documents into " + final_path.string());
    auto started = Clock::now();
    {
        auto index = Fts5Index::build(tmp.string(), data.corpus, tokenizer);
        if (!index.is_ok()) {
            fs::remove(tmp, ec);
            return index.status();
        }
        b.info.documents = index.value()->documents();
    }
    b.info.seconds = seconds_since(started);
    fs::rename(tmp, final_path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        return Status(ErrorCode::kUnavailable, "cannot move the new index to " + final_path.string() + ": " + ec.message());
    }
    if (Status s = write_build_info(info_path, b.info); !s.is_ok()) return s;
    return b;
}

// Scores one query's ranking into the system's per-query lists. A document returned twice keeps its
// first rank only (the metrics ignore repeats too, and trec_eval refuses a run with them).
void score(SystemRun& run, std::vector<std::string> ranking, const Judgements& judged) {
    std::unordered_set<std::string> seen;
    size_t kept = 0;
    for (size_t i = 0; i < ranking.size(); ++i) {
        if (!seen.insert(ranking[i]).second) continue;
        if (kept != i) ranking[kept] = std::move(ranking[i]);
        ++kept;
    }
    if (kept < ranking.size()) {
        ++run.repeated;
        ranking.resize(kept);
    }
    run.ndcg10.push_back(ndcg_at(ranking, judged, 10));
    run.recall100.push_back(recall_at(ranking, judged, 100));
    run.rr10.push_back(reciprocal_rank_at(ranking, judged, 10));
    if (ranking.empty()) ++run.empty;
    run.rankings.push_back(ranking);
}

// A TREC run file: "qid Q0 docid rank score tag". The score is depth + 1 - rank, so that tools that
// re-sort by score (trec_eval) see exactly the order the system returned (see eval/metrics.h).
Status write_run(const std::string& path, const std::vector<std::string>& query_ids, const SystemRun& run) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return Status(ErrorCode::kInvalidArgument, path + ": cannot be written");
    for (size_t q = 0; q < query_ids.size(); ++q) {
        size_t rank = 0;
        for (const std::string& id : run.rankings[q]) {
            ++rank;
            out << query_ids[q] << " Q0 " << id << " " << rank << " " << (kDepth + 1 - rank) << " " << run.tag << "\n";
        }
    }
    out.close();
    if (!out) return Status(ErrorCode::kInvalidArgument, path + ": write failed");
    return Status::ok();
}

std::string run_path(const EvalOptions& o, const std::string& dataset, const std::string& tag) {
    return (fs::path(o.run_dir) / (safe_name(dataset) + "." + safe_name(o.split) + "." + tag + ".run")).string();
}

}  // namespace

bool EvalResult::partial() const {
    return skipped_lines > 0 || missing_text > 0 || abstrakt.refused > 0 || abstrakt.indexed < documents ||
           (peer && (peer->refused > 0 || peer->indexed < documents));
}

std::string plain_words(std::string_view text) {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (is_ascii_space(text[i]) || text[i] == '"' || text[i] == '(' || text[i] == ')' || text[i] == ':')) ++i;
        size_t start = i;
        while (i < text.size() && !(is_ascii_space(text[i]) || text[i] == '"' || text[i] == '(' || text[i] == ')' || text[i] == ':')) ++i;
        std::string_view w = text.substr(start, i - start);
        while (!w.empty() && (w[0] == '+' || w[0] == '-')) w.remove_prefix(1);
        if (w.empty()) continue;
        if (!out.empty()) out += ' ';
        if (w == "AND") out += "and";
        else if (w == "OR") out += "or";
        else if (w == "NOT") out += "not";
        else out += w;
    }
    return out;
}

std::string detect_corpus_lang(const std::vector<BeirDoc>& corpus) {
    std::string sample;
    for (size_t i = 0; i < corpus.size() && i < 100 && sample.size() < 100000; ++i) {
        sample += corpus[i].title;
        sample += ' ';
        sample += corpus[i].text;
        sample += ' ';
    }
    return lang::detect_from_script(sample, "en");
}

std::string default_cache_dir() {
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/abstrakt/eval";
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/abstrakt/eval";
    return ".abstrakt-eval-cache";
}

Result<std::string> cached_abstrakt_index(const EvalOptions& o, const BeirData& data, const std::string& lang_tag) {
    Result<fs::path> folder = cache_folder(o, lang_tag);
    if (!folder.is_ok()) return folder.status();
    Result<Built> built = abstrakt_index(o, data, folder.value(), lang_tag);
    if (!built.is_ok()) return built.status();
    return built->path;
}

Result<EvalResult> run_eval(const EvalOptions& o) {
    EvalResult r;
    r.split = o.split;
    r.raw_queries = o.raw_queries;
    std::error_code ec;
    r.dataset = dataset_name(o.dir);

    if (!o.lang.empty() && !lang::canonical_tag(o.lang))
        return Status(ErrorCode::kInvalidArgument, "\"" + o.lang + "\" is not a known language code (such as en, zh)");
    if (o.progress) o.progress("reading " + o.dir + " (split " + o.split + ")");
    Result<BeirData> loaded = load_beir(o.dir, o.split, o.report);
    if (!loaded.is_ok()) return loaded.status();
    const BeirData& data = loaded.value();
    r.documents = data.corpus.size();
    r.skipped_lines = data.skipped;
    if (data.corpus.empty()) return Status(ErrorCode::kInvalidArgument, o.dir + "/corpus.jsonl has no documents");

    r.lang_detected = o.lang.empty();
    const std::string lang_tag = o.lang.empty() ? detect_corpus_lang(data.corpus) : *lang::canonical_tag(o.lang);
    r.lang = lang_tag;

    // The queries to evaluate: judged, with a relevant document, and with text.
    std::unordered_map<std::string, const BeirQuery*> by_id;
    for (const BeirQuery& q : data.queries) by_id.emplace(q.id, &q);
    std::vector<const BeirQuery*> queries;
    r.judged_queries = data.qrels_order.size();
    for (const std::string& qid : data.qrels_order) {
        if (!has_relevant(data.qrels.at(qid))) {
            ++r.no_relevant;
            continue;
        }
        auto it = by_id.find(qid);
        if (it == by_id.end()) {
            ++r.missing_text;
            if (o.report) o.report("query " + qid + " is judged in qrels/" + o.split + ".tsv but not in queries.jsonl; not evaluated");
            continue;
        }
        queries.push_back(it->second);
        r.query_ids.push_back(qid);
    }
    if (queries.empty())
        return Status(ErrorCode::kInvalidArgument, "no query of split " + o.split + " has a relevant document and text");

    // Fail on an unwritable run folder before spending time on indexes.
    if (!o.run_dir.empty()) {
        fs::create_directories(o.run_dir, ec);
        if (!fs::is_directory(o.run_dir, ec) || ::access(o.run_dir.c_str(), W_OK) != 0)
            return Status(ErrorCode::kInvalidArgument, o.run_dir + ": cannot write run files there");
    }

    Result<fs::path> folder = cache_folder(o, lang_tag);
    if (!folder.is_ok()) return folder.status();

    // ---- Abstrakt ----
    // One run of the engine: translated as o.translate says, or as typed (`translate` false). The
    // main run (`main`) also counts the notices.
    auto run_abstrakt = [&](SystemRun& a, bool translate, bool main) -> Status {
        a.name = main ? "Abstrakt" : "as typed";
        a.tag = main ? "abstrakt" : "typed";
        a.detail = std::string("Engine::search, relevance order, ") + (o.raw_queries ? "query text as typed" : "query text as plain words") +
                   (o.prefix ? ", last word completed" : "") + (o.typos ? "" : ", no typo correction");
        if (!translate) a.detail += ", no translation";
        for (const std::string& name : o.ranking.given()) a.detail += ", " + name + "=" + o.ranking.to_json()[name].dump();
        Result<Built> built = abstrakt_index(o, data, folder.value(), lang_tag);
        if (!built.is_ok()) return built.status();
        a.index_seconds = built->info.seconds;
        a.index_cached = built->cached;
        a.indexed = built->info.documents;
        auto engine = Engine::open(built->path, EngineLimits{}, std::make_shared<const RankingParams>(o.ranking),
                                   translate ? SharedTranslator::process() : nullptr);
        if (!engine.is_ok()) return engine.status();
        if (o.progress) o.progress(a.name + ": running " + with_commas(queries.size()) + " queries");
        auto started = Clock::now();
        for (size_t i = 0; i < queries.size(); ++i) {
            SearchRequest req;
            req.query = o.raw_queries ? queries[i]->text : plain_words(queries[i]->text);
            req.limit = kDepth;
            req.spelling = false;
            req.prefix = o.prefix;
            req.typos = o.typos;
            req.translate = translate;
            Result<SearchResponse> resp = engine.value()->search(req);
            std::vector<std::string> ranking;
            bool some_only = false;
            if (!resp.is_ok()) {
                if (resp.status().code() != ErrorCode::kInvalidArgument) return resp.status();
                ++a.refused;
                if (o.report) o.report("query " + r.query_ids[i] + ": " + a.name + " refused it: " + resp.message());
            } else {
                for (const Hit& h : resp->hits) ranking.push_back(h.id);
                for (const Notice& n : resp->notices) {
                    if (n.code == notice::kQueryUnparsed && main) ++r.unparsed;
                    if (n.code == notice::kSomeWords) some_only = true;
                }
            }
            if (main) {
                r.no_all_words += some_only;
                r.some_words_only.push_back(some_only);
            }
            score(a, std::move(ranking), data.qrels.at(r.query_ids[i]));
        }
        a.query_seconds = seconds_since(started);
        return Status::ok();
    };
    if (Status s = run_abstrakt(r.abstrakt, o.translate, true); !s.is_ok()) return s;
    SystemRun& a = r.abstrakt;
    if (o.translate_both) {
        r.peer.emplace();
        if (Status s = run_abstrakt(*r.peer, false, false); !s.is_ok()) return s;
    }

    // ---- FTS5 ----
    if (o.peer && !o.translate_both) {
        r.peer.emplace();
        SystemRun& p = *r.peer;
        const Fts5Tokenizer tokenizer = fts5_tokenizer_for(lang::primary(lang_tag));
        p.name = "FTS5";
        p.tag = "fts5";
        p.detail = std::string("SQLite ") + sqlite_version() + " FTS5, bm25(), tokenize='" + fts5_tokenizer_spec(tokenizer) +
                   "', query tokens OR-ed";
        Result<Built> built = fts5_index(o, data, folder.value(), tokenizer);
        if (!built.is_ok()) return built.status();
        p.index_seconds = built->info.seconds;
        p.index_cached = built->cached;
        p.indexed = built->info.documents;
        auto index = Fts5Index::open(built->path, tokenizer);
        if (!index.is_ok()) return index.status();
        if (o.progress) o.progress("FTS5: running " + with_commas(queries.size()) + " queries");
        auto started = Clock::now();
        for (size_t i = 0; i < queries.size(); ++i) {
            size_t dropped = 0;
            Result<std::vector<Fts5Hit>> hits = index.value()->search(queries[i]->text, kDepth, &dropped);
            std::vector<std::string> ranking;
            if (!hits.is_ok()) {
                ++p.refused;
                if (o.report) o.report("query " + r.query_ids[i] + ": FTS5 refused it: " + hits.message());
            } else {
                for (const Fts5Hit& h : hits.value()) ranking.push_back(h.id);
                if (ranking.empty() && dropped > 0 && fts5_query(queries[i]->text, tokenizer).match.empty()) ++r.peer_no_token;
            }
            r.peer_dropped_tokens += dropped;
            score(p, std::move(ranking), data.qrels.at(r.query_ids[i]));
        }
        p.query_seconds = seconds_since(started);
    }
    if (r.peer) {
        const SystemRun& p = *r.peer;
        r.permutations = o.permutations;
        r.p_ndcg10 = paired_randomisation_p(a.ndcg10, p.ndcg10, o.permutations, o.seed);
        r.p_recall100 = paired_randomisation_p(a.recall100, p.recall100, o.permutations, o.seed);
        r.p_rr10 = paired_randomisation_p(a.rr10, p.rr10, o.permutations, o.seed);
    }

    if (!o.per_query_path.empty())
        if (Status s = write_per_query(o.per_query_path, r); !s.is_ok()) return s;
    if (!o.run_dir.empty()) {
        a.run_file = run_path(o, r.dataset, a.tag);
        if (Status s = write_run(a.run_file, r.query_ids, a); !s.is_ok()) return s;
        if (r.peer) {
            r.peer->run_file = run_path(o, r.dataset, r.peer->tag);
            if (Status s = write_run(r.peer->run_file, r.query_ids, *r.peer); !s.is_ok()) return s;
        }
    }
    return r;
}

namespace {

// query id -> Abstrakt's nDCG@10, Recall@100, MRR@10 (the first three score columns).
Result<std::map<std::string, std::array<double, 3>>> read_per_query(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(ErrorCode::kInvalidArgument, path + ": cannot be read");
    std::map<std::string, std::array<double, 3>> out;
    std::string line;
    size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (number == 1) {
            if (line.rfind("query-id\tabstrakt.ndcg@10\tabstrakt.recall@100\tabstrakt.rr@10", 0) != 0)
                return Status(ErrorCode::kInvalidArgument, path + ":1: not a per-query file of abstrakt-eval");
            continue;
        }
        std::istringstream fields(line);
        std::string id;
        std::array<double, 3> v{};
        if (!std::getline(fields, id, '\t') || !(fields >> v[0] >> v[1] >> v[2]))
            return Status(ErrorCode::kInvalidArgument, path + ":" + std::to_string(number) + ": expected a query id and three scores");
        out[id] = v;
    }
    return out;
}

}  // namespace

Result<std::string> compare_per_query(const std::string& before, const std::string& after, uint32_t permutations) {
    auto a = read_per_query(before);
    if (!a.is_ok()) return a.status();
    auto b = read_per_query(after);
    if (!b.is_ok()) return b.status();
    std::array<std::vector<double>, 3> x, y;
    for (const auto& [id, scores] : a.value()) {
        auto it = b->find(id);
        if (it == b->end()) continue;
        for (size_t m = 0; m < 3; ++m) {
            x[m].push_back(scores[m]);
            y[m].push_back(it->second[m]);
        }
    }
    if (x[0].empty()) return Status(ErrorCode::kInvalidArgument, before + " and " + after + " have no query in common");
    std::ostringstream out;
    out << with_commas(x[0].size()) << " queries in both (" << with_commas(a->size()) << " before, " << with_commas(b->size())
        << " after)\n\nmetric        before   after   change  p\n";
    const char* names[] = {"nDCG@10   ", "Recall@100", "MRR@10    "};
    for (size_t m = 0; m < 3; ++m) {
        const double d = mean(y[m]) - mean(x[m]);
        out << names[m] << "    " << fixed(mean(x[m]), 4) << "  " << fixed(mean(y[m]), 4) << "  " << (d >= 0 ? "+" : "")
            << fixed(d, 4) << "  " << fixed(paired_randomisation_p(y[m], x[m], permutations), 4) << "\n";
    }
    return out.str();
}

Status write_per_query(const std::string& path, const EvalResult& r) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return Status(ErrorCode::kInvalidArgument, path + ": cannot be written");
    out << "query-id";
    for (const SystemRun* s : {&r.abstrakt, r.peer ? &*r.peer : nullptr})
        if (s) out << "\t" << s->tag << ".ndcg@10\t" << s->tag << ".recall@100\t" << s->tag << ".rr@10";
    out << "\tabstrakt.tier\n";
    for (size_t q = 0; q < r.query_ids.size(); ++q) {
        out << r.query_ids[q];
        for (const SystemRun* s : {&r.abstrakt, r.peer ? &*r.peer : nullptr})
            if (s) out << "\t" << fixed(s->ndcg10[q], 4) << "\t" << fixed(s->recall100[q], 4) << "\t" << fixed(s->rr10[q], 4);
        out << "\t" << (r.some_words_only[q] ? "some" : "all") << "\n";
    }
    out.close();
    if (!out) return Status(ErrorCode::kInvalidArgument, path + ": write failed");
    return Status::ok();
}

std::string format_result(const EvalResult& r) {
    std::ostringstream out;
    out << "abstrakt-eval: " << r.dataset << ", split " << r.split << ", language " << r.lang
        << (r.lang_detected ? " (detected)" : "") << "\n";
    out << "  " << with_commas(r.documents) << " documents; " << with_commas(r.judged_queries) << " judged queries, "
        << with_commas(r.query_ids.size()) << " evaluated";
    if (r.no_relevant) out << ", " << with_commas(r.no_relevant) << " without a relevant document skipped";
    if (r.missing_text) out << ", " << with_commas(r.missing_text) << " without text skipped";
    out << "\n\n";

    const SystemRun& a = r.abstrakt;
    const SystemRun* p = r.peer ? &*r.peer : nullptr;
    auto pad = [](std::string s, size_t w, bool right) {
        if (s.size() >= w) return s;
        return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
    };
    out << pad("metric", 12, false) << pad(a.name, 10, true);
    if (p) out << pad(p->name, 10, true) << pad("difference", 12, true) << pad("p", 9, true);
    out << "\n";
    auto row = [&](const char* name, const std::vector<double>& av, const std::vector<double>* pv, double pval) {
        out << pad(name, 12, false) << pad(fixed(mean(av), 4), 10, true);
        if (pv) {
            double d = mean(av) - mean(*pv);
            out << pad(fixed(mean(*pv), 4), 10, true) << pad((d >= 0 ? "+" : "") + fixed(d, 4), 12, true)
                << pad(pval < 0.0001 ? "<0.0001" : fixed(pval, 4), 9, true);
        }
        out << "\n";
    };
    row("nDCG@10", a.ndcg10, p ? &p->ndcg10 : nullptr, r.p_ndcg10);
    row("Recall@100", a.recall100, p ? &p->recall100 : nullptr, r.p_recall100);
    row("MRR@10", a.rr10, p ? &p->rr10 : nullptr, r.p_rr10);
    if (p)
        out << "  (p: two-sided paired randomisation test over the " << with_commas(r.query_ids.size()) << " queries, "
            << with_commas(r.permutations) << " sign permutations, fixed seed)\n";
    out << "\n";

    auto system_lines = [&](const SystemRun& s) {
        const double n = static_cast<double>(r.query_ids.size());
        out << s.name << ": " << s.detail << "\n";
        out << "  index    " << with_commas(s.indexed) << " documents, built in " << fixed(s.index_seconds, 1) << " s"
            << (s.index_cached ? " (cached)" : "") << "\n";
        out << "  queries  " << fixed(s.query_seconds, 2) << " s, " << fixed(s.query_seconds * 1000 / n, 2)
            << " ms per query; " << with_commas(s.empty) << " returned nothing";
        if (s.refused) out << ", " << with_commas(s.refused) << " refused";
        if (s.repeated) out << ", " << with_commas(s.repeated) << " listed a document twice (kept at its first rank)";
        out << "\n";
        if (!s.run_file.empty()) out << "  run      " << s.run_file << "\n";
    };
    system_lines(a);
    out << "  notes    " << with_commas(r.no_all_words) << " queries had no paper with every word (answered from the some-words tier)";
    if (r.raw_queries) out << "; " << with_commas(r.unparsed) << " did not parse as query syntax";
    out << "\n";
    if (p) {
        system_lines(*p);
        if (r.peer_dropped_tokens)
            out << "  notes    " << with_commas(r.peer_dropped_tokens)
                << " query tokens of 1-2 characters left out (no trigram); " << with_commas(r.peer_no_token)
                << " queries had no token left\n";
    }
    return out.str();
}

}  // namespace abstrakt::eval
