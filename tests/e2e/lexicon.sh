#!/usr/bin/env bash
# End-to-end: `abstrakt-index lexicon learn` (docs/cross-language.md) on a hand-made parallel sample,
# from files and from an index, with held-out ids; bad command lines exit 2 with a message.
source "$(dirname "$0")/lib.bash"
cd "$T" || exit 1

export ABSTRAKT_DB=$T/index
{
    echo '{"id": "s1", "title": {"zh": "基于扩散模型的图像生成", "en": "Image Generation with Diffusion Models"}}'
    echo '{"id": "s2", "title": {"zh": "扩散模型的加速采样", "en": "Accelerated Sampling for Diffusion Models"}}'
    echo '{"id": "s3", "title": {"zh": "大型语言模型的检索增强", "en": "Retrieval Augmentation for Large Language Models"}}'
    echo '{"id": "s4", "title": {"zh": "语言模型中的检索", "en": "Retrieval in Language Models"}}'
    echo '{"id": "s5", "title": {"zh": "图像分割的扩散方法", "en": "A Diffusion Method for Image Segmentation"}}'
    echo '{"id": "s6", "title": {"zh": "语言模型评测", "en": "Evaluating Language Models"}}'
} >sample.jsonl

section "from files: both directions, gzip, in the documented format"
mkdir -p out
expect_exit 0 "$INDEX" lexicon learn --out out sample.jsonl
expect_contains "6 records, 0 held out, 6 sentence pairs" "$ERR"
expect_eq "# abstrakt-lexicon 1" "$(zcat out/zh-en.tsv.gz | head -1)" "first line"
expect_contains $'扩散\tdiffusion\t1' "$(zcat out/zh-en.tsv.gz)" "zh-en"
expect_contains $'retrieval\t检索\t1' "$(zcat out/en-zh.tsv.gz)" "en-zh"

section "held-out ids are left out"
printf '# the diffusion papers\ns1\ns2\ns5\n' >holdout.txt
expect_exit 0 "$INDEX" lexicon learn --out out --holdout holdout.txt sample.jsonl
expect_contains "3 held out, 3 sentence pairs" "$ERR"
expect_not_contains "扩散" "$(zcat out/zh-en.tsv.gz | grep -v '^#')" "zh-en without the held-out papers"

section "from the index's own records"
expect_exit 0 "$INDEX" add sample.jsonl
mkdir -p from-index from-file
expect_exit 0 "$INDEX" lexicon learn --out from-index
expect_exit 0 "$INDEX" lexicon learn --out from-file sample.jsonl
expect_eq "$(zcat from-file/zh-en.tsv.gz)" "$(zcat from-index/zh-en.tsv.gz)" "the lexicon from the index and from the file"

section "bad command lines"
expect_exit 2 "$INDEX" lexicon learn sample.jsonl
expect_contains "needs --out" "$ERR"
expect_exit 2 "$INDEX" lexicon learn --out out --method ibm2 sample.jsonl
expect_contains "--method is dice or ibm1" "$ERR"
expect_exit 2 "$INDEX" lexicon learn --out out --min-count 0 sample.jsonl
expect_exit 2 "$INDEX" lexicon learn --out out missing.jsonl
expect_exit 2 "$INDEX" lexicon forget
echo '{"id": "e1", "title": {"en": "English only"}}' >english.jsonl
expect_exit 2 "$INDEX" lexicon learn --out out english.jsonl
expect_contains "nothing to learn from" "$ERR"
expect_exit 3 "$INDEX" lexicon learn --out no/such/dir sample.jsonl
finish
