#!/usr/bin/env bash
# End-to-end: abstrakt-serve under wrk load (8 keep-alive connections, a mix of 20 requests) while the nightly
# job commits (sync nights against scripts/feed-server.py, one of 23 commits in a row; 10 commits of one paper
# updated back and forth, one `add` each) and rebuilds-and-switches twice: scripts/bench/reindex-load on the first
# 400 records of the bundled data, with short phases. No failed request, no non-2xx, no socket error, and every
# response the answer of one committed state of the index (docs/reliability.md). Then the check itself:
# made-up half-switched responses added to the kept ones fail it.
source "$(dirname "$0")/lib.bash"
bench="$(dirname "$0")/../../scripts/bench/reindex-load"
command -v wrk >/dev/null || { echo "e2e: wrk is not installed (scripts/setup installs it)" >&2; exit 1; }

section "load before, during and after the job"
# Not through `run`: its 60 s limit is for one command of the programs, this is a whole run.
timeout 900 env ABSTRAKT_BIN="$ABSTRAKT_BIN" "$bench" --size 400 --phase 3 --dwell 80 --storm 10 --storm-each --keep "$T/run" >"$T/run.out" 2>&1
RC=$?
OUT=$(cat "$T/run.out")
echo "$OUT"  # the figures, in the test's log
expect_eq 0 "$RC" "exit status of scripts/bench/reindex-load"
expect_contains "reindex-load: no failed request, no non-2xx, every response the answer of one committed state" "$OUT"
# The phase rows: | phase | seconds | requests | req/s | p50 | p90 | p99 | max | non-2xx | socket errors | not from a state |
for phase in before during after; do
    row=$(grep -E "^\| $phase \|" <<<"$OUT" | tr -d ' ,')
    IFS='|' read -r _ _ _ requests _ _ _ _ _ non2xx socket inconsistent _ <<<"$row"
    _check
    ((${requests:-0} > 0)) || fail "$phase: no requests answered: $row"
    expect_eq 0 "$non2xx" "$phase: non-2xx responses"
    expect_eq 0 "$socket" "$phase: socket errors"
    expect_eq 0 "$inconsistent" "$phase: responses of no committed state"
done
# Ten states: generation 1, two nights, one paper updated and back, the storm (which ends where it began),
# generation 2, two nights, generation 3.
expect_eq 10 "$(grep -cE '^\| [0-9]+: ' <<<"$OUT")" "states of the index"
expect_eq "served.generations/3" "$(readlink "$T/run/served")" "the served generation at the end"
expect_eq "2 3" "$(ls "$T/run/served.generations" | sort -n | tr '\n' ' ' | sed 's/ $//')" \
    "generations on disk (the switch to 3 deleted 1 under load)"
expect_contains "23 commits" "$OUT" "the night of 22 days"
# The storm at full speed (one add --batch 1) is the benchmark's: under ASan on a busy machine a search can
# take longer than the gap between its commits for the whole time budget, and answer 503 (docs/reliability.md).
expect_contains "| paced storm: 10 commits, one add each, the same two states |" "$OUT" "the storm of commits"

section "the check catches half-switched responses"
expect_exit 0 "$bench" --recheck "$T/run"
expect_exit 1 "$bench" --recheck "$T/run" --inject-fault
expect_eq 2 "$(grep -c "during: 1 responses .* it is the answer of no committed state" <<<"$OUT")" \
    "a total of one generation with another's page; a page with another generation's titles"
expect_contains "during: 1 responses with status 503" "$OUT" "a 503 while switching"
expect_match "after: 1 responses .* it is the answer of state \[0\], which this phase cannot see" "$OUT" \
    "the first generation's page after the switch"
expect_contains "FAILED: 4 failures" "$OUT"
finish
