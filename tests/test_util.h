// Helpers shared by the unit tests: temporary directories and small indexes.
#ifndef ABSTRAKT_TESTS_TEST_UTIL_H
#define ABSTRAKT_TESTS_TEST_UTIL_H

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace abstrakt::test {

// A directory under $TMPDIR (or /tmp) removed with everything in it when the object goes.
class TempDir {
  public:
    TempDir() {
        std::string base = std::filesystem::temp_directory_path() / "abstrakt-test-XXXXXX";
        if (!mkdtemp(base.data())) throw std::runtime_error("mkdtemp failed");
        path_ = base;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

    // Writes `lines`, each followed by a newline, to a file in the directory; returns its path.
    std::string write(const std::string& name, const std::vector<std::string>& lines) const {
        std::ofstream out(file(name), std::ios::binary);
        for (const std::string& l : lines) out << l << "\n";
        return file(name);
    }

  private:
    std::string path_;
};

inline std::string source_dir() { return ABSTRAKT_SOURCE_DIR; }
inline std::string data_dir() { return source_dir() + "/data"; }

}  // namespace abstrakt::test

#endif  // ABSTRAKT_TESTS_TEST_UTIL_H
