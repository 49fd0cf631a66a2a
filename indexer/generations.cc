#include "indexer/generations.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "indexer/writer.h"

namespace abstrakt {

namespace fs = std::filesystem;

namespace {

Status io_error(const std::string& what, const std::error_code& ec) {
    return {ErrorCode::kUnavailable, what + ": " + ec.message()};
}

// The process id at the end of `entry` when it is STEM + PID; 0 otherwise.
long pid_after(const std::string& entry, const std::string& stem) {
    if (entry.size() <= stem.size() || entry.size() > stem.size() + 10 || entry.compare(0, stem.size(), stem) != 0) return 0;
    const std::string pid = entry.substr(stem.size());
    return pid.find_first_not_of("0123456789") == std::string::npos ? std::strtol(pid.c_str(), nullptr, 10) : 0;
}

bool parse_generation(const std::string& name, uint64_t& out) {
    if (name.empty() || name.size() > 18) return false;
    for (char c : name)
        if (c < '0' || c > '9') return false;
    out = std::stoull(name);
    return out > 0;
}

// Makes `served` a link to `dir`/`generation` with one rename(2) of a fresh link over it. The link
// holds a path relative to the served path's folder, so that the whole tree can move.
Status point_at(const std::string& served, const std::string& dir, uint64_t generation) {
    const std::string target = fs::path(dir).filename().string() + "/" + std::to_string(generation);
    const std::string stem = served + ".switch-";
    const std::string temp = stem + std::to_string(::getpid());
    std::error_code ec;
    // The links of switches that were killed before their rename (their process is gone).
    const fs::path parent = fs::path(served).has_parent_path() ? fs::path(served).parent_path() : fs::path(".");
    const std::string name = fs::path(stem).filename().string();
    for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec))
        if (process_gone(pid_after(it->path().filename().string(), name))) fs::remove(it->path(), ec);
    fs::remove(temp, ec);
    if (::symlink(target.c_str(), temp.c_str()) != 0)
        return {ErrorCode::kUnavailable, "cannot create the link " + temp + ": " + std::strerror(errno)};
    if (std::rename(temp.c_str(), served.c_str()) != 0) {
        int err = errno;
        fs::remove(temp, ec);
        return {ErrorCode::kUnavailable, "cannot switch " + served + ": " + std::strerror(err)};
    }
    return Status::ok();
}

}  // namespace

Generations::Generations(const std::string& served_path) : served(served_path), dir(served_path + ".generations") {
    while (served.size() > 1 && served.back() == '/') served.pop_back();
    dir = served + ".generations";
}

std::string Generations::path_of(uint64_t generation) const { return dir + "/" + std::to_string(generation); }

// A generation is taken out of the list with one rename(2) to `.N.deleting-PID`, then deleted: a job
// killed while deleting it leaves that folder (clear_dead() removes it), never a generation with part
// of its files. (Before, switch_to() deleted the generations older than the one kept for rollback in
// place: a kill on the way could leave one half deleted, which a second `rollback` would serve and
// which tests/e2e/kill.sh, checking every generation that rollback can reach, would find.)
void Generations::discard(uint64_t generation) {
    std::error_code ec;
    const std::string aside = dir + "/." + std::to_string(generation) + ".deleting-" + std::to_string(::getpid());
    fs::remove_all(aside, ec);
    fs::rename(path_of(generation), aside, ec);
    fs::remove_all(ec ? path_of(generation) : aside, ec);
}

// What killed jobs left in the generations folder: generations being deleted (discard()), and the
// folders of a new generation being made (writer.h: remove_dead_builds).
void Generations::clear_dead() const {
    std::error_code ec;
    remove_dead_builds(dir, "");
    std::vector<fs::path> dead;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string entry = it->path().filename().string();
        const size_t at = entry.find(".deleting-", 1);
        if (entry[0] == '.' && at != std::string::npos && process_gone(pid_after(entry, entry.substr(0, at) + ".deleting-")))
            dead.push_back(it->path());
    }
    for (const fs::path& p : dead) fs::remove_all(p, ec);
}

Result<uint64_t> Generations::current() const {
    std::error_code ec;
    fs::file_status st = fs::symlink_status(served, ec);
    if (ec || !fs::exists(st)) return uint64_t{0};
    if (!fs::is_symlink(st))
        return Status(ErrorCode::kInvalidArgument,
                      served + " is an index directory, not a link to a generation; run `abstrakt-index adopt` once (while nothing serves it) to turn it into generation 1");
    fs::path target = fs::read_symlink(served, ec);
    if (ec) return io_error("cannot read the link " + served, ec);
    uint64_t g = 0;
    if (target.parent_path().filename() != fs::path(dir).filename() || !parse_generation(target.filename(), g))
        return Status(ErrorCode::kInvalidArgument, served + " points to " + target.string() + ", not to a generation in " + dir);
    return g;
}

std::vector<uint64_t> Generations::list() const {
    std::vector<uint64_t> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        uint64_t g = 0;
        if (e.is_directory(ec) && parse_generation(e.path().filename(), g)) out.push_back(g);
    }
    std::sort(out.begin(), out.end());
    return out;
}

Result<std::string> Generations::prepare_next() {
    Result<uint64_t> cur = current();
    if (!cur.is_ok()) return cur.status();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return io_error("cannot create " + dir, ec);
    // (Regression, tests/e2e/kill.sh: a parallel rebuild killed on the way, then a rebuild on one
    // thread, left that generation's partial indexes for good; a parallel rebuild removed only those
    // of the generation it built.)
    clear_dead();
    // A generation newer than the served one is a rebuild that never switched, or one rolled back
    // from: the new build takes its place.
    for (uint64_t g : list())
        if (g > cur.value()) discard(g);
    return path_of(cur.value() + 1);
}

Status Generations::switch_to(uint64_t generation) {
    Result<uint64_t> before = current();
    if (!before.is_ok()) return before.status();
    std::error_code ec;
    if (!fs::is_directory(path_of(generation), ec))
        return {ErrorCode::kNotFound, "generation " + std::to_string(generation) + " does not exist in " + dir};
    if (Status s = point_at(served, dir, generation); !s.is_ok()) return s;
    // Keep the generation that was served (for rollback) and everything newer; drop the rest.
    for (uint64_t g : list())
        if (g < before.value() && g != generation) discard(g);
    return Status::ok();
}

Result<uint64_t> Generations::rollback() {
    Result<uint64_t> cur = current();
    if (!cur.is_ok()) return cur.status();
    uint64_t previous = 0;
    for (uint64_t g : list())
        if (g < cur.value()) previous = g;
    if (previous == 0) return Status(ErrorCode::kNotFound, "there is no generation older than " + std::to_string(cur.value()) + " to roll back to");
    if (Status s = point_at(served, dir, previous); !s.is_ok()) return s;
    return previous;
}

Status Generations::adopt() {
    std::error_code ec;
    fs::file_status st = fs::symlink_status(served, ec);
    if (!fs::exists(st)) return {ErrorCode::kNotFound, "no index at " + served};
    if (fs::is_symlink(st)) return Status::ok();  // already generations
    if (!fs::is_directory(st)) return {ErrorCode::kInvalidArgument, served + " is not an index directory"};
    fs::create_directories(dir, ec);
    if (ec) return io_error("cannot create " + dir, ec);
    fs::rename(served, path_of(1), ec);
    if (ec) return io_error("cannot move " + served + " to " + path_of(1), ec);
    return switch_to(1);
}

}  // namespace abstrakt
