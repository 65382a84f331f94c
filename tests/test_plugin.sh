#!/bin/sh
# --plugin: the example plugin (examples/target_reach.c) on every command that takes an env
# id, the run directory remembering it (resume, eval DIR, eval DIR/final.ckpt), and refused
# plugins (no entry point, duplicate id, not a shared object, missing) with exit code 2.
# Usage: sh tests/test_plugin.sh /path/to/acrl (plugins are found next to it in the build).
ACRL=${1:?usage: test_plugin.sh /path/to/acrl}
BUILD=$(dirname "$ACRL")
PLUGIN=$BUILD/examples/libtarget_reach.so
. "$(dirname "$0")/harness.sh"

# expect_error PATTERN ARGS...: exit code 2 and PATTERN in the one stderr line
expect_error() {
    pat=$1
    shift
    "$ACRL" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    msg=$(cat "$TMP/err")
    if [ "$rc" -ne 2 ]; then bad "acrl $*: exit code $rc, want 2 ($msg)"; return; fi
    case "$msg" in
        "acrl: "*"$pat"*) ok ;;
        *) bad "acrl $*: message '$msg' lacks '$pat'" ;;
    esac
}
# expect_ok WHAT ARGS...: exit code 0
expect_ok() {
    what=$1
    shift
    if "$ACRL" "$@" >"$TMP/out" 2>"$TMP/err"; then ok; else bad "$what: acrl $* failed: $(cat "$TMP/err")"; fi
}

[ -f "$PLUGIN" ] || { echo "FAIL: $PLUGIN not built" >&2; exit 1; }

# envs: the plugin's env is listed with its spaces, time limit and threshold
expect_ok "envs --plugin" envs --plugin "$PLUGIN"
row=$(grep '^TargetReach-v0 ' "$TMP/out" | tr -s ' ')
[ "$row" = "TargetReach-v0 Box(2,) Discrete(3) 100 0.5" ] && ok || bad "envs row: '$row'"

# rollout: same seed, same episode; the episode ends on arrival (+1, terminated)
expect_ok "rollout --plugin" rollout TargetReach-v0 --plugin "$PLUGIN" --seed 3 --actions random
cp "$TMP/out" "$TMP/roll1"
"$ACRL" rollout TargetReach-v0 --plugin "$PLUGIN" --seed 3 --actions random >"$TMP/roll2"
cmp -s "$TMP/roll1" "$TMP/roll2" && ok || bad "rollout not reproducible"
# the episode ends: at the target (terminated) or at the time limit of 100 steps (truncated)
last=$(tail -n 1 "$TMP/roll1")
case "$last" in *,1,0|*,0,1) ok ;; *) bad "last rollout row '$last' is not an episode end" ;; esac

# without the plugin the id is unknown
expect_error "unknown env id 'TargetReach-v0'" train ppo TargetReach-v0 --steps 100
expect_error "unknown env id 'TargetReach-v0'" rollout TargetReach-v0

# train, then resume and evaluate without naming the plugin again
expect_ok "train --plugin" train ppo TargetReach-v0 --plugin "$PLUGIN" --out "$TMP/run" --steps 4096 --quiet \
    --set n_envs=4 --set n_steps=256 --eval-episodes 2
want=$(cd "$(dirname "$PLUGIN")" && pwd)/libtarget_reach.so
[ "$(cat "$TMP/run/plugin" 2>/dev/null)" = "$want" ] && ok || bad "run/plugin: '$(cat "$TMP/run/plugin" 2>/dev/null)', want '$want'"
expect_ok "eval RUN_DIR" eval "$TMP/run" --episodes 3
e1=$(cat "$TMP/out")
expect_ok "eval RUN_DIR/final.ckpt" eval "$TMP/run/final.ckpt" --episodes 3
[ "$(cat "$TMP/out")" = "$e1" ] && ok || bad "eval of the dir and of final.ckpt differ"
expect_ok "resume" train --resume "$TMP/run" --steps 6144 --quiet --eval-episodes 2
grep -q '"steps": 6144' "$TMP/run/summary.json" && ok || bad "resumed run did not reach 6144 steps"
# an explicit --plugin equal to the recorded one is loaded once (no duplicate registration)
expect_ok "eval RUN_DIR --plugin" eval "$TMP/run" --episodes 3 --plugin "$PLUGIN"

# an explicit --plugin replaces the recorded one (here a copy at another path)
cp "$PLUGIN" "$TMP/copy.so"
expect_ok "resume --plugin copy" train --resume "$TMP/run" --steps 8192 --quiet --eval-episodes 2 --plugin "$TMP/copy.so"
[ "$(cat "$TMP/run/plugin")" = "$(cd "$TMP" && pwd -P)/copy.so" ] && ok || bad "run/plugin after resume: '$(cat "$TMP/run/plugin")'"
expect_ok "eval after the replacement" eval "$TMP/run" --episodes 2
# a run refused before its directory exists leaves one message and no directory
expect_error "unknown algorithm 'ppq'" train ppq TargetReach-v0 --plugin "$PLUGIN" --out "$TMP/never"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && [ ! -e "$TMP/never" ] && ok || bad "refused run: $(cat "$TMP/err")"

# refused plugins
expect_error "no entry point acrl_plugin_init" envs --plugin "$BUILD/tests/plugins/libplugin_noinit.so"
expect_error "env id 'CartPole-v1' is already registered" train ppo CartPole-v1 \
    --plugin "$BUILD/tests/plugins/libplugin_dup.so"
expect_error "cannot load" rollout CartPole-v1 --plugin "$0"
expect_error "No such file" eval "$TMP/run" --plugin "$TMP/missing.so"
expect_error "--plugin' needs a value" envs --plugin
# a run whose recorded plugin is gone
echo "$TMP/gone.so" >"$TMP/run/plugin"
expect_error "gone.so" eval "$TMP/run"

finish test_plugin
