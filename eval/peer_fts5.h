// The peer system abstrakt-eval compares Abstrakt with: SQLite FTS5 used as it comes, with bm25()
// ranking (k1 = 1.2, b = 0.75, title and text columns weighted alike).
//
// Tokenizer by corpus language: `porter unicode61` for English; `trigram` for Chinese, Japanese and
// Thai, which are written without spaces between words; `unicode61` for any other language (the
// porter stemmer is English-only).
//
// Queries are built from the query text, never spliced into FTS5 syntax: the text is cut into
// tokens the way unicode61 cuts it (runs of letters, marks and digits; everything else separates),
// each token is quoted as an FTS5 string ("..." with any " doubled) and the tokens are joined with
// OR. With the trigram tokenizer a quoted token matches where it occurs as a substring, and a token
// of one or two characters has no trigram and cannot match: such tokens are left out of the query,
// and a query left with no token returns nothing (the caller counts both).
#ifndef ABSTRAKT_EVAL_PEER_FTS5_H
#define ABSTRAKT_EVAL_PEER_FTS5_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "eval/beir.h"

struct sqlite3;

namespace abstrakt::eval {

enum class Fts5Tokenizer { kPorter, kUnicode61, kTrigram };

// The version of the SQLite library linked in ("3.40.1").
std::string sqlite_version();

// The tokenizer for a corpus in language `primary_lang` (a primary subtag).
Fts5Tokenizer fts5_tokenizer_for(std::string_view primary_lang);

// The `tokenize=` argument of the FTS5 table ("porter unicode61", "unicode61", "trigram").
const char* fts5_tokenizer_spec(Fts5Tokenizer t);

// The tokens of `text` as unicode61 would cut them (runs of Unicode letters, marks, digits and
// private-use characters), in order, as they appear in the text. Invalid UTF-8 bytes separate.
std::vector<std::string> fts5_tokens(std::string_view text);

struct Fts5Query {
    std::string match;   // the MATCH expression: "tok1" OR "tok2" ...; "" when no token is left
    size_t dropped = 0;  // tokens left out because the trigram tokenizer cannot match them
};

// The MATCH expression for the query text (see the header comment). Duplicate tokens are kept once.
Fts5Query fts5_query(std::string_view text, Fts5Tokenizer t);

struct Fts5Hit {
    std::string id;
    double bm25 = 0;  // SQLite's bm25(): lower is better (it is negative)
};

class Fts5Index {
  public:
    // Creates the database file `path` (it must not exist) with one FTS5 table of `docs` (columns
    // id unindexed, title, text), in one transaction. Errors: kUnavailable when SQLite cannot create
    // or write the file, kInternal when FTS5 (or the tokenizer) is missing from this SQLite.
    static Result<std::unique_ptr<Fts5Index>> build(const std::string& path, const std::vector<BeirDoc>& docs,
                                                    Fts5Tokenizer tokenizer);
    // Opens a database that build() wrote, read-only. Errors: kNotFound (no file), kUnavailable.
    static Result<std::unique_ptr<Fts5Index>> open(const std::string& path, Fts5Tokenizer tokenizer);
    ~Fts5Index();
    Fts5Index(const Fts5Index&) = delete;
    Fts5Index& operator=(const Fts5Index&) = delete;

    // The best `limit` documents for the query text, by bm25() and then by insertion order; empty when
    // the query has no usable token. `dropped` is set as in Fts5Query. Errors: kInternal when SQLite
    // refuses the query (it should not: the expression is built from quoted tokens only).
    Result<std::vector<Fts5Hit>> search(std::string_view query, size_t limit, size_t* dropped = nullptr);

    uint64_t documents() const { return documents_; }

  private:
    Fts5Index(sqlite3* db, Fts5Tokenizer tokenizer);
    Status prepare();
    sqlite3* db_ = nullptr;
    struct Statement;
    std::unique_ptr<Statement> search_;
    Fts5Tokenizer tokenizer_;
    uint64_t documents_ = 0;
};

}  // namespace abstrakt::eval

#endif  // ABSTRAKT_EVAL_PEER_FTS5_H
