#include "indexer/fetch.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <mutex>
#include <thread>

#include "common/text.h"

namespace abstrakt {

namespace {

struct Transfer {
    std::string body;
    uint64_t max_bytes = 0;
    bool too_big = false;
    double retry_after = -1;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    size_t n = size * count;
    if (t->body.size() + n > t->max_bytes) {
        t->too_big = true;
        return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
    }
    t->body.append(data, n);
    return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    size_t n = size * count;
    std::string line(data, n);
    if (line.rfind("HTTP/", 0) == 0) t->retry_after = -1;  // a new response (after a redirect)
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
        if (ascii_iequals(std::string_view(line).substr(0, colon), "retry-after")) {
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(" \t"));
            while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
            t->retry_after = parse_retry_after(value);
        }
    }
    return n;
}

}  // namespace

double parse_retry_after(const std::string& value) {
    if (value.empty()) return -1;
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return value.size() > 9 ? 1e9 : std::stod(value);
    time_t when = curl_getdate(value.c_str(), nullptr);
    if (when < 0) return -1;
    return std::max(0.0, std::difftime(when, std::time(nullptr)));
}

struct Fetcher::Impl {
    FetchOptions o;
    CURL* curl = nullptr;
    bool fetched_before = false;
    std::chrono::steady_clock::time_point last_end;
};

Fetcher::Fetcher(FetchOptions options) : impl_(std::make_unique<Impl>()) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    impl_->o = std::move(options);
    impl_->curl = curl_easy_init();
    sleep = [](std::chrono::duration<double> d) { std::this_thread::sleep_for(d); };
}

Fetcher::~Fetcher() {
    if (impl_->curl) curl_easy_cleanup(impl_->curl);
}

Result<FetchResponse> Fetcher::get(const std::string& url) {
    const FetchOptions& o = impl_->o;
    CURL* c = impl_->curl;
    if (!c) return Status(ErrorCode::kInternal, "libcurl could not be initialised");
    FetchResponse out;
    std::string problem;
    for (int attempt = 1; attempt <= std::max(1, o.max_attempts); ++attempt) {
        if (impl_->fetched_before && o.pause_s > 0) {
            std::chrono::duration<double> since = std::chrono::steady_clock::now() - impl_->last_end;
            if (since.count() < o.pause_s) sleep(std::chrono::duration<double>(o.pause_s - since.count()));
        }
        Transfer t;
        t.max_bytes = o.max_bytes;
        curl_easy_reset(c);
        curl_easy_setopt(c, CURLOPT_URL, url.c_str());
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout_s * 1000));
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout_s * 1000));
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_bytes));
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // gzip and deflate, decoded by libcurl
        curl_easy_setopt(c, CURLOPT_USERAGENT, o.user_agent.c_str());
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
        CURLcode rc = curl_easy_perform(c);
        impl_->fetched_before = true;
        impl_->last_end = std::chrono::steady_clock::now();
        out.attempts = attempt;
        out.status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);

        bool retry = false;
        if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
            return Status(ErrorCode::kInvalidArgument, "GET " + url + ": " + curl_easy_strerror(rc));
        if (t.too_big || rc == CURLE_FILESIZE_EXCEEDED)
            return Status(ErrorCode::kUnavailable, "GET " + url + ": the response is larger than " +
                                                       std::to_string(o.max_bytes) + " bytes");
        if (rc != CURLE_OK) {
            // Timeouts, refused connections, bodies cut short: worth another try.
            problem = curl_easy_strerror(rc);
            retry = true;
        } else if (out.status >= 200 && out.status < 300) {
            out.body = std::move(t.body);
            return out;
        } else if (out.status == 429 || out.status >= 500) {
            problem = "HTTP " + std::to_string(out.status);
            retry = true;
        } else {
            return Status(ErrorCode::kUnavailable, "GET " + url + ": HTTP " + std::to_string(out.status));
        }
        if (!retry || attempt >= o.max_attempts) break;
        double wait = std::min(o.max_backoff_s, o.backoff_s * std::pow(2.0, attempt - 1));
        if (t.retry_after >= 0 && (out.status == 429 || out.status == 503)) {
            // Asking again before the server said to would only earn another refusal: give up for now.
            if (t.retry_after > o.max_backoff_s) {
                char secs[32];
                std::snprintf(secs, sizeof secs, "%.0f", t.retry_after);
                return Status(ErrorCode::kUnavailable, "GET " + url + ": " + problem + ", and Retry-After asks for " + secs +
                                                           " s, longer than max_backoff_s (" + std::to_string(attempt) +
                                                           (attempt == 1 ? " attempt)" : " attempts)"));
            }
            wait = t.retry_after;
        }
        sleep(std::chrono::duration<double>(wait));
    }
    return Status(ErrorCode::kUnavailable, "GET " + url + ": " + problem + " (" + std::to_string(out.attempts) +
                                               (out.attempts == 1 ? " attempt)" : " attempts)"));
}

std::string url_encode(const std::string& s) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}


}  // namespace abstrakt
