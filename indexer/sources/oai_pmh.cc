// arXiv OAI-PMH responses (ListRecords, GetRecord; metadataPrefix=arXiv) to records.
#include <string>

#include "indexer/sources/feed.h"
#include "indexer/sources/feed_util.h"
#include "indexer/sources/xml_util.h"

namespace abstrakt {

namespace {

const std::initializer_list<const char*> kOaiNs = {xml::kOai};
// The <arXiv> metadata element and its children should be in the arXiv OAI namespace; a response
// that forgot the declaration puts them in the OAI-PMH default namespace (or none): read them too.
const std::initializer_list<const char*> kMetaNs = {xml::kArxivOai, xml::kOai, xml::kNoNamespace};

// "Forenames Keyname Suffix" from <author><keyname/><forenames/><suffix/></author>; several keynames
// (which the schema does not allow, but which happens) are all kept, in order.
std::string oai_author(xmlNode* author) {
    std::string forenames, keynames, suffix;
    auto append = [](std::string& to, const std::string& part) {
        if (part.empty()) return;
        if (!to.empty()) to += ' ';
        to += part;
    };
    for (xmlNode* p = xml::element(author->children); p; p = xml::element(p->next)) {
        std::string t = feed::collapse_whitespace(xml::text(p));
        if (xml::is(p, "keyname", kMetaNs))
            append(keynames, t);
        else if (xml::is(p, "forenames", kMetaNs))
            append(forenames, t);
        else if (xml::is(p, "suffix", kMetaNs))
            append(suffix, t);
    }
    std::string name = forenames;
    append(name, keynames);
    append(name, suffix);
    return feed::author_name(name);
}

void read_record(xmlNode* record, size_t n, feed::PageBuilder& builder) {
    std::string where = "record " + std::to_string(n);
    xmlNode* header = xml::child(record, "header", kOaiNs);
    std::string identifier = feed::collapse_whitespace(xml::text(xml::child(header, "identifier", kOaiNs)));
    if (!identifier.empty()) where = identifier;
    if (xml::attribute(header, "status").value_or("") == "deleted") {
        // A deleted record has a header and no metadata: its identifier is all there is.
        auto id = feed::arxiv_id(identifier);
        if (!id) return builder.problem(where, "a deleted record without an arXiv identifier");
        return builder.deleted(*id);
    }

    xmlNode* metadata = xml::child(record, "metadata", kOaiNs);
    if (!metadata) return builder.problem(where, "no <metadata>");
    xmlNode* arxiv = xml::child(metadata, "arXiv", kMetaNs);
    if (!arxiv) {
        xmlNode* other = xml::element(metadata->children);
        return builder.problem(where, "the metadata is not in the arXiv format (" +
                                          (other ? xml::describe(other) : std::string("empty")) + ")");
    }

    std::string raw_id = feed::collapse_whitespace(xml::text(xml::child(arxiv, "id", kMetaNs)));
    if (raw_id.empty()) raw_id = identifier;
    if (raw_id.empty()) return builder.problem(where, "no <id> and no identifier");
    auto id = feed::arxiv_id(raw_id);
    if (!id) return builder.problem(where, "\"" + raw_id + "\" is not an arXiv id");

    Record r;
    r.id = *id;
    where = r.id;
    std::string title = feed::collapse_whitespace(xml::text(xml::child(arxiv, "title", kMetaNs)));
    if (title.empty()) return builder.problem(where, "no title");
    r.title.push_back({"en", title});
    std::string abstract = feed::collapse_whitespace(xml::text(xml::child(arxiv, "abstract", kMetaNs)));
    if (!abstract.empty()) r.abstract.push_back({"en", abstract});
    if (xmlNode* authors = xml::child(arxiv, "authors", kMetaNs)) {
        for (xmlNode* a = xml::element(authors->children); a; a = xml::element(a->next)) {
            if (!xml::is(a, "author", kMetaNs)) continue;
            std::string name = oai_author(a);
            if (!name.empty()) r.authors.push_back(std::move(name));
        }
    }
    // <categories> lists the primary category first, separated by spaces.
    std::string cats = xml::text(xml::child(arxiv, "categories", kMetaNs));
    for (size_t i = 0; i < cats.size();) {
        size_t j = cats.find_first_of(" \t\r\n", i);
        if (j == std::string::npos) j = cats.size();
        if (j > i) feed::add_category(r.categories, std::string_view(cats).substr(i, j - i));
        i = j + 1;
    }
    // <created> is the date of the first version; the datestamp (the record's last change) only
    // stands in when it is missing or not a date.
    r.published = feed::date_part(xml::text(xml::child(arxiv, "created", kMetaNs)));
    if (r.published.empty()) r.published = feed::date_part(xml::text(xml::child(header, "datestamp", kOaiNs)));
    r.url = feed::abs_url(r.id);
    builder.add(std::move(r), where);
}

}  // namespace

Result<FeedPage> parse_oai_pmh(std::string_view body) {
    auto doc = xml::parse(body);
    if (!doc.is_ok()) return doc.status();
    xmlNode* root = xmlDocGetRootElement(doc.value().get());
    if (!xml::is(root, "OAI-PMH", kOaiNs))
        return Status(ErrorCode::kInvalidArgument, "not an OAI-PMH response: the root element is " + xml::describe(root));

    FeedPage page;
    feed::PageBuilder builder(page);
    std::string errors;
    bool no_records = false;
    xmlNode* list = nullptr;
    for (xmlNode* c = xml::element(root->children); c; c = xml::element(c->next)) {
        if (xml::is(c, "error", kOaiNs)) {
            std::string code = xml::attribute(c, "code").value_or("");
            if (code == "noRecordsMatch") {
                no_records = true;
                continue;
            }
            if (!errors.empty()) errors += "; ";
            errors += (code.empty() ? std::string("(no code)") : code);
            if (std::string what = feed::collapse_whitespace(xml::text(c)); !what.empty()) errors += ": " + what;
        } else if (xml::is(c, "ListRecords", kOaiNs) || xml::is(c, "GetRecord", kOaiNs)) {
            list = c;
        }
    }
    if (!errors.empty()) return Status(ErrorCode::kInvalidArgument, "OAI-PMH error " + errors);
    if (no_records) return page;  // the harvest window holds nothing: an empty, complete list
    if (!list) return Status(ErrorCode::kInvalidArgument, "an OAI-PMH response without ListRecords or GetRecord");

    size_t n = 0;
    for (xmlNode* c = xml::element(list->children); c; c = xml::element(c->next)) {
        if (xml::is(c, "record", kOaiNs)) {
            read_record(c, ++n, builder);
        } else if (xml::is(c, "resumptionToken", kOaiNs)) {
            // An empty token ends the list; completeListSize and cursor are optional attributes.
            page.resumption_token = feed::collapse_whitespace(xml::text(c));
            page.total_results = feed::parse_u64(xml::attribute(c, "completeListSize").value_or("")).value_or(0);
            page.start_index = feed::parse_u64(xml::attribute(c, "cursor").value_or("")).value_or(0);
        }
    }
    return page;
}

}  // namespace abstrakt
