// Settings that both command-line programs resolve the same way.
#ifndef ABSTRAKT_COMMON_CONFIG_H
#define ABSTRAKT_COMMON_CONFIG_H

#include <string>

namespace abstrakt {

// The index path: `flag` when given (non-empty), else $ABSTRAKT_DB, else
// $XDG_DATA_HOME/abstrakt/index, else $HOME/.local/share/abstrakt/index, else ./abstrakt-index.
std::string resolve_db_path(const std::string& flag);

// Exit statuses shared by abstrakt-index and abstrakt-search (documented in docs/cli.md).
enum ExitCode : int {
    kExitOk = 0,
    kExitPartial = 1,       // the run finished but some input was skipped or not found
    kExitUsage = 2,         // bad arguments, a bad query, an invalid option value
    kExitIndex = 3,         // the index could not be opened, was locked, or failed to write
    kExitInterrupted = 130  // stopped by SIGINT or SIGTERM after committing what was done
};

}  // namespace abstrakt

#endif  // ABSTRAKT_COMMON_CONFIG_H
