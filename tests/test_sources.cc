// Behaviour tables for the source adapters (indexer/sources/feed.h) over the fixtures in
// data/feeds/ (data/feeds/README.md says where each comes from). Every expected value was read
// from the fixture by hand.
#include "indexer/sources/feed.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "indexer/sources/feed_util.h"
#include "test_util.h"

using namespace abstrakt;

namespace {

std::string feed_fixture(const std::string& name) {
    std::ifstream in(test::data_dir() + "/feeds/" + name, std::ios::binary);
    if (!in) throw std::runtime_error("missing fixture data/feeds/" + name);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> ids_of(const FeedPage& page) {
    std::vector<std::string> ids;
    for (const Record& r : page.records) ids.push_back(r.id);
    return ids;
}

const Record* find_record(const FeedPage& page, const std::string& id) {
    for (const Record& r : page.records)
        if (r.id == id) return &r;
    return nullptr;
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string en(const std::vector<LangText>& field) {
    const LangText* t = Record::find(field, "en");
    return t ? t->text : "";
}

// Expected fields of one paper; empty / -1 means "not checked here" except where a row says so.
struct Paper {
    std::string fixture;
    std::string id;
    std::string title;
    size_t n_authors;
    std::string first_author;
    std::string last_author;
    std::vector<std::string> categories;
    std::string published;
    int64_t upvotes;   // -1: absent
    int64_t comments;  // -1: absent
    std::string abstract_start;
    std::string abstract_end;
};

void check_paper(const FeedPage& page, const Paper& p) {
    CAPTURE(p.fixture);
    CAPTURE(p.id);
    const Record* r = find_record(page, p.id);
    REQUIRE(r != nullptr);
    REQUIRE(r->title.size() == 1);
    CHECK(r->title[0].lang == "en");
    CHECK(r->title[0].text == p.title);
    CHECK(r->authors.size() == p.n_authors);
    if (!r->authors.empty()) {
        CHECK(r->authors.front() == p.first_author);
        CHECK(r->authors.back() == p.last_author);
    }
    CHECK(r->categories == p.categories);
    CHECK(r->published == p.published);
    CHECK(r->upvotes == (p.upvotes < 0 ? std::optional<int64_t>() : std::optional<int64_t>(p.upvotes)));
    CHECK(r->comments == (p.comments < 0 ? std::optional<int64_t>() : std::optional<int64_t>(p.comments)));
    std::string abstract = en(r->abstract);
    CHECK(starts_with(abstract, p.abstract_start));
    CHECK(ends_with(abstract, p.abstract_end));
    CHECK(abstract.find('\n') == std::string::npos);
    CHECK(abstract.find("  ") == std::string::npos);
    CHECK(r->url == "https://arxiv.org/abs/" + p.id);
    // Whatever an adapter returns is a record abstrakt-index would accept as a JSON Lines line.
    CHECK(parse_record(to_json(*r)).is_ok());
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

TEST_CASE("sources: arXiv ids lose their version, old-style ids are kept") {
    struct Row {
        std::string raw;
        std::string id;  // "": not an arXiv id
    };
    const Row rows[] = {
        {"2402.19173v2", "2402.19173"},
        {"2402.19173", "2402.19173"},
        {"0706.3031v3", "0706.3031"},                                  // four digits after the dot (2007 to 2014)
        {"hep-th/9901001", "hep-th/9901001"},                          // old style kept as is
        {"hep-th/9901001v3", "hep-th/9901001"},
        {"math.AG/0601001v1", "math.AG/0601001"},                      // old style with a subject class
        {"http://arxiv.org/abs/1611.09520v2", "1611.09520"},           // Atom <id>
        {"https://arxiv.org/abs/hep-th/9901001v1", "hep-th/9901001"},
        {"oai:arXiv.org:1401.2122", "1401.2122"},                      // OAI identifier
        {"arXiv:2501.00958", "2501.00958"},
        {" 2405.17247 \n", "2405.17247"},
        {"2402.19173v", ""},                                           // a "v" without a number
        {"2402.19173v2v3", ""},
        {"HEP-TH/9901001", ""},                                        // archives are lower case
        {"hep-th/990100", ""},                                         // old style has seven digits
        {"http://arxiv.org/pdf/1611.09520v2", ""},                     // not an abs URL
        {"1234", ""},
        {"", ""},
    };
    for (const Row& row : rows) {
        CAPTURE(row.raw);
        auto id = feed::arxiv_id(row.raw);
        if (row.id.empty())
            CHECK_FALSE(id.has_value());
        else
            CHECK(id.value_or("(none)") == row.id);
    }
}

TEST_CASE("sources: white space, categories, dates and numbers") {
    struct Collapse {
        std::string in, out;
    };
    const Collapse collapse[] = {
        {"  We introduce a novel\nsystematic construction.\n  In particular,\n", "We introduce a novel systematic construction. In particular,"},
        {"a\t\r\n\f\vb", "a b"},
        {"\xC2\xA0kept\xC2\xA0", "\xC2\xA0kept\xC2\xA0"},  // a non-breaking space is not ASCII white space
        {" \n ", ""},
    };
    for (const Collapse& c : collapse) CHECK(feed::collapse_whitespace(c.in) == c.out);

    struct Category {
        std::string term;
        bool arxiv;
    };
    const Category categories[] = {
        {"cs.CL", true}, {"hep-th", true}, {"physics.soc-ph", true}, {"cond-mat.str-el", true},
        {"astro-ph", true}, {"q-bio.NC", true},
        {"14C20, 14M99", false},                               // MSC classes listed as Atom categories
        {"05E99 (Primary), 05E05, 20B30 (Secondary)", false},
        {"I.2.7", false},                                      // an ACM class
        {"cs.", false}, {"-cs", false}, {"", false},
        {"math.AG", true}, {"solv-int", true},                 // a merged archive, on old papers
        {"cyberinfrastructure", false}, {"Machine learning", false}, {"N/A", false},  // free text
        {"cs.CL cs.AI", false}, {"xx.CL", false}, {"cs.C-", false}, {"cs.C1", false},
    };
    for (const Category& c : categories) {
        CAPTURE(c.term);
        CHECK(is_arxiv_category(c.term) == c.arxiv);
    }

    struct Date {
        std::string in, out;
    };
    const Date dates[] = {
        {"2024-05-27T15:01:23.000Z", "2024-05-27"}, {"2016-11-29T08:18:38Z", "2016-11-29"},
        {"2014-01-09", "2014-01-09"}, {"2024-02-30T00:00:00Z", ""}, {"2024-05-27Z", ""}, {"yesterday", ""}, {"", ""},
    };
    for (const Date& d : dates) CHECK(feed::date_part(d.in) == d.out);

    CHECK(feed::parse_u64(" 24617 ") == std::optional<uint64_t>(24617));
    CHECK(feed::parse_u64("18446744073709551615") == std::optional<uint64_t>(UINT64_MAX));
    CHECK_FALSE(feed::parse_u64("18446744073709551616").has_value());  // one over
    CHECK_FALSE(feed::parse_u64("-1").has_value());
    CHECK_FALSE(feed::parse_u64("").has_value());

    CHECK(feed::author_name(" Philipp  A\nHoehn ") == "Philipp A Hoehn");
    CHECK(feed::author_name(":").empty());         // arXiv's separator between a collaboration and its members
    CHECK(feed::author_name("Søren Hauberg") == "Søren Hauberg");
    CHECK(feed::first_invalid_utf8("ok \xE2\x9C\x93") == std::string_view::npos);
    CHECK(feed::first_invalid_utf8("ab\xC0\xAF") == 2);    // an overlong "/"
    CHECK(feed::first_invalid_utf8("\xED\xA0\x80") == 0);  // a surrogate
}

// ---------------------------------------------------------------------------------------------
// Hugging Face daily papers
// ---------------------------------------------------------------------------------------------

TEST_CASE("sources: HF daily papers: each fixture day gives its papers in order") {
    struct Row {
        std::string fixture, day;
        std::vector<std::string> ids;
    };
    const Row rows[] = {
        {"hf/2024-05-28.json", "2024-05-28", {"2405.17247", "2405.17399", "2405.17430"}},
        {"hf/2025-07-22.json", "2025-07-22", {"2507.14683", "2507.15846", "2507.14843", "2507.15061"}},
        {"hf/2026-08-21.json", "2026-08-21", {"2608.19880", "2608.18580", "2608.20335"}},
        // the older shape: no top-level summary, a mediaUrl, the paper's fields in "paper"
        {"hf/old-schema-2024-03-29.json", "2024-03-29", {"2403.19270", "2403.19046", "2403.19655", "2403.18978", "2403.19319"}},
    };
    for (const Row& row : rows) {
        CAPTURE(row.fixture);
        auto page = parse_hf_daily(feed_fixture(row.fixture), row.day);
        REQUIRE(page.is_ok());
        CHECK(ids_of(page.value()) == row.ids);
        CHECK(page->problems.empty());
        CHECK(page->resumption_token.empty());
        CHECK(page->total_results == 0);
    }
}

TEST_CASE("sources: HF daily papers: the fields of a paper") {
    const Paper rows[] = {
        {"hf/2024-05-28.json", "2405.17247", "An Introduction to Vision-Language Modeling", 41, "Florian Bordes",
         "Vikas Chandra", {}, "2024-05-27", 33, 3,
         "Following the recent popularity of Large Language Models (LLMs), several attempts have been made",
         "we also discuss extending VLMs to videos."},
        {"hf/2024-05-28.json", "2405.17430", "Matryoshka Multimodal Models", 4, "Mu Cai", "Yong Jae Lee", {},
         "2024-05-27", 14, 2, "", ""},
        // title with a hard line break and indentation; the entry's publishedAt is the same day here
        {"hf/2025-07-22.json", "2507.14683",
         "MiroMind-M1: An Open-Source Advancement in Mathematical Reasoning via Context-Aware Multi-Stage Policy Optimization",
         18, "Xingxuan Li", "Lidong Bing", {}, "2025-07-19", 63, 1,
         "Large language models have recently evolved from fluent text generation to advanced reasoning",
         "We hope these resources will support further research and foster community advancement."},
        {"hf/2025-07-22.json", "2507.15061",
         "WebShaper: Agentically Data Synthesizing via Information-Seeking Formalization", 13, "Zhengwei Tao",
         "Jingren Zhou", {}, "2025-07-20", 23, 3, "", ""},
        // regression: the entry's publishedAt (2026-08-19T20:00) is the day before the paper's (2026-08-20T00:00)
        {"hf/2026-08-21.json", "2608.19880", "EnvHarness: Awakening Static Worlds for Agent Learning", 17,
         "Chengsong Huang", "Chen-Yu Lee", {}, "2026-08-20", 163, 1,
         "LLM agents learn by interacting with environments, yet these environments are hand-built and static",
         "targeted co-evolution of the policy and its environment."},
        // regression: the first author's HF account ("user": {"name": "KouShi2"}) is not the author's name
        {"hf/2026-08-21.json", "2608.18580",
         "FACET: Preserving Source Intent and Executable State in Terminal Task Synthesis", 13, "Kou Shi",
         "Feng Zhao", {}, "2026-08-19", 54, 2, "Training terminal agents requires scalable executable supervision",
         "as key principles for scalable terminal-task synthesis."},
        {"hf/old-schema-2024-03-29.json", "2403.19270", "sDPO: Don't Use Your Data All at Once", 7, "Dahyun Kim",
         "Chanjun Park", {}, "2024-03-28", 15, 2,
         "As development of large language models (LLM) progresses, aligning them with human preferences",
         "even outperforming other popular LLMs with more parameters."},
        {"hf/old-schema-2024-03-29.json", "2403.19319",
         "Mesh2NeRF: Direct Mesh Supervision for Neural Radiance Field Representation and Generation", 7,
         "Yujin Chen", "Matthias Nießner", {}, "2024-03-28", 5, 1,
         "We present Mesh2NeRF, an approach to derive ground-truth radiance fields from textured",
         "generation of Objaverse Mugs."},
    };
    for (const Paper& p : rows) {
        auto page = parse_hf_daily(feed_fixture(p.fixture), "");
        REQUIRE(page.is_ok());
        check_paper(page.value(), p);
    }
    // The author's name, not the HF account's full name ("Richard Pang").
    auto page = parse_hf_daily(feed_fixture("hf/2024-05-28.json"), "2024-05-28");
    REQUIRE(page.is_ok());
    CHECK(page->records[0].authors[1] == "Richard Yuanzhe Pang");
}

TEST_CASE("sources: HF daily papers: malformed days are errors that name the problem") {
    struct Row {
        std::string fixture, day;
        std::vector<std::string> parts;  // each must be in the message
    };
    const Row rows[] = {
        {"hf/malformed-2024-12-11-python-repr.json", "2024-12-11",
         {"daily papers for 2024-12-11: ", "entry 1 is a string", "{'paper': {'id': '2412.07730'", "Python repr"}},
        {"hf/malformed-2025-01-10-wrapper.json", "2025-01-10",
         {"daily papers for 2025-01-10: ", "wrapper object", "\"status\"", "\"data\"", "not an array of papers"}},
        {"hf/malformed-2025-01-11-no-data.json", "2025-01-11",
         {"daily papers for 2025-01-11: ", "no data for this day", "\"no_data\"", "No papers found for this date"}},
    };
    for (const Row& row : rows) {
        CAPTURE(row.fixture);
        auto page = parse_hf_daily(feed_fixture(row.fixture), row.day);
        REQUIRE_FALSE(page.is_ok());
        CHECK(page.status().code() == ErrorCode::kInvalidArgument);
        for (const std::string& part : row.parts) {
            CAPTURE(part);
            CHECK(contains(page.message(), part));
        }
    }
    // A body cut short (a dropped connection) fails the whole day, wherever the cut falls: between
    // values, inside a string (the first 20,000 bytes end inside a title), inside a number ("upvotes": 3).
    std::string day = feed_fixture("hf/2024-05-28.json");
    for (size_t size : {day.size() / 2, size_t(20000), day.find("\"upvotes\": 33") + 12, day.size() - 1}) {
        CAPTURE(size);
        auto cut = parse_hf_daily(day.substr(0, size), "2024-05-28");
        REQUIRE_FALSE(cut.is_ok());
        CHECK(contains(cut.message(), "not valid JSON (the body ends too early)"));
    }
}

TEST_CASE("sources: HF daily papers: entries that lack what a record needs are problems") {
    struct Row {
        std::string body;
        std::vector<std::string> ids;
        std::vector<std::string> problems;
    };
    const Row rows[] = {
        {R"([])", {}, {}},  // a day without papers
        {R"([{"paper": {"title": "No id"}}])", {}, {"entry 1: no id"}},
        {R"([{"paper": {"id": "2401.00001"}}])", {}, {"2401.00001: no title"}},
        {R"([{"paper": {"id": "2401.00001", "title": " \n "}, "title": null}])", {}, {"2401.00001: no title"}},
        {R"([{"paper": {"id": 2401.00001, "title": "T"}}])", {}, {"entry 1: the id is a number, not a string"}},
        {R"([{"paper": {"id": "not-an-id", "title": "T"}}])", {}, {"entry 1: id \"not-an-id\" is not an arXiv id"}},
        {R"([{"paper": "2401.00001", "title": "T"}])", {}, {"entry 1: no id"}},  // "paper" is not an object
        // good entries around bad ones are kept
        {R"([{"paper": {"id": "2401.00001", "title": "T"}}, "junk", 5, null, {"paper": {"id": "2401.00002v3", "title": "U"}}])",
         {"2401.00001", "2401.00002"},
         {"entry 2: not a paper object but a string", "entry 3: not a paper object but a number",
          "entry 4: not a paper object but null"}},
        // the same paper twice (once with a version): the first stays
        {R"([{"paper": {"id": "2401.00001", "title": "A"}}, {"paper": {"id": "2401.00001v2", "title": "B"}}])",
         {"2401.00001"}, {"2401.00001: the same id appears earlier on this page"}},
        // no "paper" at all: the entry's own fields
        {R"([{"id": "2401.00001", "title": "Top-level only"}])", {"2401.00001"}, {}},
    };
    for (const Row& row : rows) {
        CAPTURE(row.body);
        auto page = parse_hf_daily(row.body, "2024-01-02");
        REQUIRE(page.is_ok());
        CHECK(ids_of(page.value()) == row.ids);
        CHECK(page->problems == row.problems);
    }
    auto dup = parse_hf_daily(rows[8].body, "");
    REQUIRE(dup.is_ok());
    CHECK(en(dup->records[0].title) == "A");
}

TEST_CASE("sources: HF daily papers: fields of the wrong type are left out, never thrown") {
    const std::string body = R"([
      {"paper": {"id": "2401.00001", "title": "T", "authors": "A B", "upvotes": "12", "publishedAt": 20240101},
       "numComments": -1},
      {"paper": {"id": "2401.00002", "title": ["T"], "summary": 5}, "title": "Top  title", "summary": "Top\nsummary"},
      {"paper": {"id": "2401.00003", "title": "T", "upvotes": 12.0,
                 "authors": [{"name": "A"}, {"name": null}, {"user": {"name": "u"}}, "B  C", 7, {"name": " : "}]},
       "numComments": 1.5},
      {"paper": {"id": "2401.00004", "title": "T", "publishedAt": "2024-02-30T00:00:00Z", "upvotes": 1e300},
       "publishedAt": "2024-02-28T20:00:00Z", "upvotes": 4, "numComments": 18446744073709551615},
      {"paper": {"id": "2401.00005", "title": "T", "upvotes": -3}, "upvotes": 9, "numComments": null}
    ])";
    auto page = parse_hf_daily(body, "");
    REQUIRE(page.is_ok());
    REQUIRE(page->records.size() == 5);
    CHECK(page->problems.empty());
    const Record& a = page->records[0];
    CHECK(a.authors.empty());                 // a string, not an array
    CHECK_FALSE(a.upvotes.has_value());       // "12" is a string
    CHECK(a.published.empty());               // a number
    CHECK_FALSE(a.comments.has_value());      // negative
    const Record& b = page->records[1];
    CHECK(en(b.title) == "Top title");        // the paper's title is not a string: the entry's
    CHECK(en(b.abstract) == "Top summary");
    const Record& c = page->records[2];
    CHECK(c.authors == std::vector<std::string>{"A", "B C"});  // null, nameless, number and ":" dropped
    CHECK(c.upvotes == 12);                   // an integral float
    CHECK_FALSE(c.comments.has_value());      // 1.5
    const Record& d = page->records[3];
    CHECK(d.published == "2024-02-28");       // the paper's date is no calendar day: the entry's
    CHECK(d.upvotes == 4);                    // 1e300 is no counter: the entry's
    CHECK_FALSE(d.comments.has_value());      // over INT64_MAX
    const Record& e = page->records[4];
    CHECK(e.upvotes == 9);
    CHECK_FALSE(e.comments.has_value());
}

TEST_CASE("sources: HF daily papers: hostile bodies are errors") {
    std::string huge = "[" + std::string(kMaxFeedBytes, ' ') + "]";
    struct Row {
        std::string body;
        std::string part;
    };
    const Row rows[] = {
        {"", "empty response"},
        {" \r\n", "empty response"},
        {"null", "the response is null, not an array of papers"},
        {"\"text\"", "the response is a string"},
        {"42", "the response is a number"},
        {"{}", "wrapper object (keys none)"},
        {std::string(100000, '['), "nested deeper than 64 levels"},
        {std::string(100000, '[') + std::string(100000, ']'), "nested deeper than 64 levels"},
        {"[\"\xff\"]", "invalid UTF-8 near byte 3"},
        {R"(["\ud800"])", "not valid JSON"},  // a lone surrogate escape
        {"[1, 2", "the body ends too early"},
        {R"([{"paper": {"id": "2401.00001", "title": "T"}}] trailing)", "not valid JSON"},
        {std::string("[\0]", 3), "not valid JSON"},
        {"\xEF\xBB\xBF{\"status\": \"no_data\"}", "no data for this day"},  // a byte order mark is read past
        {huge, "over the limit of 67108864 bytes"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.body.substr(0, 40));
        auto page = parse_hf_daily(row.body, "2025-01-11");
        REQUIRE_FALSE(page.is_ok());
        CHECK(page.status().code() == ErrorCode::kInvalidArgument);
        CHECK(contains(page.message(), row.part));
        CHECK(starts_with(page.message(), "daily papers for 2025-01-11: "));
    }
}

// ---------------------------------------------------------------------------------------------
// arXiv OAI-PMH
// ---------------------------------------------------------------------------------------------

namespace {

using test::oai_list;
using test::oai_record;

}  // namespace

TEST_CASE("sources: OAI-PMH: a harvest in two pages, by resumption token") {
    struct Row {
        std::string fixture;
        std::vector<std::string> ids;
        std::string token;
        uint64_t complete_list_size, cursor;
    };
    const Row rows[] = {
        // the first page's token asks for the next one
        {"oai/listrecords-page1-hep-ex.xml", {"1706.05371", "1706.09418", "1707.00874"}, "6960524|1001", 6, 0},
        // the last page has an empty token: the list is complete
        {"oai/listrecords-page2-hep-th.xml", {"1412.8323", "1507.07790", "1607.01710"}, "", 6, 3},
        // GetRecord has no token at all
        {"oai/getrecord-1401.2122.xml", {"1401.2122"}, "", 0, 0},
    };
    for (const Row& row : rows) {
        CAPTURE(row.fixture);
        auto page = parse_oai_pmh(feed_fixture(row.fixture));
        REQUIRE(page.is_ok());
        CHECK(ids_of(page.value()) == row.ids);
        CHECK(page->problems.empty());
        CHECK(page->resumption_token == row.token);
        CHECK(page->total_results == row.complete_list_size);
        CHECK(page->start_index == row.cursor);
        CHECK(page->items_per_page == 0);
    }
}

TEST_CASE("sources: OAI-PMH: the fields of a record") {
    const Paper rows[] = {
        {"oai/listrecords-page1-hep-ex.xml", "1706.05371",
         "Evaluation of Silicon Photomultipliers for use as Photosensors in Liquid Xenon Detectors", 13,
         "Tyler Anderson", "Mani Tripathi", {"physics.ins-det", "hep-ex"}, "2017-06-16", -1, -1,
         "Silicon photomultipliers (SiPMs) are potential solid-state alternatives to traditional photomultiplier",
         "photon detection efficiency."},
        // <created> (2017-07-04) is the first version; <updated> and <datestamp> are not
        {"oai/listrecords-page1-hep-ex.xml", "1707.00874",
         "Implications of right-handed neutrinos in $B-L$ extended standard model with scalar dark matter", 3,
         "Priyotosh Bandyopadhyay", "Rusa Mandal", {"hep-ph", "astro-ph.CO", "hep-ex"}, "2017-07-04", -1, -1,
         "We investigate the Standard Model (SM) with a $U(1)_{B-L}$ gauge extension", "sim 5.5$ TeV."},
        {"oai/listrecords-page2-hep-th.xml", "1412.8323",
         "Toolbox for reconstructing quantum theory from rules on information acquisition", 1, "Philipp A Hoehn",
         "Philipp A Hoehn", {"quant-ph", "gr-qc", "hep-th", "math-ph", "math.MP", "physics.hist-ph"}, "2014-12-29",
         -1, -1, "We develop an operational approach", "in terms of questions."},
        {"oai/listrecords-page2-hep-th.xml", "1607.01710",
         "Refinements of the Weyl pure geometrical thick branes from information-entropic measure", 5,
         "R. A. C. Correa", "C. A. S. Almeida", {"hep-th"}, "2016-07-06", -1, -1, "This letter aims", "from the CE."},
        // an indented second paragraph in the abstract ("\n  In particular") collapses to one space
        {"oai/getrecord-1401.2122.xml", "1401.2122", "New integrable (3+1)-dimensional systems and contact geometry", 1,
         "A. Sergyeyev", "A. Sergyeyev", {"math.AP", "hep-th", "math-ph", "math.DG", "math.MP", "nlin.SI"},
         "2014-01-09", -1, -1,
         "We introduce a novel systematic construction for integrable (3+1)-dimensional dispersionless systems "
         "using nonisospectral Lax pairs that involve contact vector fields. In particular, we present",
         "rational in the spectral parameter."},
        // regression: <arXiv> without its namespace declaration (the fixture's source edited it); a
        // collaboration with only a keyname
        {"oai/getrecord-1601.03238-no-namespace.xml", "1601.03238",
         "Irreversible degradation of quantum coherence under relativistic motion", 5, "Planck Collaboration",
         "Heng Fan", {"quant-ph", "gr-qc", "hep-th", "chao-dyn", "nlin.CD"}, "2016-01-13", -1, -1,
         "We study the dynamics of quantum coherence", "to the acceleration of the detector."},
        // 66 <author>s, one of them ":" (dropped); one with a <suffix>
        {"oai/getrecord-1603.05976.xml", "1603.05976",
         "BICEP2 / Keck Array VII: Matrix based E/B Separation applied to BICEP2 and the Keck Array", 65,
         "Keck Array", "K. W. Yoon", {"astro-ph.IM", "astro-ph.CO"}, "2016-03-18", -1, -1,
         "A linear polarization field on the sphere", "ratio of $r<1\\times10^{-4}$."},
    };
    for (const Paper& p : rows) {
        auto page = parse_oai_pmh(feed_fixture(p.fixture));
        REQUIRE(page.is_ok());
        check_paper(page.value(), p);
    }
    auto page = parse_oai_pmh(feed_fixture("oai/getrecord-1603.05976.xml"));
    REQUIRE(page.is_ok());
    const auto& authors = page->records[0].authors;
    CHECK(authors[1] == "BICEP2 Collaborations");
    CHECK(authors[2] == "P. Ade");          // after ":"
    CHECK(authors[44] == "R. W. IV");       // <keyname>W.</keyname><forenames>R.</forenames><suffix>IV</suffix>
    CHECK(authors[43] == "R. O'Brient");
}

TEST_CASE("sources: OAI-PMH: error responses") {
    // noRecordsMatch: nothing in the window, which is an empty and complete list
    auto none = parse_oai_pmh(feed_fixture("oai/error-noRecordsMatch.xml"));
    REQUIRE(none.is_ok());
    CHECK(none->records.empty());
    CHECK(none->problems.empty());
    CHECK(none->resumption_token.empty());

    struct Row {
        std::string body;
        std::vector<std::string> parts;
    };
    const Row rows[] = {
        {feed_fixture("oai/error-badResumptionToken.xml"),
         {"OAI-PMH error badResumptionToken", "The value of the resumptionToken argument is invalid or expired."}},
        {R"(<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="badArgument">bad from</error>)"
         R"(<error code="cannotDisseminateFormat">no such prefix</error></OAI-PMH>)",
         {"badArgument: bad from; cannotDisseminateFormat: no such prefix"}},
        {R"(<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><Identify/></OAI-PMH>)",
         {"without ListRecords or GetRecord"}},
        {feed_fixture("atom/deep_dream-0.atom"), {"not an OAI-PMH response: the root element is <feed>"}},
        // the right element names in no namespace are not OAI-PMH
        {R"(<OAI-PMH><ListRecords/></OAI-PMH>)", {"not an OAI-PMH response"}},
    };
    for (const Row& row : rows) {
        CAPTURE(row.body.substr(0, 80));
        auto page = parse_oai_pmh(row.body);
        REQUIRE_FALSE(page.is_ok());
        CHECK(page.status().code() == ErrorCode::kInvalidArgument);
        for (const std::string& part : row.parts) CHECK(contains(page.message(), part));
    }
}

TEST_CASE("sources: OAI-PMH: records that lack what a record needs are problems") {
    struct Row {
        std::string inner;
        std::vector<std::string> ids;
        std::vector<std::string> problems;
    };
    const Row rows[] = {
        // a deleted record is not a problem (it is in FeedPage::deleted, checked below) unless it has no id
        {R"(<record><header status="deleted"><identifier>oai:arXiv.org:1401.0001</identifier></header></record>)",
         {}, {}},
        {R"(<record><header status="deleted"><identifier>oai:other.org:7</identifier></header></record>)",
         {}, {"oai:other.org:7: a deleted record without an arXiv identifier"}},
        {R"(<record><header><identifier>oai:arXiv.org:1401.0001</identifier></header></record>)", {},
         {"oai:arXiv.org:1401.0001: no <metadata>"}},
        {R"(<record><header><identifier>oai:arXiv.org:1401.0001</identifier></header><metadata>)"
         R"(<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"/></metadata></record>)",
         {}, {"oai:arXiv.org:1401.0001: the metadata is not in the arXiv format (<oai_dc:dc>)"}},
        {oai_record("oai:arXiv.org:1401.0001", "<id>1401.0001</id>"), {}, {"1401.0001: no title"}},
        {oai_record("oai:arXiv.org:x", "<id>nonsense</id><title>T</title>"), {},
         {"oai:arXiv.org:x: \"nonsense\" is not an arXiv id"}},
        {R"(<record><metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><title>T</title></arXiv></metadata></record>)",
         {}, {"record 1: no <id> and no identifier"}},
        // no <id> in the metadata: the header's identifier gives it
        {oai_record("oai:arXiv.org:hep-th/9901001", "<title>T</title>"), {"hep-th/9901001"}, {}},
        {oai_record("oai:arXiv.org:1401.0001", "<id>1401.0001</id><title>A</title>") +
             oai_record("oai:arXiv.org:1401.0002", "<id>1401.0002</id>"),
         {"1401.0001"}, {"1401.0002: no title"}},
    };
    for (const Row& row : rows) {
        CAPTURE(row.inner);
        auto page = parse_oai_pmh(oai_list(row.inner));
        REQUIRE(page.is_ok());
        CHECK(ids_of(page.value()) == row.ids);
        CHECK(page->problems == row.problems);
    }

    // Deleted records: their ids, version suffix and old style included, in the order given; a
    // deletion of an id already on the page is a problem.
    auto deletions = parse_oai_pmh(oai_list(
        R"(<record><header status="deleted"><identifier>oai:arXiv.org:1401.0001</identifier></header></record>)"
        R"(<record><header status="deleted"><identifier>oai:arXiv.org:hep-th/9901001v2</identifier></header></record>)" +
        oai_record("oai:arXiv.org:1401.0003", "<id>1401.0003</id><title>T</title>") +
        R"(<record><header status="deleted"><identifier>oai:arXiv.org:1401.0003</identifier></header></record>)"));
    REQUIRE(deletions.is_ok());
    CHECK(deletions->deleted == std::vector<std::string>{"1401.0001", "hep-th/9901001"});
    CHECK(ids_of(deletions.value()) == std::vector<std::string>{"1401.0003"});
    CHECK(deletions->problems == std::vector<std::string>{"1401.0003: the same id appears earlier on this page"});

    // A <created> that is no date gives way to the datestamp; categories repeat once; a token's
    // attributes that are not numbers read as 0.
    auto page = parse_oai_pmh(oai_list(
        oai_record("oai:arXiv.org:1401.0001",
                   "<id>1401.0001v2</id><created>2014-13-45</created><title>T</title>"
                   "<categories> cs.CL  cs.LG\ncs.CL </categories><authors><author><forenames>Ada</forenames></author>"
                   "<author><keyname>Lovelace</keyname><keyname>King</keyname></author></authors>") +
        R"(<resumptionToken cursor="abc" completeListSize="-1"> 123|456 </resumptionToken>)"));
    REQUIRE(page.is_ok());
    REQUIRE(page->records.size() == 1);
    const Record& r = page->records[0];
    CHECK(r.id == "1401.0001");
    CHECK(r.published == "2018-01-25");
    CHECK(r.categories == std::vector<std::string>{"cs.CL", "cs.LG"});
    CHECK(r.authors == std::vector<std::string>{"Ada", "Lovelace King"});
    CHECK(page->resumption_token == "123|456");
    CHECK(page->start_index == 0);
    CHECK(page->total_results == 0);
}

// ---------------------------------------------------------------------------------------------
// arXiv API (Atom)
// ---------------------------------------------------------------------------------------------

TEST_CASE("sources: Atom: three pages and their paging numbers") {
    struct Row {
        std::string fixture;
        uint64_t total, start, per_page;
        size_t count;
        std::string first, last;
    };
    const Row rows[] = {
        {"atom/deep_dream-0.atom", 24617, 0, 10, 10, "1611.09520", "1403.7984"},
        {"atom/deep_dream-1.atom", 24617, 1, 10, 10, "1511.08339", "1604.07600"},
        {"atom/deep_dream-2.atom", 24617, 2, 10, 10, "1612.03659", "1701.04738"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.fixture);
        auto page = parse_arxiv_atom(feed_fixture(row.fixture));
        REQUIRE(page.is_ok());
        CHECK(page->total_results == row.total);
        CHECK(page->start_index == row.start);
        CHECK(page->items_per_page == row.per_page);
        REQUIRE(page->records.size() == row.count);
        CHECK(page->records.front().id == row.first);
        CHECK(page->records.back().id == row.last);
        CHECK(page->problems.empty());
        CHECK(page->resumption_token.empty());
    }
}

TEST_CASE("sources: Atom: the fields of an entry") {
    const Paper rows[] = {
        // the title breaks a line and indents; the primary category is also listed as a category
        {"atom/deep_dream-0.atom", "1611.09520",
         "Hierarchical Neural Representation of Dreamed Objects Revealed by Brain Decoding with Deep Neural Network Features",
         2, "Tomoyasu Horikawa", "Yukiyasu Kamitani", {"q-bio.NC"}, "2016-11-29", -1, -1,
         "Dreaming is generally thought to be generated by spontaneous brain activity during sleep",
         "phenomenal aspects of dream experience."},
        {"atom/deep_dream-0.atom", "1612.03659", "Unraveling reported dreams with text analytics", 6, "Iris Hendrickx", "Wessel Stoop", {"cs.CL"}, "2016-12-12",
         -1, -1, "", ""},
        // the MSC classes listed as a category ("14C20, 14M99") are not arXiv categories
        {"atom/deep_dream-0.atom", "1304.8005", "Examples of Mori dream spaces with Picard number two", 1, "Atsushi Ito", "Atsushi Ito", {"math.AG"}, "2013-04-30", -1,
         -1, "", ""},
        {"atom/deep_dream-0.atom", "1402.2297", "Connecting Dream Networks Across Cultures", 2, "Onur Varol", "Filippo Menczer", {"cs.SI", "physics.soc-ph"},
         "2014-02-10", -1, -1, "", ""},
        {"atom/deep_dream-0.atom", "1510.02795",
         "Dreaming More Data: Class-dependent Distributions over Diffeomorphisms for Learned Data Augmentation", 5, "Søren Hauberg", "Lars Kai Hansen", {"cs.CV"}, "2015-10-09",
         -1, -1, "", ""},
        {"atom/deep_dream-2.atom", "1701.04738", "Mori Dream Spaces and Blow-Ups", 1, "Ana-Maria Castravet",
         "Ana-Maria Castravet", {"math.AG", "math.AC"}, "2017-01-17", -1, -1,
         "The goal of the present article is to survey the general theory of Mori Dream Spaces, with special regards",
         "whose blow-up at a general point is not a Mori Dream Space."},
    };
    for (const Paper& p : rows) {
        auto page = parse_arxiv_atom(feed_fixture(p.fixture));
        REQUIRE(page.is_ok());
        check_paper(page.value(), p);
    }
    auto page = parse_arxiv_atom(feed_fixture("atom/deep_dream-0.atom"));
    REQUIRE(page.is_ok());
    CHECK(find_record(page.value(), "1612.03659")->authors[3] == "Ali Hürriyetoğlu");
    CHECK(en(find_record(page.value(), "1511.08339")->title) == "Dreaming of atmospheres");
}

TEST_CASE("sources: Atom: arXiv's error feed is an error, entries without an id or title are problems") {
    // arXiv's answer to id_list=1309.119 (an id one digit short), in the API's error-entry form.
    auto error = parse_arxiv_atom(R"(<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1309.119</id>
    <title>Error</title>
    <summary>incorrect id format for 1309.119</summary>
  </entry>
</feed>)");
    REQUIRE_FALSE(error.is_ok());
    CHECK(error.message() == "arXiv API error: incorrect id format for 1309.119");

    auto page = parse_arxiv_atom(R"(<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"
      xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
  <opensearch:totalResults>lots</opensearch:totalResults>
  <entry><title>No id</title></entry>
  <entry><id>http://example.org/paper/7</id><title>Elsewhere</title></entry>
  <entry><id>http://arxiv.org/abs/2401.00002v1</id><title> </title></entry>
  <entry><id>http://arxiv.org/abs/2401.00003v4</id><title>Kept</title><published>soon</published>
    <category term="cs.LG"/><category term="I.2.7"/><category term="cs.CL"/><arxiv:primary_category term="cs.CL"/>
    <author><name>  Ada   Lovelace </name></author><author><name/></author><author/></entry>
  <entry><id>http://arxiv.org/abs/2401.00003v5</id><title>Again</title></entry>
</feed>)");
    REQUIRE(page.is_ok());
    CHECK(page->total_results == 0);  // "lots" is not a number
    CHECK(page->problems == std::vector<std::string>{
                                "entry 1: no <id>",
                                "entry 2: <id> \"http://example.org/paper/7\" is not an arXiv abs URL",
                                "2401.00002: no title",
                                "2401.00003: the same id appears earlier on this page",
                            });
    REQUIRE(page->records.size() == 1);
    const Record& r = page->records[0];
    CHECK(r.id == "2401.00003");
    CHECK(r.categories == std::vector<std::string>{"cs.CL", "cs.LG"});  // primary first, ACM class dropped
    CHECK(r.authors == std::vector<std::string>{"Ada Lovelace"});
    CHECK(r.published.empty());
    CHECK(r.abstract.empty());
}

// ---------------------------------------------------------------------------------------------
// Hostile XML, for both XML adapters
// ---------------------------------------------------------------------------------------------

TEST_CASE("sources: XML adapters refuse hostile bodies without loading or expanding anything") {
    const std::string atom_head = R"(<feed xmlns="http://www.w3.org/2005/Atom">)";
    const std::string entry =
        R"(<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>&xxe;</title><summary>&lol9;</summary></entry>)";
    std::string utf16;  // UTF-16LE with a byte order mark: the prolog scan cannot read it, the parser can
    {
        std::string ascii = R"(<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>)" +
                            atom_head + "</feed>";
        utf16 = "\xFF\xFE";
        for (char c : ascii) {
            utf16 += c;
            utf16 += '\0';
        }
    }
    std::string laughs = R"(<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY lol "lol">)";
    laughs += R"(<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">)";
    for (int i = 2; i <= 9; ++i)
        laughs += "<!ENTITY lol" + std::to_string(i) + " \"" + [&] {
            std::string s;
            for (int k = 0; k < 10; ++k) s += "&lol" + std::to_string(i - 1) + ";";
            return s;
        }() + "\">";
    laughs += "<!ENTITY xxe \"x\">]>" + atom_head + entry + "</feed>";
    std::string deep = atom_head;
    for (int i = 0; i < 5000; ++i) deep += "<entry>";
    std::string atom = feed_fixture("atom/deep_dream-0.atom");

    struct Row {
        std::string name;
        std::string body;
        std::string part;  // in the message
    };
    const Row rows[] = {
        {"empty", "", "empty response"},
        {"not XML", "{\"status\": \"no_data\"}", "not well-formed XML"},
        {"truncated", atom.substr(0, atom.size() / 2), "not well-formed XML"},
        {"external entity",
         R"(<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>)" + atom_head + entry + "</feed>",
         "DOCTYPE"},
        {"external DTD over the network",
         R"(<?xml version="1.0"?><!-- c --><!DOCTYPE feed SYSTEM "http://127.0.0.1:9/evil.dtd">)" + atom_head + "</feed>",
         "DOCTYPE"},
        {"billion laughs", laughs, "DOCTYPE"},
        {"DOCTYPE in UTF-16", utf16, "DOCTYPE"},
        {"undeclared entity", atom_head + entry + "</feed>", "not well-formed XML"},
        {"invalid UTF-8", atom_head + "<title>\xff</title></feed>", "not well-formed XML"},
        {"nested 5000 deep", deep, "not well-formed XML"},
        {"over the size limit", atom_head + std::string(kMaxFeedBytes, ' ') + "</feed>", "over the limit"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.name);
        auto a = parse_arxiv_atom(row.body);
        auto o = parse_oai_pmh(row.body);
        for (const auto* page : {&a, &o}) {
            REQUIRE_FALSE(page->is_ok());
            CHECK(page->status().code() == ErrorCode::kInvalidArgument);
            CHECK(contains(page->message(), row.part));
            CHECK_FALSE(contains(page->message(), "root:"));  // nothing of /etc/passwd
        }
    }
    // Line numbers in parser messages point at the damage.
    auto cut = parse_oai_pmh("<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\">\n<ListRecords>\n<record>");
    REQUIRE_FALSE(cut.is_ok());
    CHECK(contains(cut.message(), "not well-formed XML: line 3: "));
}

TEST_CASE("sources: adapters parse on several threads at once") {
    const std::vector<std::string> atom = {feed_fixture("atom/deep_dream-0.atom"), feed_fixture("atom/deep_dream-1.atom"),
                                           feed_fixture("atom/deep_dream-2.atom")};
    const std::string oai = feed_fixture("oai/listrecords-page1-hep-ex.xml");
    const std::string hf = feed_fixture("hf/2025-07-22.json");
    auto digest = [&] {
        std::vector<Result<FeedPage>> pages;
        for (const std::string& body : atom) pages.push_back(parse_arxiv_atom(body));
        pages.push_back(parse_oai_pmh(oai));
        pages.push_back(parse_hf_daily(hf, ""));
        std::string out;
        for (const auto& page : pages) {
            if (!page.is_ok()) return "error: " + page.message();
            for (const Record& r : page->records) out += to_json(r);
        }
        return out;
    };
    const std::string expected = digest();
    std::vector<std::string> got(4);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < got.size(); ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 5; ++i) got[t] = digest();
        });
    for (auto& th : threads) th.join();
    for (const std::string& g : got) CHECK(g == expected);
}
