#!/bin/bash
# codebook-real-data.sh B -- choose, plan and render the tunes of section 23.2.
# Tangled from chapters/p3-codebook.nw; edit that, then `make tangle`.
set -euo pipefail
B=$1
export LC_ALL=C
shopt -s nullglob
mkdir -p "$B/out" "$B/tex"
D=$B/tangle/data O=$B/out RC=build/cache/real
mapfile -t pkg < <(printf '%s\n' /usr/share/doc/abcmidi/examples/*.abc \
                                 /usr/share/doc/abcm2ps/examples/*.abc | sort)
mapfile -t own < <(printf '%s\n' data/tunes/*.abc | sort)
rm -rf "$O/real-tunes" && mkdir -p "$O/real-tunes"
awk -v out="$O/real-tunes" -f "$D/select-tunes.awk" "${pkg[@]}" \
    > "$O/real-selection-packages.tsv"
awk -v out="$O/real-tunes" -f "$D/select-tunes.awk" "${own[@]}" \
    > "$O/real-selection-added.tsv"
cat "$O/real-selection-packages.tsv" "$O/real-selection-added.tsv" \
    > "$O/real-selection.tsv"
awk -f "$D/plan-renderings.awk" "$O/real-selection.tsv" > "$O/real-plan.tsv"
awk -F'\t' -f "$D/tune-macros.awk" "$O/real-selection-packages.tsv" \
    "$O/real-selection-added.tsv" "$O/real-plan.tsv" \
    > "$B/tex/macros-codebook-real-tunes.tex"
mkdir -p "$RC"
echo "codebook-real-data: rendering $(wc -l < "$O/real-plan.tsv") transposed" \
     "tunes with abc2midi and fluidsynth (cached in $RC)" >&2
awk -F'\t' -v d="$O/real-tunes" '{ print d "/" $1 ".abc", $3 }' "$O/real-plan.tsv" \
    | xargs -P 2 -L 1 sh "$D/render-tune.sh" "$RC" > "$O/real-wavs.tsv.paths"
while IFS=$'\t' read -r tune key n split; do
    wav=$(awk -F'\t' -v t="$tune" -v n="$n" '$1 == t && $2 == n { print $3 }' \
              "$O/real-wavs.tsv.paths")
    label=$("$B/bin/codebook" transpose "$key,$n")
    if [ "$n" -ge 0 ]; then sign=+; else sign=; fi
    printf '%s\t%s\t%s%s%s\t%s\n' "$wav" "$label" "$tune" "$sign" "$n" "$split"
done < "$O/real-plan.tsv" > "$O/real-wavs.tsv.tmp"
rm -f "$O/real-wavs.tsv.paths"
mv "$O/real-wavs.tsv.tmp" "$O/real-wavs.tsv"
