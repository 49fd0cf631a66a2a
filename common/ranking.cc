#include "common/ranking.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/text.h"

namespace abstrakt {

namespace {

// One parameter: its name, where it lives, and the range it takes (inclusive).
struct Param {
    enum class Kind { kCount, kReal, kText, kList };
    const char* name;
    Kind kind;
    bool index_time;
    double min, max;
    uint32_t RankingParams::*count = nullptr;
    double RankingParams::*real = nullptr;
    std::string RankingParams::*text = nullptr;
    std::vector<std::string> RankingParams::*list = nullptr;
    uint32_t IndexParams::*index_count = nullptr;
};

Param count(const char* name, uint32_t RankingParams::*m, double min, double max) {
    return {name, Param::Kind::kCount, false, min, max, m};
}
Param real(const char* name, double RankingParams::*m, double min, double max) {
    return {name, Param::Kind::kReal, false, min, max, nullptr, m};
}
Param indexed(const char* name, uint32_t IndexParams::*m, double min, double max) {
    Param p{name, Param::Kind::kCount, true, min, max};
    p.index_count = m;
    return p;
}

// The table, in the order --ranking-defaults prints it (docs/relevance.md has the same rows).
const std::vector<Param>& params() {
    static const std::vector<Param> table = [] {
        std::vector<Param> t;
        Param w{"weighting", Param::Kind::kText, false, 0, 0};
        w.text = &RankingParams::weighting;
        t.push_back(w);
        t.push_back(count("long_query_words", &RankingParams::long_query_words, 2, 1000));
        Param s{"stop_words", Param::Kind::kList, false, 0, 1000};
        s.list = &RankingParams::stop_words;
        t.push_back(s);
        t.push_back(count("max_joins", &RankingParams::max_joins, 0, 100));
        t.push_back(count("max_compounds_per_word", &RankingParams::max_compounds_per_word, 0, 1000));
        t.push_back(count("rerank_depth", &RankingParams::rerank_depth, 0, 1000));
        t.push_back(count("phrase_depth", &RankingParams::phrase_depth, 0, 10000));
        t.push_back(count("proximity_window", &RankingParams::proximity_window, 1, 1000));
        t.push_back(real("proximity_weight", &RankingParams::proximity_weight, 0, 100));
        t.push_back(real("coverage_weight", &RankingParams::coverage_weight, 0, 100));
        t.push_back(count("few_results", &RankingParams::few_results, 0, 10000));
        t.push_back(count("count_to", &RankingParams::count_to, 0, 1000000));
        t.push_back(count("similar_terms", &RankingParams::similar_terms, 1, 1000));
        t.push_back(real("similar_max_share", &RankingParams::similar_max_share, 0.01, 1));
        t.push_back(real("suggest_max_share", &RankingParams::suggest_max_share, 0.01, 1));
        t.push_back(real("title_pair_weight", &RankingParams::title_pair_weight, 0, 100));
        t.push_back(count("prefix_completions", &RankingParams::prefix_completions, 0, 100));
        t.push_back(count("prefix_min_chars", &RankingParams::prefix_min_chars, 1, 100));
        t.push_back(real("prefix_weight", &RankingParams::prefix_weight, 0, 1));
        t.push_back(count("typo_min_chars", &RankingParams::typo_min_chars, 2, 100));
        t.push_back(count("typo_two_edits_chars", &RankingParams::typo_two_edits_chars, 2, 100));
        t.push_back(count("typo_rare", &RankingParams::typo_rare, 0, 1000000));
        t.push_back(count("typo_ratio", &RankingParams::typo_ratio, 1, 1000000));
        t.push_back(real("typo_weight", &RankingParams::typo_weight, 0, 1));
        t.push_back(real("translation_weight", &RankingParams::translation_weight, 0, 1));
        t.push_back(count("translations_per_word", &RankingParams::translations_per_word, 0, 20));
        t.push_back(indexed("title_wdf", &IndexParams::title_wdf, 1, 100));
        t.push_back(indexed("abstract_wdf", &IndexParams::abstract_wdf, 1, 100));
        t.push_back(indexed("author_wdf", &IndexParams::author_wdf, 1, 100));
        t.push_back(indexed("id_wdf", &IndexParams::id_wdf, 1, 100));
        return t;
    }();
    return table;
}

const Param* find(std::string_view name) {
    for (const Param& p : params())
        if (name == p.name) return &p;
    return nullptr;
}

std::string range_text(const Param& p) {
    std::ostringstream out;
    out << p.min << " to " << p.max;
    return out.str();
}

Status bad(const Param& p, std::string_view value, const std::string& why) {
    return Status(ErrorCode::kInvalidArgument, "ranking parameter " + std::string(p.name) + "=" + std::string(value) + ": " + why);
}

// A number of the whole text, or nullopt.
std::optional<double> number(std::string_view text) {
    const std::string s(trim_ascii_space(text));
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(s.c_str(), &end);
    if (*end != '\0' || errno != 0 || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) comma = text.size();
        std::string_view item = trim_ascii_space(text.substr(start, comma - start));
        if (!item.empty()) out.emplace_back(item);
        start = comma + 1;
    }
    return out;
}

// Xapian's schemes by the names Omega and xapian-delve use, with their numeric parameters.
Result<std::shared_ptr<const Xapian::Weight>> make_scheme(const std::string& name, const std::vector<double>& a) {
    auto need = [&](size_t most) -> bool { return a.size() <= most; };
    auto arg = [&](size_t i, double fallback) { return i < a.size() ? a[i] : fallback; };
    try {
        if (name == "ineb2" && need(1)) return std::shared_ptr<const Xapian::Weight>(new Xapian::IneB2Weight(arg(0, 1.0)));
        if (name == "inl2" && need(1)) return std::shared_ptr<const Xapian::Weight>(new Xapian::InL2Weight(arg(0, 1.0)));
        if (name == "ifb2" && need(1)) return std::shared_ptr<const Xapian::Weight>(new Xapian::IfB2Weight(arg(0, 1.0)));
        if (name == "pl2" && need(1)) return std::shared_ptr<const Xapian::Weight>(new Xapian::PL2Weight(arg(0, 1.0)));
        if (name == "pl2+" && need(2))
            return std::shared_ptr<const Xapian::Weight>(new Xapian::PL2PlusWeight(arg(0, 1.0), arg(1, 0.8)));
        if (name == "dlh" && need(0)) return std::shared_ptr<const Xapian::Weight>(new Xapian::DLHWeight());
        if (name == "dph" && need(0)) return std::shared_ptr<const Xapian::Weight>(new Xapian::DPHWeight());
        if (name == "bool" && need(0)) return std::shared_ptr<const Xapian::Weight>(new Xapian::BoolWeight());
        if (name == "bm25" && need(5))
            return std::shared_ptr<const Xapian::Weight>(
                new Xapian::BM25Weight(arg(0, 1), arg(1, 0), arg(2, 1), arg(3, 0.5), arg(4, 0.5)));
        if (name == "bm25+" && need(6))
            return std::shared_ptr<const Xapian::Weight>(
                new Xapian::BM25PlusWeight(arg(0, 1), arg(1, 0), arg(2, 1), arg(3, 0.5), arg(4, 0.5), arg(5, 1)));
    } catch (const Xapian::InvalidArgumentError& e) {
        return Status(ErrorCode::kInvalidArgument, e.get_msg());
    }
    const bool known_name = name == "ineb2" || name == "inl2" || name == "ifb2" || name == "pl2" || name == "pl2+" ||
                            name == "dlh" || name == "dph" || name == "bool" || name == "bm25" || name == "bm25+";
    if (known_name) return Status(ErrorCode::kInvalidArgument, "too many numbers for " + name);
    return Status(ErrorCode::kInvalidArgument,
                  "unknown scheme \"" + name + "\" (ineb2, inl2, ifb2, pl2, pl2+, dlh, dph, bm25, bm25+, tfidf, bool)");
}

}  // namespace

Result<std::shared_ptr<const Xapian::Weight>> parse_weighting(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::string name, word;
    in >> name;
    if (name.empty()) return Status(ErrorCode::kInvalidArgument, "no scheme named");
    name = ascii_lower(name);
    if (name == "tfidf") {
        std::string norms = "ntn";
        if (in >> word) norms = word;
        if (in >> word) return Status(ErrorCode::kInvalidArgument, "tfidf takes one word of normalisations");
        try {
            return std::shared_ptr<const Xapian::Weight>(new Xapian::TfIdfWeight(norms));
        } catch (const Xapian::InvalidArgumentError& e) {
            return Status(ErrorCode::kInvalidArgument, e.get_msg());
        }
    }
    std::vector<double> args;
    while (in >> word) {
        std::optional<double> v = number(word);
        if (!v) return Status(ErrorCode::kInvalidArgument, "\"" + word + "\" is not a number");
        args.push_back(*v);
    }
    return make_scheme(name, args);
}

std::string IndexParams::to_metadata() const {
    nlohmann::ordered_json j;
    for (const Param& p : params())
        if (p.index_time) j[p.name] = this->*p.index_count;
    return j.dump();
}

Result<IndexParams> IndexParams::from_metadata(std::string_view value) {
    IndexParams out;
    if (value.empty()) return out;
    RankingParams r;
    nlohmann::json j = nlohmann::json::parse(value.begin(), value.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Status(ErrorCode::kInvalidArgument, "the index's ranking parameters are not a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!RankingParams::index_time(it.key()))
            return Status(ErrorCode::kInvalidArgument, "the index's ranking parameters name \"" + it.key() + "\", which is no index-time parameter");
    if (Status s = r.set_json(j, "the index's metadata"); !s.is_ok()) return s;
    return r.index;
}

Status query_time_only(const RankingParams& r) {
    for (const std::string& name : r.given())
        if (RankingParams::index_time(name))
            return Status(ErrorCode::kInvalidArgument, name + " is an index-time ranking parameter: an index keeps what it was built with "
                                                              "(give it to abstrakt-index --ranking when building, or to abstrakt-eval)");
    return Status::ok();
}

bool RankingParams::index_time(std::string_view name) {
    const Param* p = find(name);
    return p && p->index_time;
}

Status RankingParams::set(std::string_view name, std::string_view value) {
    const Param* p = find(name);
    if (!p) {
        std::string names;
        for (const Param& q : params()) names += (names.empty() ? "" : ", ") + std::string(q.name);
        return Status(ErrorCode::kInvalidArgument, "unknown ranking parameter \"" + std::string(name) + "\" (known: " + names + ")");
    }
    if (std::find(given_.begin(), given_.end(), p->name) == given_.end()) {
        Status s = set_value(p, value);
        if (s.is_ok()) given_.emplace_back(p->name);
        return s;
    }
    return set_value(p, value);
}

Status RankingParams::set_value(const void* param, std::string_view value) {
    const Param* p = static_cast<const Param*>(param);
    switch (p->kind) {
        case Param::Kind::kText: {
            Result<std::shared_ptr<const Xapian::Weight>> w = parse_weighting(value);
            if (!w.is_ok()) return bad(*p, value, w.message());
            this->*p->text = std::string(trim_ascii_space(value));
            scheme_ = w.value();
            return Status::ok();
        }
        case Param::Kind::kList: {
            std::vector<std::string> items = split_list(value);
            if (items.size() > p->max) return bad(*p, value, "more than " + range_text(*p) + " items");
            for (const std::string& item : items)
                if (ascii_lower(item) != item) return bad(*p, value, "\"" + item + "\" is not lower case (stop words are compared folded)");
            this->*p->list = std::move(items);
            return Status::ok();
        }
        case Param::Kind::kCount:
        case Param::Kind::kReal: {
            std::optional<double> v = number(value);
            if (!v) return bad(*p, value, "not a number");
            if (p->kind == Param::Kind::kCount && std::floor(*v) != *v) return bad(*p, value, "not a whole number");
            if (*v < p->min || *v > p->max) return bad(*p, value, "out of range (" + range_text(*p) + ")");
            if (p->kind == Param::Kind::kReal) this->*p->real = *v;
            else if (p->index_time) index.*p->index_count = static_cast<uint32_t>(*v);
            else this->*p->count = static_cast<uint32_t>(*v);
            return Status::ok();
        }
    }
    return Status(ErrorCode::kInternal, "unreachable");
}

Status RankingParams::set_assignment(std::string_view assignment) {
    const size_t eq = assignment.find('=');
    if (eq == std::string_view::npos)
        return Status(ErrorCode::kInvalidArgument, "--ranking takes NAME=VALUE, not \"" + std::string(assignment) + "\"");
    return set(trim_ascii_space(assignment.substr(0, eq)), assignment.substr(eq + 1));
}

Status RankingParams::set_json(const nlohmann::json& object, const std::string& origin) {
    if (!object.is_object()) return Status(ErrorCode::kInvalidArgument, origin + ": ranking parameters must be a JSON object");
    RankingParams copy = *this;  // all or nothing
    for (auto it = object.begin(); it != object.end(); ++it) {
        const nlohmann::json& v = it.value();
        std::string text;
        if (v.is_string()) {
            text = v.get<std::string>();
        } else if (v.is_number()) {
            text = v.dump();
        } else if (v.is_array()) {
            for (const auto& item : v) {
                if (!item.is_string() || item.get<std::string>().find(',') != std::string::npos)
                    return Status(ErrorCode::kInvalidArgument, origin + ": " + it.key() + ": a list holds strings without commas");
                text += (text.empty() ? "" : ",") + item.get<std::string>();
            }
        } else {
            return Status(ErrorCode::kInvalidArgument, origin + ": " + it.key() + ": a value is a number, a string or a list of strings");
        }
        // A list takes an array, the others a single value (numbers may come as strings too).
        const Param* p = find(it.key());
        if (p && (p->kind == Param::Kind::kList) != v.is_array())
            return Status(ErrorCode::kInvalidArgument, origin + ": " + it.key() + ": wrong kind of value");
        if (Status s = copy.set(it.key(), text); !s.is_ok()) return Status(s.code(), origin + ": " + s.message());
    }
    *this = std::move(copy);
    return Status::ok();
}

Status RankingParams::load_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return Status(ErrorCode::kInvalidArgument, path + ": cannot be read");
    std::stringstream buffer;
    buffer << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(buffer.str(), nullptr, false);
    if (j.is_discarded()) return Status(ErrorCode::kInvalidArgument, path + ": not JSON");
    return set_json(j, path);
}

nlohmann::ordered_json RankingParams::to_json() const {
    nlohmann::ordered_json j;
    for (const Param& p : params()) {
        switch (p.kind) {
            case Param::Kind::kText: j[p.name] = this->*p.text; break;
            case Param::Kind::kList: j[p.name] = this->*p.list; break;
            case Param::Kind::kReal: j[p.name] = this->*p.real; break;
            case Param::Kind::kCount: j[p.name] = p.index_time ? index.*p.index_count : this->*p.count; break;
        }
    }
    return j;
}

const Xapian::Weight& RankingParams::scheme() const {
    if (scheme_) return *scheme_;
    // Never set: the default text, parsed once for every RankingParams.
    static const std::shared_ptr<const Xapian::Weight> fallback = parse_weighting(RankingParams{}.weighting).value();
    return *fallback;
}

}  // namespace abstrakt
