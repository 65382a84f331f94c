#!/bin/sh
# MecOffload-v0 from the command line (docs/mec.md): the preference-conditioned discrete SAC
# (pref=random) reruns byte-identical and resumes exactly (--save-buffer); acrl pareto prints
# the points, writes its CSV (header, row order) and refuses bad input with exit 2; the
# two objectives appear as cost columns in progress.csv and in acrl eval.
# Usage: sh tests/test_mec_cli.sh /path/to/acrl
ACRL=${1:?usage: test_mec_cli.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"
same() { if cmp -s "$2" "$3"; then ok; else bad "$1: $2 and $3 differ"; fi; }
# exit code 2 and a message containing $2
refused() {
    what=$1; want=$2; shift 2
    "$@" >/dev/null 2>"$TMP/err"
    rc=$?
    [ $rc -eq 2 ] && ok || bad "$what: exit $rc (want 2): $(cat "$TMP/err")"
    grep -qF -- "$want" "$TMP/err" && ok || bad "$what: message '$(cat "$TMP/err")' lacks '$want'"
}

T="train sac MecOffload-v0 --steps 1200 --quiet --eval-episodes 2 --save-buffer --set env_args=pref=random,servers=3
   --set learning_starts=300 --set net_arch=16,16 --set batch_size=16 --set log_freq=200 --set checkpoint_freq=600"
"$ACRL" $T --out "$TMP/a" >/dev/null 2>&1 || bad "train failed"
"$ACRL" $T --out "$TMP/b" >/dev/null 2>&1 || bad "rerun failed"
same "rerun" "$TMP/a/final.ckpt" "$TMP/b/final.ckpt"
"$ACRL" $T --out "$TMP/c" --stop-at 600 >/dev/null 2>&1 || bad "stopped run failed"
"$ACRL" train --resume "$TMP/c" --quiet --eval-episodes 2 >/dev/null 2>&1 || bad "resume failed"
same "resume" "$TMP/a/final.ckpt" "$TMP/c/final.ckpt"
head -1 "$TMP/a/progress.csv" | grep -q ",cost_mean,cost_mean_1$" && ok || bad "progress.csv columns: $(head -1 "$TMP/a/progress.csv")"
"$ACRL" eval "$TMP/a" --episodes 2 >"$TMP/eval" 2>&1 && grep -q "cost mean .*cost1 mean" "$TMP/eval" && ok ||
    bad "eval: $(cat "$TMP/eval")"

# pareto: points at 3 preferences, the baselines, CSV
"$ACRL" pareto "$TMP/a" --weights 3 --episodes 2 --csv "$TMP/p.csv" >"$TMP/p.out" 2>&1 || bad "pareto failed: $(cat "$TMP/p.out")"
[ "$(head -1 "$TMP/p.csv")" = "name,hypervolume,points" ] && ok || bad "csv header: $(head -1 "$TMP/p.csv")"
[ "$(cut -d, -f1 "$TMP/p.csv" | tr '\n' ' ')" = "name policy all_local fastest_server random greedy_delay " ] && ok ||
    bad "csv rows: $(cut -d, -f1 "$TMP/p.csv" | tr '\n' ' ')"
grep -q "^  0.5000 " "$TMP/p.out" && grep -q "^reference point (delay, energy)" "$TMP/p.out" && ok || bad "pareto output: $(cat "$TMP/p.out")"
# the same episodes give the same numbers; --set reaches every row
"$ACRL" pareto "$TMP/a" --weights 3 --episodes 2 --csv "$TMP/p2.csv" >/dev/null 2>&1
same "pareto rerun" "$TMP/p.csv" "$TMP/p2.csv"
"$ACRL" pareto "$TMP/a" --weights 3 --episodes 2 --set servers=6 >"$TMP/p6.out" 2>&1 && grep -q "servers=6," "$TMP/p6.out" && ok ||
    bad "pareto --set servers=6: $(cat "$TMP/p6.out")"
if command -v gnuplot >/dev/null 2>&1; then
    "$ACRL" pareto "$TMP/a" --weights 3 --episodes 1 --plot "$TMP/f.png" >/dev/null 2>&1 && [ -s "$TMP/f.png" ] && ok ||
        bad "pareto --plot wrote no PNG"
fi
# a per-weight run (fixed preference) joins as the row per_weight
"$ACRL" train sac MecOffload-v0 --steps 400 --quiet --eval-episodes 1 --set env_args=pref=0.4,servers=3 \
    --set learning_starts=200 --set net_arch=16,16 --set batch_size=16 --out "$TMP/w" >/dev/null 2>&1 || bad "per-weight train failed"
"$ACRL" pareto "$TMP/a" --weights 2 --episodes 1 --per-weight "$TMP/w" --csv "$TMP/pw.csv" --ref 100,1 >"$TMP/pw.out" 2>&1 || bad "pareto --per-weight failed"
tail -1 "$TMP/pw.csv" | grep -q "^per_weight," && ok || bad "per_weight row: $(cat "$TMP/pw.csv")"
grep -q "(100, 1) (--ref)" "$TMP/pw.out" && ok || bad "--ref not reported: $(cat "$TMP/pw.out")"
grep -q "other env settings" "$TMP/pw.out" && bad "note on equal settings: $(cat "$TMP/pw.out")" || ok
"$ACRL" train sac MecOffload-v0 --steps 300 --quiet --eval-episodes 1 --set env_args=pref=0.6,servers=4 \
    --set learning_starts=200 --set net_arch=16,16 --set batch_size=16 --out "$TMP/w4" >/dev/null 2>&1 || bad "per-weight train failed"
"$ACRL" pareto "$TMP/a" --weights 2 --episodes 1 --per-weight "$TMP/w4" >/dev/null 2>"$TMP/w4.err" || bad "pareto w4 failed"
grep -q "note: --per-weight .* has other env settings than the policy: servers=4," "$TMP/w4.err" && ok ||
    bad "no note on other settings: $(cat "$TMP/w4.err")"

# bad input: exit 2 with a message naming the key or option
refused "train pref=1.5" "pref=1.5: the preference w must be a number in [0, 1]" \
    "$ACRL" train sac MecOffload-v0 --steps 100 --quiet --out "$TMP/x" --set env_args=pref=1.5
refused "train pref=-0.2" "pref=-0.2" "$ACRL" train sac MecOffload-v0 --steps 100 --quiet --out "$TMP/x2" --set env_args=pref=-0.2
refused "pareto --weights 1" "--weights" "$ACRL" pareto "$TMP/a" --weights 1
refused "pareto --set pref" "the preferences are set by --weights" "$ACRL" pareto "$TMP/a" --set pref=0.3
refused "pareto --set servers=0" "servers=0" "$ACRL" pareto "$TMP/a" --set servers=0
refused "pareto --ref" "--ref" "$ACRL" pareto "$TMP/a" --ref 1
refused "pareto --per-weight random" "the run's preference is random" "$ACRL" pareto "$TMP/a" --weights 2 --episodes 1 --per-weight "$TMP/b"
refused "pareto no run" "" "$ACRL" pareto "$TMP/none"
"$ACRL" train ppo CartPole-v1 --steps 256 --quiet --eval-episodes 1 --set n_steps=128 --out "$TMP/cp" >/dev/null 2>&1
refused "pareto CartPole" "not MecOffload-v0" "$ACRL" pareto "$TMP/cp" --weights 2 --episodes 1

finish test_mec_cli.sh
