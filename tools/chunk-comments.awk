# chunk-comments.awk -- a noweb filter: after the header of every chunk that
# is not a file, a C comment naming the chunk.  Tangled from chapters/p8-build.nw.
pending && /^@nl/ {
    print
    print "@text /* <" "<" name ">" "> */"
    print "@nl"
    pending = 0
    next
}
/^@defn / { name = substr($0, 7); pending = name !~ /\.[ch]$/ }
{ print }
