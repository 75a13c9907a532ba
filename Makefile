# Makefile for "Can AI Understand Music?" -- a literate C book.
#
#   make          install missing Debian packages, tangle, build, run, draw, weave build/book.pdf
#   make check    every test: tangled copies up to date, PDF reproducible, CUnit suites
#                 (ASan+UBSan), hand-derived values of the worked examples (make verify)
#   make verify   one line per worked example: hand value, program value, pass/fail
#   make tangle   refresh the readable copies in src/, tests/, figures/ from the .nw sources
#   make bench    timings on the book's benchmark inputs (never part of check)
#   make clean    remove build/
#
# The codebook section also renders ABC tunes with abc2midi and fluidsynth; the
# WAV files are cached in build/cache/real (shared with the repro build), so
# only the first build pays for them (about 50 s on two cores).
#
# Every generated file goes under $(B).  The build compiles from a fresh tangle
# in $(B)/tangle (with #line directives pointing into the .nw files), never from
# the committed copies in src/, tests/ and figures/; `make check` fails when a
# committed copy differs from a fresh tangle.

SHELL       := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

B        ?= build
NW       := book.nw $(sort $(wildcard chapters/*.nw))
CHAPTERS := $(sort $(wildcard chapters/*.nw))

# One program per section.  Each name N has a root chunk <<src/N.c>>, a test
# root <<tests/test-N.c>>, a table of hand-derived values <<tests/hand-N.tsv>>,
# and writes its numbers to $(B)/tex/macros-N.tex.
PROGRAMS  := perplexity tsne codebook attention mutinfo ib hull
FIGURES   := perplexity-sigma tsne-kernels tsne-crowding tsne-kl tsne-toy tsne-clusters \
             codebook-distortion codebook-map codebook-heatmap \
             attention-maps attention-ablation attention-training \
             dpi-scatter ib-curve ib-beta rate-distortion hull-jazz
DATA      := $(addprefix data/progressions/,blues.txt ragtime.txt bebop.txt) \
             data/select-tunes.awk data/plan-renderings.awk data/render-tune.sh \
             data/tune-macros.awk
SRC_ROOTS := $(PROGRAMS:%=src/%.c)
TST_ROOTS := $(PROGRAMS:%=tests/test-%.c) $(PROGRAMS:%=tests/hand-%.tsv) tests/verify.sh \
             tests/help-check.sh tests/test-support.c \
             tests/tsne-sklearn.py tests/bench-tsne.sh tests/bench-ib.sh
FIG_ROOTS := $(FIGURES:%=figures/%.gp)
# Figures drawn by another figure's script, from the real data set's outputs.
DRAWN     := $(FIGURES) codebook-real-map codebook-real-heatmap
# Every root chunk whose name is a path under one of these directories is a
# file of the project, found by noroots; any other root is a mistake.
ROOTS      := $(shell noroots $(NW) 2>/dev/null \
                | sed -n 's%^<<\(\(src\|tests\|figures\|fuzz\|runs\|data\)/[^>]*\)>>$$%\1%p' | sort)
# Fuzz targets (make fuzz): every root chunk fuzz/fuzz-NAME.c.
FUZZ_ROOTS := $(filter fuzz/fuzz-%.c,$(ROOTS))
FUZZERS    := $(FUZZ_ROOTS:fuzz/fuzz-%.c=%)

CC      ?= cc
WARN    := -std=c11 -Wall -Wextra -Werror -pedantic -ffp-contract=off
CFLAGS  ?= -O2 -g
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
GSL     = $(shell pkg-config --cflags --libs gsl)
CUNIT   = $(shell pkg-config --cflags --libs cunit)
SNDFILE = $(shell pkg-config --cflags --libs sndfile)
# codebook alone links OpenBLAS for its matrix products (k-means distances:
# about 7 times GSL's own CBLAS on this machine), one thread, for determinism.
GSL_OPENBLAS = $(shell pkg-config --cflags gsl) -lgsl \
               $(shell pkg-config --libs openblas 2>/dev/null || echo -lgslcblas) -lm

# Reproducible output: every date in the PDF is the date of the last commit.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 1767225600)
export SOURCE_DATE_EPOCH
export FORCE_SOURCE_DATE := 1
export TZ := UTC
export LC_ALL := C

# ---------------------------------------------------------------------------
# Debian packages.  As root we install what is missing; otherwise we print the
# one apt-get line to run and stop.
DEBS := make gcc pkg-config noweb libgsl-dev libcunit1-dev gnuplot-nox \
        texlive-latex-base texlive-latex-recommended texlive-fonts-recommended \
        texlive-binaries lmodern qhull-bin libsndfile1-dev libopenblas-dev \
        abcmidi abcm2ps fluidsynth fluid-soundfont-gm

.PHONY: all deps tangle check verify bench clean programs figures pdf repro \
        tangle-check unit-tests fuzz fuzz-run fuzz-regressions help-check draft

all: deps
	@$(MAKE) --no-print-directory pdf
	@echo "make: done; the book is $(B)/book.pdf, the programs are in $(B)/bin/"

deps:
	@missing=""; \
	for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -q 'install ok installed' \
	    || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "make: installing Debian packages:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing </dev/null; \
	else \
	  echo "make: these Debian packages are missing:$$missing" >&2; \
	  echo "make: install them with this command, then run make again:" >&2; \
	  echo "    sudo apt-get install --no-install-recommends$$missing" >&2; \
	  exit 1; \
	fi

# ---------------------------------------------------------------------------
# Tangling.  Chunk names are shared across files only within one command line,
# so every root is tangled from all the .nw files at once.
TANGLED := $(ROOTS:%=$(B)/tangle/%)

$(B)/tangle/%.c: $(NW)
	@mkdir -p $(@D)
	notangle -t0 -L -R'$*.c' $(NW) | cpif $@

$(B)/tangle/%: $(NW)
	@mkdir -p $(@D)
	notangle -t0 -R'$*' $(NW) | cpif $@

tangle: $(NW)
	@for r in $(ROOTS); do \
	  mkdir -p "$$(dirname "$$r")"; \
	  notangle -t0 -R"$$r" $(NW) | cpif "$$r"; \
	done
	@echo "make: src/, tests/ and figures/ refreshed from the .nw sources"

tangle-check: $(NW)
	@stale=0; \
	for r in $(ROOTS); do \
	  if ! notangle -t0 -R"$$r" $(NW) | cmp -s - "$$r"; then \
	    echo "check: $$r differs from a fresh tangle of the .nw sources (run make tangle)" >&2; \
	    stale=1; \
	  fi; \
	done; \
	unknown=$$(noroots $(NW) | sed -e 's/^<<//' -e 's/>>$$//' | grep -v -x -F $(ROOTS:%=-e %) || true); \
	if [ -n "$$unknown" ]; then echo "check: root chunks the Makefile does not know: $$unknown" >&2; stale=1; fi; \
	[ $$stale = 0 ] && echo "check: the $(words $(ROOTS)) tangled copies match the .nw sources"

# ---------------------------------------------------------------------------
# Programs: the optimised build for the book, the sanitised build for tests.
programs: $(PROGRAMS:%=$(B)/bin/%)

$(B)/bin/%: $(B)/tangle/src/%.c
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -o $@ $< $(GSL)

$(B)/san/%: $(B)/tangle/src/%.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -O1 -g $(SAN) -o $@ $< $(GSL)

$(B)/san/test-%: $(B)/tangle/tests/test-%.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -O1 -g $(SAN) -o $@ $< $(GSL) $(CUNIT)

$(B)/bin/codebook: $(B)/tangle/src/codebook.c
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -o $@ $< $(GSL_OPENBLAS) $(SNDFILE)

$(B)/san/codebook: $(B)/tangle/src/codebook.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -O1 -g $(SAN) -o $@ $< $(GSL) $(SNDFILE)

$(B)/san/test-codebook: $(B)/tangle/tests/test-codebook.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -O1 -g $(SAN) -o $@ $< $(GSL) $(SNDFILE) $(CUNIT)

# ---------------------------------------------------------------------------
# Running the programs: each writes its macros, its worked-example output and
# its figure data.
$(B)/out/perplexity.stamp: $(B)/bin/perplexity
	@mkdir -p $(B)/out $(B)/tex
	$< --macros $(B)/tex/macros-perplexity.tex --curve $(B)/out/perplexity-curve.dat \
	   --values $(B)/out/perplexity-values.tsv > $(B)/out/perplexity.txt
	@touch $@

$(B)/out/mutinfo.stamp: $(B)/bin/mutinfo
	@mkdir -p $(B)/out $(B)/tex
	$< --macros $(B)/tex/macros-mutinfo.tex --values $(B)/out/mutinfo-values.tsv \
	   > $(B)/out/mutinfo.txt
	$< --chains 2000 --seed 2024 --output $(B)/out/dpi-chains.tsv \
	   --macros $(B)/tex/macros-dpi.tex
	@touch $@

$(B)/out/ib.stamp: $(B)/bin/ib
	@mkdir -p $(B)/out $(B)/tex
	$< --macros $(B)/tex/macros-ib.tex --values $(B)/out/ib-values.tsv \
	   --curve $(B)/out/ib-curve.dat --rd-curve $(B)/out/rd-curve.dat > $(B)/out/ib.txt
	@touch $@

CHORDS := $(DATA:%=$(B)/tangle/%)
$(B)/out/hull.stamp: $(B)/bin/hull $(CHORDS)
	@mkdir -p $(B)/out $(B)/tex
	$< --macros $(B)/tex/macros-hull.tex --figure $(B)/out/hull-figure.dat \
	   --values $(B)/out/hull-values.tsv > $(B)/out/hull.txt
	$< --train-chords $(word 1,$(CHORDS)) --train-chords $(word 2,$(CHORDS)) \
	   --test-chords $(word 3,$(CHORDS)) --table $(B)/tex/hull-bebop.tex \
	   --macros $(B)/tex/macros-hull-chords.tex > $(B)/out/hull-chords.txt
	@touch $@

# The codebook experiment in two steps, so that the measurement can change
# without retraining: training writes the codebook, the codes and chords of the
# held-out clips and a sample of raw frames; the measurement reads them.
CB := $(B)/out/codebook
$(B)/out/codebook-train.stamp: $(B)/bin/codebook
	@mkdir -p $(B)/out $(B)/tex
	OPENBLAS_NUM_THREADS=1 $< --train --seed 2024 --write-codebook $(CB).npy \
	   --write-codes $(CB)-codes.tsv --write-chords $(CB)-chords.tsv \
	   --write-raw $(CB)-raw.tsv --distortion $(CB)-distortion.dat \
	   --wav $(CB)-example.wav --sizes 256,1024 --floors 1e-2,1e-6 --windows 4096,8192 \
	   --macros $(B)/tex/macros-codebook-train.tex
	@touch $@

$(B)/out/codebook.stamp: $(B)/bin/codebook $(B)/out/codebook-train.stamp
	@mkdir -p $(B)/out $(B)/tex
	$< --macros $(B)/tex/macros-codebook-example.tex --values $(B)/out/codebook-values.tsv \
	   > $(B)/out/codebook.txt
	OPENBLAS_NUM_THREADS=1 $< --codebook $(CB).npy --codes $(CB)-codes.tsv \
	   --chords $(CB)-chords.tsv --raw $(CB)-raw.tsv --map $(CB)-map.dat \
	   --heatmap $(CB)-heatmap.dat --macros $(B)/tex/macros-codebook.tex
	@touch $@

# The real data set of the codebook experiment: ABC tunes from Debian's abcmidi
# and abcm2ps examples and from data/tunes, chosen by data/select-tunes.awk,
# planned (transpositions, split by tune) by data/plan-renderings.awk, and
# rendered by abc2midi + fluidsynth through data/render-tune.sh, two at a time.
# The WAV files are cached in $(RC), keyed by the transposed tune and the tools'
# versions, and shared by every build directory (the repro build included); the
# list of recordings, the training run and the measurement are redone in each.
RC         := build/cache/real
REAL_TUNES := $(sort $(wildcard data/tunes/*.abc))
PKG_TUNES   = $(sort $(wildcard /usr/share/doc/abcmidi/examples/*.abc \
                                /usr/share/doc/abcm2ps/examples/*.abc))
CBR        := $(B)/out/codebook-real
$(B)/out/real-selection.tsv: $(B)/tangle/data/select-tunes.awk $(REAL_TUNES) $(PKG_TUNES)
	@rm -rf $(B)/out/real-tunes && mkdir -p $(B)/out/real-tunes
	awk -v out=$(B)/out/real-tunes -f $< $(PKG_TUNES) > $(B)/out/real-selection-packages.tsv
	awk -v out=$(B)/out/real-tunes -f $< $(REAL_TUNES) > $(B)/out/real-selection-added.tsv
	cat $(B)/out/real-selection-packages.tsv $(B)/out/real-selection-added.tsv > $@

$(B)/out/real-plan.tsv: $(B)/tangle/data/plan-renderings.awk $(B)/out/real-selection.tsv
	awk -f $^ > $@

$(B)/tex/macros-codebook-real-tunes.tex: $(B)/tangle/data/tune-macros.awk \
                                         $(B)/out/real-selection.tsv $(B)/out/real-plan.tsv
	@mkdir -p $(@D)
	awk -F'\t' -f $< $(B)/out/real-selection-packages.tsv \
	  $(B)/out/real-selection-added.tsv $(B)/out/real-plan.tsv > $@

$(B)/out/real-wavs.tsv: $(B)/out/real-plan.tsv $(B)/tangle/data/render-tune.sh $(B)/bin/codebook
	@mkdir -p $(RC)
	@echo "make: rendering $$(wc -l < $<) transposed tunes with abc2midi and fluidsynth (cached in $(RC))" >&2
	awk -F'\t' -v d=$(B)/out/real-tunes '{ print d "/" $$1 ".abc", $$3 }' $< \
	  | xargs -P 2 -L 1 sh $(B)/tangle/data/render-tune.sh $(RC) > $@.paths
	while IFS=$$'\t' read -r tune key n split; do \
	  wav=$$(awk -F'\t' -v t="$$tune" -v n="$$n" '$$1 == t && $$2 == n { print $$3 }' $@.paths); \
	  label=$$($(B)/bin/codebook --transpose "$$key,$$n"); \
	  printf '%s\t%s\t%s%s\t%s\n' "$$wav" "$$label" "$$tune" \
	    "$$( [ "$$n" -ge 0 ] && echo "+$$n" || echo "$$n" )" "$$split"; \
	done < $< > $@.tmp
	rm -f $@.paths
	mv $@.tmp $@

$(B)/out/codebook-real-train.stamp: $(B)/bin/codebook $(B)/out/real-wavs.tsv
	@mkdir -p $(B)/out $(B)/tex
	OPENBLAS_NUM_THREADS=1 $< --train --seed 2024 --wavs $(B)/out/real-wavs.tsv \
	   --clips-per-wav 6 --write-codebook $(CBR).npy --write-codes $(CBR)-codes.tsv \
	   --write-raw $(CBR)-raw.tsv --distortion $(CBR)-distortion.dat --sizes 256,1024 \
	   --key-table $(B)/tex/codebook-real-keys.tex --macro-prefix CbReal \
	   --macros $(B)/tex/macros-codebook-real-train.tex
	@touch $@

$(B)/out/codebook-real.stamp: $(B)/bin/codebook $(B)/out/codebook-real-train.stamp \
                              $(B)/tex/macros-codebook-real-tunes.tex
	OPENBLAS_NUM_THREADS=1 $< --codebook $(CBR).npy --codes $(CBR)-codes.tsv \
	   --raw $(CBR)-raw.tsv --map $(CBR)-map.dat --heatmap $(CBR)-heatmap.dat \
	   --macro-prefix CbReal --macros $(B)/tex/macros-codebook-real.tex
	@touch $@

# Figures: gnuplot's cairolatex terminal, so labels are set in the book's fonts.
figures: $(DRAWN:%=$(B)/fig/%.tex)

$(B)/out/tsne.stamp: $(B)/bin/tsne
	@mkdir -p $(B)/out $(B)/tex
	$< --macros $(B)/tex/macros-tsne.tex --values $(B)/out/tsne-values.tsv \
	   --kernel $(B)/out/tsne-kernels.dat --crowding $(B)/out/tsne-crowding.dat \
	   --toy $(B)/out/tsne-toy.dat > $(B)/out/tsne.txt
	$< --make-clusters $(B)/out/clusters.tsv --labels $(B)/out/clusters-labels.tsv \
	   --seed 2024
	$< --input $(B)/out/clusters.tsv --perplexity 30 --trustworthiness 10 \
	   --trace $(B)/out/tsne-kl.dat --trace-every 10 --quiet \
	   --macros $(B)/tex/macros-tsne-run.tex --output $(B)/out/clusters-map.tsv
	paste $(B)/out/clusters-map.tsv $(B)/out/clusters-labels.tsv > $(B)/out/tsne-clusters.dat
	@touch $@

$(B)/fig/perplexity-sigma.tex: $(B)/tangle/figures/perplexity-sigma.gp $(B)/out/perplexity.stamp
	@mkdir -p $(@D)
	cd $(@D) && gnuplot -e "datafile='$(abspath $(B))/out/perplexity-curve.dat'" \
	  $(abspath $<)

$(B)/fig/dpi-scatter.tex: $(B)/tangle/figures/dpi-scatter.gp $(B)/out/mutinfo.stamp
	@mkdir -p $(@D)
	cd $(@D) && gnuplot -e "datafile='$(abspath $(B))/out/dpi-chains.tsv'" $(abspath $<)

$(B)/fig/ib-curve.tex $(B)/fig/ib-beta.tex: $(B)/fig/%.tex: $(B)/tangle/figures/%.gp \
                                               $(B)/out/ib.stamp
	@mkdir -p $(@D)
	cd $(@D) && gnuplot -e "datafile='$(abspath $(B))/out/ib-curve.dat'" $(abspath $<)

$(B)/fig/rate-distortion.tex: $(B)/tangle/figures/rate-distortion.gp $(B)/out/ib.stamp
	@mkdir -p $(@D)
	cd $(@D) && gnuplot -e "datafile='$(abspath $(B))/out/rd-curve.dat'" $(abspath $<)

$(B)/fig/hull-jazz.tex: $(B)/tangle/figures/hull-jazz.gp $(B)/out/hull.stamp
	@mkdir -p $(@D)
	cd $(@D) && gnuplot -e "datafile='$(abspath $(B))/out/hull-figure.dat'" $(abspath $<)

$(B)/fig/codebook-real-%.tex: $(B)/tangle/figures/codebook-%.gp $(B)/out/codebook-real.stamp
	@mkdir -p $(@D)
	cd $(@D) && gnuplot -e "datafile='$(abspath $(B))/out/codebook-real-$*.dat'" \
	  -e "name='codebook-real-$*'" $(abspath $<)

$(B)/fig/codebook-%.tex: $(B)/tangle/figures/codebook-%.gp $(B)/out/codebook.stamp
	@mkdir -p $(@D)
	cd $(@D) && gnuplot -e "datafile='$(abspath $(B))/out/codebook-$*.dat'" $(abspath $<)

$(B)/fig/tsne-%.tex: $(B)/tangle/figures/tsne-%.gp $(B)/out/tsne.stamp
	@mkdir -p $(@D)
	cd $(@D) && gnuplot -e "datafile='$(abspath $(B))/out/tsne-$*.dat'" $(abspath $<)

# Attention (23.4): the training runs are cached under $(B)/cache, keyed by the
# program's source (without #line directives) and the training options, so
# that editing prose never retrains.  Run 1 is the one analysed in detail.
ATTN_RUNS  := 1 2 3 4 5
ATTN_TRAIN := --steps 1600 --quiet
$(B)/out/attention.stamp: $(B)/bin/attention
	@mkdir -p $(B)/out $(B)/tex $(B)/cache
	$< --macros $(B)/tex/macros-attention.tex --values $(B)/out/attention-values.tsv \
	   > $(B)/out/attention.txt
	key=$$( { grep -v '^#line' $(B)/tangle/src/attention.c; echo '$(ATTN_TRAIN)'; } \
	        | sha256sum | cut -c1-16 ); c=$(B)/cache/attention-$$key; \
	if [ ! -f $$c/done ]; then \
	  rm -rf $(B)/cache/attention-* && mkdir -p $$c; \
	  for s in $(ATTN_RUNS); do \
	    $< train $(ATTN_TRAIN) --seed $$s -o $$c/run-$$s.ck --trace $$c/run-$$s.tsv; \
	  done; touch $$c/done; \
	fi; \
	$< analyse -c $$c/run-1.ck $(ATTN_RUNS:%=--trace $$c/run-%.tsv) \
	   --macros $(B)/tex/macros-attention-run.tex \
	   --ablation $(B)/out/attention-ablation.dat --maps $(B)/out/attention-maps.dat \
	   --curves $(B)/out/attention-training.dat > $(B)/out/attention-analysis.txt; \
	$< sample --count 3 --seed 3 > $(B)/out/attention-samples-generator.txt; \
	$< sample -c $$c/run-1.ck --count 3 --seed 3 > $(B)/out/attention-samples-model.txt
	@touch $@

$(B)/fig/attention-%.tex: $(B)/tangle/figures/attention-%.gp $(B)/out/attention.stamp
	@mkdir -p $(@D)
	cd $(@D) && gnuplot -e "datafile='$(abspath $(B))/out/attention-$*.dat'" $(abspath $<)

# ---------------------------------------------------------------------------
# Weaving.  All the .nw files go through one noweave run (so the chunk and
# identifier indexes span the book); scopehack writes one .tex per .nw file.
$(B)/weave/book.tex: $(NW)
	@rm -rf $(B)/weave && mkdir -p $(B)/weave/chapters
	cp $(NW) --parents $(B)/weave/
	cd $(B)/weave && noweave -n -delay -index -t8 -backend /usr/lib/noweb/scopehack $(NW)

LATEX_ENV = TEXINPUTS=.:$(abspath $(B))/tex:$(abspath $(B))/fig:$(abspath $(B))/out:: \
            BIBINPUTS=$(abspath chapters):
LATEX     = $(LATEX_ENV) pdflatex -interaction=nonstopmode -halt-on-error -file-line-error

pdf: $(B)/book.pdf

# The PDF's dates come from SOURCE_DATE_EPOCH, so the PDF is remade when it
# changes (a new commit); cpif leaves the file alone when the value is the same.
$(B)/epoch: FORCE
	@mkdir -p $(@D)
	@echo '$(SOURCE_DATE_EPOCH)' | cpif $@

.PHONY: FORCE
FORCE:

$(B)/book.pdf: $(B)/epoch $(B)/weave/book.tex chapters/book.bib $(PROGRAMS:%=$(B)/out/%.stamp) \
               $(B)/out/codebook-real.stamp \
               $(DRAWN:%=$(B)/fig/%.tex)
	$(run-latex)
	cp $(B)/weave/book.pdf $@

# A draft: the text woven again and typeset with whatever results the build
# directory already holds, without running any program (for writing).
draft: $(B)/weave/book.tex
	$(run-latex)
	@echo "make: draft in $(B)/weave/book.pdf (results not refreshed)"

define run-latex
	cd $(B)/weave && { $(LATEX) book >/dev/null || { tail -n 30 book.log; exit 1; }; }
	cd $(B)/weave && $(LATEX_ENV) bibtex -terse book
	@# Run LaTeX until the cross-references settle (noweb's page references
	@# move as the indexes grow), at most five more times.
	cd $(B)/weave && for pass in 1 2 3 4 5; do \
	  $(LATEX) book >/dev/null || { tail -n 30 book.log; exit 1; }; \
	  grep -q 'Rerun to get' book.log || break; \
	done
	@if grep -E 'undefined|Rerun to get' $(B)/weave/book.log | grep -v 'infwarerr' ; then \
	  echo "make: LaTeX reports undefined references (above)" >&2; exit 1; fi
endef

# ---------------------------------------------------------------------------
# Checking.
TESTS := $(PROGRAMS:%=$(B)/san/test-%) $(PROGRAMS:%=$(B)/san/%)

check: deps tangle-check
	@$(MAKE) --no-print-directory repro
	@$(MAKE) --no-print-directory unit-tests
	@$(MAKE) --no-print-directory help-check
	@$(MAKE) --no-print-directory fuzz-regressions
	@echo "check: every worked example against its hand derivation (make verify)"
	@$(MAKE) --no-print-directory -s verify | awk '$$NF == "FAIL" { print; bad = 1 } 	  END { if (bad) exit 1; print "check: " NR - 1 " hand-derived values agree" }'

unit-tests: $(TESTS) $(B)/san/test-support $(B)/tangle/tests/tsne-sklearn.py
	@echo "check: CUnit suite of the shared code (AddressSanitizer + UndefinedBehaviorSanitizer)"
	@$(B)/san/test-support
	@for p in $(PROGRAMS); do \
	  echo "check: CUnit suite of $$p (AddressSanitizer + UndefinedBehaviorSanitizer)"; \
	  d=$$(mktemp -d); \
	  PROGRAM=$(abspath $(B))/san/$$p TESTDIR=$$d $(B)/san/test-$$p || { rm -rf "$$d"; exit 1; }; \
	  rm -rf "$$d"; \
	done

# Two clean builds of the PDF must agree byte for byte.
repro: $(B)/book.pdf
	@rm -rf $(B)/repro
	@$(MAKE) --no-print-directory B=$(B)/repro pdf >/dev/null
	@if cmp -s $(B)/book.pdf $(B)/repro/book.pdf; then \
	  echo "check: two clean builds give byte-identical PDFs"; \
	else echo "check: the PDF is not reproducible ($(B)/book.pdf vs $(B)/repro/book.pdf)" >&2; exit 1; fi

# Every long option a program parses is named by its --help.
help-check: $(B)/tangle/tests/help-check.sh $(PROGRAMS:%=$(B)/bin/%)
	@bash $< $(B)/tangle/src $(B)/bin $(filter-out attention,$(PROGRAMS)) attention=train,analyse,sample

# Fuzzing.  make fuzz runs every target for FUZZ_TIME seconds (FUZZ_RUNS
# executions, when set, instead) from its corpus tests/fuzz-NAME/; new inputs
# go to $(B)/fuzz/corpus-NAME, failures to $(B)/fuzz/NAME-crash-*.  make check
# runs the committed corpus (valid seeds and inputs that once failed) through
# the same targets built by $(CC) with the sanitizers.
FUZZ_TIME ?= 20
FUZZ_RUNS ?=
FUZZ_CC   ?= clang
FUZZ_FLAGS = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_TIME))
FUZZ_LIBS  = $(GSL) $(SNDFILE)

$(B)/fuzz/%: $(B)/tangle/fuzz/fuzz-%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(WARN) -Wno-unused-function -O1 -g -DLIBFUZZER \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $< $(FUZZ_LIBS)

$(B)/san/fuzz-%: $(B)/tangle/fuzz/fuzz-%.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -Wno-unused-function -O1 -g $(SAN) -o $@ $< $(FUZZ_LIBS)

# clang and its libFuzzer runtime, needed by make fuzz only.
FUZZ_DEBS := clang libclang-rt-14-dev

fuzz: deps
	@$(MAKE) --no-print-directory deps DEBS="$(FUZZ_DEBS)"
	@$(MAKE) --no-print-directory fuzz-run

fuzz-run: $(FUZZERS:%=$(B)/fuzz/%)
	@for f in $(FUZZERS); do \
	  mkdir -p $(B)/fuzz/corpus-$$f; \
	  echo "fuzz: $$f ($(FUZZ_FLAGS))"; \
	  $(B)/fuzz/$$f $(FUZZ_FLAGS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(B)/fuzz/$$f-crash- $(B)/fuzz/corpus-$$f tests/fuzz-$$f \
	    > $(B)/fuzz/$$f.log 2>&1 || { tail -n 40 $(B)/fuzz/$$f.log; \
	      echo "fuzz: $$f failed; the input is $(B)/fuzz/$$f-crash-*" >&2; exit 1; }; \
	  awk '/stat::number_of_executed_units/ { n = $$2 } /stat::peak_rss_mb/ { m = $$2 } \
	       /Done [0-9]+ runs in/ { t = $$(NF - 1) } \
	       END { printf "fuzz: %s: %d executions in %s s, peak %s MB, no failure\n", \
	             "'$$f'", n, t, m }' $(B)/fuzz/$$f.log; \
	done

fuzz-regressions: $(FUZZERS:%=$(B)/san/fuzz-%)
	@for f in $(FUZZERS); do \
	  n=$$(ls tests/fuzz-$$f | wc -l); \
	  $(B)/san/fuzz-$$f tests/fuzz-$$f/* || { echo "check: fuzz target $$f failed" >&2; exit 1; }; \
	  echo "check: fuzz target $$f: the $$n inputs of tests/fuzz-$$f pass"; \
	done

verify: $(B)/tangle/tests/verify.sh $(PROGRAMS:%=$(B)/tangle/tests/hand-%.tsv) \
        $(PROGRAMS:%=$(B)/out/%.stamp)
	@bash $< $(B)/tangle/tests $(B)/out

bench: $(B)/bin/perplexity $(B)/out/tsne.stamp $(B)/tangle/tests/bench-tsne.sh \
       $(B)/tangle/tests/tsne-sklearn.py $(B)/bin/ib $(B)/tangle/tests/bench-ib.sh
	@bash -c 'set -eu; d=$$(mktemp -d); trap "rm -rf $$d" EXIT; \
	  awk -v n=2048 -v dim=128 "BEGIN{srand(1); for(i=0;i<n;i++){c=i%24; \
	    for(j=0;j<dim;j++) printf \"%.6f%s\", (c*7+j)%13 + rand(), (j<dim-1?\"\\t\":\"\\n\")}}" > $$d/x.tsv; \
	  echo "bench: perplexity, N = 2048 points in D = 128, perplexity 30, P written as TSV"; \
	  /usr/bin/time -f "bench: %e s elapsed, %M KiB peak memory" \
	    $(B)/bin/perplexity --input $$d/x.tsv --perplexity 30 --output $$d/p.tsv'
	@bash $(B)/tangle/tests/bench-tsne.sh $(B) $(B)/tangle/tests/tsne-sklearn.py
	@bash $(B)/tangle/tests/bench-ib.sh $(B)

clean:
	rm -rf $(B)
