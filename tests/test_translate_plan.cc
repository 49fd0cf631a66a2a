// Cross-language search through the searcher (searcher/translate_plan.h): a small index of German and
// English papers, and a Translator over a few hand-written lines of the Ding dictionary's format.
#include <doctest/doctest.h>

#include <fstream>

#include "common/result.h"
#include "common/translator.h"
#include "indexer/writer.h"
#include "searcher/engine.h"
#include "searcher/http.h"
#include "searcher/translate_plan.h"
#include "test_util.h"

using namespace abstrakt;

namespace {

// Ding's format (common/ding.h): German :: English, sub-entries aligned by " | ".
const char* kDing =
    "Gewicht {n} | Gewichte {pl} :: weight | weights\n"
    "Modell {n} | Modelle {pl} :: model | models\n"
    "Sprache {f} | Sprachen {pl} :: language | languages\n"
    "Bild {n} | Bilder {pl} :: image | images\n"
    "künstliche Intelligenz {f} /KI/ :: artificial intelligence /AI/\n"
    "Muster {n} :: sample; pattern\n"
    "sprachlich {adj} :: linguistic\n"
    "Codebasis {f} | Codebasen {pl} :: code base | code bases\n"
    "Nachuntersuchung {f} :: follow-up\n";

// d1 and e1 say the same in German and in English; d2 has "Modellgewichte" and nowhere "Modell"
// alone; e2 is English only, about something else.
const std::vector<std::string> kPapers = {
    R"({"id": "d1", "title": {"de": "Sprachmodelle"}, "abstract": {"de": "Sprachmodelle skalieren gut."}, "published": "2024-01-01"})",
    R"({"id": "e1", "title": {"en": "Language models"}, "abstract": {"en": "Language models scale well."}, "published": "2024-01-02"})",
    R"({"id": "d2", "title": {"de": "Offene Modellgewichte"}, "abstract": {"de": "Wir veröffentlichen Modellgewichte."}, "published": "2024-01-03"})",
    R"({"id": "e2", "title": {"en": "Image segmentation"}, "abstract": {"en": "Segmenting images with graphs."}, "published": "2024-01-04"})",
};

// A Translator over a Ding file (written in `dir`) holding `text`.
std::unique_ptr<Translator> ding_translator(test::TempDir& dir, const std::string& text) {
    std::ofstream(dir.file("de-en")) << text;
    Translator::Resources res;
    res.ding_path = dir.file("de-en");
    auto t = Translator::load(res);
    REQUIRE_MESSAGE(t.is_ok(), t.message());
    return std::move(t.value());
}

// What the plan of `query` says it corrected, with typos on, over `vocabulary` in an index of language `stem_lang`.
std::string corrected_by_plan(const std::string& query, const Vocabulary& vocabulary, const std::string& stem_lang,
                              const Translator* translator) {
    Analyzer analyzer;
    QueryContext ctx;
    ctx.stem_langs = {stem_lang};
    ctx.vocabulary = &vocabulary;
    ctx.typos = true;
    ctx.translator = translator;
    auto p = make_plan(query, analyzer, ctx);
    REQUIRE(p.is_ok());
    return p->corrected;
}

struct Fixture {
    test::TempDir dir;
    std::shared_ptr<SharedTranslator> translator;
    std::unique_ptr<Engine> with, without;

    explicit Fixture(const std::vector<std::string>& papers) {
        auto w = IndexWriter::open(dir.file("index"), true);
        REQUIRE(w.is_ok());
        for (const std::string& line : papers) {
            auto r = parse_record(line);
            REQUIRE_MESSAGE(r.is_ok(), r.message());
            REQUIRE(w.value()->upsert(r.value()).is_ok());
        }
        REQUIRE(w.value()->commit().is_ok());
        w.value().reset();
        translator = std::make_shared<SharedTranslator>(std::shared_ptr<const Translator>(ding_translator(dir, kDing)));
        auto a = Engine::open(dir.file("index"), EngineLimits{}, nullptr, translator);
        auto b = Engine::open(dir.file("index"));
        REQUIRE(a.is_ok());
        REQUIRE(b.is_ok());
        with = std::move(a.value());
        without = std::move(b.value());
    }

    static SearchResponse search(Engine& e, const std::string& q, bool translate = true, bool explain = false) {
        SearchRequest r;
        r.query = q;
        r.translate = translate;
        r.explain = explain;
        auto resp = e.search(r);
        REQUIRE_MESSAGE(resp.is_ok(), resp.message());
        return resp.value();
    }
    static std::vector<std::string> ids(const SearchResponse& r) {
        std::vector<std::string> out;
        for (const Hit& h : r.hits) out.push_back(h.id);
        return out;
    }
};

}  // namespace

TEST_CASE("translation: a German query also finds English papers, below the German ones it matches alike") {
    Fixture f(kPapers);
    SearchResponse r = Fixture::search(*f.with, "Sprachmodelle", true, true);
    // d1 has the word as typed, e1 its translation "language models" (compound split into
    // Sprache|Modelle, each part translated): the equal match in the query's language first.
    REQUIRE(Fixture::ids(r) == std::vector<std::string>{"d1", "e1"});
    CHECK(r.hits[0].score > r.hits[1].score);
    // Highlighted in the English title and abstract.
    CHECK(r.hits[1].title_highlighted.html() == "<mark>Language</mark> <mark>models</mark>");
    CHECK(r.hits[1].snippet.html().find("<mark>Language</mark> <mark>models</mark> scale") != std::string::npos);
    // What was searched, for a front end, and the notice.
    REQUIRE(r.translations.size() == 1);
    CHECK(r.translations[0].word == "Sprachmodelle");
    CHECK(r.translations[0].lang == "de");
    CHECK(r.translations[0].to == "en");
    REQUIRE(!r.translations[0].as.empty());
    CHECK(r.translations[0].as[0] == "language models");
    const std::string json = to_json(r);
    CHECK(json.find(R"("translations":[{"word":"Sprachmodelle","lang":"de","to":"en","as":["language models")") != std::string::npos);
    CHECK(std::any_of(r.notices.begin(), r.notices.end(), [](const Notice& n) { return n.code == notice::kTranslated; }));
    // --explain: the plan shows the translation with its weight (translation_weight 0.8 x 1, the
    // dictionary's best sense, / sqrt(2) for its two words); the English hit's terms are scaled by it.
    CHECK(r.plan.find("translation:en language models x0.565685") != std::string::npos);
    REQUIRE(r.hits[1].explain);
    bool scaled = false;
    for (const Explanation::Term& t : r.hits[1].explain->terms) scaled = scaled || (t.factor > 0.5656 && t.factor < 0.5658);
    CHECK(scaled);

    // Without translation the English paper is not found.
    CHECK(Fixture::ids(Fixture::search(*f.with, "Sprachmodelle", false)) == std::vector<std::string>{"d1"});
    // The weight is a ranking parameter: at 0 nothing is added.
    SearchRequest zero;
    zero.query = "Sprachmodelle";
    auto params = std::make_shared<RankingParams>();
    REQUIRE(params->set("translations_per_word", "0").is_ok());
    zero.ranking = params;
    CHECK(Fixture::ids(f.with->search(zero).value()) == std::vector<std::string>{"d1"});
}

TEST_CASE("translation: a compound part finds the compound through the dictionary's nouns") {
    Fixture f(kPapers);
    // "Modell" never stands alone in the index: the index's own vocabulary cannot split
    // "Modellgewichte"; the dictionary's nouns can.
    CHECK(Fixture::ids(Fixture::search(*f.with, "Gewichte", false)).empty());
    std::vector<std::string> got = Fixture::ids(Fixture::search(*f.with, "Gewichte"));
    REQUIRE(!got.empty());
    CHECK(got[0] == "d2");
}

TEST_CASE("translation: translate=0 ranks exactly as an engine without a translator") {
    Fixture f(kPapers);
    for (const char* q : {"Sprachmodelle", "Gewichte", "language models", "Bilder segmentation", "models -Sprachmodelle"}) {
        CAPTURE(q);
        SearchResponse a = Fixture::search(*f.with, q, false), b = Fixture::search(*f.without, q);
        REQUIRE(Fixture::ids(a) == Fixture::ids(b));
        for (size_t i = 0; i < a.hits.size(); ++i) CHECK(a.hits[i].score == b.hits[i].score);
        CHECK(a.translations.empty());
    }
}

TEST_CASE("translation: only where it can help") {
    // Every paper has English: an English query is searched as typed, and so is a name.
    Fixture english({kPapers[1], kPapers[3]});
    for (const char* q : {"language models", "Transformer segmentation"}) {
        CAPTURE(q);
        SearchResponse r = Fixture::search(*english.with, q, true, true);
        CHECK(r.translations.empty());
        CHECK(r.plan.find("translation") == std::string::npos);
    }
    // A German word over the same papers: translated.
    SearchResponse de = Fixture::search(*english.with, "Bilder");
    REQUIRE(de.translations.size() == 1);
    CHECK(de.translations[0].as[0] == "images");
    CHECK(Fixture::ids(de) == std::vector<std::string>{"e2"});
    // query_lang: a bad code is refused.
    SearchRequest bad;
    bad.query = "Bilder";
    bad.query_lang = "xx-not-a-language";
    CHECK(english.with->search(bad).status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("translation: the HTTP parameters query_lang and translate") {
    auto r = http::parse_search_params({{"q", "Sprachmodelle"}, {"query_lang", "de"}, {"translate", "0"}});
    REQUIRE_MESSAGE(r.is_ok(), r.message());
    CHECK(r->query_lang == "de");
    CHECK_FALSE(r->translate);
    CHECK(http::parse_search_params({{"q", "x"}}).value().translate);  // on by default
    CHECK(http::parse_search_params({{"q", "x"}, {"translate", "true"}}).value().translate);
    CHECK(http::parse_search_params({{"q", "x"}, {"translate", "maybe"}}).status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("translation: a paper with both titles shows the one in the query's language") {
    // b1's original title is English; its German title has the query's word itself. The translation's
    // match counts as one query word of its own, below the word as typed, so the German title is shown
    // (with the translations in the word's own group, the English title won: "language" and "models"
    // as typed outweighed "Sprachmodelle" by stem).
    std::vector<std::string> papers = kPapers;
    papers.push_back(R"({"id": "b1", "title": {"en": "Small language models", "de": "Kleine Sprachmodelle"}, "published": "2024-02-01"})");
    Fixture f(papers);
    SearchResponse r = Fixture::search(*f.with, "Sprachmodell");
    const auto it = std::find_if(r.hits.begin(), r.hits.end(), [](const Hit& h) { return h.id == "b1"; });
    REQUIRE(it != r.hits.end());
    CHECK(it->title_lang == "de");
    CHECK(it->title == "Kleine Sprachmodelle");
}

TEST_CASE("translation: a word that was translated is no typo") {
    // A vocabulary where "bilder" is unknown and "builder" (one edit away) is in many papers: without a
    // Translator "bilder" is corrected; with one whose dictionary has "Bilder" (German), it is
    // translated, and not corrected.
    // Every paper has English, none German: "Bilder" is translated where it can help. "Zimag", the
    // English stem of "image(s)", needs some papers for the translation's prior.
    struct Table : Vocabulary {
        uint64_t documents() const override { return 10; }
        uint64_t papers_in(const std::string& lang) const override { return lang == "en" ? 10 : 0; }
        uint64_t frequency(const std::string& term) const override { return term == "builder" ? 100 : term == "Zimag" ? 5 : 0; }
        std::vector<std::string> completions(const std::string&, size_t) const override { return {}; }
        std::string correction(const std::string& word, unsigned) const override { return word == "bilder" ? "builder" : ""; }
    } table;
    test::TempDir dir;
    const auto tr = ding_translator(dir, kDing);
    CHECK(corrected_by_plan("Bilder ", table, "en", nullptr) == "builder ");
    CHECK(corrected_by_plan("Bilder ", table, "en", tr.get()) == "");
}

TEST_CASE("translation: a German query over English papers: function words left out, loanwords, abbreviations, one tier") {
    // English papers only. v1 has "der" ("van der Waals"), k1 "Ki" (Ki-67), a1 "autoencoder".
    Fixture f({
        R"({"id": "m1", "title": {"en": "Open model weights"}, "abstract": {"en": "We release model weights."}, "published": "2024-01-01"})",
        R"({"id": "v1", "title": {"en": "Van der Waals forces"}, "abstract": {"en": "Van der Waals forces between molecules."}, "published": "2024-01-02"})",
        R"({"id": "a1", "title": {"en": "Autoencoder training"}, "abstract": {"en": "An autoencoder and its weights."}, "published": "2024-01-03"})",
        R"({"id": "k1", "title": {"en": "Ki-67 staining"}, "abstract": {"en": "Ki-67 staining of tissue."}, "published": "2024-01-04"})",
        R"({"id": "i1", "title": {"en": "AI for images"}, "abstract": {"en": "AI segments images."}, "published": "2024-01-05"})",
    });
    // "der" is not translated: searched as typed it would find the rare English name (and in the
    // all-words tier every paper would need it). Left out, as a stop word.
    SearchResponse r = Fixture::search(*f.with, "Gewichte der Modelle", true, true);
    CHECK(r.plan.find("word \"der\"") != std::string::npos);
    CHECK(r.plan.find("stop(left out)") != std::string::npos);
    std::vector<std::string> got = Fixture::ids(r);
    REQUIRE(!got.empty());
    CHECK(got[0] == "m1");
    CHECK(std::find(got.begin(), got.end(), "v1") == got.end());
    // Without translation the German query is searched as typed: "der" finds v1.
    CHECK(Fixture::ids(Fixture::search(*f.with, "Gewichte der Modelle", false)) == std::vector<std::string>{"v1"});
    // One tier of papers with some words: a1 has "weights" but not "models", and is listed.
    CHECK(r.plan.find("plan: one tier (papers with some words: translated)") != std::string::npos);
    CHECK(std::find(got.begin(), got.end(), "a1") != got.end());
    CHECK(std::none_of(r.notices.begin(), r.notices.end(), [](const Notice& n) { return n.code == notice::kSomeWords; }));

    // An English word with a German ending, which no dictionary has, is searched as the index's word.
    SearchResponse ae = Fixture::search(*f.with, "Autoencodern Gewichte");
    REQUIRE(!ae.hits.empty());
    CHECK(ae.hits[0].id == "a1");
    bool listed = false;
    for (const QueryTranslation& t : ae.translations) listed = listed || (t.word == "Autoencodern" && t.as == std::vector<std::string>{"autoencoder"});
    CHECK(listed);
    // Only in a German query: "autoencoders" alone is an English query, left as it is.
    CHECK(Fixture::search(*f.with, "autoencoders").translations.empty());

    // An abbreviation typed in capitals is the dictionary's ("KI" -> "AI", from Ding's /KI/ ::
    // /AI/), although the index has "ki" (Ki-67); in lower case it stays the index's word.
    SearchResponse ki = Fixture::search(*f.with, "KI Bilder");
    REQUIRE(!ki.hits.empty());
    CHECK(ki.hits[0].id == "i1");
    SearchResponse lower = Fixture::search(*f.with, "ki Bilder", true, true);
    CHECK(lower.plan.find("translation:en ai") == std::string::npos);
}

TEST_CASE("translation: a German word's senses are weighed by the other words of the query") {
    // Ding ranks "sample" over "pattern" for "Muster" (1 against 1 / 1.5); both are as common in the
    // index, but only "pattern" occurs with "linguistic", the other word's translation.
    Fixture f({
        R"({"id": "p1", "title": {"en": "Linguistic patterns in social media"}, "published": "2024-01-01"})",
        R"({"id": "p2", "title": {"en": "Patterns of traffic"}, "published": "2024-01-02"})",
        R"({"id": "s1", "title": {"en": "Sample efficiency of agents"}, "published": "2024-01-03"})",
        R"({"id": "s2", "title": {"en": "Samples and benchmarks"}, "published": "2024-01-04"})",
        R"({"id": "l1", "title": {"en": "Linguistic diversity"}, "published": "2024-01-05"})",
    });
    auto senses = [&](const std::string& q) {
        for (const QueryTranslation& t : Fixture::search(*f.with, q).translations)
            if (t.word == "Muster") return t.as;
        return std::vector<std::string>{};
    };
    // Alone, the dictionary's order; beside "sprachliche", the sense that goes with it first.
    CHECK(senses("Muster") == std::vector<std::string>{"sample", "pattern"});
    CHECK(senses("sprachliche Muster") == std::vector<std::string>{"pattern", "sample"});
    CHECK(Fixture::ids(Fixture::search(*f.with, "sprachliche Muster"))[0] == "p1");
}

TEST_CASE("translation: a word of the dictionary as written is no typo, unless two adjacent letters of its correction are swapped") {
    // A German index (nothing to translate into): "kamera" and "langauge" are words of this dictionary
    // (Ding has "Langauge", an oval eye); "retreival" is not. Each is unknown, and its correction (one
    // or two edits away) is in 100 papers.
    struct Table : Vocabulary {
        uint64_t documents() const override { return 10; }
        uint64_t papers_in(const std::string& lang) const override { return lang == "de" ? 10 : 0; }
        uint64_t frequency(const std::string& term) const override {
            return term == "kammer" || term == "language" || term == "retrieval" ? 100 : 0;
        }
        std::vector<std::string> completions(const std::string&, size_t) const override { return {}; }
        std::string correction(const std::string& word, unsigned) const override {
            return word == "kamera" ? "kammer" : word == "langauge" ? "language" : word == "retreival" ? "retrieval" : "";
        }
    } table;
    test::TempDir dir;
    const auto tr = ding_translator(dir, "Kamera {f} | Kameras {pl} :: camera | cameras\n"
                                         "Langauge {n} :: oval eye\n");
    CHECK(tr->dictionary_word("kamera"));
    CHECK(tr->dictionary_word("camera"));  // the English side too
    CHECK(tr->dictionary_word("langauge"));
    CHECK_FALSE(tr->dictionary_word("retreival"));
    CHECK(corrected_by_plan("Kamera ", table, "de", nullptr) == "kammer ");
    CHECK(corrected_by_plan("Kamera ", table, "de", tr.get()) == "");
    CHECK(corrected_by_plan("langauge ", table, "de", tr.get()) == "language ");
    CHECK(corrected_by_plan("retreival ", table, "de", tr.get()) == "retrieval ");
}

TEST_CASE("translation: a two-word translation also as one word, where the papers usually write it so") {
    Fixture f({
        R"({"id": "c1", "title": {"en": "Summarising large codebases"}, "published": "2024-01-01"})",
        R"({"id": "c2", "title": {"en": "Code reviews based on diffs"}, "published": "2024-01-02"})",
        R"({"id": "h1", "title": {"en": "A follow-up study of patients"}, "published": "2024-01-03"})",
        R"({"id": "e1", "title": {"en": "Language models scale"}, "published": "2024-01-04"})",
        R"({"id": "s1", "title": {"en": "The LanguageModels toolkit"}, "published": "2024-01-05"})",
    });
    auto as = [&](const std::string& q) {
        for (const QueryTranslation& t : Fixture::search(*f.with, q).translations) return t.as;
        return std::vector<std::string>{};
    };
    // The dictionary's "code bases": c1 writes it closed (1 paper), none as the phrase (c2 has both
    // words apart): searched as "codebases" too, weighing a one-word translation, 0.8 x 1.
    CHECK(as("Codebasen") == std::vector<std::string>{"code bases", "codebases"});
    SearchResponse r = Fixture::search(*f.with, "Codebasen", true, true);
    CHECK(r.plan.find("translation:en codebases x0.8 ") != std::string::npos);
    // c1 found (the open form alone would not find it; c2 has both words of it).
    const std::vector<std::string> got = Fixture::ids(r);
    CHECK(std::find(got.begin(), got.end(), "c1") != got.end());
    // "follow-up" is in the index as "followup" and as "follow up" (h1, hyphenated): one paper
    // each, the open form finds it already; not searched closed.
    const std::vector<std::string> fu = as("Nachuntersuchung");
    CHECK(fu == std::vector<std::string>{"follow-up"});
    // "languagemodels" (s1, 1 paper) against "language models" as a phrase (e1, 1 paper): not the
    // papers' usual spelling.
    const std::vector<std::string> lm = as("Sprachmodelle");
    REQUIRE(!lm.empty());
    CHECK(lm[0] == "language models");
    CHECK(std::find(lm.begin(), lm.end(), "languagemodels") == lm.end());
}
