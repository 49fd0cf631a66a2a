#include "indexer/document.h"

#include <set>

#include "common/lang.h"
#include "common/schema.h"
#include "common/text.h"

namespace abstrakt {

namespace {

// Indexes one text of one field (`field` its prefix, "" for an abstract: no field terms). Positions
// start at `pos` and the next free position (after a gap, so that no phrase spans two texts) is
// returned. `german`: the text's primary language is "de", and its words go to the German vocabulary
// too.
Xapian::termpos index_text(Xapian::Document& doc, Analyzer& analyzer, std::vector<Token>& tokens,
                           std::string_view text, std::string_view primary_lang, const std::string& field,
                           Xapian::termcount wdf, bool stem, bool field_positions, Xapian::termpos pos,
                           std::vector<std::string>* spelling, bool german) {
    tokens.clear();
    analyzer.analyze(text, tokens, pos);
    Xapian::termpos last = pos;
    const std::string stem_field = std::string(schema::kPrefixStem) + field;
    for (const Token& t : tokens) {
        doc.add_posting(t.folded, t.pos, wdf);
        if (field_positions) doc.add_posting(field + t.folded, t.pos);
        // The form with its diacritics, without positions: lets "Müller" rank above "Muller" for a
        // query typed with the umlaut, while both match either. Not when it is too long for a term:
        // a letter followed by a hundred combining marks folds to one letter and keeps every mark
        // here, and Xapian would refuse the document and with it the whole commit (found by fuzzing,
        // tests/fuzz/regressions/README.md). The folded form still indexes the word.
        if (t.exact != t.folded && t.exact.size() <= schema::kMaxTermBytes) doc.add_term(t.exact, wdf);
        if (stem) {
            std::string s = analyzer.stem(primary_lang, t);
            if (!s.empty()) {
                doc.add_term(schema::kPrefixStem + s, wdf);
                if (!field.empty()) doc.add_term(stem_field + s);
            }
        }
        // The German vocabulary (schema.h: kPrefixGermanWord). Joined chains are left out: their parts
        // are words of their own here, and "attentionsprachmodelle" is no word anybody wrote.
        if (german && t.kind == TokenKind::kWord && !t.joined) doc.add_term(schema::kPrefixGermanWord + t.folded, 0);
        if (spelling && t.kind == TokenKind::kWord && !t.joined && t.folded.size() >= schema::kSpellingMinBytes &&
            t.folded.size() <= schema::kSpellingMaxBytes)
            spelling->push_back(t.folded);
        last = std::max(last, t.pos);
    }
    return last + schema::kFieldGap;
}

}  // namespace

Xapian::Document build_document(const Record& r, Analyzer& analyzer, std::vector<std::string>* spelling,
                                const IndexParams& params) {
    Xapian::Document doc;
    std::vector<Token> tokens;
    std::set<std::string> langs;
    Xapian::termpos pos = 1;

    doc.add_boolean_term(schema::kPrefixId + r.id);
    for (const LangText& t : r.title) {
        std::string p = lang::primary(t.lang);
        langs.insert(p);
        pos = index_text(doc, analyzer, tokens, t.text, p, schema::kPrefixTitle, params.title_wdf, true, true, pos, spelling,
                         p == "de");
    }
    for (const LangText& t : r.abstract) {
        std::string p = lang::primary(t.lang);
        langs.insert(p);
        // No field terms: the abstract's words are what the unprefixed counts leave (schema.h).
        pos = index_text(doc, analyzer, tokens, t.text, p, schema::kPrefixNone, params.abstract_wdf, true, false, pos, spelling,
                         p == "de");
    }
    // Names are not stemmed: "Williams" is not "William".
    for (const std::string& author : r.authors)
        pos = index_text(doc, analyzer, tokens, author, "", schema::kPrefixAuthor, params.author_wdf, false, true, pos, nullptr,
                         false);

    // The id as a free-text word when it is one ("2402.19173"), so that typing it finds the paper.
    tokens.clear();
    analyzer.analyze(r.id, tokens);
    if (tokens.size() == 1 && tokens[0].start == 0 && tokens[0].end == r.id.size()) doc.add_term(tokens[0].folded, params.id_wdf);

    for (const std::string& c : r.categories)
        if (c.size() < 100) doc.add_boolean_term(schema::kPrefixCategory + ascii_lower(c));
    auto join = [](const auto& items) {
        std::string out;
        for (const std::string& item : items) {
            if (!out.empty()) out += schema::kValueListSeparator;
            out += item;
        }
        return out;
    };
    for (const std::string& l : langs) doc.add_boolean_term(schema::kPrefixLang + l);
    doc.add_value(schema::kSlotLangs, join(langs));
    std::vector<std::string> categories;
    for (const std::string& c : r.categories)
        if (c.find(schema::kValueListSeparator) == std::string::npos) categories.push_back(c);
    if (!categories.empty()) doc.add_value(schema::kSlotCategories, join(categories));
    if (!r.published.empty()) {
        doc.add_value(schema::kSlotDate, r.published);
        doc.add_value(schema::kSlotYear, r.published.substr(0, 4));
        doc.add_boolean_term(schema::kPrefixYear + r.published.substr(0, 4));
    }
    if (r.upvotes) doc.add_value(schema::kSlotUpvotes, Xapian::sortable_serialise(static_cast<double>(*r.upvotes)));
    if (r.comments) doc.add_value(schema::kSlotComments, Xapian::sortable_serialise(static_cast<double>(*r.comments)));
    doc.add_value(schema::kSlotId, r.id);
    doc.add_value(schema::kSlotDateId, (r.published.empty() ? std::string("0000-00-00") : r.published) + r.id);
    doc.set_data(to_json(r));
    return doc;
}

}  // namespace abstrakt
