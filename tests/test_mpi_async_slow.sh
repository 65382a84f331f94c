#!/bin/sh
# Distributed off-policy with asynchronous collectors (sync = 0, docs/distributed.md) under
# mpirun: the learner's update count is the configured update-to-data ratio of the env steps it
# received (exactly: it catches up before it stops), the actor that chose a batch is at most
# max_lag versions (plus one training phase) old, the stop protocol ends every rank and accounts
# for every batch a collector took (added or dropped at the stop), a collector's stop request
# stops the run with last.ckpt, a resume works (inexact, with a warning), the refusals of bad
# keys, and a learner that stops answering makes the collector fail after --comm-timeout.
# Skipped (exit 77) without mpirun or in a build without MPI; sets what test_mpi_slow.sh sets
# for Open MPI. Usage: sh tests/test_mpi_async_slow.sh /path/to/acrl
ACRL=${1:?usage: test_mpi_async_slow.sh /path/to/acrl}
command -v mpirun >/dev/null 2>&1 || { echo "test_mpi_async_slow: SKIPPED: no mpirun (apt-get install openmpi-bin)"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
    OMPI_MCA_btl=self,vader
. "$(dirname "$0")/harness.sh"
M="mpirun -n 2"
if $M "$ACRL" train ppo CartPole-v1 --steps 64 --quiet --out "$TMP/probe" --eval-episodes 0 2>&1 |
        grep -q "built without MPI"; then
    echo "test_mpi_async_slow: SKIPPED: this acrl was built without MPI (-DACRL_MPI=OFF or no libopenmpi-dev)"
    exit 77
fi
# a summary.json number
field() { awk -F': ' -v k="\"$2\"" '$1 ~ k { gsub(/,/, "", $2); print $2 }' "$1/summary.json"; }
# check_ratio DIR G T E LS MAX_LAG SI: updates = G (floor(S / TE) - floor(LS / TE)) for the S
# env steps received; the actor's lag at most MAX_LAG SI + G updates; every collector's
# steps taken = added + dropped at the stop
check_ratio() {
    d=$1 G=$2 T=$3 E=$4 LS=$5 ML=$6 SI=$7
    S=$(field "$d" steps)
    U=$(field "$d" updates)
    want=$((G * (S / (T * E) - LS / (T * E))))
    echo "  $d: $S env steps received, $U updates (ratio: $want), actor lag $(field "$d" policy_lag_mean_updates) on" \
         "average, $(field "$d" policy_lag_max_updates) at most (bound $((ML * SI + G)))"
    [ "$U" = "$want" ] && ok || bad "$d: $U updates for $S env steps, the ratio gives $want"
    [ "$(field "$d" sync)" = 0 ] && ok || bad "$d: summary.json sync is not 0"
    lag=$(field "$d" policy_lag_max_updates)
    [ -n "$lag" ] && [ "$lag" -le $((ML * SI + G)) ] && ok || bad "$d: actor lag $lag above the bound"
    k=1
    tot=0
    while [ -n "$(field "$d" "rank${k}_env_steps_received")" ]; do
        rcv=$(field "$d" "rank${k}_env_steps_received")
        tk=$(field "$d" "rank${k}_env_steps_taken")
        dr=$(field "$d" "rank${k}_env_steps_dropped")
        [ "$tk" -eq $((rcv + dr)) ] && ok || bad "$d: rank $k took $tk env steps, the learner added $rcv and dropped $dr"
        tot=$((tot + rcv))
        k=$((k + 1))
    done
    [ "$tot" -eq "$S" ] && ok || bad "$d: the collectors' steps add up to $tot, not $S"
}

# 1. SAC, 1 learner + 1 collector: 4 updates per 4 steps from step 200, actor every 4 updates
SAC="train sac Pendulum-v1 --steps 1000 --quiet --eval-episodes 0 --save-buffer --set learning_starts=200
   --set net_arch=32,32 --set batch_size=32 --set train_freq=4 --set gradient_steps=4 --set sync_interval=4
   --set checkpoint_freq=500 --set sync=0"
timeout 300 $M "$ACRL" $SAC --out "$TMP/a" --ranks-info >/dev/null 2>"$TMP/a.err" || bad "sac sync = 0 failed: $(cat "$TMP/a.err")"
check_ratio "$TMP/a" 4 4 1 200 4 4
[ "$(field "$TMP/a" steps)" -ge 1000 ] && ok || bad "sac sync = 0 stopped at $(field "$TMP/a" steps) steps"
[ -f "$TMP/a/final.ckpt" ] && [ -f "$TMP/a/policy.ckpt" ] && ok || bad "sac sync = 0 wrote no final.ckpt / policy.ckpt"
grep -q "sync = 0 (asynchronous, max_lag 4): rank 0 [0-9]* updates" "$TMP/a.err" && ok || bad "--ranks-info: $(cat "$TMP/a.err")"
grep -q '^sync = false$' "$TMP/a/config.ini" && ok || bad "config.ini lacks sync = false"
for f in final policy; do
    "$ACRL" eval "$TMP/a/$f.ckpt" --episodes 1 >/dev/null 2>"$TMP/ae.err" && ok || bad "eval of $f.ckpt without mpirun: $(cat "$TMP/ae.err")"
done

# 2. half an update per env step (train_freq 4, gradient_steps 2), max_lag 2; TD3 with 2
#    collectors of 2 copies (3 ranks), one update per vectorized step of all 4 copies
timeout 300 $M "$ACRL" $SAC --set gradient_steps=2 --set max_lag=2 --out "$TMP/b" >/dev/null 2>"$TMP/b.err" ||
    bad "sac gradient_steps=2 failed: $(cat "$TMP/b.err")"
check_ratio "$TMP/b" 2 4 1 200 2 4
TD3="train td3 Pendulum-v1 --steps 1200 --envs 4 --quiet --eval-episodes 0 --set learning_starts=200 --set net_arch=32,32
   --set batch_size=32 --set sync=0 --save-buffer"
timeout 300 mpirun -n 3 "$ACRL" $TD3 --out "$TMP/t" >/dev/null 2>"$TMP/t.err" || bad "td3, 2 collectors, sync = 0 failed: $(cat "$TMP/t.err")"
check_ratio "$TMP/t" 1 1 4 200 4 1
"$ACRL" eval "$TMP/t/final.ckpt" --episodes 1 >/dev/null 2>"$TMP/te.err" && ok || bad "eval of the td3 checkpoint: $(cat "$TMP/te.err")"

# 3. resume: --stop-at, then resume to the end with a warning; the ratio holds over both parts
timeout 300 $M "$ACRL" $SAC --out "$TMP/r" --stop-at 600 >/dev/null 2>&1 || bad "stopped sac run failed"
timeout 300 $M "$ACRL" train --resume "$TMP/r" --quiet --eval-episodes 0 >/dev/null 2>"$TMP/r.err" ||
    bad "sync = 0 resume failed: $(cat "$TMP/r.err")"
grep -q "warning: this resume is not exact: with sync = 0" "$TMP/r.err" && ok || bad "resume warning: $(cat "$TMP/r.err")"
[ "$(field "$TMP/r" steps)" -ge 1000 ] && [ "$(field "$TMP/r" finished)" = true ] && ok ||
    bad "resumed run: steps $(field "$TMP/r" steps), finished $(field "$TMP/r" finished)"
S2=$(field "$TMP/r" steps)
[ "$(field "$TMP/r" updates)" = $((4 * (S2 / 4 - 50))) ] && ok || bad "resumed run: $(field "$TMP/r" updates) updates for $S2 steps"
mpirun -n 3 "$ACRL" train --resume "$TMP/r" --quiet >/dev/null 2>"$TMP/r3.err" && bad "3-rank resume of a 2-rank run succeeded"
grep -q "written by mpirun with 2 processes; this run has 3 ranks" "$TMP/r3.err" && ok || bad "R message: $(cat "$TMP/r3.err")"

# 4. a collector's stop request (SIGTERM to rank 1): the run stops, last.ckpt written
LONG="train sac Pendulum-v1 --steps 200000 --quiet --eval-episodes 0 --set learning_starts=200 --set net_arch=32,32
   --set batch_size=32 --set sync=0"
$M "$ACRL" $LONG --out "$TMP/s" >/dev/null 2>"$TMP/s.err" &
mp=$!
r1=""
for i in $(seq 1 100); do
    for p in $(pgrep -P "$mp" 2>/dev/null); do
        grep -qz '^OMPI_COMM_WORLD_RANK=1$' "/proc/$p/environ" 2>/dev/null && r1=$p
    done
    [ -n "$r1" ] && [ -f "$TMP/s/progress.csv" ] && break
    sleep 0.2
done
sleep 1
if [ -n "$r1" ]; then kill -TERM "$r1"; else bad "rank 1 of the stop test not found"; fi
for i in $(seq 1 300); do kill -0 "$mp" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$mp" 2>/dev/null; then bad "the run did not stop after rank 1's stop request"; kill -KILL "$mp"; fi
wait "$mp"
grep -q "interrupted at step [0-9]*; continue with --resume" "$TMP/s.err" && ok || bad "stop request: $(cat "$TMP/s.err")"
[ -f "$TMP/s/last.ckpt" ] && ok || bad "no last.ckpt after the stop request"

# 5. refusals
"$ACRL" train sac Pendulum-v1 --steps 64 --set sync=0 --out "$TMP/x1" >/dev/null 2>"$TMP/x1.err" && bad "sync = 0 in one process succeeded"
grep -q "sync = 0 (asynchronous collectors) applies to the off-policy algorithms under mpirun" "$TMP/x1.err" && ok ||
    bad "one-process message: $(cat "$TMP/x1.err")"
$M "$ACRL" train ppo CartPole-v1 --steps 64 --set sync=0 --out "$TMP/x2" >/dev/null 2>"$TMP/x2.err" && bad "ppo sync = 0 succeeded"
grep -q "not to ppo and a2c" "$TMP/x2.err" && ok || bad "ppo message: $(cat "$TMP/x2.err")"
$M "$ACRL" train sac Pendulum-v1 --steps 64 --set max_lag=3 --out "$TMP/x3" >/dev/null 2>"$TMP/x3.err" && bad "max_lag with sync = 1 succeeded"
grep -q "max_lag = 3 applies with sync = 0" "$TMP/x3.err" && ok || bad "max_lag message: $(cat "$TMP/x3.err")"
$M "$ACRL" train sac Pendulum-v1 --steps 64 --set sync=0 --set max_lag=0 --out "$TMP/x4" >/dev/null 2>"$TMP/x4.err"
[ $? -eq 2 ] && grep -q "max_lag = 0 is out of range" "$TMP/x4.err" && ok || bad "max_lag = 0: $(cat "$TMP/x4.err")"
mpirun -n 3 "$ACRL" train td3 Pendulum-v1 --envs 2 --steps 64 --set sync=0 --set n_step=3 --out "$TMP/x5" >/dev/null 2>"$TMP/x5.err" &&
    bad "n_step = 3 with 2 asynchronous collectors succeeded"
grep -q "n_step = 3 does not combine with sync = 0 and 2 collectors" "$TMP/x5.err" && ok || bad "n_step message: $(cat "$TMP/x5.err")"
"$ACRL" train --resume "$TMP/r" --quiet >/dev/null 2>"$TMP/x6.err" && bad "one-process resume of a sync = 0 run succeeded"
grep -q "resume it under mpirun -n 2" "$TMP/x6.err" && ok || bad "one-process resume message: $(cat "$TMP/x6.err")"

# 6. the learner stops answering: the collector fails after --comm-timeout instead of hanging
t0=$(date +%s)
ACRL_FAULT_STALL=0:400 timeout 300 $M "$ACRL" $SAC --out "$TMP/st" --comm-timeout 3 >/dev/null 2>"$TMP/st.err" && bad "stalled run succeeded"
t1=$(date +%s)
grep -q "rank 1 waited 3 s for the learner" "$TMP/st.err" && ok || bad "stall message: $(cat "$TMP/st.err")"
[ $((t1 - t0)) -lt 120 ] && ok || bad "the stalled run took $((t1 - t0)) s to stop"

finish test_mpi_async_slow
