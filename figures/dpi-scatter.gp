# dpi-scatter.gp -- Figure "the data-processing inequality on random chains".
# Tangled from chapters/p5-mutinfo.nw.  Usage, in the figure directory:
#   gnuplot -e "outdir='/abs/build/out/'" -e "figdir='/abs/build/tangle/figures/'" \
#       dpi-scatter.gp
# (or -e "datafile='build/out/dpi-chains.tsv'").
if (!exists("datafile")) datafile = outdir.'dpi-chains.tsv'
set terminal cairolatex pdf size 9cm,8cm
set output 'dpi-scatter.tex'
set size ratio -1
set xlabel '$I(X;Y)$ (bits)'
set ylabel '$I(X;Z)$ (bits)'
set key top left Left reverse samplen 1
set xrange [0:*]
set yrange [0:*]
plot datafile using 5:($4 == 0 ? $6 : 1/0) with points pt 6 ps 0.35 \
        lc rgb '#1f4e79' \
        title 'random second channel', \
     datafile using 5:($4 == 1 ? $6 : 1/0) with points pt 2 ps 0.5 lc rgb '#c0392b' \
        title 'permutation', \
     x with lines dt 2 lw 2 lc rgb '#555555' title '$I(X;Z) = I(X;Y)$'
