#!/usr/bin/env bash
# runs/hull.sh B -- the book's runs of hull (section 23.7), into B/out and B/tex.
# Tangled from chapters/p7-hull.nw; run from the top directory of the book.
set -euo pipefail
B=$1
mkdir -p "$B/out" "$B/tex"
"$B/bin/hull" --macros "$B/tex/macros-hull.tex" --figure "$B/out/hull-figure.dat" \
    --values "$B/out/hull-values.tsv" --corral "$B/out/hull-corral.dat" \
    > "$B/out/hull.txt"
p=$B/tangle/data/progressions
"$B/bin/hull" --train-chords "$p/blues.txt" --train-chords "$p/ragtime.txt" \
    --test-chords "$p/bebop.txt" --table "$B/tex/hull-bebop.tex" \
    --macros "$B/tex/macros-hull-chords.tex" > "$B/out/hull-chords.txt"
