#!/usr/bin/env bash
# runs/ib.sh B -- the book's run of ib (section 23.6), into B/out and B/tex.
# Tangled from chapters/p6-ib.nw; run as
#   bash build/tangle/runs/ib.sh build
set -euo pipefail
B=$1
mkdir -p "$B/out" "$B/tex"
"$B/bin/ib" --macros "$B/tex/macros-ib.tex" --values "$B/out/ib-values.tsv" \
    --curve "$B/out/ib-curve.dat" --rd-curve "$B/out/rd-curve.dat" \
    > "$B/out/ib.txt"
