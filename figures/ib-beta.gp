# ib-beta.gp -- Figure "the two informations of Example 23.2 against beta".
# Tangled from chapters/p6-ib.nw.  Usage, in the figure directory:
#   gnuplot -e "outdir='/abs/build/out/'" -e "figdir='/abs/build/tangle/figures/'" \
#       ib-beta.gp
# (or -e "datafile='build/out/ib-curve.dat'").
if (!exists("datafile")) datafile = outdir.'ib-curve.dat'
set terminal cairolatex pdf size 11cm,6.5cm
set output 'ib-beta.tex'
set logscale x
set autoscale xfixmax
set xrange [1:*]
set yrange [0:8]
set xlabel '$\beta$'
set ylabel 'bits'
set key at graph 0.95, graph 0.3 Left reverse samplen 2
plot datafile index 0 using 1:2 with linespoints pt 7 ps 0.3 lc rgb '#1f4e79' \
        title '$I(X;T)$', \
     datafile index 0 using 1:3 with linespoints pt 5 ps 0.3 lc rgb '#c0392b' \
        title '$I(T;Y)$', \
     datafile index 4 using 1:2 with lines dt 2 lw 2 lc rgb '#555555' \
        title '$\beta_c = 1/\rho^2$'
