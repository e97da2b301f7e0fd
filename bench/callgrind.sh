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
# 100-byte static file, the header in every request):
#   (bs) header present, httpd without the module: the baseline
#   (bm) header present, module loaded but not configured for the path
#   (g)  AlbMtlsVerifyClient require, in-process cache: every request a hit
#   (h)  the same with AlbMtlsCacheTimeout 0: every request verified (miss)
# for two headers: rsa1, one RSA-2048 certificate (the leaf alone, issued
# by the root), and ec2, an EC P-256 leaf and its intermediate.
# Then, for each module, the hit hook by hook: the inclusive
# instructions per request of each of the module's hooks and of httpd's
# pool and allocator functions, (g) minus (bs) (callgrind_annotate).
# Environment: N1 (default 20), N2 (default 120), PORT (default 8391),
# USER_RUN (unprivileged user when started as root, default albtest),
# HEADERS (default "rsa1 ec2"), KEEP=1 (keep the run directory and the
# callgrind outputs).
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
openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa-ca.key -subj "/CN=Bench RSA Root" \
    -days 30 -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out rsa-ca.crt 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout rsa-leaf.key \
    -subj "/C=US/O=Acme/OU=Dev/CN=bench-client" -out rsa-leaf.csr 2>/dev/null
openssl x509 -req -in rsa-leaf.csr -CA rsa-ca.crt -CAkey rsa-ca.key -CAcreateserial \
    -days 30 -extfile leaf.ext -out rsa-leaf.crt 2>/dev/null
cat rsa-ca.crt ca.crt > anchors.crt
header_of() {   # rsa1 | ec2
    case $1 in
    rsa1) sh "$TOP/tools/alb-mtls-header" rsa-leaf.crt ;;
    ec2)  sh "$TOP/tools/alb-mtls-header" chain.pem ;;
    esac
}
mkdir -p htdocs/b htdocs/g htdocs/h logs
head -c 100 /dev/zero | tr '\0' x > htdocs/b/f.txt
cp htdocs/b/f.txt htdocs/g/f.txt
cp htdocs/b/f.txt htdocs/h/f.txt

conf() {        # $1 module ("none": not loaded), $2 timeout for the cache
    cat <<EOF
ServerRoot "$RUN"
Listen 127.0.0.1:$PORT
PidFile $RUN/logs/httpd.pid
ErrorLog $RUN/logs/error_log
LogLevel warn
LoadModule mpm_prefork_module $MODDIR/mod_mpm_prefork.so
LoadModule authz_core_module $MODDIR/mod_authz_core.so
DocumentRoot "$RUN/htdocs"
KeepAlive On
MaxKeepAliveRequests 0
LimitRequestFieldSize 16384
<Directory "$RUN/htdocs">
    Require all granted
</Directory>
EOF
    [ "$1" = none ] && return 0
    cat <<EOF
LoadModule alb_mtls_module $1
AlbMtlsCacheTimeout $2
<Location /g>
    AlbMtlsVerifyClient require
    AlbMtlsCAFile "$RUN/anchors.crt"
</Location>
<Location /h>
    AlbMtlsVerifyClient require
    AlbMtlsCAFile "$RUN/anchors.crt"
</Location>
EOF
}

# instructions of one httpd -X run serving n requests of path
run() {         # $1 module, $2 path, $3 n, $4 cache timeout, $5 label
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
    cp cg.out "cg-$5-$3.out"
    sed -n 's/^totals: \([0-9]*\).*/\1/p' cg.out
}

as_user() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u "$USER_RUN" -- "$@"; else "$@"; fi
}

HEADERS=${HEADERS:-rsa1 ec2}
printf '%-44s %-5s %-5s %14s %14s %12s\n' module hdr case "Ir($N1+1)" "Ir($N2+1)" Ir/request
m=0
for mod in "$@"; do
    m=$((m + 1))
    for hk in $HEADERS; do
        HEADER=$(header_of "$hk")
        for c in bs bm g h; do
            t=300; [ $c = h ] && t=0
            mm=$mod; [ $c = bs ] && mm=none
            path=/$c/f.txt
            case $c in bs|bm) path=/b/f.txt ;; esac
            a=$(run "$mm" "$path" "$N1" $t "m$m-$hk-$c")
            b=$(run "$mm" "$path" "$N2" $t "m$m-$hk-$c")
            printf '%-44s %-5s %-5s %14s %14s %12s\n' "$mod" "$hk" "($c)" "$a" "$b" \
                $(( (b - a) / (N2 - N1) ))
        done
    done
done

# the hit, hook by hook: inclusive Ir per request of the functions below,
# (g) minus (bs), each module and header (function names of the releases
# before the restructuring included)
breakdown() {   # label
    perl - "$RUN" "$1" "$N1" "$N2" <<'PL'
my ($run, $label, $n1, $n2) = @ARGV;
my @fns = (
    [ 'post_read_request (capture, strip)', qr/^(proxy|amt)_post_read_request$/ ],
    [ 'per-directory merge of the config',  qr/^amt_merge_dir_conf$/ ],
    [ 'check_access_ex (decision, verdict)', qr/^amt_check_access$/ ],
    [ '  of which: the verdict',            qr/^amt_verdict_for$/ ],
    [ '  of which: cache key',              qr/^amt_(entry_key_prefix|entry_key|cache_key)$/ ],
    [ '  of which: LRU store get',          qr/^amt_(lru|cache)_get$/ ],
    [ '  of which: entry decode',           qr/^amt_entry_decode(_own)?$/ ],
    [ 'fixups (first): decision again',     qr/^amt_enforce$/ ],
    [ 'fixups: export of the variables',    qr/^amt_fixups$/ ],
    [ 'lookups (ssl_var_lookup, expr)',     qr/^amt_(ssl_var_lookup|lookup_var|expr_lookup)/ ],
    [ 'logging (access log hooks)',         qr/^ap_run_log_transaction$/ ],
    [ 'pool growth: apr_palloc',            qr/^apr_palloc$/ ],
    [ 'pool growth: malloc',                qr/^(__libc_)?malloc$/ ],
    [ 'pool growth: mmap/munmap',           qr/^(mmap|munmap|__munmap|__mmap)(64)?$/ ],
    [ 'SHA-256 (any caller)',               qr/^SHA256_Update$/ ],
    [ 'whole request',                      qr/^PROGRAM TOTALS$/ ],
);
sub inclusive {
    my ($f) = @_;
    my %h;
    local $_;
    open my $fh, '-|', "callgrind_annotate --inclusive=yes --threshold=100 $f 2>/dev/null" or die;
    while (<$fh>) {
        next unless /^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.*?)\s*$/;
        my ($v, $name) = ($1, $2);
        $v =~ s/,//g;
        $name =~ s/\s+\[.*\]$//;         # object file
        $name =~ s/^.*://;                 # source file
        $name =~ s/'\d+$//;               # recursion marks
        $h{$name} = $v if !defined $h{$name} || $v > $h{$name};
    }
    return \%h;
}
my %per;
for my $c (qw(bs g)) {
    my ($x, $y) = map { inclusive("$run/cg-$label-$c-$_.out") } ($n1, $n2);
    for my $row (@fns) {
        my $sum = 0;
        for my $name (keys %$y) {
            next unless $name =~ $row->[1];
            $sum += ($y->{$name} - ($x->{$name} // 0)) / ($n2 - $n1);
        }
        $per{$c}{$row->[0]} = $sum;
    }
}
printf "\n%s: instructions per request, hook by hook\n", $label;
printf "| %-38s | %10s | %10s | %10s |\n", 'where', '(bs)', '(g) hit', '(g)-(bs)';
printf "|%s|%s|%s|%s|\n", '-' x 40, '-' x 12 . ':', '-' x 12 . ':', '-' x 12 . ':';
for my $row (@fns) {
    my ($b, $g) = map { $per{$_}{$row->[0]} // 0 } qw(bs g);
    printf "| %-38s | %10.0f | %10.0f | %10.0f |\n", $row->[0], $b, $g, $g - $b;
}
PL
}
m=0
for mod in "$@"; do
    m=$((m + 1))
    echo
    echo "module $m: $mod"
    for hk in $HEADERS; do
        breakdown "m$m-$hk"
    done
done
if [ "${KEEP:-0}" = 1 ]; then echo "callgrind.sh: outputs kept in $RUN"; fi
