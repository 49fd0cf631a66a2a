#include "common/shards.h"

#include <fstream>
#include <sstream>

#include "common/text.h"

namespace abstrakt::shards {

uint64_t id_hash(std::string_view id) {
    return fnv1a64(id);
}

unsigned shard_of(std::string_view id, unsigned n) { return n <= 1 ? 0 : static_cast<unsigned>(id_hash(id) % n); }

std::string shard_name(unsigned k) { return "shard-" + std::to_string(k); }

std::string stub_text(unsigned n) {
    std::string out;
    for (unsigned k = 0; k < n; ++k) out += "auto " + shard_name(k) + "\n";
    return out;
}

Status write_stub(const std::string& dir, unsigned n) {
    const std::string stub = dir + "/" + kStubFile;
    std::ofstream out(stub, std::ios::binary | std::ios::trunc);
    out << stub_text(n);
    out.close();
    if (!out) return Status(ErrorCode::kUnavailable, "cannot write " + stub);
    return Status::ok();
}

Result<unsigned> count(const std::string& path) {
    const std::string stub = path + "/" + kStubFile;
    std::ifstream in(stub, std::ios::binary);
    if (!in) return 0u;
    std::ostringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    unsigned n = 0;
    for (size_t at = 0; at < s.size(); ++n) {
        const size_t end = s.find('\n', at);
        if (end == std::string::npos || n >= kMaxShards || s.compare(at, end - at, "auto " + shard_name(n)) != 0)
            return Status(ErrorCode::kInvalidArgument, stub + " is not a stub abstrakt-index wrote (lines \"auto shard-0\", \"auto shard-1\", ...): "
                                                       "it can be searched, not written");
        at = end + 1;
    }
    if (n < 2) return Status(ErrorCode::kInvalidArgument, stub + " lists fewer than two shards");
    return n;
}

}  // namespace abstrakt::shards
