# codebook-real-heatmap.gp -- Figure "distances between key centroids, rendered
# tunes".  Tangled from chapters/p3-codebook.nw.  Usage, in the figure directory:
#   gnuplot -e "outdir='/abs/B/out/'" -e "figdir='/abs/B/tangle/figures/'" \
#     codebook-real-heatmap.gp
name = 'codebook-real-heatmap'
if (!exists("datafile")) datafile = outdir.'codebook-real-heatmap.dat'
load figdir.'codebook-heatmap.gp'
