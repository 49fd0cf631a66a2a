#!/usr/bin/env bash
# End-to-end: scripts/nightly-demo, the issue's "done when" for the nightly job, with the binaries under
# test: five nights of sync and one rebuild --replay while a client queries abstrakt-serve; no query may
# fail, and the served index must be identical to a clean build of the same data.
source "$(dirname "$0")/lib.bash"
demo="$(dirname "$0")/../../scripts/nightly-demo"

section "the demo, kept in a folder to look at"
expect_exit 0 env ABSTRAKT_BIN="$ABSTRAKT_BIN" "$demo" --keep "$T/demo"
expect_contains "failed: 0" "$OUT" "no failed query"
expect_contains "identical to the clean build" "$OUT" "the served index against the clean build"
expect_contains "(now served.generations/2)" "$OUT" "the replayed generation is served"
# 11 seed papers, 5 Hugging Face papers of 2025-01-13, 6 OAI-PMH records (two pages of three).
expect_eq 22 "$(grep -c '^doc ' "$T/demo/served.digest")" "papers in the served index"
expect_eq "meta abstrakt.retry.hf 2025-01-10,2025-01-11,2025-01-12" "$(grep '^meta abstrakt.retry.hf' "$T/demo/served.digest")" \
    "the broken days wait on the retry list"
# The Chinese translation merged into the paper that came in English from Hugging Face.
"$INDEX" --db "$T/demo/served" export >"$T/export.jsonl" || fail "export exited $?"
paper=$(grep '"id":"2501.05874"' "$T/export.jsonl")
[[ $paper == *'"en":"VideoRAG: Retrieval-Augmented Generation over Video Corpus"'* ]] || fail "the English title is gone: $paper"
[[ $paper == *'"zh":"VideoRAG：基于视频语料库的检索增强生成"'* ]] || fail "the Chinese title is missing: $paper"
expect_exit 2 "$demo" --keep "$T/demo"
expect_contains "exists" "$ERR" "--keep refuses a folder that exists"
finish
