// What `abstrakt-index stats` reports about an index.
#ifndef ABSTRAKT_INDEXER_STATS_H
#define ABSTRAKT_INDEXER_STATS_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace abstrakt {

struct IndexStats {
    uint64_t documents = 0;
    std::vector<std::pair<std::string, uint64_t>> languages;  // primary subtag, documents with text in it
    uint64_t terms = 0;        // distinct terms, prefixed ones included
    uint64_t bytes = 0;        // size of the index's files on disk
    // Xapian revision: grows by one with each commit; for a sharded index the sum of the shards'
    // revisions, which grows with every commit that changes a shard.
    uint64_t revision = 0;
    unsigned shards = 1;       // databases the index is made of (common/shards.h)
    std::vector<uint64_t> shard_documents;  // documents of each shard, when there are several
    std::string oldest, newest;  // publication dates, "" when no record has one
};

// Reads the statistics of the index at `path`. kNotFound when there is no index there.
Result<IndexStats> read_stats(const std::string& path);

}  // namespace abstrakt

#endif  // ABSTRAKT_INDEXER_STATS_H
