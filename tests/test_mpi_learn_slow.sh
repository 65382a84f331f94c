#!/bin/sh
# PPO solves CartPole-v1 (RL Zoo preset, 8 env copies: 4 per rank) under mpirun -n 2, and SAC
# on Pendulum-v1 with 1 learner + 1 collector reaches -250 in 20,000 steps (the RLtools-settings
# preset, 64x64: about 20 CPU-seconds), with the lock-step schedule (sync = 1) and with
# asynchronous collectors (sync = 0) (docs/distributed.md); the learning half of
# test_mpi_slow.sh, apart so that ctest -j runs both at once. Skipped (exit 77) without mpirun or in a build without MPI; sets what
# test_mpi_slow.sh sets for Open MPI. Usage: sh tests/test_mpi_learn_slow.sh /path/to/acrl
ACRL=${1:?usage: test_mpi_learn_slow.sh /path/to/acrl}
command -v mpirun >/dev/null 2>&1 || { echo "test_mpi_learn_slow: SKIPPED: no mpirun (apt-get install openmpi-bin)"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
    OMPI_MCA_btl=self,vader
. "$(dirname "$0")/harness.sh"
same() { if cmp -s "$2" "$3"; then ok; else bad "$1: $2 and $3 differ"; fi; }
M="mpirun -n 2"
if $M "$ACRL" train ppo CartPole-v1 --steps 64 --quiet --out "$TMP/probe" --eval-episodes 0 2>&1 |
        grep -q "built without MPI"; then
    echo "test_mpi_learn_slow: SKIPPED: this acrl was built without MPI (-DACRL_MPI=OFF or no libopenmpi-dev)"
    exit 77
fi

# PPO solves CartPole-v1 (RL Zoo preset, 8 copies: 4 per rank) with 2 ranks
$M "$ACRL" train ppo CartPole-v1 --quiet --out "$TMP/solve" >/dev/null 2>&1 || bad "2-rank CartPole run failed"
awk -F': ' '/"eval_return_mean"/ { v = $2 + 0 } END { exit !(v >= 475) }' "$TMP/solve/summary.json" && ok ||
    bad "2-rank PPO CartPole-v1: $(grep eval_return_mean "$TMP/solve/summary.json")"

# SAC Pendulum-v1, 1 learner + 1 collector, 20,000 steps: eval return >= -250
CFG=$(cd "$(dirname "$0")/.." && pwd)/configs/sac/Pendulum-v1-rltools.ini
$M "$ACRL" train sac Pendulum-v1 --config "$CFG" --steps 20000 --quiet --out "$TMP/sacp" >/dev/null 2>&1 ||
    bad "sac Pendulum run failed"
echo "  sac Pendulum-v1, 1 learner + 1 collector: $(grep eval_return_mean "$TMP/sacp/summary.json")"
awk -F': ' '/"eval_return_mean"/ { v = $2 + 0 } END { exit !(v >= -250) }' "$TMP/sacp/summary.json" && ok ||
    bad "sac Pendulum-v1 with 1 learner + 1 collector: $(grep eval_return_mean "$TMP/sacp/summary.json")"

# the same with asynchronous collectors (sync = 0): the collector steps while the learner trains
$M "$ACRL" train sac Pendulum-v1 --config "$CFG" --steps 20000 --set sync=0 --quiet --out "$TMP/saca" >/dev/null 2>&1 ||
    bad "sac Pendulum run with sync = 0 failed"
echo "  sac Pendulum-v1, 1 learner + 1 collector, sync = 0: $(grep eval_return_mean "$TMP/saca/summary.json")"
awk -F': ' '/"eval_return_mean"/ { v = $2 + 0 } END { exit !(v >= -250) }' "$TMP/saca/summary.json" && ok ||
    bad "sac Pendulum-v1 with 1 learner + 1 collector, sync = 0: $(grep eval_return_mean "$TMP/saca/summary.json")"

finish test_mpi_learn_slow
