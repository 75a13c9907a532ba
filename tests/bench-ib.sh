#!/usr/bin/env bash
# bench-ib.sh BUILDDIR -- time a sweep of Example 23.2 read from a file.
# Tangled from chapters/p6-ib.nw; run by `make bench`.
set -euo pipefail
b=$1
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
awk 'BEGIN { e = 0.1; k = 7
    for (x = 0; x < 2048; x++)
        for (y = 0; y < 128; y++) {
            top = int(x / 16); dist = 0
            for (i = 0; i < k; i++)
                dist += (int(top / 2^i) % 2) != (int(y / 2^i) % 2)
            printf "%.17g%s", e^dist * (1-e)^(k-dist), y < 127 ? "\t" : "\n"
        } }' > "$d/joint.tsv"
echo "bench: ib --sweep, Example 23.2 read from a 2048 x 128 file, 99 betas"
t0=$(date +%s.%N)
"$b/bin/ib" --joint "$d/joint.tsv" --sweep --points 99 > "$d/curve.tsv"
t1=$(date +%s.%N)
awk -F'\t' -v t0="$t0" -v t1="$t1" '
    /^#/ { next }
    { n++; it += $6; if ($6 > most) { most = $6; at = $1 } }
    END {
        t = t1 - t0
        printf "bench: %.2f s in all (target: under 60 s); %d iterations\n", t, it
        printf "bench: %.1f iterations per beta on average, at most %d (beta %g)\n",
               it / n, most, at
        printf "bench: %.2f ms per iteration (128 x 128 x 128 after merging)\n",
               1000 * t / it
    }' "$d/curve.tsv"
