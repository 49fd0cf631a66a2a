// Small byte-level text helpers and the one stable hash, shared by every part of Abstrakt. Words of
// natural language go through the Analyzer (common/analysis.h), never through these: they are for
// syntax (field names, category codes, HTTP tokens) that is ASCII by definition.
#ifndef ABSTRAKT_COMMON_TEXT_H
#define ABSTRAKT_COMMON_TEXT_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace abstrakt {

// ASCII white space: space, \t, \n, \r, \f, \v (as C's isspace in the "C" locale).
constexpr bool is_ascii_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// `s` with A-Z lowered; every other byte (UTF-8 included) unchanged.
std::string ascii_lower(std::string_view s);

// Whether `a` and `b` are equal but for the case of A-Z.
bool ascii_iequals(std::string_view a, std::string_view b);

// `s` without leading and trailing ASCII white space.
std::string_view trim_ascii_space(std::string_view s);

// The code points of UTF-8 text `s`, each as its bytes (a lead byte decides the length; the text is
// expected to be valid, as analysed text is).
std::vector<std::string> utf8_code_points(std::string_view s);

// FNV-1a, 64 bits (offset basis 14695981039346656037, prime 1099511628211): the same on every run
// and machine. It places papers in shards (common/shards.h), names evaluation caches and digests
// exported documents; it is no defence against anyone choosing inputs.
uint64_t fnv1a64(std::string_view s, uint64_t h = 14695981039346656037ull);

}  // namespace abstrakt

#endif  // ABSTRAKT_COMMON_TEXT_H
