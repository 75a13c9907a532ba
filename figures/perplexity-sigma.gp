# perplexity-sigma.gp -- Figure "perplexity of one row against sigma_i".
# Tangled from chapters/p1-perplexity.nw.  Usage, in the figure directory:
#   gnuplot -e "outdir='/abs/build/out/'" -e "figdir='/abs/build/tangle/figures/'" \
#           perplexity-sigma.gp
if (!exists("datafile")) datafile = outdir.'perplexity-curve.dat'
set terminal cairolatex pdf size 15cm,5.4cm
set output 'perplexity-sigma.tex'
set multiplot layout 1,2
set logscale x
set autoscale xfix
set xlabel '$\sigma_i$'
set ylabel '$\Perp(P_i)$'
set key at graph 0.98, graph 0.26 right Left reverse samplen 1.5 spacing 0.9
set grid xtics ytics lc rgb '#dddddd'
set yrange [0:*]
plot datafile index 0 using 1:2 with lines lw 4 lc rgb '#1f4e79' \
        title 'curve', \
     datafile index 2 using 1:2 with lines dt 2 lw 3 lc rgb '#777777' \
        title 'target', \
     datafile index 1 using 2:3 with points pt 7 ps 0.6 lc rgb '#c0392b' \
        title 'iterates', \
     datafile index 1 using 2:3:(sprintf('%d', $1)) every ::0::2 \
        with labels offset char 1.0,0 left notitle
unset logscale x
set autoscale x
set logscale y
set format y '$10^{%T}$'
set xlabel 'step'
set ylabel '$\lvert H(P_i) - \log_2 \Perp\rvert$ (bits)'
set key default
set key top right
set yrange [*:*]
plot datafile index 1 using 1:4 with linespoints pt 7 ps 0.6 lc rgb '#c0392b' \
        title 'bisection', \
     datafile index 3 using 1:2 with lines dt 2 lw 3 lc rgb '#777777' \
        title 'tolerance $\tau$'
unset multiplot
