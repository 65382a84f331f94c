#!/bin/sh
# precision = bf16 through the CLI (SAC, Pendulum-v1, 64-wide layers with bf16_min_width = 64):
# reruns are byte-identical, a run stopped with --stop-at and resumed ends with the same
# checkpoint, the policy differs from the float run's (the path is taken), and precision =
# bf16_strict trains here or, on a CPU without avx512_bf16, is refused (exit 2) while bf16
# falls back to float with its notice; a bad precision is refused naming the key.
# Usage: sh tests/test_cli_bf16.sh /path/to/acrl
ACRL=${1:?usage: test_cli_bf16.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"
S="--steps 600 --set save_buffer=1 --set learning_starts=200 --set batch_size=32 --set net_arch=64,64 --set eval_freq=0 --quiet --eval-episodes 2 --seed 3"
B="--set precision=bf16 --set bf16_min_width=64"
for d in a b; do
    "$ACRL" train sac Pendulum-v1 $S $B --out "$TMP/$d" >/dev/null 2>"$TMP/err" && ok || bad "bf16 run $d: $(cat "$TMP/err")"
done
cmp -s "$TMP/a/final.ckpt" "$TMP/b/final.ckpt" && ok || bad "bf16 reruns differ"
"$ACRL" train sac Pendulum-v1 $S $B --stop-at 400 --out "$TMP/r" >/dev/null 2>&1
"$ACRL" train --resume "$TMP/r" --quiet >/dev/null 2>"$TMP/err" && ok || bad "resume: $(cat "$TMP/err")"
cmp -s "$TMP/a/final.ckpt" "$TMP/r/final.ckpt" && ok || bad "resumed bf16 run differs from the straight run"
"$ACRL" train sac Pendulum-v1 $S --out "$TMP/f" >/dev/null 2>&1 || bad "float run"
e1=$("$ACRL" eval "$TMP/a" --episodes 2)
e2=$("$ACRL" eval "$TMP/f" --episodes 2)
echo "  bf16: $e1; float: $e2"
"$ACRL" train sac Pendulum-v1 $S --set precision=bf16_strict --set bf16_min_width=64 --out "$TMP/s" >/dev/null 2>"$TMP/err"
rc=$?
if grep -q avx512_bf16 /proc/cpuinfo 2>/dev/null; then
    [ "$rc" -eq 0 ] && ok || bad "bf16_strict on an avx512_bf16 CPU: exit $rc, $(cat "$TMP/err")"
    e3=$("$ACRL" eval "$TMP/s" --episodes 2)
    [ "$e3" = "$e1" ] && ok || bad "bf16_strict ($e3) differs from bf16 ($e1)"
    [ "$e1" != "$e2" ] && ok || bad "bf16 changed nothing"
else
    echo "  no avx512_bf16: checking the refusal and the fallback"
    [ "$rc" -eq 2 ] && grep -q "bf16_strict: this CPU has no avx512_bf16" "$TMP/err" && ok || bad "bf16_strict: exit $rc"
    "$ACRL" train sac Pendulum-v1 $S $B --out "$TMP/c" >/dev/null 2>"$TMP/err2"
    grep -q "training in float" "$TMP/err2" && ok || bad "no fallback notice: $(cat "$TMP/err2")"
    [ "$e1" = "$e2" ] && ok || bad "the float fallback differs from float"
fi
"$ACRL" train sac Pendulum-v1 $S --set precision=fp8 --out "$TMP/x" >/dev/null 2>"$TMP/err"
rc=$?
echo "  precision=fp8: exit $rc: $(cat "$TMP/err")"
[ "$rc" -eq 2 ] && grep -q "precision" "$TMP/err" && ok || bad "precision=fp8: exit $rc"
finish test_cli_bf16
