#!/usr/bin/env bash
# End-to-end: the search features beside plain ranking, through abstrakt-search as a user runs it:
# facets, did-you-mean, similar papers. Expected values come from the seed file, read here.
source "$(dirname "$0")/lib.bash"
cd "$T" || exit 1
export ABSTRAKT_DB=$T/index
section "index the seed listing"
expect_exit 0 "$INDEX" add "$ABSTRAKT_DATA/seed/chatpaper-2024-02-29.jsonl"
seed=$ABSTRAKT_DATA/seed/chatpaper-2024-02-29.jsonl
n_seed=$(grep -c . "$seed")                                  # 11 records
n_0228=$(grep -c '"published": "2024-02-28"' "$seed")          # papers of 2024-02-28

section "--facets: counts over the whole match set, not the page"
expect_exit 0 "$SEARCH" --json --facets --limit 1 'year:2024'
expect_eq "$n_seed" "$(json_top total)" "total for year:2024"
facets=$(python3 -c 'import json,sys; f=json.load(sys.stdin)["facets"]; print(f["lang"]["en"], f["lang"]["de"], f["year"]["2024"])' <<<"$OUT")
expect_eq "$n_seed $n_seed $n_seed" "$facets" "en, de and 2024 counts (every seed paper has both titles)"
expect_exit 0 "$SEARCH" --facets 'date:2024-02-28'
expect_contains "$n_0228 results" "$OUT" "count for 2024-02-28"
expect_contains "years:      2024 $n_0228" "$OUT" "the years line of the text output"

section "did you mean: a query that finds little"
expect_exit 0 "$SEARCH" 'Diffusionsmodele'                       # one letter missing
expect_contains "Did you mean: diffusionsmodelle" "$OUT" "suggestion in the text output"
expect_exit 0 "$SEARCH" --json 'Diffusionsmodele'
expect_eq "diffusionsmodelle" "$(json_top suggestion)" "suggestion in JSON"
expect_exit 0 "$SEARCH" --json 'Diffusionsmodelle'
expect_eq "null" "$(json_top suggestion)" "no suggestion when the word is known"

section "--similar: papers like one, the paper itself excluded"
expect_exit 0 "$SEARCH" --json --similar chatpaper-2024-02-29-07
expect_eq "similar:chatpaper-2024-02-29-07" "$(json_top query)" "query of a similar search"
expect_ids_exclude chatpaper-2024-02-29-07
expect_ids_include chatpaper-2024-02-29-11                    # the other Diffusionsmodelle paper
expect_exit 1 "$SEARCH" --similar no-such-paper
expect_contains "no paper with id no-such-paper" "$ERR" "unknown id"
expect_exit 2 "$SEARCH" --similar chatpaper-2024-02-29-07 extra words
expect_exit 2 "$SEARCH" --similar
finish
