// German compounds: the splitter (common/compound.h) on a small hand-written vocabulary, its query
// side (searcher/plan.cc, builder.cc) and highlighting (searcher/snippet.cc), and searches over the seed listing.
#include "common/compound.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "common/record.h"
#include "common/schema.h"
#include "indexer/export.h"
#include "indexer/ingest.h"
#include "indexer/writer.h"
#include "searcher/engine.h"
#include "tests/query_util.h"
#include "searcher/snippet.h"
#include "test_util.h"

using namespace abstrakt;

namespace {

// Folded words and their document frequencies, made up for the rules below.
const CompoundSplitter::Vocabulary kVocabulary = {
    {"sprache", 5}, {"modelle", 10}, {"modell", 12}, {"sprachmodelle", 3}, {"diffusion", 4},
    {"diffusionsmodelle", 2}, {"video", 6}, {"videos", 6}, {"beschriftung", 4}, {"lehrer", 1},
    {"lehrermodelle", 1}, {"gewichte", 2}, {"modellgewichte", 1}, {"grosse", 2}, {"grossenmodelle", 1},
    {"strasse", 2}, {"bahn", 3}, {"sonne", 2}, {"schein", 2}, {"bund", 2}, {"land", 5}, {"frau", 2},
    {"bild", 5}, {"training", 9}, {"daten", 20}, {"satz", 4}, {"datensatz", 6}, {"grenze", 2},
    {"satzgrenze", 1}, {"text", 4}, {"bildern", 1}, {"textbildern", 3},
    // Pieces of the words that must not split.
    {"hard", 1}, {"ware", 1}, {"hardware", 6}, {"uber", 20}, {"trifft", 2}, {"ubertrifft", 5},
    {"vorher", 3}, {"sage", 1}, {"vorhersage", 8}, {"andere", 9}, {"ungen", 1}, {"anderungen", 2},
    {"bewert", 1}, {"bewertungen", 3}, {"ierung", 1}, {"ein", 50}, {"blick", 2}, {"ring", 2},
    {"nothing", 0}};

std::string show(const std::vector<CompoundPart>& parts) {
    std::string out;
    for (const CompoundPart& p : parts)
        out += (out.empty() ? "" : " ") + p.word + "[" + std::to_string(p.begin) + "," + std::to_string(p.end) + ")";
    return out;
}

}  // namespace

TEST_CASE("compound: splits, table") {
    CompoundSplitter splitter(kVocabulary);
    struct Row {
        std::string word;
        std::string parts;  // vocabulary word [begin, end) in the folded word, or "" for no split
        std::string why;
    };
    // Offsets counted by hand, letter by letter ("sprach" is 6 bytes, "modelle" 7).
    const Row rows[] = {
        {"sprachmodelle", "sprache[0,6) modelle[6,13)", "a part without its final e"},
        {"diffusionsmodelle", "diffusion[0,9) modelle[10,17)", "the linking element -s-"},
        {"videobeschriftung", "video[0,5) beschriftung[5,17)", "a compound the vocabulary has"},
        {"lehrermodelle", "lehrer[0,6) modelle[6,13)", "no linking element"},
        {"modellgewichte", "modell[0,6) gewichte[6,14)", "the modifier is the query's word"},
        {"grossenmodelle", "grosse[0,6) modelle[7,14)", "-n- after a folded ß (Größenmodelle)"},
        {"strassenbahn", "strasse[0,7) bahn[8,12)", "-n-, not strass(e) + -en-: fewer linking letters"},
        {"sonnenschein", "sonne[0,5) schein[6,12)", "-n- again, where the vocabulary has not the compound"},
        {"bundesland", "bund[0,4) land[6,10)", "the linking element -es-"},
        {"frauenbild", "frau[0,4) bild[6,10)", "the linking element -en-"},
        {"trainingsdatensatz", "training[0,8) datensatz[9,18)", "fewest parts: not training|daten|satz"},
        {"datensatzgrenze", "daten[0,5) satzgrenze[5,15)", "two parts each way: the longest last part wins"},
        {"sprachmodellen", "sprache[0,6) modellen[6,14)", "the last part inflected: modellen is no vocabulary word, its stem is"},
        {"textbildern", "text[0,4) bildern[4,11)",
         "regression: 3 papers against text 4 and bildern 1 was kept whole; bildern counts as bild (5)"},
        {"Sprachmodelle", "", "not folded: no vocabulary word matches"},
        {"modelle", "", "seven letters: shorter than two parts of four"},
        {"hardware", "", "more frequent (6) than its parts (1 and 1): a word of its own"},
        {"ubertrifft", "", "über is a function word, not a part (übertrifft)"},
        {"vorhersage", "", "vorher is a function word: no Sage in a Vorhersage"},
        {"anderungen", "", "andere(e) + -ungen: an ending is never a part (Änderungen)"},
        {"bewertungen", "", "bewert + -ungen, likewise"},
        {"modellierung", "", "modell + -ierung, likewise"},
        {"einblick", "", "ein has three letters: too short to be a part"},
        {"videobeschriftungxyz", "", "a piece that is no vocabulary word"},
        {"ringsprache", "ring[0,4) sprache[4,11)", "four letters are enough (regression guard for the minimum)"},
        {"", "", "empty"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.word);
        CAPTURE(r.why);
        CHECK(show(splitter.split(r.word)) == r.parts);
    }
    CHECK(CompoundSplitter().empty());
    CHECK(CompoundSplitter().split("sprachmodelle").empty());
    CHECK(!splitter.empty());
}

TEST_CASE("compound: compounds with a part, table") {
    CompoundSplitter splitter(kVocabulary);
    struct Row {
        std::string word;
        size_t limit;
        std::vector<std::string> expected;  // compound[begin,end), the most frequent first, then alphabetical
        std::string why;
    };
    const Row rows[] = {
        {"modell", 50,
         {"sprachmodelle[6,13)", "diffusionsmodelle[10,17)", "grossenmodelle[7,14)", "lehrermodelle[6,13)",
          "modellgewichte[0,6)"},
         "by the German stem: modelle and modell are both modell"},
        {"modelle", 50,
         {"sprachmodelle[6,13)", "diffusionsmodelle[10,17)", "grossenmodelle[7,14)", "lehrermodelle[6,13)",
          "modellgewichte[0,6)"},
         "the plural alike"},
        {"modell", 2, {"sprachmodelle[6,13)", "diffusionsmodelle[10,17)"}, "bounded, the most frequent first"},
        {"sprache", 50, {"sprachmodelle[0,6)"}, "the part as written (sprach), the word's stem"},
        {"bild", 50, {"textbildern[4,11)"}, "by stem (bildern); frauenbild was only a query word above"},
        {"satz", 50, {"datensatz[5,9)", "satzgrenze[0,4)"}, "head and modifier"},
        {"ware", 50, {}, "hardware does not split"},
        {"uber", 50, {}, "a function word is part of nothing"},
        {"ungen", 50, {}, "nor is an ending"},
        {"mod", 50, {}, "shorter than a part"},
        {"ring", 50, {}, "ringsprache was a query word, not a vocabulary word"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.word);
        CAPTURE(r.why);
        std::string got, expected;
        for (const CompoundMatch& c : splitter.compounds_with_part(r.word, r.limit))
            got += c.compound + "[" + std::to_string(c.begin) + "," + std::to_string(c.end) + ") ";
        for (const std::string& e : r.expected) expected += e + " ";
        CHECK(got == expected);
    }
    // Inflected forms the vocabulary has, for the parts of a split query word.
    CHECK(splitter.inflections("video") == std::vector<std::string>{"videos"});
    CHECK(splitter.inflections("modell") == std::vector<std::string>{"modelle"});
    CHECK(splitter.inflections("bild") == std::vector<std::string>{"bildern"});
    CHECK(splitter.inflections("beschriftung").empty());
}

namespace {

const std::string kSeed = "/seed/chatpaper-2024-02-29.jsonl";

// The lines of the seed listing.
std::vector<std::string> seed_lines() {
    std::vector<std::string> out;
    const std::string all = test::read_file(test::data_dir() + kSeed);
    size_t at = 0;
    while (at < all.size()) {
        size_t end = all.find('\n', at);
        if (end == std::string::npos) end = all.size();
        if (end > at) out.push_back(all.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

// An index of `lines` (records) with an Engine on it; more records can be added later.
struct Index {
    test::TempDir dir;
    std::unique_ptr<Engine> engine;

    explicit Index(const std::vector<std::string>& lines) {
        add(lines);
        auto e = Engine::open(dir.file("index"));
        REQUIRE_MESSAGE(e.is_ok(), e.message());
        engine = std::move(e.value());
    }

    void add(const std::vector<std::string>& lines) {
        auto w = IndexWriter::open(dir.file("index"), true);
        REQUIRE(w.is_ok());
        for (const std::string& line : lines) {
            auto r = parse_record(line);
            REQUIRE_MESSAGE(r.is_ok(), r.message());
            REQUIRE(w.value()->upsert(r.value()).is_ok());
        }
        REQUIRE(w.value()->commit().is_ok());
    }

    SearchResponse search(const std::string& q, const std::string& lang = "", uint64_t limit = 20) {
        SearchRequest r;
        r.query = q;
        r.lang = lang;
        r.limit = limit;
        r.prefix = false;  // finished words: what compounds alone reach ("Größe" typed would also complete)
        auto resp = engine->search(r);
        REQUIRE_MESSAGE(resp.is_ok(), resp.message());
        return resp.value();
    }

    std::set<std::string> ids(const std::string& q, const std::string& lang = "") {
        std::set<std::string> out;
        for (const Hit& h : search(q, lang).hits) out.insert(h.id);
        return out;
    }

    // The splitter the engine would build: from the index's German vocabulary.
    CompoundSplitter splitter() {
        Xapian::Database db(dir.file("index"));
        CompoundSplitter::Vocabulary v;
        const std::string p = schema::kPrefixGermanWord;
        for (auto t = db.allterms_begin(p); t != db.allterms_end(p); ++t) v.emplace_back((*t).substr(p.size()), t.get_termfreq());
        return CompoundSplitter(v);
    }

    // The ids of the papers `q` matches when compiled with `context`, straight through Xapian (no
    // tiers): what the query finds with and without compounds.
    std::set<std::string> raw_ids(const std::string& q, const QueryContext& context) {
        Xapian::Database db(dir.file("index"));
        Analyzer analyzer;
        auto parsed = test::compile_query(q, analyzer, context);
        REQUIRE(parsed.is_ok());
        Xapian::Enquire enquire(db);
        enquire.set_query(parsed.value().loose);
        std::set<std::string> out;
        Xapian::MSet m = enquire.get_mset(0, db.get_doccount());
        for (auto it = m.begin(); it != m.end(); ++it) out.insert(from_stored(it.get_document().get_data()).value().id);
        return out;
    }
};

const Hit* find_hit(const SearchResponse& r, const std::string& id) {
    for (const Hit& h : r.hits)
        if (h.id == id) return &h;
    return nullptr;
}

using S = std::set<std::string>;

}  // namespace

TEST_CASE("compound: the seed listing, a word finds the compounds it is a part of, the part highlighted") {
    Index idx(seed_lines());
    // Restricted to German, so that the English stem of "Modell" ("model") does not find the English
    // titles: what is found in the German text alone. Every seed paper says "Modell" in some form in
    // German; chatpaper-07 only inside compounds: "Diffusionsmodelle", "Diffusionsmodellen",
    // "Modelleingabe" (read in the listing).
    SearchResponse r = idx.search("Modell", "de");
    CHECK(r.total == 11);
    const Hit* diffusion = find_hit(r, "chatpaper-2024-02-29-07");
    REQUIRE(diffusion);
    CHECK(diffusion->snippet.html().find("Diffusions<mark>modelle</mark> haben") != std::string::npos);
    CHECK(diffusion->title_lang == "de");  // the requested language
    const Hit* language = find_hit(r, "chatpaper-2024-02-29-08");
    REQUIRE(language);
    CHECK(language->snippet.html().find("basierende Sprach<mark>modelle</mark>") != std::string::npos);

    // No language asked: the German title has the word whole ("Diffusionsmodelle"), the English one only
    // its parts ("Diffusion Models", each matched as typed): the word whole counts more than its parts
    // together, so the German title is shown (the README's example).
    SearchResponse any = idx.search("Diffusionsmodell");
    const Hit* whole = find_hit(any, "chatpaper-2024-02-29-07");
    REQUIRE(whole);
    CHECK(whole->title_lang == "de");
    CHECK(whole->title_highlighted.html() == "DistriFusion: Verteiltes paralleles Inferenz für hochauflösende <mark>Diffusionsmodelle</mark>");

    // Without the compounds (no splitter), the same query misses chatpaper-07.
    QueryContext german;
    german.stem_langs = {"de"};
    const S without = idx.raw_ids("Modell", german);
    CompoundSplitter splitter = idx.splitter();
    german.compounds = &splitter;
    const S with = idx.raw_ids("Modell", german);
    CHECK(with.size() == 11);
    CHECK(without.size() == 10);
    CHECK(without.count("chatpaper-2024-02-29-07") == 0);

    // Unrestricted, the German papers that say "Diffusionsmodell..." still come first (regression:
    // the parts' English stems once ranked English "diffusion model" papers above chatpaper-11).
    SearchResponse d = idx.search("Diffusionsmodell");
    REQUIRE(d.hits.size() >= 2);
    CHECK(S{d.hits[0].id, d.hits[1].id} == S{"chatpaper-2024-02-29-07", "chatpaper-2024-02-29-11"});
}

TEST_CASE("compound: the seed listing, a compound finds its parts") {
    // "Beschriftung" is in one seed paper only, chatpaper-04 (Panda-70M), whose German title says
    // "Beschriftung von 70 Millionen Videos" and whose abstract also has "Videobeschriftung" once.
    SUBCASE("as listed") {
        Index idx(seed_lines());
        CHECK(idx.ids("Videobeschriftung") == S{"chatpaper-2024-02-29-04"});
    }
    SUBCASE("without the compound itself") {
        // The one "Videobeschriftung" replaced: the paper is found through its parts alone.
        std::vector<std::string> lines = seed_lines();
        size_t n = 0;
        for (std::string& l : lines)
            if (size_t at = l.find("Videobeschriftung"); at != std::string::npos) {
                l.replace(at, std::string("Videobeschriftung").size(), "Untertitelung");
                ++n;
            }
        REQUIRE(n == 1);
        Index idx(lines);
        SearchResponse r = idx.search("Videobeschriftung");
        REQUIRE(r.hits.size() == 1);
        const Hit& h = r.hits[0];
        CHECK(h.id == "chatpaper-2024-02-29-04");
        CHECK(h.title_lang == "de");  // Beschriftung and Videos against Videos alone
        // The parts are ordinary words, highlighted as such (with their stems: Beschriftungen).
        const std::string html = h.snippet.html();
        CHECK(html.find("<mark>Beschriftung</mark>") != std::string::npos);
        CHECK(html.find("<mark>Video</mark>") != std::string::npos);
    }
}

TEST_CASE("compound: the seed listing, parts that are no parts find nothing unrelated") {
    Index idx(seed_lines());
    struct Row {
        std::string query;
        S expected;  // restricted to German
        std::string why;
    };
    // Expected sets read in the listing by hand.
    const Row rows[] = {
        {"Satz", {"2402.19173", "chatpaper-2024-02-29-04"},
         "Satzes; Datensatz, Datensatzes. Not chatpaper-08 (Durchsatz) nor chatpaper-02 (Durchsatzrate): "
         "durch is a function word, and throughput is no sentence (regression row)"},
        {"laufen", {"chatpaper-2024-02-29-05"}, "not chatpaper-08, whose Pareto frontier is durchlaufen (regression row)"},
        {"Lehrer", {"chatpaper-2024-02-29-04", "chatpaper-2024-02-29-10"}, "Lehrermodelle; Lehrer-Modell"},
        {"Sprache", {"2402.19173", "chatpaper-2024-02-29-02", "chatpaper-2024-02-29-03", "chatpaper-2024-02-29-05",
                     "chatpaper-2024-02-29-06", "chatpaper-2024-02-29-08", "chatpaper-2024-02-29-09"},
         "Sprache (05, 06); Sprachmodelle(n) (02, 03, 08, 09); the plural in Hochressourcen-Sprachen (2402.19173)"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.query);
        CAPTURE(r.why);
        CHECK(idx.ids(r.query, "de") == r.expected);
    }
}

TEST_CASE("compound: highlighting the part of a word with umlauts and ß") {
    Index idx({
        R"({"id": "g1", "title": {"de": "Größenmodelle"}, "abstract": {"de": "Wir vergleichen Größenmodelle mit einem Modell."}})",
        R"({"id": "g2", "title": {"de": "Die Größe der Modelle"}})",
    });
    struct Row {
        std::string query;
        std::string html;  // g1's snippet
        std::string why;
    };
    // "Größen" is 8 bytes (ö and ß two each) but folds to 7 ("grossen"): the marks must fall on the
    // original bytes.
    const Row rows[] = {
        {"Modell", "Wir vergleichen Größen<mark>modelle</mark> mit einem <mark>Modell</mark>.", "the head"},
        {"Größe", "Wir vergleichen <mark>Größe</mark>nmodelle mit einem Modell.", "the modifier, -n- left out"},
        {"Grösse", "Wir vergleichen <mark>Größe</mark>nmodelle mit einem Modell.", "typed otherwise, folded alike"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.query);
        CAPTURE(r.why);
        SearchResponse s = idx.search(r.query);
        const Hit* h = find_hit(s, "g1");
        REQUIRE(h);
        CHECK(h->snippet.html() == r.html);
    }
}

TEST_CASE("compound: the splitter follows the index's revisions") {
    // The seed without chatpaper-04: no "Beschriftung" anywhere.
    std::vector<std::string> lines;
    for (const std::string& l : seed_lines())
        if (l.find("chatpaper-2024-02-29-04") == std::string::npos) lines.push_back(l);
    REQUIRE(lines.size() == 10);
    Index idx(lines);
    CHECK(idx.ids("Videobeschriftung").empty());
    // A new paper, committed while the engine is open: the next search learns its words.
    idx.add({R"({"id": "neu", "title": {"de": "Beschriftung von Videos"}})"});
    CHECK(idx.ids("Videobeschriftung") == S{"neu"});
}

TEST_CASE("compound: an index without German compiles every query as before") {
    // English and Chinese only (the first records of the slice have no German): the vocabulary is
    // empty, and with it every query is what it was without compounds.
    std::vector<std::string> lines = {
        R"({"id": "e1", "title": {"en": "Diffusion models for video captioning"}, "abstract": {"en": "Language models and diffusion."}})",
        R"({"id": "z1", "title": {"zh": "基于扩散模型的图像生成", "en": "Image generation with diffusion"}})",
    };
    Index idx(lines);
    CompoundSplitter english = idx.splitter();
    CHECK(english.empty());
    // A German splitter, for the search restricted to English: German compounds stay out of it.
    CompoundSplitter german(kVocabulary);
    Analyzer analyzer;
    const std::string queries[] = {"Modell", "Videobeschriftung", "Sprachmodelle diffusion", "\"linear attention\"",
                                   "title:Sprachmodelle", "abstract:modell -video", "扩散模型", "multi-view", "id:e1"};
    for (const std::string& q : queries) {
        CAPTURE(q);
        QueryContext plain;
        plain.stem_langs = {"en", "zh"};
        QueryContext with_empty = plain;
        with_empty.compounds = &english;
        QueryContext english_only;
        english_only.stem_langs = {"en"};
        QueryContext english_only_german = english_only;
        english_only_german.compounds = &german;
        auto a = test::compile_query(q, analyzer, plain), b = test::compile_query(q, analyzer, with_empty);
        auto c = test::compile_query(q, analyzer, english_only), d = test::compile_query(q, analyzer, english_only_german);
        REQUIRE((a.is_ok() && b.is_ok() && c.is_ok() && d.is_ok()));
        CHECK(a.value().plan.print() == b.value().plan.print());
        CHECK(b.value().match.parts.empty());
        CHECK(c.value().plan.print() == d.value().plan.print());
        CHECK(d.value().match.parts.empty());
    }
}

TEST_CASE("compound: the query of a German word, table") {
    CompoundSplitter splitter(kVocabulary);
    Analyzer analyzer;
    QueryContext context;
    context.stem_langs = {"de"};
    context.compounds = &splitter;
    struct Row {
        std::string query;
        std::vector<std::string> present;  // terms the strict query has
        std::vector<std::string> absent;   // terms it has not
        std::string why;
    };
    const Row rows[] = {
        {"Modell", {"sprachmodelle", "diffusionsmodelle", "lehrermodelle", "modellgewichte", "Zmodell"}, {"sprache"},
         "the compounds join the word's synonym group"},
        {"title:Modell", {"Ssprachmodelle", "ZSmodell"}, {"sprachmodelle"}, "with the field's prefix"},
        {"author:Modell", {"Amodell"}, {"Asprachmodelle", "sprachmodelle"}, "authors are names, not compounds"},
        {"Videobeschriftung", {"videobeschriftung", "video", "Zvideo", "videos", "beschriftung", "Zbeschrift"}, {},
         "its parts with their German stems and inflected forms"},
        {"Sprachmodelle", {"sprachmodelle", "sprache", "Zsprach", "modelle"}, {"diffusionsmodelle"},
         "a part is not expanded to the compounds it is in (modelle -> diffusionsmodelle)"},
        {"\"Modell\"", {"modell"}, {"sprachmodelle"}, "a quoted word is exact"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.query);
        CAPTURE(r.why);
        auto parsed = test::compile_query(r.query, analyzer, context);
        REQUIRE(parsed.is_ok());
        std::set<std::string> terms;
        const Xapian::Query& q = parsed.value().strict;
        for (auto t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t) terms.insert(*t);
        for (const std::string& t : r.present) CHECK_MESSAGE(terms.count(t), t);
        for (const std::string& t : r.absent) CHECK_MESSAGE(!terms.count(t), t);
    }
}

TEST_CASE("compound: an incremental build and a clean build of the seed give the same index") {
    // The German vocabulary depends on each record alone: built in two steps, with a paper first
    // indexed in another version and then updated, the index is the same as one built at once.
    auto digest = [](const std::string& path) {
        std::vector<std::string> lines;
        auto n = digest_index(path, [&](const std::string& l) { lines.push_back(l); });
        REQUIRE_MESSAGE(n.is_ok(), n.message());
        return lines;
    };
    const std::vector<std::string> lines = seed_lines();
    Index clean(lines);
    // Five papers, chatpaper-04 among them in a shorter version (no abstract), then the rest and
    // chatpaper-04 as listed.
    std::vector<std::string> first, rest;
    for (size_t i = 0; i < lines.size(); ++i) {
        const bool panda = lines[i].find("\"chatpaper-2024-02-29-04\"") != std::string::npos;
        (i < 5 && !panda ? first : rest).push_back(lines[i]);
    }
    first.push_back(R"({"id": "chatpaper-2024-02-29-04", "title": {"de": "Beschriftung von Videos"}})");
    REQUIRE(first.size() == 5);
    REQUIRE(rest.size() == 7);
    Index incremental(first);
    incremental.add(rest);
    CHECK(digest(incremental.dir.file("index")) == digest(clean.dir.file("index")));
}

// The issue's user-visible case: over the seed listing and the bundled slice's papers that say
// "linear" or "attention" (the query's candidates; the whole slice costs seconds more to index),
// `linear attention` ranks the seed paper titled "Simple linear attention language models ..." near
// the top (second), and only papers with the pair in their titles too above it. Over the seed listing
// and the corpus's papers of 2025-06-10 to 2025-06-19 (the issue's index) it is third, below two such
// papers; it was fifth there, behind a paper whose abstract lists "Linear, Attention, ..." among router
// names, before title pairs (the rule itself: test_searcher.cc, "a title that holds the query's words").
TEST_CASE("search: `linear attention` over the bundled data ranks the seed paper with the pair in its title near the top") {
    std::vector<std::string> lines = seed_lines();
    auto reader = RecordReader::open(test::data_dir() + "/arxiv-slice.jsonl.gz");
    REQUIRE_MESSAGE(reader.is_ok(), reader.message());
    Record rec;
    std::string error;
    auto lower = [](std::string s) {
        for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    };
    for (RecordReader::Outcome o; (o = reader.value()->next(rec, error)) != RecordReader::Outcome::kEnd;) {
        if (o != RecordReader::Outcome::kRecord) FAIL(error);
        const std::string json = to_json(rec), text = lower(json);
        if (text.find("linear") != std::string::npos || text.find("attention") != std::string::npos) lines.push_back(json);
    }
    REQUIRE(lines.size() > 200);
    Index idx(lines);
    const SearchResponse r = idx.search("linear attention", "", 10);
    size_t rank = 0;
    while (rank < r.hits.size() && r.hits[rank].id != "chatpaper-2024-02-29-08") {
        CAPTURE(r.hits[rank].title);
        CHECK(lower(r.hits[rank].title).find("linear attention") != std::string::npos);
        ++rank;
    }
    CHECK(rank < 2);
}
