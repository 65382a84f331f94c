#!/bin/sh
# How acrl treats files: inputs that are not regular files (a FIFO would block, a directory
# reads as empty) are refused; over-long paths are refused, never truncated; temp files of
# checkpoint writers that were killed are removed when a run starts or resumes; I/O errors
# (a full disk: a small tmpfs, or /dev/full where mounting is not permitted) exit 1 with the
# path and the system's reason, no usage hint, and leave no empty file and the previous
# checkpoint intact. Usage: sh tests/test_files.sh /path/to/acrl
ACRL=${1:?usage: test_files.sh /path/to/acrl}
pass=0
fail=0
TMP=$(mktemp -d)
MNT=""
cleanup() {
    if [ -n "$MNT" ]; then umount "$MNT" 2>/dev/null; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# run_acrl ARGS...: runs acrl with a time limit (a blocked open shows as exit code 124)
run_acrl() {
    timeout 20 "$ACRL" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    msg=$(cat "$TMP/err")
}

# expect_error PATTERN ARGS...: bad input: exit code 2, the message and the usage hint
expect_error() {
    pat=$1
    shift
    run_acrl "$@"
    if [ "$rc" -ne 2 ]; then bad "acrl $*: exit code $rc, want 2 ($msg)"; return; fi
    case "$msg" in
        "acrl: "*"$pat"*"see 'acrl help"*) ok ;;
        *) bad "acrl $*: message '$msg' lacks '$pat' or the hint" ;;
    esac
}

# expect_io_error PATTERN ARGS...: an I/O error: exit code 1, PATTERN (path and reason),
# one line, no usage hint
expect_io_error() {
    pat=$1
    shift
    run_acrl "$@"
    if [ "$rc" -ne 1 ]; then bad "acrl $*: exit code $rc, want 1 ($msg)"; return; fi
    case "$msg" in
        *"see 'acrl help"*) bad "acrl $*: an I/O error with the usage hint: '$msg'" ;;
        "acrl: "*"$pat"*) ok ;;
        *) bad "acrl $*: message '$msg' lacks '$pat'" ;;
    esac
    if [ "$(printf '%s\n' "$msg" | wc -l)" -ne 1 ]; then bad "acrl $*: more than one stderr line: $msg"; fi
}

# no_empty_files DIR WHAT: no 0-byte file and no checkpoint temp file under DIR
no_empty_files() {
    left=$(find "$1" -type f \( -empty -o -name '*.tmp.*' \) 2>/dev/null)
    if [ -z "$left" ]; then ok; else bad "$2: left behind: $left"; fi
}

# a small PPO run on CartPole: 64 steps per iteration, a checkpoint every iteration
TRAIN="ppo CartPole-v1 --quiet --eval-episodes 0 --envs 1 --set n_steps=64 --set batch_size=64 --set n_epochs=1
       --set eval_freq=0 --set checkpoint_freq=64"

# ---- inputs that are not regular files ------------------------------------------------
mkfifo "$TMP/fifo"
mkdir "$TMP/dir"
"$ACRL" train $TRAIN --steps 128 --out "$TMP/good" >/dev/null 2>&1 || bad "the reference run failed"
expect_error "checkpoint $TMP/fifo is a FIFO, not a regular file" eval "$TMP/fifo"
expect_error "config $TMP/fifo is a FIFO, not a regular file" train ppo CartPole-v1 --config "$TMP/fifo"
expect_error "actions file $TMP/fifo is a FIFO, not a regular file" rollout CartPole-v1 --actions "$TMP/fifo"
expect_error "actions file $TMP/dir is a directory, not a regular file" rollout CartPole-v1 --actions "$TMP/dir"
expect_error "is a directory" train ppo CartPole-v1 --config "$TMP/dir"
mkdir "$TMP/fiforun"
mkfifo "$TMP/fiforun/last.ckpt"
expect_error "checkpoint $TMP/fiforun/last.ckpt is a FIFO" train --resume "$TMP/fiforun"
mkdir "$TMP/dirrun"
mkdir "$TMP/dirrun/last.ckpt"
expect_error "checkpoint $TMP/dirrun/last.ckpt is a directory" eval "$TMP/dirrun"

# ---- over-long paths are refused, nothing is written elsewhere --------------------------
long=$(printf '%01100d' 0)
before=$(ls "$TMP" | wc -l)
expect_error "run directory path too long ($((${#TMP} + 1101)) bytes, at most 1023)" train $TRAIN --steps 64 --out "$TMP/$long"
expect_error "run directory path too long" train --resume "$TMP/$long"
expect_eq_count=$(ls "$TMP" | wc -l)
if [ "$expect_eq_count" -eq "$before" ]; then ok; else bad "an over-long --out still created: $(ls "$TMP")"; fi
ACRL_CONFIG_DIR="$TMP/$long" run_acrl train $TRAIN --steps 64 --out "$TMP/preset"
case "$rc:$msg" in 2:*"preset path too long"*) ok ;; *) bad "over-long ACRL_CONFIG_DIR: exit $rc: $msg" ;; esac

# ---- stale checkpoint temp files of killed runs --------------------------------------------
dead=$(sh -c 'echo $$')   # the pid of a process that has exited
R="$TMP/good"
echo partial >"$R/last.ckpt.tmp.$dead"
echo partial >"$R/best.ckpt.tmp.$dead"
echo mine >"$R/last.ckpt.tmp.$$"          # a live process: kept
echo notes >"$R/notes.tmp.$dead"          # not a checkpoint temp file: kept
run_acrl train --resume "$R" --steps 1024 --quiet
if [ "$rc" -eq 0 ]; then ok; else bad "resume with stale temp files: exit $rc: $msg"; fi
if [ ! -e "$R/last.ckpt.tmp.$dead" ] && [ ! -e "$R/best.ckpt.tmp.$dead" ]; then ok
else bad "resume left the stale temp files of pid $dead: $(ls "$R")"; fi
if [ -e "$R/last.ckpt.tmp.$$" ] && [ -e "$R/notes.tmp.$dead" ]; then ok
else bad "resume removed files it must keep: $(ls "$R")"; fi
echo partial >"$R/final.ckpt.tmp.$dead"
run_acrl train $TRAIN --steps 64 --out "$R"  # a new run into the same directory
if [ "$rc" -eq 0 ] && [ ! -e "$R/final.ckpt.tmp.$dead" ]; then ok
else bad "a new run left the stale temp file: exit $rc: $(ls "$R")"; fi

# ---- I/O errors: exit 1, path and reason, no hint -----------------------------------------
# /dev/full works without privileges: config.ini of an existing run directory points at it
mkdir "$TMP/full"
ln -s /dev/full "$TMP/full/config.ini"
expect_io_error "cannot write $TMP/full/config.ini: No space left on device" train $TRAIN --steps 64 --out "$TMP/full"
timeout 60 "$ACRL" rollout CartPole-v1 --steps 3 >/dev/full 2>"$TMP/err"
rc=$?
case "$rc:$(cat "$TMP/err")" in 1:"acrl: rollout: cannot write output: No space left on device") ok ;;
    *) bad "rollout >/dev/full: exit $rc: $(cat "$TMP/err")" ;; esac

if command -v gnuplot >/dev/null 2>&1; then
    expect_io_error "cannot write $TMP/no/such/dir/x.png: No such file or directory" plot "$TMP/good" -o "$TMP/no/such/dir/x.png"
    expect_error "has no readable summary.json" plot "$TMP/dir" -o "$TMP/x.png"
    if [ ! -e "$TMP/x.png" ]; then ok; else bad "a failed plot left $TMP/x.png"; fi
fi

# A small tmpfs, filled to leave k pages: every file a run creates in turn meets the full disk.
mkdir "$TMP/mnt"
if mount -t tmpfs -o size=64k tmpfs "$TMP/mnt" 2>/dev/null; then
    MNT="$TMP/mnt"
    k=0
    while [ $k -le 6 ]; do
        rm -rf "$MNT/run" "$MNT/fill"
        dd if=/dev/zero of="$MNT/fill" bs=4096 count=$((16 - k)) 2>/dev/null
        expect_io_error "$MNT/run/" train $TRAIN --steps 256 --out "$MNT/run"
        case "$msg" in *"No space left on device"*) ok ;; *) bad "full disk ($k pages free): '$msg'" ;; esac
        no_empty_files "$MNT/run" "full disk ($k pages free)"
        k=$((k + 1))
    done
    # One checkpoint fits, the next one does not: exit 1 and the previous checkpoint intact.
    umount "$MNT"
    mount -t tmpfs -o size=200k tmpfs "$MNT"
    expect_io_error "cannot write $MNT/run/last.ckpt.tmp." train $TRAIN --steps 1024 --out "$MNT/run"
    case "$msg" in *"No space left on device"*) ok ;; *) bad "full disk at the 2nd checkpoint: '$msg'" ;; esac
    no_empty_files "$MNT/run" "full disk at the 2nd checkpoint"
    run_acrl eval "$MNT/run/last.ckpt" --episodes 1
    if [ "$rc" -eq 0 ]; then ok; else bad "last.ckpt after a full disk does not load: $msg"; fi
    cp "$MNT/run/last.ckpt" "$TMP/kept.ckpt"
    expect_io_error "No space left on device" train --resume "$MNT/run" --steps 2048 --quiet
    if cmp -s "$MNT/run/last.ckpt" "$TMP/kept.ckpt"; then ok; else bad "a failed resume changed last.ckpt"; fi
    umount "$MNT"
    MNT=""
else
    echo "SKIP: cannot mount a tmpfs here (needs root and permission to mount): the full-disk cases ran on /dev/full only"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
