# attention-maps.gp -- Figure "the attention of every head on one sequence".
# Tangled from chapters/p4-attention.nw.  Usage:
#   gnuplot -e "datafile='build/out/attention-maps.dat'" attention-maps.gp
set terminal cairolatex pdf size 12cm,12cm
set output 'attention-maps.tex'
stats datafile using 1 nooutput
heads = STATS_blocks
stats datafile index 0 using 1 nooutput
T = STATS_max + 1
set palette defined (0 '#ffffff', 0.25 '#9ab3cf', 1 '#1f4e79')
set cbrange [0:1]
unset colorbox
set xrange [-0.5:T - 0.5]
set yrange [T - 0.5:-0.5]
set size ratio -1
set tics scale 0.5 out nomirror
set xtics 0, 4
set ytics 0, 4
set multiplot layout 2, 2 margins 0.1, 0.98, 0.07, 0.95 spacing 0.06, 0.1
do for [h = 1:heads] {
    set title sprintf('head %d', h) offset 0, -0.5
    set xlabel (h > 2 ? 'key $u$' : '') offset 0, 0.5
    set ylabel (h % 2 == 1 ? 'query $t$' : '') offset -0.5, 0
    plot datafile index (h - 1) using 2:1:3 with image notitle
}
unset multiplot
