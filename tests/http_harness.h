// The harness of the HTTP tests (tests/test_http*.cc): the real abstrakt-serve binary started on a
// free loopback port, libcurl and raw-socket clients, and an index of the seed papers and a few of
// the tests' own.
#ifndef ABSTRAKT_TESTS_HTTP_HARNESS_H
#define ABSTRAKT_TESTS_HTTP_HARNESS_H

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/record.h"
#include "indexer/writer.h"
#include "test_util.h"

extern char** environ;

namespace abstrakt::test {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Sanitizer builds run several times slower: time limits are scaled, not dropped. GCC defines
// __SANITIZE_*__; clang (the ASan build's compiler, scripts/test) says so through __has_feature.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ABSTRAKT_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__) || defined(ABSTRAKT_TEST_SANITIZED)
inline constexpr int kSlow = 4;
#else
inline constexpr int kSlow = 1;
#endif

inline std::string server_binary() { return std::string(ABSTRAKT_BINARY_DIR) + "/bin/abstrakt-serve"; }

// ---------------------------------------------------------------------------------------------
// The server process
// ---------------------------------------------------------------------------------------------

class ServerProcess {
  public:
    // Starts abstrakt-serve with `args` (and --port 0 unless they give a port), and waits for its
    // "listening on" line or its end.
    explicit ServerProcess(std::vector<std::string> args) {
        if (std::find(args.begin(), args.end(), "--port") == args.end()) {
            args.push_back("--port");
            args.push_back("0");
        }
        args.insert(args.begin(), server_binary());
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) return;
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
        posix_spawn_file_actions_destroy(&actions);
        close(fds[1]);
        if (pid_ <= 0) {
            close(fds[0]);
            return;
        }
        reader_ = std::thread([this, fd = fds[0]] {
            char buf[4096];
            for (;;) {
                ssize_t n = read(fd, buf, sizeof buf);
                if (n < 0 && errno == EINTR) continue;
                std::lock_guard<std::mutex> lock(mu_);
                if (n <= 0) {
                    eof_ = true;
                    cv_.notify_all();
                    break;
                }
                log_.append(buf, static_cast<size_t>(n));
                cv_.notify_all();
            }
            close(fd);
        });
        const std::string marker = "listening on http://127.0.0.1:";
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, std::chrono::seconds(20 * kSlow), [&] {
            size_t at = log_.find(marker);
            return eof_ || (at != std::string::npos && log_.find(' ', at + marker.size()) != std::string::npos);
        });
        size_t at = log_.find(marker);
        if (at != std::string::npos) port_ = std::atoi(log_.c_str() + at + marker.size());
    }

    ~ServerProcess() {
        if (pid_ > 0 && !exited_) {
            kill(pid_, SIGKILL);
            int status = 0;
            waitpid(pid_, &status, 0);
        }
        if (reader_.joinable()) reader_.join();
        CHECK_MESSAGE(sanitizer_report().empty(), sanitizer_report());
    }
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

    std::string log() const {
        std::lock_guard<std::mutex> lock(mu_);
        return log_;
    }

    // Waits until the log contains `text`.
    bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout) {
        std::unique_lock<std::mutex> lock(mu_);
        return cv_.wait_for(lock, timeout, [&] { return log_.find(text) != std::string::npos; });
    }

    // Sends `sig` (0: none) and waits for the process to end: its exit status, or -1 when it was still running
    // after `timeout` (it is then killed) or was killed by a signal.
    int stop(int sig, std::chrono::milliseconds timeout) {
        if (pid_ <= 0 || exited_) return -1;
        kill(pid_, sig);
        const auto deadline = Clock::now() + timeout;
        int status = 0;
        for (;;) {
            pid_t r = waitpid(pid_, &status, WNOHANG);
            if (r == pid_) break;
            if (Clock::now() > deadline) {
                kill(pid_, SIGKILL);
                waitpid(pid_, &status, 0);
                exited_ = true;
                return -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        exited_ = true;
        if (reader_.joinable()) reader_.join();
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    // A report from ASan, UBSan or TSan in the server's standard error, or "".
    std::string sanitizer_report() const {
        const std::string l = log();
        for (const char* what : {"ThreadSanitizer", "AddressSanitizer", "LeakSanitizer", "runtime error:"})
            if (l.find(what) != std::string::npos) return "the server's standard error:\n" + l;
        return "";
    }

  private:
    pid_t pid_ = -1;
    int port_ = 0;
    bool exited_ = false;
    std::thread reader_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::string log_;
    bool eof_ = false;
};

// ---------------------------------------------------------------------------------------------
// HTTP clients
// ---------------------------------------------------------------------------------------------

struct Reply {
    long status = 0;  // 0: no response (curl_error says why)
    std::map<std::string, std::string> headers;  // names lower-cased; a repeated header's last value
    std::string body;
    std::string curl_error;
    bool reused_connection = false;

    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? "" : it->second;
    }
    bool has_header(const std::string& name) const { return headers.count(name) > 0; }
    json j() const {
        json out = json::parse(body, nullptr, false);
        return out;
    }
};

inline void curl_init_once() {
    static const bool done = [] {
        curl_global_init(CURL_GLOBAL_ALL);
        return true;
    }();
    (void)done;
}

inline size_t on_body(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

inline size_t on_header(char* data, size_t size, size_t n, void* out) {
    std::string line(data, size * n);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        value.erase(value.find_last_not_of(" \t\r\n") + 1);
        (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
    }
    return size * n;
}

struct RequestOptions {
    std::string method = "GET";
    std::vector<std::string> headers;
    const std::string* body = nullptr;

    RequestOptions() = default;
    RequestOptions(std::string m, std::vector<std::string> h = {}, const std::string* b = nullptr)
        : method(std::move(m)), headers(std::move(h)), body(b) {}
};

// One HTTP client with its own connection, kept alive between requests.
class Client {
  public:
    Client() {
        curl_init_once();
        h_ = curl_easy_init();
    }
    ~Client() { curl_easy_cleanup(h_); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    Reply request(const std::string& url, const RequestOptions& o = {}) {
        Reply r;
        curl_easy_reset(h_);
        curl_easy_setopt(h_, CURLOPT_URL, url.c_str());
        curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h_, CURLOPT_TIMEOUT_MS, 20000L * kSlow);
        curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h_, CURLOPT_WRITEDATA, &r.body);
        curl_easy_setopt(h_, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h_, CURLOPT_HEADERDATA, &r.headers);
        if (o.method == "HEAD") {
            curl_easy_setopt(h_, CURLOPT_NOBODY, 1L);
        } else if (o.method != "GET" || o.body) {
            curl_easy_setopt(h_, CURLOPT_CUSTOMREQUEST, o.method.c_str());
        }
        if (o.body) {
            curl_easy_setopt(h_, CURLOPT_POSTFIELDS, o.body->c_str());
            curl_easy_setopt(h_, CURLOPT_POSTFIELDSIZE, static_cast<long>(o.body->size()));
        }
        curl_slist* list = nullptr;
        for (const std::string& hd : o.headers) list = curl_slist_append(list, hd.c_str());
        if (list) curl_easy_setopt(h_, CURLOPT_HTTPHEADER, list);
        CURLcode rc = curl_easy_perform(h_);
        if (list) curl_slist_free_all(list);
        if (rc != CURLE_OK) {
            r.curl_error = curl_easy_strerror(rc);
            return r;
        }
        curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &r.status);
        long connects = 0;
        curl_easy_getinfo(h_, CURLINFO_NUM_CONNECTS, &connects);
        r.reused_connection = connects == 0;
        return r;
    }

  private:
    CURL* h_;
};

inline Reply get(const std::string& url, const RequestOptions& o = {}) {
    Client c;
    return c.request(url, o);
}

inline std::string enc(const std::string& s) {
    curl_init_once();
    char* e = curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size()));
    std::string out(e);
    curl_free(e);
    return out;
}

// Reads one response from `fd`: until its Content-Length is complete, the server closes the
// connection, or `timeout` passes.
inline std::string read_response(int fd, std::chrono::milliseconds timeout) {
    std::string out;
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const size_t head = out.find("\r\n\r\n");
        if (head != std::string::npos) {
            std::string lower = out.substr(0, head);
            for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            const size_t at = lower.find("\r\ncontent-length:");
            if (at != std::string::npos && out.size() >= head + 4 + std::stoul(lower.substr(at + 17))) break;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
        char buf[4096];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

// A new connection to 127.0.0.1:`port`; -1 when it cannot be made.
inline int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

// Sends `data` as it is on a new connection and returns everything read until the server closes
// it or `timeout` passes.
inline std::string raw_request(int port, const std::string& data, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    int fd = connect_to(port);
    if (fd < 0) return "";
    size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
    }
    std::string out = read_response(fd, timeout);
    close(fd);
    return out;
}

inline int raw_status(const std::string& response) {
    return response.rfind("HTTP/1.1 ", 0) == 0 ? std::atoi(response.c_str() + 9) : 0;
}

inline std::string raw_body(const std::string& response) {
    size_t at = response.find("\r\n\r\n");
    return at == std::string::npos ? "" : response.substr(at + 4);
}

inline std::string raw_header(const std::string& response, const std::string& name) {
    std::string lower = response.substr(0, response.find("\r\n\r\n"));
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t at = lower.find("\r\n" + name + ":");
    if (at == std::string::npos) return "";
    size_t start = at + 3 + name.size();
    size_t end = response.find("\r\n", start);
    std::string v = response.substr(start, end - start);
    v.erase(0, v.find_first_not_of(' '));
    return v;
}

// Threads that are told to stop and joined when the scope ends, also when a REQUIRE leaves it.
class ThreadGroup {
  public:
    explicit ThreadGroup(std::atomic<bool>& stop) : stop_(stop) {}
    ~ThreadGroup() { join(); }
    ThreadGroup(const ThreadGroup&) = delete;
    ThreadGroup& operator=(const ThreadGroup&) = delete;
    template <class F>
    void start(F&& f) {
        threads_.emplace_back(std::forward<F>(f));
    }
    void join() {
        stop_ = true;
        for (std::thread& t : threads_)
            if (t.joinable()) t.join();
    }

  private:
    std::atomic<bool>& stop_;
    std::vector<std::thread> threads_;
};

// ---------------------------------------------------------------------------------------------
// Indexes
// ---------------------------------------------------------------------------------------------

// Papers of the tests' own, beside the 11 seed papers (all of 2024-02-28 and 2024-02-29).
inline const std::vector<std::string> kExtraPapers = {
    R"({"id": "http-script", "title": {"en": "Escaping <img src=x onerror=alert(2)> untrusted abstracts"}, "abstract": {"en": "An abstract that contains <script>alert(1)</script> and an ampersand & must come back as text."}, "authors": ["Eve 'Mallory' <i>O&apos;Brien</i>"], "categories": ["cs.CR"], "published": "2023-06-15"})",
    R"({"id": "http-zh", "title": {"zh": "基于扩散模型的图像生成", "en": "Image generation with diffusion models"}, "abstract": {"zh": "本文提出一种基于扩散模型的图像生成方法。", "en": "We propose an image generation method based on diffusion models."}, "authors": ["Li Wei"], "categories": ["cs.CV"], "published": "2023-05-01"})",
    R"({"id": "http-de", "title": {"de": "Größere Übersetzungsmodelle für Bücher", "en": "Larger translation models for books"}, "abstract": {"de": "Wir übersetzen Bücher mit größeren Modellen und prüfen die Qualität."}, "authors": ["Jürgen Müller"], "categories": ["cs.CL"], "published": "2023-01-20"})",
    R"({"id": "hep-th/9901001", "title": {"en": "An old-style identifier with a slash"}, "abstract": {"en": "Strings on branes, an old arXiv identifier."}, "authors": ["Ann Old"], "categories": ["hep-th"], "published": "1999-01-01"})",
};
inline constexpr uint64_t kSeedPapers = 11;

inline void add_papers(IndexWriter& w, const std::vector<std::string>& lines) {
    for (const std::string& line : lines) {
        Result<Record> r = parse_record(line);
        REQUIRE_MESSAGE(r.is_ok(), r.message());
        REQUIRE(w.upsert(r.value()).is_ok());
    }
}

// The seed papers and `extra` in a new index at `path`.
inline void build_index(const std::string& path, const std::vector<std::string>& extra = kExtraPapers) {
    auto w = IndexWriter::open(path, true);
    REQUIRE_MESSAGE(w.is_ok(), w.message());
    auto reader = RecordReader::open(test::data_dir() + "/seed/chatpaper-2024-02-29.jsonl");
    REQUIRE_MESSAGE(reader.is_ok(), reader.message());
    Record rec;
    std::string error;
    while (reader.value()->next(rec, error) == RecordReader::Outcome::kRecord) REQUIRE(w.value()->upsert(rec).is_ok());
    add_papers(*w.value(), extra);
    REQUIRE(w.value()->commit().is_ok());
}

inline std::vector<std::string> hit_ids(const json& j) {
    std::vector<std::string> out;
    if (j.contains("hits"))
        for (const json& h : j["hits"]) out.push_back(h["id"].get<std::string>());
    return out;
}

inline bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

inline const std::string kJson = "application/json; charset=utf-8";

// The checks every error response must pass: status, JSON content type, {error: {code, message}}.
inline void check_error(const Reply& r, long status, const std::string& code, const std::string& what) {
    INFO(what, ": ", r.body, r.curl_error);
    CHECK(r.status == status);
    CHECK(r.header("content-type") == kJson);
    json j = r.j();
    REQUIRE(j.is_object());
    REQUIRE(j.contains("error"));
    CHECK(j["error"]["code"] == code);
    CHECK(!j["error"]["message"].get<std::string>().empty());
}

}  // namespace abstrakt::test

#endif  // ABSTRAKT_TESTS_HTTP_HARNESS_H
