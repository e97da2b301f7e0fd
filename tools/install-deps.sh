#!/bin/sh
# install-deps.sh MODE - install the Debian packages that `make -f Makefile.apxs
# MODE` needs (MODE: test, demo, hardening, matrix, deb, srpm, rpm).  Checks
# with dpkg-query first and does nothing when everything is there.  As root
# it runs apt-get (non-interactive); otherwise it prints the apt-get command
# to run and exits 1.
#
# On a dnf or yum system (Amazon Linux 2023, RHEL, Fedora) it checks the
# Fedora-named equivalents with rpm -q and, when some are missing, prints the
# dnf (or yum) command and exits 1; it never installs there.  That branch is
# not run by the project's tests (they run on Debian only).
set -eu

usage() {
    echo "usage: sh tools/install-deps.sh test|demo|hardening|matrix|deb|srpm|rpm" >&2
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
    # apache2-utils (ab): t/72_reload.t's concurrent load while files change
    PACKAGES="$PACKAGES apache2-utils"
    # nginx, haproxy: t/63_proxies.t puts them in front as TLS proxies
    PACKAGES="$PACKAGES nginx haproxy"
    # Apache::Test is mod_perl's (EPEL on RHEL); the suite is run on Debian only
    RPM_PACKAGES="httpd httpd-devel mod_perl perl-Apache-Test php-cli php-fpm
                  openssl openssl-devel pkgconf-pkg-config make gcc curl perl
                  perl-libwww-perl shadow-utils util-linux memcached redis"
    ;;
hardening)
    # make hardening: libFuzzer (clang + its runtime), valgrind, wrk for the
    # load test, gcc's ASan/UBSan runtimes
    PACKAGES="clang libclang-rt-14-dev valgrind wrk libasan8 libubsan1 procps
              apache2 apache2-dev libssl-dev pkg-config make gcc curl perl"
    RPM_PACKAGES=
    ;;
demo)
    PACKAGES="apache2 apache2-dev openssl libssl-dev pkg-config make gcc curl
              libapache2-mod-php"
    # no mod_php there: the demo's PHP page is not served, the rest runs
    RPM_PACKAGES="httpd httpd-devel apr-devel openssl openssl-devel
                  pkgconf-pkg-config make gcc curl redhat-rpm-config"
    ;;
matrix)
    # make matrix: fresh chroots of other Debian releases (tools/matrix.sh)
    # (unshare: util-linux; ip: iproute2, for the test's loopback-only
    # network namespace)
    PACKAGES="debootstrap debian-archive-keyring util-linux iproute2"
    RPM_PACKAGES=
    ;;
deb)
    # make deb: debian/control's Build-Depends, dpkg-buildpackage, lintian
    PACKAGES="dpkg-dev debhelper apache2-dev libssl-dev pkg-config make gcc
              lintian"
    RPM_PACKAGES=
    ;;
srpm)
    # make srpm: Debian's rpm package has rpmbuild
    PACKAGES="rpm make"
    RPM_PACKAGES="rpm-build make tar gzip"
    ;;
rpm)
    # make rpm-rebuild: rpmbuild and what the spec's %build needs
    PACKAGES="rpm make apache2-dev libssl-dev pkg-config gcc"
    # the spec's BuildRequires
    RPM_PACKAGES="rpm-build make gcc httpd-devel openssl-devel
                  pkgconf-pkg-config redhat-rpm-config"
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
if ! command -v dpkg-query >/dev/null 2>&1 && command -v rpm >/dev/null 2>&1 &&
   { command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; }; then
    if [ -z "$RPM_PACKAGES" ]; then
        echo "install-deps.sh: '$1' needs Debian (dpkg, apt, debootstrap)." >&2
        exit 1
    fi
    missing=""
    for pkg in $RPM_PACKAGES; do
        rpm -q --quiet --whatprovides "$pkg" 2>/dev/null || missing="$missing $pkg"
    done
    missing=${missing# }
    if [ -z "$missing" ]; then
        echo "install-deps.sh: all packages for '$1' are installed."
        exit 0
    fi
    dnf=dnf
    command -v dnf >/dev/null 2>&1 || dnf=yum
    echo "install-deps.sh: missing packages for '$1': $missing" >&2
    if [ "$1" = test ]; then
        echo "install-deps.sh: install them (as root; on RHEL mod_perl and perl-Apache-Test come from EPEL):" >&2
    else
        echo "install-deps.sh: install them (as root):" >&2
    fi
    echo "    $dnf install -y $missing" >&2
    exit 1
fi
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
