# tsne-clusters.gp -- Figure "the realistic run, coloured by cluster".
# Tangled from chapters/p2-tsne.nw.  Usage (columns: y1, y2, cluster), in
# the figure directory:
#   gnuplot -e "outdir='/abs/build/out/'" -e "figdir='/abs/build/tangle/figures/'" \
#           tsne-clusters.gp
if (!exists("datafile")) datafile = outdir.'tsne-clusters.dat'
set terminal cairolatex pdf size 8.4cm,7.6cm
set output 'tsne-clusters.tex'
set size ratio -1
set xlabel '$y_{i1}$'
set ylabel '$y_{i2}$'
unset key
do for [c = 0:23] {
    stats datafile using ($3 == c ? $1 : 1/0):2 nooutput prefix 'S'
    set label c + 1 sprintf('\scriptsize %d', c) at S_mean_x, S_mean_y \
        offset char 1.2, 0 front
}
array HUE[12] = [0x1f77b4, 0xd62728, 0x2ca02c, 0xff7f0e, 0x9467bd, 0x8c564b, \
                 0xe377c2, 0x555555, 0xbcbd22, 0x17becf, 0x000080, 0x7f0000]
hue(c) = HUE[int(c) % 12 + 1]
plot datafile using ($3 < 12 ? $1 : 1/0):2:(hue($3)) with points pt 7 ps 0.35 \
        lc rgb variable, \
     datafile using ($3 >= 12 ? $1 : 1/0):2:(hue($3)) with points pt 9 ps 0.45 \
        lc rgb variable
