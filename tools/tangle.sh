#!/usr/bin/env bash
# tangle.sh write|check FILTER 'ROOT...' NW... -- tangle the readable copies
# of the roots, or check them.  Tangled from chapters/p8-build.nw.
set -euo pipefail
mode=$1 filter=$2 roots=$3
shift 3
copy() {
    local r=$1
    shift
    case $r in
        *.c) notangle -t0 -R"$r" -filter "awk -f $filter" "$@" ;;
        *)   notangle -t0 -R"$r" "$@" ;;
    esac
}
stale=0
for r in $roots; do
    if [ "$mode" = write ]; then
        mkdir -p "$(dirname "$r")"
        copy "$r" "$@" | cpif "$r"
    else
        if ! copy "$r" "$@" | cmp -s - "$r"; then
            echo "check: $r differs from a fresh tangle of the .nw sources (run make tangle)" >&2
            stale=1
        elif [[ $r == *.c ]] && ! ${CC:-cc} -std=c11 -Wall -Wextra -Werror -pedantic \
                -Wno-unused-function -fsyntax-only ${SYNTAX_FLAGS:-} "$r"; then
            echo "check: the copy $r does not compile alone" >&2
            stale=1
        fi
    fi
done
if [ "$mode" = check ]; then
    for r in $(noroots "$@" | sed -e 's/^<<//' -e 's/>>$//'); do
        case " $roots " in
            *" $r "*) ;;
            *) echo "check: the root chunk '$r' is not a file of the project" >&2; stale=1 ;;
        esac
    done
    n=$(echo $roots | wc -w)
    [ $stale = 0 ] && echo "check: the $n tangled copies match the .nw sources"
fi
exit $stale
