# codebook-real-map.gp -- Figure "the t-SNE map of the rendered tunes' codebook".
# Tangled from chapters/p3-codebook.nw.  Usage, in the figure directory:
#   gnuplot -e "outdir='/abs/B/out/'" -e "figdir='/abs/B/tangle/figures/'" \
#     codebook-real-map.gp
name = 'codebook-real-map'
if (!exists("datafile")) datafile = outdir.'codebook-real-map.dat'
load figdir.'codebook-map.gp'
