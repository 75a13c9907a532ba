#!/bin/bash
# codebook.sh B -- the worked example and the measurement of section 23.2.
# Tangled from chapters/p3-codebook.nw; edit that, then `make tangle`.
set -euo pipefail
B=$1
mkdir -p "$B/out" "$B/tex"
CB=$B/out/codebook
"$B/bin/codebook" --macros "$B/tex/macros-codebook-example.tex" \
    --values "$B/out/codebook-values.tsv" > "$B/out/codebook.txt"
OPENBLAS_NUM_THREADS=1 "$B/bin/codebook" measure --codebook "$CB.npy" \
    --codes "$CB-codes.tsv" --chords "$CB-chords.tsv" --raw "$CB-raw.tsv" \
    --map "$CB-map.dat" --heatmap "$CB-heatmap.dat" \
    --macros "$B/tex/macros-codebook.tex"
