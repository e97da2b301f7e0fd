#!/bin/sh
# bench/callgrind.sh - instructions per request of the module's cases,
# counted by valgrind's callgrind: deterministic, so usable on a loaded
# machine where wrk's requests per second are not (bench/run.sh needs a
# quiet one).
#
#   sh bench/callgrind.sh [MODULE.so ...]     default: build/mod_alb_mtls.so
#
# For each module and case, httpd -X (one process, prefork) runs under
# callgrind twice, serving N1 and then N2 requests on one keep-alive
# connection; the difference of the two totals divided by N2-N1 is the
# cost of one request, start-up and shutdown cancelled out.  Cases (a
# 100-byte static file, EC P-256 chain of leaf + intermediate in the header):
#   (b) header present, module not configured for the path
#   (g) AlbMtlsVerifyClient require, in-process cache: every request a hit
#   (h) the same with AlbMtlsCacheTimeout 0: every request verified (miss)
# Environment: N1 (default 20), N2 (default 120), PORT (default 8391),
# USER_RUN (unprivileged user when started as root, default albtest).
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
N1=${N1:-20}
N2=${N2:-120}
PORT=${PORT:-8391}
USER_RUN=${USER_RUN:-albtest}
HTTPD=$(apxs -q SBINDIR)/$(apxs -q TARGET)
MODDIR=$(apxs -q LIBEXECDIR)
[ $# -gt 0 ] || set -- "$TOP/build/mod_alb_mtls.so"

RUN=$(mktemp -d /tmp/alb-callgrind.XXXXXX)
chmod 755 "$RUN"
trap '[ "${KEEP:-0}" = 1 ] || rm -rf "$RUN"' EXIT

# ------------------------------------------------------------- PKI
cd "$RUN"
openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -subj "/CN=Bench Root" -days 30 \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out int.key 2>/dev/null
openssl req -new -key int.key -subj "/CN=Bench Intermediate" -out int.csr 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > int.ext
openssl x509 -req -in int.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
    -days 30 -extfile int.ext -out int.crt 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out leaf.key 2>/dev/null
openssl req -new -key leaf.key -subj "/C=US/O=Acme/OU=Dev/CN=bench-client" -out leaf.csr 2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:bench.example.com,URI:spiffe://acme/bench\n' > leaf.ext
openssl x509 -req -in leaf.csr -CA int.crt -CAkey int.key -CAcreateserial \
    -days 30 -extfile leaf.ext -out leaf.crt 2>/dev/null
cat leaf.crt int.crt > chain.pem
HEADER=$(sh "$TOP/tools/alb-mtls-header" chain.pem)
mkdir -p htdocs/b htdocs/g htdocs/h logs
head -c 100 /dev/zero | tr '\0' x > htdocs/b/f.txt
cp htdocs/b/f.txt htdocs/g/f.txt
cp htdocs/b/f.txt htdocs/h/f.txt

conf() {        # $1 module, $2 timeout for the cache
    cat <<EOF
ServerRoot "$RUN"
Listen 127.0.0.1:$PORT
PidFile $RUN/logs/httpd.pid
ErrorLog $RUN/logs/error_log
LogLevel warn
LoadModule mpm_prefork_module $MODDIR/mod_mpm_prefork.so
LoadModule authz_core_module $MODDIR/mod_authz_core.so
LoadModule alb_mtls_module $1
DocumentRoot "$RUN/htdocs"
KeepAlive On
MaxKeepAliveRequests 0
LimitRequestFieldSize 16384
AlbMtlsCacheTimeout $2
<Directory "$RUN/htdocs">
    Require all granted
</Directory>
<Location /g>
    AlbMtlsVerifyClient require
    AlbMtlsCAFile "$RUN/ca.crt"
</Location>
<Location /h>
    AlbMtlsVerifyClient require
    AlbMtlsCAFile "$RUN/ca.crt"
</Location>
EOF
}

# instructions of one httpd -X run serving n requests of path
run() {         # $1 module, $2 path, $3 n, $4 cache timeout
    conf "$1" "$4" > httpd.conf
    chown -R "$USER_RUN:" "$RUN" 2>/dev/null || true
    rm -f logs/httpd.pid cg.out
    as_user valgrind --tool=callgrind --callgrind-out-file="$RUN/cg.out" \
        "$HTTPD" -X -f "$RUN/httpd.conf" >/dev/null 2>&1 &
    i=0
    while ! curl -s -o /dev/null "http://127.0.0.1:$PORT/b/f.txt" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 300 ] || { echo "callgrind.sh: httpd did not start" >&2; cat logs/error_log >&2; exit 1; }
        sleep 0.2
    done
    urls=""
    k=0
    while [ $k -lt "$3" ]; do urls="$urls http://127.0.0.1:$PORT$2"; k=$((k + 1)); done
    # shellcheck disable=SC2086
    curl -s -H "X-Amzn-Mtls-Clientcert: $HEADER" $urls >/dev/null
    kill -TERM "$(cat logs/httpd.pid)"
    wait
    cp cg.out "cg-$(basename "$1")-$(echo "$2" | tr / _)-$3.out"
    sed -n 's/^totals: \([0-9]*\).*/\1/p' cg.out
}

as_user() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u "$USER_RUN" -- "$@"; else "$@"; fi
}

printf '%-40s %-4s %14s %14s %12s\n' module case "Ir($N1+1)" "Ir($N2+1)" Ir/request
for mod in "$@"; do
    for c in b g h; do
        t=300; [ $c = h ] && t=0
        a=$(run "$mod" "/$c/f.txt" "$N1" $t)
        b=$(run "$mod" "/$c/f.txt" "$N2" $t)
        printf '%-40s %-4s %14s %14s %12s\n' "$mod" "($c)" "$a" "$b" \
            $(( (b - a) / (N2 - N1) ))
    done
done
