#!/usr/bin/env bash
# End-to-end, on loopback: a 3-shard index served by xapian-tcpsrv, with one replica of each shard made
# by xapian-replicate; abstrakt-search and abstrakt-serve over a cluster file. Remote shards rank as the
# single index of the same papers; a replica killed under load or stopped mid-query is left for the
# other; a shard with no replica answering gives partial results that say so; a replica catches up
# after the master commits. (docs/scale-out.md)
source "$(dirname "$0")/lib.bash"
cd "$T" || exit 1

for tool in xapian-tcpsrv xapian-replicate xapian-replicate-server curl; do
    if ! command -v "$tool" >/dev/null; then
        fail "$tool is not installed (scripts/setup installs it)"
        finish
    fi
done
SERVE=$ABSTRAKT_BIN/abstrakt-serve

# Every server runs in a process group of its own (xapian-tcpsrv forks one child per connection), so
# that "kill the replica" takes its connections with it.
GROUPS_STARTED=()
start_group() {  # start_group LOG CMD...: runs CMD in a new session; its pid (= group) in $STARTED
    setsid "${@:2}" >"$1" 2>&1 &
    STARTED=$!
    disown "$STARTED"  # no "Killed" line from bash when it is stopped
    GROUPS_STARTED+=("$STARTED")
    track_pid "$STARTED"
}
kill_group() { kill -"${2:-KILL}" -- "-$1" 2>/dev/null; }
stop_all() { for g in "${GROUPS_STARTED[@]}"; do kill_group "$g"; done; }
trap 'stop_all' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port_open() { python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.5); sys.exit(s.connect_ex(('127.0.0.1', $1)))"; }

# tcpsrv PATH: serves PATH on a free port; sets PORT and PID.
tcpsrv() {
    PORT=$(free_port)
    # An idle connection is closed after 1 s (the default is a minute), so that the test meets it.
    start_group "$T/tcpsrv-$PORT.log" xapian-tcpsrv --interface 127.0.0.1 --port "$PORT" --idle-timeout 1000 "$1"
    PID=$STARTED
    wait_until 10 port_open "$PORT" || fail "xapian-tcpsrv on $PORT for $1 did not start: $(cat "$T/tcpsrv-$PORT.log")"
}

section "the bundled data: one index, and a master of 3 shards that writes changesets for its replicas"
# The seed and the first 600 papers of the slice: every query below finds papers, and CI stays quick.
{ cat "$SEED"; gzip -dc "$SLICE" | head -600; } >"$ALL_DATA"
export XAPIAN_MAX_CHANGESETS=10
expect_exit 0 "$INDEX" --db "$T/single" --quiet add "$ALL_DATA"
expect_exit 0 "$INDEX" --db "$T/master/index" --shards 3 --quiet add "$ALL_DATA"
expect_exit 0 "$INDEX" --db "$T/master/index" stats
expect_contains "shards:     3" "$OUT" "stats of the master"

section "replicas of the 3 shards, copied by xapian-replicate from xapian-replicate-server"
RPORT=$(free_port)
start_group "$T/replicate-server.log" xapian-replicate-server -I 127.0.0.1 --port "$RPORT" "$T/master"
wait_until 10 port_open "$RPORT" || fail "xapian-replicate-server did not start: $(cat "$T/replicate-server.log")"
mkdir -p "$T/replica"
replicate() {  # replicate K: one pass of shard K's replica; its report in OUT
    run xapian-replicate -v --host 127.0.0.1 --port "$RPORT" --master "index/shard-$1" --one-shot -r 0 "$T/replica/shard-$1"
    [[ $RC == 0 ]] || fail "xapian-replicate of shard-$1 exited $RC: $ERR"
}
for k in 0 1 2; do
    replicate "$k"
    expect_contains "1 copies" "$OUT$ERR" "the first pass of shard-$k copies it whole"
done

declare -a PRIMARY PRIMARY_PID REPLICA REPLICA_PID
for k in 0 1 2; do
    tcpsrv "$T/master/index/shard-$k"
    PRIMARY[k]=$PORT PRIMARY_PID[k]=$PID
    tcpsrv "$T/replica/shard-$k"
    REPLICA[k]=$PORT REPLICA_PID[k]=$PID
done
# cluster NAME WHICH...: a cluster file whose shard K lists the replicas named (primary, replica).
cluster() {
    local name=$1 k w list sep=""
    shift
    {
        echo '{"timeout_ms": 1000, "connect_timeout_ms": 1000, "retry_after_s": 1, "shards": ['
        for k in 0 1 2; do
            list=""
            for w in "$@"; do
                [[ $w == primary ]] && list+="${list:+, }\"127.0.0.1:${PRIMARY[$k]}\""
                [[ $w == replica ]] && list+="${list:+, }\"127.0.0.1:${REPLICA[$k]}\""
            done
            echo "$sep{\"name\": \"shard-$k\", \"replicas\": [$list]}"
            sep=","
        done
        echo ']}'
    } >"$T/$name.json.new"
    mv "$T/$name.json.new" "$T/$name.json"  # a new file: abstrakt-serve opens it again
}
cluster primaries primary
cluster both primary replica
cluster replicas replica

# Of the search response in $OUT: "partial missing_shards" and "partial id id ...", as Python prints them.
partial_and_missing() { python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["partial"], j["missing_shards"])' <<<"$OUT"; }
partial_and_ids() { python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["partial"], " ".join(h["id"] for h in j["hits"]))' <<<"$OUT"; }

# The JSON of a search without its timing, for comparing.
# Without the suggestion too: the remote backend serves no spelling dictionary (checked below).
normalized() { python3 -c 'import json,sys; j=json.load(sys.stdin); j.pop("took_ms"); j.pop("suggestion"); print(json.dumps(j, sort_keys=True, ensure_ascii=False))' <<<"$1"; }

# serve NAME DB: abstrakt-serve over DB on a free port (one thread); its base URL in BASE_OF[NAME].
declare -A BASE_OF
serve() {
    start_group "$T/serve-$1.log" "$SERVE" --db "$2" --port 0 --threads 1 --quiet
    wait_until 10 grep -qs "listening on" "$T/serve-$1.log" || fail "abstrakt-serve $1 did not start: $(cat "$T/serve-$1.log")"
    BASE_OF[$1]=$(sed -nE 's/.*listening on (http:[^ ]*).*/\1/p' "$T/serve-$1.log")
}
serve single "$T/single"
serve primaries "$T/primaries.json"
# get NAME PATH PARAM...: GET of BASE_OF[NAME]/PATH with the parameters URL-encoded; the body in OUT.
get() {
    local base=${BASE_OF[$1]} path=$2 p args=()
    shift 2
    for p in "$@"; do args+=(--data-urlencode "$p"); done
    OUT=$(curl -sS -G --max-time 20 "${args[@]}" "$base$path") || fail "GET $path $*: curl exited $?"
}

section "3 remote shards rank as one index of the same papers: same hits, order, scores, totals, facets"
# Requests to an abstrakt-serve over the single index and one over the 3 shards' primaries: both
# tiers, a phrase, German, Chinese, an exclusion, filters, a listing, page 2, date and upvote orders.
# (tests/test_shards.cc compares more over local shards.)
cases=("q=diffusion model" "q=language models reasoning" "q=language models reasoning|offset=10"
       "q=\"large language model\"" "q=Diffusionsmodell" "q=扩散模型|lang=zh" "q=vision transformer -segmentation"
       "author=wang" "cat=cs.CV" "cat=cs.CV|offset=10" "q=agents|sort=date" "q=agents|sort=upvotes")
for c in "${cases[@]}"; do
    IFS='|' read -r -a params <<<"$c"
    get single /search facets=1 exact_total=1 "${params[@]}"
    hits=$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["hits"]))' <<<"$OUT")
    [[ $hits -gt 0 ]] || fail "$c: no hits to compare"
    want=$(normalized "$OUT")
    get primaries /search facets=1 exact_total=1 "${params[@]}"
    expect_eq "$want" "$(normalized "$OUT")" "$c over remote shards"
done
get single /papers/2402.19173/similar
want=$(normalized "$OUT")
get primaries /papers/2402.19173/similar
expect_eq "$want" "$(normalized "$OUT")" "similar papers over remote shards"
# The limits of the remote backend (docs/scale-out.md): abstract: needs a posting source of ours, and
# xapian-tcpsrv serves no spelling dictionary.
expect_exit 2 "$SEARCH" --db "$T/primaries.json" "abstract:diffusion"
expect_contains "abstract: cannot be searched over remote shards" "$ERR" "abstract: over remote shards"
expect_exit 0 "$SEARCH" --db "$T/single" --json "atention mechanizm"
expect_eq 'attention mechanism' "$(json_top suggestion)" "a suggestion from the single index"
expect_exit 0 "$SEARCH" --db "$T/primaries.json" --json "atention mechanizm"
expect_eq "null" "$(json_top suggestion)" "no suggestion over remote shards"

section "a cluster file that does not parse: exit 3, and 503 from abstrakt-serve, naming the file"
echo '{"shards": [{"replicas": []}]}' >"$T/broken.json"
expect_exit 3 "$SEARCH" --db "$T/broken.json" "diffusion"
expect_contains 'broken.json: shard 0 (shard-0): "replicas" must be a non-empty array' "$ERR" "abstrakt-search over a broken cluster file"
serve broken "$T/broken.json"
code=$(curl -sS --max-time 10 -o "$T/broken.out" -w '%{http_code}' "${BASE_OF[broken]}/search?q=diffusion")
expect_eq 503 "$code" "abstrakt-serve over a broken cluster file"
expect_contains '"replicas\" must be a non-empty array' "$(cat "$T/broken.out")" "its error"

section "a connection the server closed when idle is opened again, not taken for a failed replica"
# Over the primaries alone: a primary taken for failed would leave its shard missing.
for round in 1 2; do
    sleep 1.5  # past xapian-tcpsrv's --idle-timeout
    get primaries /search "q=diffusion model"
    expect_eq "False []" "$(partial_and_missing)" \
        "round $round over the primaries, after an idle spell"
done

section "abstrakt-serve over primaries and replicas; a replica killed while clients search"
start_group "$T/serve.log" "$SERVE" --db "$T/both.json" --port 0 --threads 2
wait_until 10 grep -qs "listening on" "$T/serve.log" || fail "abstrakt-serve did not start: $(cat "$T/serve.log")"
BASE=$(sed -nE 's/.*listening on (http:[^ ]*).*/\1/p' "$T/serve.log")
q=diffusion%20model
expect_exit 0 curl -sS --max-time 10 "$BASE/search?q=$q&exact_total=1"
want_ids=$(python3 -c 'import json,sys; print(" ".join(h["id"] for h in json.load(sys.stdin)["hits"]))' <<<"$OUT")
expect_exit 0 "$SEARCH" --db "$T/single" --json --exact-total "diffusion model"
expect_eq "$(json_hits id | tr '\n' ' ' | sed 's/ $//')" "$want_ids" "abstrakt-serve over the cluster, against the single index"
# Four clients search in a loop; shard-1's primary is killed with its connections halfway.
# Each answer is one line of JSON and a line with the HTTP status; all are checked at the end.
client() {
    local _
    for _ in $(seq 1 25); do
        curl -sS --max-time 10 -w '\n%{http_code}\n' "$BASE/search?q=$q&exact_total=1" || echo $'curl failed\n0'
    done
}
clients=()
for c in 1 2 3 4; do
    client >"$T/client-$c.out" &
    clients+=($!)
done
sleep 0.5
kill_group "${PRIMARY_PID[1]}"
wait "${clients[@]}"
answers=$(cat "$T"/client-*.out | python3 -c '
import json, sys
lines = sys.stdin.read().splitlines()
for body, code in zip(lines[0::2], lines[1::2]):
    try:
        j = json.loads(body)
        print(code, j["partial"], " ".join(h["id"] for h in j["hits"]))
    except ValueError:
        print(code, body[:100])')
expect_eq 100 "$(grep -c . <<<"$answers")" "answers to the 4 clients"
expect_eq 100 "$(grep -cxF "200 False $want_ids" <<<"$answers")" "complete, unchanged answers while shard-1's primary was killed"

section "a replica that stops answering mid-query costs the timeout once, then the other replica answers"
# The engine reads shard 0 from its primary; stopped, the next request waits for timeout_ms (1 s)
# before it moves to the replica.
kill_group "${PRIMARY_PID[0]}" STOP
start=$(date +%s%N)
expect_exit 0 curl -sS --max-time 20 "$BASE/search?q=$q&exact_total=1"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "False $want_ids" "$(partial_and_ids)" \
    "the answer with shard-0's primary stopped"
echo "    (took $ms ms with the 1000 ms timeout)"
(( ms < 8000 )) || fail "a stopped replica held the request $ms ms (timeout 1000 ms per replica)"
kill_group "${PRIMARY_PID[0]}" CONT

section "a shard with no replica answering: partial results, flagged, with the shard named"
kill_group "${REPLICA_PID[1]}"  # shard-1's primary is already gone
expect_exit 0 curl -sS --max-time 20 "$BASE/search?q=$q&exact_total=1"
expect_eq "True ['shard-1']" "$(partial_and_missing)" \
    "partial and missing_shards"
got=$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["hits"]))' <<<"$OUT")
(( got > 0 )) || fail "no hits from the two shards that answer"
health=$(curl -sS --max-time 20 "$BASE/health")
expect_contains '"status":"partial"' "$health" "/health"
expect_contains '"missing_shards":["shard-1"]' "$health" "/health"
expect_exit 1 "$SEARCH" --db "$T/both.json" "diffusion model"
expect_contains "partial results: no replica of shard-1 answered" "$ERR" "abstrakt-search over the broken cluster"
# A paper of the missing shard is unavailable, not unknown.
missing_id=$(python3 -c '
import sys
def fnv(s):
    h = 0xcbf29ce484222325
    for c in s.encode():
        h = ((h ^ c) * 0x100000001b3) % (1 << 64)
    return h
for line in open(sys.argv[1]):
    i = line.split("\"id\": \"", 1)[1].split("\"", 1)[0]
    if fnv(i) % 3 == 1:
        print(i); break' "$ALL_DATA")
expect_some "$missing_id" "a paper of shard-1"
expect_exit 0 curl -sS --max-time 20 -o /dev/null -w '%{http_code}' "$BASE/papers/$missing_id"
expect_eq 503 "$OUT" "GET /papers of a paper on the missing shard"

section "the shard comes back when its replica does"
tcpsrv "$T/replica/shard-1"
REPLICA[1]=$PORT REPLICA_PID[1]=$PID
cluster both primary replica  # the replica's new port
cluster replicas replica
sleep 1.2  # retry_after_s
expect_exit 0 curl -sS --max-time 20 "$BASE/search?q=$q&exact_total=1"
expect_eq "False $want_ids" "$(partial_and_ids)" \
    "the whole answer again"

section "a replica catches up after the master commits, by changeset"
cat >"$T/new.jsonl" <<'EOF'
{"id": "cluster-new-1", "title": {"en": "Quokkatronic sharding of replicated paper indexes"}}
{"id": "cluster-new-2", "title": {"en": "Quokkatronic replicas follow their master"}}
{"id": "cluster-new-3", "title": {"en": "Quokkatronic three shards"}}
{"id": "cluster-new-5", "title": {"en": "Quokkatronic changesets"}}
EOF
# FNV-1a modulo 3 places these ids in shards 1, 1, 0 and 2: every replica has something to catch up.
expect_exit 0 "$INDEX" --db "$T/master/index" add "$T/new.jsonl"
expect_exit 0 "$SEARCH" --db "$T/replicas.json" --json quokkatronic
expect_eq 0 "$(json_top total)" "the replicas before they catch up"
for k in 0 1 2; do
    replicate "$k"
    expect_match "0 copies, [1-9][0-9]* changesets" "$OUT$ERR" "shard-$k catches up by changesets"
done
expect_exit 0 "$SEARCH" --db "$T/replicas.json" --json quokkatronic
expect_eq 4 "$(json_top total)" "the replicas after they caught up"
expect_eq $'cluster-new-1\ncluster-new-2\ncluster-new-3\ncluster-new-5' "$(json_hits id | sort)" "the new papers, from the replicas"

stop_all
finish
