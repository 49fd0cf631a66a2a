// Hugging Face daily papers (GET /api/daily_papers?date=DAY) to records.
//
// Two shapes are in use (docs/sources.md): each entry is an object with the paper in "paper" (id,
// authors, publishedAt, title, summary, upvotes) and listing fields beside it (publishedAt, title,
// numComments; "summary" only since mid 2024). Fields are read from the paper first and from the
// entry when the paper lacks them.
#include <cmath>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>

#include "indexer/sources/feed.h"
#include "indexer/sources/feed_util.h"

namespace abstrakt {

namespace {

using Json = nlohmann::json;

// Deeper JSON is refused before parsing. A daily-papers body is 6 levels deep (array, entry, paper,
// authors, author, user).
constexpr int kMaxJsonDepth = 64;

// The member `key` of `obj`, or nullptr when `obj` is not an object or has no such member.
const Json* member(const Json* obj, const char* key) {
    if (!obj || !obj->is_object()) return nullptr;
    auto it = obj->find(key);
    return it == obj->end() ? nullptr : &*it;
}

// The string member `key`, white space collapsed; "" when absent, not a string, or blank.
std::string text(const Json* obj, const char* key) {
    const Json* v = member(obj, key);
    if (!v || !v->is_string()) return "";
    return feed::collapse_whitespace(v->get_ref<const std::string&>());
}

// The first non-empty text of `key` in `first`, then in `second`.
std::string text(const Json* first, const Json* second, const char* key) {
    std::string t = text(first, key);
    return t.empty() ? text(second, key) : t;
}

// A non-negative integer counter; nullopt for anything else (a float with a fraction, a string,
// a negative number, null).
std::optional<int64_t> counter(const Json* obj, const char* key) {
    const Json* v = member(obj, key);
    if (!v) return std::nullopt;
    if (v->is_number_unsigned()) {
        uint64_t n = v->get<uint64_t>();
        if (n <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(n);
    } else if (v->is_number_integer()) {
        int64_t n = v->get<int64_t>();
        if (n >= 0) return n;
    } else if (v->is_number_float()) {
        double d = v->get<double>();
        if (std::isfinite(d) && d >= 0 && d <= 9007199254740992.0 && std::floor(d) == d) return static_cast<int64_t>(d);
    }
    return std::nullopt;
}

std::optional<int64_t> counter(const Json* first, const Json* second, const char* key1, const char* key2) {
    auto n = counter(first, key1);
    return n ? n : counter(second, key2);
}

const char* kind(const Json& v) {
    switch (v.type()) {
        case Json::value_t::null: return "null";
        case Json::value_t::object: return "an object";
        case Json::value_t::array: return "an array";
        case Json::value_t::string: return "a string";
        case Json::value_t::boolean: return "a boolean";
        case Json::value_t::binary: return "binary data";
        case Json::value_t::discarded: return "nothing";
        default: return "a number";
    }
}

// Nesting depth of arrays and objects, outside strings; stops counting once over `limit`.
int json_depth(std::string_view s, int limit) {
    int depth = 0, max = 0;
    bool in_string = false, escaped = false;
    for (char c : s) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            ++depth;
            if (depth > max) max = depth;
            if (max > limit) return max;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return max;
}

// Why a parsed body that is not an array of papers was refused.
std::string not_an_array(const Json& j) {
    if (j.is_object()) {
        const Json* status = member(&j, "status");
        if (status && status->is_string() && status->get_ref<const std::string&>() == "no_data") {
            std::string msg = text(&j, "message");
            return "no data for this day: an object with \"status\": \"no_data\"" +
                   (msg.empty() ? std::string() : " (\"" + feed::excerpt(msg, 200) + "\")") +
                   ", not an array of papers";
        }
        std::string keys;
        size_t n = 0;
        for (auto it = j.begin(); it != j.end(); ++it, ++n) {
            if (n == 8) {
                keys += ", ...";
                break;
            }
            keys += (n ? ", \"" : "\"") + feed::excerpt(it.key(), 40) + "\"";
        }
        return "the response is a wrapper object (keys " + (keys.empty() ? std::string("none") : keys) +
               "), not an array of papers";
    }
    return std::string("the response is ") + kind(j) + ", not an array of papers";
}

}  // namespace

Result<FeedPage> parse_hf_daily(std::string_view body, std::string_view day) {
    const std::string prefix = day.empty() ? "daily papers: " : "daily papers for " + std::string(day) + ": ";
    auto fail = [&](const std::string& reason) { return Status(ErrorCode::kInvalidArgument, prefix + reason); };

    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return fail("empty response");
    if (body.size() > kMaxFeedBytes)
        return fail("response of " + std::to_string(body.size()) + " bytes is over the limit of " +
                    std::to_string(kMaxFeedBytes) + " bytes");
    if (size_t bad = feed::first_invalid_utf8(body); bad != std::string_view::npos)
        return fail("invalid UTF-8 near byte " + std::to_string(bad + 1));
    if (json_depth(body, kMaxJsonDepth) > kMaxJsonDepth)
        return fail("JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");

    Json j;
    try {
        j = Json::parse(body.begin(), body.end());
    } catch (const Json::parse_error& e) {
        // e.what() starts with "[json.exception.parse_error.101] "; the rest is the useful part.
        std::string what = e.what();
        if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
        // An error at the last byte (inside a string, a number or between values) means the body
        // stops early: a dropped connection rather than a malformed response.
        bool cut = e.byte >= body.size() || what.find("unexpected end of input") != std::string::npos;
        return fail(std::string(cut ? "not valid JSON (the body ends too early): " : "not valid JSON: ") +
                    feed::excerpt(what, 160));
    } catch (const std::exception& e) {
        return fail(std::string("not valid JSON: ") + feed::excerpt(e.what(), 160));
    }
    if (!j.is_array()) return fail(not_an_array(j));

    // An array none of whose entries is an object is a failed day, not a day of bad entries: the
    // broken days of December 2024 hold the papers as Python-repr strings ("{'paper': {'id': ...").
    bool any_object = false;
    for (const Json& e : j) any_object = any_object || e.is_object();
    if (!j.empty() && !any_object) {
        const Json& first = j.front();
        std::string what = std::string("the entries are not paper objects: entry 1 is ") + kind(first);
        if (first.is_string()) {
            const std::string& s = first.get_ref<const std::string&>();
            what += " (\"" + feed::excerpt(s, 40) + "\")";
            if (s.rfind("{'", 0) == 0) what += ", a Python repr of a paper rather than JSON";
        }
        return fail(what);
    }

    FeedPage page;
    feed::PageBuilder builder(page);
    size_t n = 0;
    for (const Json& e : j) {
        std::string where = "entry " + std::to_string(++n);
        if (!e.is_object()) {
            builder.problem(where, std::string("not a paper object but ") + kind(e));
            continue;
        }
        const Json* paper = member(&e, "paper");
        if (paper && !paper->is_object()) paper = nullptr;

        const Json* id = member(paper, "id");
        if (!id || id->is_null()) id = member(&e, "id");
        if (!id || id->is_null()) {
            builder.problem(where, "no id");
            continue;
        }
        if (!id->is_string()) {
            builder.problem(where, std::string("the id is ") + kind(*id) + ", not a string");
            continue;
        }
        auto arxiv = feed::arxiv_id(id->get_ref<const std::string&>());
        if (!arxiv) {
            builder.problem(where, "id \"" + feed::excerpt(id->get_ref<const std::string&>(), 60) + "\" is not an arXiv id");
            continue;
        }
        Record r;
        r.id = *arxiv;
        where = r.id;
        std::string title = text(paper, &e, "title");
        if (title.empty()) {
            builder.problem(where, "no title");
            continue;
        }
        r.title.push_back({"en", std::move(title)});
        if (std::string summary = text(paper, &e, "summary"); !summary.empty())
            r.abstract.push_back({"en", std::move(summary)});

        const Json* authors = member(paper, "authors");
        if (!authors || !authors->is_array()) authors = member(&e, "authors");
        if (authors && authors->is_array()) {
            for (const Json& a : *authors) {
                const Json* name_field = a.is_string() ? &a : member(&a, "name");
                std::string name;
                if (name_field && name_field->is_string())
                    name = feed::author_name(name_field->get_ref<const std::string&>());
                if (!name.empty()) r.authors.push_back(std::move(name));
            }
        }
        // The paper's publishedAt is its arXiv date (UTC); the entry's is the listing's, which in
        // later responses is the same instant four hours earlier and can fall on the day before.
        r.published = feed::date_part(text(paper, "publishedAt"));
        if (r.published.empty()) r.published = feed::date_part(text(&e, "publishedAt"));
        r.upvotes = counter(paper, &e, "upvotes", "upvotes");
        r.comments = counter(&e, paper, "numComments", "numComments");
        r.url = feed::abs_url(r.id);
        builder.add(std::move(r), where);
    }
    return page;
}

}  // namespace abstrakt
