// Reading a whole index back out: its records as JSON Lines (`abstrakt-index export`), and a digest
// of every document (`abstrakt-index digest`) that tells whether two indexes hold the same thing.
#ifndef ABSTRAKT_INDEXER_EXPORT_H
#define ABSTRAKT_INDEXER_EXPORT_H

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"

namespace abstrakt {

// Calls `line` with each stored record of the index at `path` in canonical JSON (the record format:
// `abstrakt-index add` reads it back), in order of id. Returns the number of records. Errors:
// kNotFound (no index), kUnavailable (the index failed).
Result<uint64_t> export_records(const std::string& path, const std::function<void(const std::string&)>& line);

// Calls `line` with "doc ID HASH" for each document, in order of id, then "meta KEY VALUE" for each
// of Abstrakt's metadata keys (the schema version, the sources' watermarks, their retry lists with
// the days only, not how often each was tried), in order of key. HASH
// is 16 hex digits of a 64-bit FNV-1a over the document's stored record, every term with its wdf
// and positions, and every value slot: two documents with the same line are indexed the same way,
// whatever their document ids. The docids and the Xapian revision are left out on purpose.
Result<uint64_t> digest_index(const std::string& path, const std::function<void(const std::string&)>& line);

}  // namespace abstrakt

#endif  // ABSTRAKT_INDEXER_EXPORT_H
