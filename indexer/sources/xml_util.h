// libxml2 for the XML adapters (OAI-PMH, Atom): safe parsing and small tree helpers.
//
// Parsing never loads anything from the network or the file system and never expands entities: a
// document with a DOCTYPE is refused (no feed has one), the parser runs with XML_PARSE_NONET and
// without XML_PARSE_NOENT, XML_PARSE_DTDLOAD or XML_PARSE_HUGE (so libxml2's default limits on
// depth and text size apply), and bodies over kMaxFeedBytes are refused before parsing. Errors are
// collected from the parser context, never printed.
#ifndef ABSTRAKT_INDEXER_SOURCES_XML_UTIL_H
#define ABSTRAKT_INDEXER_SOURCES_XML_UTIL_H

#include <libxml/tree.h>

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace abstrakt::xml {

// Namespaces of the feeds.
inline constexpr const char* kAtom = "http://www.w3.org/2005/Atom";
inline constexpr const char* kOpenSearch = "http://a9.com/-/spec/opensearch/1.1/";
inline constexpr const char* kOpenSearch10 = "http://a9.com/-/spec/opensearchrss/1.0/";  // older arXiv API
inline constexpr const char* kArxivAtom = "http://arxiv.org/schemas/atom";
inline constexpr const char* kOai = "http://www.openarchives.org/OAI/2.0/";
inline constexpr const char* kArxivOai = "http://arxiv.org/OAI/arXiv/";
inline constexpr const char* kNoNamespace = "";

struct DocDeleter {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using Doc = std::unique_ptr<xmlDoc, DocDeleter>;

// Parses `body`: kInvalidArgument for an empty or oversized body, a DOCTYPE, or XML that is not
// well-formed ("not well-formed XML: line 3: ..."); kInternal when libxml2 cannot allocate.
Result<Doc> parse(std::string_view body);

// True when `node` is an element named `local` in one of `namespaces` (kNoNamespace: none).
bool is(const xmlNode* node, const char* local, std::initializer_list<const char*> namespaces);

// The next element sibling starting at `node` itself (nullptr at the end): for loops over children,
//   for (xmlNode* c = xml::element(parent->children); c; c = xml::element(c->next))
xmlNode* element(xmlNode* node);

// The first child element named `local` in one of `namespaces`, or nullptr.
xmlNode* child(const xmlNode* parent, const char* local, std::initializer_list<const char*> namespaces);

// All text inside `node` (descendants included), as UTF-8; "" for nullptr.
std::string text(const xmlNode* node);

// The value of attribute `name` (no namespace), or nullopt.
std::optional<std::string> attribute(const xmlNode* node, const char* name);

// "<prefix:name>" or "<name>" for messages.
std::string describe(const xmlNode* node);

}  // namespace abstrakt::xml

#endif  // ABSTRAKT_INDEXER_SOURCES_XML_UTIL_H
