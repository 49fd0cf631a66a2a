// Helpers shared by the fuzz targets (tests/fuzz/fuzz_*.cc): the invariant check that aborts, and
// the checks every record must pass wherever it comes from.
#ifndef ABSTRAKT_TESTS_FUZZ_FUZZ_UTIL_H
#define ABSTRAKT_TESTS_FUZZ_FUZZ_UTIL_H

#include <xapian.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_set>

#include "common/analysis.h"
#include "common/lang.h"
#include "common/record.h"
#include "common/schema.h"
#include "indexer/document.h"
#include "indexer/sources/feed.h"

// Aborts with a message when `cond` is false. libFuzzer reports an abort as a crash and keeps the
// input; the replay binaries die with the same message. Used instead of assert(), which NDEBUG
// (every build of this project) turns off.
#define FUZZ_CHECK(cond, what)                                                                   \
    do {                                                                                         \
        if (!(cond)) ::abstrakt::fuzz::fail(__FILE__, __LINE__, #cond, (what));                  \
    } while (0)

namespace abstrakt::fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* cond, const std::string& what) {
    std::fprintf(stderr, "\n%s:%d: invariant violated: %s\n  %s\n", file, line, cond, what.c_str());
    std::fflush(stderr);
    std::abort();
}

// `s` for a message: at most 200 bytes, control bytes and bytes above 0x7e as \xNN.
inline std::string show(std::string_view s) {
    std::string out = "\"";
    for (size_t i = 0; i < s.size() && i < 200; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + (s.size() > 200 ? "\"..." : "\"");
}

// What every record the project accepts must be, from a JSON line or from a feed: the promises of
// parse_record (common/record.h), text that is valid UTF-8, a canonical JSON that reads back as the
// same record, and a Xapian document that build_document makes without throwing and whose every
// term the index can store.
inline void check_record(const Record& r, Analyzer& analyzer) {
    FUZZ_CHECK(!r.id.empty() && r.id.size() <= 200, "id " + show(r.id));
    for (unsigned char c : r.id) FUZZ_CHECK(c >= 0x20, "control character in id " + show(r.id));
    FUZZ_CHECK(!r.title.empty(), "a record without a title: " + show(r.id));
    for (const auto* field : {&r.title, &r.abstract})
        for (const LangText& lt : *field) {
            FUZZ_CHECK(!lt.text.empty(), "empty text in language " + show(lt.lang));
            FUZZ_CHECK(valid_utf8(lt.text), "text not UTF-8: " + show(lt.text));
            const auto tag = lang::canonical_tag(lt.lang);
            FUZZ_CHECK(tag && *tag == lt.lang, "language tag not canonical: " + show(lt.lang));
        }
    for (const auto* list : {&r.authors, &r.categories})
        for (const std::string& s : *list) FUZZ_CHECK(!s.empty() && valid_utf8(s), "author or category " + show(s));
    FUZZ_CHECK(valid_utf8(r.id) && valid_utf8(r.url), "id or url not UTF-8: " + show(r.id) + " " + show(r.url));
    FUZZ_CHECK(r.published.empty() || valid_date(r.published), "published " + show(r.published));
    FUZZ_CHECK(!r.upvotes || *r.upvotes >= 0, "negative upvotes");
    FUZZ_CHECK(!r.comments || *r.comments >= 0, "negative comments");

    // to_json would throw on text that is not UTF-8 (checked above): an exception here is a crash.
    const std::string json = to_json(r);
    Result<Record> back = from_json(json);
    FUZZ_CHECK(back.is_ok(), "canonical JSON does not read back: " + back.message() + ": " + show(json));
    FUZZ_CHECK(to_json(back.value()) == json, "canonical JSON changes when read back: " + show(json));
    FUZZ_CHECK(to_json(merge_records(r, r)) == json, "merging a record with itself changes it: " + show(json));

    // Xapian refuses a document with a longer term, and the whole commit with it.
    const Xapian::Document doc = build_document(r, analyzer);
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t)
        FUZZ_CHECK((*t).size() <= schema::kMaxTermBytes, "a term too long for Xapian: " + show(*t));
}

// What every answer of a feed adapter (indexer/sources/feed.h) must be: an error with a message, or
// a page whose records pass check_record, with no id twice among its records and deletions.
inline void check_page(const Result<FeedPage>& page, Analyzer& analyzer) {
    if (!page.is_ok()) {
        FUZZ_CHECK(!page.message().empty(), "an error without a message");
        return;
    }
    const FeedPage& p = page.value();
    std::unordered_set<std::string> ids;
    for (const Record& r : p.records) {
        check_record(r, analyzer);
        FUZZ_CHECK(ids.insert(r.id).second, "the same id twice on a page: " + show(r.id));
    }
    for (const std::string& id : p.deleted) {
        FUZZ_CHECK(!id.empty() && valid_utf8(id), "deleted id " + show(id));
        FUZZ_CHECK(ids.insert(id).second, "the same id twice on a page: " + show(id));
    }
    for (const std::string& problem : p.problems) FUZZ_CHECK(!problem.empty(), "an empty problem line");
    // The token goes back into the next request's URL and into the index's metadata.
    FUZZ_CHECK(valid_utf8(p.resumption_token), "resumption token " + show(p.resumption_token));
}

}  // namespace abstrakt::fuzz

#endif  // ABSTRAKT_TESTS_FUZZ_FUZZ_UTIL_H
