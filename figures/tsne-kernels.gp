# tsne-kernels.gp -- Figure "Gaussian and Student-t kernels".
# Tangled from chapters/p2-tsne.nw.  Usage, in the figure directory:
#   gnuplot -e "outdir='/abs/build/out/'" -e "figdir='/abs/build/tangle/figures/'" \
#           tsne-kernels.gp
if (!exists("datafile")) datafile = outdir.'tsne-kernels.dat'
set terminal cairolatex pdf size 15cm,4.9cm
set output 'tsne-kernels.tex'
set multiplot layout 1,2
set xlabel '$d = \lVert y_i - y_j\rVert$'
set grid xtics ytics lc rgb '#dddddd'
set key top right samplen 2
set xrange [0:6]
set ylabel 'kernel'
plot datafile index 0 using 1:2 with lines lw 4 dt 2 lc rgb '#c0392b' \
        title 'Gaussian', \
     datafile index 0 using 1:3 with lines lw 4 lc rgb '#1f4e79' \
        title 'Student-$t$', \
     datafile index 1 using 1:3 with points pt 7 ps 0.8 lc rgb '#1f4e79' notitle, \
     datafile index 1 using 1:2 with points pt 7 ps 0.8 lc rgb '#c0392b' notitle
set logscale y
set format y '$10^{%T}$'
set yrange [1e-8:2]
set key bottom left
replot
unset multiplot
