# chroot-lib.sh - fresh Debian chroots for tools/matrix.sh and
# tools/deb-check.sh (sourced, not run).  Root only.
#
# make_chroot RELEASE DIR LOG   debootstrap a minbase RELEASE into a new
#                               directory under DIR, set it up for package
#                               installs that start no service, mount /proc,
#                               /sys, /dev/pts, /dev/shm and /run; sets ROOT
# in_chroot [--loopback] SCRIPT run SCRIPT with sh in $ROOT, clean
#                               environment, no stdin; --loopback: in a new
#                               network namespace with only loopback, so
#                               servers started there can be reached from
#                               nowhere else and clash with no port here
# cleanup_root [failed]         kill what runs in $ROOT, unmount, remove it
#                               (kept when KEEP=1 and "failed"); never
#                               removes a tree with a mount left inside
#
# The caller sets MIRROR, KEEP and say(), and traps EXIT to cleanup_root.
# Each release gets its suite and <suite>-updates: the security suites are
# left out (portability, not patch levels, is what is checked).

ROOT=                   # the chroot being used, for cleanup
MOUNTS=                 # its mount points, innermost first

# kill_inside DIR: every process whose root directory is DIR
kill_inside() {
    for sig in TERM KILL; do
        found=
        for p in /proc/[0-9]*; do
            r=$(readlink "$p/root" 2>/dev/null) || continue
            if [ "$r" = "$1" ]; then
                kill -s "$sig" "${p#/proc/}" 2>/dev/null && found=1
            fi
        done
        [ -n "$found" ] || return 0
        sleep 2
    done
}

# mounted_under DIR: prints the mount points at or below DIR
mounted_under() {
    awk -v d="$1" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts
}

cleanup_root() {
    case "$ROOT" in ""|/) ROOT=; return 0 ;; esac
    kill_inside "$ROOT"
    for m in $MOUNTS; do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    done
    MOUNTS=
    left=$(mounted_under "$ROOT")
    if [ -n "$left" ]; then
        say "still mounted, $ROOT not removed: $left" >&2
    elif [ "${KEEP:-0}" = 1 ] && [ "${1:-}" = failed ]; then
        say "kept $ROOT (KEEP=1); remove it with: rm -rf --one-file-system $ROOT"
    else
        rm -rf --one-file-system "$ROOT"
    fi
    ROOT=
}

do_mount() {   # do_mount TYPE OPTIONS DIR
    mkdir -p "$3" && mount -t "$1" -o "$2" "chroot-$1" "$3" || return 1
    MOUNTS="$3 $MOUNTS"
}

CHROOT_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
            HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive"
in_chroot() {
    case "$ROOT" in ""|/) return 1 ;; esac
    if [ "$1" = --loopback ]; then
        shift
        # shellcheck disable=SC2086 # CHROOT_ENV is a word list
        unshare --net sh -c 'ip link set lo up && exec "$@"' sh \
            chroot "$ROOT" /usr/bin/env -i $CHROOT_ENV sh -c "$1" < /dev/null
    else
        # shellcheck disable=SC2086
        chroot "$ROOT" /usr/bin/env -i $CHROOT_ENV sh -c "$1" < /dev/null
    fi
}

make_chroot() {   # make_chroot RELEASE DIR LOG
    mkdir -p "$2" || return 1
    ROOT=$(mktemp -d "$2/$1.XXXXXX") || { ROOT=; return 1; }
    case "$ROOT" in ""|/) ROOT=; return 1 ;; esac
    chmod 755 "$ROOT"
    echo "== debootstrap $1 from $MIRROR" >> "$3"
    if ! debootstrap --variant=minbase --include=make,ca-certificates \
            "$1" "$ROOT" "$MIRROR" >> "$3" 2>&1; then
        echo "== debootstrap failed" >> "$3"
        return 1
    fi
    printf 'deb %s %s main\ndeb %s %s-updates main\n' "$MIRROR" "$1" "$MIRROR" "$1" \
        > "$ROOT/etc/apt/sources.list"
    # no service starts while packages are installed in the chroot
    printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
    chmod 755 "$ROOT/usr/sbin/policy-rc.d"
    # quicker installs: no fsync, no manual pages or their database
    echo force-unsafe-io > "$ROOT/etc/dpkg/dpkg.cfg.d/chroot-unsafe-io"
    printf '%s\n' 'path-exclude=/usr/share/man/*' 'path-exclude=/usr/share/info/*' \
        > "$ROOT/etc/dpkg/dpkg.cfg.d/chroot-nodoc"
    echo 'Acquire::Languages "none";' > "$ROOT/etc/apt/apt.conf.d/chroot-nolang"
    echo 'man-db man-db/auto-update boolean false' |
        chroot "$ROOT" debconf-set-selections >> "$3" 2>&1
    cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null
    do_mount proc nosuid,nodev,noexec "$ROOT/proc" &&
    do_mount sysfs ro,nosuid,nodev,noexec "$ROOT/sys" &&
    do_mount devpts newinstance,ptmxmode=0666,mode=620 "$ROOT/dev/pts" &&
    do_mount tmpfs nosuid,nodev,mode=1777 "$ROOT/dev/shm" &&
    do_mount tmpfs nosuid,nodev,mode=755 "$ROOT/run" || {
        echo "== mounting in the chroot failed" >> "$3"
        return 1
    }
    # /var/lock is /run/lock (apache2ctl makes its lock directory there)
    mkdir -p "$ROOT/run/lock" && chmod 1777 "$ROOT/run/lock"
}
