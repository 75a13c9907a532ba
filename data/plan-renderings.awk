# plan-renderings.awk -- the renderings of the real data set of section 23.2.
# Tangled from chapters/p3-codebook.nw; edit that, then `make tangle`.
# Usage: awk -f plan-renderings.awk SELECTION.tsv
# Prints: tune name, key, transposition N (-5..6), train or test.
function tonic(k,   pc) {
    pc = index("C D EF G A B", substr(k, 1, 1)) - 1
    if (substr(k, 2, 1) == "#") pc++
    if (substr(k, 2, 1) == "b") pc--
    return (pc + 12) % 12
}
BEGIN { FS = "\t" }
$1 == "taken" {
    m = $5 ~ /m$/; n[m]++; name[m, n[m]] = $2 "-" $3; key[$2 "-" $3] = $5
}
END {
    for (m = 0; m <= 1; m++) {
        for (i = 2; i <= n[m]; i++)
            for (j = i; j > 1 && name[m, j - 1] > name[m, j]; j--) {
                t = name[m, j]; name[m, j] = name[m, j - 1]; name[m, j - 1] = t
            }
        delete held; s = 0
        for (i = 0; i < 6; i++) { h = 1 + int(i * n[m] / 6); held[h] = 1; slot[s++] = h }
        for (i = 1; i <= n[m]; i++) if (!(i in held)) slot[s++] = i
        for (s = 0; s < n[m]; s++) {
            tune = name[m, slot[s]]
            for (j = 0; j < 4; j++) {
                N = ((4 * s + j) % 12 - tonic(key[tune]) + 24) % 12
                if (N > 6) N -= 12
                printf "%s\t%s\t%d\t%s\n", tune, key[tune], N, s < 6 ? "test" : "train"
            }
        }
    }
}
