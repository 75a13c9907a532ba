#!/usr/bin/env bash
# verify.sh HANDDIR OUTDIR -- compare hand-derived values with the programs' output.
# Tangled from chapters/support.nw.  Exit status 1 if any value disagrees.
set -euo pipefail
hand=$1 out=$2 failed=0
printf '%-8s %-14s %-20s %-20s %-10s %s\n' \
    example quantity 'by hand' program '|diff|' result
for table in "$hand"/hand-*.tsv; do
    name=$(basename "$table" .tsv)
    values="$out/${name#hand-}-values.tsv"
    if [ ! -r "$values" ]; then
        echo "verify: $values is missing (run make first)" >&2
        exit 1
    fi
    funcs=$(awk -F'\t' '
        $1 == "func" && NF == 3 {
            if (!($2 in body))
                head[++n] = $2
            body[$2] = body[$2] "\n" $3
        }
        END {
            for (i = 1; i <= n; i++)
                printf "function %s {%s\n}\n", head[i], body[head[i]]
        }' \
        "$table")
    prog=$(awk -F'\t' '
        /^#/ || NF == 0 || $1 == "func" { next }
        $1 == "let" && NF == 3   { printf "%s = (%s);\n", $2, $3; next }
        $1 == "check" && NF == 6 {
            printf "check(\"%s\", \"%s\", \"%s\", (%s), %s);\n", $2, $3, $4, $5, $6
            next
        }
        {
            printf "verify: %s:%d: malformed line\n", FILENAME, FNR > "/dev/stderr"
            exit 1
        }' "$table")
    awk -v values="$values" '
    function check(key, example, what, hand, tol,    d, ok) {
        if (!(key in got)) {
            printf "%-8s %-14s %-20.12g %-20s %-10s %s\n", example, what, hand,
                   "(missing)", "", "FAIL"
            bad = 1; return
        }
        d = got[key] - hand; if (d < 0) d = -d
        ok = d <= tol
        printf "%-8s %-14s %-20.12g %-20.12g %-10.2g %s\n",
               example, what, hand, got[key], d, ok ? "pass" : "FAIL"
        if (!ok) bad = 1
    }
    '"$funcs"'
    BEGIN {
        while ((getline line < values) > 0) {
            split(line, f, "\t")
            got[f[1]] = f[2] + 0
        }
        '"$prog"'
        exit bad
    }' || failed=1
done
exit $failed
