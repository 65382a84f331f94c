#!/bin/sh
# LaserNav-v0 through the acrl command: bad env_args and nav options refused with exit code 2
# and a message naming the key; `acrl nav` on a short PPO run (the run's env_args carried
# over, the report line's form, trace files written, --env-args on top) and the goal
# controller's exact success rate on a layout set without obstacles (every episode reaches
# the goal); PPO runs byte-identical for one seed and exact across a stop and resume.
# Usage: sh tests/test_lasernav_cli.sh /path/to/acrl
ACRL=${1:?usage: test_lasernav_cli.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"
expect_error() { # PATTERN ARGS...: exit code 2 and PATTERN in the message
    pat=$1
    shift
    "$ACRL" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    msg=$(cat "$TMP/err")
    if [ "$rc" -ne 2 ]; then bad "acrl $*: exit code $rc, want 2 ($msg)"; return; fi
    case "$msg" in *"$pat"*) ok ;; *) bad "acrl $*: message '$msg' lacks '$pat'" ;; esac
}

T="train ppo LaserNav-v0 --out $TMP/bad --quiet --steps 256"
expect_error "unknown key 'speed'" $T --set env_args=speed=2
expect_error "beams=0" $T --set env_args=beams=0
expect_error "layouts=all" $T --set env_args=layouts=all
expect_error "the only controller is 'goal'" nav --controller wall
expect_error "takes no checkpoint" nav --controller goal "$TMP/x"
expect_error "--trace" nav --controller goal --trace "$TMP/none"
expect_error "moving=40" nav --controller goal --env-args moving=40

# the goal controller reaches every goal when there is nothing in the way
out=$("$ACRL" nav --controller goal --env-args static=0,moving=0 --layouts 20)
case "$out" in "layouts 20  success rate 1.0000  collision rate 0.0000  time-limit rate 0.0000  time to goal mean"*) ok ;;
    *) bad "goal controller without obstacles: $out" ;; esac

# a short run with 12 beams: acrl nav evaluates it with the run's env_args and writes traces
"$ACRL" train ppo LaserNav-v0 --steps 4096 --set env_args=beams=12,moving=1 --set n_steps=256 --out "$TMP/run" \
    --quiet >/dev/null 2>&1 || bad "short ppo run failed"
mkdir "$TMP/tr"
out=$("$ACRL" nav "$TMP/run" --layouts 3 --first 5 --trace "$TMP/tr")
case "$out" in "layouts 3  success rate "*"time to goal mean "*" steps ("*" s)  return mean "*) ok ;;
    *) bad "nav on a run: '$out'" ;; esac
for k in 5 6 7; do
    if [ -s "$TMP/tr/layout$k.dat" ] && head -1 "$TMP/tr/layout$k.dat" | grep -q "layout $k (held-out)"; then ok
    else bad "trace layout$k.dat missing or wrong"; fi
done
# settings on top of the run's: the same layouts without moving obstacles; a different scan refused
out3=$("$ACRL" nav "$TMP/run" --layouts 3 --first 5 --env-args moving=0)
case "$out3" in "layouts 3  success rate "*"collisions static "*" moving 0 wall "*) ok ;; *) bad "nav --env-args moving=0: '$out3'" ;; esac
expect_error "do not match" nav "$TMP/run" --env-args beams=20
# the same twice: identical (deterministic policy, seeded resets)
out2=$("$ACRL" nav "$TMP/run" --layouts 3 --first 5)
[ "$out" = "$out2" ] && ok || bad "nav not repeatable: '$out' vs '$out2'"

# PPO on LaserNav-v0 (moving obstacles, env snapshots in the checkpoint): the same seed gives
# the same final.ckpt, and a run stopped mid-episode and resumed gives it too
P="train ppo LaserNav-v0 --steps 3072 --set n_steps=128 --set env_args=frames=2 --quiet"
"$ACRL" $P --out "$TMP/ra" >/dev/null 2>&1 && "$ACRL" $P --out "$TMP/rb" >/dev/null 2>&1 || bad "ppo runs failed"
cmp -s "$TMP/ra/final.ckpt" "$TMP/rb/final.ckpt" && ok || bad "same seed, different final.ckpt"
"$ACRL" $P --out "$TMP/rc" --stop-at 1024 >/dev/null 2>&1 && "$ACRL" train --resume "$TMP/rc" --quiet >/dev/null 2>&1 ||
    bad "stop/resume failed"
cmp -s "$TMP/ra/final.ckpt" "$TMP/rc/final.ckpt" && ok || bad "resumed at 1024 differs from straight through"

finish test_lasernav_cli
