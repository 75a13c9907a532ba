# tsne-clusters.gp -- Figure "the realistic run, coloured by cluster".
# Tangled from chapters/23-1b-tsne.nw.  Usage (columns: y1, y2, cluster):
#   gnuplot -e "datafile='build/out/tsne-clusters.dat'" tsne-clusters.gp
set terminal cairolatex pdf size 12cm,10cm
set output 'tsne-clusters.tex'
set size ratio -1
set xlabel '$y_{i1}$'
set ylabel '$y_{i2}$'
set palette model HSV defined (0 0 0.9 0.8, 1 1 0.9 0.8)
set cbrange [0:24]
unset colorbox
plot datafile using 1:2:3 with points pt 7 ps 0.25 lc palette notitle
