#include "searcher/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "common/text.h"

namespace abstrakt::http {

namespace {

using Clock = std::chrono::steady_clock;

bool iequals(std::string_view a, std::string_view b) { return ascii_iequals(a, b); }

// RFC 9110 token characters (method names, header field names).
bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Whether the comma-separated list `value` (a Connection header) holds `token`, case-insensitively.
bool has_token(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        size_t comma = value.find(',');
        if (iequals(trim_ows(value.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Request, Response
// ---------------------------------------------------------------------------------------------

const std::string* Request::header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
        if (k == lower_name) return &v;
    return nullptr;
}

bool Request::has_body() const {
    if (header("transfer-encoding")) return true;
    const std::string* length = header("content-length");
    // A length that is not a plain 0 (malformed ones included) is taken as a body: such a request is
    // answered and its connection closed unread, which is safe whatever the client meant.
    return length && (length->empty() || length->find_first_not_of('0') != std::string::npos);
}

void Response::set_header(std::string_view name, std::string value) {
    for (auto& [k, v] : headers)
        if (iequals(k, name)) {
            v = std::move(value);
            return;
        }
    headers.emplace_back(std::string(name), std::move(value));
}

const std::string* Response::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return &v;
    return nullptr;
}

void Response::erase_header(std::string_view name) {
    headers.erase(std::remove_if(headers.begin(), headers.end(), [&](const auto& h) { return iequals(h.first, name); }),
                  headers.end());
}

const char* reason_phrase(int status) {
    switch (status) {
        case 200: return "OK";
        case 204: return "No Content";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 413: return "Content Too Large";
        case 414: return "URI Too Long";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        case 505: return "HTTP Version Not Supported";
    }
    return "Unknown";
}

// ---------------------------------------------------------------------------------------------
// Reading a request head
// ---------------------------------------------------------------------------------------------

HeadParse parse_request_head(std::string_view bytes, const ConnectionLimits& limits, Request& out) {
    HeadParse r;
    auto refuse = [&r](int status, std::string reason) {
        r.kind = HeadParse::Kind::kRefused;
        r.status = status;
        r.reason = std::move(reason);
        return r;
    };
    auto too_large = [&] {
        return refuse(431, "the request line and header fields take more than " + std::to_string(limits.max_head_bytes) +
                               " bytes");
    };

    // Empty lines before a request line are skipped (RFC 9112, section 2.2); they count toward the
    // size of the head.
    size_t pos = 0;
    while (pos < bytes.size() && (bytes[pos] == '\r' || bytes[pos] == '\n')) ++pos;

    // The request line.
    size_t nl = bytes.find('\n', pos);
    if (nl == std::string_view::npos) {
        if (bytes.size() - pos > limits.max_request_line_bytes + 1)
            return refuse(414, "the request line is longer than " + std::to_string(limits.max_request_line_bytes) + " bytes");
        if (bytes.size() > limits.max_head_bytes) return too_large();
        return r;
    }
    std::string_view line = bytes.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > limits.max_request_line_bytes)
        return refuse(414, "the request line is longer than " + std::to_string(limits.max_request_line_bytes) + " bytes");
    const size_t sp1 = line.find(' ');
    const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
        return refuse(400, "the request line is not METHOD TARGET HTTP/1.1");
    const std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (!is_token(method)) return refuse(400, "the request method is not a token");
    if (target.empty() || std::any_of(target.begin(), target.end(), [](char c) {
            auto u = static_cast<unsigned char>(c);
            return u <= 0x20 || u == 0x7F;
        }))
        return refuse(400, "the request target is empty or holds a control character");
    if (version == "HTTP/1.1") {
        out.minor_version = 1;
    } else if (version == "HTTP/1.0") {
        out.minor_version = 0;
    } else if (version.size() == 8 && version.substr(0, 5) == "HTTP/" && version[5] >= '0' && version[5] <= '9' &&
               version[6] == '.' && version[7] >= '0' && version[7] <= '9') {
        return refuse(505, "only HTTP/1.0 and HTTP/1.1 are spoken here, not " + std::string(version));
    } else {
        return refuse(400, "the request line does not end in an HTTP version");
    }
    // Absolute form, as sent to proxies (RFC 9112, section 3.2.2: a server must accept it): the
    // authority is dropped and the path kept.
    for (std::string_view scheme : {"http://", "https://"}) {
        if (target.size() >= scheme.size() && iequals(target.substr(0, scheme.size()), scheme)) {
            std::string_view rest = target.substr(scheme.size());
            const size_t path = rest.find_first_of("/?");
            target = path == std::string_view::npos ? std::string_view() : rest.substr(path);
            break;
        }
    }
    out.method.assign(method);
    if (target.empty() || target[0] == '?') out.target = "/" + std::string(target);
    else if (target[0] == '/' || (target == "*" && method == "OPTIONS")) out.target.assign(target);
    else return refuse(400, "the request target is neither a path nor an absolute URL");

    // Header fields, up to the blank line.
    out.headers.clear();
    pos = nl + 1;
    for (;;) {
        if (pos > limits.max_head_bytes) return too_large();
        nl = bytes.find('\n', pos);
        if (nl == std::string_view::npos) {
            if (bytes.size() > limits.max_head_bytes) return too_large();
            return r;
        }
        if (nl + 1 > limits.max_head_bytes) return too_large();
        line = bytes.substr(pos, nl - pos);
        pos = nl + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) break;
        if (line[0] == ' ' || line[0] == '\t') return refuse(400, "a header field is folded over lines (obsolete)");
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
            return refuse(400, "a header field is not NAME: VALUE");
        const std::string_view value = trim_ows(line.substr(colon + 1));
        if (std::any_of(value.begin(), value.end(), [](char c) {
                auto u = static_cast<unsigned char>(c);
                return (u < 0x20 && c != '\t') || u == 0x7F;
            }))
            return refuse(400, "a header field value holds a control character");
        if (out.headers.size() == limits.max_header_fields)
            return refuse(431, "more than " + std::to_string(limits.max_header_fields) + " header fields");
        out.headers.emplace_back(ascii_lower(line.substr(0, colon)), std::string(value));
    }
    r.kind = HeadParse::Kind::kComplete;
    r.head_bytes = pos;
    return r;
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

namespace {

// The response's bytes. Header values lose any CR, LF and NUL, so that no value can end the head
// early (response splitting), whatever a handler copied into it.
std::string serialize(const Response& res, bool head_only, bool close, bool keep_alive_10) {
    std::string out;
    out.reserve(256 + res.body.size());
    out += "HTTP/1.1 " + std::to_string(res.status) + " " + reason_phrase(res.status) + "\r\n";
    for (const auto& [name, value] : res.headers) {
        if (iequals(name, "content-length") || iequals(name, "connection") || !is_token(name)) continue;
        out += name;
        out += ": ";
        for (char c : value)
            if (c != '\r' && c != '\n' && c != '\0') out += c;
        out += "\r\n";
    }
    const bool no_body = res.status == 204 || res.status == 304 || res.status < 200;
    if (!no_body) out += "Content-Length: " + std::to_string(res.body.size()) + "\r\n";
    if (close) out += "Connection: close\r\n";
    else if (keep_alive_10) out += "Connection: keep-alive\r\n";
    out += "\r\n";
    if (!head_only && !no_body) out += res.body;
    return out;
}

// Lingering close (Server::Impl::linger): how long, and how many bytes, a closing connection's
// client may still send before the connection is closed anyway.
constexpr int kLingerMs = 2000;
constexpr size_t kMaxLingerBytes = 1 << 20;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

struct Server::Impl {
    enum class State { kReading, kBusy, kWriting, kLingering };

    struct Conn {
        int fd = -1;
        uint64_t serial = 0;
        State state = State::kReading;
        std::string in;   // received, not yet consumed (at most about max_head_bytes)
        std::string out;  // the response being written
        size_t out_pos = 0;
        bool head_started = false;
        Clock::time_point ready;       // since when it waits for a request
        Clock::time_point head_start;  // the first byte of the request being read
        Clock::time_point progress;    // writing: the last byte the client took; lingering: its start
        size_t served = 0;
        bool close_after = false;      // close once the response is written
        bool keep_alive_10 = false;    // an HTTP/1.0 client asked to keep the connection
        bool eof = false;              // the client will send no more
        bool in_epoll = false;
        size_t drained = 0;            // lingering: bytes read and dropped
    };

    struct Job {
        int fd;
        uint64_t serial;
        Request request;
        Clock::time_point start;
    };
    struct Done {
        int fd;
        uint64_t serial;
        Response response;
        bool head_only;
    };

    // The epoll set and the wake-up eventfd exist from the start, so that stop() may write to the
    // eventfd from any thread at any time.
    Impl(ConnectionLimits l, unsigned n, Hooks h)
        : limits(l),
          workers_wanted(std::max(1u, n)),
          hooks(std::move(h)),
          epoll_fd(::epoll_create1(EPOLL_CLOEXEC)),
          wake_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

    ~Impl() {
        for (auto& [fd, c] : conns) ::close(fd);
        if (listen_fd >= 0) ::close(listen_fd);
        if (epoll_fd >= 0) ::close(epoll_fd);
        if (wake_fd >= 0) ::close(wake_fd);
    }

    ConnectionLimits limits;
    const unsigned workers_wanted;
    Hooks hooks;

    const int epoll_fd;
    const int wake_fd;
    int listen_fd = -1;
    bool listen_paused = false;  // out of file descriptors: accept() waits for the next sweep
    std::atomic<bool> stop_requested{false};
    std::atomic<bool> is_running{false};
    std::atomic<size_t> open{0};

    // The I/O thread's own.
    std::unordered_map<int, std::unique_ptr<Conn>> conns;
    uint64_t next_serial = 1;
    bool stopping = false;

    // Jobs for the workers.
    std::mutex jobs_mu;
    std::condition_variable jobs_cv;
    std::deque<Job> jobs;
    bool workers_stop = false;
    std::vector<std::thread> workers;

    // Responses back from the workers.
    std::mutex done_mu;
    std::vector<Done> done;

    void wake() {
        uint64_t one = 1;
        while (::write(wake_fd, &one, sizeof one) < 0 && errno == EINTR) {
        }
    }

    // -- epoll ----------------------------------------------------------------------------------

    void watch(Conn& c, uint32_t events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = c.fd;
        ::epoll_ctl(epoll_fd, c.in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c.fd, &ev);
        c.in_epoll = true;
    }
    void unwatch(Conn& c) {
        if (c.in_epoll) ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
        c.in_epoll = false;
    }

    void close_conn(int fd) {
        auto it = conns.find(fd);
        if (it == conns.end()) return;
        unwatch(*it->second);
        ::close(fd);
        conns.erase(it);
        open = conns.size();
    }

    // -- workers --------------------------------------------------------------------------------

    void work() {
        for (;;) {
            Job job;
            {
                std::unique_lock<std::mutex> lock(jobs_mu);
                jobs_cv.wait(lock, [this] { return workers_stop || !jobs.empty(); });
                if (jobs.empty()) return;
                job = std::move(jobs.front());
                jobs.pop_front();
            }
            Response res;
            try {
                hooks.handle(job.request, res);
            } catch (const std::exception& e) {
                res = Response{};
                res.status = 500;
                hooks.refuse(job.request, res, std::string("unexpected error: ") + e.what());
            } catch (...) {
                res = Response{};
                res.status = 500;
                hooks.refuse(job.request, res, "unexpected error");
            }
            hooks.log(job.request, res, seconds_since(job.start));
            {
                std::lock_guard<std::mutex> lock(done_mu);
                done.push_back({job.fd, job.serial, std::move(res), job.request.method == "HEAD"});
            }
            wake();
        }
    }

    // -- the I/O thread ---------------------------------------------------------------------------

    // Answers on the I/O thread, then closes: a request refused before it reached a worker.
    void refuse(Conn& c, const Request& request, int status, const std::string& reason) {
        Response res;
        res.status = status;
        res.close = true;
        hooks.refuse(request, res, reason);
        hooks.log(request, res, 0);
        start_writing(c, std::move(res), request.method == "HEAD");
    }

    void start_writing(Conn& c, Response res, bool head_only) {
        const bool close = res.close || c.close_after || stopping;
        c.close_after = close;
        c.out = serialize(res, head_only, close, c.keep_alive_10 && !close);
        c.out_pos = 0;
        if (close) c.in.clear();  // what came after a refused or last request is not read
        c.state = State::kWriting;
        c.progress = Clock::now();
        flush(c);
    }

    // Sends what the socket takes now; on completion, reads the next request or closes.
    void flush(Conn& c) {
        while (c.out_pos < c.out.size()) {
            ssize_t n = ::send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                c.out_pos += static_cast<size_t>(n);
                c.progress = Clock::now();
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                watch(c, EPOLLOUT);
                return;
            }
            return close_conn(c.fd);  // the client went away
        }
        c.out.clear();
        c.out.shrink_to_fit();
        if (c.close_after || c.eof) return linger(c);
        // Keep the connection: the next request may already be here (pipelined).
        c.state = State::kReading;
        c.head_started = false;
        c.ready = Clock::now();
        watch(c, EPOLLIN | EPOLLRDHUP);
        if (!c.in.empty()) process_input(c);
    }

    // Closing with unread bytes in the receive buffer makes the kernel send a reset, which can
    // destroy the response before the client reads it (a 413 to a request with a body, say). So:
    // stop sending, read and drop what still comes for a short while, then close.
    void linger(Conn& c) {
        ::shutdown(c.fd, SHUT_WR);
        c.state = State::kLingering;
        c.progress = Clock::now();
        c.drained = 0;
        c.in.clear();
        watch(c, EPOLLIN | EPOLLRDHUP);
    }

    void drain_lingering(Conn& c) {
        char buf[16384];
        for (;;) {
            ssize_t n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) {
                // A client that keeps sending is not waited for: drop it after this much.
                c.drained += static_cast<size_t>(n);
                if (c.drained > kMaxLingerBytes) return close_conn(c.fd);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            return close_conn(c.fd);  // end of stream or an error
        }
    }

    void read_input(Conn& c) {
        // Never hold more than a head can be (plus a little, so that the parser sees the limit passed).
        const size_t cap = limits.max_head_bytes + 2;
        char buf[16384];
        while (!c.eof && c.in.size() < cap) {
            ssize_t n = ::recv(c.fd, buf, std::min(sizeof buf, cap - c.in.size()), MSG_DONTWAIT);
            if (n > 0) {
                c.in.append(buf, static_cast<size_t>(n));
                continue;
            }
            if (n == 0) {
                c.eof = true;
                break;
            }
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            return close_conn(c.fd);
        }
        process_input(c);
    }

    void process_input(Conn& c) {
        if (c.in.empty()) {
            if (c.eof) close_conn(c.fd);
            return;
        }
        if (!c.head_started) {
            c.head_started = true;
            c.head_start = Clock::now();
        }
        Request request;
        HeadParse p = parse_request_head(c.in, limits, request);
        if (p.kind == HeadParse::Kind::kIncomplete) {
            if (c.eof) close_conn(c.fd);  // the client stopped half-way through a request
            return;
        }
        if (p.kind == HeadParse::Kind::kRefused) return refuse(c, request, p.status, p.reason);

        c.in.erase(0, p.head_bytes);
        ++c.served;
        const std::string* connection = request.header("connection");
        if (request.minor_version == 0) {
            c.keep_alive_10 = connection && has_token(*connection, "keep-alive");
            if (!c.keep_alive_10) c.close_after = true;
        } else if (connection && has_token(*connection, "close")) {
            c.close_after = true;
        }
        // A body is never read: the connection cannot carry another request after it.
        if (request.has_body()) c.close_after = true;
        if (c.served >= limits.max_requests_per_connection || c.eof) c.close_after = true;

        size_t queued;
        {
            std::lock_guard<std::mutex> lock(jobs_mu);
            queued = jobs.size();
        }
        if (queued >= limits.max_queued_requests)
            return refuse(c, request, 503, "the server is busy: " + std::to_string(queued) + " requests are waiting");

        c.state = State::kBusy;
        unwatch(c);  // pipelined bytes wait in the kernel until the response is written
        {
            std::lock_guard<std::mutex> lock(jobs_mu);
            jobs.push_back({c.fd, c.serial, std::move(request), Clock::now()});
        }
        jobs_cv.notify_one();
    }

    void accept_all() {
        for (;;) {
            sockaddr_storage addr{};
            socklen_t len = sizeof addr;
            int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED) continue;
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    // Out of descriptors: stop listening until the next sweep instead of spinning on
                    // a socket that stays readable.
                    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
                    listen_paused = true;
                }
                return;  // EAGAIN: all taken
            }
            if (conns.size() >= limits.max_connections) {
                Response res;
                res.status = 503;
                res.close = true;
                Request none;
                hooks.refuse(none, res, "too many open connections (" + std::to_string(conns.size()) + ")");
                hooks.log(none, res, 0);
                const std::string bytes = serialize(res, false, true, false);
                (void)!::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);  // best effort
                ::close(fd);
                continue;
            }
            int yes = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);  // responses go out whole
            auto c = std::make_unique<Conn>();
            c->fd = fd;
            c->serial = next_serial++;
            c->ready = Clock::now();
            Conn& ref = *c;
            conns[fd] = std::move(c);
            open = conns.size();
            watch(ref, EPOLLIN | EPOLLRDHUP);
        }
    }

    void take_done() {
        std::vector<Done> batch;
        {
            std::lock_guard<std::mutex> lock(done_mu);
            batch.swap(done);
        }
        for (Done& d : batch) {
            auto it = conns.find(d.fd);
            if (it == conns.end() || it->second->serial != d.serial) continue;
            start_writing(*it->second, std::move(d.response), d.head_only);
        }
    }

    // Timeouts. Returns how long the loop may sleep before the next one is due.
    int sweep() {
        const Clock::time_point now = Clock::now();
        if (listen_paused && !stopping) {
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.fd = listen_fd;
            if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev) == 0) listen_paused = false;
        }
        auto ms = [](std::chrono::steady_clock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
        std::vector<int> expired_idle, expired_head, expired_write;
        for (auto& [fd, c] : conns) {
            switch (c->state) {
                case State::kReading:
                    if (!c->head_started) {
                        if (stopping || ms(now - c->ready) >= limits.idle_timeout_ms) expired_idle.push_back(fd);
                    } else if (ms(now - c->head_start) >= limits.head_timeout_ms) {
                        expired_head.push_back(fd);
                    }  // else a request is arriving: when stopping too, it is served (then closed)
                    break;
                case State::kWriting:
                    if (ms(now - c->progress) >= limits.write_timeout_ms) expired_write.push_back(fd);
                    break;
                case State::kLingering:
                    if (ms(now - c->progress) >= kLingerMs) expired_write.push_back(fd);
                    break;
                case State::kBusy:
                    break;
            }
        }
        for (int fd : expired_idle) close_conn(fd);
        for (int fd : expired_write) close_conn(fd);
        for (int fd : expired_head) {
            Conn& c = *conns[fd];
            Request partial;
            parse_request_head(c.in, limits, partial);  // whatever was read, for the log
            refuse(c, partial, 408,
                   "the request head did not arrive within " + std::to_string(limits.head_timeout_ms / 1000) + " s");
        }
        return 100;
    }

    Status loop() {
        epoll_event events[64];
        Clock::time_point last_sweep = Clock::now();
        for (;;) {
            if (stop_requested && !stopping) {
                stopping = true;
                ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
                ::close(listen_fd);
                listen_fd = -1;
                for (auto& [fd, c] : conns) c->close_after = true;
                sweep();  // closes the connections that wait for a request
                last_sweep = Clock::now();
            }
            if (stopping && conns.empty()) return Status::ok();
            const int n = ::epoll_wait(epoll_fd, events, 64, 100);
            if (n < 0 && errno != EINTR) return Status(ErrorCode::kInternal, std::string("epoll_wait: ") + std::strerror(errno));
            for (int i = 0; i < n; ++i) {
                const int fd = events[i].data.fd;
                if (fd == wake_fd) {
                    uint64_t v;
                    while (::read(wake_fd, &v, sizeof v) < 0 && errno == EINTR) {
                    }
                    take_done();
                    continue;
                }
                if (fd == listen_fd) {
                    accept_all();
                    continue;
                }
                auto it = conns.find(fd);
                if (it == conns.end()) continue;
                Conn& c = *it->second;
                switch (c.state) {
                    case State::kReading: read_input(c); break;
                    case State::kWriting: flush(c); break;
                    case State::kLingering: drain_lingering(c); break;
                    case State::kBusy: break;
                }
            }
            if (Clock::now() - last_sweep >= std::chrono::milliseconds(100)) {
                sweep();
                last_sweep = Clock::now();
            }
        }
    }
};

Server::Server(ConnectionLimits limits, unsigned workers, Hooks hooks)
    : impl_(std::make_unique<Impl>(limits, workers, std::move(hooks))) {}

Server::~Server() {
    stop();
    {
        std::lock_guard<std::mutex> lock(impl_->jobs_mu);
        impl_->workers_stop = true;
    }
    impl_->jobs_cv.notify_all();
    for (std::thread& t : impl_->workers)
        if (t.joinable()) t.join();
}

Result<int> Server::listen(const std::string& host, int port) {
    Impl& m = *impl_;
    // Room for connections: the soft limit of open files goes up to the hard one; each worker's
    // index reader and the server's own files keep some for themselves.
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        if (rl.rlim_cur < rl.rlim_max) {
            rlimit raised = rl;
            raised.rlim_cur = rl.rlim_max;
            if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
        }
        const rlim_t reserved = 64 + 32 * static_cast<rlim_t>(m.workers_wanted);
        const rlim_t room = rl.rlim_cur > reserved + 16 ? rl.rlim_cur - reserved : 16;
        if (room < m.limits.max_connections) m.limits.max_connections = static_cast<size_t>(room);
    }

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
        return Status(ErrorCode::kUnavailable, "cannot resolve " + host + ": " + ::gai_strerror(rc));
    std::string error = "no address";
    int fd = -1;
    for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            error = std::strerror(errno);
            continue;
        }
        // SO_REUSEADDR lets a restart bind at once; no SO_REUSEPORT, with which a second server on
        // the same port would silently share the connections.
        int yes = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 1024) != 0) {
            error = std::strerror(errno);
            ::close(fd);
            fd = -1;
        }
    }
    ::freeaddrinfo(found);
    if (fd < 0) return Status(ErrorCode::kUnavailable, error);

    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const int bound = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                                 : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    m.listen_fd = fd;
    return bound;
}

Status Server::run() {
    Impl& m = *impl_;
    if (m.listen_fd < 0) return Status(ErrorCode::kInternal, "run() before a successful listen()");
    if (m.epoll_fd < 0 || m.wake_fd < 0) return Status(ErrorCode::kInternal, std::string("epoll: ") + std::strerror(errno));
    for (int fd : {m.listen_fd, m.wake_fd}) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        ::epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, fd, &ev);
    }
    for (unsigned i = 0; i < m.workers_wanted; ++i) m.workers.emplace_back([&m] { m.work(); });
    m.is_running = true;
    Status s = m.loop();
    m.is_running = false;
    {
        std::lock_guard<std::mutex> lock(m.jobs_mu);
        m.workers_stop = true;
    }
    m.jobs_cv.notify_all();
    for (std::thread& t : m.workers)
        if (t.joinable()) t.join();
    m.workers.clear();
    return s;
}

void Server::stop() {
    impl_->stop_requested = true;
    if (impl_->wake_fd >= 0) impl_->wake();
}

bool Server::running() const { return impl_->is_running; }

size_t Server::open_connections() const { return impl_->open; }

size_t Server::max_connections() const { return impl_->limits.max_connections; }

}  // namespace abstrakt::http
