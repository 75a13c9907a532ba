# tsne-toy.gp -- Figure "Example 23.1 embedded".
# Tangled from chapters/p2-tsne.nw.  Usage, in the figure directory:
#   gnuplot -e "outdir='/abs/build/out/'" -e "figdir='/abs/build/tangle/figures/'" \
#           tsne-toy.gp
if (!exists("datafile")) datafile = outdir.'tsne-toy.dat'
set terminal cairolatex pdf size 14cm,6cm
set output 'tsne-toy.tex'
stats datafile every ::0::2 using 1:2 nooutput prefix 'A'
stats datafile every ::3::5 using 1:2 nooutput prefix 'B'
stats datafile using 1:2 nooutput prefix 'S'
set multiplot layout 1, 3
set grid xtics ytics lc rgb '#dddddd'
set xlabel '$y_{i1}$'
set ylabel '$y_{i2}$'
unset key
set size ratio -1                   # equal scales: distances can be compared
margin = 0.15 * (S_max_x - S_min_x)
set xrange [S_min_x - margin:S_max_x + margin]
set yrange [S_min_y - margin:S_max_y + margin]
set xtics 150
set ytics 100
set title 'the map'
plot datafile using ($3 == 0 ? $1 : 1/0):2 with points pt 7 ps 1 \
        lc rgb '#1f4e79' notitle, \
     datafile using ($3 == 1 ? $1 : 1/0):2 with points pt 5 ps 1 \
        lc rgb '#c0392b' notitle
unset ylabel
set xtics 50
set ytics 50
pad(lo, hi) = 0.25 * (hi - lo)
set title 'C major'
set xrange [A_min_x - pad(A_min_x, A_max_x):A_max_x + pad(A_min_x, A_max_x)]
set yrange [A_min_y - pad(A_min_y, A_max_y):A_max_y + pad(A_min_y, A_max_y)]
plot datafile using ($3 == 0 ? $1 : 1/0):2 with points pt 7 ps 1 lc rgb '#1f4e79', \
     datafile using 1:2:(sprintf('%d', $4)) with labels offset char 1,0.5
set title 'F$\sharp$ major'
set xrange [B_min_x - pad(B_min_x, B_max_x):B_max_x + pad(B_min_x, B_max_x)]
set yrange [B_min_y - pad(B_min_y, B_max_y):B_max_y + pad(B_min_y, B_max_y)]
plot datafile using ($3 == 1 ? $1 : 1/0):2 with points pt 5 ps 1 lc rgb '#c0392b', \
     datafile using 1:2:(sprintf('%d', $4)) with labels offset char 1,0.5
unset multiplot
