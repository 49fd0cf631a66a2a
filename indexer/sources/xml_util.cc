#include "indexer/sources/xml_util.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <cstring>
#include <mutex>

#include "indexer/sources/feed.h"

namespace abstrakt::xml {

namespace {

const char* str(const xmlChar* s) { return reinterpret_cast<const char*>(s); }

// True when the prolog (what comes before the root element) holds a DOCTYPE. libxml2 would parse
// it without loading or expanding anything with our options, but refusing before the parser sees it
// does not depend on that. Documents in an encoding this scan cannot read are checked after
// parsing (Doc::intSubset).
bool has_doctype(std::string_view body) {
    size_t i = 0;
    if (body.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
    while (true) {
        i = body.find('<', i);
        if (i == std::string_view::npos) return false;
        std::string_view rest = body.substr(i);
        if (rest.substr(0, 2) == "<?") {
            i = body.find("?>", i + 2);
        } else if (rest.substr(0, 4) == "<!--") {
            i = body.find("-->", i + 4);
        } else {
            return rest.substr(0, 9) == "<!DOCTYPE";
        }
        if (i == std::string_view::npos) return false;
    }
}

std::string parser_error(xmlParserCtxt* ctxt) {
    const xmlError* e = xmlCtxtGetLastError(ctxt);
    if (!e || !e->message) return "not well-formed XML";
    std::string msg = e->message;
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return "not well-formed XML: line " + std::to_string(e->line) + ": " + msg;
}

}  // namespace

Result<Doc> parse(std::string_view body) {
    static std::once_flag init;
    std::call_once(init, [] { xmlInitParser(); });

    if (body.empty()) return Status(ErrorCode::kInvalidArgument, "empty response");
    if (body.size() > kMaxFeedBytes)
        return Status(ErrorCode::kInvalidArgument, "response of " + std::to_string(body.size()) +
                                                       " bytes is over the limit of " +
                                                       std::to_string(kMaxFeedBytes) + " bytes");
    if (has_doctype(body))
        return Status(ErrorCode::kInvalidArgument,
                      "the response has a DOCTYPE, which no feed has: refused (nothing was loaded or expanded)");

    xmlParserCtxt* ctxt = xmlNewParserCtxt();
    if (!ctxt) return Status(ErrorCode::kInternal, "libxml2 could not create a parser");
    // No XML_PARSE_NOENT (entities are not substituted), no XML_PARSE_DTDLOAD (no external subset),
    // no XML_PARSE_HUGE (libxml2's limits on depth and text size stay on), no network, no output.
    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
    Doc doc(xmlCtxtReadMemory(ctxt, body.data(), static_cast<int>(body.size()), nullptr, nullptr, options));
    if (!doc || !ctxt->wellFormed) {
        std::string msg = parser_error(ctxt);
        doc.reset();
        xmlFreeParserCtxt(ctxt);
        return Status(ErrorCode::kInvalidArgument, msg);
    }
    xmlFreeParserCtxt(ctxt);
    if (doc->intSubset || doc->extSubset)
        return Status(ErrorCode::kInvalidArgument,
                      "the response has a DOCTYPE, which no feed has: refused (nothing was loaded or expanded)");
    if (!xmlDocGetRootElement(doc.get())) return Status(ErrorCode::kInvalidArgument, "no root element");
    return Result<Doc>(std::move(doc));
}

bool is(const xmlNode* node, const char* local, std::initializer_list<const char*> namespaces) {
    if (!node || node->type != XML_ELEMENT_NODE || !node->name || std::strcmp(str(node->name), local) != 0)
        return false;
    const char* href = node->ns && node->ns->href ? str(node->ns->href) : "";
    for (const char* ns : namespaces)
        if (std::strcmp(href, ns) == 0) return true;
    return false;
}

xmlNode* element(xmlNode* node) {
    while (node && node->type != XML_ELEMENT_NODE) node = node->next;
    return node;
}

xmlNode* child(const xmlNode* parent, const char* local, std::initializer_list<const char*> namespaces) {
    if (!parent) return nullptr;
    for (xmlNode* c = element(parent->children); c; c = element(c->next))
        if (is(c, local, namespaces)) return c;
    return nullptr;
}

std::string text(const xmlNode* node) {
    if (!node) return "";
    xmlChar* content = xmlNodeGetContent(node);
    if (!content) return "";
    std::string out = str(content);
    xmlFree(content);
    return out;
}

std::optional<std::string> attribute(const xmlNode* node, const char* name) {
    if (!node) return std::nullopt;
    xmlChar* value = xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name));
    if (!value) return std::nullopt;
    std::string out = str(value);
    xmlFree(value);
    return out;
}

std::string describe(const xmlNode* node) {
    if (!node || !node->name) return "<?>";
    std::string name = str(node->name);
    if (node->ns && node->ns->prefix) name = std::string(str(node->ns->prefix)) + ":" + name;
    return "<" + name + ">";
}

}  // namespace abstrakt::xml
