# codebook-map.gp -- Figure "the t-SNE map of the codebook, coloured by key".
# Tangled from chapters/23-2-codebook.nw.  Usage:
#   gnuplot -e "datafile='build/out/codebook-map.dat'" codebook-map.gp
# (add -e "name='codebook-real-map'" to write codebook-real-map.tex instead)
set terminal cairolatex pdf size 15cm,11.5cm
set output (exists("name") ? name : 'codebook-map').'.tex'
set multiplot
unset key
unset xtics
unset ytics
set origin 0, 0
set size 0.68, 1
set size ratio -1
set offsets graph 0.02, graph 0.02, graph 0.02, graph 0.02
plot datafile index 1 using 1:2 with points pt 7 ps 0.3 lc rgb '#bbbbbb', \
     datafile index 0 using 1:2:3 with points pt 7 ps 0.4 lc rgb variable
set origin 0.68, 0.2
set size 0.32, 0.6
set size ratio -1
set offsets 0, 0, 0, 0
set margins 0, 0, 0, 0
unset border
set xrange [-1.6:1.6]
set yrange [-1.6:1.6]
keys = 'C G D A E B F$\sharp$ C$\sharp$ A$\flat$ E$\flat$ B$\flat$ F ' . \
       'Am Em Bm F$\sharp$m C$\sharp$m G$\sharp$m E$\flat$m B$\flat$m Fm Cm Gm Dm'
do for [i = 0:23] {
    a = pi / 2 - 2 * pi * (i % 12) / 12.0
    r = i < 12 ? 1.36 : 0.62
    set label (i + 1) '{\tiny '.word(keys, i + 1).'}' at r * cos(a), r * sin(a) \
        center front
}
plot datafile index 2 using 1:($4 < 12 ? $2 : 1/0):3 with points pt 7 ps 1.2 \
        lc rgb variable, \
     datafile index 2 using 1:($4 >= 12 ? $2 : 1/0):3 with points pt 7 ps 2.6 \
        lc rgb variable
unset multiplot
