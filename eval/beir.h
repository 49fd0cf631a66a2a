// Reading a BEIR-format test collection:
//
//   DIR/corpus.jsonl        {"_id": "4983", "title": "...", "text": "..."}   one document a line
//   DIR/queries.jsonl       {"_id": "0", "text": "..."}                     one query a line
//   DIR/qrels/SPLIT.tsv     query-id <TAB> corpus-id <TAB> score            a header line, then judgements
//
// Other fields (BEIR's "metadata") are ignored. Blank lines are skipped, a UTF-8 byte order mark on the
// first line and a carriage return at the end of a line are ignored. A malformed line is reported as
// "PATH:LINE: reason" through the caller's report function and skipped, and counted; it never stops
// the reading. Limits: files are read whole into memory (BEIR's dev sets are megabytes).
#ifndef ABSTRAKT_EVAL_BEIR_H
#define ABSTRAKT_EVAL_BEIR_H

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "eval/metrics.h"

namespace abstrakt::eval {

struct BeirDoc {
    std::string id;
    std::string title;  // "" when absent or null
    std::string text;
    uint64_t line = 0;  // in corpus.jsonl, for messages
};

struct BeirQuery {
    std::string id;
    std::string text;
};

struct BeirData {
    std::vector<BeirDoc> corpus;     // in file order
    std::vector<BeirQuery> queries;  // in file order
    // The judgements of each query of the split, and the query ids in the order of their first line
    // in the qrels file (the order abstrakt-eval runs and reports them in).
    std::unordered_map<std::string, Judgements> qrels;
    std::vector<std::string> qrels_order;
    uint64_t skipped = 0;  // malformed and duplicate lines, over all three files
};

// Told each malformed line ("PATH:LINE: reason").
using Report = std::function<void(const std::string&)>;

// corpus.jsonl. Malformed: not a JSON object, `_id` missing, empty or neither a string nor a
// non-negative integer, `title` present but neither a string nor null, `text` missing or not a string,
// both title and text empty (nothing to index), an id seen before (the first stays).
// Errors: kNotFound when the file does not exist, kUnavailable when it cannot be read.
Result<std::vector<BeirDoc>> read_corpus(const std::string& path, const Report& report, uint64_t& skipped);

// queries.jsonl. Malformed: not a JSON object, `_id` as for the corpus, `text` missing or not a string,
// an id seen before. Errors as for read_corpus.
Result<std::vector<BeirQuery>> read_queries(const std::string& path, const Report& report, uint64_t& skipped);

// A qrels file into `out`. The first non-blank line is taken as the header when its third field is
// not an integer ("query-id corpus-id score"). Malformed: not exactly three tab-separated fields (a
// line with spaces instead of tabs is read as whitespace-separated when that gives three fields),
// an empty id, a score that is not an integer, a (query, document) pair seen before (the first
// stays). Errors as for read_corpus.
Status read_qrels(const std::string& path, BeirData& out, const Report& report);

// The splits that DIR/qrels/ has (file names without ".tsv"), sorted; empty when there is none.
std::vector<std::string> list_splits(const std::string& dir);

// All three files of `dir` for `split`. Errors: kNotFound when the directory, a file or the split is
// missing (the message names the path and, for a missing split, the splits there are);
// kUnavailable when a file cannot be read.
Result<BeirData> load_beir(const std::string& dir, const std::string& split, const Report& report);

}  // namespace abstrakt::eval

#endif  // ABSTRAKT_EVAL_BEIR_H
