// Behaviour tables for the text analysis pipeline (common/analysis.h) and languages (common/lang.h).
#include "common/analysis.h"

#include <doctest/doctest.h>

#include <bitset>
#include <string>
#include <vector>

#include "common/lang.h"
#include "common/record.h"
#include "tests/test_util.h"

using abstrakt::Analyzer;
using abstrakt::Token;
using abstrakt::TokenKind;

namespace {

// "folded" forms of the words (joined chains marked with a leading '+').
std::vector<std::string> folded(Analyzer& a, const std::string& text) {
    std::vector<Token> tokens;
    a.analyze(text, tokens);
    std::vector<std::string> out;
    for (const Token& t : tokens) out.push_back((t.joined ? "+" : "") + t.folded);
    return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("analysis: words by script, folded") {
    Analyzer a;
    struct Row {
        std::string text;
        V expected;
    };
    const Row rows[] = {
        {"Linear Attention", {"linear", "attention"}},
        {"Diffusionsmodelle für Videos", {"diffusionsmodelle", "fur", "videos"}},  // ü folded
        {"Muñoz and Ferrandis", {"munoz", "and", "ferrandis"}},
        {"STRASSE Straße", {"strasse", "strasse"}},                 // case folding maps ß to ss
        {"Łódź Øresund Æther", {"lodz", "oresund", "aether"}},      // letters without decomposition
        {"ﬁne ＧＰＴ", {"fine", "gpt"}},                             // NFKC: ligature, full-width
        {"don’t", {"don't"}},                                        // typographic apostrophe
        {"70M 3D 2402.19173", {"70m", "3d", "2402.19173"}},          // numbers kept whole as typed
        {"扩散模型", {"扩散", "模型"}},                              // ICU dictionary segmentation
        {"大规模语言模型的推理", {"大规模", "语言", "模型", "的", "推理"}},
        {"基于Transformer的模型", {"基于", "transformer", "的", "模型"}},  // mixed Han and Latin
        {"大規模言語モデル", {"大規模", "言語", "モデル"}},          // Japanese with katakana
        {"ภาษาไทย", {"ภาษา", "ไทย"}},                                // Thai has no spaces
        {"한국어 검색", {"한국어", "검색"}},
        {"Модели Μοντέλο", {"модели", "μοντελο"}},                   // Cyrillic, Greek (tonos folded)
        {"a, b; (c) — d!", {"a", "b", "c", "d"}},                    // punctuation makes no token
        {"abc\xff" "def", {"abc", "def"}},                           // invalid UTF-8 separates
        {"", {}},
    };
    for (const Row& r : rows) {
        CAPTURE(r.text);
        CHECK(folded(a, r.text) == r.expected);
    }
}

TEST_CASE("analysis: hyphenated chains also as one joined word") {
    Analyzer a;
    struct Row {
        std::string text;
        V expected;
    };
    const Row rows[] = {
        {"multi-view", {"multi", "view", "+multiview"}},
        {"GPT-4o", {"gpt", "4o", "+gpt4o"}},
        {"Llama-2-7b", {"llama", "2", "7b", "+llama27b"}},
        {"state-of-the-art", {"state", "of", "the", "art", "+stateoftheart"}},
        {"multi\u2010view", {"multi", "view", "+multiview"}},   // U+2010 HYPHEN
        {"multi - view", {"multi", "view"}},                    // spaced: a dash, not a hyphen
        {"multi\u2014view", {"multi", "view"}},                 // em dash separates clauses
        {"扩散-模型", {"扩散", "模型"}},                         // Han never joins
    };
    for (const Row& r : rows) {
        CAPTURE(r.text);
        CHECK(folded(a, r.text) == r.expected);
    }
}

TEST_CASE("analysis: exact forms keep diacritics, offsets and positions") {
    Analyzer a;
    std::vector<Token> t;
    const std::string text = "Über  Muñoz\nmulti-view 模型";
    a.analyze(text, t, 10);
    REQUIRE(t.size() == 6);
    CHECK(t[0].exact == "über");
    CHECK(t[0].folded == "uber");
    CHECK(t[1].exact == "muñoz");
    CHECK(t[1].folded == "munoz");
    // Offsets are bytes of the input, positions count words from first_pos.
    for (const Token& tok : t) {
        CAPTURE(tok.folded);
        CHECK(tok.end > tok.start);
        CHECK(tok.end <= text.size());
    }
    CHECK(text.substr(t[0].start, t[0].end - t[0].start) == "Über");
    CHECK(text.substr(t[1].start, t[1].end - t[1].start) == "Muñoz");
    CHECK(t[0].pos == 10);
    CHECK(t[1].pos == 11);
    CHECK(t[2].pos == 12);  // multi
    CHECK(t[3].pos == 13);  // view
    CHECK(t[4].joined);     // multiview: the position of its first part, the span of the chain
    CHECK(t[4].pos == 12);
    CHECK(text.substr(t[4].start, t[4].end - t[4].start) == "multi-view");
    CHECK(t[5].pos == 14);
    CHECK(t[5].kind == TokenKind::kIdeograph);
}

namespace {

// The stem of the first word of `word` under `lang`'s stemmer.
std::string stem_of(Analyzer& a, const std::string& lang, const std::string& word) {
    std::vector<Token> t;
    a.analyze(word, t);
    REQUIRE(t.size() >= 1);
    return a.stem(lang, t[0]);
}

}  // namespace

TEST_CASE("analysis: stems use each language's own stemmer") {
    Analyzer a;
    auto stem = [&](const std::string& lang, const std::string& word) { return stem_of(a, lang, word); };
    struct Row {
        std::string lang;
        std::string word;
        std::string expected;
    };
    const Row rows[] = {
        {"en", "models", "model"},
        {"en", "Attention", "attent"},
        {"de", "Diffusionsmodelle", "diffusionsmodell"},
        {"de", "Diffusionsmodell", "diffusionsmodell"},   // query and document forms meet
        {"de", "Sprachmodelle", "sprachmodell"},
        {"de", "über", "uber"},                           // german2, then folded
        {"fr", "modèles", "model"},
        {"ru", "Модели", "модел"},
        {"zh", "models", "model"},     // Latin words in Chinese text: English stemmer
        {"zh", "模型", ""},            // Han is never stemmed
        {"ko", "검색", ""},            // no Korean stemmer
        {"en", "2402.19173", ""},      // numbers are never stemmed
        {"xx", "models", "model"},     // unknown language, Latin word: English
    };
    for (const Row& r : rows) {
        CAPTURE(r.lang);
        CAPTURE(r.word);
        CHECK(stem(r.lang, r.word) == r.expected);
    }
}

TEST_CASE("analysis: stems made before come back the same, per language, when the cache empties too") {
    // Analyzer::stem keeps the stems it made; a word met again, in another language or after the
    // cache was emptied, must get what a new analyzer gives it.
    Analyzer a;
    auto stem = [&](const std::string& lang, const std::string& word) { return stem_of(a, lang, word); };
    for (int round = 0; round < 2; ++round) {
        CHECK(stem("de", "Modellen") == "modell");
        CHECK(stem("en", "Modellen") == "modellen");  // the English stemmer keeps "-en"
        CHECK(stem("de", "Modellen") == "modell");
        CHECK(stem("en", "models") == "model");
        CHECK(stem("en", "2402") == "");
        // More distinct words than the cache holds (16,384): it is emptied and filled again.
        for (int i = 0; i < 20000; ++i) REQUIRE(stem("en", "w" + std::to_string(i) + "ings") == "w" + std::to_string(i) + "ing");
    }
}

TEST_CASE("analysis: a very long unbroken Chinese run is cut into windows, offsets stay exact") {
    Analyzer a;
    std::string text;
    for (int i = 0; i < 4000; ++i) text += "扩散模型";  // 48,000 bytes without a space
    std::vector<Token> t;
    a.analyze(text, t);
    CHECK(t.size() >= 4000);
    for (size_t i = 0; i < t.size(); ++i) {
        const Token& tok = t[i];
        REQUIRE(tok.end <= text.size());
        CHECK(text.substr(tok.start, tok.end - tok.start) == tok.exact);
        if (i > 0) CHECK(tok.start >= t[i - 1].end);
    }
}

TEST_CASE("analysis: over-long words are dropped but keep their position") {
    Analyzer a;
    std::vector<Token> t;
    a.analyze("short " + std::string(200, 'x') + " after", t);
    REQUIRE(t.size() == 2);
    CHECK(t[0].folded == "short");
    CHECK(t[1].folded == "after");
    CHECK(t[1].pos == 2);
}

TEST_CASE("valid_utf8") {
    struct Row {
        std::string text;
        bool ok;
    };
    const Row rows[] = {
        {"plain", true},
        {"Über 模型", true},
        {"\xff", false},
        {"\xc3", false},              // truncated sequence
        {"\xc0\xaf", false},          // overlong
        {"\xed\xa0\x80", false},      // a UTF-16 surrogate
        {"\xf4\x90\x80\x80", false},  // above U+10FFFF
        {"", true},
    };
    for (const Row& r : rows) {
        CAPTURE(r.text);
        CHECK(abstrakt::valid_utf8(r.text) == r.ok);
    }
}

TEST_CASE("lang: tags, stemmers, detection from script") {
    using namespace abstrakt::lang;
    CHECK(canonical_tag("de") == std::optional<std::string>("de"));
    CHECK(canonical_tag("DE") == std::optional<std::string>("de"));
    CHECK(canonical_tag("zh-CN") == std::optional<std::string>("zh-CN"));
    CHECK(canonical_tag("pt-BR") == std::optional<std::string>("pt-BR"));
    CHECK_FALSE(canonical_tag("e n"));
    CHECK_FALSE(canonical_tag("english"));   // primary subtag of 2 or 3 letters
    CHECK_FALSE(canonical_tag(""));
    CHECK_FALSE(canonical_tag("de-"));
    CHECK_FALSE(canonical_tag("d1"));
    CHECK_FALSE(canonical_tag("xx"));       // well-formed, but no such language
    CHECK_FALSE(canonical_tag("qq-DE"));
    CHECK(canonical_tag("yue") == std::optional<std::string>("yue"));  // three letters: Cantonese
    CHECK(primary("zh-CN") == "zh");
    CHECK(std::string(stemmer_name("de")) == "german2");
    CHECK(std::string(stemmer_name("en")) == "english");
    CHECK(std::string(stemmer_name("zh")) == "");

    struct Row {
        std::string text;
        std::string expected;
    };
    const Row rows[] = {
        {"扩散模型的推理", "zh"},
        {"大規模言語モデル", "ja"},              // kana decides Japanese over Han
        {"한국어 검색", "ko"},
        {"Модели машинного обучения", "ru"},
        {"Μοντέλα", "el"},
        {"Diffusion models", "en"},              // Latin: the fallback
        {"2024", "en"},                          // no letters: the fallback
        {"Diffusion 扩散模型的推理", "zh"},      // 7 Han count as 21 letters against 9 Latin
        {"Video Object Segmentation 分割", "en"},  // 2 Han (6) against 24 Latin
    };
    for (const Row& r : rows) {
        CAPTURE(r.text);
        CHECK(detect_from_script(r.text, "en") == r.expected);
    }
    CHECK(detect_from_script("Modelle", "de") == "de");
}

namespace {

// Every field of every token, for comparing two analyses.
std::string dump(Analyzer& a, const std::string& text) {
    std::vector<Token> tokens;
    a.analyze(text, tokens);
    std::string out;
    for (const Token& t : tokens)
        out += t.folded + "|" + t.exact + "|" + std::to_string(t.start) + "-" + std::to_string(t.end) + "@" +
               std::to_string(t.pos) + "/" + std::to_string(static_cast<int>(t.kind)) + (t.joined ? "+" : "") + " ";
    return out;
}

}  // namespace

TEST_CASE("analysis: ASCII text is broken into words as ICU breaks it") {
    Analyzer fast, icu;
    icu.set_ascii_fast_path(false);
    // By hand, from ICU 72's root rules: what joins and what does not.
    const std::pair<std::string, V> table[] = {
        {"e.g. don't 1,000.5 a.b. x1_y __ _ @user a@b", {"e.g", "don't", "1,000.5", "a.b", "x1_y", "__", "@user", "a@b"}},
        {"a.1 1.a a;b 1;2 a,b a:b a''b 3d-model", {"a", "1", "1", "a", "a", "b", "1;2", "a", "b", "a", "b", "a", "b", "3d", "model", "+3dmodel"}},
    };
    for (const auto& row : table) {
        CAPTURE(row.first);
        CHECK(folded(fast, row.first) == row.second);
        CHECK(folded(icu, row.first) == row.second);
    }
    // Random strings over the characters the rules treat apart, and text around non-ASCII words
    // (the fast path takes the ASCII pieces between spaces, ICU the rest).
    const std::string alphabet = "aZ09@._',;:-!/ \n\t\"";
    const std::string others[] = {"\xC3\xA9", "\xE2\x80\x93", "\xE6\xA8\xA1\xE5\x9E\x8B", "\xCC\x81"};  // é, en dash, 模型, combining acute
    uint64_t x = 88172645463325252ull;
    auto next = [&x]() { return x ^= x << 13, x ^= x >> 7, x ^= x << 17; };
    int differ = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string s;
        const size_t n = 1 + next() % 14;
        for (size_t k = 0; k < n; ++k)
            s += (i % 4 == 3 && next() % 8 == 0) ? others[next() % 4] : std::string(1, alphabet[next() % alphabet.size()]);
        if (dump(fast, s) != dump(icu, s)) {
            CAPTURE(s);
            CHECK(dump(fast, s) == dump(icu, s));
            if (++differ > 5) break;
        }
    }
    CHECK(differ == 0);
}

TEST_CASE("analysis: the bundled records analyse alike with and without the ASCII fast path") {
    Analyzer fast, icu;
    icu.set_ascii_fast_path(false);
    std::string error;
    auto reader = abstrakt::RecordReader::open(abstrakt::test::data_dir() + "/arxiv-slice.jsonl.gz");
    REQUIRE(reader.is_ok());
    abstrakt::Record r;
    size_t texts = 0;
    while (reader.value()->next(r, error) == abstrakt::RecordReader::Outcome::kRecord) {
        for (const auto* field : {&r.title, &r.abstract})
            for (const auto& t : *field) {
                CAPTURE(r.id);
                CHECK(dump(fast, t.text) == dump(icu, t.text));
                ++texts;
            }
    }
    CHECK(texts > 1000);
}

TEST_CASE("analysis: the stemmers that lang::stem_keeps_first_byte names keep a word's first byte") {
    Analyzer a;
    auto first_kept = [&](const std::string& lang, const std::string& text) {
        std::vector<Token> tokens;
        a.analyze(text, tokens);
        size_t stemmed = 0;
        for (const Token& t : tokens) {
            const std::string s = a.stem(lang, t);
            if (s.empty()) continue;
            CAPTURE(t.folded);
            CAPTURE(s);
            CHECK(s[0] == t.folded[0]);
            ++stemmed;
        }
        return stemmed;
    };
    // Porter2's exceptional forms, German umlauts written out, French and Dutch marked vowels.
    CHECK(first_kept("en", "dying lying tying skies early only gently yearly Yields") == 9);
    CHECK(first_kept("de", "Aerzte Äpfel Übungen Oeffnung yttrium Straße") == 6);
    CHECK(first_kept("fr", "yeux ïambe éléphants") == 3);
    CHECK(first_kept("nl", "yoghurt ijsberen ëlande") == 3);
    CHECK(abstrakt::lang::stem_keeps_first_byte("en"));
    CHECK(abstrakt::lang::stem_keeps_first_byte("zh"));  // English words in Chinese text
    CHECK_FALSE(abstrakt::lang::stem_keeps_first_byte("id"));
    CHECK_FALSE(abstrakt::lang::stem_keeps_first_byte("ar"));
    // Every word of the bundled records, in their own languages.
    std::string error;
    size_t stemmed = 0;
    for (const std::string file : {"/arxiv-slice.jsonl.gz", "/seed/chatpaper-2024-02-29.jsonl"}) {
        auto reader = abstrakt::RecordReader::open(abstrakt::test::data_dir() + file);
        REQUIRE(reader.is_ok());
        abstrakt::Record r;
        while (reader.value()->next(r, error) == abstrakt::RecordReader::Outcome::kRecord)
            for (const auto* field : {&r.title, &r.abstract})
                for (const auto& t : *field)
                    if (abstrakt::lang::stem_keeps_first_byte(abstrakt::lang::primary(t.lang)))
                        stemmed += first_kept(abstrakt::lang::primary(t.lang), t.text);
    }
    CHECK(stemmed > 100000);
}

namespace {

// The tokens of `text` analysed with `wanted`, each as folded|exact (joined chains marked '+').
V wanted_forms(Analyzer& a, const std::string& text, const std::string& first_bytes) {
    std::bitset<256> wanted;
    for (char c : first_bytes) wanted.set(static_cast<unsigned char>(c));
    std::vector<Token> tokens;
    a.analyze(text, tokens, 0, wanted);
    V out;
    for (const Token& t : tokens) out.push_back((t.joined ? "+" : "") + t.folded + "|" + t.exact);
    return out;
}

}  // namespace

TEST_CASE("analysis: with wanted first bytes, other ASCII words are left unfolded, chains by their first part") {
    Analyzer a;
    // By hand: "Multi" (m) and "Über" (not ASCII: always folded) are folded; "View" and "SOTA" are
    // not; the chain "Multi-View" is joined in full because its first part is wanted.
    CHECK(wanted_forms(a, "Multi-View SOTA Über", "m") == V{"multi|multi", "|", "+multiview|multiview", "|", "uber|über"});
    // A chain whose first part is not wanted is joined without its forms, even when a later part is.
    CHECK(wanted_forms(a, "state-of-the-art", "a") == V{"|", "|", "|", "art|art", "+|"});
    CHECK(wanted_forms(a, "state-of-the-art", "s") == V{"state|state", "|", "|", "|", "+stateoftheart|stateoftheart"});
    // Nothing wanted: no ASCII word folded; Chinese is not ASCII and comes as analyze() gives it.
    CHECK(wanted_forms(a, "Diffusion 扩散模型", "") == V{"|", "扩散|扩散", "模型|模型"});
}

TEST_CASE("analysis: with wanted first bytes, the tokens are analyze()'s, forms left out only where unwanted") {
    Analyzer a;
    const std::string first_bytes = "dmst";
    std::bitset<256> wanted;
    for (char c : first_bytes) wanted.set(static_cast<unsigned char>(c));
    auto reader = abstrakt::RecordReader::open(abstrakt::test::data_dir() + "/arxiv-slice.jsonl.gz");
    REQUIRE(reader.is_ok());
    abstrakt::Record r;
    std::string error;
    size_t texts = 0, unfolded = 0, kept = 0;
    while (reader.value()->next(r, error) == abstrakt::RecordReader::Outcome::kRecord) {
        for (const auto* field : {&r.title, &r.abstract})
            for (const auto& t : *field) {
                std::vector<Token> all, some;
                a.analyze(t.text, all);
                a.analyze(t.text, some, 0, wanted);
                CAPTURE(r.id);
                REQUIRE(all.size() == some.size());
                for (size_t k = 0; k < all.size(); ++k) {
                    CHECK(some[k].start == all[k].start);
                    CHECK(some[k].end == all[k].end);
                    CHECK(some[k].pos == all[k].pos);
                    CHECK(some[k].kind == all[k].kind);
                    CHECK(some[k].joined == all[k].joined);
                    if (some[k].folded.empty()) {
                        CHECK_FALSE(wanted[static_cast<unsigned char>(all[k].folded[0])]);
                        CHECK(some[k].exact.empty());
                        ++unfolded;
                    } else {
                        CHECK(some[k].folded == all[k].folded);
                        CHECK(some[k].exact == all[k].exact);
                        ++kept;
                    }
                }
                ++texts;
            }
    }
    CHECK(texts > 1000);
    CHECK(unfolded > 100000);  // both kinds are many
    CHECK(kept > 100000);
}
