# hull-corral.gp -- Figure of worked example 23.7A: a major and a minor step of
# Wolfe's algorithm.  Tangled from chapters/p7-hull.nw.  Usage, in the figure
# directory:  gnuplot -e "outdir='/abs/build/out/'" hull-corral.gp
if (!exists("datafile")) datafile = outdir.'hull-corral.dat'
set terminal cairolatex pdf size 15cm,5.6cm
set output 'hull-corral.tex'
set clip two                            # the plane's ends lie outside the plot
set multiplot layout 1,2
set size ratio -1
set xrange [-2.5:2.5]
set yrange [-0.45:2.9]
set xtics 1
set ytics 1
set key top left Left reverse samplen 1.5 spacing 1.1
set title 'a major step'
plot datafile index 'plane 3' with lines dt 2 lw 1.5 lc rgb '#000000' \
        title 'plane through $z_1$, $\perp x$', \
     datafile index 'corral 3' with lines lw 6 lc rgb '#9fb6cc' title 'corral', \
     datafile index 'reach 3' with lines dt 2 lw 2 lc rgb '#c0392b' title '$x$', \
     datafile index 'points' using 1:2 with points pt 7 ps 0.7 lc rgb '#000000' \
        notitle, \
     '' index 'points' using 1:2:3 with labels offset 0,0.7 notitle, \
     '' index 'target' using 1:2 with points pt 2 ps 1.2 lc rgb '#000000' notitle, \
     '' index 'target' using 1:2:('$\\tau$') with labels offset 1.2,0 notitle, \
     '' index 'point 3' with points pt 7 ps 1.0 lc rgb '#c0392b' notitle, \
     '' index 'point 3' using 1:2:('$z_1$') with labels offset -0.6,-0.8 notitle
set title 'the minor step after it'
plot datafile index 'corral 4' with filledcurves closed fc rgb '#dde6f0' \
        title 'tried: $\{A,B,C\}$', \
     '' index 'corral 7' with lines lw 6 lc rgb '#9fb6cc' title 'new corral', \
     '' index 'reach 3' with lines dt 2 lw 1.5 lc rgb '#999999' notitle, \
     '' index 'move 5' with lines lw 2.5 lc rgb '#c0392b' title 'minor step', \
     '' index 'points' using 1:2 with points pt 7 ps 0.7 lc rgb '#000000' notitle, \
     '' index 'points' using 1:2:3 with labels offset 0,0.7 notitle, \
     '' index 'point 4' with points pt 6 ps 1.3 lc rgb '#000000' notitle, \
     '' index 'point 4' using 1:2:('affine minimiser $\\tau$') with labels \
        offset 0,-0.9 notitle, \
     '' index 'point 3' with points pt 6 ps 0.9 lc rgb '#c0392b' notitle, \
     '' index 'point 3' using 1:2:('$z_1$') with labels offset -0.6,0.7 notitle, \
     '' index 'point 5' with points pt 7 ps 0.9 lc rgb '#c0392b' notitle, \
     '' index 'point 5' using 1:2:('$q$') with labels offset -1.0,-0.7 notitle, \
     '' index 'point 7' with points pt 7 ps 0.9 lc rgb '#1f4e79' notitle, \
     '' index 'point 7' using 1:2:('$z^\\star$') with labels offset 0.9,-0.8 notitle
unset multiplot
