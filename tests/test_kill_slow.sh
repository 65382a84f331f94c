#!/bin/sh
# Crash safety of checkpoints. Training runs that write a checkpoint every iteration (PPO on
# CartPole-v1; SAC on Pendulum-v1 with --save-buffer) are killed with SIGKILL at 20 moments
# drawn from a fixed seed (so most kills land during a checkpoint write). After every kill
# last.ckpt must load (no partial file ever replaces a good one) and the next --resume must
# continue the run; the temp files the kills leave are removed by the next start. Then a
# full disk (a small tmpfs, where mounting is permitted) must give exit code 1 with a clear
# message and leave the previous checkpoint intact. Usage: sh tests/test_kill_slow.sh ACRL
ACRL=${1:?usage: test_kill_slow.sh /path/to/acrl}
pass=0
fail=0
TMP=$(mktemp -d)
MNT=""
cleanup() {
    if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null; fi
    if [ -n "$MNT" ]; then umount "$MNT" 2>/dev/null; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

PPO="ppo CartPole-v1 --envs 1 --set n_steps=32 --set batch_size=32 --set n_epochs=1 --set checkpoint_freq=32"
SAC="sac Pendulum-v1 --save-buffer --set buffer_size=20000 --set net_arch=64,64 --set batch_size=64
     --set checkpoint_freq=50"
COMMON="--quiet --eval-episodes 0 --set eval_freq=0 --set log_freq=64 --steps 100000000"

# the kill moments: seconds after the start of a run, from a fixed seed
DELAYS=$(awk 'BEGIN { srand(20261201); for (i = 0; i < 20; i++) printf "%.3f\n", 0.15 + 0.6 * rand() }')

during_write=0
checked=0
pid=""
# kill_runs NAME ARGS FIRST LAST: kills the runs of ARGS with the delays FIRST..LAST
kill_runs() {
    name=$1 args=$2
    dir="$TMP/$name"
    echo "$DELAYS" | sed -n "$3,$4p" >"$TMP/delays"
    while read -r d; do
        if [ -f "$dir/last.ckpt" ]; then
            cksum <"$dir/last.ckpt" >"$TMP/sum.before"
            "$ACRL" train --resume "$dir" --quiet >/dev/null 2>"$TMP/err" &
        else
            : >"$TMP/sum.before"
            "$ACRL" train $args $COMMON --out "$dir" >/dev/null 2>"$TMP/err" &
        fi
        pid=$!
        sleep "$d"
        if kill -9 "$pid" 2>/dev/null; then ok; else bad "$name: the run ended before the kill: $(cat "$TMP/err")"; fi
        wait "$pid" 2>/dev/null
        killed=$pid
        pid=""
        [ -f "$dir/last.ckpt" ] || continue   # killed before the first checkpoint
        checked=$((checked + 1))
        if ls "$dir"/*.tmp."$killed" >/dev/null 2>&1; then during_write=$((during_write + 1)); fi
        # last.ckpt is a complete, valid checkpoint (the loader checks size and CRC)
        if "$ACRL" eval "$dir/last.ckpt" --episodes 1 >/dev/null 2>"$TMP/eval.err"; then ok
        else bad "$name: last.ckpt does not load after a kill at ${d}s: $(cat "$TMP/eval.err")"; fi
        # a run that got as far as writing a checkpoint had removed the older runs' temp files
        if ! cksum <"$dir/last.ckpt" | cmp -s - "$TMP/sum.before"; then
            stale=$(ls "$dir" | grep '\.tmp\.' | grep -v "\.tmp\.$killed\$")
            if [ -z "$stale" ]; then ok; else bad "$name: stale temp files of dead runs remain: $stale"; fi
        fi
    done <"$TMP/delays"
    # the last resume runs on until SIGINT: it continues, writes last.ckpt, exits 130, and
    # leaves no temp file behind
    before=$(wc -l <"$dir/progress.csv")
    # one SIGINT to the process alone (timeout(1) signals the child and then its whole process
    # group: the second SIGINT would be the "second Ctrl-C" that ends the process at once)
    "$ACRL" train --resume "$dir" --quiet >/dev/null 2>"$TMP/err" &
    pid=$!
    sleep 2
    kill -INT "$pid"
    wait "$pid"
    rc=$?
    pid=""
    if [ "$rc" -eq 130 ]; then ok; else bad "$name: the final --resume: exit $rc, want 130: $(cat "$TMP/err")"; fi
    after=$(wc -l <"$dir/progress.csv")
    if [ "$after" -gt "$before" ]; then ok; else bad "$name: the final --resume logged nothing ($before -> $after rows)"; fi
    if ls "$dir" | grep -q '\.tmp\.'; then bad "$name: temp files remain: $(ls "$dir")"; else ok; fi
    if "$ACRL" eval "$dir/last.ckpt" --episodes 1 >/dev/null 2>&1; then ok; else bad "$name: final last.ckpt does not load"; fi
}

kill_runs ppo "$PPO" 1 10
kill_runs sac "$SAC" 11 20
echo "kills: 20, with a last.ckpt to check: $checked, during a checkpoint write: $during_write"
# the moments are drawn so that writes are hit; every kill must leave something to check
if [ "$checked" -ge 16 ]; then ok; else bad "only $checked kills left a checkpoint to check"; fi

# ---- a full disk while checkpointing: SAC with its replay buffer ----------------------------
mkdir "$TMP/mnt"
if mount -t tmpfs -o size=1m tmpfs "$TMP/mnt" 2>/dev/null; then
    MNT="$TMP/mnt"
    "$ACRL" train $SAC --quiet --eval-episodes 0 --set eval_freq=0 --steps 20000 --out "$MNT/run" \
        >/dev/null 2>"$TMP/err"
    rc=$?
    msg=$(cat "$TMP/err")
    case "$rc:$msg" in
        *"see 'acrl help"*) bad "full disk: an I/O error with the usage hint: $msg" ;;
        1:"acrl: train: cannot write $MNT/run/last.ckpt.tmp."*": No space left on device") ok ;;
        *) bad "full disk: exit $rc, message '$msg'" ;;
    esac
    if "$ACRL" eval "$MNT/run/last.ckpt" --episodes 1 >/dev/null 2>&1; then ok
    else bad "full disk: the previous last.ckpt does not load"; fi
    if ls "$MNT/run" | grep -q '\.tmp\.'; then bad "full disk: temp file left: $(ls "$MNT/run")"; else ok; fi
    umount "$MNT"
    MNT=""
else
    echo "SKIP: cannot mount a tmpfs here (needs root and permission to mount): full-disk case not run"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
