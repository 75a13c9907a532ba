#!/usr/bin/env bash
# runs/mutinfo.sh B -- the book's runs of mutinfo (section 23.5), into B/out and
# B/tex.  Tangled from chapters/p5-mutinfo.nw; run as
#   bash build/tangle/runs/mutinfo.sh build
set -euo pipefail
B=$1
mkdir -p "$B/out" "$B/tex"
"$B/bin/mutinfo" --macros "$B/tex/macros-mutinfo.tex" \
    --values "$B/out/mutinfo-values.tsv" > "$B/out/mutinfo.txt"
"$B/bin/mutinfo" --chains 2000 --seed 2024 --output "$B/out/dpi-chains.tsv" \
    --macros "$B/tex/macros-dpi.tex"
