#!/usr/bin/env bash
# End-to-end: abstrakt-search over an index of the seed, the slice and one small record of our own,
# run as a user runs it. Expected ids, titles and counts are read from the data files.
source "$(dirname "$0")/lib.bash"
cd "$T" || exit 1

# A record of our own whose abstract holds HTML-special characters, for snippet escaping.
cat >"$T/extra.jsonl" <<'EOF'
{"id": "e2e-escape-1", "title": {"en": "Escaping check"}, "abstract": {"en": "We show that x < y && y > z holds, and that <b>zyxwvut</b> tags & entities like &amp; stay text."}}
EOF
load_data "$T/extra.jsonl"
export ABSTRAKT_DB=$T/index
section "index the seed, the slice and the extra record"
expect_exit 0 "$INDEX" add "$SEED" "$SLICE" "$T/extra.jsonl"

# The ids of the records whose line matches an extended regex (grep -E -i), sorted.
ids_matching() { grep -Ei -- "$1" "$ALL_DATA" | sed -E 's/^\{"id": "([^"]*)".*/\1/' | sort; }
en_title_of() { record_of "$1" | sed -E 's/.*"title": \{"en": "([^"]*)".*/\1/'; }
zh_title_of() { record_of "$1" | sed -E 's/.*"title": \{[^}]*"zh": "([^"]*)".*/\1/'; }

section "Diffusionsmodell: exactly the seed papers that have the word, with a German snippet"
want=$(ids_matching 'diffusionsmodell')  # chatpaper-2024-02-29-07 and -11
expect_eq 2 "$(grep -c . <<<"$want")" "records with Diffusionsmodell in the data"
expect_exit 0 "$SEARCH" --json Diffusionsmodell
expect_eq "$want" "$(json_hits id | sort)" "hits for Diffusionsmodell"
expect_eq 2 "$(json_top total)" "total for Diffusionsmodell"
expect_eq $'de\nde' "$(json_hits snippet_lang)" "snippet languages for Diffusionsmodell"
snippets=$(json_hits snippet)
expect_eq 2 "$(grep -c '<mark>Diffusionsmodell' <<<"$snippets")" "snippets with a marked Diffusionsmodell"
expect_exit 0 "$SEARCH" Diffusionsmodell  # the text output
for id in $want; do expect_contains "$id" "$OUT" "text output for Diffusionsmodell"; done
expect_contains "Diffusionsmodelle haben" "$OUT" "German snippet in the text output"
expect_not_contains "<mark>" "$OUT" "text output (no HTML)"
expect_not_contains $'\033[' "$OUT" "text output to a pipe (no colour)"
expect_exit 0 "$SEARCH" --color always Diffusionsmodell
expect_contains $'\033[1mDiffusionsmodell' "$OUT" "text output with --color always"

section "linear attention: $SEED_ID-08 in the top 3 with its English title"
id8=$SEED_ID-08
title8=$(en_title_of "$id8")  # Simple linear attention language models balance ...
expect_contains "linear attention" "$title8" "the English title of $id8 in the data"
expect_exit 0 "$SEARCH" --json --limit 3 linear attention
top3=$(json_hits id)
expect_eq 3 "$(grep -c . <<<"$top3")" "hits with --limit 3"
rank=$(grep -nxF "$id8" <<<"$top3" | cut -d: -f1)
if [[ -z $rank ]]; then
    fail "$id8 is not in the top 3 for linear attention: $(tr '\n' ' ' <<<"$top3")"
else
    expect_eq "$title8" "$(json_hits title | sed -n "${rank}p")" "title shown for $id8"
    expect_eq en "$(json_hits title_lang | sed -n "${rank}p")" "title_lang shown for $id8"
fi

section "扩散模型 (Chinese): papers whose Chinese text has the word, titles in Chinese"
zh_want=$(ids_matching '"title": \{[^}]*"zh": "[^"]*扩散模型')  # Chinese titles with the word
expect_some "$zh_want" "Chinese titles with 扩散模型"
expect_exit 0 "$SEARCH" --json --limit 30 扩散模型
expect_ids_include $zh_want
for id in $(json_hits id | head -n 10); do
    _check
    record_of "$id" | grep -q '扩散模型' || fail "hit $id of 扩散模型 has no 扩散模型 in its record"
done
ids=$(json_hits id)
titles=$(json_hits title)
langs=$(json_hits title_lang)
for id in $zh_want; do
    n=$(grep -nxF "$id" <<<"$ids" | cut -d: -f1)
    [[ -n $n ]] || continue
    expect_eq "$(zh_title_of "$id")" "$(sed -n "${n}p" <<<"$titles")" "title shown for $id"
    expect_eq zh "$(sed -n "${n}p" <<<"$langs")" "title_lang shown for $id"
done

section "--json: the documented keys, on the response and on every hit"
expect_exit 0 "$SEARCH" --json --limit 5 language models
for key in query total took_ms hits; do json_top "$key" >/dev/null; done
expect_eq "language models" "$(json_top query)" "query in the JSON"
expect_eq 5 "$(json_hits id | grep -c .)" "hits in the JSON with --limit 5"
for key in id title title_lang authors published categories upvotes comments url score snippet snippet_lang; do
    json_hits "$key" >/dev/null
done
expect_match '^[0-9]+$' "$(json_top total)" "total"
expect_match '^[0-9.]+(e[-+]?[0-9]+)?$' "$(json_top took_ms)" "took_ms"
expect_match '^\[' "$(json_hits authors | head -n 1)" "authors of a hit (a list)"
expect_match '^\[' "$(json_hits categories | head -n 1)" "categories of a hit (a list)"
expect_exit 0 "$SEARCH" --json "id:$id8"  # a seed record: upvotes, comments, no url, no categories
r8=$(record_of "$id8")
expect_eq "$(grep -o '"upvotes": [0-9]*' <<<"$r8" | grep -o '[0-9]*$')" "$(json_hits upvotes)" "upvotes of $id8"
expect_eq "$(grep -o '"comments": [0-9]*' <<<"$r8" | grep -o '[0-9]*$')" "$(json_hits comments)" "comments of $id8"
expect_eq "$(grep -o '"published": "[0-9-]*"' <<<"$r8" | cut -d'"' -f4)" "$(json_hits published)" "published of $id8"
expect_eq null "$(json_hits url)" "url of $id8 (none in the data)"
expect_exit 0 "$SEARCH" --json "id:2402.19173"
expect_eq "$(grep -o '"url": "[^"]*"' <<<"$(record_of 2402.19173)" | cut -d'"' -f4)" "$(json_hits url)" "url of 2402.19173"

section "snippets in JSON mark matches with <mark> and escape < > &"
expect_exit 0 "$SEARCH" --json zyxwvut
expect_eq e2e-escape-1 "$(json_hits id)" "hit for zyxwvut"
snippet=$(json_hits snippet)
expect_contains "<mark>zyxwvut</mark>" "$snippet" "snippet"
expect_contains "x &lt; y &amp;&amp; y &gt; z" "$snippet" "snippet"
expect_contains "&lt;b&gt;<mark>zyxwvut</mark>&lt;/b&gt;" "$snippet" "snippet"
expect_contains "&amp;amp;" "$snippet" "snippet (an entity in the text is escaped again)"
bare=${snippet//<mark>/}
bare=${bare//<\/mark>/}
expect_not_contains "<" "$bare" "snippet without its <mark> tags"
expect_not_contains ">" "$bare" "snippet without its <mark> tags"
expect_not_contains "& " "$bare" "snippet without its <mark> tags"

section "phrases: \"Large Language Models\" matches only records with the words in a row"
expect_exit 0 "$SEARCH" --json --limit 100 '"Large Language Models"'
ids=$(json_hits id)
[[ -n $ids ]] || fail "no hits for \"Large Language Models\""
for id in $ids; do
    _check
    record_of "$id" | grep -Eqi 'large[- ]language[- ]models' || fail "hit $id has no \"Large Language Models\""
done
want=$(grep -i 'large language models' "$SEED" | sed -E 's/^\{"id": "([^"]*)".*/\1/' | sort)  # 2402.19173, -09
expect_some "$want" "seed records with Large Language Models"
expect_exit 0 "$SEARCH" --json '"Large Language Models"' lang:de
expect_eq "$want" "$(json_hits id | sort)" "\"Large Language Models\" lang:de"

section "-word excludes: -compilers drops $SEED_ID-09 (Compilers in its title)"
grep -F "{\"id\": \"$SEED_ID-09\", " "$SEED" | grep -q 'Compilers' || fail "$SEED_ID-09 has no Compilers in the data"
want=$(grep -i 'large language models' "$SEED" | grep -vi 'compiler' | sed -E 's/^\{"id": "([^"]*)".*/\1/' | sort)
expect_some "$want" "seed records with Large Language Models and no compiler"
expect_exit 0 "$SEARCH" --json '"Large Language Models"' lang:de -compilers
expect_eq "$want" "$(json_hits id | sort)" "\"Large Language Models\" lang:de -compilers"
expect_exit 0 "$SEARCH" --json --limit 100 '"Large Language Models" -compilers'
expect_ids_exclude "$SEED_ID-09"

section "author: searches author names only"
want=$(ids_matching '"authors": \[[^]]*Lozhkov')  # 2402.19173
expect_some "$want" "authors named Lozhkov"
expect_exit 0 "$SEARCH" --json author:Lozhkov
expect_eq "$want" "$(json_hits id | sort)" "author:Lozhkov"
expect_eq 0 "$(grep -Eic '"authors": \[[^]]*linear' "$ALL_DATA")" "authors named linear in the data"
expect_exit 0 "$SEARCH" --json author:linear
expect_eq 0 "$(json_top total)" "author:linear (a title word, no author)"

section "cat:, lang:, year:, date:, id: filters"
cat_n=$(grep -c '"categories": \[[^]]*"cs.SE"' "$ALL_DATA")
expect_some "$cat_n" "records in cs.SE"
expect_exit 0 "$SEARCH" --json --limit 100 cat:cs.SE
expect_eq "$cat_n" "$(json_top total)" "total for cat:cs.SE"
expect_eq "$cat_n" "$(json_hits categories | grep -c '"cs.SE"')" "hits of cat:cs.SE with cs.SE"
de_want=$(ids_matching '"(title|abstract)": \{[^}]*"de": ')
expect_some "$de_want" "records with German text"
expect_exit 0 "$SEARCH" --json --limit 100 lang:de
expect_eq "$de_want" "$(json_hits id | sort)" "lang:de"
year_n=$(grep -c '"published": "2026-' "$ALL_DATA")
expect_some "$year_n" "records of 2026"
expect_exit 0 "$SEARCH" --json --limit 100 year:2026
expect_eq "$year_n" "$(json_top total)" "total for year:2026"
expect_eq 0 "$(json_hits published | grep -vc '^2026-')" "hits of year:2026 from another year"
range_n=$(grep -Ec '"published": "2024-02-(28|29)"' "$ALL_DATA")
expect_some "$range_n" "records of 2024-02-28 and -29"
expect_exit 0 "$SEARCH" --json --limit 100 date:2024-02-28..2024-02-29
expect_eq "$range_n" "$(json_top total)" "total for date:2024-02-28..2024-02-29"
expect_eq 0 "$(json_hits published | grep -Evc '^2024-02-(28|29)$')" "hits of date:2024-02-28..2024-02-29 out of range"
month_n=$(grep -c '"published": "2024-02-' "$ALL_DATA")
expect_some "$month_n" "records of 2024-02"
expect_exit 0 "$SEARCH" --json --limit 100 date:2024-02  # a month
expect_eq "$month_n" "$(json_top total)" "total for date:2024-02"
expect_exit 0 "$SEARCH" --json --limit 100 'date:2024-03-01..2024-03-31' model
expect_eq 0 "$(json_hits published | grep -Evc '^2024-03-')" "hits of date:2024-03-01..2024-03-31 model out of range"
expect_exit 0 "$SEARCH" --json id:2402.19173
expect_eq 2402.19173 "$(json_hits id)" "id:2402.19173"
expect_eq 1 "$(json_top total)" "total for id:2402.19173"

section "--sort date and --sort upvotes"
expect_exit 0 "$SEARCH" --json --limit 100 --sort date language models
dates=$(json_hits published)
expect_eq 100 "$(grep -c . <<<"$dates")" "hits with --sort date --limit 100"
_check
sort -c -r <<<"$dates" 2>/dev/null || fail "--sort date: dates increase somewhere: $(tr '\n' ' ' <<<"$dates" | head -c 400)"
expect_exit 0 "$SEARCH" --json --limit 100 --sort upvotes language models
ups=$(json_hits upvotes | sed 's/^null$/-1/')  # papers without upvotes last
_check
sort -c -n -r <<<"$ups" 2>/dev/null || fail "--sort upvotes: upvotes increase somewhere: $(tr '\n' ' ' <<<"$ups" | head -c 400)"
max_up=$(grep -o '"upvotes": [0-9]*' "$ALL_DATA" | grep -o '[0-9]*$' | sort -n | tail -n 1)
_check
grep -E "\"upvotes\": $max_up[,}]" "$ALL_DATA" | grep -qi 'language models' || fail "the most upvoted record does not mention language models"
expect_eq "$max_up" "$(head -n 1 <<<"$ups")" "the most upvoted paper first"

section "--limit and --offset page through the same ranking"
expect_exit 0 "$SEARCH" --json --limit 5 linear attention
page0=$(json_hits id)
expect_exit 0 "$SEARCH" --json --limit 4 --offset 1 linear attention
page1=$(json_hits id)
expect_eq "$(sed -n '2,5p' <<<"$page0")" "$page1" "--offset 1 --limit 4 against hits 2-5 of --offset 0"
expect_exit 0 "$SEARCH" --limit 1 --offset 1 linear attention
expect_contains " 2. $(sed -n 2p <<<"$page0")" "$OUT" "text output of --offset 1 numbers from 2"

section "accents: a query without diacritics finds an author with them"
jerome=$(ids_matching '"authors": \[[^]]*Jérôme')  # 2401.08461
expect_some "$jerome" "authors named Jérôme"
expect_exit 0 "$SEARCH" --json --limit 20 Jerome
expect_ids_include $jerome
expect_exit 0 "$SEARCH" --limit 20 Jerome
expect_contains "Jérôme" "$OUT" "authors shown with their diacritics"
cote=$(ids_matching '"authors": \[[^]]*Côté')  # 2510.13724
expect_some "$cote" "authors named Côté"
expect_exit 0 "$SEARCH" --json --limit 20 cote
expect_ids_include $cote

section "hyphenation: multi-view, multi view and multiview find titles with Multi-View"
# Titles with "Multi-View" whose records never write "multiview" or "multi view".
mv=$(ids_matching '"title": \{"en": "[^"]*Multi-View' | while read -r id; do
    record_of "$id" | grep -Eqi 'multiview|multi view' || echo "$id"
done)
expect_contains "$SEED_ID-11" "$mv" "Multi-View titles in the data"
for q in multi-view "multi view" multiview; do
    expect_exit 0 "$SEARCH" --json --limit 100 $q
    expect_ids_include $mv
done

section "a query that does not parse: a note on stderr, its words searched, exit 0"
expect_exit 0 "$SEARCH" --json --limit 10 '(linear attention'
expect_contains "note" "$ERR" "stderr for (linear attention"
expect_ids_include "$id8"
expect_exit 0 "$SEARCH" --limit 10 '"linear attention'
expect_contains "note" "$ERR" "stderr for an unclosed quote"
expect_contains "$id8" "$OUT" "results for an unclosed quote"
expect_exit 0 "$SEARCH" 'linear AND'
expect_contains "note" "$ERR" "stderr for a dangling AND"

section "--explain shows the plan; ranking parameters by name, validated"
expect_exit 0 "$SEARCH" --explain --limit 1 linear attention
expect_contains 'plan: two tiers (all words, then some)' "$OUT" "the plan under --explain"
expect_contains 'word "attention" @7-16 last' "$OUT" "the last word, still being typed, in the plan"
expect_exit 0 "$SEARCH" --json --explain --limit 1 linear attention
expect_contains 'joined linearattention' "$(json_top plan)" "the plan in the JSON"
expect_exit 0 "$SEARCH" --ranking-defaults
defaults=$OUT
for name in weighting long_query_words stop_words max_joins max_compounds_per_word rerank_depth proximity_window \
            proximity_weight coverage_weight few_results count_to similar_terms similar_max_share suggest_max_share \
            title_pair_weight title_wdf abstract_wdf author_wdf id_wdf; do
    expect_contains "\"$name\":" "$defaults" "--ranking-defaults names $name"
done
expect_eq "ineb2 1.5" "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["weighting"])' <<<"$defaults")" "the default scheme"
expect_exit 0 "$SEARCH" --json --limit 5 diffusion
default_order=$(json_hits id)
expect_exit 0 "$SEARCH" --json --limit 5 --ranking weighting=bool diffusion
[[ $(json_hits id) != "$default_order" ]] || fail "weighting=bool ranked diffusion as the default scheme does"
_check
echo '{"rerank_depth": 10, "weighting": "bm25"}' >"$T/ranking.json"
expect_exit 0 "$SEARCH" --limit 1 --ranking-file "$T/ranking.json" diffusion
expect_exit 2 "$SEARCH" --ranking nope=1 diffusion
expect_contains 'unknown ranking parameter "nope"' "$ERR" "an unknown parameter"
expect_exit 2 "$SEARCH" --ranking rerank_depth=2000 diffusion
expect_contains 'out of range (0 to 1000)' "$ERR" "a value out of range"
expect_exit 2 "$SEARCH" --ranking title_wdf=4 diffusion
expect_contains 'title_wdf is an index-time ranking parameter' "$ERR" "an index-time parameter at search time"
expect_exit 2 "$INDEX" --db "$T/other" --ranking rerank_depth=3 add "$SEED"
expect_contains 'rerank_depth is a query-time ranking parameter' "$ERR" "a query-time parameter at index time"
expect_exit 0 "$INDEX" --db "$T/other" --ranking title_wdf=5 add "$SEED"
expect_exit 2 "$INDEX" --db "$T/other" --ranking title_wdf=4 add "$SEED"
expect_contains 'rebuild it to change them' "$ERR" "another index-time parameter for an index with papers"

finish
