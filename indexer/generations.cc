#include "indexer/generations.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace abstrakt {

namespace fs = std::filesystem;

namespace {

Status io_error(const std::string& what, const std::error_code& ec) {
    return {ErrorCode::kUnavailable, what + ": " + ec.message()};
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
    const std::string temp = served + ".switch-" + std::to_string(::getpid());
    std::error_code ec;
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
    // A generation newer than the served one is a rebuild that never switched, or one rolled back
    // from: the new build takes its place.
    for (uint64_t g : list())
        if (g > cur.value()) fs::remove_all(path_of(g), ec);
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
        if (g < before.value() && g != generation) fs::remove_all(path_of(g), ec);
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
