// Fuzz target: the feed adapter for Hugging Face daily papers JSON (parse_hf_daily), indexer/sources/feed.h.
//
// The input is a response body. Checks, beyond not crashing, hanging or throwing (the adapters
// promise never to throw): check_page (fuzz_util.h), that is, an error with a message or a page
// whose every record is one abstrakt-index accepts (valid UTF-8, canonical JSON that reads back the
// same, a document that builds), with no id twice.
#include <cstdint>
#include <string_view>

#include "common/analysis.h"
#include "indexer/sources/feed.h"
#include "tests/fuzz/fuzz_util.h"

using namespace abstrakt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Analyzer analyzer;
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    fuzz::check_page(parse_hf_daily(body, "2024-05-28"), analyzer);
    return 0;
}
