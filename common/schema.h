// The index schema: every term prefix, value slot and metadata key, declared once.
//
// Both the indexer and the searcher include this header; nothing else spells a prefix or a slot
// number. Prefixes follow Xapian's Omega conventions where one exists (Q, S, A, K, L, Z), and use
// X... for the project's own. Term text after a prefix is always the analyzer's output (see
// common/analysis.h), never raw user text, except for the boolean terms whose normalisation is given
// next to them.
#ifndef ABSTRAKT_COMMON_SCHEMA_H
#define ABSTRAKT_COMMON_SCHEMA_H

#include <xapian.h>

#include <string>

namespace abstrakt::schema {

// Bump when the terms or values written for a record change meaning; the searcher refuses an index
// written with another version and says to rebuild it.
// 2: categories value slot, spelling dictionary. 3: the German vocabulary (kPrefixGermanWord).
// 4: abstracts have no terms of their own (no "XA", "ZXA"; see kPrefixStem). 5: the id value slots
// (kSlotId, kSlotDateId), which order hits of equal weight and listings. 6: display forms
// (kPrefixDisplay) and title word pairs (kPrefixTitlePair), for type-ahead and title-first ranking.
// 7: document data compressed with zstd (common/record.h: to_stored).
inline constexpr int kVersion = 7;

// The one check of an index's schema version, for the writer, the searcher and each shard or replica:
// "" when `db` (opened from `where`) was written with kVersion, or is empty and has no version (an
// abstrakt-index killed while creating it); otherwise the message that says so and what to do.
std::string version_mismatch(const Xapian::Database& db, const std::string& where);

// ---- Free-text terms (wdf counts, positions where noted) ----
// Unprefixed: folded words of every title, abstract and author name, with positions. This is what a
// query word without a field searches.
inline constexpr const char* kPrefixNone = "";
inline constexpr const char* kPrefixTitle = "S";       // title words, with positions
inline constexpr const char* kPrefixAuthor = "A";      // author name words, with positions
// Abstract words have no prefix of their own: the abstract is most of a paper's text, and its own
// terms ("XA" + word, "ZXA" + stem up to schema version 3) were 45% of a document's terms and half of
// Xapian's indexing time (docs/performance.md). The rule `abstract:` filters by (searcher/builder.cc:
// InAbstract), exactly, with the index's own parameters (kMetaIndexParams, common/ranking.h):
//   unprefixed word's wdf = abstract_wdf x (count in the abstracts) + title_wdf x ("S" + word's count)
//                           + author_wdf x ("A" + word's count) + id_wdf when the word is the paper's id;
//   "Z" + stem's wdf      = abstract_wdf x (count in the abstracts) + title_wdf x ("ZS" + stem's count);
// so a paper has the word in an abstract exactly when its wdf is more than the rest.
// Stemmed forms carry "Z" before the field prefix (Omega's convention): "Z" + stem for the
// unprefixed space, "ZS" + stem for titles. No positions.
inline constexpr const char* kPrefixStem = "Z";

// ---- The German vocabulary (not searched) ----
// "XDE" + folded word, for every word (not a joined hyphen chain) of a title or abstract whose
// primary language is "de". No positions, and wdf 0: the searcher reads only which words exist and
// in how many papers (each term's term frequency, which Xapian keeps for every term, wdf or not), to
// learn the dictionary its compound splitter uses (common/compound.h). A wdf of 0 keeps these terms
// out of the document length, so BM25 scores German papers exactly as before; counting every German
// word a second time would have made papers with German text look longer than the others.
// The term depends on the record alone, so an incremental and a clean build stay identical;
// decomposition happens at query time, against the vocabulary of the index as it is then.
inline constexpr const char* kPrefixGermanWord = "XDE";

// ---- Display forms (not searched; /suggest) ----
// "XW" + folded word + kDisplaySeparator + the word as the paper wrote it (case, diacritics, hyphens:
// "transformerbased\x1fTransformer-based", "grosse\x1fGroße"), for every word of a title or abstract
// except numbers; a hyphenated chain once as its joined word with the chain as written. Type-ahead
// shows what papers write, not the index's folded forms. The folded form comes first so that one scan
// of the terms from "XW" + a folded prefix finds every word it completes, each word's forms together,
// and the separator (0x1F, a control character no display form holds) sorts below every character of
// a word, so "grosse\x1f..." comes right before "grossen..." rather than among them. No positions and
// wdf 0 (document lengths and scores stay as they were): the searcher reads only each term's term
// frequency, the papers that write the word that way. A form with a space or a control character in it
// (a chain broken over a line) or longer than kMaxTermBytes is left out.
inline constexpr const char* kPrefixDisplay = "XW";
inline constexpr char kDisplaySeparator = '\x1f';

// ---- Title word pairs ----
// "XP" + two adjacent folded words of one title, joined by one space ("XPlinear attention"), as
// Elasticsearch's index_phrases does: phrase evidence for a pair of query words without reading
// positions. Searched as a boost (searcher/builder.cc: title pairs first, RankingParams::title_pair_weight)
// and read by /suggest for the next word after a space (most frequent first: term frequency). No
// positions; wdf 1, so that the weighting scheme gives the term a weight (a term of wdf 0 weighs
// nothing); this adds the title's pair count to the document length. Hyphenated chains give pairs of
// their parts ("multi view"), not of the joined word.
inline constexpr const char* kPrefixTitlePair = "XP";

// ---- Boolean terms (wdf 0; filters) ----
inline constexpr const char* kPrefixId = "Q";          // "Q" + id exactly as in the record
inline constexpr const char* kPrefixCategory = "K";    // "K" + category, ASCII-lowercased ("Kcs.cl")
inline constexpr const char* kPrefixLang = "L";        // "L" + primary language subtag ("Lde")
inline constexpr const char* kPrefixYear = "XY";       // "XY" + four-digit year of publication

// The longest term Xapian's glass backend stores: it refuses a document with a longer one, and the
// commit that holds it. Terms are short by construction (words fold to at most
// Analyzer::kMaxWordBytes, ids are at most 200 bytes, categories are indexed below 100) except a
// word's form with its diacritics, which indexer/document.cc checks against this.
inline constexpr size_t kMaxTermBytes = 245;

// ---- Value slots ----
enum Slot : Xapian::valueno {
    kSlotDate = 0,      // "YYYY-MM-DD": sorts and compares as a string
    kSlotUpvotes = 1,   // Xapian::sortable_serialise(upvotes)
    kSlotComments = 2,  // Xapian::sortable_serialise(comments)
    kSlotYear = 3,      // "YYYY" (facets)
    kSlotLangs = 4,     // primary subtags of every language the record has, joined by ',' (facets)
    kSlotCategories = 5,  // the record's categories as given, joined by ',' (facets)
    // The record's id, as in the record. Hits of equal weight (or equal date, in a listing) are
    // ordered by it rather than by Xapian's document number, which depends on the order papers were
    // written in, on how a parallel build merged them, and on the number of shards
    // (docs/scale-out.md): the same papers give the same order however they were indexed.
    kSlotId = 6,
    // The date ("YYYY-MM-DD", or "0000-00-00" for none) followed by the id: listings (filters, no
    // words) sort by this one value, newest first and then by id, the larger first. One value rather
    // than a KeyMaker over kSlotDate and kSlotId, because Xapian's remote backend runs no KeyMaker.
    kSlotDateId = 7,
};

// Values that hold several items join them with this character.
inline constexpr char kValueListSeparator = ',';

// ---- Spelling dictionary ----
// Folded words of titles and abstracts in alphabetic scripts, this many bytes long, feed Xapian's
// spelling table, from which a query that finds little gets a "did you mean".
inline constexpr size_t kSpellingMinBytes = 3;
inline constexpr size_t kSpellingMaxBytes = 30;

// ---- Document data ----
// The record itself, as canonical JSON (common/record.h: to_json). Snippets, results and the
// "unchanged" check of an upsert all read it.

// ---- Metadata keys ----
inline constexpr const char* kMetaSchemaVersion = "abstrakt.schema";
// The index-time ranking parameters the index was built with (common/ranking.h: IndexParams), as a
// flat JSON object; in every shard. An index without it was built with the defaults.
inline constexpr const char* kMetaIndexParams = "abstrakt.index_params";
// + source name: the last day (or run) a source's data is committed through (indexer/sync.h).
inline constexpr const char* kMetaWatermarkPrefix = "abstrakt.watermark.";
// + source name: days that answered but did not parse, to fetch again: "DAY:TRIES,DAY:TRIES" (sync.h).
inline constexpr const char* kMetaRetryPrefix = "abstrakt.retry.";

// ---- Positions ----
// (How much a word of each field counts is an index-time ranking parameter: common/ranking.h,
// IndexParams, stored under kMetaIndexParams.)
// Positions of different fields and languages are kept this far apart so that a phrase never spans
// two of them.
inline constexpr Xapian::termpos kFieldGap = 100;

}  // namespace abstrakt::schema

#endif  // ABSTRAKT_COMMON_SCHEMA_H
