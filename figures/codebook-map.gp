# codebook-map.gp -- Figure "the t-SNE map of the codebook, coloured by key".
# Tangled from chapters/p3-codebook.nw.  Usage, in the figure directory:
#   gnuplot -e "outdir='/abs/B/out/'" codebook-map.gp
# (codebook-real-map.gp sets name and datafile, then loads this script)
if (!exists("datafile")) datafile = outdir.'codebook-map.dat'
set terminal cairolatex pdf size 15cm,15cm
set output (exists("name") ? name : 'codebook-map').'.tex'
set multiplot
unset key
unset xtics
unset ytics
set origin 0, 0.13
set size 1, 0.87
set size ratio -1
set offsets graph 0.02, graph 0.02, graph 0.02, graph 0.02
plot datafile index 1 using 1:2 with points pt 7 ps 0.2 lc rgb '#cccccc', \
     datafile index 0 using 1:($4 < 12 ? $2 : NaN):3 with points pt 7 ps 0.5 \
        lc rgb variable, \
     datafile index 0 using 1:($4 >= 12 ? $2 : NaN):3 with points pt 9 ps 0.6 \
        lc rgb variable
set origin 0, 0
set size 1, 0.13
set size noratio
set offsets 0, 0, 0, 0
set margins 4, 4, 0, 0
unset border
set xrange [-0.5:11.5]
set yrange [-1.1:2.1]
place(x, y) = (int(floor((pi / 2 - atan2(y, x)) * 6 / pi + 0.5)) % 12 + 12) % 12
keys = 'C G D A E B F$\sharp$ C$\sharp$ A$\flat$ E$\flat$ B$\flat$ F ' . \
       'Am Em Bm F$\sharp$m C$\sharp$m G$\sharp$m E$\flat$m B$\flat$m Fm Cm Gm Dm'
do for [i = 0:23] {
    set label (i + 1) '{\small '.word(keys, i + 1).'}' \
        at i % 12, (i < 12 ? 1.65 : -0.65) center front
}
set label 25 '{\small major}' at -0.5, 1 right offset -1, 0 front
set label 26 '{\small minor}' at -0.5, 0 right offset -1, 0 front
plot datafile index 2 using (place($1, $2)):($4 < 12 ? 1 : NaN):3 with points \
        pt 7 ps 1.6 lc rgb variable, \
     datafile index 2 using (place($1, $2)):($4 >= 12 ? 0 : NaN):3 with points \
        pt 9 ps 1.8 lc rgb variable
unset multiplot
