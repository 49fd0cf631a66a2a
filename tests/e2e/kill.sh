#!/usr/bin/env bash
# End-to-end: SIGKILL at random points during `add` (into a new index, into an existing one, and with
# --jobs 2 into a new one), `rebuild` (one thread and --jobs 2) and `sync`, and at the system calls of a
# rebuild that change the folders (strace: each step of making, switching to and deleting
# generations). After every kill:
#   - the index opens (stats and search; before its first commit there may be no index yet),
#   - xapian-check passes on it, and on every generation behind a served link (the served one and the
#     older ones that rollback can serve again),
#   - it holds one of the states a commit can leave (a prefix of the input, nothing or the whole
#     index for a parallel add, the old or the new generation, the days committed so far with their
#     watermark),
#   - an undisturbed re-run converges to the index of an undisturbed run (`abstrakt-index digest`),
#     and removes what the killed run left beside the index (folders of a new index or a parallel
#     build, a half-built or half-deleted generation, a switch link): see `leftovers` below.
#
# The kill points are random ($RANDOM), drawn as fractions of undisturbed runs timed by this script, so
# that they spread over the whole job on a fast or a slow (sanitizer) build: the start, the reading,
# the commits, a parallel build's compaction and rename, a rebuild's verification and switch. Every
# check must hold for any kill point: a failure that comes and goes is a real bug, not a flaky test.
# Each round prints its kill point; a failing round can be replayed by hand with the same command and
# delay.
#
# KILL_ROUNDS (environment; default 4, which CI runs in Release; 2 in the sanitizer build): kill points of each kind (twice as many for the
# quick kills into a new index; the system calls: a sample, all of them from 12 on).
# `scripts/crash-test --rounds N` runs many and sums up the "tally:" lines that each kill point,
# xapian-check and re-run prints (docs/reliability.md).
source "$(dirname "$0")/lib.bash"

KILL_ROUNDS=${KILL_ROUNDS:-4}
if ! [[ $KILL_ROUNDS =~ ^[1-9][0-9]{0,3}$ ]]; then
    fail "KILL_ROUNDS must be a whole number from 1 to 9999, not \"$KILL_ROUNDS\""
    exit 1
fi
if ! command -v xapian-check >/dev/null; then
    fail "xapian-check not found (Debian package xapian-tools: scripts/setup installs it)"
    exit 1
fi
echo "KILL_ROUNDS=$KILL_ROUNDS"

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

# tally WHAT KIND RESULT [DETAIL...]: a line for scripts/crash-test's summary:
#   tally kill KIND killed|finished STATE [LEFT...]   a kill point, the state it left, what it left beside
#   tally point KIND PERCENT                          where it fell: % of the undisturbed run's time
#   tally xcheck KIND pass|fail                       one run of xapian-check
#   tally rerun KIND converged|differs                an undisturbed re-run against the undisturbed digest
#   tally clean KIND yes|no                           nothing that killed runs left is there after it
#   tally skip KIND                                   a section that could not run here
tally() { echo "tally: $*"; }

# kill_after MS CMD...: runs CMD and sends it SIGKILL after MS milliseconds (timeout(1)). Sets KILLED
# (1 when the signal ended it, 0 when it had finished before), BG_RC, BG_ERR, and BG_MS: how long it
# ran, for one that finished the whole of it.
kill_after() {
    local ms=$1 t0
    shift
    ((ms > 0)) || ms=1  # (a time-out of 0 is none)
    t0=$(now_ms)
    # --foreground: timeout kills the job alone and reaps it (else it kills itself too, and the job
    # stays a zombie that nobody reaps, a process that is not gone for the next run).
    # --preserve-status: a job that ended by itself as the time ran out gives its own status (else 124).
    { timeout --foreground --preserve-status -s KILL "$(seconds_of "$ms")" "$@" >"$T/bg.out" 2>"$T/bg.err"; } 2>/dev/null
    BG_RC=$?
    BG_MS=$(($(now_ms) - t0))
    BG_ERR=$(cat "$T/bg.err")
    KILLED=0
    ((BG_RC == 128 + 9)) && KILLED=1
    return 0
}

# The kill points are drawn from how long an undisturbed run takes, and on a shared machine that
# changes during the test (a sync timed at the start once took six times its usual time while others
# built, and most of its rounds finished before their kill). So each estimate follows the runs: a
# round whose job finished before its kill, and an undisturbed re-run of the same job, give its new
# duration.

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
killed_word() { ((KILLED)) && echo killed || echo finished; }

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

# xcheck KIND DB: xapian-check passes on DB (a generation link is followed); a failure fails the round
# and shows the end of its output.
xcheck() {
    local kind=$1 db=$2 real
    real=$(readlink -f "$db")
    local rc=0
    _check
    xapian-check "$real" >"$T/xcheck.out" 2>&1 || rc=$?
    if ((rc == 0)); then
        tally xcheck "$kind" pass
    else
        tally xcheck "$kind" fail
        fail "$ROUND: xapian-check $real fails (status $rc):"$'\n'"$(grep -v -e '^blocksize=' -e 'checked okay' -e 'checked OK' -e '^$' "$T/xcheck.out" | tail -n 20)"
    fi
}

# xcheck_generations KIND DB: xapian-check on the generation DB serves and on every older one (each can
# be served again by `rollback`). Newer ones are half-built leftovers that nothing serves.
xcheck_generations() {
    local kind=$1 db=$2 served g
    served=$(basename "$(readlink "$db")")
    for g in $(ls "$db.generations" | grep -E '^[0-9]+$' | sort -n); do
        ((g <= served)) && xcheck "$kind" "$db.generations/$g"
    done
}

# leftovers DB: what killed runs left beside DB, one word each (nothing when all is clean):
#   creating   a folder .NAME.creating-PID: a new index made whole before it is renamed to NAME
#              (indexer/writer.cc)
#   parallel   a folder .NAME.parallel-PID: a parallel build's partial indexes (indexer/parallel.cc);
#              "merged" as well when it holds the merged index (killed in or after the compaction)
#   switch     a link NAME.switch-PID not yet renamed over NAME (indexer/generations.cc)
#   newer-gen  a generation newer than the served one: a rebuild that did not switch
#   older-gen  a generation older than the one kept for rollback: a switch killed before deleting it
#   deleting   a folder .N.deleting-PID: a generation taken out of the list to be deleted
#   other:X    anything else named after NAME, besides NAME.job-lock and NAME.generations
# and the same hidden folders inside NAME.generations (for the generation being built).
# By design a killed run may leave these, and the next run removes them (or, for older-gen, the next
# switch); the rounds check that the re-run leaves none.
leftovers() {
    local db=$1 name dir e base served prev found=()
    name=$(basename "$db")
    dir=$(dirname "$db")
    for e in "$dir/.$name."* "$dir/$name."*; do
        [[ -e $e || -L $e ]] || continue
        base=$(basename "$e")
        case $base in
            "$name.job-lock" | "$name.generations") ;;
            ".$name.creating-"*) found+=(creating) ;;
            ".$name.parallel-"*) found+=(parallel) && [[ -e $e/merged ]] && found+=(merged) ;;
            "$name.switch-"*) found+=(switch) ;;
            *) found+=("other:$base") ;;
        esac
    done
    if [[ -L $db && -d $db.generations ]]; then
        served=$(basename "$(readlink "$db")")
        prev=$(ls "$db.generations" | grep -E '^[0-9]+$' | sort -n | awk -v s="$served" '$1 < s' | tail -n 1)
        for e in "$db.generations"/* "$db.generations"/.*; do
            base=$(basename "$e")
            [[ $base == . || $base == .. ]] && continue
            [[ -e $e || -L $e ]] || continue
            if [[ $base =~ ^[0-9]+$ ]]; then
                ((base > served)) && found+=(newer-gen)
                ((base < served)) && [[ $base != "$prev" ]] && found+=(older-gen)
            elif [[ $base =~ ^\.[0-9]+\.creating- ]]; then
                found+=(creating)
            elif [[ $base =~ ^\.[0-9]+\.parallel- ]]; then
                found+=(parallel) && [[ -e $e/merged ]] && found+=(merged)
            elif [[ $base =~ ^\.[0-9]+\.deleting- ]]; then
                found+=(deleting)
            else
                found+=("other:$base")
            fi
        done
    fi
    echo "${found[*]}"
}

# clean_after_rerun KIND DB: the re-run left nothing of the killed runs beside DB.
clean_after_rerun() {
    local kind=$1 left
    shift
    left=$(leftovers "$1")
    _check
    [[ -z $left ]] && tally clean "$kind" yes && return 0
    tally clean "$kind" no
    fail "$ROUND: the re-run left what a killed run left beside $1 ($left):"$'\n'"  $(ls -la "$(dirname "$1")" | grep -F "$(basename "$1")" | tr '\n' ' ')"$'\n'"  $( [[ -d $1.generations ]] && ls -la "$1.generations" | tr '\n' ' ')"
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

# same_digest EXPECTED_FILE ACTUAL_FILE WHAT: the whole digests are equal; a failure shows the diff
# (status 1).
same_digest() {
    _check
    cmp -s "$1" "$2" && return 0
    fail "$3: the digest differs from the undisturbed one ($(grep -c . <"$1") against $(grep -c . <"$2") lines):"$'\n'"$(diff "$1" "$2" | head -n 12)"
    return 1
}

# converged KIND EXPECTED_FILE DB: after the re-run, DB's digest is the undisturbed one, and nothing
# that killed runs left is there any more.
converged() {
    local kind=$1 expected=$2 db=$3
    digest "$db" rerun.digest
    if same_digest "$expected" rerun.digest "$ROUND, then a re-run"; then
        tally rerun "$kind" converged
    else
        tally rerun "$kind" differs
    fi
    clean_after_rerun "$kind" "$db"
}

# ---------------------------------------------------------------------------------------------------
section "add --batch 25: killed at random points, then a re-run"
gzip -dc "$SLICE" | head -n 400 >part.jsonl
head -n 1 part.jsonl >one.jsonl
head -n 50 part.jsonl >base.jsonl
head -n 200 part.jsonl >A.jsonl  # for the parallel add and the rebuilds: quicker rounds
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
# The existing index that the kills of `add` into an existing index start from: the first 50 records.
expect_exit 0 "$INDEX" --db "$T/add-base" --batch 25 add base.jsonl

# committed_prefix DB TOTAL: the killed index holds exactly the first N records of the file (of TOTAL),
# N a multiple of the batch or all of them, each record as stored by the undisturbed add. (`export`:
# the stored records, much quicker than a digest; the re-runs compare whole digests.)
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
# committed (windows of a few milliseconds in the first third of an add of 1 record: the rounds are
# spread over its first two thirds).
# Nothing committed may leave no index at all, never one that does not open or a re-run cannot open.
n=$((KILL_ROUNDS * 2))
for ((i = 1; i <= n; i++)); do
    ms=$(spread_ms "$i" "$n" $((create_ms * 2 / 3)))
    db=$T/add-early-$i
    ROUND="add, new index $i: SIGKILL after $ms ms (a whole add of 1 record takes ~$create_ms ms)"
    tally point add-new $((ms * 100 / (create_ms + 1)))
    kill_after "$ms" "$INDEX" --db "$db" --batch 25 add one.jsonl
    after_kill
    ((KILLED)) || create_ms=$BG_MS
    left=$(leftovers "$db")
    state=nothing
    if usable "$db" 1; then
        xcheck add-new "$db"
        committed_prefix "$db" 1
        state=prefix-$COMMITTED
    fi
    tally kill add-new "$(killed_word)" "$state" $left
    if rerun "$db" "$INDEX" --db "$db" --batch 25 add one.jsonl; then
        converged add-new add-one.digest "$db"
    fi
done

# Kills anywhere in the run, into an existing index (the first 50 records) that each round adds the
# whole file to again, in cycles of up to 4 kills (fewer once all records are there) followed by an
# undisturbed re-run. Records already there are passed over quickly, so each round's kill is drawn
# from the time the records still missing take.
for ((i = 1, cycle = 0; i <= KILL_ROUNDS; cycle++)); do
    db=$T/add-killed-$cycle
    cp -a "$T/add-base" "$db"
    COMMITTED=50
    for ((k = 0; k < 4 && i <= KILL_ROUNDS && COMMITTED < n_part; k++, i++)); do
        missing=$((n_part - COMMITTED))
        max_ms=$((create_ms + add_ms * missing / n_part))
        ms=$(random_ms "$max_ms")
        ROUND="add round $i (cycle $cycle): SIGKILL after $ms ms (of 0..$max_ms; $COMMITTED records there before; an undisturbed add of all takes ~$add_ms ms)"
        tally point add-existing $((ms * 100 / (max_ms + 1)))
        kill_after "$ms" "$INDEX" --db "$db" --batch 25 add part.jsonl
        after_kill
        ((KILLED || missing < 100)) || add_ms=$((BG_MS * n_part / missing))
        left=$(leftovers "$db")
        usable "$db" 0 && xcheck add-existing "$db" && committed_prefix "$db" "$n_part"
        tally kill add-existing "$(killed_word)" "prefix-$COMMITTED" $left
    done
    ROUND="add re-run after the kills of cycle $cycle"
    if rerun "$db" "$INDEX" --db "$db" --batch 25 add part.jsonl; then
        converged add-existing add-clean.digest "$db"
    fi
done

# ---------------------------------------------------------------------------------------------------
echo "(${SECONDS} s so far)"
section "add --jobs 2 into a new index: killed at random points; no index or the whole one"
# All or nothing: the partial indexes and the merged one are made in .NAME.parallel-PID, and only the
# finished index is renamed to NAME (indexer/parallel.cc). The kill points spread over the reading,
# the compaction (a third of the run or so) and the rename and clean-up at its end. The input: A, the
# first 200 records (the rebuilds below check that one thread makes the same index).
n_A=$(grep -c . A.jsonl)
t0=$(now_ms)
expect_exit 0 "$INDEX" --db "$T/jobs-clean" --jobs 2 add A.jsonl
jobs_ms=$(($(now_ms) - t0))
echo "undisturbed: add --jobs 2 of $n_A records into a new index ${jobs_ms} ms"
ROUND="add --jobs 2, undisturbed"
digest "$T/jobs-clean" A.digest
expect_eq "$n_A" "$(grep -c "^doc " <A.digest)" "documents in the digest of the undisturbed add --jobs 2"

for ((i = 1; i <= KILL_ROUNDS; i++)); do
    ms=$(spread_ms "$i" "$KILL_ROUNDS" $((jobs_ms * 11 / 10)))
    db=$T/add-jobs-$i
    ROUND="add --jobs 2 round $i: SIGKILL after $ms ms (an undisturbed one takes ~$jobs_ms ms)"
    tally point add-jobs $((ms * 100 / (jobs_ms + 1)))
    kill_after "$ms" "$INDEX" --db "$db" --jobs 2 add A.jsonl
    after_kill
    ((KILLED)) || jobs_ms=$BG_MS
    left=$(leftovers "$db")
    state=nothing
    if [[ -e $db || -L $db ]]; then
        state=unusable
        if usable "$db" 0; then
            xcheck add-jobs "$db"
            committed_prefix "$db" "$n_A"
            state=prefix-$COMMITTED
            ((COMMITTED == n_A)) && state=whole
            expect_eq "$n_A" "$COMMITTED" "$ROUND: records in the index a parallel add made (all or nothing)"
        fi
    else
        echo "$ROUND: no index (what it left: ${left:-nothing})"
    fi
    tally kill add-jobs "$(killed_word)" "$state" $left
    # The re-run: an index that is there is added to on one thread (--jobs is for a new index); when
    # there is none, every other round builds it on one thread, to check that this too removes the
    # folder the parallel build left.
    if [[ -e $db ]]; then
        rerun "$db" "$INDEX" --db "$db" add A.jsonl
        expect_contains "the index is unchanged" "$ERR" "$ROUND: the re-run on the whole index"
    elif ((i % 2)); then
        t0=$(now_ms)
        rerun "$db" "$INDEX" --db "$db" --jobs 2 add A.jsonl
        ((RC == 0)) && jobs_ms=$(($(now_ms) - t0))
    else
        rerun "$db" "$INDEX" --db "$db" --jobs 1 --batch 25 add A.jsonl
    fi
    ((RC == 0)) && converged add-jobs A.digest "$db"
done

# ---------------------------------------------------------------------------------------------------
echo "(${SECONDS} s so far)"
section "rebuild, one thread and --jobs 2: killed at random points; the old or the new generation is served"
# Two record files, each round rebuilding from the one not served: A (the first 200 records) and B
# (100 of them and the seed). The undisturbed rebuilds time both and give their digests.
{ head -n 100 part.jsonl; cat "$SEED"; } >B.jsonl
n_B=$(grep -c . B.jsonl)
declare -A gen_ms
for jobs in 1 2; do
    db=$T/served-$jobs
    ROUND="rebuild --jobs $jobs, undisturbed"
    for x in A B; do
        t0=$(now_ms)
        expect_exit 0 "$INDEX" --db "$db" --jobs "$jobs" rebuild "$x.jsonl"
        gen_ms[$jobs$x]=$(($(now_ms) - t0))
        expect_contains "($(grep -c . "$x.jsonl") documents) is served" "$OUT" "$ROUND: rebuild of $x"
        digest "$db" "gen-$jobs$x.digest"
    done
    echo "undisturbed: rebuild --jobs $jobs of A ($n_A records, the first generation) ${gen_ms[${jobs}A]} ms, of B ($n_B records) ${gen_ms[${jobs}B]} ms"
done
same_digest A.digest gen-1A.digest "rebuild of A on one thread against add --jobs 2 of it"
same_digest A.digest gen-2A.digest "rebuild --jobs 2 of A against add --jobs 2 of it"
same_digest gen-1B.digest gen-2B.digest "rebuild --jobs 2 of B against one thread"
cp A.digest gen-A.digest
cp gen-1B.digest gen-B.digest

# after_rebuild_kill KIND DB OLD_DIGEST NEW_DIGEST: the checks after a rebuild was killed. DB is still a
# link, to a generation that opens and holds the old or the new index; xapian-check passes on it and on
# every older generation; the job lock is free. Status 1 when DB is not a link any more.
after_rebuild_kill() {
    local kind=$1 db=$2 old=$3 new=$4 left state=
    _check
    if [[ ! -L $db ]]; then
        fail "$ROUND: $db is not a link any more: $(ls -la "$(dirname "$db")" | grep -F "$(basename "$db")")"
        return 1
    fi
    left=$(leftovers "$db")
    if usable "$db" 0; then
        xcheck_generations "$kind" "$db"
        digest "$db" served.digest
        if cmp -s served.digest "$old"; then
            state=old-served
            echo "$ROUND: the old generation is served ($(readlink "$db"); left: ${left:-nothing})"
        elif cmp -s served.digest "$new"; then
            state=new-served
            echo "$ROUND: the new generation is served ($(readlink "$db"); left: ${left:-nothing})"
        else
            state=neither
            fail "$ROUND: the served index ($(readlink "$db")) is neither the old generation nor the new one:"$'\n'"$(diff "$old" served.digest | head -n 6)"
        fi
    fi
    tally kill "$kind" "$(killed_word)" "${state:-unusable}" $left
    _check
    flock -n "$db.job-lock" true || fail "$ROUND: the job lock $db.job-lock is still held after the kill"
    return 0
}

for jobs in 1 2; do
    kind=rebuild
    ((jobs > 1)) && kind=rebuild-jobs
    db=$T/served-$jobs
    served=B  # what the undisturbed rebuilds left
    for ((i = 1; i <= KILL_ROUNDS; i++)); do
        x=A
        [[ $served == A ]] && x=B
        max_ms=$((gen_ms[$jobs$x] * 11 / 10))
        ms=$(spread_ms "$i" "$KILL_ROUNDS" "$max_ms")
        ROUND="rebuild --jobs $jobs round $i: SIGKILL after $ms ms into a rebuild of $x while $served is served (an undisturbed one takes ~${gen_ms[$jobs$x]} ms)"
        tally point "$kind" $((ms * 100 / (gen_ms[$jobs$x] + 1)))
        kill_after "$ms" "$INDEX" --db "$db" --jobs "$jobs" rebuild "$x.jsonl"
        after_kill
        ((KILLED)) || gen_ms[$jobs$x]=$BG_MS
        after_rebuild_kill "$kind" "$db" "gen-$served.digest" "gen-$x.digest" || continue
        # The re-run: every other one with the other number of threads, to check that each removes
        # what the other leaves.
        rerun_jobs=$jobs
        ((i % 2 == 0)) && rerun_jobs=$((3 - jobs))
        ROUND="$ROUND, then a rebuild --jobs $rerun_jobs"
        t0=$(now_ms)
        if rerun "$db" "$INDEX" --db "$db" --jobs "$rerun_jobs" rebuild "$x.jsonl"; then
            gen_ms[$rerun_jobs$x]=$(($(now_ms) - t0))
            converged "$kind" "gen-$x.digest" "$db"
            served=$x
        fi
    done
done

# ---------------------------------------------------------------------------------------------------
echo "(${SECONDS} s so far)"
section "rebuild: killed at its system calls that change the folders (strace), one after another"
# Random times rarely land in the short steps of a switch: between the new link and its rename, while
# an old generation is deleted. Here strace(1) sends SIGKILL on entering the K-th call of one system
# call (before it runs), for every call that an undisturbed rebuild on one thread (single-threaded:
# strace counts calls per thread) makes to rename, link, unlink or make a file or folder: each step of
# making the new generation, switching to it, and deleting the generations no longer kept. Small
# inputs keep each round quick. The rebuild starts from the same copy each time: generations 2 and 3,
# 3 (C) served, and 4 left by a rebuild that failed its verification; the rebuild of D deletes 4,
# makes 4 again, switches to it and deletes 2. With KILL_ROUNDS below 12, a spread sample of the calls
# (every rename, link and folder made among them); all of them from 12 on.
SYSCALLS=rename,renameat,renameat2,link,linkat,symlink,symlinkat,unlink,unlinkat,rmdir,mkdir,mkdirat
if ! command -v strace >/dev/null || ! strace -f -o /dev/null true 2>/dev/null; then
    echo "SKIPPED: strace is missing or cannot trace here (Debian package strace: scripts/setup installs it)"
    tally skip rebuild-syscall
else
    sed -n 1,8p part.jsonl >C.jsonl
    sed -n 9,16p part.jsonl >D.jsonl
    : >empty.jsonl
    mkdir -p sys/pristine
    ROUND="rebuild of small files, undisturbed"
    for x in C D C; do expect_exit 0 "$INDEX" --db sys/pristine/served --jobs 1 rebuild "$x.jsonl"; done
    digest sys/pristine/served gen-C.digest
    expect_exit 1 "$INDEX" --db sys/pristine/served --jobs 1 rebuild empty.jsonl
    expect_contains "generation 4 was not switched to" "$ERR" "$ROUND: the rebuild of no records"
    # (LeakSanitizer cannot run under a tracer: in a sanitizer build, no leak check under strace.)
    untraced_leaks=ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    cp -a sys/pristine sys/traced
    env "$untraced_leaks" strace -f -o sys.trace -e trace="$SYSCALLS" "$INDEX" --db sys/traced/served --jobs 1 rebuild D.jsonl >/dev/null 2>sys.err
    expect_eq 0 "$?" "the undisturbed rebuild of D under strace ($(head -c 300 sys.err))"
    digest sys/traced/served gen-D.digest
    # The calls in order: NAME K (its K-th call, failed ones counted) and the call, for those that
    # succeeded (one that fails changes nothing: the state before it is the state after the one before).
    awk '{ name = $2; sub(/\(.*/, "", name); if (name !~ /^[a-z0-9]+$/) next; k = ++count[name]
           if ($NF == "0" && $(NF - 1) == "=") { line = $0; sub(/^[0-9]+ +/, "", line); print name, k, line } }' \
        sys.trace >sys.points
    n_points=$(grep -c . <sys.points)
    expect_some "$n_points" "system calls that change the folders in a rebuild"
    echo "undisturbed: a rebuild of D makes $n_points calls that change the folders: $(cut -d' ' -f1 sys.points | sort | uniq -c | tr '\n' ' ' | tr -s ' ')"
    if ((KILL_ROUNDS >= 12)); then
        cp sys.points sys.chosen
    else
        # Every rename, link and mkdir, and a spread sample of the rest (at least one in three).
        awk -v n="$n_points" -v want=$((KILL_ROUNDS * 3)) \
            '$1 ~ /^(rename|renameat|renameat2|link|linkat|symlink|symlinkat|mkdir|mkdirat)$/ || int(NR * want / n) != int((NR - 1) * want / n)' \
            sys.points >sys.chosen
    fi
    i=0
    while read -r name k call; do
        i=$((i + 1))
        rm -rf sys/killed
        cp -a sys/pristine sys/killed
        db=$T/sys/killed/served
        ROUND="rebuild, system call $i: SIGKILL on entering $name call $k: $call"
        env "$untraced_leaks" strace -f -o /dev/null -e trace="$name" -e inject="$name:signal=KILL:when=$k" \
            "$INDEX" --db "$db" --jobs 1 rebuild D.jsonl >"$T/bg.out" 2>"$T/bg.err"
        BG_RC=$?
        BG_ERR=$(cat "$T/bg.err")
        KILLED=0
        ((BG_RC == 128 + 9)) && KILLED=1
        after_kill
        _check
        ((KILLED)) || fail "$ROUND: the rebuild was not killed there (status $BG_RC): the calls differ from the undisturbed run's"
        after_rebuild_kill rebuild-syscall "$db" gen-C.digest gen-D.digest || continue
        rerun_jobs=$((1 + i % 2))
        ROUND="$ROUND, then a rebuild --jobs $rerun_jobs"
        if rerun "$db" "$INDEX" --db "$db" --jobs "$rerun_jobs" rebuild D.jsonl; then
            converged rebuild-syscall gen-D.digest "$db"
        fi
    done <sys.chosen
fi

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

for ((i = 1; i <= KILL_ROUNDS; i++)); do
    ms=$(spread_ms "$i" "$KILL_ROUNDS" $((sync_ms * 11 / 10)))
    ROUND="sync round $i: SIGKILL after $ms ms (an undisturbed sync takes ~$sync_ms ms)"
    db=$T/sync-killed-$i
    tally point sync $((ms * 100 / (sync_ms + 1)))
    kill_after "$ms" "$INDEX" --db "$db" sync --config sync-killed.json --today 2024-05-30
    after_kill
    ((KILLED)) || sync_ms=$BG_MS
    left=$(leftovers "$db")
    state=nothing
    if usable "$db" 1; then
        xcheck sync "$db"
        digest "$db" killed.digest
        state=
        for s in none "${days[@]}"; do cmp -s killed.digest "sync-$s.digest" && state=$s; done
        _check
        if [[ -n $state ]]; then
            echo "$ROUND: committed through $state"
            state=days-through-$state
            [[ $state == *none ]] && state=no-days
        else
            state=neither
            fail "$ROUND: the index is not one a commit leaves (nothing, or whole days with their watermark):"$'\n'"$(cat killed.digest)"
        fi
    fi
    tally kill sync "$(killed_word)" "$state" $left
    _check
    flock -n "$db.job-lock" true || fail "$ROUND: the job lock $db.job-lock is still held after the kill"
    if rerun "$db" "$INDEX" --db "$db" sync --config sync-killed.json --today 2024-05-30; then
        expect_contains "failed 0; watermark" "$OUT" "$ROUND: the re-run"
        converged sync sync-2024-05-30.digest "$db"
    fi
done
rm -f control/delay-*

finish
