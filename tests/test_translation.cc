// Cross-language resources (docs/cross-language.md): the lexicon file format (common/lexicon.h),
// learning on a small hand-checked parallel sample (indexer/lexicon_learn.h), the Ding reader
// (common/ding.h), compound splitting against a German lexicon (common/compound.h), and the
// Translator (common/translator.h): language inference and lookups, on hand-written resources and
// on the real ones (Ding from scripts/setup, the shipped lexicon in data/lexicon).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <iterator>
#include <set>

#include "common/compound.h"
#include "common/ding.h"
#include "common/lexicon.h"
#include "common/translator.h"
#include "indexer/lexicon_learn.h"
#include "test_util.h"

using namespace abstrakt;
using abstrakt::test::TempDir;

namespace {

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// Lines of the Ding dictionary (/usr/share/trans/de-en, GPL-2+), abridged: fewer sub-entries.
const char* kDingSample =
    "# Version :: sample\n"
    "Gewicht {n} /Gew./ | Gewichte {pl} :: weight /w.; wt/ | weights\n"
    "Gewicht {n} | Gewichte {pl} :: heft | hefts\n"
    "Modell {n} | Modelle {pl} :: model | models\n"
    "Sprache {f} /Spr./ [ling.] | Sprachen {pl} :: language | languages\n"
    "Koeffizient {m} [math.] :: coefficient\n"
    "Temperatur {f} | Temperaturen {pl} :: temperature | temperatures\n"
    "Lehrer {m}; Lehrerin {f} | Lehrer {pl}; Lehrerinnen {pl} :: teacher | teachers\n"
    "Training {n} [sport] :: training\n"
    "mit {prp; +Dat.} :: with\n"
    "etw. gewichten {vt} :: to weight sth.\n"
    "groß {adj} :: large; big\n"
    "Größe {f} | Größen {pl} :: size | sizes\n";

// Hand-made titles: which Chinese word goes with which English one can be read off them.
const char* kParallelSample =
    R"({"id": "s1", "title": {"zh": "基于扩散模型的图像生成", "en": "Image Generation with Diffusion Models"}})" "\n"
    R"({"id": "s2", "title": {"zh": "扩散模型的加速采样", "en": "Accelerated Sampling for Diffusion Models"}})" "\n"
    R"({"id": "s3", "title": {"zh": "大型语言模型的检索增强", "en": "Retrieval Augmentation for Large Language Models"}})" "\n"
    R"({"id": "s4", "title": {"zh": "语言模型中的检索", "en": "Retrieval in Language Models"}})" "\n"
    R"({"id": "s5", "title": {"zh": "图像分割的扩散方法", "en": "A Diffusion Method for Image Segmentation"}})" "\n"
    R"({"id": "s6", "title": {"zh": "语言模型评测", "en": "Evaluating Language Models"}})" "\n"
    R"({"id": "s7", "title": {"en": "An English-only paper"}})" "\n";

std::string top(const std::vector<LexiconEntry>* list) { return list && !list->empty() ? (*list)[0].target : ""; }

std::string show(const std::vector<CompoundPart>& parts) {
    std::string out;
    for (const CompoundPart& p : parts) out += (out.empty() ? "" : "|") + p.word;
    return out;
}

std::set<std::string> texts(const std::vector<Translation>& ts) {
    std::set<std::string> out;
    for (const Translation& t : ts) out.insert(t.text);
    return out;
}

}  // namespace

TEST_CASE("lexicon: written and read back, plain and gzip") {
    TempDir dir;
    Lexicon lex("zh", "en");
    lex.notes().push_back("method: hand");
    lex.add("语言模型", "language model", 0.6);
    lex.add("语言模型", "language", 0.2);
    lex.add("语言模型", "language", 0.1);  // adds up
    lex.add("扩散", "diffusion", 1.5);     // capped at 1
    lex.add("", "nothing", 0.5);           // ignored
    lex.finish(5);
    for (const std::string name : {"lex.tsv", "lex.tsv.gz"}) {
        CAPTURE(name);
        REQUIRE(lex.write(dir.file(name)).is_ok());
        auto back = Lexicon::read(dir.file(name));
        REQUIRE_MESSAGE(back.is_ok(), back.message());
        CHECK(back->from() == "zh");
        CHECK(back->to() == "en");
        CHECK(back->notes() == std::vector<std::string>{"method: hand"});
        CHECK(back->sources() == 2);
        const auto* lm = back->find("语言模型");
        REQUIRE(lm);
        REQUIRE(lm->size() == 2);
        CHECK((*lm)[0].target == "language model");
        CHECK((*lm)[0].prob == doctest::Approx(0.6));
        CHECK((*lm)[1].prob == doctest::Approx(0.3));
        CHECK((*back->find("扩散"))[0].prob == 1.0);
    }
    // gzip output starts with the gzip magic number.
    std::ifstream gz(dir.file("lex.tsv.gz"), std::ios::binary);
    CHECK(gz.get() == 0x1f);
}

TEST_CASE("lexicon: a bad file is an error with its file and line") {
    TempDir dir;
    struct Row {
        std::string text, message;
    };
    const Row rows[] = {
        {"zh\ten\t0.5\n", ":1: not an Abstrakt lexicon"},
        {"# abstrakt-lexicon 1\n# from: zh\n# to: en\n语言\tlanguage\n", ":4: expected three tab-separated fields"},
        {"# abstrakt-lexicon 1\n# from: zh\n# to: en\n语言\tlanguage\t1.5\n", ":4: the probability must be a number in (0, 1]"},
        {"# abstrakt-lexicon 1\n# from: zh\n# to: en\n语言\tlanguage\tnan\n", ":4: the probability"},
        {"# abstrakt-lexicon 1\n# from: zh\n# to: en\n\tlanguage\t0.5\n", ":4: empty source or target"},
        {"# abstrakt-lexicon 1\n# from: zh\n# to: en\n语言\tlanguage\t0.5\n\n语言\tlanguage\t0.4\n", ":6: \"语言\" -> \"language\" given twice"},
        {"# abstrakt-lexicon 1\n语言\tlanguage\t0.5\n", ":2: a translation before the \"# from:\" and \"# to:\" lines"},
        {"", "empty file"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.text);
        write_file(dir.file("bad.tsv"), r.text);
        auto lex = Lexicon::read(dir.file("bad.tsv"));
        REQUIRE_FALSE(lex.is_ok());
        CHECK(lex.status().code() == ErrorCode::kInvalidArgument);
        CHECK_MESSAGE(lex.message().find(r.message) != std::string::npos, lex.message());
    }
    auto missing = Lexicon::read(dir.file("none.tsv"));
    CHECK(missing.status().code() == ErrorCode::kNotFound);
}

TEST_CASE("lexicon learning: a small hand-checked parallel sample") {
    TempDir dir;
    write_file(dir.file("sample.jsonl"), kParallelSample);
    LearnOptions o;
    LearnStats stats;
    auto pairs = read_parallel(std::vector<std::string>{dir.file("sample.jsonl")}, o, stats, {});
    REQUIRE(pairs.is_ok());
    CHECK(stats.records == 7);
    CHECK(pairs->size() == 6);  // s7 has no Chinese title

    SUBCASE("Dice with competitive linking") {
        LearnedLexicons lex = learn_lexicon(pairs.value(), o);
        // Read off the sample: 扩散 and "diffusion" are in s1, s2 and s5 and nowhere else; 检索 and
        // "retrieval" in s3 and s4; 图像 and "image" in s1 and s5; 语言 + 模型 and "language models" in
        // s3, s4 and s6. Each pair is linked in every title that has it: p = 1.
        struct Row {
            std::string zh, en;
        };
        const Row rows[] = {{"扩散", "diffusion"}, {"检索", "retrieval"}, {"图像", "image"},
                            {"语言模型", "language models"}, {"扩散模型", "diffusion models"}};
        for (const Row& r : rows) {
            CAPTURE(r.zh);
            const auto* list = lex.zh_en.find(r.zh);
            REQUIRE(list);
            CHECK((*list)[0].target == r.en);
            CHECK((*list)[0].prob == doctest::Approx(1.0));
            CHECK(top(lex.en_zh.find(r.en)) == r.zh);
        }
        // Words of one title only (采样, "sampling") are below the minimum count of 2.
        CHECK(lex.zh_en.find("采样") == nullptr);
        CHECK(lex.en_zh.find("sampling") == nullptr);
        // Function words are not units: nothing translates into "for" or "with".
        for (const auto& [src, list] : lex.zh_en.entries())
            for (const LexiconEntry& e : list) CHECK(e.target.find("for") == std::string::npos);
    }
    SUBCASE("IBM Model 1") {
        o.method = LearnOptions::Method::kIbm1;
        LearnedLexicons lex = learn_lexicon(pairs.value(), o);
        CHECK(top(lex.zh_en.find("扩散")) == "diffusion");
        CHECK(top(lex.zh_en.find("检索")) == "retrieval");
        CHECK(top(lex.zh_en.find("图像")) == "image");
        CHECK(top(lex.zh_en.find("模型")) == "models");
    }
    SUBCASE("held-out records are left out") {
        o.holdout = {"s1", "s2", "s5"};
        LearnStats held;
        auto rest = read_parallel(std::vector<std::string>{dir.file("sample.jsonl")}, o, held, {});
        REQUIRE(rest.is_ok());
        CHECK(held.held_out == 3);
        CHECK(rest->size() == 3);
        CHECK(learn_lexicon(rest.value(), o).zh_en.find("扩散") == nullptr);
    }
}

TEST_CASE("ding: the dictionary format, annotations and senses") {
    TempDir dir;
    write_file(dir.file("de-en"), kDingSample);
    Analyzer analyzer;
    auto d = read_ding(dir.file("de-en"), analyzer);
    REQUIRE_MESSAGE(d.is_ok(), d.message());
    CHECK(d->lines == 12);
    // Two lines give "Gewicht" a sense each, with equal scores: 1 for each headword, and each as
    // good as the best.
    const auto* gewicht = d->de_en.find("gewicht");
    REQUIRE(gewicht);
    REQUIRE(gewicht->size() == 2);
    CHECK((*gewicht)[0].target == "heft");  // equal weights: alphabetical
    CHECK((*gewicht)[0].prob == doctest::Approx(1.0));
    CHECK((*gewicht)[1].prob == doctest::Approx(1.0));
    CHECK((*gewicht)[1].target == "weight");  // "/w.; wt/" is an abbreviation, not a synonym
    // Aligned sub-entries: the plural translates the plural.
    CHECK(top(d->de_en.find("gewichte")) == "hefts");
    CHECK(top(d->de_en.find("modelle")) == "models");
    // "Lehrer" is headword (1) and plural (0.7): teacher 1, teachers 0.7.
    const auto* lehrer = d->de_en.find("lehrer");
    REQUIRE(lehrer);
    REQUIRE(lehrer->size() == 2);
    CHECK((*lehrer)[0].target == "teacher");
    CHECK((*lehrer)[0].prob == doctest::Approx(1.0));
    CHECK((*lehrer)[1].prob == doctest::Approx(0.7));
    // A technical subject ([math.]) doubles a sense's score against the others.
    write_file(dir.file("senses"), "Koeffizient {m} :: factor\nKoeffizient {m} [math.] :: coefficient\n");
    auto senses = read_ding(dir.file("senses"), analyzer);
    REQUIRE(senses.is_ok());
    const auto* k = senses->de_en.find("koeffizient");
    REQUIRE(k);
    CHECK((*k)[0].target == "coefficient");
    CHECK((*k)[1].prob == doctest::Approx(0.5));
    // A verb's "to " goes; an entry with a placeholder (etw., sth.) is left out.
    CHECK(d->de_en.find("gewichten") == nullptr);
    CHECK(top(d->en_de.find("weight")) == "gewicht");
    const std::set<std::string> nouns(d->german_nouns.begin(), d->german_nouns.end());
    CHECK(nouns == std::set<std::string>{"gewicht", "gewichte", "grosse", "grossen", "koeffizient", "lehrer", "lehrerin", "lehrerinnen",
                                         "modell", "modelle", "sprache", "sprachen", "temperatur", "temperaturen",
                                         "training"});
    write_file(dir.file("other"), "just text\n");
    CHECK(read_ding(dir.file("other"), analyzer).status().code() == ErrorCode::kInvalidArgument);
    CHECK(read_ding(dir.file("none"), analyzer).status().code() == ErrorCode::kNotFound);
}

TEST_CASE("ding: abbreviations translate each other, and a science subject counts once") {
    TempDir dir;
    write_file(dir.file("de-en"),
               "künstliche Intelligenz {f} /KI/ :: artificial intelligence /AI/\n"
               "Magnetresonanztomographie {f} /MR; MRT/ [med.] :: magnetic resonance imaging /MRI/; magnetic resonance tomography /MRT/\n"
               "Gewicht {n} /Gew./ :: weight /w./\n"
               "Analyse {f} [chem.] [med.] [phys.] :: determination\n"
               "Analyse {f} :: analysis\n"
               "großgeschrieben; groß {adj} (Buchstabe) [comp.] [print] :: capital\n"
               "groß; weit {adj} :: large\n");
    Analyzer analyzer;
    auto d = read_ding(dir.file("de-en"), analyzer);
    REQUIRE_MESSAGE(d.is_ok(), d.message());
    // Table: source -> its translations, best first.
    auto targets = [](const Lexicon& lex, const std::string& w) {
        std::vector<std::string> out;
        if (const auto* list = lex.find(w))
            for (const LexiconEntry& e : *list) out.push_back(e.target);
        return out;
    };
    CHECK(targets(d->de_en, "ki") == std::vector<std::string>{"ai"});
    CHECK(targets(d->en_de, "ai") == std::vector<std::string>{"ki"});
    // "/MRT/" on both sides is written alike: not a translation, so "MRT" is German for "MRI".
    CHECK(targets(d->de_en, "mrt") == std::vector<std::string>{"mri"});
    CHECK(targets(d->de_en, "mr") == std::vector<std::string>{"mri", "mrt"});
    // "/Gew./" and "/w./" are abbreviations with a dot: not words.
    CHECK(d->de_en.find("gew") == nullptr);
    CHECK(targets(d->de_en, "gewicht") == std::vector<std::string>{"weight"});
    // Three subjects double "determination" once: 2 against 1 (not 8 against 1).
    const auto* analyse = d->de_en.find("analyse");
    REQUIRE(analyse);
    REQUIRE(analyse->size() == 2);
    CHECK((*analyse)[0].target == "determination");
    CHECK((*analyse)[1].target == "analysis");
    CHECK((*analyse)[1].prob == doctest::Approx(0.5));
    // A subject does not double a sense restricted by an explanation, "(Buchstabe)": "capital" and
    // "large" weigh alike, 1 / sqrt(2) each (two German synonyms), so alphabetically.
    const auto* gross = d->de_en.find("gross");
    REQUIRE(gross);
    REQUIRE(gross->size() == 2);
    CHECK((*gross)[0].target == "capital");
    CHECK((*gross)[1].target == "large");
    CHECK((*gross)[1].prob == doctest::Approx(1.0));  // not 0.5
}

TEST_CASE("ding: the parsed cache is read back equal, and a stale, corrupt or unwritable one is parsed again") {
    TempDir dir;
    const std::string dict = dir.file("de-en"), cache = dir.file("cache");
    write_file(dict, kDingSample);
    Analyzer analyzer;
    std::vector<std::string> said;
    auto report = [&](const std::string& m) { said.push_back(m); };
    auto same = [](const DingDictionary& a, const DingDictionary& b) {
        auto entries = [](const Lexicon& l) {
            std::map<std::string, std::vector<LexiconEntry>> m(l.entries().begin(), l.entries().end());
            return m;
        };
        return entries(a.de_en) == entries(b.de_en) && entries(a.en_de) == entries(b.en_de) && a.german_nouns == b.german_nouns &&
               a.lines == b.lines && a.skipped == b.skipped && a.de_en.notes() == b.de_en.notes();
    };
    bool from_cache = true;
    auto first = load_ding(dict, analyzer, cache, report, &from_cache);
    REQUIRE_MESSAGE(first.is_ok(), first.message());
    CHECK_FALSE(from_cache);  // parsed, and written
    CHECK(said.empty());
    const std::string file = ding_cache_path(cache, dict);
    REQUIRE(std::ifstream(file).good());
    auto second = load_ding(dict, analyzer, cache, report, &from_cache);
    REQUIRE(second.is_ok());
    CHECK(from_cache);
    CHECK(same(first.value(), second.value()));
    CHECK(same(first.value(), read_ding(dict, analyzer).value()));
    CHECK(top(second->de_en.find("gewichte")) == "hefts");

    // Corrupt: one byte changed, or the file cut short, or not a cache at all: an error of its
    // own, and load_ding parses the dictionary again (saying so) and writes a good cache.
    std::string bytes;
    {
        std::ifstream in(file, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    for (const std::string& bad : {bytes.substr(0, bytes.size() / 2) + char(bytes[bytes.size() / 2] ^ 1) + bytes.substr(bytes.size() / 2 + 1),
                                   bytes.substr(0, bytes.size() - 9), std::string("abstrakt-ding-cache\n"), std::string("junk")}) {
        write_file(file, bad);
        CHECK(read_ding_cache(dict, 8, file).status().code() == ErrorCode::kInvalidArgument);
        said.clear();
        auto again = load_ding(dict, analyzer, cache, report, &from_cache);
        REQUIRE(again.is_ok());
        CHECK_FALSE(from_cache);
        CHECK(same(first.value(), again.value()));
        REQUIRE(said.size() == 1);
        CHECK(said[0].find("parsing the dictionary again") != std::string::npos);
        CHECK(read_ding_cache(dict, 8, file).is_ok());  // rewritten
    }
    // Stale: the dictionary changed (size and time), or another top_k: parsed again.
    write_file(dict, std::string(kDingSample) + "Fenster {n} :: window\n");
    auto changed = load_ding(dict, analyzer, cache, report, &from_cache);
    REQUIRE(changed.is_ok());
    CHECK_FALSE(from_cache);
    CHECK(top(changed->de_en.find("fenster")) == "window");
    CHECK(read_ding_cache(dict, 3, file).status().code() == ErrorCode::kInvalidArgument);
    // No cache directory, or one that cannot be made: the dictionary all the same, and a word why.
    auto none = load_ding(dict, analyzer, "", report, &from_cache);
    REQUIRE(none.is_ok());
    CHECK_FALSE(from_cache);
    said.clear();
    auto unwritable = load_ding(dict, analyzer, dict + "/under-a-file", report, &from_cache);
    REQUIRE(unwritable.is_ok());
    CHECK(top(unwritable->de_en.find("fenster")) == "window");
    REQUIRE(said.size() == 1);
    CHECK(said[0].find("cache was not written") != std::string::npos);
    // Where the cache goes: $ABSTRAKT_DING_CACHE (empty: none), else $XDG_CACHE_HOME/abstrakt.
    const char* saved_cache = std::getenv("ABSTRAKT_DING_CACHE");
    const char* saved_xdg = std::getenv("XDG_CACHE_HOME");
    const std::string keep_cache = saved_cache ? saved_cache : "", keep_xdg = saved_xdg ? saved_xdg : "";
    ::setenv("ABSTRAKT_DING_CACHE", "/somewhere", 1);
    CHECK(default_ding_cache_dir() == "/somewhere");
    ::setenv("ABSTRAKT_DING_CACHE", "", 1);
    CHECK(default_ding_cache_dir().empty());
    ::unsetenv("ABSTRAKT_DING_CACHE");
    ::setenv("XDG_CACHE_HOME", "/xdg", 1);
    CHECK(default_ding_cache_dir() == "/xdg/abstrakt");
    if (saved_cache) ::setenv("ABSTRAKT_DING_CACHE", keep_cache.c_str(), 1);
    if (saved_xdg) ::setenv("XDG_CACHE_HOME", keep_xdg.c_str(), 1);
    else ::unsetenv("XDG_CACHE_HOME");
}

TEST_CASE("compound: split against a German lexicon, so a part finds a compound it never stands alone in") {
    // The index has the compounds and "gewichte", not "modell", "temperatur", "koeffizient" nor
    // "lehrer": only the lexicon knows those.
    const CompoundSplitter::Vocabulary vocabulary = {
        {"modellgewichte", 1}, {"temperaturkoeffizient", 1}, {"lehrermodelle", 2}, {"gewichte", 3},
        {"methoden", 5},       {"merkmale", 4},              {"netzwerkverkehr", 1}, {"ubertrifft", 2}};
    // Real nouns of Ding, among them short rare ones that cut dictionary words into junk.
    const std::vector<std::string> lexicon = {"modell", "modelle", "gewichte", "temperatur", "koeffizient", "lehrer",
                                              "meth", "oden", "merk", "male", "methoden", "merkmale", "netz",
                                              "netzwerk", "werkverkehr", "verkehr", "netzwerkverkehr", "uber", "trifft"};
    CompoundSplitter with(vocabulary, lexicon), without(vocabulary);
    struct Row {
        std::string word, parts, why;
    };
    const Row rows[] = {
        {"modellgewichte", "modell|gewichte", "modell is in the lexicon only"},
        {"temperaturkoeffizient", "temperatur|koeffizient", "both parts in the lexicon only"},
        {"lehrermodelle", "lehrer|modelle", ""},
        {"methoden", "", "junk: meth|oden; a dictionary word is not cut into lexicon words"},
        {"merkmale", "", "junk: merk|male"},
        {"netzwerkverkehr", "", "wrong: netz|werkverkehr (the longest last part)"},
        {"ubertrifft", "", "junk: uber is a function word, never a part"},
        {"sprachmodelle", "", "sprache is in neither"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.word);
        CAPTURE(r.why);
        CHECK(show(with.split(r.word)) == r.parts);
        CHECK(show(without.split(r.word)) == "");  // the vocabulary alone splits none of them
    }
    auto has = [&](const std::string& part, const std::string& compound) {
        for (const CompoundMatch& m : with.compounds_with_part(part, 10))
            if (m.compound == compound) return true;
        return false;
    };
    CHECK(has("gewichte", "modellgewichte"));
    CHECK(has("koeffizient", "temperaturkoeffizient"));
    CHECK(has("lehrer", "lehrermodelle"));
    CHECK(has("modell", "lehrermodelle"));
    CHECK(without.compounds_with_part("gewichte", 10).empty());
}

TEST_CASE("translator: language inference, table") {
    TempDir dir;
    write_file(dir.file("de-en"), kDingSample);
    Translator::Resources res;
    res.ding_path = dir.file("de-en");
    auto t = Translator::load(res);
    REQUIRE_MESSAGE(t.is_ok(), t.message());
    Analyzer analyzer;
    struct Row {
        std::string text;
        WordLanguage lang;
        std::string why;
    };
    const Row rows[] = {
        {"Gewichte", WordLanguage::kGerman, "a dictionary word"},
        {"Temperaturen", WordLanguage::kGerman, ""},
        {"Sprachmodelle", WordLanguage::kGerman, "a compound of dictionary nouns"},
        {"Koeffizienten", WordLanguage::kGerman, "an inflected form, by German stem"},
        {"weights", WordLanguage::kEnglish, "by English stem"},
        {"languages", WordLanguage::kEnglish, ""},
        {"Training", WordLanguage::kBoth, "written alike, its own translation"},
        {"Modell", WordLanguage::kGerman, "German as written"},
        {"LiDAR", WordLanguage::kUnknown, "no lexicon has it: left as it is"},
        {"2024", WordLanguage::kUnknown, "a number"},
        {"语言", WordLanguage::kChinese, "Han"},
        {"ひらがな", WordLanguage::kJapanese, "kana"},
        {"Привет", WordLanguage::kOther, "Cyrillic"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.text);
        CAPTURE(r.why);
        std::vector<Token> tokens;
        analyzer.analyze(r.text, tokens);
        REQUIRE(!tokens.empty());
        CHECK(std::string(to_string(t.value()->infer_language(tokens[0], analyzer))) == to_string(r.lang));
    }
}

TEST_CASE("translator: lookups and compounds on a hand-written sample") {
    TempDir dir;
    write_file(dir.file("de-en"), kDingSample);
    write_file(dir.file("sample.jsonl"), kParallelSample);
    LearnOptions o;
    LearnStats stats;
    LearnedLexicons learned = learn_lexicon(read_parallel(std::vector<std::string>{dir.file("sample.jsonl")}, o, stats, {}).value(), o);
    Translator::Resources res;
    res.ding_path = dir.file("de-en");
    auto loaded = Translator::load(res);
    REQUIRE(loaded.is_ok());
    Translator& t = *loaded.value();
    t.add(learned.zh_en);
    Analyzer analyzer;
    CHECK(t.can_translate("de", "en"));
    CHECK(t.can_translate("zh", "en"));
    CHECK_FALSE(t.can_translate("en", "zh"));

    // Not in the dictionary: split into sprache|modelle, each part's translation joined.
    auto sm = t.translate("sprachmodelle", "de", "en", 3, analyzer);
    REQUIRE(sm.size() == 2);
    CHECK(sm[0].text == "language models");
    CHECK(sm[0].words == std::vector<std::string>{"language", "models"});
    CHECK(sm[0].stems == std::vector<std::string>{"languag", "model"});  // as the index stems English
    CHECK(sm[0].weight == doctest::Approx(1.0));
    CHECK(sm[1].text == "models");  // the head alone, lower
    CHECK(sm[1].weight == doctest::Approx(0.3));
    // Both senses of the head, each sqrt(1 x 1); the head alone 0.3.
    auto mg = t.translate("modellgewichte", "de", "en", 4, analyzer);
    REQUIRE(mg.size() == 4);
    CHECK(texts({mg[0], mg[1]}) == std::set<std::string>{"model weights", "model hefts"});
    CHECK(mg[0].weight == doctest::Approx(1.0));
    CHECK(mg[2].weight == doctest::Approx(0.3));
    // Senses of unequal weight: "Planung" has two (made up here), 1 and 0.5; a compound's
    // combinations weigh the geometric mean, sqrt(1 x 0.5).
    Lexicon plan("de", "en");
    plan.add("planung", "planning", 1.0);
    plan.add("planung", "design", 0.5);
    plan.add("modell", "model", 1.0);
    plan.finish(5);
    Translator small;
    small.add(plan);
    small.set_german_nouns({"planung", "modell"});
    auto pm = small.translate("modellplanung", "de", "en", 2, analyzer);
    REQUIRE(pm.size() == 2);
    CHECK(pm[0].text == "model planning");
    CHECK(pm[1].text == "model design");
    CHECK(pm[1].weight == doctest::Approx(std::sqrt(0.5)));
    // A part's senses are weighed by the prior before the best two are joined: the dictionary
    // lists "sample" and "specimen" first (made up here), the papers have "pattern".
    Lexicon mx("de", "en");
    mx.add("muster", "sample", 1.0);
    mx.add("muster", "specimen", 1.0);
    mx.add("muster", "pattern", 0.8);
    mx.add("problem", "problem", 1.0);
    mx.finish(8);
    Translator parts;
    parts.add(mx);
    parts.set_german_nouns({"muster", "problem"});
    TargetPrior papers = [](const Translation& x) {
        return x.text.find("sample") != std::string::npos || x.text.find("specimen") != std::string::npos ? 0.0 : 1.0;
    };
    auto pm2 = parts.translate("problemmuster", "de", "en", 3, analyzer, papers);
    REQUIRE(!pm2.empty());
    CHECK(pm2[0].text == "problem pattern");
    CHECK(pm2[0].weight == doctest::Approx(1.0));  // the best keeps the best's weight
    CHECK(parts.translate("problemmuster", "de", "en", 3, analyzer)[0].text != "problem pattern");  // without the prior
    CHECK(t.translate("temperaturkoeffizient", "de", "en", 1, analyzer)[0].text == "temperature coefficient");
    // "teacher" and "teachers" stem alike: one translation, their weights added.
    auto lehrer = t.translate("lehrer", "de", "en", 3, analyzer);
    REQUIRE(lehrer.size() == 1);
    CHECK(lehrer[0].weight == doctest::Approx(1.0));
    // A prior: senses the papers lack drop out, the best keeps its weight.
    TargetPrior no_hefts = [](const Translation& x) { return x.text.find("heft") == std::string::npos ? 0.5 : 0.0; };
    auto weighed = t.translate("gewichte", "de", "en", 3, analyzer, no_hefts);
    REQUIRE(weighed.size() == 1);
    CHECK(weighed[0].text == "weights");
    CHECK(weighed[0].weight == doctest::Approx(1.0));
    // A word whose every sense the prior drops: its related forms' senses (the same German stem).
    // Ding's "Kurzsichtige" is a person (myope), which the papers lack; "kurzsichtig" is theirs.
    Lexicon ks("de", "en");
    ks.add("kurzsichtige", "myope", 1.0);
    ks.add("kurzsichtig", "short-sighted", 1.0);
    ks.add("kurzsichtig", "myopic", 0.5);
    ks.finish(8);
    Translator sighted;
    sighted.add(ks);
    TargetPrior no_myope = [](const Translation& x) { return x.text == "myope" ? 0.0 : 1.0; };
    CHECK(texts(sighted.translate("kurzsichtige", "de", "en", 3, analyzer)) == std::set<std::string>{"myope"});
    auto related = sighted.translate("kurzsichtige", "de", "en", 3, analyzer, no_myope);
    REQUIRE(related.size() == 2);
    CHECK(related[0].text == "short-sighted");
    CHECK(related[0].weight == doctest::Approx(1.0));  // the only related form: 1 / 1
    CHECK(related[1].text == "myopic");
    CHECK(related[1].weight == doctest::Approx(0.5));
    CHECK(sighted.translate("kurzsichtige", "de", "en", 3, analyzer, [](const Translation&) { return 0.0; }).empty());
    // Nothing: an unknown word, a pair without a lexicon.
    CHECK(t.translate("lidar", "de", "en", 3, analyzer).empty());
    CHECK(t.translate("gewichte", "de", "zh", 3, analyzer).empty());

    // A query: function words ("mit") and words already in the target language are left alone; a
    // Chinese phrase the lexicon has is translated as a whole and word by word.
    std::vector<Token> tokens;
    analyzer.analyze("Gewichte mit Training LiDAR 语言模型的检索", tokens);
    auto spans = t.translate_query(tokens, "en", 2, analyzer);
    std::vector<std::string> got;
    for (const SpanTranslation& s : spans) got.push_back(s.source + "/" + s.from + "/" + s.as[0].text);
    CHECK(got == std::vector<std::string>{"gewichte/de/hefts", "语言模型/zh/language models", "语言/zh/language",
                                          "模型/zh/models", "检索/zh/retrieval"});
    REQUIRE(spans.size() == 5);
    CHECK(spans[1].end - spans[1].begin == 2);
    // German case: "große" folds as "Größe" does; in a query written with capitals, the lower-case
    // word is looked up among the dictionary's other words ("groß"), a capitalised one among its
    // nouns; a query in lower case says nothing, and the first word is capitalised anyway.
    auto first_of = [&](const std::string& q, const std::string& source) {
        std::vector<Token> tk;
        analyzer.analyze(q, tk);
        for (const SpanTranslation& s : t.translate_query(tk, "en", 1, analyzer, "", {}, q))
            if (s.source == source) return s.as[0].text;
        return std::string();
    };
    CHECK(first_of("Gewichte große Sprachmodelle", "grosse") == "large");
    CHECK(first_of("Gewichte Größe Sprachmodelle", "grosse") == "size");
    CHECK(first_of("gewichte große sprachmodelle", "grosse") == "size");  // uncased: the word as found
    CHECK(first_of("Große Sprachmodelle", "grosse") == "size");           // the first word: uncased

    // The query's language given: every Latin word is taken as German.
    auto forced = t.translate_query(tokens, "en", 2, analyzer, "de");
    CHECK(forced[1].source == "training");
}

TEST_CASE("translator: an adjective and a noun as one phrase of the dictionary, inflected as a query has them") {
    Lexicon lex("de", "en");
    lex.add("netz", "network", 1.0);
    lex.add("netze", "networks", 1.0);
    lex.add("neuronal", "neuronal", 1.0);
    lex.add("neuronales netz", "neural network", 1.0);
    lex.add("maschinelles lernen", "machine learning", 1.0);
    lex.add("lernen", "learning", 1.0);
    lex.add("gewichte", "weights", 1.0);
    lex.finish(8);
    Translator t;
    t.add(lex);
    t.set_german_nouns({"netz", "netze"});
    Analyzer analyzer;
    // Each span as source/first translation, [begin, end).
    auto spans = [&](const std::string& q) {
        std::vector<Token> tokens;
        analyzer.analyze(q, tokens);
        std::vector<std::string> out;
        for (const SpanTranslation& s : t.translate_query(tokens, "en", 2, analyzer, "", {}, q))
            out.push_back(s.source + "/" + s.as[0].text + "/" + std::to_string(s.begin) + "-" + std::to_string(s.end));
        return out;
    };
    // "neuronale Netze": the dictionary's "neuronales Netz" (the adjective's stem neuronal + es, the
    // noun's singular by its German stem), over both words, beside each word's own translation.
    CHECK(spans("neuronale Netze") == std::vector<std::string>{"neuronales netz/neural network/0-2", "neuronale/neuronal/0-1",
                                                                "netze/networks/1-2"});
    // As the dictionary writes it.
    CHECK(spans("maschinelles Lernen") == std::vector<std::string>{"maschinelles lernen/machine learning/0-2", "lernen/learning/1-2"});
    // Not across punctuation, nor for words the dictionary has no phrase of.
    CHECK(spans("neuronale, Netze") == std::vector<std::string>{"neuronale/neuronal/0-1", "netze/networks/1-2"});
    CHECK(spans("neuronale Gewichte") == std::vector<std::string>{"neuronale/neuronal/0-1", "gewichte/weights/1-2"});
}

TEST_CASE("translator: ABSTRAKT_DING and ABSTRAKT_LEXICON_DIR choose the resources, ABSTRAKT_DING= leaves Ding out") {
    auto saved = [](const char* name) -> std::optional<std::string> {
        const char* v = std::getenv(name);
        return v ? std::optional<std::string>(v) : std::nullopt;
    };
    const auto ding = saved("ABSTRAKT_DING"), dir = saved("ABSTRAKT_LEXICON_DIR");
    ::setenv("ABSTRAKT_DING", "", 1);
    ::setenv("ABSTRAKT_LEXICON_DIR", "/nowhere/lexicon", 1);
    Translator::Resources res = Translator::default_resources();
    CHECK(res.ding_path.empty());
    CHECK(res.lexicon_dir == "/nowhere/lexicon");
    ::setenv("ABSTRAKT_DING", "/somewhere/de-en", 1);
    CHECK(Translator::default_resources().ding_path == "/somewhere/de-en");
    ::unsetenv("ABSTRAKT_DING");
    CHECK(Translator::default_resources().ding_path == "/usr/share/trans/de-en");
    for (const auto& [name, value] : {std::pair{"ABSTRAKT_DING", ding}, {"ABSTRAKT_LEXICON_DIR", dir}}) {
        if (value) ::setenv(name, value->c_str(), 1);
        else ::unsetenv(name);
    }
}

TEST_CASE("translator: the project's default resources (Ding from scripts/setup, data/lexicon)") {
    Translator::Resources res = Translator::default_resources();
    if (res.ding_path.empty()) res.ding_path = default_ding_path();  // CTest's ABSTRAKT_DING= (CMakeLists.txt)
    REQUIRE_MESSAGE(!res.lexicon_dir.empty(), "data/lexicon not found");
    std::ifstream ding(res.ding_path);
    REQUIRE_MESSAGE(ding.good(), std::string(res.ding_path + " is missing: run scripts/setup (trans-de-en)"));
    auto loaded = Translator::load(res);
    REQUIRE_MESSAGE(loaded.is_ok(), loaded.message());
    const Translator& t = *loaded.value();
    Analyzer analyzer;
    auto first = [&](const std::string& w, const std::string& from) {
        auto ts = t.translate(w, from, "en", 3, analyzer);
        return ts.empty() ? std::string() : ts[0].text;
    };
    // The issue's examples: Ding has no "Sprachmodell"; compounds make them work.
    CHECK(first("sprachmodelle", "de") == "language models");
    CHECK(first("temperaturkoeffizient", "de") == "temperature coefficient");
    CHECK(first("gewichte", "de") == "weights");  // the papers' sense, not "hefts"
    CHECK(first("语言模型", "zh") == "language models");
    CHECK(first("扩散", "zh") == "diffusion");
    std::vector<Token> tokens;
    analyzer.analyze("Transformer LiDAR Sprachmodelle", tokens);
    auto spans = t.translate_query(tokens, "en", 3, analyzer);
    REQUIRE(spans.size() == 1);  // English and unknown words are not translated into noise
    CHECK(spans[0].source == "sprachmodelle");
    // The searcher's splitter with Ding's nouns as its lexicon: a part finds the compound.
    CompoundSplitter splitter({{"modellgewichte", 1}, {"temperaturkoeffizient", 1}, {"lehrermodelle", 1}}, t.german_nouns());
    for (const auto& row : std::vector<std::pair<std::string, std::string>>{
             {"gewichte", "modellgewichte"}, {"koeffizient", "temperaturkoeffizient"}, {"lehrer", "lehrermodelle"}}) {
        const std::string& part = row.first;  // not a structured binding: CAPTURE's lambda takes it (clang)
        CAPTURE(part);
        auto found = splitter.compounds_with_part(part, 5);
        REQUIRE(found.size() == 1);
        CHECK(found[0].compound == row.second);
    }
    // Dictionary words that the nouns would cut into junk stay whole.
    for (const char* w : {"methoden", "merkmale", "netzwerkverkehr", "beispiel", "ergebnisse", "vorhersage", "durchsatz"}) {
        CAPTURE(w);
        CHECK(splitter.split(w).empty());
    }
}
