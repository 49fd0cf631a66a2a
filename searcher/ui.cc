#include "searcher/ui.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace abstrakt::ui {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A file name under /ui/: segments of letters, digits, '-', '_' and '.', none empty or starting with
// '.'. Anything else (a %-escape, "..", a hidden file, a backslash) is not one of the page's files.
bool valid_name(std::string_view name) {
    if (name.empty()) return false;
    size_t start = 0;
    while (start <= name.size()) {
        size_t slash = name.find('/', start);
        std::string_view seg = name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (seg.empty() || seg[0] == '.') return false;
        for (char c : seg) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
            if (!ok) return false;
        }
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return true;
}

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::string_view content_type(std::string_view name) {
    static const std::pair<std::string_view, std::string_view> kTypes[] = {
        {".html", "text/html; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},    {".svg", "image/svg+xml"},
        {".png", "image/png"},                  {".json", "application/json; charset=utf-8"},
        {".txt", "text/plain; charset=utf-8"},  {".woff2", "font/woff2"},
        {".ico", "image/x-icon"},               {".webmanifest", "application/manifest+json"},
    };
    for (const auto& [ext, type] : kTypes)
        if (ends_with(name, ext)) return type;
    return "application/octet-stream";
}

Site Site::embedded() {
    Site s;
    s.mode_ = Mode::kEmbedded;
    return s;
}

Result<Site> Site::directory(const std::string& dir) {
    if (!is_directory(dir)) return Status(ErrorCode::kInvalidArgument, "--ui " + dir + ": not a directory");
    struct stat st {};
    const std::string index = dir + "/" + std::string(kIndexFile);
    if (::stat(index.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return Status(ErrorCode::kInvalidArgument, "--ui " + dir + ": no " + std::string(kIndexFile) + " in it");
    Site s;
    s.mode_ = Mode::kDirectory;
    s.dir_ = dir;
    return s;
}

Result<std::optional<Asset>> Site::find(std::string_view raw_path) const {
    using Found = std::optional<Asset>;
    if (mode_ == Mode::kNone) return Found{};
    std::string_view name;
    if (raw_path == "/") {
        name = kIndexFile;
    } else if (raw_path.substr(0, kAssetPrefix.size()) == kAssetPrefix) {
        name = raw_path.substr(kAssetPrefix.size());
        if (!valid_name(name)) return Found{};
    } else {
        return Found{};
    }

    if (mode_ == Mode::kEmbedded) {
        for (const EmbeddedFile& f : embedded_files())
            if (f.name == name) return Found{Asset{std::string(f.data), content_type(name)}};
        return Found{};
    }

    const std::string path = dir_ + "/" + std::string(name);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return Found{};
    if (static_cast<size_t>(st.st_size) > kMaxFileBytes)
        return Status(ErrorCode::kInternal, path + " is larger than " + std::to_string(kMaxFileBytes) + " bytes");
    std::ifstream in(path, std::ios::binary);
    if (!in.is_open()) return Status(ErrorCode::kInternal, "cannot read " + path + ": " + std::strerror(errno));
    std::string body(static_cast<size_t>(st.st_size), '\0');
    in.read(body.data(), static_cast<std::streamsize>(body.size()));
    body.resize(static_cast<size_t>(in.gcount()));
    if (in.bad()) return Status(ErrorCode::kInternal, "cannot read " + path);
    return Found{Asset{std::move(body), content_type(name)}};
}

}  // namespace abstrakt::ui
