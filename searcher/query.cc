#include "searcher/query.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include "common/lang.h"
#include "common/record.h"
#include "common/schema.h"

namespace abstrakt {

namespace {

// ---- Lexer ----

enum class Tok { kWord, kPhrase, kLParen, kRParen, kAnd, kOr, kNot, kPlus, kMinus, kField, kEnd };

struct Lexeme {
    Tok tok;
    std::string text;   // the word, the phrase's inside, or a field's value (may be empty)
    std::string field;  // for kField: the field name, lowercase
    size_t at = 0;      // byte offset in the query, for messages
};

struct SyntaxError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const std::set<std::string, std::less<>> kTextFields{"title", "abstract", "author"};
const std::set<std::string, std::less<>> kFilterFields{"cat", "lang", "id", "year", "date"};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::vector<Lexeme> lex(std::string_view q) {
    std::vector<Lexeme> out;
    size_t i = 0;
    bool at_term_start = true;  // a '+' or '-' here is a modifier, elsewhere part of a word
    while (i < q.size()) {
        char c = q[i];
        if (is_space(c)) {
            ++i;
            at_term_start = true;
            continue;
        }
        if (c == '(' || c == ')') {
            out.push_back({c == '(' ? Tok::kLParen : Tok::kRParen, "", "", i});
            ++i;
            at_term_start = true;
            continue;
        }
        if (c == '"') {
            size_t end = q.find('"', i + 1);
            if (end == std::string_view::npos) throw SyntaxError("a quote at position " + std::to_string(i + 1) + " is not closed");
            out.push_back({Tok::kPhrase, std::string(q.substr(i + 1, end - i - 1)), "", i});
            i = end + 1;
            at_term_start = false;
            continue;
        }
        if ((c == '+' || c == '-') && at_term_start && i + 1 < q.size() && !is_space(q[i + 1]) && q[i + 1] != ')') {
            out.push_back({c == '+' ? Tok::kPlus : Tok::kMinus, "", "", i});
            ++i;
            continue;  // still at the start of the term the modifier applies to
        }
        size_t start = i;
        while (i < q.size() && !is_space(q[i]) && q[i] != '(' && q[i] != ')' && q[i] != '"') ++i;
        std::string_view word = q.substr(start, i - start);
        at_term_start = false;
        if (word == "AND" || word == "OR" || word == "NOT") {
            out.push_back({word == "AND" ? Tok::kAnd : word == "OR" ? Tok::kOr : Tok::kNot, "", "", start});
            at_term_start = true;
            continue;
        }
        if (size_t colon = word.find(':'); colon != std::string_view::npos) {
            std::string name = ascii_lower(word.substr(0, colon));
            if (kTextFields.count(name) || kFilterFields.count(name)) {
                out.push_back({Tok::kField, std::string(word.substr(colon + 1)), name, start});
                continue;
            }
        }
        out.push_back({Tok::kWord, std::string(word), "", start});
    }
    out.push_back({Tok::kEnd, "", "", q.size()});
    return out;
}

// ---- Syntax tree ----

enum class Mod { kNone, kRequired, kExcluded };

struct Node {
    enum class Type { kText, kPhrase, kFilter, kList, kOr };
    Type type = Type::kList;
    std::string field;  // kText, kPhrase: "", "title", "abstract" or "author"
    std::string text;   // kText: one user word; kPhrase: the phrase
    Xapian::Query filter;
    std::vector<Node> children;  // kList (juxtaposed, each with its Mod) and kOr
    std::vector<Mod> mods;       // kList only
};

// Parses a date bound "YYYY", "YYYY-MM" or "YYYY-MM-DD" to a full date, padding a lower bound with
// the first day and an upper bound with the last. "" when the text is no such date.
std::string date_bound(std::string_view s, bool upper) {
    std::string d(s);
    if (d.size() == 4) d += upper ? "-12-31" : "-01-01";
    else if (d.size() == 7) d += upper ? "-31" : "-01";
    // "-31" is a valid upper bound for any month when compared as a string: check the month only.
    std::string check = d;
    if (upper && s.size() == 7) check = d.substr(0, 8) + "01";
    return valid_date(check) ? d : "";
}

Xapian::Query filter_query(const std::string& field, const std::string& value) {
    if (value.empty()) throw SyntaxError(field + ": needs a value");
    if (field == "cat") return Xapian::Query(schema::kPrefixCategory + ascii_lower(value));
    if (field == "id") return Xapian::Query(schema::kPrefixId + value);
    if (field == "lang") {
        auto tag = lang::canonical_tag(value);
        if (!tag) throw SyntaxError("lang:" + value + " is not a known language code");
        return Xapian::Query(schema::kPrefixLang + lang::primary(*tag));
    }
    // year:2024, year:2023..2024, date:A..B with open ends allowed.
    size_t dots = value.find("..");
    std::string lo_text = dots == std::string::npos ? value : value.substr(0, dots);
    std::string hi_text = dots == std::string::npos ? value : value.substr(dots + 2);
    if (field == "year") {
        auto year_ok = [](const std::string& y) { return y.empty() || (y.size() == 4 && date_bound(y, false) != ""); };
        if (!year_ok(lo_text) || !year_ok(hi_text) || (lo_text.empty() && hi_text.empty()))
            throw SyntaxError("year:" + value + " is not a year or a range of years");
        if (dots == std::string::npos) return Xapian::Query(schema::kPrefixYear + value);
    }
    std::string lo = lo_text.empty() ? "" : date_bound(lo_text, false);
    std::string hi = hi_text.empty() ? "" : date_bound(hi_text, true);
    if ((!lo_text.empty() && lo.empty()) || (!hi_text.empty() && hi.empty()) || (lo.empty() && hi.empty()))
        throw SyntaxError(field + ":" + value + " is not a date (YYYY, YYYY-MM or YYYY-MM-DD) or a range A..B");
    if (lo.empty()) return Xapian::Query(Xapian::Query::OP_VALUE_LE, schema::kSlotDate, hi);
    if (hi.empty()) return Xapian::Query(Xapian::Query::OP_VALUE_GE, schema::kSlotDate, lo);
    if (lo > hi) throw SyntaxError(field + ":" + value + " ends before it starts");
    return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, schema::kSlotDate, lo, hi);
}

class Parser {
  public:
    Parser(std::vector<Lexeme> lexemes, size_t max_depth) : lx_(std::move(lexemes)), max_depth_(max_depth) {}

    Node parse() {
        Node n = parse_or("");
        if (peek().tok == Tok::kRParen) throw SyntaxError("a closing bracket at position " + std::to_string(peek().at + 1) + " has no opening one");
        if (peek().tok != Tok::kEnd) throw SyntaxError("unexpected text at position " + std::to_string(peek().at + 1));
        return n;
    }

  private:
    const Lexeme& peek() const { return lx_[i_]; }
    const Lexeme& take() { return lx_[i_ < lx_.size() - 1 ? i_++ : i_]; }

    Node parse_or(const std::string& field) {
        Node first = parse_and(field);
        if (peek().tok != Tok::kOr) return first;
        Node n;
        n.type = Node::Type::kOr;
        n.children.push_back(std::move(first));
        while (peek().tok == Tok::kOr) {
            take();
            n.children.push_back(parse_and(field));
        }
        return n;
    }

    Node parse_and(const std::string& field) {
        Node n;
        n.type = Node::Type::kList;
        bool and_pending = false;
        while (true) {
            Tok t = peek().tok;
            if (t == Tok::kEnd || t == Tok::kRParen || t == Tok::kOr) break;
            if (t == Tok::kAnd) {
                if (n.children.empty() || and_pending) throw SyntaxError("AND at position " + std::to_string(peek().at + 1) + " lacks a term before it");
                if (n.mods.back() == Mod::kNone) n.mods.back() = Mod::kRequired;
                and_pending = true;
                take();
                continue;
            }
            Mod mod = Mod::kNone;
            Node child = parse_unary(field, mod);
            if (and_pending && mod == Mod::kNone) mod = Mod::kRequired;
            and_pending = false;
            n.children.push_back(std::move(child));
            n.mods.push_back(mod);
        }
        if (and_pending) throw SyntaxError("AND at the end lacks a term after it");
        if (n.children.empty()) {
            if (peek().tok == Tok::kOr) throw SyntaxError("OR at position " + std::to_string(peek().at + 1) + " lacks a term before it");
            throw SyntaxError(peek().tok == Tok::kRParen ? "empty brackets" : "OR lacks a term after it");
        }
        if (n.children.size() == 1 && n.mods[0] == Mod::kNone) return std::move(n.children[0]);
        return n;
    }

    Node parse_unary(const std::string& field, Mod& mod) {
        Tok t = peek().tok;
        if (t == Tok::kNot || t == Tok::kMinus || t == Tok::kPlus) {
            take();
            Mod inner = Mod::kNone;
            Node n = t == Tok::kNot ? parse_unary(field, inner) : parse_primary(field);
            mod = t == Tok::kPlus ? Mod::kRequired : Mod::kExcluded;
            if (inner == Mod::kExcluded && t == Tok::kNot) mod = Mod::kRequired;  // NOT NOT x
            return n;
        }
        return parse_primary(field);
    }

    Node parse_primary(const std::string& field) {
        const Lexeme& l = take();
        Node n;
        switch (l.tok) {
            case Tok::kLParen: {
                if (++depth_ > max_depth_) throw SyntaxError("brackets nest more than " + std::to_string(max_depth_) + " deep");
                n = parse_or(field);
                if (take().tok != Tok::kRParen) throw SyntaxError("an opening bracket at position " + std::to_string(l.at + 1) + " is not closed");
                --depth_;
                return n;
            }
            case Tok::kPhrase:
                n.type = Node::Type::kPhrase;
                n.field = field;
                n.text = l.text;
                return n;
            case Tok::kWord:
                n.type = Node::Type::kText;
                n.field = field;
                n.text = l.text;
                return n;
            case Tok::kField:
                if (kFilterFields.count(l.field)) {
                    n.type = Node::Type::kFilter;
                    n.filter = filter_query(l.field, l.text);
                    return n;
                }
                if (!l.text.empty()) {
                    n.type = Node::Type::kText;
                    n.field = l.field;
                    n.text = l.text;
                    return n;
                }
                if (peek().tok == Tok::kPhrase || peek().tok == Tok::kLParen) return parse_primary(l.field);
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

// The fallback for a query that does not parse: every whitespace-separated piece as a plain word,
// without brackets, quotes, operators and modifiers.
Node plain_words(std::string_view q) {
    Node n;
    n.type = Node::Type::kList;
    std::string cleaned(q);
    for (char& c : cleaned)
        if (c == '(' || c == ')' || c == '"') c = ' ';
    size_t i = 0;
    while (i < cleaned.size()) {
        while (i < cleaned.size() && is_space(cleaned[i])) ++i;
        size_t start = i;
        while (i < cleaned.size() && !is_space(cleaned[i])) ++i;
        std::string_view w = std::string_view(cleaned).substr(start, i - start);
        while (!w.empty() && (w[0] == '+' || w[0] == '-')) w.remove_prefix(1);
        if (w.empty() || w == "AND" || w == "OR" || w == "NOT") continue;
        Node t;
        t.type = Node::Type::kText;
        t.text = std::string(w);
        n.children.push_back(std::move(t));
        n.mods.push_back(Mod::kNone);
    }
    return n;
}

// ---- Compiler ----

struct FieldPrefixes {
    std::string terms;     // folded words
    std::string stems;     // stems ("" when the field is not stemmed)
    std::string phrases;   // where positions are
    bool abstract;         // the abstract: unprefixed terms, each filtered by InAbstract
};

FieldPrefixes prefixes_for(const std::string& field) {
    using namespace schema;
    const std::string z = kPrefixStem;
    if (field == "title") return {kPrefixTitle, z + kPrefixTitle, kPrefixTitle, false};
    if (field == "abstract") return {kPrefixNone, z, kPrefixNone, true};
    if (field == "author") return {kPrefixAuthor, "", kPrefixAuthor, false};
    return {kPrefixNone, z, kPrefixNone, false};
}

// The papers whose abstracts have `term`, an unprefixed word or a "Z" stem (schema.h: abstracts have
// no terms of their own). A paper's count of the term in its abstracts is its count of `term` less
// kTitleWdf times the title's count ("S" + word, "ZS" + stem) and, for a word, less the authors'
// ("A" + word). Used on the right of OP_FILTER: it adds no weight, the unprefixed term ranks.
class InAbstract : public Xapian::PostingSource {
  public:
    explicit InAbstract(std::string term) : term_(std::move(term)) {
        const std::string z = schema::kPrefixStem;
        if (term_.compare(0, z.size(), z) == 0) {
            title_ = z + schema::kPrefixTitle + term_.substr(z.size());
        } else {
            title_ = schema::kPrefixTitle + term_;
            author_ = schema::kPrefixAuthor + term_;
        }
    }
    void init(const Xapian::Database& db) override {
        db_ = db;
        it_ = db_.postlist_begin(term_);
        end_ = db_.postlist_end(term_);
        title_it_ = db_.postlist_begin(title_);
        author_it_ = author_.empty() ? Xapian::PostingIterator() : db_.postlist_begin(author_);
        started_ = false;
        termfreq_ = db_.get_termfreq(term_);
    }
    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override { return termfreq_; }
    Xapian::doccount get_termfreq_max() const override { return termfreq_; }
    void next(double) override {
        if (started_ && it_ != end_) ++it_;
        started_ = true;
        settle();
    }
    void skip_to(Xapian::docid did, double) override {
        started_ = true;
        if (it_ != end_) it_.skip_to(did);
        settle();
    }
    bool at_end() const override { return it_ == end_; }
    Xapian::docid get_docid() const override { return *it_; }
    InAbstract* clone() const override { return new InAbstract(term_); }
    std::string name() const override { return "abstrakt.InAbstract"; }
    std::string get_description() const override { return "InAbstract(" + term_ + ")"; }

  private:
    // The count of `term` in paper `did` from `it` (moved forward only); 0 when it has none.
    Xapian::termcount count(Xapian::PostingIterator& it, const std::string& term, Xapian::docid did) {
        if (term.empty()) return 0;
        if (it == db_.postlist_end(term)) return 0;
        if (*it < did) it.skip_to(did);
        return it != db_.postlist_end(term) && *it == did ? it.get_wdf() : 0;
    }
    // Moves to the first paper from here on with the term in an abstract.
    void settle() {
        for (; it_ != end_; ++it_) {
            const Xapian::docid did = *it_;
            const Xapian::termcount elsewhere = schema::kTitleWdf * count(title_it_, title_, did) + count(author_it_, author_, did);
            if (it_.get_wdf() > elsewhere) return;
        }
    }

    std::string term_, title_, author_;
    Xapian::Database db_;
    Xapian::PostingIterator it_, end_, title_it_, author_it_;
    Xapian::doccount termfreq_ = 0;
    bool started_ = false;
};

// Restricts `q` (a word's query in the abstract: unprefixed terms and "Z" stems) to the papers that
// have one of its terms in an abstract.
Xapian::Query in_abstract(const Xapian::Query& q) {
    std::vector<Xapian::Query> sources;
    for (auto t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t)
        sources.emplace_back((new InAbstract(*t))->release());
    if (sources.empty()) return q;
    return Xapian::Query(Xapian::Query::OP_FILTER, q, Xapian::Query(Xapian::Query::OP_OR, sources.begin(), sources.end()));
}

// English function words: Lucene's classic English stop set, which is small and leaves out words that
// carry meaning in a claim (`than`, `more`, `only`). They are dropped from long queries only
// (kLongQueryWords), where they made papers with every word rare and added nothing to the ranking.
const std::set<std::string, std::less<>> kStopWords{
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
    "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
    "will", "with"};

struct TooManyWords : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A query the index cannot answer as asked (QueryContext::abstract_field).
struct FieldUnavailable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Compiler {
  public:
    Compiler(Analyzer& analyzer, const QueryContext& context, MatchTerms& match, size_t max_words)
        : an_(analyzer), ctx_(context), match_(match), max_words_(max_words) {}

    // `collect` records highlight terms; it is set on one of the two passes only.
    Xapian::Query compile(const Node& n, bool strict, bool positive, bool collect) {
        strict_ = strict;
        collect_ = collect;
        words_ = 0;
        return node(n, positive);
    }

    bool has_text() const { return has_text_; }
    // The folded words of the long lists of plain words, in query order (ParsedQuery::proximity).
    const std::vector<std::string>& proximity() const { return proximity_; }
    // Whether the query has a filter or an exclusion: without one and without text, it asks for nothing.
    bool has_constraint() const { return has_constraint_; }

  private:
    using Q = Xapian::Query;

    // The words of `text` (and its joined chains, when asked). Counted against the word limit unless
    // `count` is false (a second look at words already counted).
    std::vector<Token> words_of(const std::string& text, std::vector<Token>* joined = nullptr, bool count = true) {
        std::vector<Token> tokens, words;
        an_.analyze(text, tokens);
        for (Token& t : tokens) {
            if (!t.joined) words.push_back(std::move(t));
            else if (joined) joined->push_back(std::move(t));
        }
        if (count) words_ += words.size();
        if (words_ > max_words_) throw TooManyWords("the query has more than " + std::to_string(max_words_) + " words");
        return words;
    }

    void remember(const Token& t, int group, bool with_stems, bool positive) {
        remember(t, group, with_stems, positive, ctx_.stem_langs);
    }

    // As above, with the stems of `langs`.
    void remember(const Token& t, int group, bool with_stems, bool positive, const std::vector<std::string>& langs) {
        if (!collect_ || !positive) return;
        match_.forms.emplace(t.folded, group);
        if (with_stems)
            for (const std::string& l : langs)
                if (std::string s = an_.stem(l, t); !s.empty()) match_.stems.emplace(s, group);
    }

    // One word: its folded form, or'd with a synonym group of the form and its stems under every
    // language of the index (so the exact word ranks above a mere stem match), and with the form
    // that keeps its diacritics when the user typed them. In German (german()), the synonym group
    // also holds the compounds the word is a part of, and a word that splits into parts is or'd with
    // the AND of its parts: "Videobeschriftung" finds "Beschriftung von Videos". Each part counts as
    // a query word of its own for the snippet and the title choice, as the AND makes it one: the
    // German title "Beschriftung von 70 Millionen Videos" (two parts) beats the English "Captioning
    // 70M Videos" (one), which it only tied as one query word.
    Q word(const Token& t, const FieldPrefixes& p, bool positive) {
        const int group = next_group_++;
        Q result = word_terms(t, p, positive, group, true, ctx_.stem_langs);
        if (german() && !p.stems.empty() && t.kind == TokenKind::kWord) {
            std::vector<CompoundPart> parts = ctx_.compounds->split(t.folded);
            if (!parts.empty()) {
                // Each part with its German stems ("video" finds "Videos"), and only those: a part is
                // a German word, and under other stemmers it meets other words (the English stemmer
                // makes "modell" "model": "Diffusionsmodell" ranked English papers on diffusion models
                // above the German ones that say it, seen on the bundled data). Not with the compounds
                // it is a part of either: "Beschriftung" would bring in every "...beschriftung" of the
                // index, which is no longer what the user's one word means.
                // The vocabulary's inflected forms of the part join its synonym group: German stems
                // leave "videos" alone (CompoundSplitter::inflections).
                static const std::vector<std::string> kGerman{"de"};
                std::vector<Q> all;
                for (const CompoundPart& part : parts) {
                    Token w;
                    w.folded = w.exact = part.word;
                    w.kind = TokenKind::kWord;
                    all.push_back(word_terms(w, p, positive, next_group_++, false, kGerman, ctx_.compounds->inflections(part.word)));
                }
                result = Q(Q::OP_OR, result, Q(Q::OP_AND, all.begin(), all.end()));
            }
        }
        return result;
    }

    // Whether German compounds apply: the index has a German vocabulary and German is one of the
    // languages searched. An index without German text, or a search restricted to another language,
    // compiles exactly as without the splitter.
    bool german() const {
        return ctx_.compounds && !ctx_.compounds->empty() &&
               std::find(ctx_.stem_langs.begin(), ctx_.stem_langs.end(), "de") != ctx_.stem_langs.end();
    }

    // The terms of one word as word() describes them, for query word `group`, with the stems of
    // `langs`; `compounds`: add the compounds that have the word as a part; `forms`: more folded
    // words for the synonym group.
    Q word_terms(const Token& t, const FieldPrefixes& p, bool positive, int group, bool compounds,
                 const std::vector<std::string>& langs, const std::vector<std::string>& forms = {}) {
        Q exact(p.terms + t.folded);
        Q result = exact;
        if (natural_ && collect_ && positive) proximity_.push_back(t.folded);
        if (!p.stems.empty()) {
            std::set<std::string> stems;
            for (const std::string& l : langs)
                if (std::string s = an_.stem(l, t); !s.empty()) stems.insert(p.stems + s);
            // A word of a natural-language query (natural_) is searched by its stems alone: the stem
            // term already counts every form of the word, the exact form included, and or-ing the
            // exact form in again counted it twice, favouring papers that repeat the claim's wording
            // over papers that say the same thing (SciFact nDCG@10 -0.007, docs/relevance.md).
            std::vector<Q> syn;
            if (!natural_ || stems.empty()) syn.push_back(exact);
            for (const std::string& s : stems) syn.emplace_back(s);
            for (const std::string& f : forms) {
                syn.emplace_back(p.terms + f);
                if (collect_ && positive) match_.forms.emplace(f, group);
            }
            // Compounds join the synonym group: they share its one term statistic, so that "Modell"
            // weighs a paper with "Sprachmodelle" as it would one with "Modelle", and the exact word
            // beside the group still ranks first. Bounded (kMaxCompoundsPerWord), the most frequent
            // first, so that a query stays small.
            if (compounds && german() && t.kind == TokenKind::kWord) {
                std::set<std::string> seen{t.folded};
                for (const CompoundMatch& c : ctx_.compounds->compounds_with_part(t.folded, kMaxCompoundsPerWord)) {
                    if (!seen.insert(c.compound).second) continue;
                    syn.emplace_back(p.terms + c.compound);
                    if (collect_ && positive) match_.parts[c.compound].push_back({group, c.begin, c.end});
                }
            }
            if (natural_) result = syn.size() == 1 ? syn.front() : Q(Q::OP_SYNONYM, syn.begin(), syn.end());
            else if (syn.size() > 1) result = Q(Q::OP_OR, Q(Q::OP_SYNONYM, syn.begin(), syn.end()), exact);
        }
        // The form with diacritics is indexed for the whole text only, not per field.
        if (!natural_ && p.terms.empty() && !p.abstract && t.exact != t.folded) result = Q(Q::OP_OR, result, Q(t.exact));
        if (positive) has_text_ = true;
        remember(t, group, !p.stems.empty(), positive, langs);
        if (p.abstract) need_abstract_field();
        return p.abstract ? in_abstract(result) : result;
    }

    void need_abstract_field() const {
        if (!ctx_.abstract_field)
            throw FieldUnavailable("abstract: cannot be searched over remote shards (docs/scale-out.md); search the words without a field");
    }

    Q phrase(const std::vector<Token>& words, const FieldPrefixes& p) {
        std::vector<Q> terms;
        for (const Token& w : words) terms.emplace_back(p.phrases + w.folded);
        Q q(Q::OP_PHRASE, terms.begin(), terms.end(), static_cast<Xapian::termcount>(terms.size()));
        if (p.abstract) {
            need_abstract_field();
            // The unprefixed phrase (title, abstract and authors are kept apart by position gaps),
            // in papers whose abstracts have each of its words. A paper with the phrase in its title
            // and its words apart in the abstract also passes: rare, and not worth positions per field.
            std::vector<Q> in;
            for (const Token& w : words) in.emplace_back((new InAbstract(w.folded))->release());
            q = Q(Q::OP_FILTER, q, Q(Q::OP_AND, in.begin(), in.end()));
        }
        return q;
    }

    Q node(const Node& n, bool positive) {
        switch (n.type) {
            case Node::Type::kFilter: has_constraint_ = true; return n.filter;
            case Node::Type::kText: return text(n, positive);
            case Node::Type::kPhrase: {
                FieldPrefixes p = prefixes_for(n.field);
                std::vector<Token> words = words_of(n.text);
                if (words.empty()) return Q();
                int group = next_group_++;
                for (const Token& w : words) remember(w, group, false, positive);
                if (positive) has_text_ = true;
                if (p.abstract) need_abstract_field();
                if (words.size() == 1) return p.abstract ? in_abstract(Q(words[0].folded)) : Q(p.terms + words[0].folded);
                return phrase(words, p);
            }
            case Node::Type::kOr: {
                std::vector<Q> alts;
                for (const Node& c : n.children)
                    if (Q q = node(c, positive); !q.empty()) alts.push_back(q);
                return Q(Q::OP_OR, alts.begin(), alts.end());
            }
            case Node::Type::kList: return list(n, positive);
        }
        return Q();
    }

    // One user word, which the analyzer may split: "multi-view" (a hyphenated chain), "扩散模型"
    // (two dictionary words), "foo/bar".
    Q text(const Node& n, bool positive) {
        FieldPrefixes p = prefixes_for(n.field);
        std::vector<Token> joined;
        std::vector<Token> words = words_of(n.text, &joined);
        if (words.empty()) return Q();
        if (words.size() == 1) return word(words[0], p, positive);
        if (joined.size() == 1 && joined[0].start == words.front().start && joined[0].end == words.back().end) {
            // A hyphenated chain: the parts as a phrase, or the joined word. In the some-words query
            // also each part alone, so that `0-dimensional` reaches a paper that says
            // `zero-dimensional` (the part's stem is highlighted too, as for any word).
            if (natural_) {
                // In natural language, the parts as words of their own (all of them in the all-words
                // query): the phrase and the joined word added their weight again (SciFact nDCG@10
                // -0.013 with them, -0.007 with the joined word alone).
                std::vector<Q> parts;
                for (const Token& w : words) parts.push_back(word(w, p, positive));
                return Q(strict_ ? Q::OP_AND : Q::OP_OR, parts.begin(), parts.end());
            }
            if (strict_) {
                for (const Token& w : words) remember(w, next_group_++, false, positive);
                return Q(Q::OP_OR, phrase(words, p), word(joined[0], p, positive));
            }
            std::vector<Q> alts{phrase(words, p), word(joined[0], p, positive)};
            for (const Token& w : words) alts.push_back(word(w, p, positive));
            return Q(Q::OP_OR, alts.begin(), alts.end());
        }
        // Several words in one (Chinese, Japanese, or split at punctuation): like juxtaposed words,
        // with their phrase as a boost.
        std::vector<Q> parts;
        for (const Token& w : words) parts.push_back(word(w, p, positive));
        Q q(strict_ ? Q::OP_AND : Q::OP_OR, parts.begin(), parts.end());
        return Q(Q::OP_AND_MAYBE, q, phrase(words, p));
    }

    // A single plain word with no field: candidate for joining with its neighbour ("multi view"
    // also finds "multiview") and for the proximity boost.
    static bool simple_word(const Node& n) {
        if (n.type != Node::Type::kText || !n.field.empty()) return false;
        for (char c : n.text)
            if (static_cast<unsigned char>(c) >= 0x80 || !(std::isalnum(static_cast<unsigned char>(c)))) return false;
        return !n.text.empty();
    }

    Q list(const Node& n, bool positive) {
        std::vector<Q> required, optional, excluded, filters;
        std::vector<bool> optional_weak;  // per `optional`: a stop word that needs another word (below)
        std::vector<Q> joins_strict, boosts, joins_loose;
        std::vector<int> simple_index(n.children.size(), -1);  // index into `optional` of simple words
        // A long list of plain words (natural language, such as a claim or a question) drops its stop
        // words and has no neighbour phrase boosts; quoted, required, excluded and field words are
        // never stop words, and a list of nothing but stop words keeps them all.
        size_t plain = 0, stops = 0;
        std::vector<bool> stop(n.children.size(), false);
        for (size_t i = 0; i < n.children.size(); ++i) {
            if (n.mods[i] != Mod::kNone || n.children[i].type != Node::Type::kText || !n.children[i].field.empty()) continue;
            ++plain;
            std::vector<Token> w = words_of(n.children[i].text, nullptr, false);
            if (w.size() == 1 && w[0].kind == TokenKind::kWord && kStopWords.count(w[0].folded)) {
                stop[i] = true;
                ++stops;
            }
        }
        const bool long_list = plain >= kLongQueryWords;
        // In a short list, a stop word beside other words is searched (papers with every word come
        // first, and the phrase boosts keep `on the`), but it does not let a paper into the
        // some-words group by itself: `VLQA the` fills its page with papers about VLQA, not with any
        // paper that says "the", and Xapian no longer weighs every paper to find them (337 ms to 2 ms
        // on the 144k benchmark index, docs/performance.md).
        std::vector<bool> weak(n.children.size(), false);
        if (!long_list && stops < plain) weak = stop;
        if (!long_list || stops == plain) std::fill(stop.begin(), stop.end(), false);
        for (size_t i = 0; i < n.children.size(); ++i) {
            const Node& c = n.children[i];
            Mod mod = n.mods[i];
            if (stop[i]) {
                words_of(c.text);  // counted against the word limit all the same
                continue;
            }
            const bool plain_word = mod == Mod::kNone && c.type == Node::Type::kText && c.field.empty();
            natural_ = long_list && plain_word;
            Q q = node(c, positive && mod != Mod::kExcluded);
            natural_ = false;
            if (q.empty()) continue;
            if (c.type == Node::Type::kFilter) {
                (mod == Mod::kExcluded ? excluded : filters).push_back(q);
                has_constraint_ = true;
                continue;
            }
            switch (mod) {
                case Mod::kExcluded:
                    excluded.push_back(q);
                    has_constraint_ = true;
                    break;
                case Mod::kRequired: required.push_back(q); break;
                case Mod::kNone:
                    if (simple_word(c)) simple_index[i] = static_cast<int>(optional.size());
                    optional.push_back(q);
                    optional_weak.push_back(weak[i]);
                    break;
            }
        }
        // Neighbouring plain words of a short list: joined ("multi view" -> "multiview") and near each
        // other. A long list has neither: the phrase boosts counted each neighbouring pair's words
        // again and swamped the rarer words (docs/relevance.md: -0.094 nDCG@10 on SciFact, and most of
        // the time), and the joins changed nothing there but made the query large. Proximity in a long
        // list is rewarded after the match instead (ParsedQuery::proximity).
        for (size_t i = 0; !long_list && i + 1 < n.children.size() && joins_loose.size() < 8; ++i) {
            if (simple_index[i] < 0 || simple_index[i + 1] < 0) continue;
            std::vector<Token> a = words_of(n.children[i].text, nullptr, false);
            std::vector<Token> b = words_of(n.children[i + 1].text, nullptr, false);
            if (a.size() != 1 || b.size() != 1) continue;
            Q joined(a[0].folded + b[0].folded);
            if (collect_ && positive) match_.forms.emplace(a[0].folded + b[0].folded, -1);
            boosts.emplace_back(Q::OP_PHRASE, Q(a[0].folded), Q(b[0].folded));
            joins_loose.push_back(joined);
            // The strict alternative: every other optional word, and the joined pair.
            std::vector<Q> alt = required;
            for (size_t k = 0; k < optional.size(); ++k)
                if (static_cast<int>(k) != simple_index[i] && static_cast<int>(k) != simple_index[i + 1]) alt.push_back(optional[k]);
            alt.push_back(joined);
            joins_strict.emplace_back(Q::OP_AND, alt.begin(), alt.end());
        }

        Q base;
        if (required.empty() && optional.empty()) {
            base = match_all();
        } else if (strict_) {
            std::vector<Q> all = required;
            all.insert(all.end(), optional.begin(), optional.end());
            base = Q(Q::OP_AND, all.begin(), all.end());
            if (!joins_strict.empty()) {
                joins_strict.insert(joins_strict.begin(), base);
                base = Q(Q::OP_OR, joins_strict.begin(), joins_strict.end());
            }
        } else {
            std::vector<Q> any, stops_too;
            for (size_t k = 0; k < optional.size(); ++k) (optional_weak[k] ? stops_too : any).push_back(optional[k]);
            if (any.empty() && joins_loose.empty()) any.swap(stops_too);  // the other words had no terms
            any.insert(any.end(), joins_loose.begin(), joins_loose.end());
            Q some(Q::OP_OR, any.begin(), any.end());
            if (!stops_too.empty()) some = Q(Q::OP_AND_MAYBE, some, Q(Q::OP_OR, stops_too.begin(), stops_too.end()));
            base = required.empty() ? some : Q(Q::OP_AND_MAYBE, Q(Q::OP_AND, required.begin(), required.end()), some);
        }
        // One AND_MAYBE per phrase boost, never one over an OR of the phrases: Xapian 1.4.22 weighs
        // `base AND_MAYBE (p1 OR p2)` wrongly and differently along different match paths. On the
        // bundled data a paper with base weight 2.32 and only p1 (1.88) got 9.83 from one index and
        // 10.44 from the same papers in 3 shards (it should be 4.20, which `(base AND_MAYBE p1)
        // AND_MAYBE p2` gives in both); another got 9.51 and 3.60. This was the "unexplained" weight
        // of explain_match (engine.h), and made shards rank the some-words tier differently
        // (tests/test_shards.cc).
        for (const Q& boost : boosts) base = Q(Q::OP_AND_MAYBE, base, boost);
        if (!filters.empty()) base = Q(Q::OP_FILTER, base, Q(Q::OP_AND, filters.begin(), filters.end()));
        if (!excluded.empty()) base = Q(Q::OP_AND_NOT, base, Q(Q::OP_OR, excluded.begin(), excluded.end()));
        return base;
    }

    Analyzer& an_;
    const QueryContext& ctx_;
    MatchTerms& match_;
    size_t max_words_;
    size_t words_ = 0;
    bool strict_ = true, collect_ = false, has_text_ = false, has_constraint_ = false;
    int next_group_ = 0;
    bool natural_ = false;  // compiling a plain word of a long list (kLongQueryWords)
    std::vector<std::string> proximity_;
};

}  // namespace

bool is_filter_field(std::string_view name) { return kFilterFields.count(name) > 0; }

bool is_stop_word(std::string_view folded) { return kStopWords.count(folded) > 0; }

Xapian::Query match_all() { return Xapian::Query(std::string()); }

Result<Xapian::Query> date_range_filter(std::string_view from, std::string_view to) {
    try {
        return filter_query("date", std::string(from) + ".." + std::string(to));
    } catch (const SyntaxError& e) {
        return Status(ErrorCode::kInvalidArgument, e.what());
    }
}

Result<ParsedQuery> parse_query(std::string_view text, Analyzer& analyzer, const QueryContext& context,
                                const QueryLimits& limits) {
    if (!valid_utf8(text)) return Status(ErrorCode::kInvalidArgument, "the query is not valid UTF-8");
    if (text.size() > limits.max_bytes)
        return Status(ErrorCode::kInvalidArgument, "the query is " + std::to_string(text.size()) +
                                                       " bytes long; at most " + std::to_string(limits.max_bytes) + " are allowed");
    ParsedQuery out;
    bool strict_has_constraint = false;
    Node tree;
    try {
        // A blank query is no syntax error: it asks for nothing (or, with filters, for a listing).
        tree = text.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos ? plain_words(text)
                                                                                 : Parser(lex(text), limits.max_depth).parse();
    } catch (const SyntaxError& e) {
        out.notices.push_back(std::string("the query did not parse (") + e.what() + "); searched for its words instead");
        tree = plain_words(text);
    }
    try {
        Compiler strict(analyzer, context, out.match, limits.max_words);
        out.strict = strict.compile(tree, true, true, true);
        out.has_text = strict.has_text();
        out.proximity = strict.proximity();
        strict_has_constraint = strict.has_constraint();
        MatchTerms unused;
        Compiler loose(analyzer, context, unused, limits.max_words);
        out.loose = loose.compile(tree, false, true, false);
    } catch (const TooManyWords& e) {
        return Status(ErrorCode::kInvalidArgument, e.what());
    } catch (const FieldUnavailable& e) {
        return Status(ErrorCode::kInvalidArgument, e.what());
    }
    if (!out.has_text && !strict_has_constraint) {
        out.nothing = true;
        out.strict = out.loose = Xapian::Query();  // matches nothing
        return out;
    }
    if (out.strict.empty()) out.strict = match_all();
    if (out.loose.empty()) out.loose = match_all();
    out.tiered = out.strict.get_description() != out.loose.get_description();
    return out;
}

}  // namespace abstrakt
