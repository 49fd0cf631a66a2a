// Fuzz target: the JSON Lines record reader and parser (common/record.h).
//
// The input is a JSON Lines file, plain or gzip-compressed: it is read with RecordReader (through a
// memory file, so that line splitting, the byte order mark, blank lines and gzip decoding are
// fuzzed too), and the whole input is also given to parse_record as one line. Checks, beyond not
// crashing, hanging or throwing:
// - every record accepted passes check_record (fuzz_util.h): fields as parse_record promises, valid
//   UTF-8 text, canonical JSON that reads back as the same record, a Xapian document that builds;
// - the reader returns at most one outcome per line of the decoded input and then ends, and every
//   error names the file and a line.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/analysis.h"
#include "common/record.h"
#include "tests/fuzz/fuzz_util.h"

using namespace abstrakt;

namespace {

// Larger inputs are cut short rather than read: a line of a JSON Lines file is one record of a few
// kilobytes, and the reader's own 16 MiB line limit is a unit test's job, not the fuzzer's.
constexpr size_t kMaxInput = 1 << 20;

Analyzer& analyzer() {
    static Analyzer a;
    return a;
}

void read_as_file(std::string_view data) {
    const int fd = memfd_create("fuzz-record", MFD_CLOEXEC);
    FUZZ_CHECK(fd >= 0, "memfd_create failed");
    for (size_t off = 0; off < data.size();) {
        const ssize_t n = write(fd, data.data() + off, data.size() - off);
        FUZZ_CHECK(n > 0, "writing the memory file failed");
        off += static_cast<size_t>(n);
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    Result<std::unique_ptr<RecordReader>> reader = RecordReader::open(path);
    FUZZ_CHECK(reader.is_ok(), "cannot open the memory file: " + reader.message());
    // Each outcome but the end consumes at least one line, and gzip data cannot decode to more than
    // 1032 times its size (deflate's largest ratio): a bound that only a reader that never ends passes.
    const uint64_t max_outcomes = 1032 * static_cast<uint64_t>(data.size()) + 2;
    uint64_t outcomes = 0;
    Record record;
    std::string error;
    while (true) {
        error.clear();
        const RecordReader::Outcome o = reader.value()->next(record, error);
        if (o == RecordReader::Outcome::kEnd) break;
        FUZZ_CHECK(++outcomes <= max_outcomes, "the reader does not end");
        FUZZ_CHECK(o != RecordReader::Outcome::kInterrupted, "interrupted without a signal");
        if (o == RecordReader::Outcome::kRecord) {
            fuzz::check_record(record, analyzer());
            continue;
        }
        FUZZ_CHECK(error.compare(0, path.size() + 1, path + ":") == 0, "error without the path: " + fuzz::show(error));
        // After a read error the reader ends.
        if (o == RecordReader::Outcome::kReadError) {
            FUZZ_CHECK(reader.value()->next(record, error) == RecordReader::Outcome::kEnd, "no end after a read error");
            break;
        }
    }
    // Plain input: no more lines than its newlines allow (an unterminated last line counts).
    const bool gzip = data.size() >= 2 && data[0] == '\x1f' && data[1] == '\x8b';
    if (!gzip) {
        const uint64_t lines = static_cast<uint64_t>(std::count(data.begin(), data.end(), '\n')) + 1;
        FUZZ_CHECK(reader.value()->line() <= lines && outcomes <= lines,
                   "more lines than the input has: " + std::to_string(reader.value()->line()));
    }
    close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size < kMaxInput ? size : kMaxInput);
    Result<Record> r = parse_record(input);
    if (r.is_ok()) fuzz::check_record(r.value(), analyzer());
    read_as_file(input);
    return 0;
}
