#!/usr/bin/env bash
# attention.sh -- the runs of section 23.4 (attention heads).
# Tangled from chapters/p4-attention.nw.  Usage, from the top directory:
#   bash build/tangle/runs/attention.sh B         (B: the build directory)
set -euo pipefail
B=$1
prog=$B/bin/attention
runs='1 2 3 4 5'
train='--steps 1600 --quiet'
mkdir -p "$B/out" "$B/tex" "$B/cache"
"$prog" --macros "$B/tex/macros-attention.tex" \
    --values "$B/out/attention-values.tsv" > "$B/out/attention.txt"
key=$( { grep -v -e '^#line' -e '^[[:space:]]*/\*.*<<.*>>.*\*/[[:space:]]*$' \
              -e '^[[:space:]]*//.*<<.*>>' "$B/tangle/src/attention.c"
         echo "$train"; } | sha256sum | cut -c1-16 )
c=$B/cache/attention-$key
if [ ! -f "$c/done" ]; then
    rm -rf "$B"/cache/attention-*
    mkdir -p "$c"
    for s in $runs; do
        # shellcheck disable=SC2086  # $train holds several options
        "$prog" train $train --seed "$s" -o "$c/run-$s.ck" --trace "$c/run-$s.tsv"
    done
    touch "$c/done"
fi
traces=()
for s in $runs; do
    traces+=(--trace "$c/run-$s.tsv")
done
"$prog" analyse -c "$c/run-1.ck" "${traces[@]}" \
    --macros "$B/tex/macros-attention-run.tex" \
    --ablation "$B/out/attention-ablation.dat" \
    --maps "$B/out/attention-maps.dat" \
    --curves "$B/out/attention-training.dat" > "$B/out/attention-analysis.txt"
"$prog" sample --count 3 --seed 3 > "$B/out/attention-samples-generator.txt"
"$prog" sample -c "$c/run-1.ck" --count 3 --seed 3 \
    > "$B/out/attention-samples-model.txt"
