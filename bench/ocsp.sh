#!/bin/sh
# bench/ocsp.sh - what OCSP costs: requests per second and mean latency of
# a cache miss and a cache hit, with and without `AlbMtlsOCSP leaf`,
# against a local `openssl ocsp` responder (EC P-256 leaf + intermediate,
# 3-byte static file, prefork, wrk on loopback).
#   miss        AlbMtlsCache none: every request verified (today's miss)
#   miss+ocsp   the same with AlbMtlsOCSP leaf: verified, and the responder
#               asked every time (no cache holds the answer either)
#   hit         AlbMtlsCache process: every request a hit
#   hit+ocsp    the same with AlbMtlsOCSP leaf: a hit does no OCSP work
# Environment: DURATION (seconds per case, default 3), CONNS (wrk
# connections, default 4), KEEP=1 keeps the run directory.  Needs apxs,
# wrk, openssl, perl.  Everything listens on 127.0.0.1 (the responder on
# every address: `openssl ocsp -port` takes no host) and is stopped at the
# end.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-3}
CONNS=${CONNS:-4}
for t in apxs wrk openssl perl; do
    command -v $t >/dev/null 2>&1 || { echo "ocsp.sh: $t not found" >&2; exit 1; }
done
MODDIR=$(apxs -q LIBEXECDIR)
HTTPD=$(apxs -q SBINDIR)/$(apxs -q TARGET)
make -s -C "$TOP" -f Makefile.apxs module >/dev/null
RUN=$(mktemp -d /tmp/alb-mtls-ocsp-bench.XXXXXX)
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    [ -f "$RUN/httpd.pid" ] && kill "$(cat "$RUN/httpd.pid")" 2>/dev/null || true
    sleep 1
    [ "${KEEP:-}" = 1 ] || rm -rf "$RUN"
}
trap cleanup EXIT INT TERM
free_port() { perl -MIO::Socket::INET -e 'my $s=IO::Socket::INET->new(LocalAddr=>"127.0.0.1",LocalPort=>0,Listen=>1) or die; print $s->sockport'; }
alb_encode() { perl -0777 -pe 's{([^A-Za-z0-9\-._~+=/])}{sprintf("%%%02X", ord $1)}ge' "$@"; }

PI=$(free_port); PA=$(free_port); PB=$(free_port)
sh "$TOP/t/pki/mkocsp.sh" "$RUN/pki" "$PI" "$(free_port)" "$(free_port)" >/dev/null
openssl ocsp -index "$RUN/pki/db-int/index.txt" -port "$PI" -rsigner "$RUN/pki/int.crt" \
    -rkey "$RUN/pki/int.key" -CA "$RUN/pki/int.crt" -nmin 60 >"$RUN/responder.log" 2>&1 &
PIDS="$PIDS $!"
echo ok > "$RUN/ok.txt"
chmod -R a+rX "$RUN"
USERCONF=""
if [ "$(id -u)" -eq 0 ]; then
    USERCONF="User nobody
Group $(id -gn nobody 2>/dev/null || echo nogroup)"
fi
cat > "$RUN/httpd.conf" <<CONF
ServerRoot "$RUN"
ServerName localhost
PidFile "$RUN/httpd.pid"
ErrorLog "$RUN/error_log"
LogLevel warn
$USERCONF
DefaultRuntimeDir "$RUN"
Mutex file:$RUN default
LoadModule mpm_prefork_module "$MODDIR/mod_mpm_prefork.so"
LoadModule authz_core_module "$MODDIR/mod_authz_core.so"
LoadModule alias_module "$MODDIR/mod_alias.so"
LoadModule alb_mtls_module "$TOP/build/mod_alb_mtls.so"
StartServers $CONNS
MinSpareServers $CONNS
MaxRequestWorkers 16
AlbMtlsTrustedProxy 127.0.0.1
LimitRequestFieldSize 16384
AliasMatch "^/" "$RUN/ok.txt"
<Directory "$RUN">
    Require all granted
</Directory>
AlbMtlsVerifyClient require
AlbMtlsCAFile "$RUN/pki/root.crt"
<Location /ocsp>
    AlbMtlsOCSP leaf
</Location>
Listen 127.0.0.1:$PA
Listen 127.0.0.1:$PB
<VirtualHost 127.0.0.1:$PA>
    AlbMtlsCache none
</VirtualHost>
<VirtualHost 127.0.0.1:$PB>
    AlbMtlsCache process
</VirtualHost>
CONF
"$HTTPD" -f "$RUN/httpd.conf" -k start
sleep 2
HDR=$(alb_encode "$RUN/pki/good-chain.pem")
run() { # NAME PORT PATH
    curl -s -o /dev/null -w '' -H "X-Amzn-Mtls-Clientcert: $HDR" "http://127.0.0.1:$2$3" || true
    out=$(wrk -t1 -c"$CONNS" -d"${DURATION}s" -H "X-Amzn-Mtls-Clientcert: $HDR" \
          "http://127.0.0.1:$2$3" 2>&1)
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    lat=$(echo "$out" | awk '/Latency/ {print $2}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    printf '%-10s %10s req/s  mean latency %8s  non-2xx %s\n' "$1" "$rps" "$lat" "${non2xx:-0}"
}
echo "ocsp.sh: $CONNS connections, ${DURATION}s per case, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run miss "$PA" /plain
run miss+ocsp "$PA" /ocsp
run hit "$PB" /plain
run hit+ocsp "$PB" /ocsp
echo "ocsp.sh: responder answered $(grep -c 'Received request' "$RUN/responder.log") requests"
"$HTTPD" -f "$RUN/httpd.conf" -k stop
