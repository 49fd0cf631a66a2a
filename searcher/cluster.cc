#include "searcher/cluster.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/schema.h"
#include "common/shards.h"

namespace abstrakt {

namespace {

namespace fs = std::filesystem;

Status config_error(const std::string& where, const std::string& what) {
    return Status(ErrorCode::kInvalidArgument, where + ": " + what);
}

}  // namespace

std::optional<RemoteAddress> parse_remote(const std::string& replica) {
    const size_t colon = replica.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == replica.size()) return std::nullopt;
    const std::string port = replica.substr(colon + 1);
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    const unsigned long n = std::stoul(port);
    if (n == 0 || n > 65535) return std::nullopt;
    std::string host = replica.substr(0, colon);
    if (host.front() == '[') {  // [IPv6]
        if (host.size() < 3 || host.back() != ']') return std::nullopt;
        host = host.substr(1, host.size() - 2);
    } else if (host.find_first_of(":/ \t") != std::string::npos) {
        return std::nullopt;  // a path, or an IPv6 address without brackets
    }
    return RemoteAddress{host, static_cast<unsigned>(n)};
}

Result<ClusterConfig> ClusterConfig::parse(const std::string& text, const std::string& where, const std::string& dir) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        return config_error(where, std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object()) return config_error(where, "a cluster file is a JSON object");
    static const std::set<std::string> kKeys{"timeout_ms", "connect_timeout_ms", "retry_after_s", "reconnect_after_s", "shards"};
    for (const auto& [key, value] : j.items())
        if (!kKeys.count(key))
            return config_error(where, "unknown key \"" + key + "\" (known: timeout_ms, connect_timeout_ms, retry_after_s, reconnect_after_s, shards)");
    ClusterConfig c;
    try {
        const auto number = [&](const char* key, double lo, double hi, double fallback, double& out) -> Status {
            if (!j.contains(key)) {
                out = fallback;
                return Status::ok();
            }
            if (!j[key].is_number()) return config_error(where, std::string("\"") + key + "\" must be a number");
            out = j[key].get<double>();
            if (!(out >= lo && out <= hi))
                return config_error(where, std::string("\"") + key + "\" must be from " + std::to_string(static_cast<long>(lo)) + " to " +
                                               std::to_string(static_cast<long>(hi)));
            return Status::ok();
        };
        double timeout = 0, connect = 0, retry = 0, renew = 0;
        if (Status s = number("timeout_ms", 1, 600000, c.timeout_ms, timeout); !s.is_ok()) return s;
        if (Status s = number("connect_timeout_ms", 1, 60000, c.connect_timeout_ms, connect); !s.is_ok()) return s;
        if (Status s = number("retry_after_s", 0, 3600, c.retry_after_s, retry); !s.is_ok()) return s;
        if (Status s = number("reconnect_after_s", 0, 86400, c.reconnect_after_s, renew); !s.is_ok()) return s;
        c.timeout_ms = static_cast<unsigned>(timeout);
        c.connect_timeout_ms = static_cast<unsigned>(connect);
        c.retry_after_s = retry;
        c.reconnect_after_s = renew;
        if (!j.contains("shards") || !j["shards"].is_array() || j["shards"].empty())
            return config_error(where, "\"shards\" must be a non-empty array");
        if (j["shards"].size() > shards::kMaxShards)
            return config_error(where, "at most " + std::to_string(shards::kMaxShards) + " shards");
        std::set<std::string> names;
        for (const auto& s : j["shards"]) {
            Shard shard;
            const std::string at = "shard " + std::to_string(c.shards.size());
            if (!s.is_object()) return config_error(where, at + " must be an object with \"replicas\"");
            for (const auto& [key, value] : s.items())
                if (key != "name" && key != "replicas") return config_error(where, at + ": unknown key \"" + key + "\" (known: name, replicas)");
            shard.name = s.contains("name") ? s["name"].get<std::string>() : shards::shard_name(static_cast<unsigned>(c.shards.size()));
            if (shard.name.empty() || shard.name.size() > 100) return config_error(where, at + ": \"name\" must be 1 to 100 bytes");
            if (!names.insert(shard.name).second) return config_error(where, at + ": the name \"" + shard.name + "\" is used twice");
            if (!s.contains("replicas") || !s["replicas"].is_array() || s["replicas"].empty())
                return config_error(where, at + " (" + shard.name + "): \"replicas\" must be a non-empty array of \"host:port\" or paths");
            for (const auto& r : s["replicas"]) {
                std::string replica = r.get<std::string>();
                if (replica.empty()) return config_error(where, at + " (" + shard.name + "): a replica is an empty string");
                if (!parse_remote(replica) && fs::path(replica).is_relative()) replica = (fs::path(dir) / replica).string();
                shard.replicas.push_back(std::move(replica));
            }
            c.shards.push_back(std::move(shard));
        }
    } catch (const nlohmann::json::exception& e) {
        return config_error(where, std::string("a value has the wrong type: ") + e.what());
    }
    return c;
}

Result<ClusterConfig> ClusterConfig::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(ErrorCode::kNotFound, path + ": cannot read the cluster file");
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), path, fs::absolute(fs::path(path)).parent_path().string());
}

bool is_cluster_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    std::ifstream in(path, std::ios::binary);
    char c = 0;
    while (in.get(c))
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return c == '{';
    return false;
}

ClusterConnection::ClusterConnection(ClusterConfig config) : config_(std::move(config)), state_(config_.shards.size()) {
    for (size_t k = 0; k < state_.size(); ++k) state_[k].failed_at.assign(config_.shards[k].replicas.size(), {});
}

bool ClusterConnection::connect(size_t k) {
    ShardState& st = state_[k];
    const auto& replicas = config_.shards[k].replicas;
    const auto now = std::chrono::steady_clock::now();
    const auto rest = std::chrono::duration<double>(config_.retry_after_s);
    for (size_t tried = 0; tried < replicas.size(); ++tried) {
        const size_t r = (st.current + tried) % replicas.size();
        if (st.failed_at[r] != std::chrono::steady_clock::time_point{} && now - st.failed_at[r] < rest) continue;
        try {
            Xapian::Database db;
            if (std::optional<RemoteAddress> a = parse_remote(replicas[r]))
                db = Xapian::Remote::open(a->host, a->port, config_.timeout_ms, config_.connect_timeout_ms);
            else
                db = Xapian::Database(replicas[r]);
            if (std::string wrong = schema::version_mismatch(db, replicas[r]); !wrong.empty()) throw Xapian::DatabaseVersionError(wrong);
            st.db = db;
            st.current = r;
            st.open = true;
            st.opened_at = std::chrono::steady_clock::now();
            st.error.clear();
            return true;
        } catch (const Xapian::Error& e) {
            st.failed_at[r] = std::chrono::steady_clock::now();
            st.error = replicas[r] + ": " + e.get_type() + ": " + e.get_msg();
        }
    }
    return false;
}

Xapian::Database& ClusterConnection::database(bool& changed) {
    changed = false;
    const auto now = std::chrono::steady_clock::now();
    for (size_t k = 0; k < state_.size(); ++k) {
        ShardState& st = state_[k];
        if (st.open && config_.reconnect_after_s > 0 && now - st.opened_at >= std::chrono::duration<double>(config_.reconnect_after_s)) {
            st.open = false;  // renewed below, from the same replica first
            st.db = Xapian::Database();
            dirty_ = true;
        }
        if (!st.open && connect(k)) dirty_ = true;
    }
    if (dirty_) {
        combined_ = Xapian::Database();
        for (const ShardState& st : state_)
            if (st.open) combined_.add_database(st.db);
        dirty_ = false;
        changed = true;
    }
    return combined_;
}

bool ClusterConnection::drop_failed() {
    bool dropped = false;
    for (size_t k = 0; k < state_.size(); ++k) {
        ShardState& st = state_[k];
        if (!st.open) continue;
        auto drop = [&](const Xapian::Error& e, bool unreachable) {
            st.error = config_.shards[k].replicas[st.current] + ": " + e.get_type() + ": " + e.get_msg();
            st.db = Xapian::Database();
            st.open = false;
            if (unreachable) {
                st.failed_at[st.current] = std::chrono::steady_clock::now();
                st.current = (st.current + 1) % config_.shards[k].replicas.size();
            }
            dropped = dirty_ = true;
        };
        try {
            st.db.reopen();
            (void)st.db.get_doccount();
        } catch (const Xapian::NetworkTimeoutError& e) {
            // No answer within timeout_ms: the next replica, without waiting again here. A timeout
            // that the server reports ("REMOTE:..."), it had on its side: xapian-tcpsrv closes a
            // connection idle for its --idle-timeout and says so on the next request; it answered.
            drop(e, e.get_msg().rfind("REMOTE:", 0) != 0);
        } catch (const Xapian::Error& e) {
            // A connection closed (by xapian-tcpsrv after --idle-timeout, or because the server died) or
            // a database replaced under the server: database() opens this replica again first, and
            // marks it failed only if that fails too (at once when nothing listens).
            drop(e, false);
        }
    }
    return dropped;
}

std::vector<std::string> ClusterConnection::missing() const {
    std::vector<std::string> out;
    for (size_t k = 0; k < state_.size(); ++k)
        if (!state_[k].open) out.push_back(config_.shards[k].name);
    return out;
}

std::vector<std::string> ClusterConnection::failures() const {
    std::vector<std::string> out;
    for (size_t k = 0; k < state_.size(); ++k)
        if (!state_[k].open) out.push_back(config_.shards[k].name + ": " + state_[k].error);
    return out;
}

std::vector<std::string> ClusterConnection::serving() const {
    std::vector<std::string> out;
    for (size_t k = 0; k < state_.size(); ++k) out.push_back(state_[k].open ? config_.shards[k].replicas[state_[k].current] : "");
    return out;
}

}  // namespace abstrakt
