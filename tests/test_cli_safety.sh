#!/bin/sh
# Constrained RL through the CLI: `acrl train ppo-lag` and `sac-lag` refuse a negative cost
# limit and an env without costs (exit code 2, the message naming the key or the env, no run
# directory); a short run logs cost_mean; `acrl eval` prints "cost mean" for an env with
# costs and not for one without. sac-lag: reruns are byte-identical, and a run interrupted
# by --stop-at and resumed (buffer with its cost column in the checkpoint) ends with the
# same checkpoint as the straight run. Skipped when acrl was built without MuJoCo.
# Usage: sh tests/test_cli_safety.sh /path/to/acrl
ACRL=${1:?usage: test_cli_safety.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"

if ! "$ACRL" envs | grep -q '^SafetyHopperVelocity-v1'; then
    echo "test_cli_safety: skipped (no MuJoCo tasks in this build)"
    exit 0
fi

refused() {
    pat=$1
    shift
    "$ACRL" train "$@" --quiet --out "$TMP/run" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    msg=$(cat "$TMP/err")
    echo "  $*: exit $rc: $msg"
    if [ "$rc" -ne 2 ]; then bad "$*: exit code $rc, want 2"; return; fi
    case "$msg" in
        "acrl: train: "*$pat*) ok ;;
        *) bad "$*: message lacks '$pat'" ;;
    esac
    if [ -e "$TMP/run" ]; then bad "$*: a run directory was created"; rm -rf "$TMP/run"; else ok; fi
}

refused "cost_limit = -1" ppo-lag SafetyHopperVelocity-v1 --set cost_limit=-1
refused "cost_limit = -0.5" ppo-lag SafetyHopperVelocity-v1 --set cost_limit=-0.5
refused "Hopper-v4 has none" ppo-lag Hopper-v4
refused "CartPole-v1 has none" ppo-lag CartPole-v1
refused "cost_limit = -1" sac-lag SafetyHopperVelocity-v1 --set cost_limit=-1
refused "Hopper-v4 has none" sac-lag Hopper-v4
refused "n_step = 1 only" sac-lag SafetyHopperVelocity-v1 --set n_step=3

# sac-lag: straight run twice (byte-identical), and the same run stopped and resumed
SL="--set learning_starts=200 --set batch_size=32 --set net_arch=32,32 --set lagrange_warmup=100
    --set lagrangian_lr=0.05 --set save_buffer=1 --set eval_freq=0 --seed 3 --quiet"
for d in a b; do
    "$ACRL" train sac-lag SafetyHopperVelocity-v1 --steps 600 $SL --out "$TMP/sl$d" >/dev/null 2>"$TMP/err" \
        && ok || bad "sac-lag run $d: $(cat "$TMP/err")"
done
cmp -s "$TMP/sla/final.ckpt" "$TMP/slb/final.ckpt" && ok || bad "sac-lag reruns differ"
"$ACRL" train sac-lag SafetyHopperVelocity-v1 --steps 600 --stop-at 400 $SL --out "$TMP/slr" >/dev/null 2>&1
"$ACRL" train --resume "$TMP/slr" --quiet >/dev/null 2>"$TMP/err" && ok || bad "sac-lag resume: $(cat "$TMP/err")"
cmp -s "$TMP/sla/final.ckpt" "$TMP/slr/final.ckpt" && ok || bad "sac-lag resumed run differs from the straight run"
lam=$(tail -1 "$TMP/sla/progress.csv" | awk -F, -v h="$(head -1 "$TMP/sla/progress.csv")" \
    'BEGIN { n = split(h, c, ",") } { for (i = 1; i <= n; i++) if (c[i] == "lagrange_multiplier") print $i }')
echo "  sac-lag lambda after 600 steps: $lam"
awk -v l="$lam" 'BEGIN { exit !(l != "" && l + 0 != 0.001) }' && ok || bad "sac-lag lambda did not move from 0.001: $lam"

# a short run: cost_mean in progress.csv, eval_cost_mean in summary.json, "cost mean" from eval
if "$ACRL" train ppo-lag SafetyHopperVelocity-v1 --steps 256 --quiet --out "$TMP/lag" \
        --set n_steps=128 --set n_epochs=1 --set eval_freq=0 >/dev/null 2>"$TMP/err"; then ok; else bad "short run: $(cat "$TMP/err")"; fi
head -1 "$TMP/lag/progress.csv" | grep -q ',cost_mean,lagrange_multiplier,' && ok || bad "progress.csv lacks cost columns"
grep -q '"eval_cost_mean"' "$TMP/lag/summary.json" && ok || bad "summary.json lacks eval_cost_mean"
out=$("$ACRL" eval "$TMP/lag" --episodes 2)
echo "  eval: $out"
case "$out" in
    "episodes 2  return mean "*"  cost mean "*) ok ;;
    *) bad "eval output lacks the cost mean: $out" ;;
esac
"$ACRL" train ppo CartPole-v1 --steps 64 --quiet --out "$TMP/cp" --set n_steps=32 --set eval_freq=0 >/dev/null 2>&1
out=$("$ACRL" eval "$TMP/cp" --episodes 1)
case "$out" in
    *cost*) bad "eval of a cost-free env prints a cost: $out" ;;
    *) ok ;;
esac

finish test_cli_safety
