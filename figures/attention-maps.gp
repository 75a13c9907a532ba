# attention-maps.gp -- Figure "where each head looks on one sequence", with
# the sequence's bar lines and chord changes marked.
# Tangled from chapters/p4-attention.nw.  Run in the figure directory:
#   gnuplot -e "outdir='/abs/B/out/'" attention-maps.gp
if (!exists("datafile")) datafile = outdir.'attention-maps.dat'
set terminal cairolatex pdf size 11cm,11.9cm
set output 'attention-maps.tex'
stats datafile using 1 nooutput
heads = STATS_blocks
stats datafile index 0 using 1 nooutput
T = STATS_max + 1
set palette defined (0 '#ffffff', 0.25 '#9ab3cf', 1 '#1f4e79')
set cbrange [0:1]
unset colorbox
set xrange [-0.5:T - 0.5]
set yrange [T - 0.5:-2]
set size ratio -1
set tics scale 0.5 out nomirror
set xtics 0, 4
set ytics 0, 4
bar(t, u, down) = t == 0 && down > 0 && u > 0 ? u - 0.5 : NaN
change(t, u, ch) = t == 0 && ch > 0 ? u : NaN
set multiplot layout 2, 2 margins 0.1, 0.98, 0.07, 0.95 spacing 0.06, 0.12
do for [h = 1:heads] {
    set title sprintf('head %d', h) offset 0, -0.3
    set xlabel (h > 2 ? 'key $u$' : '') offset 0, 0.5
    set ylabel (h % 2 == 1 ? 'query $t$' : '') offset -0.5, 0
    plot datafile index (h - 1) using 2:1:3 with image notitle, \
         '' index (h - 1) using (bar($1, $2, $5)):(-0.5):(0):(T) \
            with vectors nohead lw 2 dt 2 lc rgb '#555555' notitle, \
         '' index (h - 1) using (-0.5):(bar($1, $2, $5)):(T):(0) \
            with vectors nohead lw 2 dt 2 lc rgb '#555555' notitle, \
         '' index (h - 1) using (change($1, $2, $4)):(-1.25) \
            with points pt 11 ps 0.7 lc rgb '#c0392b' notitle
}
unset multiplot
