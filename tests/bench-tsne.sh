#!/usr/bin/env bash
# bench-tsne.sh BUILDDIR SCRIPT -- time tsne against scikit-learn's exact t-SNE.
# Tangled from chapters/p2-tsne.nw; run by `make bench`.
set -euo pipefail
b=$1 script=$2 x=$1/out/clusters.tsv
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
if ! /usr/bin/python3 -c 'import sklearn' 2>/dev/null && [ "$(id -u)" = 0 ]; then
    echo "bench: installing python3-sklearn (for the comparison only)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        python3-sklearn > /dev/null 2>&1 </dev/null || true
fi
echo "bench: tsne, $(wc -l < "$x") points in 128-D from 24 clusters," \
     "perplexity 30, 1000 iterations, exact, PCA start"
t0=$(date +%s.%N)
"$b/bin/tsne" --input "$x" --perplexity 30 --init pca --verbose \
    --output "$d/map.tsv" --values "$d/v.tsv" 2> "$d/err.txt"
t1=$(date +%s.%N)
ours=$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')
kl=$(awk -F'\t' '$1 == "kl" {print $2}' "$d/v.tsv")
opt=$(sed -n 's/^tsne: optimiser \([0-9.]*\) s.*/\1/p' "$d/err.txt")
n=$(awk -F'\t' '$1 == "n" {print $2}' "$d/v.tsv")
awk -v t="$ours" -v o="$opt" -v kl="$kl" -v n="$n" 'BEGIN {
    printf "bench: tsne %15.2f s in all, KL %.4f; optimiser %.2f s\n", t, kl, o
    printf "bench: %.2f ms per iteration, %.1f GFLOP/s in the pair loop\n",
           o, 23 * n * (n - 1) / 2 * 1000 / o / 1e9 }'
if /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
    read -r sk skkl skit < <(/usr/bin/python3 "$script" bench "$x")
    awk -v t="$sk" -v kl="$skkl" -v it="$skit" 'BEGIN {
        printf "bench: scikit-learn %7.2f s in all, KL %.4f (%d iterations)\n",
               t, kl, it }'
    awk -v a="$ours" -v s="$sk" -v kl="$kl" -v skkl="$skkl" 'BEGIN {
        printf "bench: tsne is %.1f times faster than scikit-learn exact; " \
               "final KL %s\n", s / a, kl <= skkl ? "equal or lower" : "HIGHER" }'
else
    echo "bench: scikit-learn (python3-sklearn) is not installed: no comparison;" \
         "the time above is the program's alone"
fi
