#!/usr/bin/env bash
# End-to-end: SIGINT and SIGTERM stop `abstrakt-index add -` while it reads a slowly fed standard
# input (a fifo that this script keeps open): it commits what it has, exits 130, and leaves an
# index that stats, search and the next writer can open.
source "$(dirname "$0")/lib.bash"
cd "$T" || exit 1

# 150 slice records (about 340 KB), fed in three parts of 50 with pauses.
gzip -dc "$SLICE" | head -n 150 >feed.jsonl
feed_n=$(grep -c . feed.jsonl)
first_id=$(head -n 1 feed.jsonl | sed -E 's/^\{"id": "([^"]*)".*/\1/')

documents() { stats_value documents "$("$INDEX" --db "$1" stats 2>/dev/null)"; }
has_at_least() { local n; n=$(documents "$1"); [[ -n $n ]] && ((n >= $2)); }

# interrupt_case SIGNAL: one indexer, fed and then signalled while its input stays open.
interrupt_case() {
    local sig=$1 db=$T/index-$1 fifo=$T/fifo-$1 pid rc n added
    section "SIG$sig: add - with --batch 10 from a fifo fed slowly"
    mkfifo "$fifo"
    exec 7<>"$fifo"  # read-write: opens without blocking and keeps a writer on the fifo
    "$INDEX" --db "$db" --batch 10 add - <"$fifo" 7>&- >"$T/$sig.out" 2>"$T/$sig.err" &
    pid=$!
    track_pid "$pid"
    for part in 1-50 51-100 101-150; do
        _check
        sed -n "${part/-/,}p" feed.jsonl | timeout 20 cat >&7 || fail "could not feed lines $part to the indexer"
        sleep 0.2
    done
    _check
    wait_until 10 has_at_least "$db" 10 ||
        fail "no batch of 10 records committed within 10 s of feeding $feed_n records (documents: $(documents "$db"))"
    # Every record that has arrived is indexed (and, 150 being 15 batches of 10, committed) even
    # though the input stays open: records must not wait for more input to arrive.
    _check
    wait_until 5 has_at_least "$db" "$feed_n" ||
        fail "only $(documents "$db") of the $feed_n records written to standard input were indexed within 5 s while the input stayed open"

    section "SIG$sig while the input stays open: exit 130 promptly"
    kill -"$sig" "$pid"
    _check
    wait_until 3 eval '! kill -0 "$pid" 2>/dev/null' ||
        fail "the indexer did not stop within 3 s of SIG$sig while its standard input stayed open (still waiting for input)"
    exec 7>&-  # end of input: releases an indexer that is still waiting
    if ! wait_until 20 eval '! kill -0 "$pid" 2>/dev/null'; then
        fail "the indexer did not stop within 20 s of SIG$sig and the end of its input; killing it"
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid"
    rc=$?
    expect_eq 130 "$rc" "exit status after SIG$sig"
    expect_contains "interrupted" "$(cat "$T/$sig.err")" "stderr after SIG$sig"

    section "after SIG$sig: stats, search and the next writer open the index"
    expect_exit 0 "$INDEX" --db "$db" stats
    n=$(stats_value documents "$OUT")
    _check
    [[ -n $n ]] && ((n >= 10)) || fail "documents after SIG$sig: \"$n\", expected at least 10 (committed before the signal)"
    added=$(summary_of "$(cat "$T/$sig.err")" | sed -E 's/^.*: ([0-9]+) added.*$/\1/')
    expect_eq "$n" "$added" "documents after SIG$sig against the records the summary says were added"
    expect_exit 0 "$SEARCH" --db "$db" --json "id:$first_id"
    expect_eq "$first_id" "$(json_hits id)" "the first record fed, after SIG$sig"
    expect_exit 0 "$SEARCH" --db "$db" --json --limit 100 year:2024
    expect_eq "$n" "$(json_top total)" "papers of 2024 after SIG$sig (the first $feed_n slice records are all of 2024)"
    expect_exit 0 "$INDEX" --db "$db" add feed.jsonl
    expect_exit 0 "$INDEX" --db "$db" stats
    expect_eq "$feed_n" "$(stats_value documents "$OUT")" "documents after adding the whole feed again"
}

_check
[[ $(grep -c '"published": "2024-' feed.jsonl) == "$feed_n" ]] || fail "the first $feed_n slice records are not all of 2024"

interrupt_case INT
interrupt_case TERM

finish
