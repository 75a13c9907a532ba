# tsne-kl.gp -- Figure "KL against iteration".
# Tangled from chapters/p2-tsne.nw.  Usage, in the figure directory:
#   gnuplot -e "outdir='/abs/build/out/'" -e "figdir='/abs/build/tangle/figures/'" \
#           tsne-kl.gp
if (!exists("datafile")) datafile = outdir.'tsne-kl.dat'
set terminal cairolatex pdf size 6.6cm,5.6cm
set output 'tsne-kl.tex'
cmd = "sed -n '1s/.*until \\([0-9]*\\).*/\\1/p' '%s'"
exag = real(system(sprintf(cmd, datafile)))
set object 1 rectangle from 0, graph 0 to exag, graph 1 fc rgb '#f3e2c7' \
    fillstyle solid 1.0 noborder behind
set label 1 '$\leftarrow$ \shortstack[l]{early\\exaggeration}' at exag, graph 0.85 \
    left offset 0.5,0
set xlabel 'iteration'
set ylabel '$\mathrm{KL}(P\Vert Q)$'
set grid xtics ytics lc rgb '#dddddd'
set yrange [0:*]
plot datafile using 1:2 with lines lw 4 lc rgb '#1f4e79' notitle
