// The one place where Xapian's exceptions become Statuses, for the indexer and the searcher alike.
#ifndef ABSTRAKT_COMMON_XAPIAN_GUARD_H
#define ABSTRAKT_COMMON_XAPIAN_GUARD_H

#include <xapian.h>

#include <exception>
#include <string>

#include "common/status.h"

namespace abstrakt {

// Runs `f` (which returns a Result<T> or Status) and turns any exception it throws into a Status that
// names the index at `path`: DatabaseLockError -> kLocked, DatabaseNotFoundError -> kNotFound, other
// opening, corruption and Xapian errors -> kUnavailable, anything else -> kInternal.
// DatabaseModifiedError is not special here: the searcher's engine retries it before it gets here.
template <class F>
auto guarded(const std::string& path, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const Xapian::DatabaseLockError&) {
        return Status(ErrorCode::kLocked,
                      "index " + path + " is locked by another writer; try again when it has finished");
    } catch (const Xapian::DatabaseNotFoundError&) {
        return Status(ErrorCode::kNotFound, "no index at " + path);
    } catch (const Xapian::DatabaseOpeningError& e) {
        return Status(ErrorCode::kUnavailable, "cannot open index " + path + ": " + e.get_msg());
    } catch (const Xapian::DatabaseCorruptError& e) {
        return Status(ErrorCode::kUnavailable, "index " + path + " is corrupt: " + e.get_msg());
    } catch (const Xapian::Error& e) {
        return Status(ErrorCode::kUnavailable, "index " + path + ": " + e.get_type() + ": " + e.get_msg());
    } catch (const std::exception& e) {
        return Status(ErrorCode::kInternal, "index " + path + ": " + e.what());
    }
}

}  // namespace abstrakt

#endif  // ABSTRAKT_COMMON_XAPIAN_GUARD_H
