# Shared helpers for the end-to-end tests in tests/e2e/*.sh. Sourced, never run: CMake registers
# only tests/e2e/*.sh as tests, which is why this file is called lib.bash.
#
# Environment (set by CTest, see CMakeLists.txt):
#   ABSTRAKT_BIN   directory with abstrakt-index and abstrakt-search
#   ABSTRAKT_DATA  the repository's data/ directory
#
# Every script gets a fresh temporary directory $T, removed on exit together with any background
# process registered with track_pid. A failed check prints FAIL and the script goes on, so that
# one run shows every failing check; the script's exit status is 1 if any check failed.
#
# Checks (each script ends with `finish`; `section TEXT` prints a heading):
#   run CMD...                     run CMD (with a time limit); sets RC, OUT (stdout), ERR (stderr)
#   expect_exit CODE CMD...        run CMD and check its exit status
#   expect_contains TEXT HAYSTACK [WHAT]      / expect_not_contains TEXT HAYSTACK [WHAT]
#   expect_match REGEX HAYSTACK [WHAT]        an extended regex, per line
#   expect_eq EXPECTED ACTUAL WHAT
#   expect_some VALUE WHAT         a value read from the data is not empty or 0
#   fail MESSAGE
#   wait_until SECONDS CMD...      retry CMD until it succeeds; 1 on time-out
#   track_pid PID                  a background process to end on exit
# Output of abstrakt-index:
#   summary_of TEXT                the "N added, N updated, N unchanged, N skipped" line, no commas
#   stats_value NAME TEXT          a value of `stats` ("documents", "languages", ...), no commas
# Data (read from the data files, never from the programs):
#   load_data [FILE...]            gather the seed, the slice and FILEs into one file
#   record_of ID                   the record's JSON line, \n escapes turned into spaces
# JSON output of abstrakt-search in $OUT (python3 with the json module only parses it):
#   json_top KEY                   a top-level value ("null" for null)
#   json_hits FIELD                FIELD of every hit, one a line
#   expect_ids_include ID...       / expect_ids_exclude ID...

set -u
set -o pipefail

ABSTRAKT_BIN=${ABSTRAKT_BIN:?set ABSTRAKT_BIN to the bin directory of a build}
ABSTRAKT_DATA=${ABSTRAKT_DATA:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../data" && pwd)}
INDEX=$ABSTRAKT_BIN/abstrakt-index
SEARCH=$ABSTRAKT_BIN/abstrakt-search
SEED=$ABSTRAKT_DATA/seed/chatpaper-2024-02-29.jsonl
SLICE=$ABSTRAKT_DATA/arxiv-slice.jsonl.gz
SEED_ID=chatpaper-2024-02-29  # prefix of the local ids in the seed file

for _f in "$INDEX" "$SEARCH" "$SEED" "$SLICE"; do
    if [[ ! -e $_f ]]; then
        echo "e2e: missing $_f" >&2
        exit 1
    fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/abstrakt-e2e.XXXXXX")
# Never touch the user's own index: the default index path resolves inside $T.
unset ABSTRAKT_DB NO_COLOR
export XDG_DATA_HOME=$T/xdg HOME=$T/home
mkdir -p "$HOME"

FAILURES=0
CHECKS=0
_TRACKED_PIDS=()
RC=0
OUT=
ERR=

# Background processes to end on exit (by their pid only).
track_pid() { _TRACKED_PIDS+=("$1"); }

_FINISHED=0
# Call at the end of a script: an exit before it (a crash of the script itself) is a failure.
finish() { _FINISHED=1; exit 0; }

_cleanup() {
    local status=$? pid
    for pid in "${_TRACKED_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null
            sleep 0.2
            kill -KILL "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
        fi
    done
    rm -rf "$T"
    if ((FAILURES > 0)); then
        echo "e2e: $FAILURES of $CHECKS checks FAILED in $(basename "$0")" >&2
        exit 1
    fi
    if ((_FINISHED != 1)); then
        echo "e2e: $(basename "$0") stopped before its end (status $status)" >&2
        exit 1
    fi
    echo "e2e: all $CHECKS checks passed in $(basename "$0") (${SECONDS}s)"
    exit 0
}
trap _cleanup EXIT

section() { echo "--- $*"; }

# The script and line of the check that failed: the first caller outside this file.
_where() {
    local i
    for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
        if [[ ${BASH_SOURCE[i]} != *lib.bash ]]; then
            echo "$(basename "${BASH_SOURCE[i]}"):${BASH_LINENO[i - 1]}"
            return
        fi
    done
}

fail() {
    ((FAILURES++))
    echo "FAIL [$(_where)]: $*" >&2
}

_check() { ((CHECKS++)); }

_quote() { printf '%q ' "$@"; }

# run CMD...: stdout in $OUT, stderr in $ERR, exit status in $RC. A time-out or a death by a signal
# (status >= 124) is a failure of its own: the programs must never hang or crash.
run() {
    timeout 60 "$@" >"$T/.out" 2>"$T/.err"
    RC=$?
    OUT=$(cat "$T/.out")
    ERR=$(cat "$T/.err")
    _json_parse
    _check
    if ((RC == 124)); then
        fail "timed out after 60 s: $(_quote "$@")"
    elif ((RC >= 125)); then
        fail "crashed, killed or not run (status $RC): $(_quote "$@")"$'\n'"  stderr: ${ERR:0:500}"
    fi
    return 0
}

expect_exit() {
    local want=$1
    shift
    run "$@"
    _check
    if [[ $RC != "$want" ]]; then
        fail "exit status $RC, expected $want: $(_quote "$@")"$'\n'"  stderr: ${ERR:0:600}"$'\n'"  stdout: ${OUT:0:300}"
    fi
}

expect_contains() {
    local needle=$1 haystack=$2 what=${3:-output}
    _check
    if [[ $haystack != *"$needle"* ]]; then
        fail "$what does not contain \"$needle\":"$'\n'"  ${haystack:0:800}"
    fi
}

expect_not_contains() {
    local needle=$1 haystack=$2 what=${3:-output}
    _check
    if [[ $haystack == *"$needle"* ]]; then
        fail "$what contains \"$needle\" but should not:"$'\n'"  ${haystack:0:800}"
    fi
}

expect_eq() {
    local want=$1 got=$2 what=$3
    _check
    if [[ $want != "$got" ]]; then
        fail "$what: expected \"$want\", got \"$got\""
    fi
}

# expect_some VALUE WHAT: an expected value read from the data is not empty (and not 0), so that
# the checks that use it cannot pass vacuously.
expect_some() {
    _check
    if [[ -z $1 || $1 == 0 ]]; then
        fail "$2: nothing found in the data"
    fi
}

# expect_match REGEX HAYSTACK WHAT: an extended regular expression, matched by grep per line.
expect_match() {
    local re=$1 haystack=$2 what=${3:-output}
    _check
    if ! grep -Eq -- "$re" <<<"$haystack"; then
        fail "$what does not match /$re/:"$'\n'"  ${haystack:0:800}"
    fi
}

# The summary line of abstrakt-index add, with thousands separators removed ("2,017" -> "2017").
summary_of() { grep -E 'added, .* updated, .* unchanged, .* skipped' <<<"$1" | sed -E ':a; s/([0-9]),([0-9]{3})/\1\2/; ta'; }

# A number from `abstrakt-index stats` output ("documents:  2,017" -> 2017).
stats_value() { grep -E "^$1:" <<<"$2" | sed -E 's/^[a-z]+: *//; s/,//g'; }

# ---- data (read straight from the data files) ----

ALL_DATA=$T/all-records.jsonl
# Every record of the seed and the slice, and any extra files given, uncompressed, one a line.
load_data() {
    { cat "$SEED"; gzip -dc "$SLICE"; cat "$@"; } >"$ALL_DATA"
}

# record_of ID: the record's line (JSON text escapes \n turned into spaces, runs of spaces into one).
record_of() {
    [[ -s $ALL_DATA ]] || load_data
    grep -F -- "{\"id\": \"$1\", " "$ALL_DATA" | sed -E 's/\\n/ /g; s/ +/ /g'
}

# ---- JSON output of abstrakt-search ----

# The JSON in $OUT is parsed once (python3 with the json module, nothing else) into one file per
# top-level key and per hit field, one value a line: null as "null", lists and objects as JSON,
# strings with their line breaks turned into spaces and runs of spaces into one (as in record_of).
# run calls _json_parse when the output starts with "{" (so that it runs once, in this shell).
_JSON_DIR=$T/.json
_json_parse() {
    rm -rf "$_JSON_DIR"
    [[ $OUT == "{"* ]] || return 0
    mkdir -p "$_JSON_DIR"
    python3 -I -c '
import json, os, re, sys
d = json.loads(sys.stdin.read())
def text(v):
    if v is None: return "null"
    if isinstance(v, (list, dict, bool)): return json.dumps(v, ensure_ascii=False)
    return re.sub(" +", " ", str(v).replace("\n", " "))
out = sys.argv[1]
for k, v in d.items():
    with open(os.path.join(out, "top." + k), "w") as f: f.write(text(v) + "\n")
hits = d.get("hits", [])  # a search response has them; other JSON objects (--ranking-defaults) not
fields = sorted({k for h in hits for k in h})
for k in fields:
    with open(os.path.join(out, "hit." + k), "w") as f:
        for h in hits:
            if k in h: f.write(text(h[k]) + "\n")
            else: f.write("<missing>\n")
if not hits: open(os.path.join(out, "nohits"), "w").close()
' "$_JSON_DIR" <<<"$OUT" || { rm -rf "$_JSON_DIR"; fail "not valid JSON: ${OUT:0:300}"; }
}

# json_top KEY: a top-level value of the JSON in $OUT; a missing key is a failure.
_json_check() {
    [[ -d $_JSON_DIR ]] && return 0
    fail "no valid JSON on standard output: ${OUT:0:300}"
    return 1
}

json_top() {
    _json_check || return 1
    if [[ ! -f $_JSON_DIR/top.$1 ]]; then
        fail "the JSON has no top-level \"$1\": ${OUT:0:300}"
        return 1
    fi
    cat "$_JSON_DIR/top.$1"
}

# json_hits FIELD: FIELD of every hit, one a line (nothing when there are no hits); a hit without
# the field is a failure.
json_hits() {
    _json_check || return 1
    [[ -f $_JSON_DIR/nohits ]] && return 0
    if [[ ! -f $_JSON_DIR/hit.$1 ]] || grep -qxF '<missing>' "$_JSON_DIR/hit.$1"; then
        fail "a hit has no \"$1\": ${OUT:0:300}"
        return 1
    fi
    cat "$_JSON_DIR/hit.$1"
}

# expect_ids_include ID... : every ID is among the hits of the JSON in $OUT.
expect_ids_include() {
    local ids id
    ids=$(json_hits id)
    for id in "$@"; do
        _check
        grep -qxF -- "$id" <<<"$ids" || fail "hits do not include $id; they are: $(tr '\n' ' ' <<<"$ids")"
    done
}

expect_ids_exclude() {
    local ids id
    ids=$(json_hits id)
    for id in "$@"; do
        _check
        grep -qxF -- "$id" <<<"$ids" && fail "hits include $id but should not"
    done
    return 0
}

# wait_until SECONDS COMMAND...: retries COMMAND every 0.1 s until it succeeds; 1 on time-out.
wait_until() {
    local limit=$1 i
    shift
    for ((i = 0; i < limit * 10; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}
