# rate-distortion.gp -- Figure "the rate-distortion function of worked
# example 23.6B".  Tangled from chapters/p6-ib.nw.  Usage, in the figure
# directory:
#   gnuplot -e "outdir='/abs/build/out/'" -e "figdir='/abs/build/tangle/figures/'" \
#       rate-distortion.gp
# (or -e "datafile='build/out/rd-curve.dat'").
if (!exists("datafile")) datafile = outdir.'rd-curve.dat'
set terminal cairolatex pdf size 9cm,6cm
set output 'rate-distortion.tex'
set xlabel 'distortion $D$'
set ylabel 'rate $R$ (bits)'
set xrange [0:0.25]
set yrange [0:0.9]
set key at graph 0.95, graph 0.85 Left reverse samplen 2
plot datafile index 0 using 1:2 with lines lw 3 lc rgb '#9ab3cf' \
        title '$h(p) - h(D)$', \
     datafile index 1 using 2:3 with points pt 7 ps 0.5 lc rgb '#1f4e79' \
        title 'Blahut--Arimoto'
