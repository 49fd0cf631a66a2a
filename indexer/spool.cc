#include "indexer/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/record.h"
#include "indexer/sync.h"

namespace abstrakt {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRequests = "requests.jsonl";

// Writes all of `data` to `fd`; false on an error.
bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

Status write_error(const fs::path& path) {
    return Status(ErrorCode::kUnavailable, "cannot write the spool file " + path.string() + ": " + std::strerror(errno));
}

// Writes `body` to `target` whole or not at all: into `temp` (synced), then renamed over `target`.
Status write_whole(const fs::path& target, const fs::path& temp, std::string_view body) {
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return write_error(temp);
    bool ok = write_all(fd, body) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(temp.c_str(), target.c_str()) != 0) {
        Status s = write_error(target);
        std::error_code ec;
        fs::remove(temp, ec);
        return s;
    }
    return Status::ok();
}

}  // namespace

Result<std::string> Spool::keep(const std::string& night, const std::string& source, const std::string& file,
                                const std::string& url, std::string_view body) {
    const fs::path dir = fs::path(dir_) / night / source;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Status(ErrorCode::kUnavailable, "cannot create the spool folder " + dir.string() + ": " + ec.message());

    // The body: a temporary file renamed into place, so that a listed file is always whole.
    const fs::path target = dir / file;
    if (Status s = write_whole(target, dir / ("." + file + ".tmp"), body); !s.is_ok()) return s;
    // Then its line. A line cut short by a crash does not parse and is ignored by find().
    const std::string line = nlohmann::json{{"url", url}, {"file", file}}.dump() + "\n";
    const fs::path list = dir / kRequests;
    const int fd = ::open(list.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return write_error(list);
    const bool ok = write_all(fd, line);
    ::close(fd);
    if (!ok) return write_error(list);
    if (auto cached = index_.find(night + "/" + source); cached != index_.end()) cached->second[file] = url;
    return target.string();
}

Status Spool::note_start(const std::string& night, const std::string& source, const RunStart& start) {
    const fs::path dir = fs::path(dir_) / night / source, path = dir / "start.json", temp = dir / ".start.json.tmp";
    std::error_code ec;
    if (fs::exists(path, ec)) return Status::ok();  // the night's first run says where the night began
    fs::create_directories(dir, ec);
    return write_whole(path, temp, nlohmann::json{{"watermark", start.watermark}, {"retry", start.retry}}.dump() + "\n");
}

std::optional<Spool::RunStart> Spool::start_of(const std::string& night, const std::string& source) const {
    std::ifstream in(fs::path(dir_) / night / source / "start.json", std::ios::binary);
    if (!in) return std::nullopt;
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (!j.is_object() || !j.contains("watermark") || !j["watermark"].is_string()) return std::nullopt;
    RunStart s;
    s.watermark = j["watermark"].get<std::string>();
    if (j.contains("retry") && j["retry"].is_string()) s.retry = j["retry"].get<std::string>();
    return s;
}

std::vector<std::string> Spool::nights() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_directory(ec) && valid_date(name)) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool Spool::has(const std::string& night, const std::string& source) const {
    std::error_code ec;
    return fs::exists(fs::path(dir_) / night / source / kRequests, ec);
}

Result<std::string> Spool::find(const std::string& night, const std::string& source, const std::string& file) const {
    const std::string key = night + "/" + source;
    auto cached = index_.find(key);
    if (cached == index_.end()) {
        std::map<std::string, std::string> files;
        std::ifstream in(fs::path(dir_) / night / source / kRequests, std::ios::binary);
        std::string line;
        while (std::getline(in, line)) {
            nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_object() && j.contains("url") && j["url"].is_string() && j.contains("file") && j["file"].is_string())
                files[j["file"].get<std::string>()] = j["url"].get<std::string>();
        }
        cached = index_.emplace(key, std::move(files)).first;
    }
    const fs::path path = fs::path(dir_) / night / source / file;
    std::error_code ec;
    if (!cached->second.count(file) || !fs::is_regular_file(path, ec))
        return Status(ErrorCode::kNotFound, "not in the spool of " + night + ": " + (fs::path(source) / file).string());
    return path.string();
}

void Spool::expire(const std::string& today, int days) const {
    if (days < 0 || !valid_date(today)) return;
    const std::string oldest_kept = add_days(today, -days);
    std::error_code ec;
    for (const std::string& night : nights())
        if (night < oldest_kept) fs::remove_all(fs::path(dir_) / night, ec);
}

}  // namespace abstrakt
