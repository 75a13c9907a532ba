# hull-jazz.gp -- Figure of Example 23.3: the hull from above and from the side.
# Tangled from chapters/p7-hull.nw.  Usage, in the figure directory:
#   gnuplot -e "outdir='/abs/build/out/'" hull-jazz.gp
if (!exists("datafile")) datafile = outdir.'hull-figure.dat'
set terminal cairolatex pdf size 15cm,6.2cm
set output 'hull-jazz.tex'
set multiplot layout 1,2
set size ratio -1
set xrange [-0.15:1.15]
set yrange [-0.15:1.15]
set xlabel 'blues feature $\phi_1$'
set ylabel 'ragtime feature $\phi_2$'
set key bottom left Left reverse samplen 1.5
plot datafile index 2 using 1:2 with filledcurves closed fc rgb '#dde6f0' \
        title 'hull', \
     datafile index 0 using 1:2 with points pt 7 ps 0.8 lc rgb '#1f4e79' \
        title 'blues', \
     datafile index 1 using 1:2 with points pt 5 ps 0.8 lc rgb '#2e7d32' \
        title 'ragtime', \
     datafile index 3 using 1:2 with points pt 6 ps 1.2 lc rgb '#c0392b' \
        title 'jazz (shadow)', \
     datafile index 4 using 1:2 with points pt 9 ps 1.0 lc rgb '#7b1fa2' \
        title 'fusion'
set size noratio
set xrange [-0.15:1.15]
set yrange [-0.1:1.25]
set xlabel 'blues feature $\phi_1$'
set ylabel 'tritone substitutions $\phi_3$'
set key top right opaque samplen 1.5
plot datafile index 6 using 1:2:(1.25) with filledcurves fc rgb '#f7e6e2' \
        title '$w\cdot z > c$', \
     datafile index 2 using 1:(0) with lines lw 12 lc rgb '#9fb6cc' title 'hull', \
     datafile index 6 using 1:2 with lines dt 2 lw 1.5 lc rgb '#000000' \
        title 'plane $w\cdot z = c$', \
     datafile index 3 using 1:3 with points pt 7 ps 1.2 lc rgb '#c0392b' \
        title 'jazz', \
     datafile index 5 using 1:3 with points pt 6 ps 1.2 lc rgb '#c0392b' \
        title 'nearest point', \
     datafile index 3 using 1:(0):(0):3 with vectors nohead lw 2 lc rgb '#c0392b' \
        notitle
unset multiplot
