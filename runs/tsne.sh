#!/bin/bash
# tsne.sh -- the runs of the book for section 23.1's maps.
# Tangled from chapters/p2-tsne.nw.  Usage: bash runs/tsne.sh B
set -euo pipefail
B=$1
mkdir -p "$B/out" "$B/tex"
"$B/bin/tsne" --macros "$B/tex/macros-tsne.tex" --values "$B/out/tsne-values.tsv" \
    --kernel "$B/out/tsne-kernels.dat" --crowding "$B/out/tsne-crowding.dat" \
    --toy "$B/out/tsne-toy.dat" > "$B/out/tsne.txt"
"$B/bin/tsne" --make-clusters "$B/out/clusters.tsv" \
    --labels "$B/out/clusters-labels.tsv" --seed 2024
"$B/bin/tsne" --input "$B/out/clusters.tsv" --perplexity 30 --trustworthiness 10 \
    --trace "$B/out/tsne-kl.dat" --trace-every 10 --quiet \
    --macros "$B/tex/macros-tsne-run.tex" --output "$B/out/clusters-map.tsv"
paste "$B/out/clusters-map.tsv" "$B/out/clusters-labels.tsv" > "$B/out/tsne-clusters.dat"
