# select-tunes.awk -- which ABC tunes the real data set of section 23.2 takes.
# Tangled from chapters/p3-codebook.nw; edit that, then `make tangle`.
# Usage: awk -v out=DIR -f select-tunes.awk FILE.abc...
# Writes every tune it takes as DIR/NAME.abc and prints one line per tune:
# taken|refused, file stem, X number, title, key or reason.
function plain(k) { return k ~ /^[A-G][#b]?([mM]|[mM][iI][nN]|[mM][aA][jJ])?$/ }
function norm(k) {
    sub(/[mM][aA][jJ]$/, "", k); sub(/[mM][iI][nN]$/, "m", k); sub(/M$/, "m", k)
    return k
}
function flush(   reason, stem) {
    if (!intune) return
    intune = 0
    if (nkeys != 1) reason = nkeys == 0 ? "no K: field" : "the key changes"
    else if (!plain(key)) reason = "K:" key " is not a plain major or minor key"
    else if (tuning) reason = "not twelve-tone equal temperament"
    else if (bars < 16) reason = "fewer than 16 bars: a feature demonstration"
    else if (inline) reason = "inline [I:] instructions: a typesetting demonstration"
    stem = file; sub(/.*\//, "", stem); sub(/\.abc$/, "", stem)
    if (reason != "") {
        printf "refused\t%s\t%s\t%s\t%s\n", stem, xnum, title, reason
        return
    }
    printf "taken\t%s\t%s\t%s\t%s\n", stem, xnum, title, norm(key)
    printf "%s", text > (out "/" stem "-" xnum ".abc")
    close(out "/" stem "-" xnum ".abc")
}
FNR == 1 { flush(); file = FILENAME }
/^X:/ {
    flush(); intune = 1; text = ""; nkeys = 0; key = ""; title = ""
    tuning = 0; bars = 0; inline = 0
    xnum = $0; sub(/^X:[ \t]*/, "", xnum); sub(/[ \t\r]+$/, "", xnum)
}
!intune { next }
{ text = text $0 "\n" }
/^T:/ && title == "" {
    title = $0; sub(/^T:[ \t]*/, "", title); gsub(/\t/, " ", title)
}
/^K:/ {
    nkeys++; v = $0; sub(/^K:[ \t]*/, "", v); sub(/%.*/, "", v)
    n = split(v, w, /[ \t]+/); key = w[1]
    for (i = 2; i <= n; i++)
        if (w[i] ~ /^[\^_=]/ || w[i] ~ /^(dor|phr|lyd|mix|loc|aeo|ion)/)
            key = key " " w[i]
    next
}
/\[K:/ { nkeys++ }
/\[I:/ { inline = 1 }
/%%MIDI[ \t]+temperament|^%%temperament|%%MIDI[ \t]+detune|\^\/|_\// { tuning = 1 }
!/^[A-Za-z]:/ && !/^%/ { s = $0; sub(/%.*/, "", s); bars += gsub(/\|/, "|", s) }
END { flush() }
