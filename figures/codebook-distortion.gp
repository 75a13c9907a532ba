# codebook-distortion.gp -- Figure "distortion per Lloyd iteration".
# Tangled from chapters/p3-codebook.nw.  Usage, in the figure directory:
#   gnuplot -e "outdir='/abs/B/out/'" codebook-distortion.gp
if (!exists("datafile")) datafile = outdir.'codebook-distortion.dat'
set terminal cairolatex pdf size 11cm,6cm
set output 'codebook-distortion.tex'
set xlabel 'Lloyd iteration of the stage in training (0: its $k$-means++ start)'
set ylabel 'distortion / variance of the frames'
set xrange [0:12]
set xtics 0, 2, 12
set yrange [0:0.1]
set ytics 0, 0.02, 0.1
set grid ytics lc rgb '#dddddd'
set key top right Left reverse samplen 2
plot datafile using 1:2 with linespoints pt 7 ps 0.5 lc rgb '#1f4e79' \
        title 'first stage', \
     datafile using 1:3 with linespoints pt 5 ps 0.5 lc rgb '#c0392b' \
        title 'both stages, the first one finished'
