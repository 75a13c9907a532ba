# ib-curve.gp -- Figure "the information plane of Example 23.2".
# Tangled from chapters/p6-ib.nw.  Usage, in the figure directory:
#   gnuplot -e "outdir='/abs/build/out/'" -e "figdir='/abs/build/tangle/figures/'" \
#       ib-curve.gp
# (or -e "datafile='build/out/ib-curve.dat'").
if (!exists("datafile")) datafile = outdir.'ib-curve.dat'
set terminal cairolatex pdf size 15cm,9cm
set output 'ib-curve.tex'
stats datafile index 1 using 2 nooutput
Ixy = STATS_max
set multiplot
set origin 0, 0
set size 0.62, 1
set xlabel '$I(X;T)$ (bits)'
set ylabel '$I(T;Y)$ (bits)'
set xrange [0:11]
set yrange [0:Ixy + 0.8]
set bmargin at screen 0.32
set tmargin at screen 0.93
set key at screen 0.5, screen 0.11 center center vertical maxrows 3 Left reverse \
    samplen 2 width 1
plot datafile index 1 using 1:2 with lines lw 3 lc rgb '#9ab3cf' \
        title 'closed form $F$', \
     Ixy with lines dt 2 lw 2 lc rgb '#555555' title '$I(X;Y)$', \
     x with lines dt 3 lw 2 lc rgb '#555555' title '$I(T;Y) = I(X;T)$', \
     datafile index 0 using 2:($4 == 1 ? $3 : 1/0) with points pt 7 ps 0.35 \
        lc rgb '#1f4e79' title 'sweep', \
     datafile index 2 using 2:3 with points pt 2 ps 1.2 lw 2 lc rgb '#c0392b' \
        title 'random starts', \
     datafile index 3 using 1:2:3:4 with vectors nohead lw 3 dt 2 \
        lc rgb '#1e8449' title 'slope $1/\beta$', \
     datafile index 3 using ($1 + 1):($2 + 1/$5):(sprintf('$\\beta = %.2f$', $5)) \
        with labels left offset 1.0,-1.0 notitle, \
     datafile index 5 using 1:2 with points pt 4 ps 1.6 lw 2 lc rgb '#000000' \
        title 'six bits'
set origin 0.62, 0
set size 0.38, 1
set xrange [4.4:7.1]
set yrange [2.6:3.8]
set xtics 1
set ytics 0.2
unset ylabel
unset key
set title 'magnified'
plot datafile index 1 using 1:2 with lines lw 3 lc rgb '#9ab3cf', \
     datafile index 0 using 2:($4 == 1 ? $3 : 1/0) with points pt 7 ps 0.35 \
        lc rgb '#1f4e79', \
     datafile index 2 using 2:3 with points pt 2 ps 1.2 lw 2 lc rgb '#c0392b', \
     datafile index 5 using 1:2 with points pt 4 ps 1.6 lw 2 lc rgb '#000000', \
     datafile index 5 using 1:2:('six bits') with labels left offset 1.2,-0.9
unset multiplot
