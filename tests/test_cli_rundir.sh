#!/bin/sh
# The acrl command on run directories: --resume with ALGO ENV, the resume warnings, a
# binary --config file's line shown escaped, and where an uninstalled build finds its
# presets. Usage: sh tests/test_cli_rundir.sh /path/to/acrl
ACRL=${1:?usage: test_cli_rundir.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"
SMALL="--set n_steps=32 --set batch_size=64 --set n_epochs=1 --set n_envs=2 --set eval_freq=0"

RUN="$TMP/run"
"$ACRL" train ppo CartPole-v1 --steps 512 --stop-at 128 --quiet --out "$RUN" --eval-episodes 0 $SMALL >/dev/null 2>&1
[ $? -eq 0 ] && ok || bad "first invocation failed"
# the run's ALGO and ENV are accepted with --resume, others refused naming both
"$ACRL" train ppo CartPole-v1 --resume "$RUN" --stop-at 256 --quiet --eval-episodes 0 >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "train ppo CartPole-v1 --resume: exit $rc: $(cat "$TMP/err")"
grep -q '"steps": 256' "$RUN/summary.json" && ok || bad "resumed run did not reach step 256"
[ -s "$TMP/err" ] && bad "exact ppo resume printed: $(cat "$TMP/err")" || ok
"$ACRL" train sac Pendulum-v1 --resume "$RUN" --quiet >/dev/null 2>"$TMP/err"
rc=$?
msg=$(cat "$TMP/err")
[ $rc -eq 2 ] && ok || bad "resume as sac Pendulum-v1: exit $rc"
case "$msg" in *"holds a ppo run on CartPole-v1; it cannot be resumed as sac on Pendulum-v1"*) ok ;;
    *) bad "resume as sac Pendulum-v1: '$msg'" ;; esac
"$ACRL" train ppo --resume "$RUN" --quiet >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 2 ] && grep -q "give both or neither" "$TMP/err" && ok || bad "one positional with --resume: exit $rc"

# a resume that is not exact says so
"$ACRL" train a3c CartPole-v1 --steps 200 --stop-at 50 --quiet --out "$TMP/a3c" --eval-episodes 0 \
    --set n_steps=5 --set eval_freq=0 >/dev/null 2>&1
"$ACRL" train --resume "$TMP/a3c" --quiet --eval-episodes 0 >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] && grep -q "^acrl: train: warning: this resume is not exact" "$TMP/err" && ok ||
    bad "a3c resume: exit $rc, stderr '$(cat "$TMP/err")'"

# a binary config file: its line is shown escaped, no raw control byte reaches stderr
printf 'n_steps = 1\033[2J\007\001\377\n' >"$TMP/bin.ini"
"$ACRL" train ppo CartPole-v1 --config "$TMP/bin.ini" --out "$TMP/b" >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 2 ] && ok || bad "binary config: exit $rc"
grep -q 'got .1\\x1b\[2J\\x07\\x01\\xff' "$TMP/err" && ok || bad "binary config message: $(cat -v "$TMP/err")"
if LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177-\377]')" "$TMP/err"; then
    bad "raw control bytes in the message: $(cat -v "$TMP/err")"
else ok; fi

# an uninstalled build uses its source tree's presets when ACRL_CONFIG_DIR is not set
env -u ACRL_CONFIG_DIR "$ACRL" train ppo CartPole-v1 --steps 64 --quiet --out "$TMP/preset" --eval-episodes 0 \
    --set n_steps=8 >/dev/null 2>&1
grep -q '^gae_lambda = 0.8$' "$TMP/preset/config.ini" && ok || bad "uninstalled build did not use configs/ppo/CartPole-v1.ini"

finish test_cli_rundir
