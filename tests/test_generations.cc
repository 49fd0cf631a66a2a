// Generations: rebuild into a new one, verify, switch atomically, keep the previous for rollback.
#include "indexer/generations.h"

#include <doctest/doctest.h>
#include <unistd.h>
#include <xapian.h>

#include <filesystem>

#include "indexer/export.h"
#include "indexer/rebuild.h"
#include "indexer/writer.h"
#include "test_util.h"

using namespace abstrakt;
namespace fs = std::filesystem;

namespace {

std::string papers(test::TempDir& dir, const std::string& name, int n) {
    std::vector<std::string> lines;
    for (int i = 0; i < n; ++i)
        lines.push_back(R"({"id": ")" + name + std::to_string(i) + R"(", "title": "Paper )" + name + " " + std::to_string(i) + R"("})");
    return dir.write(name + ".jsonl", lines);
}

uint64_t served_documents(const std::string& path) { return Xapian::Database(path).get_doccount(); }

}  // namespace

TEST_CASE("generations: rebuild, switch, keep one for rollback, roll back") {
    test::TempDir dir;
    const std::string served = dir.file("index");
    Generations gens(served);
    CHECK(gens.current().value() == 0);

    RebuildOptions o;
    o.files = {papers(dir, "a", 10)};
    auto first = rebuild(served, o);
    REQUIRE_MESSAGE(first.is_ok(), first.message());
    CHECK(first->generation == 1);
    CHECK(first->previous == 0);
    CHECK(first->documents == 10);
    CHECK(fs::is_symlink(served));
    CHECK(gens.current().value() == 1);
    CHECK(served_documents(served) == 10);

    // A reader that has generation 1 open keeps reading it through the switches that follow.
    Xapian::Database old_reader(served);

    o.files = {papers(dir, "b", 12)};
    auto second = rebuild(served, o);
    REQUIRE(second.is_ok());
    CHECK(second->generation == 2);
    CHECK(second->previous == 1);
    CHECK(served_documents(served) == 12);
    CHECK(gens.list() == std::vector<uint64_t>{1, 2});  // 1 stays for rollback

    o.files = {papers(dir, "c", 9)};
    REQUIRE(rebuild(served, o).is_ok());
    CHECK(gens.list() == std::vector<uint64_t>{2, 3});  // 1 goes with the next switch
    CHECK(old_reader.get_doccount() == 10);

    auto back = gens.rollback();
    REQUIRE(back.is_ok());
    CHECK(back.value() == 2);
    CHECK(served_documents(served) == 12);
    CHECK(gens.rollback().status().code() == ErrorCode::kNotFound);  // nothing older than 2 is left
}

TEST_CASE("generations: rebuild reads its files on several threads into the generation one thread makes") {
    test::TempDir dir;
    // The bundled seed listing (English and German) and generated papers, one of them twice.
    const std::vector<std::string> files = {test::data_dir() + "/seed/chatpaper-2024-02-29.jsonl", papers(dir, "a", 40),
                                            dir.write("again.jsonl", {R"({"id": "a3", "title": "Paper a 3, second version"})"})};
    std::vector<std::string> digests;
    for (unsigned jobs : {1u, 2u, 3u}) {
        CAPTURE(jobs);
        const std::string served = dir.file("index-" + std::to_string(jobs));
        RebuildOptions o;
        o.files = files;
        o.jobs = jobs;
        auto r = rebuild(served, o);
        REQUIRE_MESSAGE(r.is_ok(), r.message());
        CHECK(r->documents == 11 + 40);
        CHECK(r->files.added == 51);
        CHECK(r->files.updated == 1);  // a3's second record
        std::string d;
        REQUIRE(digest_index(served, [&](const std::string& line) { d += line + "\n"; }).is_ok());
        digests.push_back(d);
        // Served through the generation link, with nothing left of the partial indexes (they are
        // built beside the new generation, in the generations folder).
        CHECK(fs::is_symlink(served));
        for (const auto& e : fs::recursive_directory_iterator(dir.path()))
            CHECK(e.path().filename().string().find(".parallel-") == std::string::npos);
    }
    CHECK(digests[1] == digests[0]);
    CHECK(digests[2] == digests[0]);
}

TEST_CASE("generations: what killed rebuilds left is removed, and a half-deleted generation is never served") {
    test::TempDir dir;
    const std::string served = dir.file("index");
    Generations gens(served);
    RebuildOptions o;
    o.files = {papers(dir, "a", 10)};
    for (int k = 0; k < 3; ++k) REQUIRE(rebuild(served, o).is_ok());
    REQUIRE(gens.list() == std::vector<uint64_t>{2, 3});
    // What jobs killed on the way leave (their processes are gone): a parallel build of generation 4
    // and a creation of it, a generation being deleted, and a switch link never renamed over the
    // served path. Regressions (tests/e2e/kill.sh): a rebuild on one thread, or a rebuild of another
    // generation, left a killed parallel build's partial indexes for good, and a killed switch its link.
    const std::vector<std::string> dead = {gens.dir + "/.4.parallel-999999999", gens.dir + "/.4.creating-999999998",
                                           gens.dir + "/.1.deleting-999999997", gens.dir + "/.9.parallel-999999996"};
    for (const std::string& d : dead) fs::create_directories(d + "/part-0");
    REQUIRE(::symlink("index.generations/1", (served + ".switch-999999995").c_str()) == 0);
    CHECK(gens.list() == std::vector<uint64_t>{2, 3});  // a generation being deleted is none
    o.jobs = 1;
    REQUIRE(rebuild(served, o).is_ok());
    for (const std::string& d : dead) CHECK_FALSE(fs::exists(d));
    CHECK_FALSE(fs::exists(fs::symlink_status(served + ".switch-999999995")));
    CHECK(gens.list() == std::vector<uint64_t>{3, 4});
    for (const auto& e : fs::directory_iterator(gens.dir)) CHECK(e.path().filename().string()[0] != '.');
    // A deletion goes through a rename out of the list: rolling back as far as possible only ever
    // reaches whole generations.
    CHECK(gens.rollback().value() == 3);
    CHECK(gens.rollback().status().code() == ErrorCode::kNotFound);
}

TEST_CASE("generations: a failed verification switches nothing") {
    test::TempDir dir;
    const std::string served = dir.file("index");
    RebuildOptions o;
    o.files = {papers(dir, "a", 10)};
    REQUIRE(rebuild(served, o).is_ok());

    o.files = {papers(dir, "b", 3)};  // 3 of 10 is under the 50 % required
    auto shrunk = rebuild(served, o);
    REQUIRE_FALSE(shrunk.is_ok());
    CHECK(shrunk.message().find("generation 2 was not switched to") != std::string::npos);
    CHECK(served_documents(served) == 10);

    o.files = {dir.write("bad.jsonl", {"not json"})};
    o.min_share_of_current = 0;
    auto empty = rebuild(served, o);
    REQUIRE_FALSE(empty.is_ok());
    CHECK(empty.message().find("fewer than the 1 required") != std::string::npos);
    CHECK(served_documents(served) == 10);
    CHECK(Generations(served).current().value() == 1);
}

TEST_CASE("generations: adopting an index made by add") {
    test::TempDir dir;
    const std::string served = dir.file("index");
    {
        auto w = IndexWriter::open(served, true);
        REQUIRE(w.is_ok());
        REQUIRE(w.value()->upsert(parse_record(R"({"id": "x", "title": "t"})").value()).is_ok());
        REQUIRE(w.value()->commit().is_ok());
    }
    Generations gens(served);
    auto refused = gens.current();
    REQUIRE_FALSE(refused.is_ok());
    CHECK(refused.message().find("abstrakt-index adopt") != std::string::npos);
    REQUIRE(gens.adopt().is_ok());
    CHECK(gens.current().value() == 1);
    CHECK(served_documents(served) == 1);
    CHECK(gens.adopt().is_ok());  // a second time changes nothing
}
