#!/usr/bin/env bash
# End-to-end: abstrakt-index add / stats / delete on the bundled data, run as a user runs them.
# Expected numbers and texts are read from the data files, never from the programs.
source "$(dirname "$0")/lib.bash"
cd "$T" || exit 1

DB=$T/index
load_data
seed_n=$(grep -c . "$SEED")                                  # 11 records
slice_n=$(gzip -dc "$SLICE" | grep -c .)                     # 2,006 records
all_n=$((seed_n + slice_n))
de_n=$(grep -c '"de": ' "$ALL_DATA")                        # records with German text (the seed)
en_n=$(grep -c '"en": ' "$ALL_DATA")                        # records with English text (all)
zh_n=$(grep -c '"zh": ' "$ALL_DATA")                        # records with Chinese text (slice only)
oldest=$(grep -o '"published": "[0-9-]*"' "$ALL_DATA" | cut -d'"' -f4 | sort | head -n 1)
newest=$(grep -o '"published": "[0-9-]*"' "$ALL_DATA" | cut -d'"' -f4 | sort | tail -n 1)

section "add the seed and the gzip-compressed slice into a new index"
expect_exit 0 "$INDEX" --db "$DB" add "$SEED" "$SLICE"
expect_contains "$all_n added, 0 updated, 0 unchanged, 0 skipped" "$(summary_of "$ERR")" "summary of the first add"
[[ -d $DB ]] || fail "--db $DB was not created"

section "stats: documents, languages, date range"
expect_exit 0 "$INDEX" --db "$DB" stats
stats=$OUT
expect_eq "$all_n" "$(stats_value documents "$stats")" "documents after the first add"
langs=" $(stats_value languages "$stats") "
expect_contains " de $de_n " "$langs" "languages line"
expect_contains " en $en_n " "$langs" "languages line"
expect_contains " zh $zh_n " "$langs" "languages line"
expect_contains "$oldest to $newest" "$(stats_value published "$stats")" "published line"
revision=$(stats_value revision "$stats")

section "the same files again: nothing added or updated, the index is unchanged"
expect_exit 0 "$INDEX" --db "$DB" add "$SEED" "$SLICE"
expect_contains "0 added, 0 updated, $all_n unchanged, 0 skipped" "$(summary_of "$ERR")" "summary of the second add"
expect_contains "unchanged" "$ERR" "stderr of the second add"
expect_exit 0 "$INDEX" --db "$DB" stats
expect_eq "$all_n" "$(stats_value documents "$OUT")" "documents after the second add"
expect_eq "$revision" "$(stats_value revision "$OUT")" "revision after an add that changed nothing"

section "one seed record with changed upvotes, read from standard input (-): 1 updated"
id3=$SEED_ID-03
line3=$(grep -F "{\"id\": \"$id3\", " "$SEED")
up3=$(grep -o '"upvotes": [0-9]*' <<<"$line3" | grep -o '[0-9]*$')
[[ -n $up3 ]] || fail "no upvotes in the seed record $id3"
sed "s/\"upvotes\": $up3,/\"upvotes\": $((up3 + 1)),/" <<<"$line3" >"$T/changed.jsonl"
grep -q "\"upvotes\": $((up3 + 1))," "$T/changed.jsonl" || fail "could not change the upvotes of $id3"
expect_exit 0 "$INDEX" --db "$DB" add - <"$T/changed.jsonl"
expect_contains "0 added, 1 updated, 0 unchanged, 0 skipped" "$(summary_of "$ERR")" "summary of the changed record"
expect_exit 0 "$SEARCH" --db "$DB" --json "id:$id3"
expect_eq "$((up3 + 1))" "$(json_hits upvotes)" "upvotes of $id3 after the update"
expect_exit 0 "$INDEX" --db "$DB" stats
expect_eq "$all_n" "$(stats_value documents "$OUT")" "documents after an update (no duplicate)"

section "delete ID: the paper is gone from search and stats"
id5=$SEED_ID-05
title5=$(record_of "$id5" | sed -E 's/.*"title": \{"en": "([^"]*)".*/\1/')  # Humanoid Locomotion ...
expect_exit 0 "$SEARCH" --db "$DB" --json "id:$id5"
expect_eq "$id5" "$(json_hits id)" "id:$id5 before the delete"
expect_exit 0 "$SEARCH" --db "$DB" --json --limit 100 "\"$title5\""  # its exact title as a phrase
expect_ids_include "$id5"
expect_exit 0 "$INDEX" --db "$DB" delete "$id5"
expect_contains "1 deleted" "$ERR" "stderr of delete"
expect_exit 0 "$SEARCH" --db "$DB" "id:$id5"
expect_contains "No results" "$OUT" "id:$id5 after the delete"
expect_exit 0 "$SEARCH" --db "$DB" --json "id:$id5"
expect_eq 0 "$(json_top total)" "total for id:$id5 after the delete"
expect_exit 0 "$SEARCH" --db "$DB" --json --limit 100 "\"$title5\""  # its exact title as a phrase
expect_ids_exclude "$id5"
expect_exit 0 "$INDEX" --db "$DB" stats
expect_eq "$((all_n - 1))" "$(stats_value documents "$OUT")" "documents after the delete"

section "delete an unknown id: exit 1 with a message naming it, nothing deleted"
expect_exit 1 "$INDEX" --db "$DB" delete no-such-paper-e2e
expect_contains "no-such-paper-e2e" "$ERR" "stderr of delete of an unknown id"
expect_exit 1 "$INDEX" --db "$DB" delete 2402.19173 no-such-paper-e2e  # one known, one unknown
expect_contains "no-such-paper-e2e" "$ERR" "stderr of a partly failing delete"
expect_exit 0 "$SEARCH" --db "$DB" --json "id:2402.19173"
expect_eq 0 "$(json_top total)" "the known id of a partly failing delete is deleted"
expect_exit 0 "$INDEX" --db "$DB" stats
expect_eq "$((all_n - 2))" "$(stats_value documents "$OUT")" "documents after the partly failing delete"

section "the index path: ABSTRAKT_DB, --db over ABSTRAKT_DB, and the XDG default"
expect_exit 0 env ABSTRAKT_DB="$T/env-db" "$INDEX" add "$SEED"
expect_contains "$seed_n added" "$(summary_of "$ERR")" "add with ABSTRAKT_DB"
[[ -d $T/env-db ]] || fail "ABSTRAKT_DB=$T/env-db was not created"
expect_exit 0 env ABSTRAKT_DB="$T/env-db" "$INDEX" stats
expect_eq "$seed_n" "$(stats_value documents "$OUT")" "stats with ABSTRAKT_DB"
expect_exit 0 env ABSTRAKT_DB="$T/env-db" "$SEARCH" --json id:2402.19173
expect_eq 2402.19173 "$(json_hits id)" "search with ABSTRAKT_DB"
expect_exit 0 env ABSTRAKT_DB="$T/not-this-one" "$INDEX" --db "$T/flag-db" add "$SEED"
[[ -d $T/flag-db ]] || fail "--db $T/flag-db was not created although given"
[[ -e $T/not-this-one ]] && fail "ABSTRAKT_DB was used although --db was given"
expect_exit 0 env ABSTRAKT_DB="$T/not-this-one" "$SEARCH" --db "$T/flag-db" --json id:2402.19173
expect_eq 2402.19173 "$(json_hits id)" "search with --db over ABSTRAKT_DB"
expect_exit 0 "$INDEX" add "$SEED"  # neither: $XDG_DATA_HOME/abstrakt/index
[[ -d $XDG_DATA_HOME/abstrakt/index ]] || fail "the default index \$XDG_DATA_HOME/abstrakt/index was not created"
expect_exit 0 "$SEARCH" --json id:2402.19173
expect_eq 2402.19173 "$(json_hits id)" "search in the default index"

section "standard input (-) and gzip files, detected by content"
expect_exit 0 "$INDEX" --db "$T/stdin-db" add - <"$SEED"
expect_contains "$seed_n added, 0 updated" "$(summary_of "$ERR")" "add - from a file"
expect_exit 0 "$INDEX" --db "$T/pipe-db" add - < <(cat "$SEED")
expect_contains "$seed_n added, 0 updated" "$(summary_of "$ERR")" "add - from a pipe"
gzip -c "$SEED" >"$T/seed.jsonl.gz"
cp "$T/seed.jsonl.gz" "$T/seed-gzipped.jsonl"  # gzip content under a plain name
expect_exit 0 "$INDEX" --db "$T/gz-db" add "$T/seed.jsonl.gz"
expect_contains "$seed_n added, 0 updated" "$(summary_of "$ERR")" "add of a .jsonl.gz"
expect_exit 0 "$INDEX" --db "$T/gz-db" add "$T/seed-gzipped.jsonl"
expect_contains "0 added, 0 updated, $seed_n unchanged" "$(summary_of "$ERR")" "add of gzip content named .jsonl"
expect_exit 0 "$INDEX" --db "$T/gz-db" add - <"$T/seed.jsonl.gz"
expect_contains "0 added, 0 updated, $seed_n unchanged" "$(summary_of "$ERR")" "add - of gzip content"

section "a missing file is reported, the other files are still read, exit 1"
expect_exit 1 "$INDEX" --db "$T/missing-db" add "$T/no-such-file.jsonl" "$SEED"
expect_contains "$T/no-such-file.jsonl" "$ERR" "stderr for a missing file"
expect_contains "$seed_n added" "$(summary_of "$ERR")" "summary after a missing file"
expect_exit 1 "$INDEX" --db "$T/missing-db" add "$T"  # a directory is not a record file
expect_contains "$T" "$ERR" "stderr for a directory"

section "bare-string titles: the language from the script, else --default-lang"
printf '%s\n' '{"id": "bare-zh", "title": "扩散模型的研究"}' '{"id": "bare-latin", "title": "Über Sprachmodelle"}' >"$T/bare.jsonl"
expect_exit 0 "$INDEX" --db "$T/bare-db" --default-lang de add "$T/bare.jsonl"
expect_exit 0 "$INDEX" --db "$T/bare-db" stats
langs=" $(stats_value languages "$OUT") "
expect_contains " de 1 " "$langs" "languages of bare-string titles"
expect_contains " zh 1 " "$langs" "languages of bare-string titles"
expect_not_contains " en " "$langs" "languages of bare-string titles"

section "the same id twice in one input: added, then unchanged or updated"
printf '%s\n' '{"id": "dup-1", "title": {"en": "Gnu one"}}' '{"id": "dup-1", "title": {"en": "Gnu one"}}' \
    '{"id": "dup-1", "title": {"en": "Gnu one, second version"}}' >"$T/dup.jsonl"
expect_exit 0 "$INDEX" --db "$T/dup-db" add "$T/dup.jsonl"
expect_contains "1 added, 1 updated, 1 unchanged, 0 skipped" "$(summary_of "$ERR")" "summary for a repeated id"
expect_exit 0 "$SEARCH" --db "$T/dup-db" --json gnu
expect_eq "Gnu one, second version" "$(json_hits title)" "the last version of a repeated id wins"

section "--quiet: no summary when all went well"
expect_exit 0 "$INDEX" --db "$T/quiet-db" --quiet add "$SEED"
expect_eq "" "$ERR" "stderr of a quiet add"
expect_exit 0 "$INDEX" --db "$T/quiet-db" stats
expect_eq "$seed_n" "$(stats_value documents "$OUT")" "documents after a quiet add"

finish
