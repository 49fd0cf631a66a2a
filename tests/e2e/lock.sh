#!/usr/bin/env bash
# End-to-end: one writer at a time. While `abstrakt-index add -` holds the index (its standard
# input is a fifo that this script keeps open), a second writer exits 3 saying the index is locked;
# readers still work. Closing the fifo lets the first writer finish and release the lock.
source "$(dirname "$0")/lib.bash"
cd "$T" || exit 1

DB=$T/index
seed_n=$(grep -c . "$SEED")

section "an index to lock"
expect_exit 0 "$INDEX" --db "$DB" add "$SEED"

section "a writer that holds the index: add - reading from a fifo kept open here"
mkfifo "$T/fifo"
exec 7<>"$T/fifo"  # read-write: opens without blocking and keeps a writer on the fifo
"$INDEX" --db "$DB" add - <"$T/fifo" 7>&- >"$T/holder.out" 2>"$T/holder.err" &
holder=$!
track_pid "$holder"
# The holder has the lock once it has opened the index's tables (Xapian takes the lock first).
holds_index() { ls -l "/proc/$holder/fd" 2>/dev/null | grep -q -- "-> $DB/"; }
_check
wait_until 10 holds_index || fail "the holder (add -) did not open $DB within 10 s: $(cat "$T/holder.err")"
_check
kill -0 "$holder" 2>/dev/null || fail "the holder exited early: $(cat "$T/holder.err")"

section "a second writer exits 3 with a message that says locked"
expect_exit 3 "$INDEX" --db "$DB" add "$SEED"
expect_contains "locked" "$ERR" "stderr of a second add"
expect_contains "$DB" "$ERR" "stderr of a second add (names the index)"
expect_exit 3 "$INDEX" --db "$DB" delete "$SEED_ID-05"
expect_contains "locked" "$ERR" "stderr of a delete while locked"

section "readers are not locked out"
expect_exit 0 "$INDEX" --db "$DB" stats
expect_eq "$seed_n" "$(stats_value documents "$OUT")" "stats while locked"
expect_exit 0 "$SEARCH" --db "$DB" --json "id:$SEED_ID-05"
expect_eq "$SEED_ID-05" "$(json_hits id)" "search while locked (the refused delete changed nothing)"

section "release: one record through the fifo, then end of input; the holder finishes cleanly"
echo '{"id": "lock-e2e-1", "title": {"en": "Written by the writer that held the lock"}}' >&7
exec 7>&-
_check
wait_until 20 eval '! kill -0 "$holder" 2>/dev/null' || fail "the holder did not finish within 20 s of the end of its input"
wait "$holder"
rc=$?
expect_eq 0 "$rc" "exit status of the holder"
expect_contains "1 added, 0 updated, 0 unchanged, 0 skipped" "$(summary_of "$(cat "$T/holder.err")")" "summary of the holder"
expect_exit 0 "$SEARCH" --db "$DB" --json id:lock-e2e-1
expect_eq lock-e2e-1 "$(json_hits id)" "the holder's record"

section "the lock is released: a writer works again"
expect_exit 0 "$INDEX" --db "$DB" add "$SEED"
expect_contains "0 added, 0 updated, $seed_n unchanged" "$(summary_of "$ERR")" "add after the release"
expect_exit 0 "$INDEX" --db "$DB" delete "$SEED_ID-05"
expect_exit 0 "$INDEX" --db "$DB" stats
expect_eq "$seed_n" "$(stats_value documents "$OUT")" "documents: seed + 1 added - 1 deleted"

finish
