#!/bin/sh
# bench/formats.sh - a cache hit and a miss for each AlbMtlsHeaderFormat,
# next to alb: the same EC P-256 chain (t/pki/mkpki.sh's client1 and its
# intermediate) sent as alb, alb-verify (leaf + descriptive headers),
# rfc9440, xfcc and base64-der to a static 100-byte file behind
# AlbMtlsVerifyClient require.  Two throwaway prefork httpds on loopback:
# A with the default cache (every request after the first is a hit), B with
# AlbMtlsCache none (every request decodes, parses and verifies: a miss).
# Prints, per format and case, wrk's requests/s and httpd CPU per request
# (utime+stime of the parent, its reaped and its live children, from /proc).
#
# Environment: DURATION (seconds per run, default 3), REPS (default 1; the
# median is printed), CONNS (wrk connections = children, default 2),
# KEEP=1 (keep the run directory).  Needs apache2, apache2-dev, wrk, curl,
# openssl, perl.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-3}
REPS=${REPS:-1}
CONNS=${CONNS:-2}
FORMATS="alb alb-verify rfc9440 xfcc base64-der"

need() { command -v "$1" >/dev/null 2>&1 || { echo "formats.sh: $1 not found ($2)" >&2; exit 1; }; }
need apxs "apt-get install apache2-dev"
need wrk "apt-get install wrk"
need curl "apt-get install curl"
need perl "apt-get install perl"
MODDIR=$(apxs -q LIBEXECDIR)
HTTPD=$(apxs -q SBINDIR)/$(apxs -q TARGET)

make -s -C "$TOP" -f Makefile.apxs module >/dev/null
RUN=$(mktemp -d /tmp/alb-bench-formats.XXXXXX)
chmod 755 "$RUN"
cleanup() {
    for f in "$RUN"/A/httpd.pid "$RUN"/B/httpd.pid; do
        [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true
    done
    sleep 1
    [ "${KEEP:-0}" = 1 ] && echo "formats.sh: kept $RUN" || rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

sh "$TOP/t/pki/mkpki.sh" "$RUN/pki" >/dev/null
PKI=$RUN/pki
mkdir -p "$RUN/htdocs"
head -c 100 /dev/zero | tr '\0' x > "$RUN/htdocs/file.html"
# one file of "Name: value" lines per format (wrk -H per line)
for f in $FORMATS; do
    if [ "$f" = base64-der ]; then
        "$TOP/tools/alb-mtls-header" --format "$f" --header X-Der "$PKI/client-chain.pem"
    else
        "$TOP/tools/alb-mtls-header" --format "$f" "$PKI/client-chain.pem"
    fi > "$RUN/$f.headers"
done

free_port() { perl -MIO::Socket::INET -e 'my $s=IO::Socket::INET->new(LocalAddr=>"127.0.0.1",LocalPort=>0,Listen=>1) or die; print $s->sockport'; }
PORT_A=$(free_port)
PORT_B=$(free_port)
while [ "$PORT_B" = "$PORT_A" ]; do PORT_B=$(free_port); done
user_conf=""
if [ "$(id -u)" -eq 0 ]; then
    user_conf="User nobody
Group $(id -gn nobody 2>/dev/null || echo nogroup)"
fi

mkconf() { # NAME PORT CACHE
    mkdir -p "$RUN/$1"
    chmod 777 "$RUN/$1"
    cat > "$RUN/$1/httpd.conf" <<C
ServerRoot "$RUN/$1"
DefaultRuntimeDir "$RUN/$1"
PidFile "$RUN/$1/httpd.pid"
Mutex file:$RUN/$1 default
Listen 127.0.0.1:$2
ServerName 127.0.0.1
ErrorLog "$RUN/$1/error_log"
LogLevel warn
$user_conf
LoadModule mpm_prefork_module "$MODDIR/mod_mpm_prefork.so"
LoadModule authz_core_module "$MODDIR/mod_authz_core.so"
LoadModule mime_module "$MODDIR/mod_mime.so"
LoadModule alias_module "$MODDIR/mod_alias.so"
LoadModule alb_mtls_module "$TOP/build/mod_alb_mtls.so"
TypesConfig /dev/null
AddType text/html .html
StartServers $CONNS
MinSpareServers $CONNS
MaxSpareServers $CONNS
ServerLimit $CONNS
MaxRequestWorkers $CONNS
KeepAlive On
MaxKeepAliveRequests 0
LimitRequestFieldSize 16384
DocumentRoot "$RUN/htdocs"
<Directory "$RUN/htdocs">
    Require all granted
</Directory>
Alias /alb/ "$RUN/htdocs/"
Alias /alb-verify/ "$RUN/htdocs/"
Alias /rfc9440/ "$RUN/htdocs/"
Alias /xfcc/ "$RUN/htdocs/"
Alias /base64-der/ "$RUN/htdocs/"
AlbMtlsCache $3
AlbMtlsVerifyClient require
AlbMtlsCAFile "$PKI/root.crt"
<Location /alb-verify/>
    AlbMtlsHeaderFormat alb-verify
    AlbMtlsCAFile "$PKI/root.crt"
    AlbMtlsCAFile "$PKI/intermediate.crt"
</Location>
<Location /rfc9440/>
    AlbMtlsHeaderFormat rfc9440
</Location>
<Location /xfcc/>
    AlbMtlsHeaderFormat xfcc
</Location>
<Location /base64-der/>
    AlbMtlsHeaderFormat base64-der
    AlbMtlsHeader X-Der
</Location>
C
    "$HTTPD" -d "$RUN/$1" -f "$RUN/$1/httpd.conf" -k start
    for _ in $(seq 50); do
        curl -s -o /dev/null "http://127.0.0.1:$2/" && return 0
        sleep 0.1
    done
    echo "formats.sh: httpd $1 did not start" >&2
    cat "$RUN/$1/error_log" >&2
    exit 1
}
mkconf A "$PORT_A" process
mkconf B "$PORT_B" none

cpu_ticks() {
    ppid=$(cat "$RUN/$1/httpd.pid")
    {
        cat "/proc/$ppid/stat"
        for c in $(cat "/proc/$ppid/task/$ppid/children" 2>/dev/null); do
            cat "/proc/$c/stat" 2>/dev/null || true
        done
    } | perl -ne '@f = split / /, substr($_, rindex($_, ")") + 2);
                  $t += $f[11] + $f[12] + ($. == 1 ? $f[13] + $f[14] : 0);
                  END { print $t + 0 }'
}
HZ=$(getconf CLK_TCK)

# run FORMAT SERVER PORT SECONDS -> "rps us_per_request non2xx"
run() {
    set -- "$1" "$2" "$3" "$4"
    hfile=$RUN/$1.headers
    # wrk -H per header line
    args=$(perl -e 'while (<>) { chomp; s/\x27/\x27\\\x27\x27/g; print " -H \x27$_\x27" }' "$hfile")
    t0=$(cpu_ticks "$2")
    eval "wrk -t1 -c$CONNS -d${4}s $args http://127.0.0.1:$3/$1/file.html" > "$RUN/wrk.out" 2>&1
    t1=$(cpu_ticks "$2")
    reqs=$(awk '/requests in/ { print $1 }' "$RUN/wrk.out")
    rps=$(awk '/^Requests\/sec/ { print $2 }' "$RUN/wrk.out")
    bad=$(awk '/Non-2xx/ { print $5 }' "$RUN/wrk.out")
    perl -e 'printf "%s %.1f %s\n", $ARGV[0], ($ARGV[2] - $ARGV[1]) * 1e6 / $ARGV[4] / ($ARGV[3] || 1), $ARGV[5]' \
        "$rps" "$t0" "$t1" "$reqs" "$HZ" "${bad:-0}"
}

echo "formats.sh: sanity checks"
for f in $FORMATS; do
    for p in "$PORT_A" "$PORT_B"; do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "@$RUN/$f.headers" "http://127.0.0.1:$p/$f/file.html")
        [ "$code" = 200 ] || { echo "formats.sh: $f on $p gave $code" >&2; exit 1; }
    done
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT_A/$f/file.html")
    [ "$code" = 403 ] || { echo "formats.sh: $f without headers gave $code" >&2; exit 1; }
done

echo "formats.sh: $(nproc) CPU(s), load $(cut -d' ' -f1-3 /proc/loadavg), DURATION=$DURATION REPS=$REPS CONNS=$CONNS"
printf '%-11s %10s %12s %10s %12s\n' format "hit req/s" "hit us/req" "miss req/s" "miss us/req"
for f in $FORMATS; do
    run "$f" A "$PORT_A" 1 >/dev/null
    hits="" misses=""
    for _ in $(seq "$REPS"); do
        hits="$hits
$(run "$f" A "$PORT_A" "$DURATION")"
        misses="$misses
$(run "$f" B "$PORT_B" "$DURATION")"
    done
    med() { printf '%s\n' "$1" | sed '/^$/d' | sort -n -k"$2" | awk -v k="$2" '{ v[NR] = $k } END { print v[int((NR + 1) / 2)] }'; }
    printf '%-11s %10s %12s %10s %12s\n' "$f" "$(med "$hits" 1)" "$(med "$hits" 2)" \
        "$(med "$misses" 1)" "$(med "$misses" 2)"
    for l in "$hits" "$misses"; do
        bad=$(printf '%s\n' "$l" | awk '{ s += $3 } END { print s + 0 }')
        [ "$bad" = 0 ] || echo "formats.sh: $f: $bad non-2xx responses" >&2
    done
done
