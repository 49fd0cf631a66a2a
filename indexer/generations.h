// Generations of the served index: a rebuild writes a complete new index beside the served one,
// verifies it, and switches the served path to it atomically; the previous generation stays for
// rollback until the next successful switch.
//
// Layout: the served path PATH is a symbolic link to PATH.generations/N (N = 1, 2, ...). A switch
// makes a new link and rename(2)s it over PATH, so a reader opening PATH sees the old or the new
// generation, never neither. Readers that have the old one open keep reading it: its files are only
// deleted two switches later.
#ifndef ABSTRAKT_INDEXER_GENERATIONS_H
#define ABSTRAKT_INDEXER_GENERATIONS_H

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace abstrakt {

struct Generations {
    std::string served;  // PATH
    std::string dir;     // PATH.generations

    explicit Generations(const std::string& served_path);

    // The generation PATH points to now (0 when PATH does not exist). Errors: kInvalidArgument when
    // PATH is a directory or a file rather than a link (an index made by `add` before the first
    // rebuild: see adopt()), or a link to somewhere else.
    Result<uint64_t> current() const;
    // The generations on disk, in increasing order.
    std::vector<uint64_t> list() const;
    std::string path_of(uint64_t generation) const;

    // A fresh, empty directory for the next generation (removing a leftover of a failed rebuild).
    Result<std::string> prepare_next();
    // Points PATH at `generation` atomically, then deletes generations older than the one PATH
    // pointed to before (that one stays for rollback).
    Status switch_to(uint64_t generation);
    // Points PATH back at the newest generation older than the current one.
    Result<uint64_t> rollback();
    // Turns an index directory at PATH (made by `add`) into generation 1 behind a link. Between the
    // two renames this takes, PATH briefly does not exist: run it before serving, not during.
    Status adopt();

  private:
    void discard(uint64_t generation);  // deletes a generation; never leaves part of one in list()
    void clear_dead() const;            // removes what killed jobs left in `dir`
};

}  // namespace abstrakt

#endif  // ABSTRAKT_INDEXER_GENERATIONS_H
