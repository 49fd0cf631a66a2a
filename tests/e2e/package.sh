#!/usr/bin/env bash
# End-to-end: the Debian package made by scripts/package (CPack) from this build, and
# `cmake --install` into a prefix: what they hold, what the .deb depends on, and that the installed
# abstrakt-serve serves its search page and answers from an index without the source tree.
# Label `package`: Release only (scripts/test).
source "$(dirname "$0")/lib.bash"
cd "$T" || exit 1

BUILD=$(cd "$ABSTRAKT_BIN/.." && pwd)
SOURCE=$(cd "$ABSTRAKT_DATA/.." && pwd)

# start_server BINARY ARGS...: runs it on a free port; sets SERVER_PID and URL (empty when it did not start).
start_server() {
    local bin=$1 log=$T/serve.$RANDOM.log
    shift
    "$bin" --port 0 --threads 1 --quiet "$@" 2>"$log" &
    SERVER_PID=$!
    track_pid "$SERVER_PID"
    URL=
    wait_until 20 grep -qs 'listening on' "$log" || { fail "$bin did not start: $(cat "$log")"; return 1; }
    URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n 1)
}

section "scripts/package --no-build makes a .deb"
expect_exit 0 bash "$SOURCE/scripts/package" --no-build --build-dir "$BUILD" --out "$T/out"
deb=$(tail -n 1 <<<"$OUT")
expect_match '/abstrakt_[0-9.]+_[a-z0-9]+\.deb$' "$deb" "the .deb's path"
[[ -f $deb ]] || { fail "no file $deb"; finish; }

section "its control fields: the Debian dependencies, trans-de-en among them"
expect_exit 0 dpkg-deb -f "$deb" Package Depends Recommends
expect_contains "Package: abstrakt" "$OUT"
for dep in trans-de-en adduser libxapian30 libicu72 libcurl4 libxml2 zlib1g; do
    expect_match "^Depends: (.*, )?$dep( |,|$)" "$OUT" "Depends"
done
expect_contains "Recommends: xapian-tools" "$OUT"
expect_exit 0 dpkg-deb -I "$deb" postinst
expect_contains "adduser --system" "$OUT" "the postinst"

section "its files: programs, page, docs, systemd units with /usr/bin in them"
expect_exit 0 dpkg-deb -c "$deb"
listing=$(awk '{print $6}' <<<"$OUT")
for f in ./usr/bin/abstrakt-index ./usr/bin/abstrakt-search ./usr/bin/abstrakt-serve \
    ./usr/lib/systemd/system/abstrakt-serve.service ./usr/lib/systemd/system/abstrakt-sync.service \
    ./usr/lib/systemd/system/abstrakt-sync.timer ./usr/share/doc/abstrakt/README.md ./usr/share/doc/abstrakt/web.md \
    ./usr/share/doc/abstrakt/deploy.md ./usr/share/doc/abstrakt/http-api.md; do
    expect_match "^${f//./\\.}$" "$listing" "the .deb's files"
done
for f in "$SOURCE"/searcher/ui/* "$SOURCE"/data/lexicon/*.tsv.gz; do
    expect_match "^\./usr/share/abstrakt/$(basename "$(dirname "$f")")/$(basename "$f")$" "$listing" "the .deb's files"
done
expect_not_contains "abstrakt-tests" "$listing" "the .deb's files"
expect_not_contains "fuzz-" "$listing" "the .deb's files"
mkdir -p "$T/root"
expect_exit 0 dpkg-deb -x "$deb" "$T/root"
for unit in abstrakt-serve.service abstrakt-sync.service; do
    exec_line=$(grep '^ExecStart=' "$T/root/usr/lib/systemd/system/$unit")
    expect_match '^ExecStart=/usr/bin/abstrakt-' "$exec_line" "$unit"
done
for f in "$SOURCE"/searcher/ui/* "$SOURCE"/data/lexicon/*.tsv.gz; do
    _check
    cmp -s "$f" "$T/root/usr/share/abstrakt/$(basename "$(dirname "$f")")/$(basename "$f")" || fail "the .deb's copy of $(basename "$f") differs"
done

# expect_lexicons ROOT [ding]: ROOT/bin/abstrakt-index finds the lexicons installed beside it, under ROOT,
# and loads them; with `ding`, German too, from trans-de-en's /usr/share/trans/de-en (12 s of CPU to
# read, so once). The source tree's data/lexicon, which a build finds too, is not where they come from.
expect_lexicons() {
    local root german=${2:-}
    root=$(cd "$1" && pwd -P)  # as /proc/self/exe gives it, symbolic links resolved
    if [[ $german == ding ]]; then
        expect_exit 0 env -u ABSTRAKT_LEXICON_DIR -u ABSTRAKT_DING "$root/bin/abstrakt-index" lexicon show
        expect_eq "lexicons: $root/share/abstrakt/lexicon
ding: /usr/share/trans/de-en
zh -> en: loaded
en -> zh: loaded
de -> en: loaded
en -> de: loaded" "$OUT" "lexicon show of the binary under $root"
    else
        expect_exit 1 env -u ABSTRAKT_LEXICON_DIR ABSTRAKT_DING= "$root/bin/abstrakt-index" lexicon show
        expect_eq "lexicons: $root/share/abstrakt/lexicon
ding: (left out)
zh -> en: loaded
en -> zh: loaded
de -> en: missing
en -> de: missing" "$OUT" "lexicon show of the binary under $root"
    fi
}

section "the packaged abstrakt-index finds the packaged lexicons"
expect_lexicons "$T/root/usr" ding

section "the packaged abstrakt-serve, away from the source tree: the page and the API"
cp "$SOURCE/data/seed/chatpaper-2024-02-29.jsonl" "$T/seed.jsonl"
expect_exit 0 "$T/root/usr/bin/abstrakt-index" --db "$T/index" add "$T/seed.jsonl"
start_server "$T/root/usr/bin/abstrakt-serve" --db "$T/index"
if [[ -n $URL ]]; then
    expect_exit 0 curl -sS -D "$T/headers" "$URL/"
    expect_eq "$(cat "$SOURCE/searcher/ui/index.html")" "$OUT" "the page served by the packaged binary"
    expect_match '^Content-Security-Policy: default-src .none.' "$(tr -d '\r' <"$T/headers")" "the page's headers"
    expect_exit 0 curl -sS "$URL/search?q=Diffusionsmodell&limit=1"
    expect_match '"hits":\[\{"id":"chatpaper-2024-02-29-(07|11)"' "$OUT" "a search of the packaged binary"
fi

section "cmake --install into a prefix: the units name that prefix"
expect_exit 0 cmake --install "$BUILD" --prefix "$T/prefix"
for f in bin/abstrakt-serve share/abstrakt/ui/index.html share/abstrakt/lexicon/zh-en.tsv.gz share/doc/abstrakt/web.md \
    lib/systemd/system/abstrakt-serve.service; do
    _check
    [[ -f $T/prefix/$f ]] || fail "cmake --install put no $f"
done
expect_match "^ExecStart=$T/prefix/bin/abstrakt-serve " "$(grep '^ExecStart=' "$T/prefix/lib/systemd/system/abstrakt-serve.service")" \
    "the installed abstrakt-serve.service"
expect_lexicons "$T/prefix"
# Moved elsewhere, the installation still finds its own lexicons: nothing in it names the prefix.
mv "$T/prefix" "$T/moved"
expect_lexicons "$T/moved"
# A lexicon directory without the lexicons: what is missing is said, and the exit status is 1.
mkdir "$T/empty"
ABSTRAKT_LEXICON_DIR=$T/empty ABSTRAKT_DING= expect_exit 1 "$T/moved/bin/abstrakt-index" lexicon show
expect_contains "$T/empty/zh-en.tsv.gz: not found, no zh-en translation" "$ERR" "lexicon show without the lexicons"
expect_eq "lexicons: $T/empty
ding: (left out)
zh -> en: missing
en -> zh: missing
de -> en: missing
en -> de: missing" "$OUT" "lexicon show without the lexicons"
mv "$T/moved" "$T/prefix"
start_server "$T/prefix/bin/abstrakt-serve" --db "$T/index" --ui "$T/prefix/share/abstrakt/ui"
if [[ -n $URL ]]; then
    expect_exit 0 curl -sS "$URL/ui/app.js"
    expect_eq "$(cat "$SOURCE/searcher/ui/app.js")" "$OUT" "the installed copy of the page, served with --ui"
fi

finish
