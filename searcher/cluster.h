// Searching shards on other machines: the cluster file, and the connections of one engine to the
// shards' replicas, with failover.
//
// A cluster file is JSON (docs/scale-out.md):
//   {"timeout_ms": 2000, "connect_timeout_ms": 1000, "retry_after_s": 5,
//    "shards": [{"name": "shard-0", "replicas": ["10.0.0.1:7100", "10.0.0.2:7100"]},
//               {"name": "shard-1", "replicas": ["/srv/abstrakt/shard-1"]}]}
// Each shard lists replicas of the same database: `host:port` of a `xapian-tcpsrv` that serves it, or
// a local path (relative paths are taken from the file's folder). The searcher opens one replica per
// shard (the first that answers, in the listed order) and combines them with Xapian, which computes
// every weight from the statistics of all shards together: the ranking is that of one index of the
// same papers. Xapian's stub files can list shards too, but neither replicas nor the handling of a
// shard that does not answer; a cluster file is for that.
#ifndef ABSTRAKT_SEARCHER_CLUSTER_H
#define ABSTRAKT_SEARCHER_CLUSTER_H

#include <xapian.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace abstrakt {

struct ClusterConfig {
    struct Shard {
        std::string name;                   // in responses' missing_shards; default "shard-K"
        std::vector<std::string> replicas;  // "host:port" or a path, tried in this order
    };
    std::vector<Shard> shards;
    // Every exchange with a remote replica (Xapian's remote timeout): a replica that has not answered
    // within this is given up for the request, which goes on with the next replica of its shard.
    unsigned timeout_ms = 2000;
    unsigned connect_timeout_ms = 1000;  // to open a TCP connection to a replica
    // A replica that failed is not tried again for this long, so that a host that is down costs one
    // timeout per this period and engine rather than one per request.
    double retry_after_s = 5;
    // A connection older than this is replaced by a new one at the next request. A tcpsrv that
    // serves a path behind a generations link shows a new connection the generation served now, but
    // an open one goes on reading the old generation when the two have the same revision (Xapian's
    // reopen() sees nothing new): this bounds how long. 0 never renews.
    double reconnect_after_s = 60;

    // Reads a cluster file. Errors (kInvalidArgument, kNotFound when it cannot be read) name the file
    // and what is wrong in it.
    static Result<ClusterConfig> load(const std::string& path);
    // The same for a text already read; `dir` is the folder relative paths are taken from.
    static Result<ClusterConfig> parse(const std::string& text, const std::string& where, const std::string& dir);
};

// Whether `path` is a cluster file rather than an index or a Xapian stub file: a regular file whose
// first byte other than white space is '{'.
bool is_cluster_file(const std::string& path);

// A replica's address: `host:port` (port 1 to 65535; an IPv6 host in brackets, "[::1]:7100") when
// `replica` has that form, else nullopt (a path).
struct RemoteAddress {
    std::string host;
    unsigned port = 0;
};
std::optional<RemoteAddress> parse_remote(const std::string& replica);

// One engine's connections to the shards of a cluster. Not thread-safe (nor are the Xapian objects it
// holds): each Engine has its own.
class ClusterConnection {
  public:
    explicit ClusterConnection(ClusterConfig config);

    // The shards that answer, combined; connects first each shard that has no replica open, trying
    // its replicas in order and skipping those that failed less than retry_after_s ago (so a shard
    // down costs at most one timeout per replica per retry_after_s). A database with no shard when
    // none answers. `changed` is set when the set of open replicas is not the one of the last call.
    Xapian::Database& database(bool& changed);

    // After a NetworkError, or a replica's database gone from under its server (a full copy by
    // xapian-replicate removes the old one): asks every open replica for its newest revision (bounded
    // by timeout_ms) and closes those that fail. One that did not answer in time is marked failed and
    // its shard moves on to the next replica; any other failure (a connection the server closed, when
    // idle or dying; a database replaced) is opened again first at the next database() call, where it
    // is marked failed if that fails too. False when every open replica answered (the error is not
    // one of a replica; it is not worth trying again).
    bool drop_failed();

    // The names of the shards with no replica open, in the file's order.
    std::vector<std::string> missing() const;
    // Why each missing shard is missing (its last replica's error), "name: error", in the same order.
    std::vector<std::string> failures() const;
    // The replica each shard reads from, "" for a missing shard.
    std::vector<std::string> serving() const;
    const ClusterConfig& config() const { return config_; }

  private:
    struct ShardState {
        size_t current = 0;  // index of the replica open (or to try first)
        bool open = false;
        std::chrono::steady_clock::time_point opened_at;
        Xapian::Database db;
        std::vector<std::chrono::steady_clock::time_point> failed_at;  // per replica; epoch: never
        std::string error;
    };
    bool connect(size_t shard);
    ClusterConfig config_;
    std::vector<ShardState> state_;
    Xapian::Database combined_;
    bool dirty_ = true;
};

}  // namespace abstrakt

#endif  // ABSTRAKT_SEARCHER_CLUSTER_H
