#!/usr/bin/env bash
# typeset.sh DIR -- pdflatex and bibtex on DIR/book.tex until the references
# settle.  TEXINPUTS and BIBINPUTS come from the Makefile.  Tangled from
# chapters/p8-build.nw.
set -euo pipefail
cd "$1"
latex() {
    pdflatex -interaction=nonstopmode -halt-on-error -file-line-error book >/dev/null \
        || { tail -n 30 book.log; exit 1; }
}
latex
bibtex -terse book
for pass in 1 2 3 4 5; do
    latex
    grep -q 'Rerun to get' book.log || break
done
if grep -E 'undefined|Rerun to get' book.log | grep -v 'infwarerr'; then
    echo "make: LaTeX reports undefined references (above)" >&2
    exit 1
fi
