#include "eval/xlang.h"

#include <xapian.h>

#include <chrono>
#include <cmath>

#include "common/analysis.h"
#include "common/lang.h"
#include "common/schema.h"
#include "common/xapian_guard.h"

namespace abstrakt::eval {

namespace {

Xapian::Query target_query(const Translation& t, const std::string& to) {
    std::vector<Xapian::Query> parts;
    for (size_t i = 0; i < t.words.size(); ++i)
        parts.emplace_back(lang::stemmer_name(to)[0] ? std::string(schema::kPrefixStem) + t.stems[i] : t.words[i]);
    return parts.size() == 1 ? parts[0] : Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
}

}  // namespace

Result<XlangResult> run_xlang(const XlangOptions& o) {
    Result<BeirData> loaded = load_beir(o.base.dir, o.base.split, o.base.report);
    if (!loaded.is_ok()) return loaded.status();
    const BeirData& data = loaded.value();
    if (data.corpus.empty()) return Status(ErrorCode::kInvalidArgument, o.base.dir + "/corpus.jsonl has no documents");
    const std::string lang_tag = o.base.lang.empty() ? detect_corpus_lang(data.corpus) : *lang::canonical_tag(o.base.lang);
    const std::string to = lang::primary(lang_tag);
    Result<std::string> path = cached_abstrakt_index(o.base, data, lang_tag);
    if (!path.is_ok()) return path.status();

    return guarded(path.value(), [&]() -> Result<XlangResult> {
        XlangResult r;
        Xapian::Database db(path.value());
        r.documents = db.get_doccount();
        Xapian::Enquire enquire(db);
        Analyzer analyzer;
        std::unordered_map<std::string, const BeirQuery*> by_id;
        for (const BeirQuery& q : data.queries) by_id.emplace(q.id, &q);
        const auto started = std::chrono::steady_clock::now();
        std::vector<Token> tokens;
        // A sense weighs by how many papers have all of its words: log(1 + df) / log(1 + N), the
        // rarest word's df standing for a phrase's.
        const double log_n = std::log(1.0 + static_cast<double>(db.get_doccount()));
        TargetPrior prior;
        if (o.prior)
            prior = [&](const Translation& t) {
                Xapian::doccount df = db.get_doccount();
                for (size_t i = 0; i < t.words.size(); ++i) {
                    const std::string term = lang::stemmer_name(to)[0] ? std::string(schema::kPrefixStem) + t.stems[i] : t.words[i];
                    df = std::min(df, db.get_termfreq(term));
                }
                return std::log(1.0 + static_cast<double>(df)) / log_n;
            };
        for (const std::string& qid : data.qrels_order) {
            const Judgements& judged = data.qrels.at(qid);
            auto it = by_id.find(qid);
            if (!has_relevant(judged) || it == by_id.end()) continue;
            tokens.clear();
            const std::string text = plain_words(it->second->text);
            analyzer.analyze(text, tokens);
            std::vector<Xapian::Query> own, translated;
            for (const Token& t : tokens) {
                if (t.joined) continue;
                std::vector<Xapian::Query> forms{Xapian::Query(t.folded)};
                const std::string s = analyzer.stem(to, t);
                if (!s.empty()) forms.emplace_back(std::string(schema::kPrefixStem) + s);
                own.emplace_back(Xapian::Query::OP_OR, forms.begin(), forms.end());
            }
            if (o.translator) {
                const auto spans = o.translator->translate_query(tokens, to, o.top_k, analyzer, o.query_lang, prior, text);
                if (o.explain) o.explain(qid, it->second->text, spans);
                for (const SpanTranslation& span : spans) {
                    ++r.translated;
                    double sum = 0, max = 0;
                    for (const Translation& t : span.as) {
                        sum += t.weight;
                        max = std::max(max, t.weight);
                    }
                    const double scale = o.norm == XlangOptions::Norm::kSum ? 1 / sum : o.norm == XlangOptions::Norm::kMax ? 1 / max : 1;
                    std::vector<Xapian::Query> alts;
                    for (const Translation& t : span.as)
                        alts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, target_query(t, to), t.weight * scale);
                    translated.emplace_back(Xapian::Query::OP_OR, alts.begin(), alts.end());
                }
            }
            Xapian::Query q(Xapian::Query::OP_OR, own.begin(), own.end());
            if (!translated.empty())
                q = Xapian::Query(Xapian::Query::OP_OR, q,
                                  Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT,
                                                Xapian::Query(Xapian::Query::OP_OR, translated.begin(), translated.end()), o.alpha));
            enquire.set_query(q);
            Xapian::MSet m = enquire.get_mset(0, kDepth);
            Ranking ranking;
            for (auto h = m.begin(); h != m.end(); ++h) ranking.push_back(h.get_document().get_value(schema::kSlotId));
            r.query_ids.push_back(qid);
            r.rr10.push_back(reciprocal_rank_at(ranking, judged, 10));
            r.ndcg10.push_back(ndcg_at(ranking, judged, 10));
            r.recall100.push_back(recall_at(ranking, judged, 100));
        }
        r.query_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (r.query_ids.empty())
            return Status(ErrorCode::kInvalidArgument, "no query of split " + o.base.split + " has a relevant document and text");
        return r;
    });
}

}  // namespace abstrakt::eval
