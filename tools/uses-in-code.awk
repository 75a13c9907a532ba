# uses-in-code.awk -- a noweb filter, after finduses: drop the index uses that
# fall inside comments and string literals.  Tangled from chapters/p8-build.nw.
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
/^@begin code/ || /^@quote/ || /^@endquote/ { state = "code"; bol = 1; prev = "" }
/^@nl/ { if (state != "block") state = "code"; bol = 1; prev = "" }
/^@index use / && state != "code" { next }
/^@text / { scan(substr($0, 7)) }
{ print }
