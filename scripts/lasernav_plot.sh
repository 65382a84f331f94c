#!/bin/sh
# lasernav_plot.sh OUT.png TITLE FILE... : draws LaserNav-v0 trajectories written by
# `acrl nav RUN --trace DIR` (DIR/layoutK.dat), up to 6 panels in a 3 x 2 grid: static
# obstacles grey, moving obstacles light orange at their start and dark orange at the end,
# with their tracks dashed, the
# robot's path blue from the start (dot) to the end (circle of the robot's radius), the goal
# green (its 0.3 m radius).
set -eu
[ $# -ge 3 ] || { echo "usage: $0 OUT.png TITLE FILE..." >&2; exit 2; }
out=$1 title=$2
shift 2
script=$(mktemp)
{
    echo "set terminal pngcairo size 1200,820 font ',10'"
    echo "set output '$out'"
    echo "set multiplot layout 2,3 title '$title'"
    echo "set size ratio -1; unset key; set style fill transparent solid 0.5 noborder"
    n=0
    for f in "$@"; do
        n=$((n + 1))
        [ $n -le 6 ] || break
        head=$(head -1 "$f")
        arena=$(echo "$head" | sed 's/.*arena \([0-9.]*\).*/\1/')
        k=$(echo "$head" | sed 's/.*layout \([0-9-]*\).*/\1/')
        oc=$(echo "$head" | sed 's/.*outcome \([0-9]\).*/\1/')
        st=$(echo "$head" | sed 's/.*, \([0-9]*\) steps.*/\1/')
        case $oc in 1) what="goal in $st steps";; 2) what="collision at step $st";; *) what="time limit";; esac
        echo "set title 'held-out layout $k: $what'"
        echo "set xrange [0:$arena]; set yrange [0:$arena]"
        echo "plot '$f' index 1 with circles lc rgb '#808080', \\"
        echo "     '$f' index 2 with circles lc rgb '#ff9900', \\"
        echo "     '$f' index 3 with lines dt 2 lc rgb '#cc7a00', \\"
        echo "     '$f' index 7 with circles lc rgb '#cc5200', \\"
        echo "     '$f' index 4 with circles lc rgb '#00aa00', \\"
        echo "     '$f' index 0 with lines lw 2 lc rgb '#0044cc', \\"
        echo "     '$f' index 5 with points pt 7 ps 1 lc rgb '#0044cc', \\"
        echo "     '$f' index 6 with circles lc rgb '$( [ "$oc" = 2 ] && echo '#dd0000' || echo '#0044cc')'"
    done
    echo "unset multiplot"
} > "$script"
gnuplot "$script"
rm -f "$script"
