// The search page that abstrakt-serve serves at / (docs/web.md): its files, built into the binary
// from searcher/ui/ (cmake/embed_ui.cmake), or read from a directory given with --ui DIR, and the
// security headers they are sent with. The HTTP routing stays in http.cc.
#ifndef ABSTRAKT_SEARCHER_UI_H
#define ABSTRAKT_SEARCHER_UI_H

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace abstrakt::ui {

// One file of searcher/ui/, by its name there ("app.js"); generated at build time.
struct EmbeddedFile {
    std::string_view name;
    std::string_view data;
};
const std::vector<EmbeddedFile>& embedded_files();

// The page's URL paths: "/" is index.html, every other file is under kAssetPrefix ("/ui/app.js").
inline constexpr std::string_view kIndexFile = "index.html";
inline constexpr std::string_view kAssetPrefix = "/ui/";
// A file read from --ui DIR larger than this is refused (500), so that a mistake cannot make the
// server read a huge file into memory on each request.
inline constexpr size_t kMaxFileBytes = 8 * 1024 * 1024;

// Sent with every file of the page. The policy allows scripts, styles, images and fetches from the
// page's own origin only, and no inline script or style: the page holds none, and text from the API
// that got into the document as markup could not run.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
inline const std::vector<std::pair<std::string_view, std::string_view>>& security_headers() {
    static const std::vector<std::pair<std::string_view, std::string_view>> headers = {
        {"Content-Security-Policy", kContentSecurityPolicy},
        {"X-Frame-Options", "DENY"},
        {"Referrer-Policy", "no-referrer"},
        {"Cross-Origin-Opener-Policy", "same-origin"},
        {"Cache-Control", "no-cache"},
    };
    return headers;
}

// Content-Type by the file name's extension; application/octet-stream for an unknown one.
std::string_view content_type(std::string_view name);

struct Asset {
    std::string body;
    std::string_view content_type;
};

class Site {
  public:
    enum class Mode { kNone, kEmbedded, kDirectory };

    Site() = default;  // serves nothing (--no-ui)
    static Site embedded();
    // Files read from `dir` on each request, so that edits show on reload. Errors
    // (kInvalidArgument): `dir` is not a directory, or has no index.html.
    static Result<Site> directory(const std::string& dir);

    bool enabled() const { return mode_ != Mode::kNone; }
    Mode mode() const { return mode_; }
    const std::string& dir() const { return dir_; }

    // The file for a request's path (still percent-encoded): "/" or "/ui/NAME". nullopt when the path
    // is none of the page's: another path, a name with a segment that is empty or starts with '.'
    // (no "..", no hidden files), a %-escape, or a file that does not exist. An error
    // (kInternal) when a file of --ui DIR exists but cannot be read or is too large.
    Result<std::optional<Asset>> find(std::string_view raw_path) const;

  private:
    Mode mode_ = Mode::kNone;
    std::string dir_;
};

}  // namespace abstrakt::ui

#endif  // ABSTRAKT_SEARCHER_UI_H
