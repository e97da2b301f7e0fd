#!/bin/sh
# install-deps.sh MODE - install the Debian packages that `make -f Makefile.apxs
# MODE` needs (MODE: test or demo).  Checks with dpkg-query first and does
# nothing when everything is there.  As root it runs apt-get (non-interactive);
# otherwise it prints the apt-get command to run and exits 1.
set -eu

usage() {
    echo "usage: sh tools/install-deps.sh test|demo|hardening" >&2
    exit 2
}

[ $# -eq 1 ] || usage
case "$1" in
test)
    # libapache2-mod-perl2 ships Apache::Test; libwww-perl is its HTTP client;
    # passwd (useradd) and util-linux (runuser) let the suite run unprivileged.
    PACKAGES="apache2 apache2-dev libapache2-mod-perl2 libapache2-mod-php php-cli
              openssl libssl-dev pkg-config make gcc curl perl libwww-perl
              passwd util-linux"
    # php-fpm: t/55_php_fpm.t serves PHP through mod_proxy_fcgi
    PACKAGES="$PACKAGES php-fpm"
    # memcached, redis-server: t/81_cache_shared.t shares results through them
    PACKAGES="$PACKAGES memcached redis-server"
    ;;
hardening)
    # make hardening: libFuzzer (clang + its runtime), valgrind, wrk for the
    # load test, gcc's ASan/UBSan runtimes
    PACKAGES="clang libclang-rt-14-dev valgrind wrk libasan8 libubsan1 procps
              apache2 apache2-dev libssl-dev pkg-config make gcc curl perl"
    ;;
demo)
    PACKAGES="apache2 apache2-dev openssl libssl-dev pkg-config make gcc curl
              libapache2-mod-php"
    ;;
-h|--help)
    usage
    ;;
*)
    echo "install-deps.sh: unknown mode '$1'" >&2
    usage
    ;;
esac

# shellcheck disable=SC2086 # PACKAGES is a word list
if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps.sh: dpkg-query not found: this script knows Debian/Ubuntu only." >&2
    echo "install-deps.sh: install the equivalents of these Debian packages:" >&2
    printf '    %s\n' $PACKAGES >&2
    exit 1
fi

missing=""
for pkg in $PACKAGES; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
    case "$status" in
    ii*) ;;
    *) missing="$missing $pkg" ;;
    esac
done
missing=${missing# }

if [ -z "$missing" ]; then
    echo "install-deps.sh: all packages for '$1' are installed."
    exit 0
fi

install_cmd="DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing"

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps.sh: missing Debian packages for '$1': $missing" >&2
    echo "install-deps.sh: run as root:" >&2
    echo "    apt-get update && $install_cmd" >&2
    exit 1
fi

echo "=================================================================="
echo "install-deps.sh: installing missing Debian packages for '$1':"
echo "    $missing"
echo "=================================================================="
DEBIAN_FRONTEND=noninteractive
export DEBIAN_FRONTEND
# Wait for a running apt/dpkg (e.g. unattended-upgrades on a fresh VM)
# instead of failing at once.
LOCK_WAIT="-o DPkg::Lock::Timeout=300"
# shellcheck disable=SC2086 # word splitting of the lists is wanted
apt-get $LOCK_WAIT update
# shellcheck disable=SC2086
apt-get $LOCK_WAIT install -y --no-install-recommends $missing </dev/null
echo "install-deps.sh: done."
