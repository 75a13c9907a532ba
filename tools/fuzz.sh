#!/usr/bin/env bash
# fuzz.sh run B 'FLAGS' TARGET... | fuzz.sh replay B TARGET... -- run the
# libFuzzer targets, or replay their corpora.  Tangled from chapters/p8-build.nw.
set -euo pipefail
mode=$1 B=$2
shift 2
if [ "$mode" = run ]; then
    flags=$1
    shift
    for f in "$@"; do
        mkdir -p "$B/fuzz/corpus-$f"
        echo "fuzz: $f ($flags)"
        if ! "$B/fuzz/$f" $flags -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
                -artifact_prefix="$B/fuzz/$f-crash-" "$B/fuzz/corpus-$f" "tests/fuzz-$f" \
                > "$B/fuzz/$f.log" 2>&1; then
            tail -n 40 "$B/fuzz/$f.log"
            echo "fuzz: $f failed; the input is $B/fuzz/$f-crash-*" >&2
            exit 1
        fi
        awk -v f="$f" '/stat::number_of_executed_units/ { n = $2 } /stat::peak_rss_mb/ { m = $2 }
             /Done [0-9]+ runs in/ { t = $(NF - 1) }
             END { printf "fuzz: %s: %d executions in %s s, peak %s MB, no failure\n", f, n, t, m }' \
            "$B/fuzz/$f.log"
    done
else
    for f in "$@"; do
        n=$(ls "tests/fuzz-$f" | wc -l)
        "$B/san/fuzz-$f" tests/fuzz-"$f"/* || { echo "check: fuzz target $f failed" >&2; exit 1; }
        echo "check: fuzz target $f: the $n inputs of tests/fuzz-$f pass"
    done
fi
