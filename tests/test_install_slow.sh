#!/bin/sh
# The installed library as a user sees it: `cmake --install` into a temporary prefix, then
# examples/target_reach.c compiled against it through `pkg-config --cflags --libs acrl`,
# run (it registers TargetReach-v0 and trains PPO: return >= 0.5 stated in the example),
# built as a plugin for the installed acrl, and the installed Python package imported.
# acrl.pc holds the configured prefix, so pkg-config is told the temporary one
# (--define-variable), and the program finds libacrl.so through LD_LIBRARY_PATH.
# Usage: sh tests/test_install_slow.sh /path/to/build/acrl
ACRL=${1:?usage: test_install_slow.sh /path/to/acrl}
BUILD=$(dirname "$ACRL")
SRC=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

P=$TMP/prefix
cmake --install "$BUILD" --prefix "$P" >"$TMP/install.log" 2>&1 || fail "cmake --install: $(tail -3 "$TMP/install.log")"
PC=$(find "$P" -name acrl.pc | head -n 1)
[ -n "$PC" ] || fail "no acrl.pc installed"
LIBDIR=$(dirname "$(dirname "$PC")")
export PKG_CONFIG_PATH="$(dirname "$PC")"
PKG="pkg-config --define-variable=prefix=$P --define-variable=libdir=$LIBDIR --define-variable=includedir=$P/include"
FLAGS="$($PKG --cflags --libs acrl)" || fail "pkg-config --cflags --libs acrl"
echo "pkg-config --cflags --libs acrl: $FLAGS"

# the program: links the installed shared library
cc -std=c11 -O2 -Wall -Wextra -Werror "$SRC/examples/target_reach.c" $FLAGS -lm -o "$TMP/target_reach" \
    || fail "compiling examples/target_reach.c against the installed library"
(cd "$TMP" && LD_LIBRARY_PATH="$LIBDIR" ./target_reach "$TMP/run") >"$TMP/out" 2>&1 || fail "target_reach: $(cat "$TMP/out")"
cat "$TMP/out"
ret=$(sed -n 's/.*return over 100 episodes \([-0-9.]*\).*/\1/p' "$TMP/out")
awk -v r="$ret" 'BEGIN { exit !(r != "" && r >= 0.5) }' || fail "TargetReach-v0 return '$ret' < 0.5"

# the plugin: no libacrl linked in; the installed acrl binary provides the symbols
cc -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC $($PKG --cflags acrl) "$SRC/examples/target_reach.c" \
    -o "$TMP/libtarget_reach.so" || fail "compiling the plugin"
"$P/bin/acrl" train ppo TargetReach-v0 --plugin "$TMP/libtarget_reach.so" --steps 2048 --quiet \
    --out "$TMP/prun" --eval-episodes 2 >/dev/null 2>"$TMP/err" || fail "installed acrl --plugin: $(cat "$TMP/err")"
"$P/bin/acrl" eval "$TMP/prun" --episodes 2 >/dev/null 2>"$TMP/err" || fail "installed acrl eval RUN_DIR: $(cat "$TMP/err")"

# the Python package, installed next to the library
PYDIR=$(dirname "$(find "$P" -path '*dist-packages/acrl/__init__.py' | head -n 1)")
[ -f "$PYDIR/_paths.py" ] || fail "no installed Python package with _paths.py"
(cd "$TMP" && env -u ACRL_LIBRARY PYTHONPATH="$(dirname "$PYDIR")" /usr/bin/python3 -c "
import acrl, acrl._lib as l
assert l.LIBRARY_PATH.startswith('$P'), l.LIBRARY_PATH
env = acrl.make('CartPole-v1'); env.reset(seed=0); env.step(1)
print('installed package:', acrl.__file__, 'library:', l.LIBRARY_PATH)") || fail "installed Python package"
echo "test_install: passed"
