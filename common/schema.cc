#include "common/schema.h"

#include <string>

namespace abstrakt::schema {

std::string version_mismatch(const Xapian::Database& db, const std::string& where) {
    const std::string version = db.get_metadata(kMetaSchemaVersion);
    if (version == std::to_string(kVersion)) return "";
    // Made by an abstrakt-index killed while creating it: it holds nothing to misread.
    if (version.empty() && db.get_doccount() == 0) return "";
    return "index " + where + " has schema version " + (version.empty() ? "?" : version) + ", this program reads and writes " +
           std::to_string(kVersion) + ": rebuild it (abstrakt-index rebuild, or add into a new directory)";
}

}  // namespace abstrakt::schema
