# codebook-distortion.gp -- Figure "distortion per Lloyd iteration".
# Tangled from chapters/p3-codebook.nw.  Usage:
#   gnuplot -e "datafile='build/out/codebook-distortion.dat'" codebook-distortion.gp
set terminal cairolatex pdf size 11cm,6cm
set output 'codebook-distortion.tex'
set xlabel 'Lloyd iteration'
set ylabel 'distortion / variance'
set yrange [0:*]
set key top right Left reverse samplen 2
plot datafile using 1:2 with linespoints pt 7 ps 0.5 lc rgb '#1f4e79' \
        title 'first stage', \
     datafile using 1:3 with linespoints pt 5 ps 0.5 lc rgb '#c0392b' \
        title 'two stages'
