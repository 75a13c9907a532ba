#!/bin/bash
# codebook-real-train.sh B -- the training run of section 23.2 on rendered tunes.
# Tangled from chapters/p3-codebook.nw; edit that, then `make tangle`.
set -euo pipefail
B=$1
mkdir -p "$B/out" "$B/tex"
CBR=$B/out/codebook-real
OPENBLAS_NUM_THREADS=1 "$B/bin/codebook" train --seed 2024 \
    --wavs "$B/out/real-wavs.tsv" --clips-per-wav 6 \
    --write-codebook "$CBR.npy" --write-codes "$CBR-codes.tsv" \
    --write-raw "$CBR-raw.tsv" --distortion "$CBR-distortion.dat" \
    --sizes 256,1024 --key-table "$B/tex/codebook-real-keys.tex" \
    --macro-prefix CbReal --macros "$B/tex/macros-codebook-real-train.tex"
