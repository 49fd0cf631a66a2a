// Turns a record into the Xapian document that represents it, following common/schema.h.
#ifndef ABSTRAKT_INDEXER_DOCUMENT_H
#define ABSTRAKT_INDEXER_DOCUMENT_H

#include <xapian.h>

#include <string>
#include <vector>

#include "common/analysis.h"
#include "common/ranking.h"
#include "common/record.h"

namespace abstrakt {

// Builds the terms, values and data of `record`. Does not throw for any record that parse_record
// accepted. `analyzer` must belong to the calling thread. When `spelling` is given, the words for the
// spelling dictionary are appended to it, once per occurrence (common/schema.h says which).
// `params` says how much each field's words count (common/ranking.h).
Xapian::Document build_document(const Record& record, Analyzer& analyzer, std::vector<std::string>* spelling = nullptr,
                                const IndexParams& params = {});

}  // namespace abstrakt

#endif  // ABSTRAKT_INDEXER_DOCUMENT_H
