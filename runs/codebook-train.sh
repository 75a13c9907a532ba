#!/bin/bash
# codebook-train.sh B -- the training run of section 23.2 on synthetic clips.
# Tangled from chapters/p3-codebook.nw; edit that, then `make tangle`.
set -euo pipefail
B=$1
mkdir -p "$B/out" "$B/tex"
CB=$B/out/codebook
OPENBLAS_NUM_THREADS=1 "$B/bin/codebook" train --seed 2024 \
    --write-codebook "$CB.npy" --write-codes "$CB-codes.tsv" \
    --write-chords "$CB-chords.tsv" --write-raw "$CB-raw.tsv" \
    --distortion "$CB-distortion.dat" --wav "$CB-example.wav" \
    --sizes 256,1024 --floors 1e-2,1e-6 --windows 4096,8192 \
    --macros "$B/tex/macros-codebook-train.tex"
