#!/bin/bash
# codebook-real.sh B -- the measurement of section 23.2 on rendered tunes.
# Tangled from chapters/p3-codebook.nw; edit that, then `make tangle`.
set -euo pipefail
B=$1
mkdir -p "$B/out" "$B/tex"
CBR=$B/out/codebook-real
OPENBLAS_NUM_THREADS=1 "$B/bin/codebook" measure --codebook "$CBR.npy" \
    --codes "$CBR-codes.tsv" --raw "$CBR-raw.tsv" --map "$CBR-map.dat" \
    --heatmap "$CBR-heatmap.dat" --macro-prefix CbReal \
    --macros "$B/tex/macros-codebook-real.tex"
