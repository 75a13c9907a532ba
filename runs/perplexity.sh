#!/bin/bash
# perplexity.sh -- the run of the book for section 23.1's affinities.
# Tangled from chapters/p1-perplexity.nw.  Usage: bash runs/perplexity.sh B
set -euo pipefail
B=$1
mkdir -p "$B/out" "$B/tex"
"$B/bin/perplexity" --macros "$B/tex/macros-perplexity.tex" \
    --curve "$B/out/perplexity-curve.dat" \
    --values "$B/out/perplexity-values.tsv" > "$B/out/perplexity.txt"
