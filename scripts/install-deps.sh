#!/bin/sh
# Installs the Debian packages acrl needs, skipping those already present.
# Run by `make`; safe to run again. Only when something is missing: as root it runs apt-get,
# otherwise sudo apt-get, and without sudo it prints the exact command to run as root.
set -eu

PKGS="build-essential cmake pkg-config libxsmm-dev gnuplot-nox libmujoco-dev"
# The Python package (python/) and its tests: Debian's numpy and pytest for /usr/bin/python3.
PKGS="$PKGS python3-numpy python3-pytest"
# Fixture generation (tests/gen_*.py) also needs torch; the C tests do not.
[ "${ACRL_DEV:-0}" = 1 ] && PKGS="$PKGS python3-torch"
# `make fuzz` (libFuzzer harnesses of tests/fuzz) needs clang and its runtime libraries.
[ "${ACRL_FUZZ:-0}" = 1 ] && PKGS="$PKGS clang-14 libclang-rt-14-dev"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

export DEBIAN_FRONTEND=noninteractive
# as root: apt directly; otherwise through sudo if there is one; else say what to run
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: not root and no sudo; as root, run:" >&2
    echo "    apt-get update && apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi
echo "install-deps: installing:$missing"
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
