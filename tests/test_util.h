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

// The whole file; throws (failing the test) when it cannot be read.
inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// An OAI-PMH ListRecords response around `inner`.
inline std::string oai_list(const std::string& inner) {
    return R"(<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-08-22T03:00:00Z</responseDate>
<request verb="ListRecords" metadataPrefix="arXiv">http://export.arxiv.org/oai2</request><ListRecords>)" +
           inner + "</ListRecords></OAI-PMH>";
}

// One OAI-PMH record with arXiv metadata; `fields` goes inside <arXiv>.
inline std::string oai_record(const std::string& identifier, const std::string& fields) {
    return "<record><header><identifier>" + identifier + "</identifier><datestamp>2018-01-25</datestamp></header>" +
           R"(<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/">)" + fields + "</arXiv></metadata></record>";
}

}  // namespace abstrakt::test

#endif  // ABSTRAKT_TESTS_TEST_UTIL_H
