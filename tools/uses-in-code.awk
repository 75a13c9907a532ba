# uses-in-code.awk -- a noweb filter, after finduses: keep an index use only
# in code, outside comments and strings, and in a chunk that shares a file
# with a definition of the name.  Tangled from chapters/p8-build.nw.
function scan(t,    i, c, d) {
    for (i = 1; i <= length(t); i++) {
        c = substr(t, i, 1); d = substr(t, i + 1, 1)
        if (state == "block") {
            if (c == "*" && d == "/") { state = "code"; i++ }
        } else if (state == "string" || state == "char") {
            if (c == "\\") i++
            else if ((c == "\"" && state == "string") || (c == "'" && state == "char"))
                state = "code"
        } else if (state == "code") {
            if (c == "/" && d == "*") { state = "block"; i++ }
            else if (c == "/" && d == "/") state = "line"
            else if (c == "\"") state = "string"
            else if (c == "'") state = "char"
            else if (c == "#" && (d == " " || d == "") && (bol || prev ~ /[ \t]/))
                state = "line"
        }
        prev = c; bol = 0
    }
}
/^@begin code/ || /^@quote/ || /^@endquote/ { state = "code"; bol = 1; prev = ""; last = "" }
/^@nl/ { if (state != "block") state = "code"; bol = 1; prev = ""; last = "" }
/^@index use / && (state != "code" || last ~ /(\.|->)[ \t]*$/) { next }
/^@text / { scan(substr($0, 7)); last = substr($0, 7) }
{ line[++n] = $0 }
/^@begin code/ { incode = 1; chunk = "" }
/^@begin docs/ || /^@end code/ { incode = 0 }
incode && /^@defn / { chunk = substr($0, 7); defined[chunk] = 1 }
incode && /^@use / {
    d = substr($0, 6); used[d] = 1
    if (!((chunk, d) in edge)) { edge[chunk, d] = 1; kids[chunk] = kids[chunk] SUBSEP d }
}
incode && /^@index defn / { x = substr($0, 13); defs[x] = defs[x] SUBSEP chunk }
incode { where[n] = chunk }
function reach(c, r,    n, k, i) {
    if ((c, r) in reaches) return
    reaches[c, r] = 1; roots[c] = roots[c] SUBSEP r
    n = split(kids[c], k, SUBSEP)
    for (i = 2; i <= n; i++) reach(k[i], r)
}
function shared(c, x,    nr, r, nd, d, i, j) {
    if (!(x in defs) || roots[c] == "") return 1
    nr = split(roots[c], r, SUBSEP); nd = split(defs[x], d, SUBSEP)
    for (j = 2; j <= nd; j++) {
        if (roots[d[j]] == "") return 1
        for (i = 2; i <= nr; i++) if ((d[j], r[i]) in reaches) return 1
    }
    return 0
}
END {
    for (c in defined) if (!(c in used)) reach(c, c)
    for (i = 1; i <= n; i++)
        if (!(line[i] ~ /^@index use / && (i in where) && !shared(where[i], substr(line[i], 12))))
            print line[i]
}
