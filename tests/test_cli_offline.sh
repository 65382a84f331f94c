#!/bin/sh
# Offline data through the CLI: `acrl buffer export` writes a run's replay buffer (save_buffer
# = 1) as a transitions file; a SAC run with offline_data mixes it into its batches, reruns are
# byte-identical and a run stopped with --stop-at and resumed ends with the same checkpoint;
# offline_pretrain's updates change the policy before any env step; a run without a buffer, a
# file for another env and a missing file are refused (exit 2, the message naming the
# checkpoint or file). Usage: sh tests/test_cli_offline.sh /path/to/acrl
ACRL=${1:?usage: test_cli_offline.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"
S="--set learning_starts=100 --set batch_size=16 --set net_arch=16,16 --set eval_freq=0 --quiet --eval-episodes 2"
"$ACRL" train sac Pendulum-v1 --steps 300 $S --set save_buffer=1 --out "$TMP/src" >/dev/null 2>&1 || bad "source run"
out=$("$ACRL" buffer export "$TMP/src" --out "$TMP/t.bin" 2>&1) && ok || bad "export: $out"
echo "  $out"
case "$out" in "300 transitions from "*) ok ;; *) bad "export message: $out" ;; esac
[ "$(wc -c <"$TMP/t.bin")" -eq $((24 + 300 * 8 * 4 + 600)) ] && ok || bad "file size $(wc -c <"$TMP/t.bin")"
O="--set offline_data=$TMP/t.bin --set offline_ratio=0.25 --set save_buffer=1"
for d in a b; do
    "$ACRL" train sac Pendulum-v1 --steps 400 $S $O --seed 5 --out "$TMP/$d" >/dev/null 2>"$TMP/err" && ok ||
        bad "offline run $d: $(cat "$TMP/err")"
done
cmp -s "$TMP/a/final.ckpt" "$TMP/b/final.ckpt" && ok || bad "offline reruns differ"
"$ACRL" train sac Pendulum-v1 --steps 400 $S --seed 5 --out "$TMP/plain" --set save_buffer=1 >/dev/null 2>&1
cmp -s "$TMP/a/final.ckpt" "$TMP/plain/final.ckpt" && bad "offline data changed nothing" || ok
"$ACRL" train sac Pendulum-v1 --steps 400 --stop-at 250 $S $O --seed 5 --out "$TMP/r" >/dev/null 2>&1
"$ACRL" train --resume "$TMP/r" --quiet >/dev/null 2>"$TMP/err" && ok || bad "resume: $(cat "$TMP/err")"
cmp -s "$TMP/a/final.ckpt" "$TMP/r/final.ckpt" && ok || bad "resumed offline run differs from the straight run"
# offline_pretrain: updates on the file alone before the first env step; with learning_starts
# above the run's steps there are no other updates, so only the pre-trained policy acts otherwise
P="--steps 50 $S --set learning_starts=100 --set offline_data=$TMP/t.bin"
"$ACRL" train sac Pendulum-v1 $P --set offline_pretrain=20 --out "$TMP/pre" >/dev/null 2>&1 || bad "pretrain run"
"$ACRL" train sac Pendulum-v1 $P --out "$TMP/nopre" >/dev/null 2>&1 || bad "no-pretrain run"
e1=$("$ACRL" eval "$TMP/pre" --episodes 2)
e2=$("$ACRL" eval "$TMP/nopre" --episodes 2)
echo "  offline_pretrain=20: $e1; none: $e2"
[ "$e1" != "$e2" ] && ok || bad "offline_pretrain changed nothing"
# buffer collect: a trained policy's own transitions (here the source run's, 250 steps,
# Pendulum-v1 episodes of 200: one truncation inside), repeatable, readable as offline data
out=$("$ACRL" buffer collect "$TMP/src" --steps 250 --seed 3 --out "$TMP/c1.bin" 2>&1) && ok || bad "collect: $out"
echo "  $out"
"$ACRL" buffer collect "$TMP/src/final.ckpt" --steps 250 --seed 3 --out "$TMP/c2.bin" >/dev/null 2>&1
cmp -s "$TMP/c1.bin" "$TMP/c2.bin" && ok || bad "collect is not repeatable"
"$ACRL" buffer collect "$TMP/src" --steps 250 --seed 3 --deterministic --out "$TMP/c3.bin" >/dev/null 2>&1
cmp -s "$TMP/c1.bin" "$TMP/c3.bin" && bad "--deterministic changed nothing" || ok
[ "$(wc -c <"$TMP/c1.bin")" -eq $((24 + 250 * 8 * 4 + 500)) ] && ok || bad "collect file size $(wc -c <"$TMP/c1.bin")"
# actions in the learner's units (|a| <= 1), truncated flags at row 200 (time limit) and 250 (end)
flags=$(od -An -v -tu1 -j $((24 + 250 * 8 * 4 + 250)) -N 250 "$TMP/c1.bin" | tr -s ' \n' '\n' | awk NF | grep -n '^1$' | cut -d: -f1 | tr '\n' ' ')
[ "$flags" = "200 250 " ] && ok || bad "truncated rows: $flags"
amax=$(od -An -v -tf4 -j $((24 + 250 * 3 * 4)) -N $((250 * 4)) "$TMP/c1.bin" | tr -s ' \n' '\n' | awk 'NF { a = $1 < 0 ? -$1 : $1; if (a > m) m = a } END { print (m <= 1 && m > 0.05) ? "ok" : m }')
[ "$amax" = ok ] && ok || bad "actions out of [-1, 1] or all zero: $amax"
"$ACRL" train sac Pendulum-v1 --steps 300 $S --set "offline_data=$TMP/c1.bin" --out "$TMP/usec" >/dev/null 2>"$TMP/err" && ok ||
    bad "offline run on collected data: $(cat "$TMP/err")"
refused() { # PATTERN ARGS...
    pat=$1; shift
    "$ACRL" "$@" >/dev/null 2>"$TMP/err"
    rc=$?
    echo "  $*: exit $rc: $(cat "$TMP/err")"
    [ "$rc" -eq 2 ] && grep -q -- "$pat" "$TMP/err" && ok || bad "$*: exit $rc, $(cat "$TMP/err")"
}
"$ACRL" train sac Pendulum-v1 --steps 150 $S --out "$TMP/nobuf" >/dev/null 2>&1
refused "holds no replay buffer" buffer export "$TMP/nobuf"
refused "$TMP/t.bin: transitions of obs 3" train sac MountainCarContinuous-v0 --steps 150 $S $O --out "$TMP/mc"
refused "$TMP/none.bin" train sac Pendulum-v1 --steps 150 $S --set "offline_data=$TMP/none.bin" --out "$TMP/n"
refused "collect needs --steps" buffer collect "$TMP/src"
refused "--steps: expected an integer" buffer collect "$TMP/src" --steps 0
refused "belong to 'buffer collect'" buffer export "$TMP/src" --steps 5
finish test_cli_offline
