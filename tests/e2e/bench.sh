#!/usr/bin/env bash
# End-to-end: abstrakt-bench, the peers and measurements behind scripts/bench/ (docs/performance.md),
# on the seed listing: each command does what it says, and refuses what it cannot do.
# Expected counts are read from the data file, never from the programs. No timing is checked.
source "$(dirname "$0")/lib.bash"
cd "$T" || exit 1
BENCH=$ABSTRAKT_BIN/abstrakt-bench
seed_n=$(grep -c . "$SEED")                                            # 11 records
en_titles=$(grep -c '"title": {"en"' "$SEED")                          # records with an English title

section "floor and fts5 index every record"
expect_exit 0 "$BENCH" floor --db "$T/floor" "$SEED"
expect_contains "system floor records $seed_n " "$OUT" "floor's line"
[[ -f $T/floor/iamglass ]] || fail "the floor made no Xapian database"
expect_exit 0 "$BENCH" fts5 --db "$T/fts5.sqlite" "$SEED"
expect_contains "system fts5 records $seed_n " "$OUT" "fts5's line"
[[ -s $T/fts5.sqlite ]] || fail "fts5 made no database"

section "make-queries: short and long queries from the records"
expect_exit 0 "$BENCH" make-queries "$SEED" 5
printf '%s\n' "$OUT" >queries.tsv
short_n=$(grep -c '^short	' queries.tsv)
long_n=$(grep -c '^long	' queries.tsv)
(( short_n >= 1 && short_n <= 5 )) || fail "short queries: $short_n, want 1 to 5 (of $en_titles English titles)"
(( long_n >= 1 && long_n <= 5 )) || fail "long queries: $long_n, want 1 to 5"
expect_eq 0 "$(grep -vc $'^\(short\|long\)\t' queries.tsv)" "lines that are neither short nor long"
while IFS=$'\t' read -r kind text; do
  words=$(wc -w <<<"$text")
  if [[ $kind == short ]]; then (( words == 2 || words == 3 )) || fail "short query of $words words: $text"
  else (( words >= 8 && words <= 20 )) || fail "long query of $words words: $text"; fi
done <queries.tsv
# Records that give no query are made up for by the records after them: of ten records, the even
# ones have a one-word title and a short abstract, so every other record (5 asked for, a step of 2)
# gives nothing; the odd ones fill both kinds.
for i in 0 1 2 3 4 5 6 7 8 9; do
  if (( i % 2 )); then
    printf '{"id": "m%s", "title": {"en": "Sparse%s attention for long documents"}, "abstract": {"en": "First sentence here. The second sentence of abstract%s has more than eight words in it."}}\n' "$i" "$i" "$i"
  else
    printf '{"id": "m%s", "title": {"en": "Short%s"}, "abstract": {"en": "Too short."}}\n' "$i" "$i"
  fi
done >mixed.jsonl
expect_exit 0 "$BENCH" make-queries mixed.jsonl 5
expect_eq 5 "$(grep -c '^short	' <<<"$OUT")" "short queries from the odd records"
expect_eq 5 "$(grep -c '^long	' <<<"$OUT")" "long queries from the odd records"
# --warm: 2 more of each kind first, as "warm" lines, none the same as a timed one.
expect_exit 0 "$BENCH" make-queries mixed.jsonl 3 --warm 2
expect_eq "warm warm short short short warm warm long long long" "$(cut -f1 <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "kinds in order"
expect_eq 10 "$(cut -f2 <<<"$OUT" | sort -u | grep -c .)" "distinct queries of 10"
# A query is never taken twice: ten records with one title and one abstract give its first two words
# and its first three (records alternate), and one long query.
for i in 0 1 2 3 4 5 6 7 8 9; do
  printf '{"id": "d%s", "title": {"en": "Sparse attention for long documents"}, "abstract": {"en": "First sentence here. The second sentence of this abstract has more than eight words in it."}}\n' "$i"
done >dup.jsonl
expect_exit 0 "$BENCH" make-queries dup.jsonl 5
expect_eq 2 "$(grep -c '^short	' <<<"$OUT")" "short queries from ten equal titles"
expect_eq 1 "$(grep -c '^long	' <<<"$OUT")" "long queries from ten equal abstracts"

section "title-queries: distinct windows of 1 to 4 consecutive title words"
expect_exit 0 "$BENCH" title-queries "$SEED" 40
printf '%s\n' "$OUT" >title.tsv
expect_eq 40 "$(grep -c $'^title\t' title.tsv)" "title queries"
expect_eq 40 "$(cut -f2 title.tsv | tr '[:upper:]' '[:lower:]' | sort -u | grep -c .)" "distinct title queries"
# Each is a run of consecutive words of an English title of the seed (punctuation around words off).
python3 - "$SEED" title.tsv <<'PY2' || fail "a title query is not a window of 1 to 4 consecutive title words"
import json, re, sys
titles = []
for line in open(sys.argv[1], encoding="utf-8"):
    t = json.loads(line)["title"].get("en")
    if t:
        titles.append([w.strip("!#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") for w in t.split()])
for line in open(sys.argv[2], encoding="utf-8"):
    q = line.rstrip("\n").split("\t")[1].split(" ")
    assert 1 <= len(q) <= 4, q
    assert any(w[i:i + len(q)] == q for w in titles for i in range(len(w))), q
PY2
expect_exit 0 "$BENCH" title-queries "$SEED" 40 --seed 2
[[ $OUT != "$(cat title.tsv)" ]] || fail "another seed gave the same queries"
# The seed's titles hold fewer than 100000 windows: all of them, and a warning.
expect_exit 0 "$BENCH" title-queries "$SEED" 100000
expect_contains "distinct queries, not 100000" "$ERR" "the warning"

section "queries: a latency line per system and kind, every query counted"
expect_exit 0 "$INDEX" --db "$T/index" --quiet add "$SEED"
expect_exit 0 "$BENCH" queries --db "$T/index" --fts5 "$T/fts5.sqlite" --floor queries.tsv
for sys in abstrakt floor fts5; do
  expect_match "^system $sys kind short queries $short_n p50_ms [0-9.]+ p95_ms" "$OUT" "$sys, short"
  expect_match "^system $sys kind long queries $long_n p50_ms [0-9.]+ p95_ms" "$OUT" "$sys, long"
done
# --trace: a line per timed query and system, "system<TAB>kind<TAB>ms<TAB>query".
expect_exit 0 "$BENCH" queries --db "$T/index" --fts5 "$T/fts5.sqlite" --floor --trace trace.tsv queries.tsv
expect_eq $(( 3 * (short_n + long_n) )) "$(grep -c . trace.tsv)" "trace lines"
expect_eq 0 "$(grep -Evc $'^(abstrakt|floor|fts5)\t(short|long)\t[0-9.e+-]+\t.+$' trace.tsv)" "trace lines not of the form"
expect_eq "$short_n" "$(grep -c $'^fts5\tshort\t' trace.tsv)" "fts5 short lines"
# Warm-up queries run but are never timed, and a repeated query is warned about.
{ printf 'warm\tdiffusion models\nwarm\tStarCoder\n'; grep $'^short\t' queries.tsv; } >warm.tsv
expect_exit 0 "$BENCH" queries --db "$T/index" --floor --trace trace.tsv warm.tsv
expect_match "^system abstrakt kind short queries $short_n p50_ms" "$OUT" "abstrakt, short, warm-up not counted"
expect_not_contains "kind warm" "$OUT" "a line for the warm-up"
expect_eq 0 "$(grep -c $'\twarm\t' trace.tsv)" "warm-up queries in the trace"
expect_eq 0 "$(grep -c . <<<"$ERR")" "warnings for distinct queries"
printf 'short\tStarCoder\n' >>warm.tsv
expect_exit 0 "$BENCH" queries --db "$T/index" warm.tsv
expect_contains "1 queries of warm.tsv repeat an earlier one" "$ERR" "the warning for a repeated query"
# The floor is plain Xapian over the same index: a title's two first words find that paper.
printf 'short\tStarCoder 2\n' >one.tsv
expect_exit 0 "$BENCH" queries --db "$T/index" --floor one.tsv
expect_match "^system floor kind short queries 1 " "$OUT" "the floor's line"
expect_eq "" "$ERR" "the floor refused nothing"

section "scripts/bench/distinct.lua: no query twice across wrk's threads and connections"
# A second of wrk against abstrakt-serve on the seed's index; the server's access log tells whether
# any q came twice (scripts/bench/check-distinct). No timing is checked.
BENCH_SCRIPTS=$(cd "$ABSTRAKT_DATA/../scripts/bench" && pwd)
if command -v wrk >/dev/null; then
  "$BENCH" title-queries "$SLICE" 20000 | cut -f2 |
    python3 -c 'import sys, urllib.parse; [print("/search?q=" + urllib.parse.quote_plus(l.rstrip("\n"))) for l in sys.stdin]' >paths.txt
  "$ABSTRAKT_BIN/abstrakt-serve" --db "$T/index" --port 0 --threads 1 2>serve.log &
  track_pid $!
  wait_until 10 grep -qs "listening on" serve.log || fail "abstrakt-serve did not start: $(cat serve.log)"
  url=$(grep -o 'http://[0-9.:]*' serve.log | head -n 1)
  expect_exit 0 wrk -t2 -c4 -d1s -s "$BENCH_SCRIPTS/distinct.lua" "$url" -- paths.txt 2
  expect_match "^wrk requests [1-9][0-9]* .* repeated 0 paths 20000$" "$OUT" "wrk's summary line"
  expect_exit 0 "$BENCH_SCRIPTS/check-distinct" serve.log
  expect_contains "every request a different query" "$OUT" "check-distinct's verdict"
  # Told of one thread while wrk runs two, both send the same queries: the log shows it.
  expect_exit 0 wrk -t2 -c4 -d1s -s "$BENCH_SCRIPTS/distinct.lua" "$url" -- paths.txt 1
  expect_exit 1 "$BENCH_SCRIPTS/check-distinct" serve.log
  expect_match "REPEATED$" "$OUT" "check-distinct on repeats"
  # Too few queries for the run: wrk's summary counts the repeats.
  head -n 3 paths.txt >few.txt
  expect_exit 0 wrk -t1 -c2 -d1s -s "$BENCH_SCRIPTS/distinct.lua" "$url" -- few.txt 1
  expect_match "repeated [1-9][0-9]* paths 3$" "$OUT" "repeats counted"

  # The whole script on a small case: a 400-record slice of the bundled data, one run of 1 s at 8
  # connections (two wrk threads). Its titles give enough distinct queries for 3,000 requests/s; a
  # 100-record slice gives about 1,200, too few for a server above 1,000 requests/s.
  ABSTRAKT_BENCH_DIR=$T/bench expect_exit 0 "$BENCH_SCRIPTS/http" --corpus "$SLICE" --records 400 --rate-cap 3000 --one-thread 20 1 8
  expect_match "^index: the 400-record bilingual slice .*, 400 papers$" "$OUT" "the slice"
  expect_match "^\| abstrakt \| [0-9]+ \| [0-9.]+ \|" "$OUT" "Abstrakt's one-thread row"
  expect_match "^\| floor \| [0-9]+ \| [0-9.]+ \|" "$OUT" "the floor's row"
  expect_match "^\| 8 \| 2 \| [1-9][0-9]* \| .* \| yes \|$" "$OUT" "the 8-connection run"
  expect_match "^target, 8 connections: >= 1,000 requests/s" "$OUT" "the targets"
  expect_contains "every request a different query" "$OUT" "the access-log check"
  expect_exit 2 "$BENCH_SCRIPTS/http" --records none
else
  echo "wrk is not installed (scripts/setup): distinct.lua and scripts/bench/http not tested"
fi

section "repeat: the records again with new ids"
# Run directly: expect_exit would read the JSON Lines output as one JSON document.
"$BENCH" repeat "$SEED" 3 >repeated.jsonl || fail "repeat exited $?"
expect_eq $((3 * seed_n)) "$(grep -c . repeated.jsonl)" "records in three copies"
ids=$(python3 -c 'import json, sys; [print(json.loads(l)["id"]) for l in open(sys.argv[1])]' repeated.jsonl)
expect_eq $((3 * seed_n)) "$(sort -u <<<"$ids" | grep -c .)" "distinct ids"
expect_eq "$seed_n" "$(grep -c -- '-r2$' <<<"$ids")" "ids of the third copy"
expect_exit 0 "$INDEX" --db "$T/repeated" --quiet add repeated.jsonl   # the copies are valid records

section "bad input: a usage error (2), never a crash"
expect_exit 2 "$BENCH"
expect_exit 2 "$BENCH" nonsense
expect_exit 2 "$BENCH" floor "$SEED"                                   # no --db
expect_exit 2 "$BENCH" make-queries "$SEED" 0
expect_exit 2 "$BENCH" make-queries "$SEED" 5 --warm none
expect_exit 2 "$BENCH" title-queries "$SEED"
expect_exit 2 "$BENCH" title-queries "$SEED" 5 --seed -1
expect_exit 2 "$BENCH" title-queries "$T/no-such-file.jsonl" 5
expect_exit 2 "$BENCH" make-queries "$T/no-such-file.jsonl" 5
expect_exit 2 "$BENCH" queries --db "$T/no-such-index" queries.tsv
expect_exit 2 "$BENCH" queries --db "$T/index" "$T/no-such-queries.tsv"
expect_exit 2 "$BENCH" repeat "$SEED" two
expect_exit 2 "$BENCH" repeat "$SEED" -1
expect_exit 2 "$BENCH" queries --db "$T/index" --trace "$T/no-such-dir/trace.tsv" queries.tsv

finish
