// The HTTP/1.1 connection layer of abstrakt-serve: it accepts connections, reads requests under
// strict limits of size and time, hands each complete request to a fixed pool of worker threads,
// writes the responses and keeps connections alive between requests. What a request means (routes,
// parameters, JSON) is searcher/http.cc's business; this layer knows nothing of the index.
//
// Why not cpp-httplib's server (abstrakt-serve used Debian's 0.11.4 until issue 7, measured then):
// - it reads a request head with no bound on its total size: a client that sent headers without end
//   grew the server by 480 MB in 5 s, an endless request line by 825 MB;
// - it serves a connection on one worker thread from its first request to its last, and its read
//   timeout applies to each read, not to the request: eight clients that sent a header line every
//   3 s held both workers of a 2-core machine, and every other client waited (a probe timed out
//   after 10 s).
// Here one I/O thread reads every connection with epoll, without blocking; a connection takes a
// worker only while its complete request is answered, never while its client is slow to send or to
// read. The API only takes GET, HEAD and OPTIONS without bodies, so the subset of HTTP/1.1 read here
// is small: a request line, header fields, no body (a request that announces one is answered, then
// its connection is closed unread).
//
// Thread-safety: run() and stop() may be called from different threads; the hooks are called
// concurrently from the worker threads and the I/O thread.
#ifndef ABSTRAKT_SEARCHER_HTTP_SERVER_H
#define ABSTRAKT_SEARCHER_HTTP_SERVER_H

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace abstrakt::http {

struct Request {
    std::string method;   // as sent: a token, case-sensitive
    std::string target;   // the request target, still percent-encoded; origin form ("/path?query")
    int minor_version = 1;  // HTTP/1.0 or HTTP/1.1
    std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, in order

    // The value of the first header called `lower_name`, or nullptr.
    const std::string* header(std::string_view lower_name) const;
    // Whether the request announces a body (Transfer-Encoding, or a Content-Length other than 0).
    bool has_body() const;
};

struct Response {
    int status = 200;
    // Header fields to send, besides Content-Length and Connection (which the server writes).
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool close = false;  // close the connection after this response
    // For the handler's own use: handed back to the log hook (abstrakt-serve: the endpoint).
    std::string tag = "other";

    void set_header(std::string_view name, std::string value);  // replaces a header of that name
    const std::string* header(std::string_view name) const;     // case-insensitive; nullptr when absent
    void erase_header(std::string_view name);
};

// Bounds on what one client can make the server hold. Every limit is checked as bytes arrive, so no
// request costs more memory than max_head_bytes before it is refused.
struct ConnectionLimits {
    size_t max_request_line_bytes = 8192;  // longer: 414
    size_t max_head_bytes = 16 * 1024;     // request line and header fields together; more: 431
    size_t max_header_fields = 100;        // more: 431
    int head_timeout_ms = 10000;           // from a request's first byte to its blank line; longer: 408
    int idle_timeout_ms = 5000;            // an open connection with no request begun is closed
    int write_timeout_ms = 5000;           // a response the client takes no byte of for this long: closed
    size_t max_requests_per_connection = 1000;
    size_t max_connections = 4096;  // open at once; beyond, a new connection gets 503 and is closed
    size_t max_queued_requests = 256;  // complete requests waiting for a worker; beyond: 503
};

// What parse_request_head found in the bytes received so far on a connection.
struct HeadParse {
    enum class Kind { kIncomplete, kComplete, kRefused };
    Kind kind = Kind::kIncomplete;
    size_t head_bytes = 0;  // kComplete: the bytes of the head, its blank line included
    int status = 0;         // kRefused: 400, 414, 431 or 505
    std::string reason;     // kRefused: what was wrong, for the client and the log
};

// Reads a request head (request line and header fields, up to the blank line) from the start of
// `bytes`, filling `out` when it is complete. Lines end in CRLF or a bare LF. Incomplete while no
// limit is passed and no byte seen so far is wrong: more bytes may complete it. Refused (with the
// status to answer): a malformed request line or header field (400), a request line longer than
// the limit (414), a head over the byte or field limits (431), an HTTP version other than 1.0 and
// 1.1 (505). Never throws; `out` is unspecified unless complete. A target in absolute form
// ("http://host/path") is reduced to its origin form ("/path").
HeadParse parse_request_head(std::string_view bytes, const ConnectionLimits& limits, Request& out);

// The reason phrase of an HTTP status ("Not Found"), "Unknown" for a code it does not know.
const char* reason_phrase(int status);

class Server {
  public:
    struct Hooks {
        // Answers a complete request; called on a worker thread. An exception it throws becomes a
        // 500 answered by `refuse`.
        std::function<void(const Request&, Response&)> handle;
        // Fills in the body and headers of a response the server gives by itself; `response.status`
        // is already set (400, 408, 414, 431, 500, 503 or 505) and `reason` says why. Called on the
        // I/O thread (keep it quick), or on a worker thread for a 500 after `handle` threw;
        // `request` holds whatever was read of the request.
        std::function<void(const Request&, Response&, const std::string& reason)> refuse;
        // Called once for every response, before it is written; `seconds` runs from the end of the
        // request's head (or from when the server refused it) to now. Called on the thread that
        // made the response.
        std::function<void(const Request&, const Response&, double seconds)> log;
    };

    // `workers` threads (at least 1) answer requests.
    Server(ConnectionLimits limits, unsigned workers, Hooks hooks);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds `host` (an IPv4 or IPv6 literal, or a name) on `port`, 0 for any free port, and
    // listens. Returns the port. Errors (kUnavailable): the address does not resolve, or the port
    // cannot be bound (the message carries strerror). Raises the soft limit of open files to the
    // hard limit, and lowers max_connections to fit under it.
    Result<int> listen(const std::string& host, int port);

    // Serves until stop(), then stops accepting, closes the connections where no request has begun,
    // answers the requests already begun (their heads still have head_timeout_ms to arrive) and
    // closes their connections, and returns. Errors (kInternal): epoll or the listening socket failed.
    Status run();

    // Asks run() to return as above. Any thread; returns at once. Not async-signal-safe.
    void stop();

    // Whether run() has started serving (and has not returned).
    bool running() const;

    // Connections open now (for the metrics).
    size_t open_connections() const;

    // The limit of open connections in force: ConnectionLimits::max_connections, or lower after
    // listen() when the limit of open files does not leave room for it.
    size_t max_connections() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace abstrakt::http

#endif  // ABSTRAKT_SEARCHER_HTTP_SERVER_H
