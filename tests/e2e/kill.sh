#!/usr/bin/env bash
# End-to-end: SIGKILL at random points during `add`, `rebuild` and `sync`. After every kill the index
# opens (stats and search; before its first commit there may be no index yet), holds one of the states
# a commit can leave (a prefix of the input, the old or the new generation, the days committed so far
# with their watermark), and an undisturbed re-run converges to the index of an undisturbed run,
# compared with `abstrakt-index digest`.
#
# The kill points are random ($RANDOM), drawn as fractions of undisturbed runs timed by this script, so
# that they spread over the whole job on a fast or a slow (sanitizer) build. Every check must hold for
# any kill point: a failure that comes and goes is a real bug, not a flaky test. Each round prints its
# kill point; a failing round can be replayed by hand with the same command and delay.
source "$(dirname "$0")/lib.bash"

# The local Hugging Face feed server (DATA_DIR CONTROL_DIR; prints its port; control files fail-DAY,
# slow-DAY, delay-DAY).
FEED_SERVER=$(cd "$(dirname "$0")/../.." && pwd)/scripts/feed-server.py

cd "$T" || exit 1

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# random_ms MAX: a delay drawn uniformly from 0..MAX milliseconds.
random_ms() { echo $((RANDOM * ($1 + 1) / 32768)); }
# spread_ms I N MAX: a delay drawn from the I-th (1..N) of N equal parts of 0..MAX, so that N rounds
# spread over the whole run, the very start included, whatever $RANDOM draws.
spread_ms() { echo $((($1 - 1) * $3 / $2 + RANDOM * ($3 / $2 + 1) / 32768)); }
seconds_of() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

# kill_after MS CMD...: runs CMD in the background and sends it SIGKILL after MS milliseconds. Sets
# KILLED (1 when the signal ended it, 0 when it had finished before) and BG_RC, BG_ERR.
kill_after() {
    local ms=$1 pid
    shift
    "$@" >"$T/bg.out" 2>"$T/bg.err" &
    pid=$!
    track_pid "$pid"
    sleep "$(seconds_of "$ms")"
    kill -KILL "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null  # without the shell's "Killed" line
    BG_RC=$?
    BG_ERR=$(cat "$T/bg.err")
    KILLED=0
    ((BG_RC == 128 + 9)) && KILLED=1
    return 0
}

# ROUND describes the current round in every failure message.
ROUND=
# after_kill: a job that was not killed must have succeeded, and no job may find the lock of a
# killed one still held.
after_kill() {
    echo "$ROUND: $( ((KILLED)) && echo "killed" || echo "had finished (status $BG_RC)")"
    _check
    ((KILLED || BG_RC == 0)) || fail "$ROUND: the job finished with status $BG_RC before the kill: ${BG_ERR:0:400}"
    expect_not_contains "another abstrakt-index job is running" "$BG_ERR" "$ROUND: stderr of the killed job"
    expect_not_contains "locked by another writer" "$BG_ERR" "$ROUND: stderr of the killed job"
}

# usable DB FRESH: after a kill, DB opens: `stats` and a search exit 0 (status 0: go on and check what
# it holds). FRESH=1 when no earlier run committed anything to DB: then "no index" is allowed too (the
# kill came before the first commit; status 1), and the re-run must create the index. On a failure,
# status 1 and a listing of what is on disk.
usable() {
    local db=$1 fresh=$2
    if [[ ! -e $db ]]; then
        echo "$ROUND: no index created yet"
        return 1
    fi
    run "$INDEX" --db "$db" stats
    if ((RC != 0)) && ((fresh)) && [[ $ERR == *"no index at"* ]]; then
        echo "$ROUND: nothing committed yet (stats: no index; on disk: $(ls "$db" | tr '\n' ' '))"
        return 1
    fi
    _check
    if ((RC != 0)); then
        fail "$ROUND: stats of $db exits $RC after the kill: ${ERR:0:300}"$'\n'"  on disk: $(ls -la "$db/" 2>&1 | tr '\n' ' ')"
        return 1
    fi
    # (not through `run`, which parses the JSON with python: most of a second on a busy machine)
    _check
    timeout 60 "$SEARCH" --db "$db" --json linear >"$T/search.out" 2>"$T/search.err"
    RC=$?
    if ((RC != 0)); then
        fail "$ROUND: stats opens $db but a search exits $RC after the kill: $(head -c 300 "$T/search.err")"$'\n'"  stats: $(tr '\n' ' ' <<<"$OUT")"
        return 1
    elif [[ $(head -c 1 "$T/search.out") != "{" ]]; then
        fail "$ROUND: a search of $db answers no JSON after the kill: $(head -c 300 "$T/search.out")"
        return 1
    fi
    return 0
}

# rerun DB CMD...: the undisturbed re-run after a kill succeeds (status 1 when not, with a listing of
# what is on disk: an index that a kill left and that the next run cannot open).
rerun() {
    local db=$1
    shift
    expect_exit 0 "$@"
    ((RC == 0)) && return 0
    echo "  $ROUND: on disk: $(ls -la "$db/" 2>&1 | tr '\n' ' ')" >&2
    return 1
}

# digest DB FILE: the digest of DB into FILE (empty when it does not open).
digest() {
    _check
    "$INDEX" --db "$1" digest >"$2" 2>"$T/digest.err" || { fail "$ROUND: digest of $1: $(cat "$T/digest.err")"; : >"$2"; }
}

# same_digest EXPECTED_FILE ACTUAL_FILE WHAT: the whole digests are equal; a failure shows the diff.
same_digest() {
    _check
    cmp -s "$1" "$2" || fail "$3: the digest differs from the undisturbed one ($(grep -c . <"$1") against $(grep -c . <"$2") lines):"$'\n'"$(diff "$1" "$2" | head -n 12)"
}

# ---------------------------------------------------------------------------------------------------
section "add --batch 25: killed at random points, then a re-run"
gzip -dc "$SLICE" | head -n 400 >part.jsonl
head -n 1 part.jsonl >one.jsonl
sed -E 's/^\{"id": "([^"]*)".*/\1/' part.jsonl >part.ids
n_part=$(grep -c . part.jsonl)
expect_eq "$n_part" "$(sort -u part.ids | grep -c .)" "distinct ids in the first 400 slice records"

t0=$(now_ms)
expect_exit 0 "$INDEX" --db "$T/add-one" --batch 25 add one.jsonl
create_ms=$(($(now_ms) - t0))
t0=$(now_ms)
expect_exit 0 "$INDEX" --db "$T/add-clean" --batch 25 add part.jsonl
add_ms=$(($(now_ms) - t0))
echo "undisturbed: add of 1 record into a new index ${create_ms} ms, add of $n_part records ${add_ms} ms"
digest "$T/add-one" add-one.digest
digest "$T/add-clean" add-clean.digest
"$INDEX" --db "$T/add-clean" export | sort >add-clean.export
expect_eq "$n_part" "$(grep -c "^doc " <add-clean.digest)" "documents in the digest of the undisturbed add"

# committed_prefix DB TOTAL: the killed index holds exactly the first N records of the file (of TOTAL),
# N a multiple of the batch or all of them, each record as stored by the undisturbed add. (`export`:
# the stored records, much quicker than a digest; the re-runs at the end compare whole digests.)
committed_prefix() {
    local db=$1 total=$2 n
    _check
    "$INDEX" --db "$db" export 2>"$T/export.err" | sort >killed.export || fail "$ROUND: export of $db: $(cat "$T/export.err")"
    n=$(grep -c . <killed.export)
    COMMITTED=$n
    echo "$ROUND: $n of $total records committed"
    _check
    ((n % 25 == 0 || n == total)) || fail "$ROUND: $n records committed, not a whole number of batches of 25"
    expect_eq "$(head -n "$n" part.ids | sort | tr '\n' ' ')" "$(sed -E 's/^\{"id":"([^"]*)".*/\1/' killed.export | tr '\n' ' ')" \
        "$ROUND: ids committed (the first $n of the file)"
    _check
    [[ -z $(comm -23 killed.export add-clean.export) ]] ||
        fail "$ROUND: records that differ from the undisturbed add:"$'\n'"$(comm -23 killed.export add-clean.export | cut -c1-200 | head -n 3)"
}

# Very early kills, into new indexes: while Xapian creates the database and the schema version is
# committed (windows of a few milliseconds in the first third of an add of 1 record: 8 rounds spread
# over its first two thirds).
# Nothing committed may leave no index at all, never one that does not open or a re-run cannot open.
for i in 1 2 3 4 5 6 7 8; do
    ms=$(spread_ms "$i" 8 $((create_ms * 2 / 3)))
    ROUND="add, new index $i: SIGKILL after $ms ms (a whole add of 1 record takes ~$create_ms ms)"
    kill_after "$ms" "$INDEX" --db "$T/add-early-$i" --batch 25 add one.jsonl
    after_kill
    usable "$T/add-early-$i" 1 && committed_prefix "$T/add-early-$i" 1
    if rerun "$T/add-early-$i" "$INDEX" --db "$T/add-early-$i" --batch 25 add one.jsonl; then
        digest "$T/add-early-$i" early.digest
        same_digest add-one.digest early.digest "$ROUND, then an undisturbed add"
    fi
done

# Kills anywhere in the run, into one index that each round adds the whole file to again. Records
# already there are passed over quickly, so each round's kill is drawn from the time the records
# still missing take (and from the start-up alone once all are there).
COMMITTED=0
opened=0  # whether an earlier round left an index that opened
for i in 1 2 3 4 5; do
    max_ms=$((create_ms + add_ms * (n_part - COMMITTED) / n_part))
    ms=$(random_ms "$max_ms")
    ROUND="add round $i: SIGKILL after $ms ms (of 0..$max_ms; $COMMITTED records there before; an undisturbed add takes ~$add_ms ms)"
    kill_after "$ms" "$INDEX" --db "$T/add-killed" --batch 25 add part.jsonl
    after_kill
    if usable "$T/add-killed" $((!opened)); then
        opened=1
        committed_prefix "$T/add-killed" "$n_part"
    fi
done
ROUND="add re-run after the kills"
if rerun "$T/add-killed" "$INDEX" --db "$T/add-killed" --batch 25 add part.jsonl; then
    digest "$T/add-killed" add-killed.digest
    same_digest add-clean.digest add-killed.digest "add: the re-run after the kills"
fi

# ---------------------------------------------------------------------------------------------------
echo "(${SECONDS} s so far)"
section "rebuild: killed at random points; the served path is the old or the new generation"
{ head -n 200 part.jsonl; cat "$SEED"; } >other.jsonl
n_other=$(grep -c . other.jsonl)
ROUND="rebuild, generation 1"
expect_exit 0 "$INDEX" --db "$T/served" rebuild part.jsonl
expect_contains "generation 1 ($n_part documents) is served" "$OUT" "the first rebuild"
digest "$T/served" gen-old.digest
same_digest add-clean.digest gen-old.digest "rebuild of the 400 records against add of them"
# The new generation's content: the same file through `add` into a plain directory (both replace
# records); the undisturbed run also times the work a rebuild does.
t0=$(now_ms)
expect_exit 0 "$INDEX" --db "$T/other-add" add other.jsonl
rebuild_ms=$(($(now_ms) - t0))
digest "$T/other-add" gen-new.digest
echo "undisturbed: add of the $n_other records of the new generation ${rebuild_ms} ms"

for i in 1 2 3 4; do
    ms=$(spread_ms "$i" 4 $((rebuild_ms * 5 / 4)))
    ROUND="rebuild round $i: SIGKILL after $ms ms (its records take ~$rebuild_ms ms to add)"
    kill_after "$ms" "$INDEX" --db "$T/served" rebuild other.jsonl
    after_kill
    _check
    [[ -L $T/served ]] || fail "$ROUND: $T/served is not a link any more: $(ls -la "$T" | grep served)"
    usable "$T/served" 0
    digest "$T/served" served.digest
    if cmp -s served.digest gen-old.digest; then
        echo "$ROUND: the old generation is served ($(readlink "$T/served"))"
    elif cmp -s served.digest gen-new.digest; then
        echo "$ROUND: the new generation is served ($(readlink "$T/served"))"
    else
        fail "$ROUND: the served index ($(readlink "$T/served")) is neither the old generation nor the new one:"$'\n'"$(diff gen-old.digest served.digest | head -n 6)"
    fi
    _check
    flock -n "$T/served.job-lock" true || fail "$ROUND: the job lock $T/served.job-lock is still held after the kill"
done
ROUND="rebuild after the kills"
expect_exit 0 "$INDEX" --db "$T/served" rebuild other.jsonl
expect_contains "($n_other documents) is served" "$OUT" "the rebuild after the kills"
expect_not_contains "another abstrakt-index job is running" "$ERR" "the rebuild after the kills"
digest "$T/served" served.digest
same_digest gen-new.digest served.digest "rebuild after the kills, against add of the same file"
expect_eq 2 "$(ls "$T/served.generations" | grep -c .)" "generations kept after the rebuild (the served one and the one before it; half-built ones replaced): $(ls "$T/served.generations" | tr '\n' ' ')"

# ---------------------------------------------------------------------------------------------------
echo "(${SECONDS} s so far)"
section "sync: killed at random points; the days committed so far, then a re-run converges"
mkdir -p control
python3 "$FEED_SERVER" "$ABSTRAKT_DATA" "$T/control" >port 2>feed.err &
feed_pid=$!
track_pid $feed_pid
wait_until 10 test -s port || fail "the feed server $FEED_SERVER did not start"
port=$(head -n 1 port)
for name in clean killed; do
    cat >"sync-$name.json" <<JSON
{"spool": "spool-$name", "fetch": {"timeout_s": 5, "max_attempts": 2, "backoff_s": 0.1},
 "sources": [{"name": "hf", "type": "hf-daily", "base": "http://127.0.0.1:$port", "start": "2024-05-28"}]}
JSON
done
days=(2024-05-28 2024-05-29 2024-05-30)
# The states a killed run may leave: nothing, a new index with nothing fetched, or the days up to one
# of them committed with its watermark; each from an undisturbed run that stops at that day (none: the
# day before the start).
ROUND="sync, undisturbed"
expect_exit 0 "$INDEX" --db "$T/sync-to-none" sync --config sync-clean.json --today 2024-05-27
digest "$T/sync-to-none" sync-none.digest
for day in "${days[@]::2}"; do
    expect_exit 0 "$INDEX" --db "$T/sync-to-$day" sync --config sync-clean.json --today "$day"
    digest "$T/sync-to-$day" "sync-$day.digest"
done
# Each day answers after 0.1 s, so that kills land while a day is fetched as well as between days.
for day in "${days[@]}"; do echo 0.1 >"control/delay-$day"; done
t0=$(now_ms)
expect_exit 0 "$INDEX" --db "$T/sync-clean" sync --config sync-clean.json --today 2024-05-30
sync_ms=$(($(now_ms) - t0))
expect_contains "hf: fetched 3," "$OUT" "the undisturbed sync"
expect_contains "failed 0; watermark (none) -> 2024-05-30" "$OUT" "the undisturbed sync"
digest "$T/sync-clean" sync-2024-05-30.digest
expect_match '^meta abstrakt.watermark.hf 2024-05-30$' "$(cat sync-2024-05-30.digest)" "digest of the undisturbed sync"
echo "undisturbed: sync of 3 days ${sync_ms} ms (each day answered after 0.1 s)"

for i in 1 2 3 4 5; do
    ms=$(spread_ms "$i" 5 $((sync_ms * 11 / 10)))
    ROUND="sync round $i: SIGKILL after $ms ms (an undisturbed sync takes ~$sync_ms ms)"
    db=$T/sync-killed-$i
    kill_after "$ms" "$INDEX" --db "$db" sync --config sync-killed.json --today 2024-05-30
    after_kill
    if usable "$db" 1; then
        digest "$db" killed.digest
        state=
        for s in none "${days[@]}"; do cmp -s killed.digest "sync-$s.digest" && state=$s; done
        _check
        if [[ -n $state ]]; then
            echo "$ROUND: committed through $state"
        else
            fail "$ROUND: the index is not one a commit leaves (nothing, or whole days with their watermark):"$'\n'"$(cat killed.digest)"
        fi
    fi
    _check
    flock -n "$db.job-lock" true || fail "$ROUND: the job lock $db.job-lock is still held after the kill"
    if rerun "$db" "$INDEX" --db "$db" sync --config sync-killed.json --today 2024-05-30; then
        expect_contains "failed 0; watermark" "$OUT" "$ROUND: the re-run"
        digest "$db" killed.digest
        same_digest sync-2024-05-30.digest killed.digest "$ROUND, then a re-run"
    fi
done
rm -f control/delay-*

finish
