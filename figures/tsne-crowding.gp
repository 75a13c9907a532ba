# tsne-crowding.gp -- Figure "distances of uniform points in D = 2, 10, 128".
# Tangled from chapters/p2-tsne.nw.  Usage, in the figure directory:
#   gnuplot -e "outdir='/abs/build/out/'" -e "figdir='/abs/build/tangle/figures/'" \
#           tsne-crowding.gp
if (!exists("datafile")) datafile = outdir.'tsne-crowding.dat'
set terminal cairolatex pdf size 12cm,4.8cm
set output 'tsne-crowding.tex'
set xlabel 'distance / mean distance'
set ylabel 'density'
set grid xtics ytics lc rgb '#dddddd'
set key top right samplen 2
set xrange [0:2.5]
plot datafile index 0 using 1:2 with steps lw 5 lc rgb '#c0392b' \
        title '$D=2$', \
     datafile index 1 using 1:2 with steps lw 4 dt 2 lc rgb '#d68910' \
        title '$D=10$', \
     datafile index 2 using 1:2 with steps lw 3 lc rgb '#1f4e79' title '$D=128$'
