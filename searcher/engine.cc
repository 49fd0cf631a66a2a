#include "searcher/engine.h"

#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "common/analysis.h"
#include "common/lang.h"
#include "common/record.h"
#include "common/schema.h"
#include "common/xapian_guard.h"
#include "searcher/snippet.h"

namespace abstrakt {

std::optional<SortOrder> parse_sort(std::string_view name) {
    if (name == "relevance") return SortOrder::kRelevance;
    if (name == "date") return SortOrder::kDate;
    if (name == "upvotes") return SortOrder::kUpvotes;
    return std::nullopt;
}

namespace {

// BM25 with the usual k1 = 1.2 and b = 0.75; k2 = 0 and k3 = 1 are Xapian's defaults, min_normlen
// 0.5 keeps very short documents from being over-rewarded.
Xapian::BM25Weight weighting() { return Xapian::BM25Weight(1.2, 0, 1, 0.75, 0.5); }

// Totals are counted exactly up to this many matches, and estimated beyond.
constexpr uint64_t kCountTo = 1000;

struct Page {
    Xapian::MSet mset;
    uint64_t lower = 0, estimated = 0, upper = 0;
};

}  // namespace

struct Engine::Impl {
    std::string path;
    EngineLimits limits;
    Xapian::Database db;
    Analyzer analyzer;

    // The one place where a search meets a database that a writer changed under it: reopen at the
    // newest revision and run again from the start.
    template <class F>
    auto with_retry(F&& f) -> decltype(f()) {
        return guarded(path, [&]() -> decltype(f()) {
            for (int attempt = 1;; ++attempt) {
                try {
                    return f();
                } catch (const Xapian::DatabaseModifiedError&) {
                    if (attempt == 3)
                        return Status(ErrorCode::kUnavailable, "the index changed three times during one search; try again");
                    db.reopen();
                }
            }
        });
    }

    std::vector<std::string> index_languages() {
        std::vector<std::string> out;
        const std::string p = schema::kPrefixLang;
        for (auto t = db.allterms_begin(p); t != db.allterms_end(p); ++t) out.push_back((*t).substr(p.size()));
        return out;
    }

    // Runs `q` for one page. Counting goes on to at least `count_to` matches (and always to the end of
    // the page), so that totals up to there are exact.
    Page run(const Xapian::Query& q, const SearchRequest& r, uint64_t offset, uint64_t limit, bool by_relevance,
             uint64_t count_to = 0) {
        Xapian::Enquire enquire(db);
        enquire.set_weighting_scheme(weighting());
        enquire.set_query(q);
        if (r.sort == SortOrder::kUpvotes)
            enquire.set_sort_by_value_then_relevance(schema::kSlotUpvotes, true);
        else if (r.sort == SortOrder::kDate || !by_relevance)
            enquire.set_sort_by_value_then_relevance(schema::kSlotDate, true);
        Page p;
        p.mset = enquire.get_mset(static_cast<Xapian::doccount>(offset), static_cast<Xapian::doccount>(limit),
                                  static_cast<Xapian::doccount>(std::max(offset + limit, count_to)));
        p.lower = p.mset.get_matches_lower_bound();
        p.estimated = p.mset.get_matches_estimated();
        p.upper = p.mset.get_matches_upper_bound();
        return p;
    }

    Hit make_hit(const Xapian::MSetIterator& it, const Record& rec, const MatchTerms& match, const std::string& want_lang) {
        Hit h;
        h.id = rec.id;
        h.authors = rec.authors;
        h.published = rec.published;
        h.categories = rec.categories;
        h.upvotes = rec.upvotes;
        h.comments = rec.comments;
        h.url = rec.url;
        h.score = it.get_weight();

        // The title shown is the one that matches the query best (the query's language, in effect),
        // the snippet comes from the abstract that matches best; ties go to the title's language,
        // then to the record's order (the original first). A requested language wins when present.
        // Each text is analysed once, for its score and, for the chosen abstract, its snippet.
        auto pick = [&](const std::vector<LangText>& field, const std::string& prefer,
                        std::optional<MatchedText>& chosen) -> const LangText* {
            const LangText* best = nullptr;
            int best_score = -1;
            auto consider = [&](const LangText& t) {
                MatchedText m(analyzer, t.text, lang::primary(t.lang), match);
                int score = m.score();
                if (score > best_score) {
                    best_score = score;
                    best = &t;
                    chosen = std::move(m);
                }
            };
            if (field.empty()) return nullptr;
            const LangText* first = want_lang.empty() ? nullptr : Record::find(field, want_lang);
            if (first) {  // a requested language wins outright
                consider(*first);
                return best;
            }
            if (const LangText* p = Record::find(field, prefer)) consider(*p);
            for (const LangText& t : field)
                if (&t != best) consider(t);
            return best;
        };
        std::optional<MatchedText> analysed_title, analysed_abstract;
        const LangText* title = pick(rec.title, rec.title.front().lang, analysed_title);
        h.title = title->text;
        h.title_lang = title->lang;
        if (const LangText* abstract = pick(rec.abstract, lang::primary(title->lang), analysed_abstract)) {
            h.snippet = analysed_abstract->snippet();
            h.snippet_lang = abstract->lang;
        }
        return h;
    }

    Result<SearchResponse> search(const SearchRequest& r) {
        auto started = std::chrono::steady_clock::now();
        std::string want_lang;
        if (!r.lang.empty()) {
            auto tag = lang::canonical_tag(r.lang);
            if (!tag) return Status(ErrorCode::kInvalidArgument, "\"" + r.lang + "\" is not a known language code (such as en, de, zh)");
            want_lang = lang::primary(*tag);
        }
        if (r.limit > limits.max_limit)
            return Status(ErrorCode::kInvalidArgument, "limit " + std::to_string(r.limit) + " is above the maximum of " + std::to_string(limits.max_limit));
        if (r.offset > limits.max_offset)
            return Status(ErrorCode::kInvalidArgument, "offset " + std::to_string(r.offset) + " is above the maximum of " + std::to_string(limits.max_offset));

        return with_retry([&]() -> Result<SearchResponse> {
            db.reopen();
            QueryContext ctx;
            ctx.stem_langs = want_lang.empty() ? index_languages() : std::vector<std::string>{want_lang};
            Result<ParsedQuery> parsed = parse_query(r.query, analyzer, ctx, limits.query);
            if (!parsed.is_ok()) return parsed.status();
            ParsedQuery& pq = parsed.value();
            SearchResponse resp;
            resp.query = r.query;
            resp.offset = r.offset;
            resp.limit = r.limit;
            resp.notices = pq.notices;
            Xapian::Query strict = pq.strict, loose = pq.loose;
            if (!want_lang.empty()) {
                Xapian::Query only(schema::kPrefixLang + want_lang);
                strict = Xapian::Query(Xapian::Query::OP_FILTER, strict, only);
                loose = Xapian::Query(Xapian::Query::OP_FILTER, loose, only);
            }

            const bool by_relevance = pq.has_text;
            std::vector<Xapian::MSet> msets;
            Page first = run(strict, r, r.offset, r.limit, by_relevance, kCountTo);
            resp.total = first.estimated;
            resp.total_is_exact = first.lower == first.upper;
            msets.push_back(first.mset);
            if (pq.tiered && pq.has_text) {
                const bool strict_exhausted = first.mset.size() < r.limit;
                if (r.sort == SortOrder::kRelevance && strict_exhausted) {
                    // Papers with every word are all listed: fill the page with papers that have some.
                    // The first run checked offset + limit documents, so its count is exact here.
                    uint64_t t1 = first.lower;
                    uint64_t rest_offset = r.offset > t1 ? r.offset - t1 : 0;
                    Page rest = run(Xapian::Query(Xapian::Query::OP_AND_NOT, loose, strict), r, rest_offset,
                                    r.limit - first.mset.size(), by_relevance, kCountTo);
                    resp.total = t1 + rest.estimated;
                    resp.total_is_exact = resp.total_is_exact && rest.lower == rest.upper;
                    msets.push_back(rest.mset);
                    if (t1 == 0 && rest.estimated > 0)
                        resp.notices.push_back("no paper matches every word; showing papers that match some");
                } else if (r.sort == SortOrder::kRelevance) {
                    // The page is full of papers with every word; count those with some.
                    Page all = run(loose, r, 0, 0, by_relevance, kCountTo);
                    resp.total = std::max(first.estimated, all.estimated);
                    resp.total_is_exact = all.lower == all.upper;
                } else if (first.estimated == 0) {
                    Page some = run(loose, r, r.offset, r.limit, by_relevance, kCountTo);
                    msets.back() = some.mset;
                    resp.total = some.estimated;
                    resp.total_is_exact = some.lower == some.upper;
                    if (some.estimated > 0)
                        resp.notices.push_back("no paper matches every word; showing papers that match some");
                }
            }
            for (const Xapian::MSet& m : msets) {
                for (auto it = m.begin(); it != m.end(); ++it) {
                    Result<Record> rec = from_json(it.get_document().get_data());
                    if (!rec.is_ok()) {
                        resp.notices.push_back("a stored record could not be read (" + rec.message() + "); rebuild the index");
                        continue;
                    }
                    resp.hits.push_back(make_hit(it, rec.value(), pq.match, want_lang));
                }
            }
            resp.took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
            return resp;
        });
    }
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::open(const std::string& path, EngineLimits limits) {
    return guarded(path, [&]() -> Result<std::unique_ptr<Engine>> {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec))
            return Status(ErrorCode::kNotFound, "no index at " + path + " (create one with: abstrakt-index --db " + path + " add FILE)");
        auto impl = std::make_unique<Impl>();
        impl->path = path;
        impl->limits = limits;
        impl->db = Xapian::Database(path);
        std::string version = impl->db.get_metadata(schema::kMetaSchemaVersion);
        if (version != std::to_string(schema::kVersion))
            return Status(ErrorCode::kUnavailable, "index " + path + " has schema version " + (version.empty() ? "?" : version) +
                                                       ", this program reads " + std::to_string(schema::kVersion) + ": rebuild it");
        return std::unique_ptr<Engine>(new Engine(std::move(impl)));
    });
}

Result<SearchResponse> Engine::search(const SearchRequest& request) { return impl_->search(request); }

Result<SearchResponse> Engine::similar(const std::string&, uint64_t, uint64_t) {
    return Status(ErrorCode::kInternal, "not implemented yet");
}
Result<std::vector<std::string>> Engine::suggest(std::string_view, size_t) {
    return Status(ErrorCode::kInternal, "not implemented yet");
}
Result<Record> Engine::paper(const std::string&) { return Status(ErrorCode::kInternal, "not implemented yet"); }
Result<Engine::Info> Engine::info() { return Status(ErrorCode::kInternal, "not implemented yet"); }

}  // namespace abstrakt
