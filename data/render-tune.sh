#!/bin/sh
# render-tune.sh CACHE TUNE.abc N -- render a tune transposed by N semitones
# as a 32 kHz WAV file in CACHE (unless it is there); print NAME, N and its path.
# Tangled from chapters/p3-codebook.nw; edit that, then `make tangle`.
set -eu
cache=$1 tune=$2 n=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v n="$n" '{ print } /^K:/ && !done { print "%%MIDI transpose " n; done = 1 }' \
    "$tune" > "$tmp/t.abc"
key=$( { cat "$tmp/t.abc"; abc2midi -ver; fluidsynth --version | head -n 1; } \
       | sha256sum | cut -c1-16 )
wav=$cache/$key.wav
if [ ! -f "$wav" ]; then
    abc2midi "$tmp/t.abc" -o "$tmp/t.mid" -silent > /dev/null
    fluidsynth -ni -q -r 32000 -F "$tmp/t.wav" \
        /usr/share/sounds/sf2/FluidR3_GM.sf2 "$tmp/t.mid" > /dev/null
    mv "$tmp/t.wav" "$wav.$$.tmp"
    mv "$wav.$$.tmp" "$wav"
fi
printf '%s\t%s\t%s\n' "$(basename "$tune" .abc)" "$n" "$wav"
