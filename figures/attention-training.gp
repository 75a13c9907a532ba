# attention-training.gp -- Figure "losses and specialisation indices while
# training": the losses of all runs on their own ranges, then the indices of
# the heads, one panel per run.  Tangled from chapters/p4-attention.nw.
#   gnuplot -e "outdir='/abs/B/out/'" attention-training.gp
if (!exists("datafile")) datafile = outdir.'attention-training.dat'
set terminal cairolatex pdf size 15cm,17.5cm
set output 'attention-training.tex'
stats datafile using 1 nooutput
runs = STATS_blocks
last = STATS_max
stats datafile index 0 using 1 nooutput
H = STATS_columns - 10
c_onset = 4 + H
c_oloss = 5 + H
c_rstep = 6 + H
c_rfloor = 7 + H
c_floor = 8 + H
c_plateau = 9 + H
colour(h) = word('#1b9e77 #d95f02 #7570b3 #e7298a', h)
ptype(h) = word('6 4 8 12', h) + 0
at(x, c) = x == c ? x : NaN
set tics scale 0.5
set xrange [0:last]
set xtics 0, 400
set multiplot layout 4, 2 margins 0.1, 0.96, 0.05, 0.97 spacing 0.1, 0.07
set title 'harmony loss of every run' offset 0, -0.6
set ylabel 'loss (nats)' offset 1, 0
set yrange [0.88:1.4]
set ytics 0.9, 0.1
set key top right samplen 2 spacing 1.1
plot for [k = 1:runs] datafile index (k - 1) using 1:3 with lines lw 3 \
        lc rgb '#2166ac' title (k == 1 ? 'harmony loss' : ''), \
     '' index 0 using 1:(column(c_plateau)) with lines lw 2 dt 2 lc rgb '#333333' \
        title 'without look-back', \
     '' index 0 using 1:(column(c_floor)) with lines lw 2 dt 3 lc rgb '#333333' \
        title 'best possible', \
     for [k = 1:runs] '' index (k - 1) \
        using (at($1, column(c_onset))):(column(c_oloss)) with points pt 7 ps 0.6 \
        lc rgb '#000000' title (k == 1 ? 'onset' : '')
set title 'rhythm loss of every run' offset 0, -0.6
set ylabel ''
set logscale y
set yrange [0.03:1.5]
set ytics (0.05, 0.1, 0.2, 0.5, 1)
plot for [k = 1:runs] datafile index (k - 1) using 1:2 with lines lw 3 \
        lc rgb '#b2182b' title (k == 1 ? 'rhythm loss' : ''), \
     '' index 0 using 1:(column(c_rfloor) + 0.05) with lines lw 2 dt 2 \
        lc rgb '#333333' title 'floor $+\,0.05$', \
     '' index 0 using 1:(column(c_rfloor)) with lines lw 2 dt 3 lc rgb '#333333' \
        title 'best possible'
unset logscale y
set yrange [-1.05:1.05]
set ytics -1, 0.5
do for [k = 1:runs] {
    set title sprintf('run %d', k) offset 0, -0.6
    set xlabel (k >= runs - 1 ? 'step' : '') offset 0, 0.5
    set ylabel (k % 2 == 1 ? 'index $\sigma_h$' : '') offset 1, 0
    plot datafile index (k - 1) every ::0::0 \
            using (column(c_onset)):(-1.05):(0):(2.1) with vectors nohead lw 2 \
            dt 2 lc rgb '#333333' notitle, \
         for [h = 1:H] '' index (k - 1) using 1:(column(3 + h)) \
            with linespoints lw 2 dt h + 1 pt ptype(h) pi 8 ps 0.5 \
            lc rgb colour(h) notitle
}
unset title
unset xlabel
unset ylabel
unset tics
unset border
set key center center Left reverse samplen 3 spacing 1.4
plot 1/0 with lines lw 2 dt 2 lc rgb '#333333' title 'onset of the chord-change head', \
     for [h = 1:H] 1/0 with linespoints lw 2 dt h + 1 pt ptype(h) ps 0.5 \
        lc rgb colour(h) title sprintf('index $\sigma_%d$ of head %d', h, h)
unset multiplot
