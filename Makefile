# Makefile for "Can AI Understand Music?" -- a literate C book.
#
#   make          install missing Debian packages, tangle, build, run, draw, weave build/book.pdf
#   make check    every test: tangled copies up to date, PDF reproducible, CUnit suites
#                 (ASan+UBSan), --help, fuzz corpora, hand-derived values (make verify)
#   make verify   one line per worked example: hand value, program value, pass/fail
#   make tangle   refresh the readable copies in src/, tests/, figures/, ... from the .nw sources
#   make draft    re-weave and typeset with the results already in $(B) (for writing)
#   make bench    timings on the book's benchmark inputs (never part of check)
#   make fuzz     libFuzzer on every reader (never part of check)
#   make clean    remove $(B)
#
# What the programs are run with lives in the book, not here: each run is a
# script runs/NAME.sh in its program's chapter (part II), and the loops of the
# build are scripts in tools/ (chapter P8, "The build").  This file says only
# what depends on what.  Every generated file goes under $(B); the build
# compiles fresh tangles in $(B)/tangle (with #line directives), never the
# committed copies, and `make check` fails when a committed copy is stale.

SHELL       := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

B        ?= build
NW       := book.nw $(sort $(wildcard chapters/*.nw))
PROGRAMS := perplexity tsne codebook attention mutinfo ib hull

# Every root chunk named by a path under these directories is a file of the
# project; the figures, runs and fuzz targets are found among them.
ROOTS    := $(shell noroots $(NW) 2>/dev/null | \
              sed -n 's%^<<\(\(src\|tests\|figures\|fuzz\|runs\|tools\|data\)/[^>]*\)>>$$%\1%p' | sort)
FIGURES  := $(patsubst figures/%.gp,%,$(filter figures/%.gp,$(ROOTS)))
RUNS     := $(patsubst runs/%.sh,%,$(filter runs/%.sh,$(ROOTS)))
FUZZERS  := $(patsubst fuzz/fuzz-%.c,%,$(filter fuzz/fuzz-%.c,$(ROOTS)))
T        := $(B)/tangle
STAMPS   := $(RUNS:%=$(B)/out/%.stamp)

CC      ?= cc
WARN    := -std=c11 -Wall -Wextra -Werror -pedantic -ffp-contract=off
CFLAGS  ?= -O2 -g
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
GSL      = $(shell pkg-config --cflags --libs gsl)
CUNIT    = $(shell pkg-config --cflags --libs cunit)
SNDFILE  = $(shell pkg-config --cflags --libs sndfile)
# codebook's optimised build links OpenBLAS for its matrix products (k-means
# distances: about 7 times GSL's own CBLAS here), one thread, for determinism.
OPENBLAS = $(shell pkg-config --cflags gsl) -lgsl \
           $(shell pkg-config --libs openblas 2>/dev/null || echo -lgslcblas) -lm
LIBS     = $(GSL)
$(B)/bin/codebook:                     LIBS = $(OPENBLAS) $(SNDFILE)
$(B)/san/codebook $(B)/fuzz/% $(B)/san/fuzz-%: LIBS = $(GSL) $(SNDFILE)
$(B)/san/test-%:                       LIBS = $(GSL) $(CUNIT)
$(B)/san/test-codebook:                LIBS = $(GSL) $(SNDFILE) $(CUNIT)

# Reproducible output: every date in the PDF is the date of the last commit.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 1767225600)
export SOURCE_DATE_EPOCH
export FORCE_SOURCE_DATE := 1
export TZ := UTC
export LC_ALL := C
export OPENBLAS_NUM_THREADS := 1

DEBS := make gcc pkg-config noweb libgsl-dev libcunit1-dev gnuplot-nox \
        texlive-latex-base texlive-latex-recommended texlive-fonts-recommended \
        texlive-binaries lmodern qhull-bin libsndfile1-dev libopenblas-dev \
        abcmidi abcm2ps fluidsynth fluid-soundfont-gm
FUZZ_DEBS := clang libclang-rt-14-dev

.PHONY: all deps tangle tangle-check check verify bench clean programs figures pdf draft \
        repro unit-tests help-check fuzz fuzz-run fuzz-regressions FORCE

all: deps
	@$(MAKE) --no-print-directory pdf
	@echo "make: done; the book is $(B)/book.pdf, the programs are in $(B)/bin/"

# The committed copy: this runs before noweb may be installed.
deps:
	@bash tools/deps.sh $(DEBS)

# ---------------------------------------------------------------------------
# Tangling.  Chunk names are shared across files only within one command
# line, so every root is tangled from all the .nw files at once.
$(T)/%.c: $(NW)
	@mkdir -p $(@D)
	notangle -t0 -L -R'$*.c' $(NW) | cpif $@

$(T)/%: $(NW)
	@mkdir -p $(@D)
	notangle -t0 -R'$*' $(NW) | cpif $@

TANGLE = bash $(T)/tools/tangle.sh
tangle: $(T)/tools/tangle.sh $(T)/tools/chunk-comments.awk
	@$(TANGLE) write $(T)/tools/chunk-comments.awk '$(ROOTS)' $(NW)
	@echo "make: the copies in src/, tests/, figures/, ... refreshed from the .nw sources"

tangle-check: $(T)/tools/tangle.sh $(T)/tools/chunk-comments.awk
	@SYNTAX_FLAGS="$$(pkg-config --cflags gsl cunit sndfile)" \
	  $(TANGLE) check $(T)/tools/chunk-comments.awk '$(ROOTS)' $(NW)

# ---------------------------------------------------------------------------
# Programs: the optimised build for the book, the sanitised build for tests.
programs: $(PROGRAMS:%=$(B)/bin/%)

$(B)/bin/%: $(T)/src/%.c
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -o $@ $< $(LIBS)

$(B)/san/%: $(T)/src/%.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -O1 -g $(SAN) -o $@ $< $(LIBS)

$(B)/san/test-%: $(T)/tests/test-%.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -O1 -g $(SAN) -o $@ $< $(LIBS)

$(B)/san/fuzz-%: $(T)/fuzz/fuzz-%.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -Wno-unused-function -O1 -g $(SAN) -o $@ $< $(LIBS)

$(B)/fuzz/%: $(T)/fuzz/fuzz-%.c
	@mkdir -p $(@D)
	clang $(WARN) -Wno-unused-function -O1 -g -DLIBFUZZER \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $< $(LIBS)

# ---------------------------------------------------------------------------
# The book's runs.  Each script writes its macros to $(B)/tex and its outputs
# and figure data to $(B)/out; the stamp records that it ran.  Below, what
# each run reads besides its script.
$(B)/out/%.stamp: $(T)/runs/%.sh
	@mkdir -p $(B)/out $(B)/tex $(B)/cache
	bash $< $(B)
	@touch $@

$(B)/out/perplexity.stamp:       $(B)/bin/perplexity
$(B)/out/tsne.stamp:             $(B)/bin/tsne
$(B)/out/mutinfo.stamp:          $(B)/bin/mutinfo
$(B)/out/ib.stamp:               $(B)/bin/ib
$(B)/out/hull.stamp:             $(B)/bin/hull $(filter $(T)/data/progressions/%,$(ROOTS:%=$(T)/%))
$(B)/out/attention.stamp:        $(B)/bin/attention
$(B)/out/codebook-train.stamp:   $(B)/bin/codebook
$(B)/out/codebook.stamp:         $(B)/bin/codebook $(B)/out/codebook-train.stamp
# The rendered tunes: the ABC files of Debian's abcmidi and abcm2ps examples
# and of data/tunes; the WAV files are cached in build/cache/real (shared by
# every build directory, the repro build's included).
TUNES = $(sort $(wildcard data/tunes/*.abc /usr/share/doc/abcmidi/examples/*.abc \
                          /usr/share/doc/abcm2ps/examples/*.abc))
$(B)/out/codebook-real-data.stamp:  $(B)/bin/codebook $(TUNES) \
                                    $(filter $(T)/data/%.awk $(T)/data/%.sh,$(ROOTS:%=$(T)/%))
$(B)/out/codebook-real-train.stamp: $(B)/bin/codebook $(B)/out/codebook-real-data.stamp
$(B)/out/codebook-real.stamp:       $(B)/bin/codebook $(B)/out/codebook-real-train.stamp

# Figures: gnuplot's cairolatex terminal, so labels are set in the book's
# fonts.  A script finds its data in outdir, and scripts it loads in figdir.
figures: $(FIGURES:%=$(B)/fig/%.tex)

$(B)/fig/%.tex: $(T)/figures/%.gp $(filter $(T)/figures/%,$(ROOTS:%=$(T)/%)) $(STAMPS)
	@mkdir -p $(@D)
	cd $(@D) && gnuplot -e "outdir='$(abspath $(B))/out/'" \
	  -e "figdir='$(abspath $(T))/figures/'" $(abspath $<)

# ---------------------------------------------------------------------------
# Weaving: all the .nw files in one pipeline (so that the indexes span the
# book), with uses inside comments and strings dropped from the index;
# scopehack writes one .tex per .nw file.
NOWEB := /usr/lib/noweb
$(B)/weave/book.tex: $(NW) $(T)/tools/uses-in-code.awk
	@rm -rf $(B)/weave && mkdir -p $(B)/weave/chapters
	cp $(NW) --parents $(B)/weave/
	cd $(B)/weave && $(NOWEB)/markup -t8 $(NW) | $(NOWEB)/finduses \
	  | awk -f $(abspath $(T))/tools/uses-in-code.awk | $(NOWEB)/noidx -delay \
	  | $(NOWEB)/scopehack -delay

TYPESET = TEXINPUTS=.:$(abspath $(B))/tex:$(abspath $(B))/fig:$(abspath $(B))/out:: \
          BIBINPUTS=$(abspath chapters): bash $(abspath $(T))/tools/typeset.sh

pdf: $(B)/book.pdf

# The PDF's dates come from SOURCE_DATE_EPOCH, so the PDF is remade when it
# changes (a new commit); cpif leaves the file alone when the value is the same.
$(B)/epoch: FORCE
	@mkdir -p $(@D)
	@echo '$(SOURCE_DATE_EPOCH)' | cpif $@
FORCE:

$(B)/book.pdf: $(B)/epoch $(B)/weave/book.tex $(T)/tools/typeset.sh chapters/book.bib \
               $(STAMPS) $(FIGURES:%=$(B)/fig/%.tex)
	$(TYPESET) $(B)/weave
	cp $(B)/weave/book.pdf $@

draft: $(B)/weave/book.tex $(T)/tools/typeset.sh
	$(TYPESET) $(B)/weave
	@echo "make: draft in $(B)/weave/book.pdf (results not refreshed)"

# ---------------------------------------------------------------------------
# Checking.
check: deps tangle-check
	@$(MAKE) --no-print-directory repro
	@$(MAKE) --no-print-directory unit-tests
	@$(MAKE) --no-print-directory help-check
	@$(MAKE) --no-print-directory fuzz-regressions
	@echo "check: every worked example against its hand derivation (make verify)"
	@$(MAKE) --no-print-directory -s verify | awk '$$NF == "FAIL" { print; bad = 1 } \
	  END { if (bad) exit 1; print "check: " NR - 1 " hand-derived values agree" }'

unit-tests: $(T)/tools/unit-tests.sh $(B)/san/test-support \
            $(PROGRAMS:%=$(B)/san/test-%) $(PROGRAMS:%=$(B)/san/%) $(T)/tests/tsne-sklearn.py
	@bash $< $(B) $(PROGRAMS)

# Two clean builds of the PDF must agree byte for byte.
repro: $(B)/book.pdf
	@rm -rf $(B)/repro
	@$(MAKE) --no-print-directory B=$(B)/repro pdf >/dev/null
	@cmp -s $(B)/book.pdf $(B)/repro/book.pdf \
	  || { echo "check: the PDF is not reproducible ($(B)/repro/book.pdf differs)" >&2; exit 1; }
	@echo "check: two clean builds give byte-identical PDFs"

help-check: $(T)/tests/help-check.sh $(PROGRAMS:%=$(B)/bin/%)
	@bash $< $(T)/src $(B)/bin $(filter-out attention codebook,$(PROGRAMS)) \
	  attention=train,analyse,sample codebook=synthesise,train,measure,transpose

verify: $(T)/tests/verify.sh $(PROGRAMS:%=$(T)/tests/hand-%.tsv) $(STAMPS)
	@bash $< $(T)/tests $(B)/out

# make fuzz runs every target for FUZZ_TIME seconds (FUZZ_RUNS executions,
# when set, instead); new inputs go to $(B)/fuzz/corpus-NAME, failures to
# $(B)/fuzz/NAME-crash-*.  make check replays the committed corpora.
FUZZ_TIME ?= 20
FUZZ_RUNS ?=
fuzz: deps
	@bash tools/deps.sh $(FUZZ_DEBS)
	@$(MAKE) --no-print-directory fuzz-run

fuzz-run: $(T)/tools/fuzz.sh $(FUZZERS:%=$(B)/fuzz/%)
	@bash $< run $(B) '$(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_TIME))' $(FUZZERS)

fuzz-regressions: $(T)/tools/fuzz.sh $(FUZZERS:%=$(B)/san/fuzz-%)
	@bash $< replay $(B) $(FUZZERS)

bench: $(B)/bin/perplexity $(B)/bin/ib $(B)/out/tsne.stamp \
       $(filter $(T)/tests/bench-% $(T)/tests/tsne-sklearn.py,$(ROOTS:%=$(T)/%))
	@bash $(T)/tests/bench-perplexity.sh $(B)
	@bash $(T)/tests/bench-tsne.sh $(B) $(T)/tests/tsne-sklearn.py
	@bash $(T)/tests/bench-ib.sh $(B)

clean:
	rm -rf $(B)
