#!/bin/sh
# Learning curves of the action-sequence runs (scripts/seq_runs.sh) against env steps, plain
# SAC (K = 1) and action_sequence = K, one panel per task: lines the training return (last
# episodes, progress.csv return_mean; K > 1 acts open loop there), points the periodic
# deterministic evaluations (eval_return_mean, a decision every step).   sh scripts/seq_plot.sh RUNS_DIR K OUT.png
R=$1
K=$2
OUT=$3
gnuplot <<GP
set terminal pngcairo size 1000,380 font ",10" noenhanced
set output "$OUT"
set datafile separator ","
set key top left
set xlabel "env steps"
set ylabel "return"
set multiplot layout 1,2
set title "InvertedDoublePendulum-v4"
plot "$R/sac-seq1-InvertedDoublePendulum-v4-0/progress.csv" every ::1 using 1:4 with lines lw 2 lc 1 title "SAC, training", \
     "$R/sac-seq$K-InvertedDoublePendulum-v4-0/progress.csv" every ::1 using 1:4 with lines lw 2 lc 2 title "action_sequence = $K, training", \
     "$R/sac-seq1-InvertedDoublePendulum-v4-0/progress.csv" every ::1 using 1:8 with points pt 7 lc 1 title "SAC, eval", \
     "$R/sac-seq$K-InvertedDoublePendulum-v4-0/progress.csv" every ::1 using 1:8 with points pt 7 lc 2 title "action_sequence = $K, eval (d = 1)"
set title "Hopper-v4"
plot "$R/sac-seq1-Hopper-v4-0/progress.csv" every ::1 using 1:4 with lines lw 2 lc 1 title "SAC, training", \
     "$R/sac-seq$K-Hopper-v4-0/progress.csv" every ::1 using 1:4 with lines lw 2 lc 2 title "action_sequence = $K, training", \
     "$R/sac-seq1-Hopper-v4-0/progress.csv" every ::1 using 1:8 with points pt 7 lc 1 title "SAC, eval", \
     "$R/sac-seq$K-Hopper-v4-0/progress.csv" every ::1 using 1:8 with points pt 7 lc 2 title "action_sequence = $K, eval (d = 1)"
unset multiplot
GP
