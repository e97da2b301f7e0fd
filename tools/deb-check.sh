#!/bin/sh
# deb-check.sh [DEB] - install the package on a fresh Debian and use it as
# the README says: in a new minbase chroot (DEB_CHECK_RELEASE, default
# bookworm) `apt-get install ./DEB`, check the module is not enabled,
# `a2enmod alb_mtls`, `apache2ctl configtest`, serve the README quick
# start's virtual host (a throwaway PKI made with openssl) and send it
# requests as the ALB would, then `apt-get remove` and check Apache still
# passes configtest and serves.  Called by `make -f Makefile.apxs deb-check`.
# Root only.  DEB defaults to the newest build/libapache2-mod-alb-mtls_*.deb.
#
# The server part runs in a network namespace with only loopback
# (tools/chroot-lib.sh); the chroot is removed on exit.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
RELEASE=${DEB_CHECK_RELEASE:-bookworm}
MIRROR=${MATRIX_MIRROR:-http://deb.debian.org/debian}
WORK=$TOP/build/deb-check
KEEP=${DEB_CHECK_KEEP:-0}

say() { echo "deb-check: $*"; }

if [ "$(id -u)" -ne 0 ]; then
    say "needs root (debootstrap, chroot, mount)" >&2
    exit 2
fi
DEB=${1:-$(ls -t "$TOP"/build/libapache2-mod-alb-mtls_*.deb 2>/dev/null | head -n 1)}
if [ -z "$DEB" ] || [ ! -f "$DEB" ]; then
    say "no package: run 'make -f Makefile.apxs deb' first" >&2
    exit 2
fi
sh "$TOP/tools/install-deps.sh" matrix || exit 2
mkdir -p "$WORK" || exit 2
LOG=$WORK/deb-check.log
: > "$LOG"

. "$TOP/tools/chroot-lib.sh"
trap 'cleanup_root' EXIT
trap 'exit 130' INT TERM HUP

fail() {
    say "FAIL: $*"
    tail -n 40 "$LOG" | sed 's/^/    | /'
    cleanup_root failed
    exit 1
}

start=$(date +%s)
say "$RELEASE chroot, package $(basename "$DEB") (log: $LOG)"
make_chroot "$RELEASE" "$WORK" "$LOG" || fail "debootstrap $RELEASE"
mkdir -p "$ROOT/check"
cp "$DEB" "$ROOT/check/" && cp "$TOP/tools/alb-mtls-header" "$ROOT/check/" &&
    cp "$TOP/tools/deb-check-inside.sh" "$ROOT/check/inside.sh" || fail "copy"

# with the network: the package and what the check uses
in_chroot "apt-get update && apt-get install -y --no-install-recommends \
    apache2 curl openssl /check/$(basename "$DEB")" >> "$LOG" 2>&1 ||
    fail "apt-get install ./$(basename "$DEB")"

# the rest with loopback only (the check starts Apache)
in_chroot --loopback 'sh /check/inside.sh installed' >> "$LOG" 2>&1 ||
    fail "installed package (see $LOG)"
in_chroot 'apt-get remove -y libapache2-mod-alb-mtls' >> "$LOG" 2>&1 ||
    fail "apt-get remove"
in_chroot --loopback 'sh /check/inside.sh removed' >> "$LOG" 2>&1 ||
    fail "after apt-get remove (see $LOG)"

grep '^inside: ' "$LOG" | sed 's/^inside: /    /'
secs=$(( $(date +%s) - start ))
say "PASS on $RELEASE: install, a2enmod, configtest, verified request, remove ($((secs / 60))m$((secs % 60))s)"
