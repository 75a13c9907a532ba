#!/usr/bin/env bash
# bench-perplexity.sh B -- time perplexity on 2048 points in 128 dimensions.
# Tangled from chapters/p1-perplexity.nw.
set -euo pipefail
B=$1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
awk -v n=2048 -v dim=128 'BEGIN { srand(1)
    for (i = 0; i < n; i++) {
        c = i % 24
        for (j = 0; j < dim; j++)
            printf "%.6f%s", (c * 7 + j) % 13 + rand(), (j < dim - 1 ? "\t" : "\n")
    } }' > "$d/x.tsv"
echo "bench: perplexity, N = 2048 points in D = 128, perplexity 30, P written as TSV"
/usr/bin/time -f "bench: %e s elapsed, %M KiB peak memory" \
    "$B/bin/perplexity" --input "$d/x.tsv" --perplexity 30 --output "$d/p.tsv"
