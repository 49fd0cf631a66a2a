#include "searcher/plan.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <stdexcept>

#include "common/lang.h"
#include "common/record.h"
#include "common/schema.h"
#include "common/text.h"
#include "searcher/translate_plan.h"

namespace abstrakt {

namespace {

// ---- Lexer ----

enum class Tok { kWord, kPhrase, kLParen, kRParen, kAnd, kOr, kNot, kPlus, kMinus, kField, kEnd };

struct Lexeme {
    Tok tok;
    std::string text;   // the word, the phrase's inside, or a field's value (may be empty)
    std::string field;  // for kField: the field name, lowercase
    size_t at = 0;      // byte offset in the query, for messages
    size_t text_at = 0; // byte offset of `text` in the query
};

struct SyntaxError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const std::set<std::string, std::less<>> kTextFields{"title", "abstract", "author"};
const std::set<std::string, std::less<>> kFilterFields{"cat", "lang", "id", "year", "date"};

// The lexemes of `q`. With `syntax` off (the retry for a query that did not parse, as Xapian's
// QueryParser retries with fewer flags) there are words only: brackets and quotes separate, modifiers
// and operators are dropped, and `name:` is part of a word.
// `unknown` collects the words "name:value" whose name is a word of letters and no field: "foo:bar" is
// searched as its words, which the user should be told (not "10:1", "C:", "http://...").
std::vector<Lexeme> lex(std::string_view q, bool syntax = true, std::vector<std::string>* unknown = nullptr) {
    std::vector<Lexeme> out;
    size_t i = 0;
    bool at_term_start = true;  // a '+' or '-' here is a modifier, elsewhere part of a word
    while (i < q.size()) {
        char c = q[i];
        if (is_ascii_space(c) || (!syntax && (c == '(' || c == ')' || c == '"'))) {
            ++i;
            at_term_start = true;
            continue;
        }
        if (!syntax) {
            size_t start = i;
            while (i < q.size() && !is_ascii_space(q[i]) && q[i] != '(' && q[i] != ')' && q[i] != '"') ++i;
            while (start < i && (q[start] == '+' || q[start] == '-')) ++start;
            std::string_view word = q.substr(start, i - start);
            if (!word.empty() && word != "AND" && word != "OR" && word != "NOT") out.push_back({Tok::kWord, std::string(word), "", start, start});
            continue;
        }
        if (c == '(' || c == ')') {
            out.push_back({c == '(' ? Tok::kLParen : Tok::kRParen, "", "", i, i});
            ++i;
            at_term_start = true;
            continue;
        }
        if (c == '"') {
            size_t end = q.find('"', i + 1);
            if (end == std::string_view::npos) throw SyntaxError("a quote at position " + std::to_string(i + 1) + " is not closed");
            out.push_back({Tok::kPhrase, std::string(q.substr(i + 1, end - i - 1)), "", i, i + 1});
            i = end + 1;
            at_term_start = false;
            continue;
        }
        if ((c == '+' || c == '-') && at_term_start && i + 1 < q.size() && !is_ascii_space(q[i + 1]) && q[i + 1] != ')') {
            out.push_back({c == '+' ? Tok::kPlus : Tok::kMinus, "", "", i, i});
            ++i;
            continue;  // still at the start of the term the modifier applies to
        }
        size_t start = i;
        while (i < q.size() && !is_ascii_space(q[i]) && q[i] != '(' && q[i] != ')' && q[i] != '"') ++i;
        std::string_view word = q.substr(start, i - start);
        at_term_start = false;
        if (word == "AND" || word == "OR" || word == "NOT") {
            out.push_back({word == "AND" ? Tok::kAnd : word == "OR" ? Tok::kOr : Tok::kNot, "", "", start, start});
            at_term_start = true;
            continue;
        }
        if (size_t colon = word.find(':'); colon != std::string_view::npos) {
            std::string name = ascii_lower(word.substr(0, colon));
            if (kTextFields.count(name) || kFilterFields.count(name)) {
                out.push_back({Tok::kField, std::string(word.substr(colon + 1)), name, start, start + colon + 1});
                continue;
            }
            const std::string_view value = word.substr(colon + 1);
            if (unknown && colon > 0 && !value.empty() && value.substr(0, 2) != "//" &&
                std::all_of(name.begin(), name.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; }))
                unknown->emplace_back(word.substr(0, colon));
        }
        out.push_back({Tok::kWord, std::string(word), "", start, start});
    }
    out.push_back({Tok::kEnd, "", "", q.size(), q.size()});
    return out;
}

QueryField field_of(const std::string& name) {
    if (name == "title") return QueryField::kTitle;
    if (name == "abstract") return QueryField::kAbstract;
    if (name == "author") return QueryField::kAuthor;
    return QueryField::kAny;
}

PlanFilter filter_of(const std::string& field, const std::string& value) {
    if (value.empty()) throw SyntaxError(field + ": needs a value");
    PlanFilter f;
    f.field = field;
    if (field == "cat") {
        f.term = schema::kPrefixCategory + ascii_lower(value);
        return f;
    }
    if (field == "id") {
        f.term = schema::kPrefixId + value;
        return f;
    }
    if (field == "lang") {
        auto tag = lang::canonical_tag(value);
        if (!tag) throw SyntaxError("lang:" + value + " is not a known language code");
        f.term = schema::kPrefixLang + lang::primary(*tag);
        return f;
    }
    // year:2024, year:2023..2024, date:A..B with open ends allowed.
    size_t dots = value.find("..");
    std::string lo_text = dots == std::string::npos ? value : value.substr(0, dots);
    std::string hi_text = dots == std::string::npos ? value : value.substr(dots + 2);
    if (field == "year") {
        auto year_ok = [](const std::string& y) { return y.empty() || (y.size() == 4 && date_bound(y, false) != ""); };
        if (!year_ok(lo_text) || !year_ok(hi_text) || (lo_text.empty() && hi_text.empty()))
            throw SyntaxError("year:" + value + " is not a year or a range of years");
        if (dots == std::string::npos) {
            f.term = schema::kPrefixYear + value;
            return f;
        }
    }
    std::string lo = lo_text.empty() ? "" : date_bound(lo_text, false);
    std::string hi = hi_text.empty() ? "" : date_bound(hi_text, true);
    if ((!lo_text.empty() && lo.empty()) || (!hi_text.empty() && hi.empty()) || (lo.empty() && hi.empty()))
        throw SyntaxError(field + ":" + value + " is not a date (YYYY, YYYY-MM or YYYY-MM-DD) or a range A..B");
    if (!lo.empty() && !hi.empty() && lo > hi) throw SyntaxError(field + ":" + value + " ends before it starts");
    f.from = lo;
    f.to = hi;
    return f;
}

Clause word_clause(const Lexeme& l, QueryField field) {
    Clause c;
    c.kind = Clause::Kind::kWord;
    c.field = field;
    c.text = l.text;
    c.span = {l.text_at, l.text_at + l.text.size()};
    return c;
}

class Parser {
  public:
    Parser(std::vector<Lexeme> lexemes, size_t max_depth) : lx_(std::move(lexemes)), max_depth_(max_depth) {}

    Clause parse() {
        Clause n = parse_or(QueryField::kAny);
        if (peek().tok == Tok::kRParen) throw SyntaxError("a closing bracket at position " + std::to_string(peek().at + 1) + " has no opening one");
        if (peek().tok != Tok::kEnd) throw SyntaxError("unexpected text at position " + std::to_string(peek().at + 1));
        return n;
    }

  private:
    const Lexeme& peek() const { return lx_[i_]; }
    const Lexeme& take() { return lx_[i_ < lx_.size() - 1 ? i_++ : i_]; }

    Clause parse_or(QueryField field) {
        Clause first = parse_and(field);
        if (peek().tok != Tok::kOr) return first;
        Clause n;
        n.kind = Clause::Kind::kAnyOf;
        n.children.push_back(std::move(first));
        while (peek().tok == Tok::kOr) {
            take();
            n.children.push_back(parse_and(field));
        }
        return n;
    }

    Clause parse_and(QueryField field) {
        Clause n;
        n.kind = Clause::Kind::kAllOf;
        bool and_pending = false;
        while (true) {
            Tok t = peek().tok;
            if (t == Tok::kEnd || t == Tok::kRParen || t == Tok::kOr) break;
            if (t == Tok::kAnd) {
                if (n.children.empty() || and_pending) throw SyntaxError("AND at position " + std::to_string(peek().at + 1) + " lacks a term before it");
                if (n.children.back().mod == Modifier::kOptional) n.children.back().mod = Modifier::kRequired;
                and_pending = true;
                take();
                continue;
            }
            Modifier mod = Modifier::kOptional;
            Clause child = parse_unary(field, mod);
            if (and_pending && mod == Modifier::kOptional) mod = Modifier::kRequired;
            and_pending = false;
            child.mod = mod;
            n.children.push_back(std::move(child));
        }
        if (and_pending) throw SyntaxError("AND at the end lacks a term after it");
        if (n.children.empty()) {
            if (peek().tok == Tok::kOr) throw SyntaxError("OR at position " + std::to_string(peek().at + 1) + " lacks a term before it");
            throw SyntaxError(peek().tok == Tok::kRParen ? "empty brackets" : "OR lacks a term after it");
        }
        if (n.children.size() == 1 && n.children[0].mod == Modifier::kOptional) return std::move(n.children[0]);
        return n;
    }

    Clause parse_unary(QueryField field, Modifier& mod) {
        Tok t = peek().tok;
        if (t == Tok::kNot || t == Tok::kMinus || t == Tok::kPlus) {
            take();
            Modifier inner = Modifier::kOptional;
            Clause n = t == Tok::kNot ? parse_unary(field, inner) : parse_primary(field);
            n.mod = Modifier::kOptional;
            mod = t == Tok::kPlus ? Modifier::kRequired : Modifier::kExcluded;
            if (inner == Modifier::kExcluded && t == Tok::kNot) mod = Modifier::kRequired;  // NOT NOT x
            return n;
        }
        return parse_primary(field);
    }

    Clause parse_primary(QueryField field) {
        const Lexeme& l = take();
        Clause n;
        switch (l.tok) {
            case Tok::kLParen: {
                if (++depth_ > max_depth_) throw SyntaxError("brackets nest more than " + std::to_string(max_depth_) + " deep");
                n = parse_or(field);
                if (take().tok != Tok::kRParen) throw SyntaxError("an opening bracket at position " + std::to_string(l.at + 1) + " is not closed");
                --depth_;
                return n;
            }
            case Tok::kPhrase:
                n = word_clause(l, field);
                n.kind = Clause::Kind::kPhrase;
                return n;
            case Tok::kWord:
                return word_clause(l, field);
            case Tok::kField:
                if (kFilterFields.count(l.field)) {
                    n.kind = Clause::Kind::kFilter;
                    n.text = l.text;
                    n.span = {l.at, l.text_at + l.text.size()};
                    // A value that is no filter's is left out with a notice, not searched as words:
                    // "year:abc" is a mistake to show, and "year:20" is half-typed.
                    try {
                        n.filter = filter_of(l.field, l.text);
                    } catch (const SyntaxError& e) {
                        n.filter.field = l.field;
                        n.invalid = e.what();
                    }
                    return n;
                }
                if (!l.text.empty()) return word_clause(l, field_of(l.field));
                if (peek().tok == Tok::kPhrase || peek().tok == Tok::kLParen) return parse_primary(field_of(l.field));
                throw SyntaxError(l.field + ": at position " + std::to_string(l.at + 1) + " needs a word, a \"phrase\" or a (group)");
            case Tok::kRParen:
                throw SyntaxError("a closing bracket at position " + std::to_string(l.at + 1) + " has no opening one");
            case Tok::kEnd:
                throw SyntaxError("the query ends where a term was expected");
            default:
                throw SyntaxError("an operator at position " + std::to_string(l.at + 1) + " lacks a term");
        }
    }

    std::vector<Lexeme> lx_;
    size_t i_ = 0, depth_ = 0, max_depth_;
};

// The fallback for a query that does not parse (and a blank one): its words (lex without syntax), each a
// plain word.
Clause plain_words(std::string_view q) {
    Clause n;
    n.kind = Clause::Kind::kAllOf;
    for (const Lexeme& l : lex(q, false))
        if (l.tok == Tok::kWord) n.children.push_back(word_clause(l, QueryField::kAny));
    return n;
}

struct TooManyWords : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A query the index cannot answer as asked (QueryContext::abstract_field).
struct FieldUnavailable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// ---- Analysis and roles ----

class Planner {
  public:
    Planner(Analyzer& analyzer, const QueryContext& context, const RankingParams& ranking, size_t max_words, QueryPlan& plan)
        : an_(analyzer), ctx_(context), ranking_(ranking), max_words_(max_words), plan_(plan) {
        stop_words_.insert(ranking.stop_words.begin(), ranking.stop_words.end());
    }

    void analyse(Clause& c) {
        switch (c.kind) {
            case Clause::Kind::kWord: return analyse_word(c);
            case Clause::Kind::kPhrase:
                for (Token& t : tokens(c, nullptr)) c.words.push_back(plain(t, c.span.begin));
                return;
            case Clause::Kind::kFilter: return;
            case Clause::Kind::kAnyOf:
                for (Clause& k : c.children) analyse(k);
                return;
            case Clause::Kind::kAllOf: return analyse_list(c);
        }
    }

    // Whether the builder gets a query from `c` (a list always does: with nothing in it, every paper).
    static bool matches_something(const Clause& c) {
        switch (c.kind) {
            case Clause::Kind::kWord:
            case Clause::Kind::kPhrase: return !c.words.empty();
            case Clause::Kind::kFilter: return c.invalid.empty();
            case Clause::Kind::kAllOf: return true;
            case Clause::Kind::kAnyOf:
                return std::any_of(c.children.begin(), c.children.end(), [](const Clause& k) { return matches_something(k); });
        }
        return false;
    }

    // Whether the all-words and the some-words queries of `c` differ: a word the analyzer split, or a
    // list with two optional clauses, or one optional beside a required one, anywhere.
    static bool tiers_differ(const Clause& c) {
        switch (c.kind) {
            case Clause::Kind::kWord: return c.words.size() >= 2;
            case Clause::Kind::kPhrase:
            case Clause::Kind::kFilter: return false;
            case Clause::Kind::kAnyOf:
                return std::any_of(c.children.begin(), c.children.end(), [](const Clause& k) { return tiers_differ(k); });
            case Clause::Kind::kAllOf: {
                size_t optional = 0, required = 0;
                for (const Clause& k : c.children) {
                    if (k.stop || !matches_something(k)) continue;
                    if (k.kind == Clause::Kind::kFilter) continue;
                    if (k.mod == Modifier::kOptional) ++optional;
                    if (k.mod == Modifier::kRequired) ++required;
                }
                if (optional >= 2 || (optional >= 1 && required >= 1)) return true;
                return std::any_of(c.children.begin(), c.children.end(), [](const Clause& k) { return !k.stop && tiers_differ(k); });
            }
        }
        return false;
    }

    // Facts of the whole plan: words to rank by, constraints, proximity words, spelling spans.
    void summarise(const Clause& c, bool positive) {
        switch (c.kind) {
            case Clause::Kind::kWord:
            case Clause::Kind::kPhrase:
                if (c.field == QueryField::kAbstract && !c.words.empty() && !ctx_.abstract_field)
                    throw FieldUnavailable("abstract: cannot be searched over remote shards (docs/scale-out.md); search the words without a field");
                if (positive && !c.stop && !c.words.empty()) plan_.has_text = true;
                if (positive && c.natural && !c.stop)
                    for (const PlanWord& w : c.words) {
                        plan_.proximity.push_back(w.folded);
                        for (const PlanWord::Part& p : w.parts) plan_.proximity.push_back(p.word[0].folded);
                    }
                for (const PlanWord& w : c.words)
                    if (spellable(c, w)) {
                        SpellingWord s{w.span, w.folded, {}};
                        for (const auto& stem : w.stems) s.stems.push_back(stem.second);
                        plan_.spelling.push_back(std::move(s));
                    }
                return;
            case Clause::Kind::kFilter:
                if (c.invalid.empty()) has_constraint_ = true;
                else plan_.notices.push_back({notice::kInvalidFilter, c.invalid + "; the filter was left out"});
                return;
            case Clause::Kind::kAnyOf:
            case Clause::Kind::kAllOf:
                for (const Clause& k : c.children) {
                    const bool excluded = k.mod == Modifier::kExcluded;
                    if (excluded && !k.stop && matches_something(k)) has_constraint_ = true;
                    summarise(k, positive && !excluded);
                }
                return;
        }
    }

    bool has_constraint() const { return has_constraint_; }

  private:
    // Whether a spelling correction may replace `w`: an alphabetic word, not an operator's letters
    // inside a phrase, not a field's name ("title" of "title:" in a query that did not parse, "foo" of
    // "foo:"), not the value of a filter that was searched as words ("cs" of "cat:cs.CL" there).
    bool spellable(const Clause& c, const PlanWord& w) const {
        if (w.kind != TokenKind::kWord) return false;
        const std::string_view q = plan_.text;
        const std::string_view raw = q.substr(w.span.begin, w.span.end - w.span.begin);
        if (raw == "AND" || raw == "OR" || raw == "NOT") return false;
        if (w.span.end < q.size() && q[w.span.end] == ':') return false;
        const size_t colon = c.text.find(':');
        if (c.kind == Clause::Kind::kWord && colon != std::string::npos && w.span.begin > c.span.begin + colon &&
            is_filter_field(ascii_lower(std::string_view(c.text).substr(0, colon))))
            return false;
        return true;
    }

    // The analyzer's words of `c` (its joined chains into `joined`, when given), counted against the
    // word limit.
    std::vector<Token> tokens(const Clause& c, std::vector<Token>* joined) {
        std::vector<Token> all, words;
        an_.analyze(c.text, all);
        for (Token& t : all) {
            if (!t.joined) words.push_back(std::move(t));
            else if (joined) joined->push_back(std::move(t));
        }
        words_ += words.size();
        if (words_ > max_words_) throw TooManyWords("the query has more than " + std::to_string(max_words_) + " words");
        return words;
    }

    static PlanWord plain(const Token& t, size_t offset) {
        PlanWord w;
        w.folded = t.folded;
        w.exact = t.exact;
        w.kind = t.kind;
        w.span = {offset + t.start, offset + t.end};
        return w;
    }

    // Whether German compounds apply: the index has a German vocabulary and German is one of the
    // languages searched. An index without German text, or a search restricted to another language,
    // is planned exactly as without the splitter.
    bool german() const {
        return ctx_.compounds && !ctx_.compounds->empty() &&
               std::find(ctx_.stem_langs.begin(), ctx_.stem_langs.end(), "de") != ctx_.stem_langs.end();
    }

    void add_stems(PlanWord& w, const std::vector<std::string>& langs) {
        Token t;
        t.folded = w.folded;
        t.exact = w.exact;
        t.kind = w.kind;
        for (const std::string& l : langs)
            if (std::string s = an_.stem(l, t); !s.empty()) w.stems.emplace_back(l, s);
    }

    // A word of a stemmed field: its stems under every language searched, and in German the compounds
    // it is a part of and its own parts. A part is a German word and has its German stems only: under
    // other stemmers it meets other words (the English stemmer makes "modell" "model":
    // "Diffusionsmodell" ranked English papers on diffusion models above the German ones that say it).
    void expand(PlanWord& w, QueryField field) {
        if (field == QueryField::kAuthor) return;  // names are not stemmed: "Williams" is not "William"
        add_stems(w, ctx_.stem_langs);
        if (!german() || w.kind != TokenKind::kWord) return;
        w.compounds = ctx_.compounds->compounds_with_part(w.folded, ranking_.max_compounds_per_word);
        static const std::vector<std::string> kGerman{"de"};
        for (const CompoundPart& part : ctx_.compounds->split(w.folded)) {
            PlanWord p;
            p.folded = p.exact = part.word;
            p.kind = TokenKind::kWord;
            p.span = w.span;
            add_stems(p, kGerman);
            w.parts.push_back({{std::move(p)}, ctx_.compounds->inflections(part.word)});
        }
    }

    void analyse_word(Clause& c) {
        std::vector<Token> joined;
        std::vector<Token> words = tokens(c, &joined);
        for (const Token& t : words) c.words.push_back(plain(t, c.span.begin));
        // A hyphenated chain that is the whole word: its parts also as one word ("multiview").
        if (words.size() >= 2 && joined.size() == 1 && joined[0].start == words.front().start && joined[0].end == words.back().end)
            c.joined.push_back(plain(joined[0], c.span.begin));
        for (PlanWord& w : c.words) expand(w, c.field);
        for (PlanWord& w : c.joined) expand(w, c.field);
        if (!c.joined.empty()) mark_weak_parts(c.words);
    }

    // A single plain word with no field: candidate for joining with its neighbour ("multi view" also
    // finds "multiview").
    static bool simple_word(const Clause& c) {
        if (c.kind != Clause::Kind::kWord || c.field != QueryField::kAny || c.text.empty()) return false;
        for (char ch : c.text)
            if (static_cast<unsigned char>(ch) >= 0x80 || !std::isalnum(static_cast<unsigned char>(ch))) return false;
        return true;
    }

    // A list of at least long_query_words juxtaposed plain words (no field, no +, - or quotes) is read
    // as natural language, such as a claim or a question: its stop words are left out (unless it has
    // nothing else), each word searches its stems only, neighbouring words are neither joined nor get a
    // phrase boost, and papers with many of the words close together are moved up after the match
    // (QueryPlan::proximity). Shorter lists keep every word, the exact form's extra weight and the
    // boosts, so that `linear attention` ranks the paper with the phrase first. (docs/relevance.md)
    void analyse_list(Clause& c) {
        for (Clause& k : c.children) analyse(k);
        auto plain_word = [](const Clause& k) {
            return k.mod == Modifier::kOptional && k.kind == Clause::Kind::kWord && k.field == QueryField::kAny;
        };
        size_t plain = 0, stops = 0;
        std::vector<bool> stop(c.children.size(), false);
        for (size_t i = 0; i < c.children.size(); ++i) {
            const Clause& k = c.children[i];
            if (!plain_word(k)) continue;
            ++plain;
            if (k.words.size() == 1 && k.words[0].kind == TokenKind::kWord && stop_words_.count(k.words[0].folded)) {
                stop[i] = true;
                ++stops;
            }
        }
        const bool long_list = plain >= ranking_.long_query_words;
        if (long_list) plan_.natural = true;
        for (size_t i = 0; i < c.children.size(); ++i) {
            Clause& k = c.children[i];
            k.natural = long_list && plain_word(k);
            // In a short list a stop word beside other words is searched (papers with every word come
            // first, and the phrase boosts keep `on the`), but it does not let a paper into the
            // some-words tier by itself: `VLQA the` fills its page with papers about VLQA, not with any
            // paper that says "the", and Xapian no longer weighs every paper to find them (337 ms to
            // 2 ms on the 144k benchmark index, docs/performance.md).
            k.weak = !long_list && stops < plain && stop[i];
            k.stop = long_list && stops < plain && stop[i];
        }
        // Neighbouring plain words of a short list: joined ("multi view" -> "multiview") and near each
        // other. A long list has neither: the phrase boosts counted each neighbouring pair's words
        // again and swamped the rarer words (docs/relevance.md: -0.094 nDCG@10 on SciFact, and most of
        // the time), and the joins changed nothing there but made the query large. Proximity in a long
        // list is rewarded after the match instead (QueryPlan::proximity).
        auto joinable = [&](const Clause& k) { return k.mod == Modifier::kOptional && simple_word(k) && k.words.size() == 1; };
        for (size_t i = 0; !long_list && i + 1 < c.children.size() && c.joins.size() < ranking_.max_joins; ++i)
            if (joinable(c.children[i]) && joinable(c.children[i + 1])) c.joins.push_back(i);
    }

    // The stop words among a chain's parts, when it has another part: they match only beside another
    // part, or `Solver-in-the-Loop Framework` would let every paper that says "the" into the some-words
    // tier (and Xapian weigh them all to fill a page).
    void mark_weak_parts(std::vector<PlanWord>& parts) const {
        auto is_stop = [&](const PlanWord& w) { return w.kind == TokenKind::kWord && stop_words_.count(w.folded) > 0; };
        if (std::all_of(parts.begin(), parts.end(), is_stop)) return;
        for (PlanWord& w : parts) w.weak = is_stop(w);
    }

    Analyzer& an_;
    const QueryContext& ctx_;
    const RankingParams& ranking_;
    size_t max_words_;
    size_t words_ = 0;
    QueryPlan& plan_;
    std::set<std::string, std::less<>> stop_words_;
    bool has_constraint_ = false;
};

// The last word of the query, when nothing follows it (not even a space): the word being typed.
Clause* last_clause(Clause& c) {
    if (c.kind != Clause::Kind::kAnyOf && c.kind != Clause::Kind::kAllOf) return &c;
    Clause* best = nullptr;
    for (Clause& k : c.children)
        if (Clause* l = last_clause(k); l && (!best || l->span.end > best->span.end)) best = l;
    return best;
}

// ---- Printing ----

const char* field_name(QueryField f) {
    switch (f) {
        case QueryField::kAny: return "";
        case QueryField::kTitle: return "title:";
        case QueryField::kAbstract: return "abstract:";
        case QueryField::kAuthor: return "author:";
    }
    return "";
}

const char* mod_name(Modifier m) {
    switch (m) {
        case Modifier::kOptional: return "";
        case Modifier::kRequired: return "+";
        case Modifier::kExcluded: return "-";
    }
    return "";
}

}  // namespace

const char* to_string(Alternative::Kind k) {
    switch (k) {
        case Alternative::Kind::kCompletion: return "completion";
        case Alternative::Kind::kCorrection: return "correction";
        case Alternative::Kind::kTranslation: return "translation";
    }
    return "";
}

namespace {

void print_word(std::ostream& out, const PlanWord& w) {
    out << w.folded;
    if (w.exact != w.folded) out << "|" << w.exact;
    if (!w.stems.empty()) {
        out << " {";
        for (size_t i = 0; i < w.stems.size(); ++i) out << (i ? " " : "") << w.stems[i].first << ":" << w.stems[i].second;
        out << "}";
    }
    if (!w.parts.empty()) {
        out << " parts";
        for (const PlanWord::Part& p : w.parts) out << " " << p.word[0].folded;
    }
    if (!w.compounds.empty()) out << " in " << w.compounds.size() << " compound" << (w.compounds.size() == 1 ? "" : "s");
    if (w.weak) out << " weak";
    for (const Alternative& a : w.alternatives) {
        const bool phrase = a.join == Alternative::Join::kPhrase;
        out << " " << to_string(a.kind) << (a.lang.empty() ? "" : ":" + a.lang) << " " << (phrase ? "\"" : "");
        for (size_t i = 0; i < a.words.size(); ++i) out << (i ? a.join == Alternative::Join::kAny ? "|" : " " : "") << a.words[i];
        out << (phrase ? "\"" : "") << " x" << a.weight;
    }
}

void print_clause(std::ostream& out, const Clause& c, int depth) {
    out << std::string(static_cast<size_t>(2 * depth), ' ') << mod_name(c.mod);
    switch (c.kind) {
        case Clause::Kind::kWord:
        case Clause::Kind::kPhrase:
            out << (c.kind == Clause::Kind::kWord ? "word " : "phrase ") << field_name(c.field) << "\"" << c.text << "\" @"
                << c.span.begin << "-" << c.span.end;
            if (c.natural) out << " natural";
            if (c.stop) out << " stop(left out)";
            if (c.weak) out << " weak";
            if (c.last) out << " last";
            out << ":";
            for (size_t i = 0; i < c.words.size(); ++i) {
                out << (i ? ", " : " ");
                print_word(out, c.words[i]);
            }
            if (c.words.empty()) out << " (no words)";
            if (!c.joined.empty()) {
                out << "; joined ";
                print_word(out, c.joined[0]);
            }
            out << "\n";
            return;
        case Clause::Kind::kFilter:
            out << "filter " << c.filter.field << ":" << c.text << " = ";
            if (!c.invalid.empty()) {
                out << "invalid, left out\n";
                return;
            }
            if (!c.filter.term.empty()) out << c.filter.term;
            else out << "date " << (c.filter.from.empty() ? ".." : c.filter.from) << " to " << (c.filter.to.empty() ? ".." : c.filter.to);
            out << "\n";
            return;
        case Clause::Kind::kAnyOf:
        case Clause::Kind::kAllOf:
            out << (c.kind == Clause::Kind::kAnyOf ? "any of" : "all of");
            for (size_t j : c.joins)
                if (j + 1 < c.children.size() && !c.children[j].words.empty() && !c.children[j + 1].words.empty())
                    out << (j == c.joins.front() ? "; joined " : ", ") << c.children[j].words[0].folded << c.children[j + 1].words[0].folded;
            out << "\n";
            for (const Clause& k : c.children) print_clause(out, k, depth + 1);
            return;
    }
}

// ---- Completions and corrections ----

// Whether `b` is `a` with two adjacent characters swapped ("langauge", "language").
bool adjacent_swap(const std::string& a, const std::string& b) {
    const std::vector<std::string> x = utf8_code_points(a), y = utf8_code_points(b);
    if (x.size() != y.size()) return false;
    size_t i = 0;
    while (i < x.size() && x[i] == y[i]) ++i;
    return i + 1 < x.size() && x[i] == y[i + 1] && x[i + 1] == y[i] && std::equal(x.begin() + i + 2, x.end(), y.begin() + i + 2);
}

// Adds to the words of `plan` their completions (the word being typed) and corrections (a misspelt
// word), as QueryContext::prefix and typos ask, and writes QueryPlan::corrected.
class Expander {
  public:
    Expander(Analyzer& analyzer, const QueryContext& context, const RankingParams& ranking, QueryPlan& plan)
        : an_(analyzer), ctx_(context), rk_(ranking), plan_(plan) {
        for (const SpellingWord& s : plan.spelling) spellable_.insert(s.span.begin);
    }

    void expand(Clause& c, bool positive) {
        switch (c.kind) {
            case Clause::Kind::kWord:
                if (!positive || c.stop || c.words.empty() || c.field == QueryField::kAuthor) return;
                for (PlanWord& w : c.words) {
                    const bool completed = c.last && &w == &c.words.back() && complete(w);
                    if (!completed) correct(w);
                }
                return;
            case Clause::Kind::kPhrase:
            case Clause::Kind::kFilter: return;
            case Clause::Kind::kAnyOf:
            case Clause::Kind::kAllOf:
                for (Clause& k : c.children) expand(k, positive && k.mod != Modifier::kExcluded);
                return;
        }
    }

    // The query with the corrections in place of the words, or "" when there were none.
    std::string corrected() const {
        if (corrections_.empty()) return "";
        std::string out;
        size_t at = 0;
        for (const auto& [span, word] : corrections_) {
            out.append(plan_.text, at, span.begin - at);
            out += word;
            at = span.end;
        }
        out.append(plan_.text, at, std::string::npos);
        return out;
    }

  private:
    // The word being typed: its completions, when it is long enough to have useful ones (a Han
    // character is; one Latin letter is not) and is not a word of its own that more papers have than
    // any of its completions: "diffusion" is finished, and its rare completion "diffusionsfm" would only
    // lift the one paper that has both above papers with "diffusion" alone (a rare term weighs much).
    bool complete(PlanWord& w) {
        if (!ctx_.prefix || rk_.prefix_completions == 0) return false;
        const size_t chars = utf8_code_points(w.folded).size();
        if (w.kind != TokenKind::kIdeograph && chars < rk_.prefix_min_chars) return false;
        std::vector<std::string> words = ctx_.vocabulary->completions(w.folded, rk_.prefix_completions);
        if (words.empty() || ctx_.vocabulary->frequency(w.folded) >= ctx_.vocabulary->frequency(words.front())) return false;
        Alternative a;
        a.kind = Alternative::Kind::kCompletion;
        a.words = std::move(words);
        a.join = Alternative::Join::kAny;
        a.weight = rk_.prefix_weight;
        w.alternatives.push_back(std::move(a));
        return true;
    }

    // A word that few papers have, by itself or by a stem, and whose best correction many more have.
    // Only words a "did you mean" could replace (QueryPlan::spelling: alphabetic, no field name or
    // filter value).
    void correct(PlanWord& w) {
        if (!ctx_.typos || !spellable_.count(w.span.begin)) return;
        const size_t chars = utf8_code_points(w.folded).size();
        if (chars < rk_.typo_min_chars) return;
        // A word that was translated is no typo but a word of another language: "Bilder" over English
        // papers is translated, not corrected to "builder". (Not every word the lexicons know by a
        // stem or a split: the learned lexicons hold the corpus's misspellings, and "langauge" splits
        // into the German nouns "lang" and "Auge"; the dictionary rule below.)
        if (std::any_of(w.alternatives.begin(), w.alternatives.end(),
                        [](const Alternative& a) { return a.kind == Alternative::Kind::kTranslation; }))
            return;
        const Vocabulary& v = *ctx_.vocabulary;
        uint64_t known = v.frequency(w.folded);
        for (const auto& s : w.stems) known = std::max(known, v.frequency(schema::kPrefixStem + s.second));
        if (known > rk_.typo_rare) return;
        const std::string better = v.correction(w.folded, chars >= rk_.typo_two_edits_chars ? 2 : 1);
        if (better.empty() || better == w.folded) return;
        if (v.frequency(better) < static_cast<uint64_t>(rk_.typo_ratio) * std::max<uint64_t>(known, 1)) return;
        // A word of the dictionary as written ("Kamera", not taken for "camera") is no typo either,
        // unless it is its correction with two adjacent letters swapped, the commonest slip of typing
        // and not how German spellings differ from English ones: Ding has "Langauge" (oval eye), and
        // "langauge" is "language". Measured on codespell's misspellings and Ding's words
        // (docs/query-syntax.md, "Typos").
        if (ctx_.translator && ctx_.translator->dictionary_word(w.folded) && !adjacent_swap(w.folded, better)) return;
        Alternative a;
        a.kind = Alternative::Kind::kCorrection;
        a.words = {better};
        a.weight = rk_.typo_weight;
        // Searched by its stem, like the word it replaces ("atention" reaches "attentions"): the stem
        // that most papers have, which is the stem of the language the word is written in (German
        // stems "manipulation" as itself, English as "manipul").
        Token t;
        t.folded = t.exact = better;
        uint64_t most = 0;
        for (const std::string& lang : plan_.stem_langs)
            if (std::string s = an_.stem(lang, t); !s.empty())
                if (const uint64_t n = v.frequency(schema::kPrefixStem + s); n > most) {
                    most = n;
                    a.stems = {s};
                }
        w.alternatives.push_back(std::move(a));
        corrections_.emplace_back(w.span, better);
    }

    Analyzer& an_;
    const QueryContext& ctx_;
    const RankingParams& rk_;
    QueryPlan& plan_;
    std::set<size_t> spellable_;                          // where the spellable words begin
    std::vector<std::pair<Span, std::string>> corrections_;  // in query order
};

}  // namespace

std::string QueryPlan::print() const {
    std::ostringstream out;
    out << "plan: " << (nothing ? "nothing to search" : two_tiers ? "two tiers (all words, then some)" : some_words_tier ? "one tier (papers with some words: translated)" : "one tier");
    if (natural) out << ", natural language";
    out << "; languages";
    if (stem_langs.empty()) out << " -";
    for (const std::string& l : stem_langs) out << " " << l;
    out << "\n";
    print_clause(out, root, 1);
    if (!proximity.empty()) {
        out << "  proximity:";
        for (const std::string& w : proximity) out << " " << w;
        out << "\n";
    }
    return out.str();
}

bool is_filter_field(std::string_view name) { return kFilterFields.count(name) > 0; }

std::string date_bound(std::string_view s, bool upper) {
    if (s.size() != 4 && s.size() != 7 && s.size() != 10) return "";
    std::string d(s);
    if (d.size() == 4) d += upper ? "-12-31" : "-01-01";
    else if (d.size() == 7) d += upper ? "-31" : "-01";
    // "-31" is a valid upper bound for any month when compared as a string: check the month only.
    std::string check = d;
    if (upper && s.size() == 7) check = d.substr(0, 8) + "01";
    return valid_date(check) ? d : "";
}

Result<PlanFilter> date_filter(std::string_view from, std::string_view to) {
    try {
        return filter_of("date", std::string(from) + ".." + std::string(to));
    } catch (const SyntaxError& e) {
        return Status(ErrorCode::kInvalidArgument, e.what());
    }
}

Result<QueryPlan> make_plan(std::string_view text, Analyzer& analyzer, const QueryContext& context, const QueryLimits& limits) {
    if (!valid_utf8(text)) return Status(ErrorCode::kInvalidArgument, "the query is not valid UTF-8");
    if (text.size() > limits.max_bytes)
        return Status(ErrorCode::kInvalidArgument, "the query is " + std::to_string(text.size()) +
                                                       " bytes long; at most " + std::to_string(limits.max_bytes) + " are allowed");
    static const RankingParams kDefaults;
    const RankingParams& ranking = context.ranking ? *context.ranking : kDefaults;
    QueryPlan plan;
    plan.text = std::string(text);
    plan.stem_langs = context.stem_langs;
    std::vector<std::string> unknown;  // "foo" of "foo:bar"
    try {
        // A blank query is no syntax error: it asks for nothing (or, with filters, for a listing).
        plan.root = text.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos ? plain_words(text)
                                                                                      : Parser(lex(text, true, &unknown), limits.max_depth).parse();
    } catch (const SyntaxError& e) {
        plan.notices.push_back({notice::kQueryUnparsed, std::string("the query did not parse (") + e.what() + "); searched for its words instead"});
        plan.root = plain_words(text);
        unknown.clear();
    }
    for (const std::string& name : unknown)
        plan.notices.push_back({notice::kUnknownField, name + ": is not a field (title, abstract, author, cat, lang, id, year, date); its words were searched as text"});
    if (Clause* last = last_clause(plan.root); last && last->kind == Clause::Kind::kWord && last->span.end == text.size())
        last->last = true;
    Planner planner(analyzer, context, ranking, limits.max_words, plan);
    try {
        planner.analyse(plan.root);
        const bool excluded_root = plan.root.mod == Modifier::kExcluded;
        planner.summarise(plan.root, !excluded_root);
        add_translations(plan, analyzer, context, ranking);
    } catch (const TooManyWords& e) {
        return Status(ErrorCode::kInvalidArgument, e.what());
    } catch (const FieldUnavailable& e) {
        return Status(ErrorCode::kInvalidArgument, e.what());
    }
    std::sort(plan.spelling.begin(), plan.spelling.end(), [](const SpellingWord& a, const SpellingWord& b) { return a.span.begin < b.span.begin; });
    if (context.vocabulary && (context.prefix || context.typos)) {
        Expander expander(analyzer, context, ranking, plan);
        expander.expand(plan.root, plan.root.mod != Modifier::kExcluded);
        plan.corrected = expander.corrected();
    }
    plan.nothing = !plan.has_text && !planner.has_constraint();
    plan.two_tiers = !plan.nothing && !plan.some_words_tier && Planner::tiers_differ(plan.root);
    return plan;
}

}  // namespace abstrakt
