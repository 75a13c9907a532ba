# rate-distortion.gp -- Figure "the rate-distortion function of Example G".
# Tangled from chapters/23-6-ib.nw.  Usage:
#   gnuplot -e "datafile='build/out/rd-curve.dat'" rate-distortion.gp
set terminal cairolatex pdf size 9cm,6cm
set output 'rate-distortion.tex'
set xlabel 'distortion $D$'
set ylabel 'rate $R$ (bits)'
set xrange [0:0.25]
set yrange [0:0.9]
set key top right Left reverse samplen 2
plot datafile index 0 using 1:2 with lines lw 3 lc rgb '#9ab3cf' \
        title '$h(p) - h(D)$', \
     datafile index 1 using 2:3 with points pt 7 ps 0.5 lc rgb '#1f4e79' \
        title 'Blahut--Arimoto'
