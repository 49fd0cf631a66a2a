#!/usr/bin/env bash
# End-to-end: malformed records, bad command lines, bad queries and missing indexes. Each is
# reported with a message and the documented exit status (1 partial, 2 usage, 3 index), never a
# crash (run fails any status >= 124).
source "$(dirname "$0")/lib.bash"
cd "$T" || exit 1

export ABSTRAKT_DB=$T/index

section "malformed lines are reported as FILE:LINE: reason, the good lines indexed, exit 1"
{
    echo '{"id": "good-1", "title": {"en": "First good record about zebrafish"}}'        # 1
    echo '{"id": "bad-json", "title": {"en": "unterminated"'                             # 2 not JSON
    echo '{"title": {"en": "A record without an id"}}'                                   # 3 no id
    echo '{"id": "no-title", "abstract": {"en": "An abstract but no title"}}'            # 4 no title
    echo '{"id": "title-number", "title": 42}'                                           # 5 title of the wrong type
    printf '{"id": "bad-utf8", "title": {"en": "caf\xff au lait"}}\n'                     # 6 invalid UTF-8
    echo '{"id": "bad-date", "title": {"en": "Leap day"}, "published": "2024-02-30"}'    # 7 no such day
    echo '{"id": "negative", "title": {"en": "Negative"}, "upvotes": -3}'                # 8 negative counter
    echo '{"id": "bad-lang", "title": {"e n": "x"}}'                                     # 9 invalid language code
    echo ''                                                                              # 10 blank: skipped silently
    echo '{"id": "good-2", "title": {"en": "Second good record about zebrafish"}, "published": "2024-02-29"}'  # 11
    echo '[1, 2, 3]'                                                                     # 12 not an object
} >mixed.jsonl
expect_exit 1 "$INDEX" add mixed.jsonl
expect_match '^mixed\.jsonl:2: .*JSON' "$ERR" "report of line 2 (bad JSON)"
expect_match '^mixed\.jsonl:3: .*"?id"?' "$ERR" "report of line 3 (missing id)"
expect_match '^mixed\.jsonl:4: .*title' "$ERR" "report of line 4 (missing title)"
expect_match '^mixed\.jsonl:5: .*title' "$ERR" "report of line 5 (title of the wrong type)"
expect_match '^mixed\.jsonl:6: .*UTF-8' "$ERR" "report of line 6 (invalid UTF-8)"
expect_match '^mixed\.jsonl:7: .*(date|2024-02-30)' "$ERR" "report of line 7 (2024-02-30)"
expect_match '^mixed\.jsonl:8: .*upvotes' "$ERR" "report of line 8 (negative upvotes)"
expect_match '^mixed\.jsonl:9: .*(language|e n)' "$ERR" "report of line 9 (invalid language code)"
expect_match '^mixed\.jsonl:12: ' "$ERR" "report of line 12 (an array)"
for n in 1 10 11; do
    _check
    grep -q "^mixed\.jsonl:$n:" <<<"$ERR" && fail "line $n is reported but is not malformed: $ERR"
done
expect_eq 9 "$(grep -c '^mixed\.jsonl:[0-9]*: ' <<<"$ERR")" "number of reported lines"
expect_contains "2 added, 0 updated, 0 unchanged, 9 skipped" "$(summary_of "$ERR")" "summary"
expect_exit 0 "$INDEX" stats
expect_eq 2 "$(stats_value documents "$OUT")" "documents after the mixed file"
expect_exit 0 "$SEARCH" --json zebrafish
expect_eq $'good-1\ngood-2' "$(json_hits id | sort)" "the good records are searchable"
for id in bad-json no-title title-number bad-utf8 bad-date negative bad-lang; do
    expect_exit 0 "$SEARCH" --json "id:$id"
    expect_eq 0 "$(json_top total)" "id:$id (malformed, not indexed)"
done
# The path is given as the user typed it, and standard input is named too.
expect_exit 1 "$INDEX" add "$T/mixed.jsonl"
expect_match "^$T/mixed\\.jsonl:6: " "$ERR" "report with an absolute path"
expect_exit 1 "$INDEX" add - <mixed.jsonl
expect_match '^[^:]+:6: .*UTF-8' "$ERR" "report for standard input"
expect_contains "0 added, 0 updated, 2 unchanged, 9 skipped" "$(summary_of "$ERR")" "summary for standard input"

section "byte order mark and CRLF line ends are accepted"
printf '\xef\xbb\xbf{"id": "bom-1", "title": {"en": "Okapi with a byte order mark"}}\r\n{"id": "crlf-2", "title": {"en": "Okapi with CRLF"}}\r\n' >bom.jsonl
expect_exit 0 "$INDEX" add bom.jsonl
expect_contains "2 added, 0 updated, 0 unchanged, 0 skipped" "$(summary_of "$ERR")" "summary for BOM and CRLF"
expect_exit 0 "$SEARCH" --json okapi
expect_eq $'bom-1\ncrlf-2' "$(json_hits id | sort)" "records with BOM and CRLF"

section "a truncated gzip file: the complete lines are indexed, the rest reported, exit 1"
head -c 20000 "$SLICE" >truncated.jsonl.gz
expect_exit 1 "$INDEX" --db "$T/trunc-db" add truncated.jsonl.gz
expect_contains "truncated.jsonl.gz" "$ERR" "stderr for a truncated gzip file"
expect_match ' [1-9][0-9]* added' "$(summary_of "$ERR")" "summary for a truncated gzip file"

section "abstrakt-index: bad command lines exit 2 with a message"
expect_exit 0 "$INDEX" --help
expect_contains "usage" "$OUT" "--help"
expect_exit 2 "$INDEX"                                                   # no command
expect_contains "command" "$ERR" "stderr without a command"
expect_exit 2 "$INDEX" frobnicate                                        # unknown command
expect_contains "frobnicate" "$ERR" "stderr for an unknown command"
expect_exit 2 "$INDEX" --frobnicate stats                                # unknown option
expect_contains "--frobnicate" "$ERR" "stderr for an unknown option"
expect_exit 2 "$INDEX" --db "$T/usage-db" add                                            # add without files
expect_exit 2 "$INDEX" delete                                            # delete without ids
expect_exit 2 "$INDEX" stats extra                                       # stats takes no arguments
expect_exit 2 "$INDEX" --db                                              # --db without a value
expect_exit 2 "$INDEX" --db "$T/usage-db" --batch 0 add "$SEED"                          # batch below 1
expect_exit 2 "$INDEX" --db "$T/usage-db" --batch abc add "$SEED"                        # batch not a number
expect_exit 2 "$INDEX" --db "$T/usage-db" --default-lang 'x!' add "$SEED"                # not a language code
[[ -e $T/usage-db ]] && fail "a usage error created an index"

section "abstrakt-index: a missing index exits 3 and names the path"
expect_exit 3 "$INDEX" --db "$T/no-index" stats
expect_contains "$T/no-index" "$ERR" "stderr of stats on a missing index"
expect_exit 3 "$INDEX" --db "$T/no-index" delete 2402.19173
expect_contains "$T/no-index" "$ERR" "stderr of delete on a missing index"
[[ -e $T/no-index ]] && fail "delete on a missing index created it"
echo "not an index" >not-an-index
expect_exit 3 "$INDEX" --db "$T/not-an-index" add "$SEED"                # a file where the index should be
expect_contains "$T/not-an-index" "$ERR" "stderr of add into a file"

section "abstrakt-search: bad command lines and queries exit 2 with a message"
expect_exit 0 "$INDEX" --db "$T/seed-db" add "$SEED"
export ABSTRAKT_DB=$T/seed-db
expect_exit 0 "$SEARCH" --help
expect_contains "usage" "$OUT" "--help"
expect_exit 2 "$SEARCH"                                                  # no query
expect_contains "query" "$ERR" "stderr without a query"
expect_exit 2 "$SEARCH" '   '                                            # a blank query
expect_exit 2 "$SEARCH" --frobnicate attention                           # unknown option
expect_contains "--frobnicate" "$ERR" "stderr for an unknown option"
expect_exit 2 "$SEARCH" --sort bogus attention
expect_contains "bogus" "$ERR" "stderr for --sort bogus"
expect_exit 2 "$SEARCH" --limit abc attention
expect_contains "limit" "$ERR" "stderr for --limit abc"
expect_exit 2 "$SEARCH" --limit -1 attention
expect_exit 2 "$SEARCH" --limit 1000 attention
expect_contains "1000" "$ERR" "stderr for --limit 1000"
expect_exit 2 "$SEARCH" --offset xyz attention
expect_exit 2 "$SEARCH" --offset 99999999 attention
expect_exit 2 "$SEARCH" --limit                                          # option without a value
expect_exit 2 "$SEARCH" --color sometimes attention
expect_exit 2 "$SEARCH" --lang 'x!' attention
expect_contains "x!" "$ERR" "stderr for --lang x!"
expect_exit 2 "$SEARCH" "$(printf 'attention \xff')"                     # invalid UTF-8
expect_contains "UTF-8" "$ERR" "stderr for an invalid UTF-8 query"
expect_exit 2 "$SEARCH" "$(head -c 10000 /dev/zero | tr '\0' a)"         # a 10,000-byte query
expect_match '.' "$ERR" "stderr for a 10,000-byte query"
expect_exit 2 "$SEARCH" $(printf 'w%d ' $(seq 1 150))                    # 150 words
expect_match '.' "$ERR" "stderr for a 150-word query"
expect_exit 0 "$SEARCH" -- --limit                                       # after --, words of the query

section "abstrakt-search: a missing or broken index exits 3 and names the path"
expect_exit 3 "$SEARCH" --db "$T/no-index" attention
expect_contains "$T/no-index" "$ERR" "stderr for a missing index"
expect_exit 3 env ABSTRAKT_DB="$T/no-index" "$SEARCH" attention
expect_contains "$T/no-index" "$ERR" "stderr for a missing index from ABSTRAKT_DB"
mkdir empty-dir
expect_exit 3 "$SEARCH" --db "$T/empty-dir" attention
expect_contains "$T/empty-dir" "$ERR" "stderr for an empty directory"
expect_exit 3 "$SEARCH" --db "$T/not-an-index" attention
expect_contains "$T/not-an-index" "$ERR" "stderr for a file as index"
[[ -e $T/no-index ]] && fail "searching a missing index created it"

finish
