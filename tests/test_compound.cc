// German compounds: the splitter (common/compound.h) on a small hand-written vocabulary, its query
// side (searcher/query.cc) and highlighting (searcher/snippet.cc), and searches over the seed listing.
#include "common/compound.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "common/record.h"
#include "common/schema.h"
#include "indexer/ingest.h"
#include "indexer/writer.h"
#include "searcher/engine.h"
#include "searcher/query.h"
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
}
