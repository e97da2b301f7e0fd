#!/bin/sh
# t/run-tests.sh - run mod_alb_mtls's tests against build/mod_alb_mtls.so:
#   pass 1: mpm_prefork + mod_php: unit tests (t/unit/*.t), Apache::Test suite
#   pass 2: mpm_event (mod_cgid, no PHP): the Apache::Test suite again
#   pass 3: mpm_worker (mod_cgid, no PHP): the same, for the other threaded MPM
# Each test file's TAP is kept in t/results/<pass>/; the last step replays
# all of it through prove, so the output ends with one Test::Harness summary
# for all passes, and the exit status is prove's.
#
# As root (Apache::Test refuses to start httpd as root) the tree is copied,
# without .git, to a fresh directory under /tmp owned by an unprivileged
# user (albtest, created if missing), and the suite runs there as that user.
#
# Environment: APXS (default apxs), ALB_MTLS_TEST_USER (default albtest),
# ALB_MTLS_MPMS (default "prefork event worker"), ALB_MTLS_TESTS (only
# these Apache::Test files, e.g. "t/43_bypass.t"; no unit tests),
# ALB_MTLS_PORT (first port, default: a free one); for
# `make asan-test`:
# ALB_MTLS_MODULE (a module built elsewhere, copied over the test tree's
# build/mod_alb_mtls.so; as root only) and ALB_MTLS_PRELOAD (sanitizer
# runtimes, put into LD_PRELOAD for the test programs and so for httpd).
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
APXS=${APXS:-apxs}
MPMS=${ALB_MTLS_MPMS:-prefork event worker}
ONLY=${ALB_MTLS_TESTS:-}
# Apache::Test's first port (the vhosts take the next ones); "select" picks
# a free one at configure time, which two suites run side by side can both
# pick: give each its own base then, e.g. ALB_MTLS_PORT=9600
PORT=${ALB_MTLS_PORT:-select}

# ---------------------------------------------------------------- as root
if [ "$(id -u)" -eq 0 ]; then
    user=${ALB_MTLS_TEST_USER:-albtest}
    if ! id "$user" >/dev/null 2>&1; then
        echo "run-tests.sh: creating unprivileged user $user for Apache::Test"
        useradd --system --user-group --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$user" || exit 1
    fi
    dest=$(mktemp -d /tmp/alb-mtls-test.XXXXXX) || exit 1
    # not build/'s chroots and packages (make matrix, deb-check, deb,
    # srpm), nor anything mounted below the tree
    ( cd "$TOP" && tar --one-file-system --exclude=./.git --exclude=./t/logs \
        --exclude=./t/results --exclude=./t/pki/out --exclude=./build/matrix \
        --exclude=./build/deb-check --exclude=./build/deb --exclude=./build/rpm \
        -cf - . ) |
        ( cd "$dest" && tar -xf - ) || exit 1
    if [ -n "${ALB_MTLS_MODULE:-}" ]; then
        cp "$ALB_MTLS_MODULE" "$dest/build/mod_alb_mtls.so" || exit 1
        echo "run-tests.sh: testing $ALB_MTLS_MODULE"
    fi
    chown -R "$user:" "$dest" && chmod 755 "$dest" || exit 1
    echo "run-tests.sh: running the suite as $user in $dest"
    if command -v runuser >/dev/null 2>&1; then
        runuser -u "$user" -- env HOME="$dest" ALB_MTLS_COPY="$dest" \
            APXS="$APXS" ALB_MTLS_MPMS="$MPMS" ALB_MTLS_TESTS="$ONLY" \
            ALB_MTLS_PORT="$PORT" \
            ALB_MTLS_PRELOAD="${ALB_MTLS_PRELOAD:-}" sh "$dest/t/run-tests.sh"
    else
        su -s /bin/sh "$user" -c "env HOME='$dest' ALB_MTLS_COPY='$dest' \
            APXS='$APXS' ALB_MTLS_MPMS='$MPMS' ALB_MTLS_TESTS='$ONLY' \
            ALB_MTLS_PORT='$PORT' \
            sh '$dest/t/run-tests.sh'"
    fi
    rc=$?
    [ "$rc" -eq 0 ] && rm -rf "$dest"
    exit "$rc"
fi

# ------------------------------------------------------- as a normal user
cd "$TOP" || exit 1

export PERL5LIB="$TOP/t/lib${PERL5LIB:+:$PERL5LIB}"
RES=$TOP/t/results
rm -rf "$RES"
mkdir -p "$RES"

note() { echo "run-tests.sh: $*"; }

# Anything that stops the passes from running is reported as a failed
# test in the "setup" pass, so the output still ends with the summary.
setup_error=
if [ ! -f build/mod_alb_mtls.so ]; then
    setup_error="build/mod_alb_mtls.so exists (run 'make -f Makefile.apxs' first)"
elif ! sh t/pki/mkpki.sh t/pki/out; then
    setup_error="t/pki/mkpki.sh makes the test PKI"
else
    MODDIR=$($APXS -q LIBEXECDIR)
    HTTPD=$($APXS -q SBINDIR)/$($APXS -q TARGET)
    [ -x "$HTTPD" ] || setup_error="httpd found with $APXS (tried $HTTPD)"
    if [ -n "${ALB_MTLS_PRELOAD:-}" ] && [ -z "$setup_error" ]; then
        # only httpd gets the sanitizer runtimes (curl, perl... would not
        # all survive them): Apache::Test and the tests start this wrapper.
        # Leaks are valgrind's business (httpd does not free its pools at
        # exit); any other report aborts the child and lands in error_log.
        cat > "$TOP/t/httpd-preload" <<WRAP
#!/bin/sh
LD_PRELOAD="$ALB_MTLS_PRELOAD" \
ASAN_OPTIONS="detect_leaks=0:use_sigaltstack=0" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
exec "$HTTPD" "\$@"
WRAP
        chmod 755 "$TOP/t/httpd-preload"
        HTTPD=$TOP/t/httpd-preload
        note "httpd runs with the sanitizer runtimes: $ALB_MTLS_PRELOAD"
    fi
fi

# base_conf MPM: the modules the suite needs, by absolute path (Debian's
# Apache::Test would otherwise only know what /etc/apache2 enables).
base_conf() {
    out=$TOP/t/conf/base-$1.conf
    {
        echo "# generated by t/run-tests.sh for mpm_$1"
        echo "LoadModule mpm_$1_module $MODDIR/mod_mpm_$1.so"
        for m in authn_core authz_core authz_host mime alias env setenvif \
                 dir headers rewrite \
                 auth_basic authn_file authz_user proxy proxy_fcgi proxy_http status \
                 socache_shmcb \
                 access_compat include cache cache_socache http2; do
            echo "LoadModule ${m}_module $MODDIR/mod_$m.so"
        done
        if [ "$1" = prefork ]; then
            echo "LoadModule cgi_module $MODDIR/mod_cgi.so"
            php=$(ls "$MODDIR"/libphp*.so 2>/dev/null | head -n 1)
            # PHP 8's module is php_module, PHP 7's php7_module
            case "$php" in
            */libphp7*) [ -n "$php" ] && echo "LoadModule php7_module $php" ;;
            *) [ -n "$php" ] && echo "LoadModule php_module $php" ;;
            esac
        else
            echo "LoadModule cgid_module $MODDIR/mod_cgid.so"
        fi
        [ -f /etc/mime.types ] && echo "TypesConfig /etc/mime.types"
    } > "$out"
    echo "$out"
}

# tap_fail DIR NAME TEXT: a one-test TAP file recording a harness failure.
tap_fail() {
    mkdir -p "$1/t"
    printf '1..1\nnot ok 1 - %s\n' "$3" > "$1/t/$2"
}

# run_tap DIR FILE: run one test file, keep its TAP (stderr merged) in
# DIR/FILE.
run_tap() {
    out=$1/$2
    mkdir -p "$(dirname "$out")"
    perl "$2" > "$out" 2>&1
    st=$?
    # a non-zero exit that no "not ok" explains (a die after the last
    # test, a crash) must fail too
    if [ "$st" -ne 0 ] && ! grep -q '^not ok' "$out"; then
        echo "not ok - $2 exited with status $st" >> "$out"
    fi
    if grep -q '^not ok' "$out" || [ "$st" -ne 0 ]; then
        echo "    $2: FAILED (see $out)"
    else
        echo "    $2: ok"
    fi
}

run_pass() {
    mpm=$1
    dir=$RES/$mpm
    mkdir -p "$dir"
    note "=== pass: mpm_$mpm"
    perl t/TEST.PL -clean > "$dir/.clean.log" 2>&1
    conf=$(base_conf "$mpm")
    if ! perl t/TEST.PL -apxs "$(command -v "$APXS")" -httpd "$HTTPD" \
            -httpd_conf "$conf" -port "$PORT" -configure \
            > "$dir/.configure.log" 2>&1; then
        cat "$dir/.configure.log"
        tap_fail "$dir" 00_configure.t "Apache::Test configuration under mpm_$mpm"
        return
    fi
    if [ "$mpm" = prefork ] && [ -z "$ONLY" ]; then
        for t in t/unit/*.t; do
            [ -f "$t" ] && run_tap "$dir" "$t"
        done
    fi
    if ! perl t/TEST.PL -start-httpd > "$dir/.start.log" 2>&1; then
        cat "$dir/.start.log"
        tail -n 30 t/logs/error_log 2>/dev/null
        tap_fail "$dir" 00_start.t "httpd starts under mpm_$mpm"
        perl t/TEST.PL -stop-httpd >/dev/null 2>&1
        return
    fi
    for t in ${ONLY:-t/[0-9]*.t}; do
        [ -f "$t" ] || continue
        case "$t" in
            *modssl*) [ "$mpm" = prefork ] || continue ;;
            # own httpds (prefork and event) with memcached and redis
            *cache_shared*) [ "$mpm" = prefork ] || continue ;;
        esac
        run_tap "$dir" "$t"
    done
    perl t/TEST.PL -stop-httpd > "$dir/.stop.log" 2>&1
    # after the stop, so that crashes at shutdown count too
    run_tap "$dir" t/zz_error_log.t
    cp t/logs/error_log "$dir/.error_log" 2>/dev/null
}

if [ -n "$setup_error" ]; then
    note "setup failed: $setup_error"
    mkdir -p "$RES/setup"
    tap_fail "$RES/setup" 00_setup.t "$setup_error"
    MPMS=setup
else
    for mpm in $MPMS; do
        run_pass "$mpm"
    done
fi

files=
for mpm in $MPMS; do
    files="$files $(cd "$RES" && find "$mpm" -name '*.t' | sort)"
done
failed=$(cd "$RES" && grep -l '^not ok' $files 2>/dev/null)
if [ -n "$failed" ]; then
    for f in $failed; do
        echo "----- $RES/$f (passing lines left out)"
        grep -v '^ok' "$RES/$f"
    done
    note "FAILED; logs: $RES/<mpm>/.error_log${ALB_MTLS_COPY:+, test tree kept in $ALB_MTLS_COPY}"
fi
note "=== summary of all passes"
cd "$RES" && exec prove --exec cat $files
