// arXiv API search results (Atom 1.0 with OpenSearch and arXiv extensions) to records.
#include <string>

#include "indexer/sources/feed.h"
#include "indexer/sources/feed_util.h"
#include "indexer/sources/xml_util.h"

namespace abstrakt {

namespace {

// Atom elements without a namespace are read too: the shape decides, not the declaration.
const std::initializer_list<const char*> kAtomNs = {xml::kAtom, xml::kNoNamespace};
const std::initializer_list<const char*> kOpenSearchNs = {xml::kOpenSearch, xml::kOpenSearch10};
const std::initializer_list<const char*> kArxivNs = {xml::kArxivAtom};

uint64_t number(const xmlNode* node) { return feed::parse_u64(xml::text(node)).value_or(0); }

}  // namespace

Result<FeedPage> parse_arxiv_atom(std::string_view body) {
    auto doc = xml::parse(body);
    if (!doc.is_ok()) return doc.status();
    xmlNode* root = xmlDocGetRootElement(doc.value().get());
    if (!xml::is(root, "feed", kAtomNs))
        return Status(ErrorCode::kInvalidArgument, "not an Atom feed: the root element is " + xml::describe(root));

    FeedPage page;
    feed::PageBuilder builder(page);
    size_t n = 0;
    for (xmlNode* c = xml::element(root->children); c; c = xml::element(c->next)) {
        if (xml::is(c, "totalResults", kOpenSearchNs)) {
            page.total_results = number(c);
        } else if (xml::is(c, "startIndex", kOpenSearchNs)) {
            page.start_index = number(c);
        } else if (xml::is(c, "itemsPerPage", kOpenSearchNs)) {
            page.items_per_page = number(c);
        } else if (xml::is(c, "entry", kAtomNs)) {
            ++n;
            std::string where = "entry " + std::to_string(n);
            std::string raw_id = feed::collapse_whitespace(xml::text(xml::child(c, "id", kAtomNs)));
            // arXiv answers a bad query with a feed of one entry that describes the error.
            if (raw_id.find("arxiv.org/api/errors") != std::string::npos) {
                std::string what = feed::collapse_whitespace(xml::text(xml::child(c, "summary", kAtomNs)));
                if (what.empty()) what = raw_id;
                return Status(ErrorCode::kInvalidArgument, "arXiv API error: " + what);
            }
            if (raw_id.empty()) {
                builder.problem(where, "no <id>");
                continue;
            }
            auto id = feed::arxiv_id(raw_id);
            if (!id) {
                builder.problem(where, "<id> \"" + raw_id + "\" is not an arXiv abs URL");
                continue;
            }
            Record r;
            r.id = *id;
            where = r.id;
            std::string title = feed::collapse_whitespace(xml::text(xml::child(c, "title", kAtomNs)));
            if (title.empty()) {
                builder.problem(where, "no title");
                continue;
            }
            r.title.push_back({"en", title});
            std::string summary = feed::collapse_whitespace(xml::text(xml::child(c, "summary", kAtomNs)));
            if (!summary.empty()) r.abstract.push_back({"en", summary});
            r.published = feed::date_part(xml::text(xml::child(c, "published", kAtomNs)));
            // The primary category first, then the others in feed order, each once.
            if (auto primary = xml::attribute(xml::child(c, "primary_category", kArxivNs), "term"))
                feed::add_category(r.categories, *primary);
            for (xmlNode* e = xml::element(c->children); e; e = xml::element(e->next)) {
                if (xml::is(e, "author", kAtomNs)) {
                    std::string name = feed::author_name(xml::text(xml::child(e, "name", kAtomNs)));
                    if (!name.empty()) r.authors.push_back(std::move(name));
                } else if (xml::is(e, "category", kAtomNs)) {
                    if (auto term = xml::attribute(e, "term")) feed::add_category(r.categories, *term);
                }
            }
            r.url = feed::abs_url(r.id);
            builder.add(std::move(r), where);
        }
    }
    return page;
}

}  // namespace abstrakt
