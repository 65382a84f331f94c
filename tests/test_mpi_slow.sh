#!/bin/sh
# Data-parallel training under mpirun with 2 ranks (docs/distributed.md): the layout
# equivalence (mpirun -n 2 with 4 env copies per rank writes the same final checkpoint, byte
# for byte, as one process with 8 copies in shards = 2), reruns byte-identical, parameters
# identical on every rank (checked at every update's checkpoint; a deliberately desynced
# rank is caught), exact resume with 2 ranks, and the refusals and
# the timeout; distributed SAC/TD3 (one learner, collectors): reruns byte-identical, exact
# resume with the same rank count, refusals. Skipped (exit 77) without mpirun or in a build without MPI.
# Usage: sh tests/test_mpi_slow.sh /path/to/acrl
#
# What it sets for Open MPI 4.1 in a container, as root, on 2 cores:
#   OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1   mpirun refuses root otherwise
#   OMPI_MCA_rmaps_base_oversubscribe=1                         more ranks than cores (3 below)
#   OMPI_MCA_btl=self,vader                                     shared memory only, no TCP probing
# Shared memory keeps its default single-copy mechanism (CMA), which works in this container
# and is 100x faster for 570 KB allgathers on a loaded machine than
# btl_vader_single_copy_mechanism=none (the setting for containers where CMA fails with
# "Read -1, expected ..., errno = 1").
ACRL=${1:?usage: test_mpi_slow.sh /path/to/acrl}
command -v mpirun >/dev/null 2>&1 || { echo "test_mpi_slow: SKIPPED: no mpirun (apt-get install openmpi-bin)"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
    OMPI_MCA_btl=self,vader
. "$(dirname "$0")/harness.sh"
same() { if cmp -s "$2" "$3"; then ok; else bad "$1: $2 and $3 differ"; fi; }
M="mpirun -n 2"

if $M "$ACRL" train ppo CartPole-v1 --steps 64 --quiet --out "$TMP/probe" --eval-episodes 0 2>&1 |
        grep -q "built without MPI"; then
    echo "test_mpi_slow: SKIPPED: this acrl was built without MPI (-DACRL_MPI=OFF or no libopenmpi-dev)"
    exit 77
fi

# 1. layout equivalence and reruns: PPO with observation/reward normalization, A2C
P="train ppo CartPole-v1 --steps 4096 --envs 8 --quiet --eval-episodes 0 --set n_steps=32 --set batch_size=64
   --set n_epochs=4 --set normalize=1 --set normalize_reward=1 --set checkpoint_freq=256"
"$ACRL" $P --set shards=2 --out "$TMP/one" >/dev/null 2>&1 || bad "one process, shards=2 failed"
$M "$ACRL" $P --out "$TMP/two" --ranks-info >/dev/null 2>"$TMP/two.err" || bad "mpirun -n 2 failed: $(cat "$TMP/two.err")"
$M "$ACRL" $P --out "$TMP/two2" >/dev/null 2>&1 || bad "mpirun -n 2 rerun failed"
same "ppo: 2 ranks x 4 envs against 1 process x 8 envs in 2 shards" "$TMP/one/final.ckpt" "$TMP/two/final.ckpt"
same "ppo: rerun with 2 ranks" "$TMP/two/final.ckpt" "$TMP/two2/final.ckpt"
same "ppo: best.ckpt" "$TMP/one/last.ckpt" "$TMP/two/last.ckpt"
grep -q '^shards = 2$' "$TMP/two/config.ini" && ok || bad "mpirun -n 2 config.ini lacks shards = 2"
# parameters compared across ranks at every checkpoint (every update here) and at the end
grep -q "parameters identical on all 2 ranks (crc32c [0-9a-f]*)" "$TMP/two.err" && ok ||
    bad "--ranks-info lacks the parameter check: $(cat "$TMP/two.err")"
grep -q "ranks 2, shards 2, env copies 8 (4 per rank)" "$TMP/two.err" && ok || bad "--ranks-info: $(cat "$TMP/two.err")"
grep -q '"ranks": 2' "$TMP/two/summary.json" && grep -q '"comm_seconds_max"' "$TMP/two/summary.json" && ok ||
    bad "summary.json lacks ranks / comm_seconds_max"
# rank 1 alone changes a weight: the check stops the run with an error naming the ranks
ACRL_FAULT_DESYNC=1:1024 $M "$ACRL" $P --out "$TMP/desync" >/dev/null 2>"$TMP/desync.err" && bad "desynced run succeeded"
grep -q "ranks hold different parameters: rank 0 crc32c [0-9a-f]*, rank 1 [0-9a-f]*" "$TMP/desync.err" && ok ||
    bad "desync message: $(cat "$TMP/desync.err")"
A="train a2c CartPole-v1 --steps 2000 --envs 4 --quiet --eval-episodes 0 --set normalize=1"
"$ACRL" $A --set shards=2 --out "$TMP/a1" >/dev/null 2>&1 || bad "a2c one process failed"
$M "$ACRL" $A --out "$TMP/a2" >/dev/null 2>&1 || bad "a2c mpirun -n 2 failed"
same "a2c: 2 ranks x 2 envs against 1 process x 4 envs in 2 shards" "$TMP/a1/final.ckpt" "$TMP/a2/final.ckpt"

# 2. resume with 2 ranks: the same bytes as the uninterrupted run; also in one process
$M "$ACRL" $P --out "$TMP/r2" --stop-at 2048 >/dev/null 2>&1 || bad "stopped 2-rank run failed"
$M "$ACRL" train --resume "$TMP/r2" --quiet --eval-episodes 0 >/dev/null 2>&1 || bad "2-rank resume failed"
same "resume with 2 ranks" "$TMP/two/final.ckpt" "$TMP/r2/final.ckpt"
$M "$ACRL" $P --out "$TMP/r1" --stop-at 2048 >/dev/null 2>&1 || bad "stopped 2-rank run failed"
"$ACRL" train --resume "$TMP/r1" --quiet --eval-episodes 0 >/dev/null 2>&1 || bad "1-process resume failed"
same "2-rank checkpoint resumed by one process" "$TMP/two/final.ckpt" "$TMP/r1/final.ckpt"
# a rank count that does not divide the checkpoint's shards is refused, naming both
$M "$ACRL" $P --out "$TMP/r3" --stop-at 1024 >/dev/null 2>&1
mpirun -n 3 "$ACRL" train --resume "$TMP/r3" --quiet >/dev/null 2>"$TMP/r3.err" && bad "3-rank resume of a 2-shard run succeeded"
grep -q "written with shards = 2 (8 env copies); it cannot resume under mpirun with 3 ranks" "$TMP/r3.err" && ok ||
    bad "3-rank resume message: $(cat "$TMP/r3.err")"

# 3. distributed off-policy: rank 0 learns, the others collect; fixed schedule, so reruns
#    with the same R are byte-identical, and a resume with the same R is exact
S="train sac Pendulum-v1 --steps 1000 --quiet --eval-episodes 0 --save-buffer --set learning_starts=200
   --set net_arch=32,32 --set batch_size=32 --set train_freq=4 --set gradient_steps=4 --set sync_interval=4
   --set checkpoint_freq=500"
$M "$ACRL" $S --out "$TMP/q1" --ranks-info >/dev/null 2>"$TMP/q1.err" || bad "sac 1 learner + 1 collector failed: $(cat "$TMP/q1.err")"
$M "$ACRL" $S --out "$TMP/q2" >/dev/null 2>&1 || bad "sac rerun failed"
same "sac: rerun with 1 learner + 1 collector" "$TMP/q1/final.ckpt" "$TMP/q2/final.ckpt"
grep -q "1 learner, 1 collectors of 1 env copies; env steps/s received by the learner" "$TMP/q1.err" && ok ||
    bad "sac --ranks-info: $(cat "$TMP/q1.err")"
grep -q '"updates_per_second"' "$TMP/q1/summary.json" && ok || bad "summary.json lacks updates_per_second"
$M "$ACRL" $S --out "$TMP/q3" --stop-at 600 >/dev/null 2>&1 || bad "stopped sac run failed"
$M "$ACRL" train --resume "$TMP/q3" --quiet --eval-episodes 0 >/dev/null 2>&1 || bad "sac resume failed"
same "sac: resume with 1 learner + 1 collector" "$TMP/q1/final.ckpt" "$TMP/q3/final.ckpt"
# the learner's checkpoint evaluates without mpirun
"$ACRL" eval "$TMP/q1/final.ckpt" --episodes 2 >/dev/null 2>"$TMP/qe.err" && ok || bad "eval of a 2-rank sac checkpoint: $(cat "$TMP/qe.err")"
mpirun -n 3 "$ACRL" train --resume "$TMP/q3" --quiet >/dev/null 2>"$TMP/q3.err" && bad "3-rank resume of a 2-rank sac run succeeded"
grep -q "written by mpirun with 2 processes; this run has 3 ranks" "$TMP/q3.err" && ok || bad "sac R message: $(cat "$TMP/q3.err")"
"$ACRL" train --resume "$TMP/q3" --quiet >/dev/null 2>"$TMP/q4.err" && bad "one-process resume of a 2-rank sac run succeeded"
grep -q "resume it under mpirun -n 2" "$TMP/q4.err" && ok || bad "sac one-process message: $(cat "$TMP/q4.err")"
T="train td3 Pendulum-v1 --steps 800 --envs 2 --quiet --eval-episodes 0 --set learning_starts=200 --set net_arch=32,32
   --set batch_size=32"
mpirun -n 3 "$ACRL" $T --out "$TMP/t1" >/dev/null 2>&1 || bad "td3 1 learner + 2 collectors failed"
mpirun -n 3 "$ACRL" $T --out "$TMP/t2" >/dev/null 2>&1 || bad "td3 rerun failed"
same "td3: rerun with 1 learner + 2 collectors" "$TMP/t1/final.ckpt" "$TMP/t2/final.ckpt"
$M "$ACRL" train sac Pendulum-v1 --steps 64 --set normalize=1 --out "$TMP/n" >/dev/null 2>"$TMP/n.err" && bad "normalize under mpirun succeeded"
grep -q "normalize and normalize_reward are not supported by sac under mpirun" "$TMP/n.err" && ok || bad "normalize message: $(cat "$TMP/n.err")"
mpirun -n 3 "$ACRL" train sac Pendulum-v1 --envs 3 --steps 64 --out "$TMP/c3" >/dev/null 2>"$TMP/c3.err" && bad "3 envs on 2 collectors succeeded"
grep -q "n_envs = 3 cannot be split over 2 collectors" "$TMP/c3.err" && ok || bad "collectors message: $(cat "$TMP/c3.err")"
# (SAC Pendulum-v1 with 1 learner + 1 collector learning: tests/test_mpi_learn_slow.sh)

# 4. refusals: one-process algorithms, layouts that do not split
$M "$ACRL" train a3c CartPole-v1 --steps 64 --out "$TMP/a3" >/dev/null 2>"$TMP/a3.err" && bad "a3c under mpirun succeeded"
grep -q "a3c cannot run under mpirun" "$TMP/a3.err" && ok || bad "a3c message: $(cat "$TMP/a3.err")"
$M "$ACRL" train ppo CartPole-v1 --envs 3 --steps 64 --out "$TMP/e3" >/dev/null 2>"$TMP/e3.err" && bad "3 envs on 2 ranks succeeded"
grep -q "n_envs = 3 cannot be split into shards = 2" "$TMP/e3.err" && ok || bad "3 envs message: $(cat "$TMP/e3.err")"
[ "$(grep -c "cannot be split" "$TMP/e3.err")" -eq 1 ] && ok || bad "the layout error is reported more than once"
$M "$ACRL" eval "$TMP/one/final.ckpt" >/dev/null 2>"$TMP/ev.err" && bad "eval under mpirun -n 2 succeeded"
grep -q "only 'acrl train' runs under mpirun" "$TMP/ev.err" && ok || bad "eval message: $(cat "$TMP/ev.err")"

# 5. a rank that stops answering: the other stops with an error after --comm-timeout
t0=$(date +%s)
ACRL_FAULT_STALL=1:512 $M "$ACRL" $P --out "$TMP/stall" --comm-timeout 3 >/dev/null 2>"$TMP/stall.err" && bad "stalled run succeeded"
t1=$(date +%s)
grep -q "rank 0 waited 3 s for an allgather: another rank stopped or hangs" "$TMP/stall.err" && ok ||
    bad "stall message: $(cat "$TMP/stall.err")"
[ $((t1 - t0)) -lt 120 ] && ok || bad "the stalled run took $((t1 - t0)) s to stop"

finish test_mpi_slow
