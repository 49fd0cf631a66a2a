#!/usr/bin/env bash
# End-to-end: `abstrakt-index sync`, `rebuild` and `rollback` as the nightly timer and an operator run
# them, against a local feed server (scripts/feed-server.py) over the Hugging Face fixtures in data/feeds/.
source "$(dirname "$0")/lib.bash"
cd "$T" || exit 1
mkdir -p "$T/control"
python3 "$(dirname "$0")/../../scripts/feed-server.py" "$ABSTRAKT_DATA" "$T/control" >"$T/port" &
feed_pid=$!
track_pid $feed_pid
wait_until 10 test -s "$T/port" || fail "the feed server did not start"
port=$(head -n 1 "$T/port")
cat >"$T/sync.json" <<JSON
{"spool": "spool", "fetch": {"timeout_s": 5, "max_attempts": 2, "backoff_s": 0.1},
 "sources": [{"name": "hf", "type": "hf-daily", "base": "http://127.0.0.1:$port", "start": "2024-05-28"}]}
JSON
# Papers in the three fixture days, counted from the files.
n_days=$(python3 -c 'import json,sys; print(sum(len(json.load(open(f))) for f in sys.argv[1:]))' \
    "$ABSTRAKT_DATA"/feeds/hf/2024-05-28.json "$ABSTRAKT_DATA"/feeds/hf/2025-07-22.json "$ABSTRAKT_DATA"/feeds/hf/2026-08-21.json)

section "an undisturbed run over three days, then a run that finds nothing new"
expect_exit 0 "$INDEX" --db "$T/clean" sync --config "$T/sync.json" --today 2024-05-30
expect_contains "hf: fetched 3, added $n_days, updated 0, unchanged 0, deleted 0, skipped 0, failed 0; watermark (none) -> 2024-05-30" "$OUT" "summary"
expect_eq 3 "$(ls "$T"/spool/2024-05-30/hf/2024-*.json | wc -l)" "spooled days, kept under the night they were fetched"
expect_exit 0 "$INDEX" --db "$T/clean" sync --config "$T/sync.json" --today 2024-05-30
expect_contains "hf: fetched 0, added 0" "$OUT" "second run"
expect_exit 0 "$SEARCH" --db "$T/clean" --json --limit 100 'year:2024 OR year:2025 OR year:2026'
clean_ids=$(json_hits id | sort)
expect_eq "$n_days" "$(grep -c . <<<"$clean_ids")" "papers searchable after the sync"

section "--dry-run fetches nothing and changes nothing"
: >"$T/control/requests.log"
expect_exit 0 "$INDEX" --db "$T/dry" sync --config "$T/sync.json" --today 2024-05-30 --dry-run
expect_eq 3 "$(grep -c 'would fetch' <<<"$ERR")" "planned requests"
expect_eq 0 "$(grep -c . "$T/control/requests.log")" "requests made by a dry run"

section "a day that answers 500 stops the watermark before it; the next run converges"
touch "$T/control/fail-2024-05-29"
expect_exit 1 "$INDEX" --db "$T/faulty" sync --config "$T/sync.json" --today 2024-05-30
expect_contains "failed 1; watermark (none) -> 2024-05-28" "$OUT" "summary with a failed day"
expect_contains "2024-05-29: GET" "$ERR" "the failed day is logged"
rm "$T/control/fail-2024-05-29"
expect_exit 0 "$INDEX" --db "$T/faulty" sync --config "$T/sync.json" --today 2024-05-30
expect_contains "fetched 2," "$OUT" "the retried run starts at the failed day"
expect_exit 0 "$SEARCH" --db "$T/faulty" --json --limit 100 'year:2024 OR year:2025 OR year:2026'
expect_eq "$clean_ids" "$(json_hits id | sort)" "papers after the retry, against the undisturbed run"

section "killed while fetching: the index opens, the next run fetches what is missing"
touch "$T/control/slow-2024-05-29"
: >"$T/control/requests.log"
"$INDEX" --db "$T/killed" sync --config "$T/sync.json" --today 2024-05-30 >/dev/null 2>&1 &
pid=$!
track_pid $pid
wait_until 10 grep -q 'date=2024-05-29' "$T/control/requests.log" || fail "the sync never asked for the slow day"
kill -KILL $pid
wait $pid 2>/dev/null
rm "$T/control/slow-2024-05-29"
expect_exit 0 "$INDEX" --db "$T/killed" stats
expect_exit 0 "$INDEX" --db "$T/killed" sync --config "$T/sync.json" --today 2024-05-30
expect_contains "watermark 2024-05-28 -> 2024-05-30" "$OUT" "the run after the kill"
expect_exit 0 "$SEARCH" --db "$T/killed" --json --limit 100 'year:2024 OR year:2025 OR year:2026'
expect_eq "$clean_ids" "$(json_hits id | sort)" "papers after the kill and the re-run"

section "one job at a time"
exec 9>"$T/clean.job-lock"
flock -n 9 || fail "could not take the job lock for the test"
expect_exit 3 "$INDEX" --db "$T/clean" sync --config "$T/sync.json" --today 2024-05-30
expect_contains "another abstrakt-index job is running" "$ERR" "second job"
exec 9>&-

section "rebuild, switch and roll back, with searches on the served path"
expect_exit 0 "$INDEX" --db "$T/served" rebuild "$ABSTRAKT_DATA/seed/chatpaper-2024-02-29.jsonl"
expect_contains "generation 1 (11 documents) is served" "$OUT" "first rebuild"
[[ -L "$T/served" ]] || fail "$T/served is not a link"
expect_exit 0 "$INDEX" --db "$T/served" rebuild --config "$T/sync.json" --today 2024-05-30 "$ABSTRAKT_DATA/seed/chatpaper-2024-02-29.jsonl"
expect_contains "generation 2 ($((11 + n_days)) documents) is served" "$OUT" "rebuild from a file and the feed"
expect_contains "generation 1 is kept for rollback" "$OUT" "rollback kept"
expect_exit 0 "$SEARCH" --db "$T/served" --json id:2405.17247
expect_eq 1 "$(json_top total)" "a feed paper in generation 2"
expect_exit 0 "$INDEX" --db "$T/served" rollback
expect_contains "generation 1 is served" "$OUT" "rollback"
expect_exit 0 "$SEARCH" --db "$T/served" --json id:2405.17247
expect_eq 0 "$(json_top total)" "the feed paper is gone after the rollback"
expect_exit 1 "$INDEX" --db "$T/served" rollback
expect_contains "no generation older than 1" "$ERR" "nothing older to roll back to"
expect_exit 0 "$INDEX" --db "$T/clean" adopt
expect_exit 0 "$INDEX" --db "$T/clean" rebuild "$ABSTRAKT_DATA/seed/chatpaper-2024-02-29.jsonl"
expect_exit 1 "$INDEX" --db "$T/bad" rebuild "$T/sync.json"  # not records: nothing to serve
expect_contains "was not switched to" "$ERR" "an empty rebuild"

section "rebuild --replay: the spooled nights again, with the feed server gone"
kill $feed_pid
wait $feed_pid 2>/dev/null
expect_exit 0 "$INDEX" --db "$T/replayed" rebuild --config "$T/sync.json" --replay
expect_contains "hf: fetched 3, added $n_days," "$OUT" "the replay's summary"
expect_contains "replaying the night of 2024-05-30" "$ERR" "the night replayed"
"$INDEX" --db "$T/faulty" digest >"$T/faulty.digest" || fail "digest of the synced index"
"$INDEX" --db "$T/replayed" digest >"$T/replayed.digest" || fail "digest of the replayed index"
expect_eq "$(cat "$T/faulty.digest")" "$(cat "$T/replayed.digest")" "the replayed index against the synced one"
expect_eq $((n_days + 3)) "$(grep -c . "$T/replayed.digest")" "digest lines: one per paper, the index parameters, the schema and the watermark"
expect_exit 2 "$INDEX" --db "$T/replayed2" rebuild --replay
expect_contains "--replay needs --config" "$ERR" "--replay without a configuration"
finish
