#!/bin/sh
# Installing for other programs, as a new user would: a fresh install of this build into a
# temporary prefix, then a program built with `pkg-config --cflags --libs acrl` must start
# right away (no LD_LIBRARY_PATH, no ldconfig) and run an env; and `make install PREFIX=DIR`
# must re-configure an existing build folder for DIR. Usage: sh tests/test_install.sh /path/to/acrl
ACRL=${1:?usage: test_install.sh /path/to/acrl}
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "$(dirname "$ACRL")" && pwd)
. "$(dirname "$0")/harness.sh"

if grep -q "^ACRL_SANITIZE:BOOL=ON" "$BUILD/CMakeCache.txt" 2>/dev/null; then
    echo "SKIP: sanitizer build (programs linked with it need -fsanitize too); run in the Release build"
    exit 0
fi
if ! command -v pkg-config >/dev/null 2>&1; then echo "SKIP: pkg-config is not installed"; exit 0; fi

P="$TMP/prefix dir"  # a space in the path, as users' home folders may have
cmake --install "$BUILD" --prefix "$P" >"$TMP/install.log" 2>&1 || bad "cmake --install: $(tail -n 3 "$TMP/install.log")"
pc=$(find "$P" -name acrl.pc | head -n 1)
[ -n "$pc" ] && ok || bad "no acrl.pc under the prefix"
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$pc")
unset LD_LIBRARY_PATH
cat >"$TMP/prog.c" <<'PROG'
#include <acrl.h>
#include <stdio.h>

int main(void) {
    char err[ACRL_ERRLEN];
    acrl_env* env = acrl_env_make("Pendulum-v1", NULL, err, sizeof err);
    if (!env) { fprintf(stderr, "%s\n", err); return 1; }
    float obs[3], a[1] = {0.5f};
    double r;
    bool term, trunc;
    acrl_env_reset(env, 42, obs);
    acrl_env_step(env, a, obs, &r, &term, &trunc);
    printf("%.9g,%.9g,%.9g\n", obs[0], obs[1], obs[2]);
    acrl_env_close(env);
    return 0;
}
PROG
flags=$(pkg-config --cflags --libs acrl) || bad "pkg-config --cflags --libs acrl failed"
# shellcheck disable=SC2086
if eval "cc -std=c11 -Wall -Wextra -Werror \"$TMP/prog.c\" -o \"$TMP/prog\" $flags" 2>"$TMP/cc.log"; then ok
else bad "cc prog.c \$(pkg-config --cflags --libs acrl): $(head -c 800 "$TMP/cc.log")"; fi
out=$("$TMP/prog" 2>&1)
rc=$?
# what `acrl rollout` (Gymnasium-exact, test_envs) gives for reset(seed=42), step([0.5])
echo 0.5 >"$TMP/a.txt"
want=$("$ACRL" rollout Pendulum-v1 --seed 42 --actions "$TMP/a.txt" --steps 1 | awk -F, '$1 == 1 { print $3 "," $4 "," $5 }')
if [ $rc -eq 0 ] && [ "$out" = "$want" ]; then ok; else bad "the program printed '$out' (exit $rc), want '$want'"; fi
ldd "$TMP/prog" | grep -q "libacrl.so.0 => $P/" && ok || bad "prog does not load libacrl.so.0 from the prefix: $(ldd "$TMP/prog" | grep acrl)"

# make install PREFIX=DIR re-configures an existing build folder (dry run)
plan=$(make -C "$HERE/.." -n install BUILD="$BUILD" PREFIX=/opt/acrl-test 2>&1)
case "$plan" in
    *"-DCMAKE_INSTALL_PREFIX=/opt/acrl-test"*"cmake --install"*) ok ;;
    *) bad "make -n install PREFIX=/opt/acrl-test does not re-configure: $plan" ;;
esac

# ... and so does the README's former spelling, CMAKE_FLAGS=-DCMAKE_INSTALL_PREFIX=DIR
plan=$(make -C "$HERE/.." -n install BUILD="$BUILD" CMAKE_FLAGS=-DCMAKE_INSTALL_PREFIX=/opt/acrl-test2 2>&1)
case "$plan" in
    *"cmake -S . -B $BUILD -DCMAKE_INSTALL_PREFIX=/opt/acrl-test2"*"cmake --install"*) ok ;;
    *) bad "make -n install CMAKE_FLAGS=-DCMAKE_INSTALL_PREFIX=... does not re-configure: $plan" ;;
esac

finish test_install
