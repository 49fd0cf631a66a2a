// Fetching feeds over HTTP with libcurl: timeouts, a size cap, retries with exponential backoff that
// honour Retry-After, and a pause between requests to the same source.
#ifndef ABSTRAKT_INDEXER_FETCH_H
#define ABSTRAKT_INDEXER_FETCH_H

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"

namespace abstrakt {

struct FetchOptions {
    double connect_timeout_s = 10;
    double timeout_s = 60;          // the whole transfer, headers and body
    uint64_t max_bytes = 64u << 20; // a larger body is an error, not a truncated success
    int max_attempts = 4;           // the first try and up to three retries
    double backoff_s = 1;           // the first retry waits this long, then twice as long each time
    double max_backoff_s = 60;      // no wait is longer; a longer Retry-After gives up instead
    double pause_s = 0;             // between the end of one request and the start of the next
    std::string user_agent = "abstrakt-index (+https://github.com/abstrakt)";
};

struct FetchResponse {
    long status = 0;        // the HTTP status of the last attempt
    std::string body;
    int attempts = 0;
};

// Fetches URLs one after another. Not thread-safe: one Fetcher per thread.
class Fetcher {
  public:
    explicit Fetcher(FetchOptions options = {});
    ~Fetcher();
    Fetcher(const Fetcher&) = delete;
    Fetcher& operator=(const Fetcher&) = delete;

    // GETs `url` and returns the body of a 2xx answer. Retried, with backoff: connection failures,
    // timeouts, 429 and 5xx (429 and 503 wait for Retry-After when it is given, in seconds or as an
    // HTTP date; one that asks for more than max_backoff_s ends the attempts at once). Not retried: other 4xx, a body over max_bytes, a URL libcurl
    // cannot use. Errors are kUnavailable with a message that names the URL, the status or the
    // transport error, and the number of attempts; kInvalidArgument for a malformed URL.
    Result<FetchResponse> get(const std::string& url);

    // How the fetcher waits (tests replace it to run without sleeping). The default sleeps.
    std::function<void(std::chrono::duration<double>)> sleep;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Seconds to wait from a Retry-After header value: delta-seconds or an HTTP date; -1 when absent or
// unreadable.
double parse_retry_after(const std::string& value);

// `s` percent-encoded for a URL's query: every byte but A-Z, a-z, 0-9 and - _ . ~ as %XX (upper-case
// hex), so that any bytes, invalid UTF-8 included, travel as they are.
std::string url_encode(const std::string& s);

}  // namespace abstrakt

#endif  // ABSTRAKT_INDEXER_FETCH_H
