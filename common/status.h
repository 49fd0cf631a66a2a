// Results that carry an error code and a message instead of throwing across module boundaries.
//
// Library code returns Status or Result<T>; only the edges choose what an error becomes: the CLIs
// map codes to exit statuses, the HTTP server to HTTP statuses.
#ifndef ABSTRAKT_COMMON_STATUS_H
#define ABSTRAKT_COMMON_STATUS_H

#include <optional>
#include <string>
#include <utility>

namespace abstrakt {

enum class ErrorCode {
    kOk = 0,
    kInvalidArgument,  // the caller's input is wrong: a bad option, query, record or language
    kNotFound,         // no such index, file or document
    kLocked,           // another writer holds the index
    kUnavailable,      // the index cannot be opened or read right now (corrupt, wrong version, I/O)
    kInternal,         // a bug or an unexpected library error
};

class Status {
  public:
    Status() = default;
    Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
    static Status ok() { return {}; }

    bool is_ok() const { return code_ == ErrorCode::kOk; }
    ErrorCode code() const { return code_; }
    const std::string& message() const { return message_; }

  private:
    ErrorCode code_ = ErrorCode::kOk;
    std::string message_;
};

// A value or the Status that says why there is none.
template <class T>
class Result {
  public:
    Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design, like std::optional
    Result(Status status) : status_(std::move(status)) {}  // NOLINT

    bool is_ok() const { return value_.has_value(); }
    const Status& status() const { return status_; }
    const std::string& message() const { return status_.message(); }
    T& value() { return *value_; }
    const T& value() const { return *value_; }
    T* operator->() { return &*value_; }
    const T* operator->() const { return &*value_; }

  private:
    std::optional<T> value_;
    Status status_;
};

}  // namespace abstrakt

#endif  // ABSTRAKT_COMMON_STATUS_H
