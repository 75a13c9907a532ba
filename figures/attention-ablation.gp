# attention-ablation.gp -- Figure "the heads x factors ablation matrix".
# Tangled from chapters/p4-attention.nw.  Run in the figure directory:
#   gnuplot -e "outdir='/abs/B/out/'" attention-ablation.gp
if (!exists("datafile")) datafile = outdir.'attention-ablation.dat'
set terminal cairolatex pdf size 9cm,5.5cm
set output 'attention-ablation.tex'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel 'loss increase (nats)'
set xlabel 'head ablated'
set yrange [-0.05:*]
set key top right Right noreverse samplen 2 width 1
plot datafile using 2:xtic(1) lc rgb '#c0392b' title 'rhythm', \
     '' using 3 lc rgb '#1f4e79' title 'harmony'
