#!/usr/bin/env bash
# help-check.sh SRCDIR BINDIR PROGRAM[=SUB,SUB...]... -- every long option a
# program's source declares is named by its --help.  Tangled from
# chapters/support.nw.
set -euo pipefail
src=$1 bin=$2
shift 2
bad=0
for spec in "$@"; do
    prog=${spec%%=*} subs=
    [ "$spec" != "$prog" ] && subs=${spec#*=}
    help=$("$bin/$prog" --help)
    for s in ${subs//,/ }; do
        help+=$'\n'$("$bin/$prog" "$s" --help)
    done
    kind='\(no_argument\|required_argument\|optional_argument\|[012]\)'
    names=$(grep -o '{"[a-z0-9][a-z0-9-]*", *'"$kind" "$src/$prog.c" \
              | sed 's/^{"\([^"]*\)".*/\1/' | sort -u)
    letters=$(grep -o 'getopt_long(argc, argv, "[^"]*"' "$src/$prog.c" \
                | sed 's/.*"\(.*\)"/\1/' | tr -d ':' | fold -w1 | sort -u)
    n=0 m=0 missing=
    for name in $names; do
        n=$((n + 1))
        grep -q -e "--$name\b" <<<"$help" || missing+=" --$name"
    done
    for l in $letters; do
        m=$((m + 1))
        grep -q -E -e "(^|[^-[:alnum:]])-$l([^-[:alnum:]]|$)" <<<"$help" || missing+=" -$l"
    done
    if [ -n "$missing" ]; then
        echo "check: $prog --help does not name:$missing" >&2
        bad=1
    else
        echo "check: $prog --help names all $n long and $m short options"
    fi
done
exit $bad
