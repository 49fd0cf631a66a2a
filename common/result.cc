#include "common/result.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace abstrakt {

std::string html_safe_json(std::string_view json) {
    std::string out;
    out.reserve(json.size() + json.size() / 16);
    for (size_t i = 0; i < json.size(); ++i) {
        const char c = json[i];
        switch (c) {
            case '<': out += "\\u003c"; break;
            case '>': out += "\\u003e"; break;
            case '&': out += "\\u0026"; break;
            case '\'': out += "\\u0027"; break;
            default:
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8.
                if (c == '\xE2' && i + 2 < json.size() && json[i + 1] == '\x80' && (json[i + 2] == '\xA8' || json[i + 2] == '\xA9')) {
                    out += json[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
                    i += 2;
                } else {
                    out += c;
                }
        }
    }
    return out;
}

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string Snippet::plain() const {
    std::string out;
    for (const Part& p : parts) out += p.text;
    return out;
}

std::string Snippet::html() const {
    std::string out;
    for (const Part& p : parts) {
        if (p.match) out += "<mark>";
        out += html_escape(p.text);
        if (p.match) out += "</mark>";
    }
    return out;
}

std::string Snippet::ansi() const {
    std::string out;
    for (const Part& p : parts) {
        if (p.match) out += "\033[1m";
        out += p.text;
        if (p.match) out += "\033[0m";
    }
    return out;
}

namespace {

double round6(double v) { return std::round(v * 1e6) / 1e6; }

nlohmann::ordered_json explain_json(const Explanation& e) {
    using nlohmann::ordered_json;
    ordered_json o;
    o["tier"] = e.tier.empty() ? ordered_json(nullptr) : ordered_json(e.tier);
    o["score"] = round6(e.score);
    ordered_json terms = ordered_json::array();
    for (const Explanation::Term& t : e.terms) {
        ordered_json row;
        row["term"] = t.term;
        row["field"] = t.field;
        row["kind"] = t.kind;
        row["wdf"] = t.wdf;
        row["weight"] = round6(t.weight);
        if (t.factor != 1) row["factor"] = t.factor;
        terms.push_back(std::move(row));
    }
    o["terms"] = std::move(terms);
    // -0.0 (a sum that rounds to nothing below zero) prints as "-0.0": make it 0.
    const double unexplained = round6(e.unexplained);
    o["unexplained"] = unexplained == 0 ? 0.0 : unexplained;
    o["proximity"] = round6(e.proximity);
    o["coverage"] = round6(e.coverage);
    return o;
}

}  // namespace

std::string to_json(const SearchResponse& r, int indent) {
    using nlohmann::ordered_json;
    ordered_json j;
    j["query"] = r.query;
    j["total"] = r.total;
    j["total_is_exact"] = r.total_is_exact;
    j["took_ms"] = std::round(r.took_ms * 1000) / 1000;
    j["offset"] = r.offset;
    j["limit"] = r.limit;
    j["has_more"] = r.has_more;
    ordered_json hits = ordered_json::array();
    for (const Hit& h : r.hits) {
        ordered_json o;
        o["id"] = h.id;
        o["title"] = h.title;
        o["title_highlighted"] = h.title_highlighted.html();
        o["title_lang"] = h.title_lang;
        o["langs"] = h.langs;
        o["authors"] = h.authors;
        o["published"] = h.published.empty() ? ordered_json(nullptr) : ordered_json(h.published);
        o["categories"] = h.categories;
        o["upvotes"] = h.upvotes ? ordered_json(*h.upvotes) : ordered_json(nullptr);
        o["comments"] = h.comments ? ordered_json(*h.comments) : ordered_json(nullptr);
        o["url"] = h.url.empty() ? ordered_json(nullptr) : ordered_json(h.url);
        o["score"] = std::round(h.score * 10000) / 10000;
        o["snippet"] = h.snippet.html();
        o["snippet_lang"] = h.snippet_lang.empty() ? ordered_json(nullptr) : ordered_json(h.snippet_lang);
        if (h.explain) o["explain"] = explain_json(*h.explain);
        hits.push_back(std::move(o));
    }
    j["hits"] = std::move(hits);
    if (r.facets) {
        auto counts = [](const Facets::Counts& c) {
            ordered_json o = ordered_json::object();
            for (const auto& [key, n] : c) o[key] = n;
            return o;
        };
        j["facets"] = {{"lang", counts(r.facets->lang)}, {"year", counts(r.facets->year)}, {"category", counts(r.facets->category)}};
    }
    j["suggestion"] = r.suggestion.empty() ? ordered_json(nullptr) : ordered_json(r.suggestion);
    j["corrected"] = r.corrected.empty() ? ordered_json(nullptr) : ordered_json(r.corrected);
    ordered_json translations = ordered_json::array();
    for (const QueryTranslation& t : r.translations)
        translations.push_back({{"word", t.word}, {"lang", t.lang}, {"to", t.to}, {"as", t.as}});
    j["translations"] = std::move(translations);
    ordered_json notices = ordered_json::array();
    for (const Notice& n : r.notices) notices.push_back({{"code", n.code}, {"message", n.message}});
    j["notices"] = std::move(notices);
    j["partial"] = r.partial;
    j["missing_shards"] = r.missing_shards;
    if (!r.plan.empty()) j["plan"] = r.plan;
    // Invalid UTF-8 cannot reach here (records and queries are validated), but replace rather than
    // throw if it ever does.
    return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace abstrakt
