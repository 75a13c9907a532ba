# codebook-heatmap.gp -- Figure "distances between key centroids".
# Tangled from chapters/p3-codebook.nw.  Usage, in the figure directory:
#   gnuplot -e "outdir='/abs/B/out/'" codebook-heatmap.gp
# (codebook-real-heatmap.gp sets name and datafile, then loads this script)
if (!exists("datafile")) datafile = outdir.'codebook-heatmap.dat'
set terminal cairolatex pdf size 15cm,8.4cm
set output (exists("name") ? name : 'codebook-heatmap').'.tex'
set multiplot layout 1, 2 margins 0.08, 0.86, 0.15, 0.92 spacing 0.08
set size ratio 1
set xrange [-0.5:23.5]
set yrange [23.5:-0.5]
set palette defined (0 '#ffffff', 1 '#9ab3cf', 2 '#1f4e79')
set cbrange [0:1.8]
set cblabel 'distance / mean distance' offset 1, 0
keys = 'C G D A E B F$\sharp$ C$\sharp$ A$\flat$ E$\flat$ B$\flat$ F ' . \
       'Am Em Bm F$\sharp$m C$\sharp$m G$\sharp$m E$\flat$m B$\flat$m Fm Cm Gm Dm'
set xtics rotate by 90 right scale 0
set ytics scale 0
set xtics ()
set ytics ()
do for [i = 1:24:2] {
    set xtics add ('{\scriptsize '.word(keys, i).'}' i - 1)
    set ytics add ('{\scriptsize '.word(keys, i).'}' i - 1)
}
set arrow 1 from 11.5, -0.5 to 11.5, 23.5 nohead front lw 0.5 lc rgb '#555555'
set arrow 2 from -0.5, 11.5 to 23.5, 11.5 nohead front lw 0.5 lc rgb '#555555'
set title 'codebook (key centroids)'
unset colorbox
plot datafile index 0 using 1:2:($3 < 0 ? NaN : $3) with image notitle
set colorbox
set title 'raw frames (key centroids)'
plot datafile index 1 using 1:2:($3 < 0 ? NaN : $3) with image notitle
unset multiplot
