#!/bin/sh
# extractor = cnn for the off-policy algorithms (actor and each critic with their own
# convolutions), through the CLI on a synthetic price file (Portfolio-v0's (F, window + 1, A)
# observation) and on Maze-v0 (discrete SAC): every off-policy algorithm trains with it; SAC
# reruns are byte-identical and a run stopped with --stop-at and resumed ends with the same
# checkpoint; its policy evaluates and backtests; exporting it is refused; a flat env, lists of
# different lengths and a stack that leaves no map are refused (exit 2, naming the key).
# Usage: sh tests/test_cli_offp_cnn.sh /path/to/acrl
ACRL=${1:?usage: test_cli_offp_cnn.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"
awk 'BEGIN { print "date,A,B,C,D";
    for (d = 0; d < 300; d++) {
        y = 2000 + int(d / 336); m = 1 + int((d % 336) / 28); dd = 1 + d % 28;
        printf "%04d-%02d-%02d,%.4f,%.4f,%.4f,%.4f\n", y, m, dd, 10 + 2 * sin(0.3 * d), 20 + 0.02 * d + cos(0.7 * d),
            5 * exp(0.002 * d), 8 + sin(0.05 * d) }
}' >"$TMP/p.csv"
E="--set env_args=data_path=$TMP/p.csv,assets=0,window=10,episode=20"
C="--set extractor=cnn --set cnn_channels=4,4 --set cnn_kernels=3,3 --set cnn_strides=1,2"
S="--steps 300 --set learning_starts=100 --set batch_size=16 --set net_arch=16,16 --set eval_freq=0 --set save_buffer=1 --quiet --eval-episodes 1 --seed 4"
for algo in sac td3 ddpg dsact stac pmoe; do
    "$ACRL" train $algo Portfolio-v0 $E $C $S --out "$TMP/$algo" >/dev/null 2>"$TMP/err" && ok || bad "$algo: $(cat "$TMP/err")"
done
"$ACRL" train sac Portfolio-v0 $E $C $S --out "$TMP/sac2" >/dev/null 2>&1
cmp -s "$TMP/sac/final.ckpt" "$TMP/sac2/final.ckpt" && ok || bad "sac cnn reruns differ"
"$ACRL" train sac Portfolio-v0 $E $C $S --stop-at 200 --out "$TMP/r" >/dev/null 2>&1
"$ACRL" train --resume "$TMP/r" --quiet >/dev/null 2>"$TMP/err" && ok || bad "resume: $(cat "$TMP/err")"
cmp -s "$TMP/sac/final.ckpt" "$TMP/r/final.ckpt" && ok || bad "resumed sac cnn run differs from the straight run"
# the convolutions are in the networks: the actor's and both critics' tensors
"$ACRL" eval "$TMP/sac" --episodes 1 >"$TMP/out" 2>"$TMP/err" && ok || bad "eval: $(cat "$TMP/err")"
"$ACRL" eval "$TMP/sac/policy.ckpt" --episodes 1 >"$TMP/out2" 2>&1
cmp -s "$TMP/out" "$TMP/out2" && ok || bad "policy.ckpt evaluates differently: $(cat "$TMP/out") / $(cat "$TMP/out2")"
"$ACRL" backtest "$TMP/sac" >/dev/null 2>"$TMP/err" && ok || bad "backtest: $(cat "$TMP/err")"
"$ACRL" export "$TMP/sac" --format c -o "$TMP/x.h" >/dev/null 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "extractor = cnn is not supported" "$TMP/err" && ok || bad "export: exit $rc, $(cat "$TMP/err")"
# discrete SAC on the maze's egocentric view
M="--steps 800 --set learning_starts=200 --set batch_size=16 --set net_arch=16,16 --set eval_freq=0 --set save_buffer=1 --quiet --eval-episodes 1"
"$ACRL" train sac Maze-v0 $M --set extractor=cnn --set cnn_channels=4 --set cnn_kernels=3 --out "$TMP/maze" >/dev/null 2>"$TMP/err" &&
    ok || bad "maze: $(cat "$TMP/err")"
"$ACRL" train sac Maze-v0 $M --set extractor=cnn --set cnn_channels=4 --set cnn_kernels=3 --stop-at 500 --out "$TMP/maze2" >/dev/null 2>&1
"$ACRL" train --resume "$TMP/maze2" --quiet >/dev/null 2>&1
cmp -s "$TMP/maze/final.ckpt" "$TMP/maze2/final.ckpt" && ok || bad "resumed maze run differs"
refused() { # PATTERN ARGS...
    pat=$1; shift
    "$ACRL" "$@" >/dev/null 2>"$TMP/err"
    rc=$?
    echo "  exit $rc: $(cat "$TMP/err")"
    [ "$rc" -eq 2 ] && grep -q -- "$pat" "$TMP/err" && ok || bad "$*: exit $rc, $(cat "$TMP/err")"
}
refused "needs observations with an image shape" train td3 Pendulum-v1 --steps 50 --set extractor=cnn --out "$TMP/x1"
refused "need the same length" train sac Portfolio-v0 $E --steps 50 --set extractor=cnn --set cnn_channels=4,4 --set cnn_kernels=3 --out "$TMP/x2"
refused "leaves no output" train sac Portfolio-v0 $E --steps 50 --set extractor=cnn --set cnn_channels=4 --set cnn_kernels=3 --set cnn_pools=64 --out "$TMP/x3"
refused "extractor: 'rnn' is not mlp or cnn" train sac Portfolio-v0 $E --steps 50 --set extractor=rnn --out "$TMP/x4"
finish test_cli_offp_cnn
