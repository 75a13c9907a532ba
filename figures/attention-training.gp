# attention-training.gp -- Figure "losses and specialisation indices while
# training, one panel per run".  Tangled from chapters/p4-attention.nw.
#   gnuplot -e "datafile='build/out/attention-training.dat'" attention-training.gp
set terminal cairolatex pdf size 15cm,18cm
set output 'attention-training.tex'
stats datafile using 1 nooutput
runs = STATS_blocks
last = STATS_max
colour(h) = word('#1b9e77 #d95f02 #7570b3 #e7298a', h)
ptype(h) = word('6 4 8 12', h) + 0
set xrange [0:last]
set xtics 0, 400
set yrange [0:1.6]
set y2range [-1:1]
set ytics 0, 0.4 nomirror
set y2tics -1, 0.5
set tics scale 0.5
set multiplot layout 3, 2 margins 0.1, 0.9, 0.05, 0.97 spacing 0.18, 0.1
do for [k = 1:runs] {
    set title sprintf('run %d', k) offset 0, -0.6
    set xlabel (k >= runs - 1 ? 'step' : '') offset 0, 0.5
    set ylabel (k % 2 == 1 ? 'loss (nats)' : '') offset 0.5, 0
    set y2label (k % 2 == 0 ? 'index $\sigma_h$' : '') offset -0.5, 0
    plot datafile index (k - 1) using 1:2 axes x1y1 with lines lw 5 \
            lc rgb '#b2182b' notitle, \
         '' index (k - 1) using 1:3 axes x1y1 with lines lw 5 \
            lc rgb '#2166ac' notitle, \
         for [h = 1:4] '' index (k - 1) using 1:(column(3 + h)) axes x1y2 \
            with linespoints lw 2 dt h + 1 pt ptype(h) pi 8 ps 0.5 \
            lc rgb colour(h) notitle
}
unset title
unset xlabel
unset ylabel
unset y2label
unset tics
unset border
set key center center Left reverse samplen 3 spacing 1.4
plot 1/0 with lines lw 5 lc rgb '#b2182b' title 'rhythm loss (left axis)', \
     1/0 with lines lw 5 lc rgb '#2166ac' title 'harmony loss (left axis)', \
     for [h = 1:4] 1/0 with linespoints lw 2 dt h + 1 pt ptype(h) ps 0.5 \
        lc rgb colour(h) \
        title sprintf('index $\sigma_%d$ of head %d (right axis)', h, h)
unset multiplot
