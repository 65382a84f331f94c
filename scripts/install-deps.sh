#!/bin/sh
# Installs the Debian packages acrl needs, skipping those already present.
# Run by `make`; safe to run again. Needs root (or sudo) only when something is missing.
set -eu

PKGS="build-essential cmake pkg-config libxsmm-dev gnuplot-nox libmujoco-dev"
# Fixture generation (tests/gen_*.py) needs these; the tests themselves do not.
[ "${ACRL_DEV:-0}" = 1 ] && PKGS="$PKGS python3-numpy python3-torch"
# `make fuzz` (libFuzzer harnesses of tests/fuzz) needs clang and its runtime libraries.
[ "${ACRL_FUZZ:-0}" = 1 ] && PKGS="$PKGS clang-14 libclang-rt-14-dev"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
