// The main of the replay binaries (fuzz-replay-<target>): runs a fuzz target's
// LLVMFuzzerTestOneInput once on each file given, or on each file under each directory given
// (recursively, in name order), as libFuzzer would run a corpus, without libFuzzer. This is how gcc
// builds keep running the seed corpora and every input a fuzzer once crashed or hung on.
//
// Usage: fuzz-replay-<target> FILE_OR_DIR...
// Prints one line per directory with its count of files and the slowest file. A crash or a violated
// invariant aborts with the target's message (the file being run is printed first, on standard
// error, so that it is known). Exits 1 when an argument cannot be read, and when no input was found
// at all (a corpus that went missing must not pass as a success).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

bool read_file(const fs::path& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    out.assign(std::istreambuf_iterator<char>(in), {});
    return !in.bad();
}

// Runs the target on `path`; returns the seconds it took, or -1 when the file cannot be read.
double run_one(const fs::path& path) {
    std::string data;
    if (!read_file(path, data)) {
        std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
        return -1;
    }
    // Said before running, so that the input is named when the target aborts.
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), data.size());
    // A copy the size of the input exactly, as libFuzzer passes it: reading past its end is then
    // an error AddressSanitizer sees (std::string keeps a terminating NUL after its bytes).
    std::vector<uint8_t> bytes(data.begin(), data.end());
    const Clock::time_point start = Clock::now();
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    size_t total = 0;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg = argv[i];
        std::error_code ec;
        std::vector<fs::path> files;
        if (fs::is_directory(arg, ec)) {
            for (fs::recursive_directory_iterator it(arg, ec), end; !ec && it != end; it.increment(ec))
                if (it->is_regular_file()) files.push_back(it->path());
            if (ec) {
                std::fprintf(stderr, "replay: cannot list %s: %s\n", arg.c_str(), ec.message().c_str());
                return 1;
            }
            std::sort(files.begin(), files.end());
        } else if (fs::exists(arg, ec)) {
            files.push_back(arg);
        } else {
            // A target without regressions yet has no directory of them: nothing to run there.
            std::printf("replay: %s: not found, skipped\n", arg.c_str());
            continue;
        }
        double slowest = 0;
        fs::path slowest_file;
        for (const fs::path& f : files) {
            const double seconds = run_one(f);
            if (seconds < 0) return 1;
            if (seconds >= slowest) {
                slowest = seconds;
                slowest_file = f;
            }
        }
        total += files.size();
        std::printf("replay: %s: %zu inputs", arg.c_str(), files.size());
        if (!files.empty()) std::printf(", slowest %.3f s (%s)", slowest, slowest_file.filename().c_str());
        std::printf("\n");
    }
    if (total == 0) {
        std::fprintf(stderr, "replay: no inputs found\n");
        return 1;
    }
    return 0;
}
