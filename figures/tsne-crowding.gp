# tsne-crowding.gp -- Figure "distances of uniform points in D = 2, 10, 128".
# Tangled from chapters/23-1b-tsne.nw.  Usage:
#   gnuplot -e "datafile='build/out/tsne-crowding.dat'" tsne-crowding.gp
set terminal cairolatex pdf size 12cm,5.6cm
set output 'tsne-crowding.tex'
set xlabel 'distance / mean distance'
set ylabel 'density'
set grid xtics ytics lc rgb '#dddddd'
set key top right samplen 2
set xrange [0:2.5]
plot datafile index 0 using 1:2 with steps lw 3 dt 3 lc rgb '#c0392b' \
        title '$D=2$', \
     datafile index 1 using 1:2 with steps lw 3 dt 2 lc rgb '#e67e22' \
        title '$D=10$', \
     datafile index 2 using 1:2 with steps lw 3 lc rgb '#1f4e79' title '$D=128$'
