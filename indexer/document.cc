#include "indexer/document.h"

#include <set>

#include "common/lang.h"
#include "common/schema.h"
#include "common/text.h"

namespace abstrakt {

namespace {

// The display form of `t` (schema.h: kPrefixDisplay): the word as `text` has it. Not for the parts of a
// hyphenated chain (the chain is kept whole, as its joined word), nor for a form that holds a space or
// a control character (a chain broken over lines) or is too long for a term.
void add_display_form(Xapian::Document& doc, const Token& t, std::string_view text) {
    if (!t.joined && t.end < text.size() && text[t.end] == '-') return;  // a part before a hyphen
    if (!t.joined && t.start > 0 && text[t.start - 1] == '-') return;   // a part after one
    std::string_view written = text.substr(t.start, t.end - t.start);
    for (char c : written)
        if (static_cast<unsigned char>(c) <= 0x20) return;
    std::string term = schema::kPrefixDisplay + t.folded + schema::kDisplaySeparator + std::string(written);
    if (term.size() <= schema::kMaxTermBytes) doc.add_term(term, 0);
}

// Indexes one text of one field (`field` its prefix, "" for an abstract: no field terms). Positions
// start at `pos` and the next free position (after a gap, so that no phrase spans two texts) is
// returned. `german`: the text's primary language is "de", and its words go to the German vocabulary
// too. `display`: its words' display forms are kept (schema.h: kPrefixDisplay); `pairs`: its adjacent
// words are kept as title pairs (kPrefixTitlePair).
Xapian::termpos index_text(Xapian::Document& doc, Analyzer& analyzer, std::vector<Token>& tokens,
                           std::string_view text, std::string_view primary_lang, const std::string& field,
                           Xapian::termcount wdf, bool stem, bool field_positions, Xapian::termpos pos,
                           std::vector<std::string>* spelling, bool german, bool display = false, bool pairs = false) {
    tokens.clear();
    analyzer.analyze(text, tokens, pos);
    Xapian::termpos last = pos;
    const std::string stem_field = std::string(schema::kPrefixStem) + field;
    const Token* previous = nullptr;  // the last word that was not a joined chain (pairs)
    for (const Token& t : tokens) {
        if (display && t.kind != TokenKind::kNumber) add_display_form(doc, t, text);
        if (pairs && !t.joined) {
            if (previous && previous->pos + 1 == t.pos) {
                std::string pair = schema::kPrefixTitlePair + previous->folded + ' ' + t.folded;
                if (pair.size() <= schema::kMaxTermBytes) doc.add_term(pair, 1);
            }
            previous = &t;
        }
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
                         p == "de", true, true);
    }
    for (const LangText& t : r.abstract) {
        std::string p = lang::primary(t.lang);
        langs.insert(p);
        // No field terms: the abstract's words are what the unprefixed counts leave (schema.h).
        pos = index_text(doc, analyzer, tokens, t.text, p, schema::kPrefixNone, params.abstract_wdf, true, false, pos, spelling,
                         p == "de", true);
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
    doc.set_data(to_stored(r));
    return doc;
}

}  // namespace abstrakt
