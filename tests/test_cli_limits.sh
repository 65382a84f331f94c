#!/bin/sh
# Configurations whose buffers cannot fit: `acrl train` refuses them before allocating
# them (exit code 2, a message with the size needed; the sanitizer build would stop on an
# attempt to allocate them), and creates no run directory.
# Usage: sh tests/test_cli_limits.sh /path/to/acrl
ACRL=${1:?usage: test_cli_limits.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"

# refused PATTERN ALGO ENV --set ...: exit 2, one message line containing PATTERN, no run dir
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

# n_steps * n_envs beyond what a rollout can index (2.56e9 steps)
refused "n_steps * n_envs = 10000000 * 256 = 2560000000 rollout steps; at most 1073741824" \
    ppo CartPole-v1 --set n_steps=10000000 --set n_envs=256
# fits an int, not memory: A2C's networks see the whole rollout (1e9 rows)
refused "a2c's rollout and networks (n_steps 10000000 x n_envs 100 = 1000000000 rows) need "*" TiB ("*" bytes) of memory; this machine has" \
    a2c CartPole-v1 --set n_steps=10000000 --set n_envs=100
refused "ppo's rollout (n_steps 10000000 x n_envs 100) and networks (batch 100000000) need "*" TiB ("*" bytes) of memory" \
    ppo CartPole-v1 --set n_steps=10000000 --set n_envs=100 --set batch_size=100000000 --set net_arch=4096,4096,4096
refused "a3c's 64 workers' rollouts and networks"*" need "*" TiB (" \
    a3c CartPole-v1 --set n_steps=10000000 --set n_envs=100 --set n_workers=64
refused "a3c: n_workers * n_envs = 256 * 1000 = 256000 env copies; at most 65536" \
    a3c CartPole-v1 --set n_envs=1000 --set n_workers=256
# replay buffer of 1e9 transitions and 4096-wide networks for a batch of 1e6 (all above 1 TiB)
refused "sac's replay buffer (buffer_size 1000000000, obs 3, act 1) and networks (batch 1000000) need "*" TiB (" \
    sac Pendulum-v1 --set buffer_size=1000000000 --set batch_size=1000000 --set net_arch=4096,4096,4096,4096,4096,4096,4096
refused "td3's replay buffer"*"need "*" TiB (" \
    td3 Pendulum-v1 --set batch_size=1000000 --set net_arch=4096,4096,4096,4096,4096,4096,4096
refused "pmoe's replay buffer"*"and networks (batch 1000000) need "*" TiB (" \
    pmoe Pendulum-v1 --set batch_size=1000000 --set net_arch=4096,4096,4096,4096,4096,4096,4096
refused "dsact's replay buffer"*"and networks (batch 1000000) need "*" TiB (" \
    dsact Pendulum-v1 --set batch_size=1000000 --set net_arch=4096,4096,4096,4096,4096,4096,4096
refused "stac's replay buffer"*"and networks (batch 1000000) need "*" TiB (" \
    stac Pendulum-v1 --set batch_size=1000000 --set net_arch=4096,4096,4096,4096,4096,4096,4096
refused "sac's replay buffer (buffer_size 100000, obs 4, act 1) and networks (batch 1000000) need " \
    sac CartPole-v1 --set batch_size=1000000 --set net_arch=4096,4096,4096,4096,4096,4096,4096

finish test_cli_limits
