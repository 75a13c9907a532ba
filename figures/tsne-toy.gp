# tsne-toy.gp -- Figure "Example 23.1 embedded".
# Tangled from chapters/23-1b-tsne.nw.  Usage:
#   gnuplot -e "datafile='build/out/tsne-toy.dat'" tsne-toy.gp
set terminal cairolatex pdf size 10cm,6cm
set output 'tsne-toy.tex'
set xlabel '$y_{i1}$'
set ylabel '$y_{i2}$'
set grid xtics ytics lc rgb '#dddddd'
set key outside right samplen 1
set offsets graph 0.15, graph 0.15, graph 0.15, graph 0.15
plot datafile using ($3 == 0 ? $1 : 1/0):2 with points pt 7 ps 1.2 \
        lc rgb '#1f4e79' title 'C major', \
     datafile using ($3 == 1 ? $1 : 1/0):2 with points pt 5 ps 1.2 \
        lc rgb '#c0392b' title 'F$\sharp$ major', \
     datafile using 1:2:(sprintf('%d', $4)) with labels offset char 1.2,0.4 notitle
