#!/bin/sh
# Learning curves of simple_spread runs (mean over seeds per algorithm, one line each) with a
# horizontal reference line, as a PNG via gnuplot.
# Usage: sh bench/marl_spread_plot.sh OUT.png REFERENCE_RETURN RUN_DIR...
# Runs of one algorithm share their progress.csv step grid (same log_freq); the algorithm is
# read from each run's summary.json.
set -e
out=${1:?usage: marl_spread_plot.sh OUT.png REFERENCE RUN_DIR...}
ref=${2:?reference return}
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for d in "$@"; do
    algo=$(sed -n 's/.*"algo": "\([a-z]*\)".*/\1/p' "$d/summary.json")
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "return_mean" || $i == "ep_return_mean") c = i; next }
             $c != "" { print $1, $c }' "$d/progress.csv" >>"$tmp/$algo.dat"
    echo "$algo" >>"$tmp/algos"
done
plots=""
for a in $(sort -u "$tmp/algos"); do
    n=$(grep -c "^$a\$" "$tmp/algos")
    sort -n "$tmp/$a.dat" | awk '{ s[$1] += $2; c[$1]++ } END { for (k in s) print k, s[k] / c[k] }' | sort -n >"$tmp/$a.mean"
    plots="$plots \"$tmp/$a.mean\" using 1:2 with lines lw 2 title \"$a (mean of $n seeds)\","
done
gnuplot <<GP
set terminal png size 900,540
set output "$out"
set title "MPE-SimpleSpread-v3 (3 agents): team return, last 100 training episodes"
set xlabel "env steps (joint)"
set ylabel "return"
set key bottom right
set grid
plot $plots $ref with lines dt 2 lc rgb "black" title "scripted greedy assignment ($ref)"
GP
echo "wrote $out"
