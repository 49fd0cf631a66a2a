// Sharded indexes: which shard holds a paper, and how the shards of one index lie on disk.
//
// A sharded index is a folder that holds N Xapian databases, `shard-0` ... `shard-(N-1)`, and a Xapian
// stub file named `XAPIANDB` that lists them (`auto shard-0`, one line each, in order). Xapian opens
// such a folder as one database over all the shards, combining their statistics, so every reader that
// opens an index path (the searcher, export, stats) reads a sharded index without knowing it; only the
// writer (indexer/writer.h) opens the shards one by one. Behind a generations link (indexer/generations.h)
// the whole folder is one generation, so a rebuild switches all the shards with one rename.
//
// A paper lives in shard shard_of(id, N): FNV-1a of its id, modulo N. The rule depends on nothing
// but the id and N, so sync, delete and upsert find a paper's shard again on any machine and in any
// run; changing N means a rebuild (`abstrakt-index rebuild --shards N`).
#ifndef ABSTRAKT_COMMON_SHARDS_H
#define ABSTRAKT_COMMON_SHARDS_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace abstrakt::shards {

// The stub file Xapian looks for in a folder it is asked to open.
inline constexpr const char* kStubFile = "XAPIANDB";
// Shards an index may have (a folder each, and one open database each in the writer).
inline constexpr unsigned kMaxShards = 64;

// FNV-1a, 64 bits: the same on every run and machine.
uint64_t id_hash(std::string_view id);

// The shard (0 to n - 1) of the paper with this id in an index of n shards; 0 when n is 0 or 1.
unsigned shard_of(std::string_view id, unsigned n);

// "shard-K": shard K's folder, relative to the index folder.
std::string shard_name(unsigned k);

// The stub file's text for n shards.
std::string stub_text(unsigned n);

// Writes that stub file into the folder `dir`. Errors: kUnavailable when it cannot be written.
Status write_stub(const std::string& dir, unsigned n);

// The number of shards of the index at `path` (a folder, or a link to one): 0 for a single Xapian
// database (no stub file), N for a sharded index. Errors: kInvalidArgument when `path` has a stub file
// that is not exactly the N lines stub_text(N) writes (a hand-written stub, remote shards: they can be
// searched, but not written by abstrakt-index).
Result<unsigned> count(const std::string& path);

}  // namespace abstrakt::shards

#endif  // ABSTRAKT_COMMON_SHARDS_H
