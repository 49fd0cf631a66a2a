#include "indexer/sources/feed_util.h"

#include <exception>

#include "common/text.h"

namespace abstrakt::feed {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

std::string_view trim(std::string_view s) { return trim_ascii_space(s); }

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && ascii_iequals(s.substr(0, prefix.size()), prefix);
}

bool all_digits(std::string_view s, size_t min, size_t max) {
    if (s.size() < min || s.size() > max) return false;
    for (char c : s)
        if (!is_digit(c)) return false;
    return true;
}

// NNNN.NNNN (2007 to 2014) or NNNN.NNNNN (since 2015).
bool new_style_id(std::string_view s) {
    return s.size() >= 9 && s[4] == '.' && all_digits(s.substr(0, 4), 4, 4) && all_digits(s.substr(5), 4, 5);
}

// archive[.XX]/YYMMNNN: "hep-th/9901001", "math.AG/0601001", "cond-mat/0102536".
bool old_style_id(std::string_view s) {
    size_t slash = s.find('/');
    if (slash == std::string_view::npos || !all_digits(s.substr(slash + 1), 7, 7)) return false;
    std::string_view archive = s.substr(0, slash);
    if (size_t dot = archive.find('.'); dot != std::string_view::npos) {
        std::string_view sub = archive.substr(dot + 1);
        if (sub.size() != 2 || !is_upper(sub[0]) || !is_upper(sub[1])) return false;
        archive = archive.substr(0, dot);
    }
    if (archive.empty() || !is_lower(archive.front()) || !is_lower(archive.back())) return false;
    for (char c : archive)
        if (!is_lower(c) && c != '-') return false;
    return true;
}

// An archive ("hep-th") or a subject class ("soc-ph", "CL", "str-el"): letters and inner hyphens.
bool category_part(std::string_view s, bool lower_only) {
    if (s.empty() || s.front() == '-' || s.back() == '-') return false;
    for (char c : s)
        if (!(is_lower(c) || c == '-' || (!lower_only && is_upper(c)))) return false;
    return true;
}

}  // namespace

std::optional<std::string> arxiv_id(std::string_view raw) {
    std::string_view s = trim(raw);
    if (starts_with_nocase(s, "oai:arxiv.org:")) {
        s.remove_prefix(14);
    } else if (starts_with_nocase(s, "arxiv:")) {
        s.remove_prefix(6);
    } else if (s.find("://") != std::string_view::npos) {
        size_t abs = s.find("/abs/");
        if (abs == std::string_view::npos) return std::nullopt;
        s.remove_prefix(abs + 5);
        if (size_t end = s.find_first_of("?#"); end != std::string_view::npos) s = s.substr(0, end);
        while (!s.empty() && s.back() == '/') s.remove_suffix(1);
    }
    if (size_t v = s.rfind('v'); v != std::string_view::npos && v + 1 < s.size() &&
                                 all_digits(s.substr(v + 1), 1, 9)) {
        std::string_view base = s.substr(0, v);
        if (new_style_id(base) || old_style_id(base)) s = base;
    }
    if (new_style_id(s) || old_style_id(s)) return std::string(s);
    return std::nullopt;
}

bool is_arxiv_category(std::string_view s) {
    size_t dot = s.find('.');
    if (dot == std::string_view::npos) return category_part(s, true);
    return category_part(s.substr(0, dot), true) && category_part(s.substr(dot + 1), false);
}

std::string collapse_whitespace(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool pending_space = false;
    for (char c : s) {
        if (is_ascii_space(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out.push_back(' ');
        pending_space = false;
        out.push_back(c);
    }
    return out;
}

std::string author_name(std::string_view s) {
    std::string name = collapse_whitespace(s);
    for (char c : name) {
        unsigned char u = static_cast<unsigned char>(c);
        if (u >= 0x80 || is_digit(c) || is_lower(c) || is_upper(c)) return name;  // non-ASCII: taken as a letter
    }
    return "";
}

std::string date_part(std::string_view s) {
    s = trim(s);
    if (s.size() < 10) return "";
    if (s.size() > 10 && s[10] != 'T' && s[10] != 't' && s[10] != ' ') return "";
    std::string_view d = s.substr(0, 10);
    return valid_date(d) ? std::string(d) : std::string();
}

std::optional<uint64_t> parse_u64(std::string_view s) {
    s = trim(s);
    if (s.empty() || s.size() > 20) return std::nullopt;
    uint64_t n = 0;
    for (char c : s) {
        if (!is_digit(c)) return std::nullopt;
        uint64_t d = static_cast<uint64_t>(c - '0');
        if (n > (UINT64_MAX - d) / 10) return std::nullopt;
        n = n * 10 + d;
    }
    return n;
}

size_t first_invalid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len;
        uint32_t cp;
        if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07;
        } else {
            return i;
        }
        if (s.size() - i < len) return i;
        for (size_t k = 1; k < len; ++k) {
            unsigned char cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return std::string_view::npos;
}

std::string excerpt(std::string_view s, size_t max_bytes) {
    if (s.size() <= max_bytes) return std::string(s);
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return std::string(s.substr(0, cut)) + "...";
}

std::string abs_url(std::string_view id) { return "https://arxiv.org/abs/" + std::string(id); }

void add_category(std::vector<std::string>& cats, std::string_view cat) {
    cat = trim(cat);
    if (!is_arxiv_category(cat)) return;
    for (const std::string& c : cats)
        if (c == cat) return;
    cats.emplace_back(cat);
}

void PageBuilder::problem(const std::string& where, const std::string& reason) {
    page_.problems.push_back(where + ": " + reason);
}

void PageBuilder::deleted(const std::string& id) {
    if (!seen_.insert(id).second) return problem(id, "the same id appears earlier on this page");
    page_.deleted.push_back(id);
}

void PageBuilder::add(Record record, const std::string& where) {
    // The record must be one that abstrakt-index would accept from a JSON Lines file: check it with
    // the same validation, through its canonical JSON, so the two can never disagree.
    std::string reason;
    try {
        auto checked = parse_record(to_json(record));
        if (!checked.is_ok()) reason = checked.message();
    } catch (const std::exception& e) {  // to_json throws on text that is not UTF-8
        reason = std::string("not a valid record: ") + e.what();
    }
    if (!reason.empty()) return problem(where, reason);
    if (!seen_.insert(record.id).second) return problem(where, "the same id appears earlier on this page");
    page_.records.push_back(std::move(record));
}

}  // namespace abstrakt::feed
