#!/bin/sh
# matrix.sh - run the README's test command (`make -f Makefile.apxs test`) in
# a fresh minbase chroot of each Debian release, one after the other, and
# print one line per release.  Called by `make -f Makefile.apxs matrix`.
#
# Root only (debootstrap, chroot, mount).  Environment:
#   MATRIX_RELEASES  releases to test (default "bullseye bookworm trixie")
#   MATRIX_MIRROR    Debian mirror (default http://deb.debian.org/debian)
#   MATRIX_DIR       work directory (default build/matrix): the chroots
#                    (removed after each release) and the logs (kept)
#   MATRIX_KEEP=1    keep a chroot whose run failed, for a look inside
#   MATRIX_MPMS      the MPM passes of the suite in each chroot (default
#                    all three: "prefork event worker"; the unit tests and
#                    PHP run in the prefork pass)
#
# Each release gets its suite and <suite>-updates (tools/chroot-lib.sh).
# The packages are installed with the network (installs start no service);
# the test then runs in a network namespace whose only interface is
# loopback, so the suite's servers (httpd, php-fpm, memcached, redis) can be
# reached from nowhere else and cannot clash with ports in use here.
# Processes left in a chroot are killed, its mounts undone and the chroot
# removed on every exit (trap).
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
RELEASES=${MATRIX_RELEASES:-bullseye bookworm trixie}
MIRROR=${MATRIX_MIRROR:-http://deb.debian.org/debian}
WORK=${MATRIX_DIR:-$TOP/build/matrix}
KEEP=${MATRIX_KEEP:-0}
MPMS=${MATRIX_MPMS:-prefork event worker}

say() { echo "matrix: $*"; }

if [ "$(id -u)" -ne 0 ]; then
    say "needs root (debootstrap, chroot, mount)" >&2
    exit 2
fi
sh "$TOP/tools/install-deps.sh" matrix || exit 2

mkdir -p "$WORK/logs" || exit 2
WORK=$(cd "$WORK" && pwd)

. "$TOP/tools/chroot-lib.sh"
trap 'cleanup_root' EXIT
trap 'exit 130' INT TERM HUP

# run_release NAME LOG: debootstrap, test, clean up; returns the test's status
run_release() {
    rel=$1
    log=$2
    make_chroot "$rel" "$WORK" "$log" || return 1
    if ! sh "$TOP/tools/clean-tree.sh" "$ROOT/src/mod_alb_mtls" >> "$log" 2>&1; then
        echo "== copying the tree failed" >> "$log"
        return 1
    fi
    # packages with the network; the test in a network namespace of its
    # own with nothing but loopback: its servers cannot be reached from
    # outside, nor clash with servers on this machine's ports
    echo "== tools/install-deps.sh test in $rel" >> "$log"
    in_chroot 'cd /src/mod_alb_mtls && sh tools/install-deps.sh test' >> "$log" 2>&1 ||
        return 1
    echo "== make -f Makefile.apxs test in $rel (loopback only; $MPMS)" >> "$log"
    in_chroot --loopback "cd /src/mod_alb_mtls && ALB_MTLS_MPMS='$MPMS' make -f Makefile.apxs test"'; rc=$?
            echo "== versions"
            dpkg-query -W -f="\${Package} \${Version}\n" apache2 openssl gcc php-cli libapache2-mod-perl2
            exit $rc' >> "$log" 2>&1
}

# summary LOG: versions and the Test::Harness totals from a release's log
summary() {
    ver() { awk -v p="$1" '$1 == p { print $2 }' "$2" | tail -n 1; }
    v="apache2 $(ver apache2 "$1"), openssl $(ver openssl "$1"), gcc $(ver gcc "$1"), php $(ver php-cli "$1")"
    tests=$(grep -E '^Files=[0-9]+, Tests=[0-9]+' "$1" | tail -n 1 | sed -E 's/^Files=([0-9]+), Tests=([0-9]+).*/\2 tests in \1 files/')
    failed=$(grep -E '^Failed [0-9]+/[0-9]+ subtests' "$1" | awk '{ split($2, a, "/"); n += a[1] } END { if (n) print n " failed" }')
    printf '%s' "${tests:-no test summary}"
    [ -n "$failed" ] && printf ', %s' "$failed"
    case "$v" in *", gcc , "*|*"apache2 ,"*) ;; *) printf ' (%s)' "$v" ;; esac
}

lines=
status=0
npass=0
nfail=0
for rel in $RELEASES; do
    log=$WORK/logs/$rel.log
    : > "$log"
    start=$(date +%s)
    say "$rel: running (log: $log)"
    if run_release "$rel" "$log"; then
        result=PASS
        npass=$((npass + 1))
        cleanup_root
    else
        result=FAIL
        nfail=$((nfail + 1))
        status=1
        tail -n 40 "$log" | sed "s/^/    $rel| /"
        cleanup_root failed
    fi
    secs=$(( $(date +%s) - start ))
    line="matrix: $rel: $result, $(summary "$log"), $((secs / 60))m$((secs % 60))s"
    echo "$line"
    lines="$lines$line
"
done

echo "== matrix summary (releases)"
printf '%s' "$lines"
echo "matrix: $npass passed, $nfail failed"
exit $status
