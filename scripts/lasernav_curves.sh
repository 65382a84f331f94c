#!/bin/sh
# lasernav_curves.sh OUT.png REF [LABEL:]DIR... : the held-out learning curves of LaserNav-v0
# runs made by scripts/lasernav_curve.sh (DIR/curve.csv): success rate and mean time to goal
# against env steps, one thin line per run and the mean over the runs of each group thick.
# A group is LABEL (without one: the run's algorithm, from DIR/summary.json). REF is the
# success rate of the goal controller (acrl nav --controller goal), drawn dashed.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 OUT.png REF DIR..." >&2; exit 2; }
out=$1 ref=$2
shift 2
tmp=$(mktemp -d)
groups=""
for arg in "$@"; do
    case $arg in
        *:*) a=${arg%%:*} d=${arg#*:} ;;
        *) d=$arg a=$(sed -n 's/.*"algo": "\([^"]*\)".*/\1/p' "$d/summary.json") ;;
    esac
    [ -f "$tmp/$a.runs" ] || groups="$groups $a"
    echo "$d" >> "$tmp/$a.runs"
done
plot1="" plot2="" i=0
for a in $groups; do
    f=$tmp/$a.runs
    i=$((i + 1))
    case $i in 1) col='#0044cc';; 2) col='#dd3300';; 3) col='#008800';; *) col='#8800aa';; esac
    # mean over runs, row by row (the runs share their evaluation steps)
    files=$(sed 's|$|/curve.csv|' "$f" | tr '\n' ' ')
    awk -F, 'FNR > 1 { s[FNR] = $1; p[FNR] += $2; t[FNR] += $5; n[FNR]++; if (FNR > m) m = FNR }
             END { for (i = 2; i <= m; i++) print s[i] "," p[i] / n[i] "," t[i] / n[i] }' $files > "$tmp/$a.mean"
    nr=$(wc -l < "$f")
    for d in $(cat "$f"); do
        plot1="$plot1 '$d/curve.csv' using (\$1/1e6):2 every ::1 with lines lw 1 lc rgb '$col' notitle,"
        plot2="$plot2 '$d/curve.csv' using (\$1/1e6):(\$2 > 0 ? \$5 * 0.2 : 1/0) every ::1 with lines lw 1 lc rgb '$col' notitle,"
    done
    plot1="$plot1 '$tmp/$a.mean' using (\$1/1e6):2 with lines lw 3 lc rgb '$col' title '$a (mean of $nr)',"
    plot2="$plot2 '$tmp/$a.mean' using (\$1/1e6):(\$3 * 0.2) with lines lw 3 lc rgb '$col' title '$a (mean of $nr)',"
done
gnuplot <<GP
set terminal pngcairo size 1100,420 font ',10'
set output '$out'
set datafile separator ','
set multiplot layout 1,2 title 'LaserNav-v0: 100 held-out layouts, deterministic policy'
set xlabel 'env steps (millions)'; set key center right; set grid
set ylabel 'success rate'; set yrange [0:1]
plot $plot1 $ref with lines dt 2 lw 2 lc rgb '#666666' title 'goal controller (no avoidance)'
set ylabel 'mean time to goal (s, successful episodes)'; set yrange [*:*]; set key top right
plot ${plot2%,}
unset multiplot
GP
rm -rf "$tmp"
