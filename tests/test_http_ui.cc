// The search page served by abstrakt-serve (searcher/ui.h, docs/web.md): the files built into the
// binary, --ui DIR, --no-ui, the security headers, and paths that are none of the page's files.
// The page itself is tested in a browser by tests/browser/page_test.py.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "http_harness.h"
#include "searcher/ui.h"

namespace abstrakt {
namespace {

using namespace abstrakt::test;
namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The files of searcher/ui/, by name, as they are in the source tree.
std::map<std::string, std::string> source_files() {
    std::map<std::string, std::string> out;
    const fs::path dir = fs::path(source_dir()) / "searcher" / "ui";
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) out[fs::relative(e.path(), dir).generic_string()] = read_file(e.path());
    return out;
}

void check_page_headers(const Reply& r, const std::string& what) {
    INFO(what);
    CHECK(r.header("content-security-policy") == std::string(ui::kContentSecurityPolicy));
    CHECK(r.header("x-frame-options") == "DENY");
    CHECK(r.header("referrer-policy") == "no-referrer");
    CHECK(r.header("x-content-type-options") == "nosniff");
    CHECK(r.header("cache-control") == "no-cache");
}

TEST_CASE("http ui: the page built into the binary, its headers, and paths that are not its files") {
    test::TempDir dir;
    // No index: the page is served all the same, and the API answers 503.
    ServerProcess server({"--db", dir.file("no-index"), "--threads", "2"});
    REQUIRE_MESSAGE(server.port() > 0, server.log());
    const auto files = source_files();
    REQUIRE(files.count("index.html") == 1);
    REQUIRE(files.count("app.js") == 1);

    SUBCASE("/ is index.html, also with the page's state in the query string") {
        for (const char* path : {"/", "/?q=linear+attention&lang=de&sort=date&page=2&paper=2402.19173", "/?x=%ZZ"}) {
            Reply r = get(server.url(path));
            const std::string what = std::string(path) + " " + r.body;
            REQUIRE_MESSAGE(r.status == 200, what);
            CHECK(r.body == files.at("index.html"));
            CHECK(r.header("content-type") == "text/html; charset=utf-8");
            check_page_headers(r, path);
        }
        Reply head = get(server.url("/"), {"HEAD"});
        CHECK(head.status == 200);
        CHECK(head.body.empty());
        CHECK(head.header("content-length") == std::to_string(files.at("index.html").size()));
        check_page_headers(head, "HEAD /");
    }

    SUBCASE("every file of searcher/ui/ is under /ui/, byte for byte, with its type") {
        const std::map<std::string, std::string> types = {{".js", "text/javascript; charset=utf-8"},
                                                          {".css", "text/css; charset=utf-8"},
                                                          {".svg", "image/svg+xml"},
                                                          {".html", "text/html; charset=utf-8"}};
        for (const auto& file : files) {
            const std::string& name = file.first;
            const std::string& bytes = file.second;
            Reply r = get(server.url("/ui/" + name));
            REQUIRE_MESSAGE(r.status == 200, name);
            CHECK_MESSAGE(r.body == bytes, name);
            const std::string ext = fs::path(name).extension().string();
            if (types.count(ext)) CHECK_MESSAGE(r.header("content-type") == types.at(ext), name);
            check_page_headers(r, name);
        }
    }

    SUBCASE("the page's weight: JavaScript and CSS together at most 100 KB") {
        size_t bytes = 0;
        for (const auto& [name, data] : files)
            if (fs::path(name).extension() == ".js" || fs::path(name).extension() == ".css") bytes += data.size();
        CHECK(bytes > 10000);  // the page is there
        CHECK(bytes <= 100 * 1000);
    }

    SUBCASE("paths that are none of the page's files: 404 in JSON, no file outside searcher/ui/") {
        for (const char* path : {"/ui/", "/ui/nope.js", "/ui/.hidden", "/ui/..", "/ui/../CMakeLists.txt", "/ui/%2e%2e/CMakeLists.txt",
                                 "/ui//app.js", "/ui/app.js/", "/ui/a\\b", "/index.html", "/app.js", "/ui"}) {
            const std::string response = raw_request(server.port(), std::string("GET ") + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            const std::string what = path;
            CHECK_MESSAGE(raw_status(response) == 404, what);
            CHECK_MESSAGE(raw_header(response, "content-type") == kJson, what);
            CHECK_MESSAGE(raw_header(response, "content-security-policy").empty(), what);
        }
    }

    SUBCASE("methods: GET and HEAD only; no body") {
        Reply post = get(server.url("/"), {"POST"});
        CHECK(post.status == 405);
        CHECK(post.header("allow") == "GET, HEAD");
        CHECK(post.j()["error"]["code"] == "method_not_allowed");
        Reply options = get(server.url("/ui/app.js"), {"OPTIONS"});
        CHECK(options.status == 405);
        const std::string response =
            raw_request(server.port(), "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
        CHECK(raw_status(response) == 413);
    }

    SUBCASE("the API beside it is unchanged") {
        Reply r = get(server.url("/search?q=x"));
        CHECK(r.status == 503);
        CHECK(r.header("content-type") == kJson);
        CHECK(!r.has_header("content-security-policy"));
        Reply metrics = get(server.url("/metrics"));
        get(server.url("/"));
        metrics = get(server.url("/metrics"));
        CHECK(metrics.body.find("abstrakt_http_requests_total{endpoint=\"/\",status=\"200\"}") != std::string::npos);
    }
}

TEST_CASE("http ui: --ui DIR serves a user's own files, --no-ui none, bad options exit 2") {
    test::TempDir dir;
    const std::string site = dir.file("site");
    fs::create_directories(site + "/img");
    dir.write("site/index.html", {"<!doctype html><title>mine</title>"});
    dir.write("site/app.js", {"console.log('mine');"});
    dir.write("site/img/logo.svg", {"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"});
    dir.write("site/.secret", {"hidden"});
    dir.write("outside.txt", {"outside"});
    fs::create_symlink("../outside.txt", site + "/link.txt");

    SUBCASE("--ui DIR") {
        ServerProcess server({"--db", dir.file("no-index"), "--ui", site});
        REQUIRE_MESSAGE(server.port() > 0, server.log());
        Reply r = get(server.url("/"));
        CHECK(r.status == 200);
        CHECK(r.body == "<!doctype html><title>mine</title>\n");
        check_page_headers(r, "--ui /");
        CHECK(get(server.url("/ui/app.js")).body == "console.log('mine');\n");
        CHECK(get(server.url("/ui/img/logo.svg")).header("content-type") == "image/svg+xml");
        CHECK(get(server.url("/ui/style.css")).status == 404);  // the built-in page is not mixed in
        CHECK(get(server.url("/ui/.secret")).status == 404);
        // A symlink the user put in DIR is followed: DIR is the user's to fill.
        CHECK(get(server.url("/ui/link.txt")).body == "outside\n");
        // Files are read on each request: an edit shows on the next one.
        dir.write("site/app.js", {"console.log('edited');"});
        CHECK(get(server.url("/ui/app.js")).body == "console.log('edited');\n");
        fs::remove(site + "/app.js");
        CHECK(get(server.url("/ui/app.js")).status == 404);
    }

    SUBCASE("--no-ui") {
        ServerProcess server({"--db", dir.file("no-index"), "--no-ui"});
        REQUIRE_MESSAGE(server.port() > 0, server.log());
        for (const char* path : {"/", "/ui/app.js", "/ui/index.html"}) {
            Reply r = get(server.url(path));
            CHECK_MESSAGE(r.status == 404, std::string(path));
            CHECK_MESSAGE(r.j()["error"]["code"] == "not_found", std::string(path));
        }
        CHECK(get(server.url("/health")).status == 503);
    }

    SUBCASE("bad options: exit 2 with a message") {
        const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
            {{"--ui", dir.file("missing")}, "not a directory"},
            {{"--ui", dir.file("outside.txt")}, "not a directory"},
            {{"--ui", dir.path()}, "no index.html"},
            {{"--ui", ""}, "--ui needs a directory"},
            {{"--ui", site, "--no-ui"}, "cannot be combined"},
            {{"--no-ui", "--ui", site}, "cannot be combined"},
        };
        for (const auto& c : cases) {
            const std::string& message = c.second;
            std::vector<std::string> all = {"--db", dir.file("no-index")};
            all.insert(all.end(), c.first.begin(), c.first.end());
            ServerProcess bad(all);
            CHECK(bad.port() == 0);
            CHECK_MESSAGE(bad.stop(0, std::chrono::seconds(10 * kSlow)) == 2, message);
            CHECK_MESSAGE(bad.log().find(message) != std::string::npos, bad.log());
        }
    }
}

TEST_CASE("ui: content types and the names a request may ask for") {
    CHECK(ui::content_type("index.html") == "text/html; charset=utf-8");
    CHECK(ui::content_type("a/b/app.js") == "text/javascript; charset=utf-8");
    CHECK(ui::content_type("style.css") == "text/css; charset=utf-8");
    CHECK(ui::content_type("x.webmanifest") == "application/manifest+json");
    CHECK(ui::content_type("README") == "application/octet-stream");
    CHECK(ui::content_type("js") == "application/octet-stream");

    ui::Site none;
    CHECK(!none.enabled());
    CHECK(!none.find("/").value().has_value());
    ui::Site site = ui::Site::embedded();
    CHECK(site.find("/").value().has_value());
    CHECK(site.find("/ui/app.js").value().has_value());
    for (const char* path : {"", "/x", "/ui/", "/ui/../app.js", "/ui/./app.js", "/ui/a//b", "/ui/%61pp.js", "/ui/app.js?x", "/UI/app.js"})
        CHECK_MESSAGE(!site.find(path).value().has_value(), std::string(path));
    // Every embedded file has a name a request can ask for.
    for (const ui::EmbeddedFile& f : ui::embedded_files()) CHECK_MESSAGE(site.find("/ui/" + std::string(f.name)).value().has_value(), f.name);
}

}  // namespace
}  // namespace abstrakt
