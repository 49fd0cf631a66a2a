#include "eval/peer_fts5.h"

#include <sqlite3.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <filesystem>
#include <set>

namespace abstrakt::eval {

std::string sqlite_version() { return sqlite3_libversion(); }

Fts5Tokenizer fts5_tokenizer_for(std::string_view primary_lang) {
    if (primary_lang == "en") return Fts5Tokenizer::kPorter;
    if (primary_lang == "zh" || primary_lang == "ja" || primary_lang == "th") return Fts5Tokenizer::kTrigram;
    return Fts5Tokenizer::kUnicode61;
}

const char* fts5_tokenizer_spec(Fts5Tokenizer t) {
    switch (t) {
        case Fts5Tokenizer::kPorter: return "porter unicode61";
        case Fts5Tokenizer::kUnicode61: return "unicode61";
        case Fts5Tokenizer::kTrigram: return "trigram";
    }
    return "unicode61";
}

std::vector<std::string> fts5_tokens(std::string_view text) {
    std::vector<std::string> out;
    const auto* s = reinterpret_cast<const uint8_t*>(text.data());
    const int32_t length = static_cast<int32_t>(text.size());
    int32_t i = 0, start = -1;
    while (i < length) {
        const int32_t at = i;
        UChar32 c;
        U8_NEXT(s, i, length, c);
        const bool token_char =
            c >= 0 && (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK | U_GC_CO_MASK)) != 0;
        if (token_char && start < 0) start = at;
        if (!token_char && start >= 0) {
            out.emplace_back(text.substr(start, at - start));
            start = -1;
        }
    }
    if (start >= 0) out.emplace_back(text.substr(start));
    return out;
}

Fts5Query fts5_query(std::string_view text, Fts5Tokenizer t) {
    Fts5Query q;
    std::set<std::string> seen;
    for (const std::string& token : fts5_tokens(text)) {
        if (t == Fts5Tokenizer::kTrigram) {
            int32_t chars = 0;
            for (unsigned char c : token) chars += (c & 0xC0) != 0x80;  // UTF-8 lead bytes
            if (chars < 3) {
                ++q.dropped;
                continue;
            }
        }
        if (!seen.insert(token).second) continue;
        std::string quoted = "\"";
        for (char c : token) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
        quoted += '"';
        q.match += (q.match.empty() ? "" : " OR ") + quoted;
    }
    return q;
}

struct Fts5Index::Statement {
    sqlite3_stmt* stmt = nullptr;
    ~Statement() { sqlite3_finalize(stmt); }
};

namespace {

Status sqlite_error(sqlite3* db, ErrorCode code, const std::string& what) {
    return Status(code, what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

Status exec(sqlite3* db, const char* sql, const std::string& what) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK) return Status::ok();
    std::string m = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return Status(m.find("no such module") != std::string::npos || m.find("no such tokenizer") != std::string::npos
                      ? ErrorCode::kInternal
                      : ErrorCode::kUnavailable,
                  what + ": " + m);
}

}  // namespace

Fts5Index::Fts5Index(sqlite3* db, Fts5Tokenizer tokenizer) : db_(db), tokenizer_(tokenizer) {}

Fts5Index::~Fts5Index() {
    search_.reset();
    sqlite3_close(db_);
}

Status Fts5Index::prepare() {
    search_ = std::make_unique<Statement>();
    if (sqlite3_prepare_v2(db_, "SELECT id, bm25(docs) FROM docs WHERE docs MATCH ?1 ORDER BY bm25(docs), rowid LIMIT ?2",
                           -1, &search_->stmt, nullptr) != SQLITE_OK)
        return sqlite_error(db_, ErrorCode::kUnavailable, "FTS5 index");
    sqlite3_stmt* count = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT count(*) FROM docs", -1, &count, nullptr) != SQLITE_OK)
        return sqlite_error(db_, ErrorCode::kUnavailable, "FTS5 index");
    if (sqlite3_step(count) == SQLITE_ROW) documents_ = static_cast<uint64_t>(sqlite3_column_int64(count, 0));
    sqlite3_finalize(count);
    return Status::ok();
}

Result<std::unique_ptr<Fts5Index>> Fts5Index::build(const std::string& path, const std::vector<BeirDoc>& docs,
                                                     Fts5Tokenizer tokenizer) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) return Status(ErrorCode::kUnavailable, path + ": already exists");
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
        Status s = sqlite_error(db, ErrorCode::kUnavailable, "cannot create " + path);
        sqlite3_close(db);
        return s;
    }
    std::unique_ptr<Fts5Index> index(new Fts5Index(db, tokenizer));
    // The file is built in a temporary place and renamed into the cache when complete, so neither a
    // journal nor syncs are needed.
    if (Status s = exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF", path); !s.is_ok()) return s;
    const std::string create = std::string("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, tokenize='") +
                               fts5_tokenizer_spec(tokenizer) + "')";
    if (Status s = exec(db, create.c_str(), "FTS5 table in " + path); !s.is_ok()) return s;
    if (Status s = exec(db, "BEGIN", path); !s.is_ok()) return s;
    {
        Statement insert;
        if (sqlite3_prepare_v2(db, "INSERT INTO docs(id, title, text) VALUES (?1, ?2, ?3)", -1, &insert.stmt, nullptr) != SQLITE_OK)
            return sqlite_error(db, ErrorCode::kUnavailable, path);
        for (const BeirDoc& d : docs) {
            sqlite3_bind_text(insert.stmt, 1, d.id.data(), static_cast<int>(d.id.size()), SQLITE_STATIC);
            sqlite3_bind_text(insert.stmt, 2, d.title.data(), static_cast<int>(d.title.size()), SQLITE_STATIC);
            sqlite3_bind_text(insert.stmt, 3, d.text.data(), static_cast<int>(d.text.size()), SQLITE_STATIC);
            if (sqlite3_step(insert.stmt) != SQLITE_DONE)
                return sqlite_error(db, ErrorCode::kUnavailable, path + ": document " + d.id);
            sqlite3_reset(insert.stmt);
        }
    }
    if (Status s = exec(db, "COMMIT", path); !s.is_ok()) return s;
    // One b-tree per term instead of one per flush: what a deployed index would be.
    if (Status s = exec(db, "INSERT INTO docs(docs) VALUES('optimize')", path); !s.is_ok()) return s;
    if (Status s = index->prepare(); !s.is_ok()) return s;
    return index;
}

Result<std::unique_ptr<Fts5Index>> Fts5Index::open(const std::string& path, Fts5Tokenizer tokenizer) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Status(ErrorCode::kNotFound, path + ": no such file");
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        Status s = sqlite_error(db, ErrorCode::kUnavailable, "cannot open " + path);
        sqlite3_close(db);
        return s;
    }
    std::unique_ptr<Fts5Index> index(new Fts5Index(db, tokenizer));
    if (Status s = index->prepare(); !s.is_ok()) return s;
    return index;
}

Result<std::vector<Fts5Hit>> Fts5Index::search(std::string_view query, size_t limit, size_t* dropped) {
    Fts5Query q = fts5_query(query, tokenizer_);
    if (dropped) *dropped = q.dropped;
    std::vector<Fts5Hit> hits;
    if (q.match.empty()) return hits;
    sqlite3_stmt* st = search_->stmt;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, q.match.data(), static_cast<int>(q.match.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(limit));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        Fts5Hit h;
        const unsigned char* id = sqlite3_column_text(st, 0);
        h.id = id ? reinterpret_cast<const char*>(id) : "";
        h.bm25 = sqlite3_column_double(st, 1);
        hits.push_back(std::move(h));
    }
    if (rc != SQLITE_DONE) {
        Status s = sqlite_error(db_, ErrorCode::kInternal, "FTS5 query " + q.match);
        sqlite3_reset(st);
        return s;
    }
    sqlite3_reset(st);
    return hits;
}

}  // namespace abstrakt::eval
