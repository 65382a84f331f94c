#!/bin/sh
# scripts/install-deps.sh with stub commands: as root it runs apt-get itself, as a user
# it goes through sudo when there is one, and otherwise prints the exact apt command and
# fails. Usage: sh tests/test_install_deps.sh ACRL (run from tests/; ACRL unused)
SCRIPT=$(cd "$(dirname "$0")/.." && pwd)/scripts/install-deps.sh
. "$(dirname "$0")/harness.sh"

# stubs: every package installed except libxsmm-dev; apt-get and sudo log their arguments
STUB="$TMP/bin"
mkdir -p "$STUB"
ln -s "$(command -v grep)" "$STUB/grep"
cat >"$STUB/dpkg-query" <<'S'
#!/bin/sh
for a; do p=$a; done
[ "$p" = libxsmm-dev ] && exit 1
printf 'install ok installed'
S
cat >"$STUB/apt-get" <<'S'
#!/bin/sh
echo "apt-get $*" >>"$LOG"
S
cat >"$STUB/sudo" <<'S'
#!/bin/sh
echo "sudo $*" >>"$LOG"
"$@"
S
printf '#!/bin/sh\necho "$UID_STUB"\n' >"$STUB/id"
chmod +x "$STUB"/*
SH=$(command -v sh)

run() { # UID, with sudo (1/0)
    rm -f "$TMP/log"
    rm -f "$STUB/sudo.off"
    [ "$2" = 0 ] && mv "$STUB/sudo" "$STUB/sudo.off"
    LOG="$TMP/log" UID_STUB=$1 PATH="$STUB" "$SH" "$SCRIPT" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ -f "$STUB/sudo.off" ] && mv "$STUB/sudo.off" "$STUB/sudo"
    return $rc
}

run 0 1; rc=$?
[ $rc -eq 0 ] && ok || bad "as root: exit $rc"
[ "$(cat "$TMP/log")" = "apt-get update -q
apt-get install -y -q --no-install-recommends libxsmm-dev" ] && ok || bad "as root ran: $(cat "$TMP/log")"

run 1000 1; rc=$?
[ $rc -eq 0 ] && ok || bad "as a user with sudo: exit $rc"
grep -q "^sudo apt-get install -y -q --no-install-recommends libxsmm-dev$" "$TMP/log" && ok ||
    bad "as a user with sudo ran: $(cat "$TMP/log")"

run 1000 0; rc=$?
[ $rc -ne 0 ] && ok || bad "as a user without sudo: exit 0"
[ ! -f "$TMP/log" ] && ok || bad "as a user without sudo ran: $(cat "$TMP/log")"
grep -q "^    apt-get update && apt-get install -y --no-install-recommends libxsmm-dev$" "$TMP/err" && ok ||
    bad "as a user without sudo printed: $(cat "$TMP/err")"

finish test_install_deps
