#include "searcher/builder.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <xapian/postingsource.h>

#include "common/schema.h"

namespace abstrakt {

namespace {

using Q = Xapian::Query;

struct FieldPrefixes {
    std::string terms;    // folded words
    std::string stems;    // stems ("" when the field is not stemmed)
    std::string phrases;  // where positions are
    bool abstract;        // the abstract: unprefixed terms, each filtered by InAbstract
};

FieldPrefixes prefixes_for(QueryField field) {
    using namespace schema;
    const std::string z = kPrefixStem;
    switch (field) {
        case QueryField::kTitle: return {kPrefixTitle, z + kPrefixTitle, kPrefixTitle, false};
        case QueryField::kAbstract: return {kPrefixNone, z, kPrefixNone, true};
        case QueryField::kAuthor: return {kPrefixAuthor, "", kPrefixAuthor, false};
        case QueryField::kAny: break;
    }
    return {kPrefixNone, z, kPrefixNone, false};
}

// The papers whose abstracts have `term`, an unprefixed word or a "Z" stem (schema.h: abstracts have
// no terms of their own). The rule, from how indexer/document.cc counts (common/ranking.h: IndexParams):
// an unprefixed word's wdf is abstract_wdf x (its count in the abstracts) + title_wdf x (its "S"
// count) + author_wdf x (its "A" count) + id_wdf when it is the paper's id ("Q" + word); a "Z" stem's
// wdf is abstract_wdf x (abstracts) + title_wdf x (its "ZS" count). A paper passes when something is
// left for the abstracts. Used on the right of OP_FILTER: it adds no weight, the unprefixed term ranks.
class InAbstract : public Xapian::PostingSource {
  public:
    InAbstract(std::string term, const IndexParams& index) : term_(std::move(term)), index_(index) {
        const std::string z = schema::kPrefixStem;
        if (term_.compare(0, z.size(), z) == 0) {
            title_ = z + schema::kPrefixTitle + term_.substr(z.size());
        } else {
            title_ = schema::kPrefixTitle + term_;
            author_ = schema::kPrefixAuthor + term_;
            id_ = schema::kPrefixId + term_;
        }
    }
    void init(const Xapian::Database& db) override {
        db_ = db;
        it_ = db_.postlist_begin(term_);
        end_ = db_.postlist_end(term_);
        title_it_ = db_.postlist_begin(title_);
        author_it_ = author_.empty() ? Xapian::PostingIterator() : db_.postlist_begin(author_);
        id_it_ = id_.empty() ? Xapian::PostingIterator() : db_.postlist_begin(id_);
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
    InAbstract* clone() const override { return new InAbstract(term_, index_); }
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
    // Whether paper `did` has `term` (a boolean term, whose wdf is 0).
    bool has(Xapian::PostingIterator& it, const std::string& term, Xapian::docid did) {
        if (term.empty() || it == db_.postlist_end(term)) return false;
        if (*it < did) it.skip_to(did);
        return it != db_.postlist_end(term) && *it == did;
    }
    // Moves to the first paper from here on with the term in an abstract.
    void settle() {
        for (; it_ != end_; ++it_) {
            const Xapian::docid did = *it_;
            const Xapian::termcount elsewhere = index_.title_wdf * count(title_it_, title_, did) +
                                                index_.author_wdf * count(author_it_, author_, did) +
                                                (has(id_it_, id_, did) ? index_.id_wdf : 0);
            if (it_.get_wdf() > elsewhere) return;
        }
    }

    std::string term_, title_, author_, id_;
    IndexParams index_;
    Xapian::Database db_;
    Xapian::PostingIterator it_, end_, title_it_, author_it_, id_it_;
    Xapian::doccount termfreq_ = 0;
    bool started_ = false;
};

// Builds one tier of a plan. `all`: the all-words tier (juxtaposed words all required), which also
// collects the highlight terms; otherwise the some-words tier.
class Builder {
  public:
    Builder(const IndexParams& index, bool all, MatchTerms* match) : index_(index), all_(all), match_(match) {}

    Q clause(const Clause& c, bool positive) {
        switch (c.kind) {
            case Clause::Kind::kFilter: return c.invalid.empty() ? build_filter(c.filter) : Q();
            case Clause::Kind::kWord: return text(c, positive);
            case Clause::Kind::kPhrase: {
                FieldPrefixes p = prefixes_for(c.field);
                if (c.words.empty()) return Q();
                int group = next_group_++;
                for (const PlanWord& w : c.words) remember(w, group, positive);
                if (c.words.size() == 1) return p.abstract ? in_abstract(Q(c.words[0].folded)) : Q(p.terms + c.words[0].folded);
                return phrase(c.words, p);
            }
            case Clause::Kind::kAnyOf: {
                std::vector<Q> alts;
                for (const Clause& k : c.children)
                    if (Q q = clause(k, positive); !q.empty()) alts.push_back(q);
                return Q(Q::OP_OR, alts.begin(), alts.end());
            }
            case Clause::Kind::kAllOf: return list(c, positive);
        }
        return Q();
    }

  private:
    // Restricts `q` (a word's query in the abstract: unprefixed terms and "Z" stems) to the papers that
    // have one of its terms in an abstract.
    Q in_abstract(const Q& q) const {
        std::vector<Q> sources;
        for (auto t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t)
            sources.emplace_back((new InAbstract(*t, index_))->release());
        if (sources.empty()) return q;
        return Q(Q::OP_FILTER, q, Q(Q::OP_OR, sources.begin(), sources.end()));
    }

    // Highlight terms: the word's folded form and, when `stems` is given, its stems.
    void remember(const PlanWord& w, int group, bool positive, bool stems = false) {
        if (!match_ || !positive) return;
        match_->forms.emplace(w.folded, group);
        if (stems)
            for (const auto& s : w.stems) match_->stems.emplace(s.second, group);
    }

    Q phrase(const std::vector<PlanWord>& words, const FieldPrefixes& p) const {
        std::vector<Q> terms;
        for (const PlanWord& w : words) terms.emplace_back(p.phrases + w.folded);
        Q q(Q::OP_PHRASE, terms.begin(), terms.end(), static_cast<Xapian::termcount>(terms.size()));
        if (p.abstract) {
            // The unprefixed phrase (title, abstract and authors are kept apart by position gaps), in
            // papers whose abstracts have each of its words. A paper with the phrase in its title and
            // its words apart in the abstract also passes: rare, and not worth positions per field.
            std::vector<Q> in;
            for (const PlanWord& w : words) in.emplace_back((new InAbstract(w.folded, index_))->release());
            q = Q(Q::OP_FILTER, q, Q(Q::OP_AND, in.begin(), in.end()));
        }
        return q;
    }

    // One user word, which the analyzer may have split: "multi-view" (a hyphenated chain), "扩散模型"
    // (two dictionary words), "foo/bar".
    Q text(const Clause& c, bool positive) {
        FieldPrefixes p = prefixes_for(c.field);
        const std::vector<PlanWord>& words = c.words;
        if (words.empty()) return Q();
        if (words.size() == 1) return word(words[0], p, positive, c.natural);
        if (!c.joined.empty()) {
            // A hyphenated chain. In the all-words query: the parts as a phrase, or the joined word.
            // In the some-words query: the joined word or each part alone, so that `0-dimensional`
            // reaches a paper that says `zero-dimensional` (the part's stem is highlighted too, as for
            // any word); not the phrase, whose papers have every part anyway (Xapian would read the
            // positions of every paper with two of them, docs/performance.md); a stop-word part
            // (PlanWord::weak) only beside another.
            if (c.natural) {
                // In natural language, the parts as words of their own (all of them in the all-words
                // query): the phrase and the joined word added their weight again (SciFact nDCG@10
                // -0.013 with them, -0.007 with the joined word alone).
                std::vector<Q> parts, weak;
                for (const PlanWord& w : words) (w.weak && !all_ ? weak : parts).push_back(word(w, p, positive, true));
                return all_ ? Q(Q::OP_AND, parts.begin(), parts.end()) : beside(parts, weak);
            }
            if (all_) {
                for (const PlanWord& w : words) remember(w, next_group_++, positive);
                Q ph = phrase(words, p);
                return Q(Q::OP_OR, ph, word(c.joined[0], p, positive, false));
            }
            std::vector<Q> alts{word(c.joined[0], p, positive, false)}, weak;
            for (const PlanWord& w : words) (w.weak ? weak : alts).push_back(word(w, p, positive, false));
            return beside(alts, weak);
        }
        // Several words in one (Chinese, Japanese, or split at punctuation): like juxtaposed words,
        // with their phrase as a boost.
        std::vector<Q> parts;
        for (const PlanWord& w : words) parts.push_back(word(w, p, positive, c.natural));
        Q q(all_ ? Q::OP_AND : Q::OP_OR, parts.begin(), parts.end());
        return Q(Q::OP_AND_MAYBE, q, phrase(words, p));
    }

    // The OR of `any`, with the OR of `weak` (stop words) weighed only in papers that match it.
    static Q beside(const std::vector<Q>& any, const std::vector<Q>& weak) {
        Q q(Q::OP_OR, any.begin(), any.end());
        return weak.empty() ? q : Q(Q::OP_AND_MAYBE, q, Q(Q::OP_OR, weak.begin(), weak.end()));
    }

    // One word: its folded form, or'd with a synonym group of the form and its stems under every
    // language of the index (so the exact word ranks above a mere stem match), and with the form that
    // keeps its diacritics when the user typed them. In German (PlanWord::parts and compounds), the
    // synonym group also holds the compounds the word is a part of, and a word that splits is or'd with
    // the AND of its parts: "Videobeschriftung" finds "Beschriftung von Videos". Each part counts as a
    // query word of its own for the snippet and the title choice, as the AND makes it one: the German
    // title "Beschriftung von 70 Millionen Videos" (two parts) beats the English "Captioning 70M
    // Videos" (one), which it only tied as one query word.
    Q word(const PlanWord& w, const FieldPrefixes& p, bool positive, bool natural) {
        const int group = next_group_++;
        Q result = word_terms(w, p, positive, group, true, natural, {});
        if (!w.parts.empty()) {
            // Each part with its German stems ("video" finds "Videos") and the vocabulary's inflected
            // forms of it (German stems leave "videos" alone), not with the compounds it is a part of:
            // "Beschriftung" would bring in every "...beschriftung" of the index, which is no longer
            // what the user's one word means.
            // Each part counts 1 and 1 more matched as typed; the word whole counts more than all.
            if (match_ && positive) match_->weight[group] = 2 * static_cast<int>(w.parts.size()) + 1;
            std::vector<Q> all;
            for (const PlanWord::Part& part : w.parts)
                all.push_back(word_terms(part.word[0], p, positive, next_group_++, false, natural, part.inflections));
            result = Q(Q::OP_OR, result, Q(Q::OP_AND, all.begin(), all.end()));
        }
        // A translation is highlighted as a query word of its own, which counts nothing when a text is
        // scored: the title in the query's language is shown whenever it has the word ("扩散模型" shows
        // a paper's Chinese title, not its English one with "diffusion models").
        for (const Alternative& a : w.alternatives) {
            const int g = a.kind == Alternative::Kind::kTranslation ? next_group_++ : group;
            if (g != group && match_ && positive) match_->weight[g] = 0;
            if (Q q = alternative(a, p, positive, g); !q.empty()) result = Q(Q::OP_OR, result, Q(Q::OP_SCALE_WEIGHT, q, a.weight));
        }
        return result;
    }

    // An alternative's terms in field `p`, its words highlighted as query word `group`: each word by
    // its stem when it has one (a translation: "language model" -> "languag", "model"), else as
    // written; combined as Alternative::join says.
    Q alternative(const Alternative& a, const FieldPrefixes& p, bool positive, int group) {
        const bool phrase = a.join == Alternative::Join::kPhrase;
        std::vector<Q> terms;
        for (size_t i = 0; i < a.words.size(); ++i) {
            const bool stem = !phrase && !p.stems.empty() && i < a.stems.size() && !a.stems[i].empty();
            terms.emplace_back(stem ? p.stems + a.stems[i] : (phrase ? p.phrases : p.terms) + a.words[i]);
            if (match_ && positive) {
                match_->forms.emplace(a.words[i], group);
                if (stem) match_->stems.emplace(a.stems[i], group);
            }
        }
        if (terms.empty()) return Q();
        Q q = terms.size() == 1                  ? terms[0]
              : phrase                           ? Q(Q::OP_PHRASE, terms.begin(), terms.end(), static_cast<Xapian::termcount>(terms.size()))
              : a.join == Alternative::Join::kAny ? Q(Q::OP_SYNONYM, terms.begin(), terms.end())
                                                 : Q(Q::OP_AND, terms.begin(), terms.end());
        return p.abstract ? in_abstract(q) : q;
    }

    // The terms of one word as word() describes them, for query word `group`; `compounds`: add the
    // compounds that have the word as a part; `forms`: more folded words for the synonym group.
    Q word_terms(const PlanWord& w, const FieldPrefixes& p, bool positive, int group, bool compounds, bool natural,
                 const std::vector<std::string>& forms) {
        Q exact(p.terms + w.folded);
        Q result = exact;
        if (!p.stems.empty()) {
            std::set<std::string> stems;
            for (const auto& s : w.stems) stems.insert(p.stems + s.second);
            // A word of a natural-language query is searched by its stems alone: the stem term already
            // counts every form of the word, the exact form included, and or-ing the exact form in
            // again counted it twice, favouring papers that repeat the claim's wording over papers that
            // say the same thing (SciFact nDCG@10 -0.007, docs/relevance.md).
            std::vector<Q> syn;
            if (!natural || stems.empty()) syn.push_back(exact);
            for (const std::string& s : stems) syn.emplace_back(s);
            for (const std::string& f : forms) {
                syn.emplace_back(p.terms + f);
                if (match_ && positive) match_->forms.emplace(f, group);
            }
            // Compounds join the synonym group: they share its one term statistic, so that "Modell"
            // weighs a paper with "Sprachmodelle" as it would one with "Modelle", and the exact word
            // beside the group still ranks first (bounded by max_compounds_per_word in the plan).
            if (compounds) {
                std::set<std::string> seen{w.folded};
                for (const CompoundMatch& c : w.compounds) {
                    if (!seen.insert(c.compound).second) continue;
                    syn.emplace_back(p.terms + c.compound);
                    if (match_ && positive) match_->parts[c.compound].push_back({group, c.begin, c.end});
                }
            }
            if (natural) result = syn.size() == 1 ? syn.front() : Q(Q::OP_SYNONYM, syn.begin(), syn.end());
            else if (syn.size() > 1) result = Q(Q::OP_OR, Q(Q::OP_SYNONYM, syn.begin(), syn.end()), exact);
        }
        // The form with diacritics is indexed for the whole text only, not per field.
        if (!natural && p.terms.empty() && !p.abstract && w.exact != w.folded) result = Q(Q::OP_OR, result, Q(w.exact));
        remember(w, group, positive, !p.stems.empty());
        return p.abstract ? in_abstract(result) : result;
    }

    Q list(const Clause& c, bool positive) {
        std::vector<Q> required, optional, excluded, filters;
        std::vector<bool> optional_weak;  // per `optional`: a stop word that needs another word
        std::vector<Q> joins_all, boosts, joins_some;
        std::vector<int> optional_index(c.children.size(), -1);
        for (size_t i = 0; i < c.children.size(); ++i) {
            const Clause& k = c.children[i];
            if (k.stop) continue;
            Q q = clause(k, positive && k.mod != Modifier::kExcluded);
            if (q.empty()) continue;
            if (k.kind == Clause::Kind::kFilter) {
                (k.mod == Modifier::kExcluded ? excluded : filters).push_back(q);
                continue;
            }
            switch (k.mod) {
                case Modifier::kExcluded: excluded.push_back(q); break;
                case Modifier::kRequired: required.push_back(q); break;
                case Modifier::kOptional:
                    optional_index[i] = static_cast<int>(optional.size());
                    optional.push_back(q);
                    optional_weak.push_back(k.weak);
                    break;
            }
        }
        for (size_t i : c.joins) {
            const std::string& a = c.children[i].words[0].folded;
            const std::string& b = c.children[i + 1].words[0].folded;
            Q joined(a + b);
            if (match_ && positive) match_->forms.emplace(a + b, -1);
            // The phrase boost in the all-words tier only. In the some-words tier it made Xapian read
            // the positions of every paper with both words among thousands that match any word:
            // 20k title queries p99 69 -> 11 ms without it (docs/performance.md), the dev sets equal;
            // the title pair term still lifts titles that hold the two words together.
            if (all_) boosts.emplace_back(Q::OP_PHRASE, Q(a), Q(b));
            joins_some.push_back(joined);
            // The all-words alternative: every other optional word, and the joined pair.
            std::vector<Q> alt = required;
            for (size_t k = 0; k < optional.size(); ++k)
                if (static_cast<int>(k) != optional_index[i] && static_cast<int>(k) != optional_index[i + 1]) alt.push_back(optional[k]);
            alt.push_back(joined);
            joins_all.emplace_back(Q::OP_AND, alt.begin(), alt.end());
        }

        Q base;
        if (required.empty() && optional.empty()) {
            base = match_all();
        } else if (all_) {
            std::vector<Q> every = required;
            every.insert(every.end(), optional.begin(), optional.end());
            base = Q(Q::OP_AND, every.begin(), every.end());
            if (!joins_all.empty()) {
                joins_all.insert(joins_all.begin(), base);
                base = Q(Q::OP_OR, joins_all.begin(), joins_all.end());
            }
        } else {
            std::vector<Q> any, stops_too;
            for (size_t k = 0; k < optional.size(); ++k) (optional_weak[k] ? stops_too : any).push_back(optional[k]);
            if (any.empty() && joins_some.empty()) any.swap(stops_too);  // the other words had no terms
            any.insert(any.end(), joins_some.begin(), joins_some.end());
            Q some(Q::OP_OR, any.begin(), any.end());
            if (!stops_too.empty()) some = Q(Q::OP_AND_MAYBE, some, Q(Q::OP_OR, stops_too.begin(), stops_too.end()));
            base = required.empty() ? some : Q(Q::OP_AND_MAYBE, Q(Q::OP_AND, required.begin(), required.end()), some);
        }
        // Workaround: one AND_MAYBE per phrase boost, never one over an OR of the phrases. Xapian
        // 1.4.22 weighs `base AND_MAYBE (p1 OR p2)` wrongly and differently along different match
        // paths: on the bundled data a paper with base weight 2.32 and only p1 (1.88) got 9.83 from one
        // index and 10.44 from the same papers in 3 shards (it should be 4.20, which `(base AND_MAYBE
        // p1) AND_MAYBE p2` gives in both). Shown by explain's `unexplained` weight
        // (tests/test_explain.cc) and by shards ranking the some-words tier differently
        // (tests/test_shards.cc).
        for (const Q& boost : boosts) base = Q(Q::OP_AND_MAYBE, base, boost);
        if (!filters.empty()) base = Q(Q::OP_FILTER, base, Q(Q::OP_AND, filters.begin(), filters.end()));
        if (!excluded.empty()) base = Q(Q::OP_AND_NOT, base, Q(Q::OP_OR, excluded.begin(), excluded.end()));
        return base;
    }

    const IndexParams& index_;
    bool all_;
    MatchTerms* match_;  // collected on the all-words tier only
    int next_group_ = 0;
};

}  // namespace

Xapian::Query build_filter(const PlanFilter& f) {
    if (!f.term.empty()) return Q(f.term);
    if (f.from.empty()) return Q(Q::OP_VALUE_LE, schema::kSlotDate, f.to);
    if (f.to.empty()) return Q(Q::OP_VALUE_GE, schema::kSlotDate, f.from);
    return Q(Q::OP_VALUE_RANGE, schema::kSlotDate, f.from, f.to);
}

namespace {

// Title matches first: the title pair terms (schema.h: kPrefixTitlePair) of `c`'s adjacent query words
// that are searched in titles (no field, or title:): neighbouring plain words of a list (Clause::joins),
// the parts of a hyphenated word ("multi-view"), and the words of a phrase. Not under an exclusion, nor
// in natural language (long queries), which gets no phrase boosts either: there the pairs of split words
// cost SciFact nDCG@10 0.0018. Not the words of a Chinese (or other) word that the analyzer split
// ("扩散模型" -> 扩散 模型): CSL MRR@10 fell from 0.9919 to 0.9885 (p 0.02) with them, its keyword queries
// being found in abstracts rather than titles (docs/relevance.md).
void title_pairs(const Clause& c, std::vector<std::string>& out) {
    if (c.mod == Modifier::kExcluded || c.natural) return;
    auto pair = [&](const PlanWord& a, const PlanWord& b) { out.push_back(schema::kPrefixTitlePair + a.folded + ' ' + b.folded); };
    const bool titled = c.field == QueryField::kAny || c.field == QueryField::kTitle;
    switch (c.kind) {
        case Clause::Kind::kWord:
        case Clause::Kind::kPhrase:
            if (titled && (c.kind == Clause::Kind::kPhrase || !c.joined.empty()))
                for (size_t i = 0; i + 1 < c.words.size(); ++i) pair(c.words[i], c.words[i + 1]);
            return;
        case Clause::Kind::kAllOf:
            for (size_t i : c.joins) {
                const Clause& a = c.children[i];
                const Clause& b = c.children[i + 1];
                if (a.mod != Modifier::kExcluded && b.mod != Modifier::kExcluded &&
                    (a.field == QueryField::kAny || a.field == QueryField::kTitle) && a.field == b.field)
                    pair(a.words[0], b.words[0]);
            }
            [[fallthrough]];
        case Clause::Kind::kAnyOf:
            for (const Clause& k : c.children) title_pairs(k, out);
            return;
        case Clause::Kind::kFilter: return;
    }
}

}  // namespace

Xapian::Query build_tier(const QueryPlan& plan, const IndexParams& index, bool all_words, MatchTerms* match,
                         const RankingParams* ranking) {
    if (plan.nothing) return Q();
    Q q = Builder(index, all_words, match).clause(plan.root, true);
    if (q.empty()) return match_all();
    // Title matches first: each pair term a boost of its own (one AND_MAYBE each, as the phrase boosts:
    // builder.h), scaled by title_pair_weight. A boost never changes which papers match.
    static const RankingParams kDefaults;
    const double weight = (ranking ? *ranking : kDefaults).title_pair_weight;
    if (weight > 0) {
        std::vector<std::string> pairs;
        title_pairs(plan.root, pairs);
        std::set<std::string> seen;
        for (const std::string& p : pairs)
            if (seen.insert(p).second) q = Q(Q::OP_AND_MAYBE, q, Q(Q::OP_SCALE_WEIGHT, Q(p), weight));
    }
    return q;
}

TierQueries build_tiers(const QueryPlan& plan, const IndexParams& index, const RankingParams* ranking) {
    TierQueries out;
    out.all = build_tier(plan, index, !plan.some_words_tier, &out.match, ranking);
    out.some = plan.two_tiers ? build_tier(plan, index, false, nullptr, ranking) : out.all;
    return out;
}

Xapian::Query some_words_only(const Xapian::Query& some, const Xapian::Query& all) {
    return Q(Q::OP_AND_NOT, some, matching_part(all));
}

namespace {

// The operators whose subqueries the rewrites below go through, each subquery rewritten alone.
bool rewrites_through(Q::op op) {
    switch (op) {
        case Q::OP_AND:
        case Q::OP_OR:
        case Q::OP_AND_NOT:
        case Q::OP_FILTER:
        case Q::OP_XOR:
        case Q::OP_SYNONYM:
        case Q::OP_MAX:
            return true;
        default:
            return false;
    }
}

// `q` with `f` applied to each subquery; a subquery for which `f` gives an empty query is left out.
template <typename F>
Q rewritten(const Q& q, F&& f) {
    std::vector<Q> subs;
    for (size_t i = 0; i < q.get_num_subqueries(); ++i)
        if (Q sub = f(q.get_subquery(i)); !sub.empty()) subs.push_back(std::move(sub));
    return Q(q.get_type(), subs.begin(), subs.end());
}

// A title pair term (build_tier), scaled by title_pair_weight or not.
bool is_title_pair(const Q& q) {
    const Q term = q.get_type() == Q::OP_SCALE_WEIGHT && q.get_num_subqueries() == 1 ? q.get_subquery(0) : q;
    if (term.get_type() != Q::LEAF_TERM) return false;
    const std::string_view prefix = schema::kPrefixTitlePair;
    return std::string_view(*term.get_terms_begin()).substr(0, prefix.size()) == prefix;
}

bool is_phrase_boost(const Q& q, Boosts which = Boosts::kPhrases) {
    if (q.get_type() != Q::OP_AND_MAYBE || q.get_num_subqueries() != 2) return false;
    const Q right = q.get_subquery(1);
    return right.get_type() == Q::OP_PHRASE || (which == Boosts::kPhrasesAndTitlePairs && is_title_pair(right));
}

// Whether `q` has a phrase boost anywhere (without_phrase_boosts would remove one).
bool has_phrase_boost(const Q& q, Boosts which = Boosts::kPhrases) {
    if (is_phrase_boost(q, which)) return true;
    if (!rewrites_through(q.get_type()) && q.get_type() != Q::OP_AND_MAYBE) return false;
    for (size_t i = 0; i < q.get_num_subqueries(); ++i)
        if (has_phrase_boost(q.get_subquery(i), which)) return true;
    return false;
}

// An OR's term that a SYNONYM among its subqueries also holds is left out (counting_part).
Q without_synonym_members(const Q& q) {
    if (!rewrites_through(q.get_type())) return q;
    std::set<std::string> in_synonyms;
    if (q.get_type() == Q::OP_OR)
        for (size_t i = 0; i < q.get_num_subqueries(); ++i) {
            const Q sub = q.get_subquery(i);
            if (sub.get_type() != Q::OP_SYNONYM) continue;
            for (size_t k = 0; k < sub.get_num_subqueries(); ++k)
                if (sub.get_subquery(k).get_type() == Q::LEAF_TERM) in_synonyms.insert(*sub.get_subquery(k).get_terms_begin());
        }
    return rewritten(q, [&](const Q& sub) {
        if (sub.get_type() == Q::LEAF_TERM && in_synonyms.count(*sub.get_terms_begin())) return Q();
        return without_synonym_members(sub);
    });
}

}  // namespace

Xapian::Query matching_part(const Xapian::Query& q) {
    if (q.get_type() == Q::OP_AND_MAYBE) return matching_part(q.get_subquery(0));
    return rewrites_through(q.get_type()) ? rewritten(q, [](const Q& sub) { return matching_part(sub); }) : q;
}

Xapian::Query counting_part(const Xapian::Query& q) { return without_synonym_members(matching_part(q)); }

Xapian::Query without_phrase_boosts(const Xapian::Query& q, bool* removed, Boosts which) {
    if (is_phrase_boost(q, which)) {
        if (removed) *removed = true;
        return without_phrase_boosts(q.get_subquery(0), removed, which);
    }
    if (!rewrites_through(q.get_type()) && q.get_type() != Q::OP_AND_MAYBE) return q;
    return rewritten(q, [&](const Q& sub) { return without_phrase_boosts(sub, removed, which); });
}

std::optional<std::vector<Xapian::Query>> spine_phrase_boosts(const Xapian::Query& q, Boosts which) {
    std::vector<Q> boosts;
    Q at = q;
    for (;;) {
        const Q::op op = at.get_type();
        if (op == Q::OP_AND_MAYBE && at.get_num_subqueries() == 2) {
            const Q right = at.get_subquery(1);
            if (is_phrase_boost(at, which)) boosts.push_back(right);
            else if (has_phrase_boost(right, which)) return std::nullopt;
            at = at.get_subquery(0);
        } else if ((op == Q::OP_FILTER || op == Q::OP_AND_NOT) && at.get_num_subqueries() == 2) {
            if (has_phrase_boost(at.get_subquery(1), which)) return std::nullopt;
            at = at.get_subquery(0);
        } else {
            if (has_phrase_boost(at, which)) return std::nullopt;
            return boosts;
        }
    }
}

namespace {

// A sorted list of document numbers as a posting list. Not serialisable: never sent to a remote shard.
class DocumentList : public Xapian::PostingSource {
  public:
    explicit DocumentList(std::vector<Xapian::docid> docids) : docids_(std::move(docids)) {}
    Xapian::doccount get_termfreq_min() const override { return size(); }
    Xapian::doccount get_termfreq_est() const override { return size(); }
    Xapian::doccount get_termfreq_max() const override { return size(); }
    Xapian::docid get_docid() const override { return docids_[at_]; }
    bool at_end() const override { return at_ >= docids_.size(); }
    void init(const Xapian::Database& db) override {
        // Xapian takes a source's numbers as they come: none past the last document.
        const Xapian::docid last = db.get_lastdocid();
        docids_.erase(std::upper_bound(docids_.begin(), docids_.end(), last), docids_.end());
        at_ = npos;
    }
    void next(double) override { at_ = at_ == npos ? 0 : at_ + 1; }
    void skip_to(Xapian::docid did, double) override {
        const size_t from = at_ == npos ? 0 : at_;
        at_ = static_cast<size_t>(std::lower_bound(docids_.begin() + static_cast<std::ptrdiff_t>(from), docids_.end(), did) - docids_.begin());
    }
    Xapian::PostingSource* clone() const override { return new DocumentList(docids_); }
    std::string get_description() const override { return "DocumentList(" + std::to_string(docids_.size()) + ")"; }

  private:
    static constexpr size_t npos = static_cast<size_t>(-1);
    Xapian::doccount size() const { return static_cast<Xapian::doccount>(docids_.size()); }
    std::vector<Xapian::docid> docids_;
    size_t at_ = npos;
};

// The document numbers in `n` stretches of `width` numbers, one at the start of each of n equal
// shares of 1 .. last. Not serialisable, like DocumentList.
class Windows : public Xapian::PostingSource {
  public:
    Windows(Xapian::docid last, Xapian::docid n, Xapian::docid width)
        : last_(last), n_(n), share_(std::max<Xapian::docid>(1, last / n)), width_(std::min(width, share_)) {}
    Xapian::doccount get_termfreq_min() const override { return covered(); }
    Xapian::doccount get_termfreq_est() const override { return covered(); }
    Xapian::doccount get_termfreq_max() const override { return covered(); }
    Xapian::docid get_docid() const override { return did_; }
    bool at_end() const override { return did_ > end(); }
    void init(const Xapian::Database&) override { did_ = 0; }
    void next(double) override { move_to(did_ + 1); }
    void skip_to(Xapian::docid did, double) override {
        if (did > did_) move_to(did);
    }
    Xapian::PostingSource* clone() const override { return new Windows(last_, n_, width_); }
    std::string get_description() const override { return "Windows(" + std::to_string(n_) + " x " + std::to_string(width_) + ")"; }
    // The numbers the stretches hold.
    Xapian::doccount covered() const { return static_cast<Xapian::doccount>(n_ * width_); }

  private:
    // The last number of the last stretch.
    Xapian::docid end() const { return (n_ - 1) * share_ + width_; }
    // The first number at or after `did` that is in a stretch.
    void move_to(Xapian::docid did) {
        const Xapian::docid share = (did - 1) / share_, in = (did - 1) % share_;
        if (share >= n_) did_ = end() + 1;
        else did_ = in < width_ ? did : (share + 1 < n_ ? (share + 1) * share_ + 1 : end() + 1);
    }
    Xapian::docid last_, n_, share_, width_;
    Xapian::docid did_ = 0;
};

}  // namespace

uint64_t sampled_matches(const Xapian::Database& db, const Xapian::Query& counting, uint64_t estimated, double sample,
                         unsigned windows) {
    const Xapian::docid last = db.get_lastdocid();
    if (last == 0 || windows == 0) return 0;
    const auto n = std::min<Xapian::docid>(windows, last);
    const double share = std::min(1.0, sample / std::max<double>(1.0, static_cast<double>(estimated)));
    const Xapian::docid per = std::max<Xapian::docid>(1, last / n);
    const auto width = std::max<Xapian::docid>(1, static_cast<Xapian::docid>(std::ceil(share * per)));
    auto* w = new Windows(last, n, width);
    const double covered = static_cast<double>(w->covered());
    Xapian::Enquire enquire(db);
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, counting, Xapian::Query(w->release())));
    const uint64_t in = enquire.get_mset(0, 0, db.get_doccount()).get_matches_lower_bound();
    // The stretches start at 1, 1 + per, ...: the numbers after n x per (fewer than n) are not in
    // any share, and are few enough to leave out of the scale.
    return static_cast<uint64_t>(std::llround(static_cast<double>(in) * static_cast<double>(n) * static_cast<double>(per) / covered));
}

uint64_t largest_sufficient_frequency(const Xapian::Query& q, const std::function<uint64_t(const std::string&)>& freq) {
    switch (q.get_type()) {
        case Xapian::Query::LEAF_TERM: return freq(*q.get_terms_begin());
        case Xapian::Query::OP_OR:
        case Xapian::Query::OP_SYNONYM:
        case Xapian::Query::OP_SCALE_WEIGHT: {
            uint64_t most = 0;
            for (size_t i = 0; i < q.get_num_subqueries(); ++i) most = std::max(most, largest_sufficient_frequency(q.get_subquery(i), freq));
            return most;
        }
        default: return 0;
    }
}

std::optional<MatchEstimate> estimate_matches(const Xapian::Query& q, uint64_t doccount,
                                              const std::function<uint64_t(const std::string&)>& freq) {
    if (doccount == 0) return MatchEstimate{};
    const auto n = static_cast<double>(doccount);
    switch (q.get_type()) {
        case Q::LEAF_TERM: {
            const std::string& term = *q.get_terms_begin();
            const uint64_t f = term.empty() ? doccount : std::min(freq(term), doccount);
            return MatchEstimate{static_cast<double>(f), f};
        }
        case Q::LEAF_MATCH_ALL: return MatchEstimate{n, doccount};
        case Q::OP_SCALE_WEIGHT: return estimate_matches(q.get_subquery(0), doccount, freq);
        case Q::OP_OR:
        case Q::OP_SYNONYM:
        case Q::OP_AND:
        case Q::OP_FILTER:
        case Q::OP_AND_NOT: {
            const bool any = q.get_type() == Q::OP_OR || q.get_type() == Q::OP_SYNONYM;
            MatchEstimate out;
            double none = 1, all = 1;  // the share that matches no subquery / every one
            for (size_t i = 0; i < q.get_num_subqueries(); ++i) {
                const std::optional<MatchEstimate> e = estimate_matches(q.get_subquery(i), doccount, freq);
                if (!e) return std::nullopt;
                const double share = e->estimated / n;
                if (any) {
                    none *= 1 - share;
                    out.upper = std::min(doccount, out.upper + e->upper);
                } else if (q.get_type() == Q::OP_AND_NOT && i > 0) {
                    all *= 1 - share;
                } else {
                    all *= share;
                    out.upper = i == 0 ? e->upper : std::min(out.upper, e->upper);
                }
            }
            out.estimated = n * (any ? 1 - none : all);
            return out;
        }
        default: return std::nullopt;
    }
}

Xapian::Query documents(std::vector<Xapian::docid> docids) {
    std::sort(docids.begin(), docids.end());
    docids.erase(std::unique(docids.begin(), docids.end()), docids.end());
    if (docids.empty()) return Xapian::Query();
    return Xapian::Query((new DocumentList(std::move(docids)))->release());
}

Xapian::Query match_all() { return Xapian::Query(std::string()); }

}  // namespace abstrakt
