#!/bin/sh
# bench/run.sh - benchmark mod_alb_mtls against the PHP check it replaces.
#
# Self-contained: from a fresh checkout (apache2, apache2-dev, libapache2-mod-php,
# openssl, wrk, perl installed) it builds the module and bench/floor.c, makes
# RSA-2048, RSA-4096 and EC P-256 test chains, starts two throwaway prefork
# httpds with mod_php on loopback (A: default cache; B: AlbMtlsCache none),
# runs every case with wrk, interleaved, REPS times, and prints medians:
#   (a) static 100-byte file, module loaded but not configured, no header
#   (bs) the same file with the header, on httpd C, which has no module:
#       the baseline of (g)
#   (b) the same file with the header present, module not configured
#   (bn) as (b), but under a <Location> of its own that says only
#       AlbMtlsVerifyClient none: what httpd itself spends on a <Location>
#       section and on the module's hooks declining (g) pays that too
#   (g) the same file behind AlbMtlsVerifyClient require, cache on
#   (gx) as (g) with AlbMtlsOptions -StdEnvVars: the hit alone, without
#       exporting the ~25 variables (splits (g)-(b) into lookup and export)
#   (h) the same, AlbMtlsCache none (httpd B)
#   (c) a trivial PHP page
#   (cs) the trivial PHP page with the header, on httpd C (no module): the
#       baseline of (i) and (ie)
#   (d) a PHP page doing the PHP check (rawurldecode + openssl_x509_parse +
#       openssl_x509_verify up to the root; succeeds)
#   (i) a PHP page that reads SSL_CLIENT_S_DN_CN behind the module (cache on)
#   (ie) the same with AlbMtlsExport SSL_CLIENT_S_DN_CN
# (b) (bs) (g) (h) (d) (i) (ie) (cs) for each key type.  (g)-(bs) and
# (i)/(cs), (ie)/(cs) are also given per repetition, as min / median / max,
# so that a reader sees whether a difference is noise.  httpd CPU per request comes from
# /proc (utime+stime of the parent, its reaped children and its live
# children) over the run, divided by wrk's request count.  Then the OpenSSL
# floor (bench/floor.c, which also times the core work of a cache hit
# without httpd around it), and the memory figure: the children's RSS before and
# after filling the in-process cache with 1500 distinct EC chains.
#
# Environment: DURATION (seconds per run, default 4), REPS (default 3),
# CONNS (wrk connections = prefork children, default 4), KEEP=1 (keep the run
# directory), OUT (raw results file, default bench/last-run.txt), TYPES
# (default "rsa2048 rsa4096 ec256"), MPM (prefork, the default, with mod_php;
# or event: the static cases only, mod_php being prefork-only), FILL,
# PROFILE=1 (a perf cpu-clock profile of httpd during (bs) and (g)).
# Everything runs on 127.0.0.1 and is stopped at the end (also on Ctrl-C).
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-4}
REPS=${REPS:-3}
CONNS=${CONNS:-4}
OUT=${OUT:-$TOP/bench/last-run.txt}
TYPES=${TYPES:-rsa2048 rsa4096 ec256}
MPM=${MPM:-prefork}
FILL=${FILL:-1500}

need() { command -v "$1" >/dev/null 2>&1 || { echo "run.sh: $1 not found ($2)" >&2; exit 1; }; }
need apxs "apt-get install apache2-dev"
need wrk "apt-get install wrk"
need openssl "apt-get install openssl"
need perl "apt-get install perl"
need curl "apt-get install curl"

MODDIR=$(apxs -q LIBEXECDIR)
HTTPD=$(apxs -q SBINDIR)/$(apxs -q TARGET)
PHPMOD=$(ls "$MODDIR"/libphp*.so 2>/dev/null | head -n 1 || true)
[ -n "$PHPMOD" ] || { echo "run.sh: mod_php not found in $MODDIR (apt-get install libapache2-mod-php)" >&2; exit 1; }
HZ=$(getconf CLK_TCK)

# ------------------------------------------------------------- build
echo "run.sh: building the module and bench/floor"
make -s -C "$TOP" -f Makefile.apxs module >/dev/null
mkdir -p "$TOP/build/bench"
APR_CONFIG=$(apxs -q APR_CONFIG 2>/dev/null || echo apr-1-config)
# shellcheck disable=SC2046
cc -O2 -std=gnu99 -o "$TOP/build/bench/floor" "$TOP/bench/floor.c" \
    -I"$TOP/src" $($APR_CONFIG --cppflags --cflags --includes) \
    $(pkg-config --cflags openssl 2>/dev/null) \
    "$TOP/build/libamt.a" $($APR_CONFIG --link-ld) \
    $(pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)

RUN=$(mktemp -d /tmp/alb-bench.XXXXXX)
chmod 755 "$RUN"
PIDS=""
cleanup() {
    for f in "$RUN"/A/httpd.pid "$RUN"/B/httpd.pid "$RUN"/C/httpd.pid; do
        [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true
    done
    sleep 1
    [ "${KEEP:-0}" = 1 ] && echo "run.sh: kept $RUN" || rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ------------------------------------------------------------- PKI
echo "run.sh: making test chains in $RUN"
# the memory figure uses EC chains whatever TYPES says
PKI_TYPES=$TYPES
case " $TYPES " in *" ec256 "*) ;; *) PKI_TYPES="$TYPES ec256" ;; esac
cat > "$RUN/ext.cnf" <<'X'
[ ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ leaf ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:client.example, email:client@example.com
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
X
alb_encode() { perl -0777 -pe 's{([^A-Za-z0-9\-._~+=/])}{sprintf("%%%02X", ord $1)}ge' "$@"; }
keyopt() {
    case $1 in
    rsa2048) echo "-newkey rsa:2048" ;;
    rsa4096) echo "-newkey rsa:4096" ;;
    ec256)   echo "-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
    esac
}
for t in $PKI_TYPES; do
    d=$RUN/pki/$t
    mkdir -p "$d"
    # shellcheck disable=SC2046
    openssl req -x509 -nodes $(keyopt $t) -keyout "$d/root.key" -out "$d/root.crt" \
        -subj "/C=US/O=Bench/CN=Bench Root $t" -days 30 -sha256 \
        -addext "basicConstraints=critical,CA:true" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    for n in int leaf; do
        # shellcheck disable=SC2046
        openssl req -new -nodes $(keyopt $t) -keyout "$d/$n.key" -out "$d/$n.csr" \
            -subj "/C=US/O=Acme/OU=Dev/CN=$([ $n = int ] && echo "Bench Intermediate $t" || echo client1)" \
            2>/dev/null
    done
    openssl x509 -req -in "$d/int.csr" -CA "$d/root.crt" -CAkey "$d/root.key" \
        -set_serial 2 -days 30 -sha256 -extfile "$RUN/ext.cnf" -extensions ca \
        -out "$d/int.crt" 2>/dev/null
    openssl x509 -req -in "$d/leaf.csr" -CA "$d/int.crt" -CAkey "$d/int.key" \
        -set_serial 3 -days 30 -sha256 -extfile "$RUN/ext.cnf" -extensions leaf \
        -out "$d/leaf.crt" 2>/dev/null
    cat "$d/leaf.crt" "$d/int.crt" > "$d/chain.pem"
    openssl verify -purpose sslclient -CAfile "$d/root.crt" -untrusted "$d/int.crt" \
        "$d/leaf.crt" >/dev/null
    alb_encode "$d/chain.pem" > "$d/header"
done
# distinct EC leaves (same key, other serials) for the memory figure
d=$RUN/pki/ec256
: > "$RUN/fill.txt"
i=1000
while [ $i -lt $((1000 + FILL)) ]; do
    openssl x509 -req -in "$d/leaf.csr" -CA "$d/int.crt" -CAkey "$d/int.key" \
        -set_serial $i -days 30 -sha256 -extfile "$RUN/ext.cnf" -extensions leaf \
        2>/dev/null | cat - "$d/int.crt" | alb_encode >> "$RUN/fill.txt"
    echo >> "$RUN/fill.txt"
    i=$((i + 1))
done

# ------------------------------------------------------------- docroot
H=$RUN/htdocs
mkdir -p "$H/plain" "$H/c"
head -c 100 /dev/zero | tr '\0' 'x' > "$H/plain/file.html"
echo '<?php echo "ok\n";' > "$H/c/hello.php"
cat > "$RUN/check.php" <<'PHP'
<?php
// The PHP check users run today: decode the forwarded chain, parse the
// leaf, verify every signature up to the configured root, check dates.
$pem = rawurldecode($_SERVER['HTTP_X_AMZN_MTLS_CLIENTCERT'] ?? '');
preg_match_all('/-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----/s', $pem, $m);
$chain = $m[0];
$chain[] = file_get_contents(__DIR__ . '/root.crt');
$info = count($chain) > 1 ? openssl_x509_parse($chain[0]) : false;
$ok = $info !== false && $info['validFrom_time_t'] <= time()
      && $info['validTo_time_t'] >= time();
for ($i = 0; $ok && $i + 1 < count($chain); $i++) {
    $ok = openssl_x509_verify($chain[$i], openssl_pkey_get_public($chain[$i + 1])) === 1;
}
if (!$ok) { http_response_code(403); exit; }
echo 'ok ', $info['subject']['CN'], "\n";
PHP
for t in $TYPES; do
    mkdir -p "$H/g_$t" "$H/gx_$t" "$H/i_$t" "$H/ie_$t" "$H/d_$t" "$H/bn_$t"
    cp "$H/plain/file.html" "$H/g_$t/file.html"
    cp "$H/plain/file.html" "$H/bn_$t/file.html"
    cp "$H/plain/file.html" "$H/gx_$t/file.html"
    echo '<?php echo $_SERVER["SSL_CLIENT_S_DN_CN"] ?? "none", "\n";' > "$H/i_$t/cn.php"
    cp "$H/i_$t/cn.php" "$H/ie_$t/cn.php"
    cp "$RUN/check.php" "$H/d_$t/check.php"
    cp "$RUN/pki/$t/root.crt" "$H/d_$t/root.crt"
done
mkdir -p "$H/mem" && cp "$H/plain/file.html" "$H/mem/file.html"
chmod -R a+rX "$RUN"

free_port() { perl -MIO::Socket::INET -e 'my $s=IO::Socket::INET->new(LocalAddr=>"127.0.0.1",LocalPort=>0,Listen=>1) or die; print $s->sockport'; }
PORT_A=$(free_port)
PORT_B=$(free_port)
while [ "$PORT_B" = "$PORT_A" ]; do PORT_B=$(free_port); done
PORT_C=$(free_port)
while [ "$PORT_C" = "$PORT_A" ] || [ "$PORT_C" = "$PORT_B" ]; do PORT_C=$(free_port); done

if [ "$MPM" = event ]; then
    mpm_conf="LoadModule mpm_event_module \"$MODDIR/mod_mpm_event.so\"
StartServers 1
ServerLimit 1
ThreadsPerChild $CONNS
ThreadLimit $CONNS
MinSpareThreads 1
MaxSpareThreads $CONNS
MaxRequestWorkers $CONNS"
    php_conf=""
else
    mpm_conf="LoadModule mpm_prefork_module \"$MODDIR/mod_mpm_prefork.so\"
StartServers $CONNS
MinSpareServers $CONNS
MaxSpareServers $CONNS
ServerLimit $CONNS
MaxRequestWorkers $CONNS"
    php_conf="LoadModule php_module \"$PHPMOD\"
<FilesMatch \"\\.php\$\">
    SetHandler application/x-httpd-php
</FilesMatch>"
fi

user_conf=""
if [ "$(id -u)" -eq 0 ]; then
    user_conf="User nobody
Group $(id -gn nobody 2>/dev/null || echo nogroup)"
fi

mkconf() { # NAME PORT CACHE ("-": httpd without the module)
    mkdir -p "$RUN/$1"
    chmod 777 "$RUN/$1"
    {
        cat <<C
ServerRoot "$RUN/$1"
DefaultRuntimeDir "$RUN/$1"
PidFile "$RUN/$1/httpd.pid"
Mutex file:$RUN/$1 default
Listen 127.0.0.1:$2
ServerName 127.0.0.1
ErrorLog "$RUN/$1/error_log"
LogLevel warn
$user_conf
$mpm_conf
LoadModule authz_core_module "$MODDIR/mod_authz_core.so"
LoadModule mime_module "$MODDIR/mod_mime.so"
LoadModule status_module "$MODDIR/mod_status.so"
$php_conf
TypesConfig /dev/null
AddType text/html .html
MaxConnectionsPerChild 0
# on this VM, mapping and unmapping the 100-byte file for every request
# (a TLB shootdown across both CPUs at each munmap) cost about 100 us and
# drowned the differences measured here; every server runs without it
EnableMMAP off
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 30
LimitRequestFieldSize 16384
DocumentRoot "$H"
<Directory "$H">
    Require all granted
</Directory>
<Location /server-status>
    SetHandler server-status
</Location>
C
        if [ "$3" != - ]; then
        echo "LoadModule alb_mtls_module \"$TOP/build/mod_alb_mtls.so\""
        echo "AlbMtlsCache $3"
        for t in $TYPES; do
            for p in g gx i ie; do
                echo "<Location /${p}_$t>"
                echo "    AlbMtlsVerifyClient require"
                echo "    AlbMtlsCAFile \"$RUN/pki/$t/root.crt\""
                [ $p = gx ] && echo "    AlbMtlsOptions -StdEnvVars"
                [ $p = ie ] && echo "    AlbMtlsExport SSL_CLIENT_S_DN_CN"
                echo "</Location>"
            done
            echo "<Location /bn_$t>"
            echo "    AlbMtlsVerifyClient none"
            echo "</Location>"
        done
        echo "<Location /mem>"
        echo "    AlbMtlsVerifyClient require"
        echo "    AlbMtlsCAFile \"$RUN/pki/ec256/root.crt\""
        echo "</Location>"
        fi
    } > "$RUN/$1/httpd.conf"
    "$HTTPD" -d "$RUN/$1" -f "$RUN/$1/httpd.conf" -k start
    for _ in $(seq 50); do
        curl -s -o /dev/null "http://127.0.0.1:$2/plain/file.html" && return 0
        sleep 0.1
    done
    echo "run.sh: httpd $1 did not start:" >&2
    cat "$RUN/$1/error_log" >&2
    exit 1
}
mkconf A "$PORT_A" "process"
mkconf B "$PORT_B" "none"
mkconf C "$PORT_C" -

# httpd CPU ticks: parent (with reaped children) + live children
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
children_rss_kb() {
    ppid=$(cat "$RUN/$1/httpd.pid")
    for c in $(cat "/proc/$ppid/task/$ppid/children"); do
        awk '/^VmRSS/ { print $2 }' "/proc/$c/status"
    done | awk '{ s += $1 } END { print s + 0 }'
}

# case table: id server path type(header) (type "-" = no header)
CASES="a A /plain/file.html -"
[ "$MPM" = event ] || CASES="$CASES
c A /c/hello.php -"
for t in $TYPES; do
    CASES="$CASES
b_$t A /plain/file.html $t
bs_$t C /plain/file.html $t
bn_$t A /bn_$t/file.html $t
g_$t A /g_$t/file.html $t
gx_$t A /gx_$t/file.html $t
h_$t B /g_$t/file.html $t"
    [ "$MPM" = event ] || CASES="$CASES
cs_$t C /c/hello.php $t
d_$t A /d_$t/check.php $t
i_$t A /i_$t/cn.php $t
ie_$t A /ie_$t/cn.php $t"
done

run_case() { # ID SERVER PATH TYPE DURATION -> appends a line to $RUN/raw
    port=$PORT_A
    [ "$2" = B ] && port=$PORT_B
    [ "$2" = C ] && port=$PORT_C
    set -- "$1" "$2" "$3" "$4" "$5" "$port"
    if [ "$4" = - ]; then
        set -- "$@" ""
    else
        set -- "$@" "X-Amzn-Mtls-Clientcert: $(cat "$RUN/pki/$4/header")"
    fi
    t0=$(cpu_ticks "$2")
    if [ -n "$7" ]; then
        wrk -t1 -c"$CONNS" -d"$5"s -H "$7" "http://127.0.0.1:$6$3" > "$RUN/wrk.out" 2>&1
    else
        wrk -t1 -c"$CONNS" -d"$5"s "http://127.0.0.1:$6$3" > "$RUN/wrk.out" 2>&1
    fi
    t1=$(cpu_ticks "$2")
    reqs=$(awk '/requests in/ { print $1 }' "$RUN/wrk.out")
    rps=$(awk '/^Requests\/sec/ { print $2 }' "$RUN/wrk.out")
    bad=$(awk '/Non-2xx/ { print $5 }' "$RUN/wrk.out")
    echo "$1 $rps $reqs $((t1 - t0)) ${bad:-0}"
}

echo "run.sh: sanity checks"
for t in $TYPES; do
    hdr="X-Amzn-Mtls-Clientcert: $(cat "$RUN/pki/$t/header")"
    urls="$PORT_A/g_$t/file.html $PORT_B/g_$t/file.html $PORT_C/plain/file.html"
    [ "$MPM" = event ] || urls="$urls $PORT_A/d_$t/check.php $PORT_A/ie_$t/cn.php $PORT_C/c/hello.php $PORT_A/i_$t/cn.php"
    for u in $urls; do
        code=$(curl -s -o "$RUN/body" -w '%{http_code}' -H "$hdr" "http://127.0.0.1:$u")
        [ "$code" = 200 ] || { echo "run.sh: $u gave $code" >&2; cat "$RUN/body" >&2; exit 1; }
    done
    [ "$MPM" = event ] || grep -q client1 "$RUN/body" || { echo "run.sh: /i_$t/cn.php did not see SSL_CLIENT_S_DN_CN" >&2; exit 1; }
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT_A/g_$t/file.html")
    [ "$code" = 403 ] || { echo "run.sh: /g_$t without a header gave $code" >&2; exit 1; }
done

echo "run.sh: warm-up"
echo "$CASES" | while read -r id srv path t; do
    run_case "$id" "$srv" "$path" "$t" 1 >/dev/null
done

: > "$RUN/raw"
rep=1
while [ $rep -le "$REPS" ]; do
    echo "run.sh: repetition $rep of $REPS ($(echo "$CASES" | wc -l) cases x ${DURATION}s)"
    echo "$CASES" | while read -r id srv path t; do
        run_case "$id" "$srv" "$path" "$t" "$DURATION" >> "$RUN/raw"
    done
    rep=$((rep + 1))
done

# a cpu-clock profile of httpd during (bs) and (g) of the first type
# (PROFILE=1; perf with software events works on VMs without hardware
# counters): the share of samples per object, and the module's and
# libcrypto's top symbols
: > "$RUN/profile"
if [ "${PROFILE:-0}" = 1 ] && command -v perf >/dev/null 2>&1; then
    t=$(echo $TYPES | cut -d' ' -f1)
    for id in "bs_$t C /plain/file.html" "g_$t A /g_$t/file.html"; do
        set -- $id
        port=$PORT_A; [ "$2" = C ] && port=$PORT_C
        ppid=$(cat "$RUN/$2/httpd.pid")
        pids=$(echo "$ppid $(cat /proc/$ppid/task/$ppid/children)" | tr ' ' ',' | sed 's/,$//')
        perf record -q -e cpu-clock -g -p "$pids" -o "$RUN/perf-$1.data" -- sleep "$DURATION" \
            > /dev/null 2>&1 &
        perfpid=$!
        wrk -t1 -c"$CONNS" -d"$DURATION"s -H "X-Amzn-Mtls-Clientcert: $(cat "$RUN/pki/$t/header")" \
            "http://127.0.0.1:$port$3" > /dev/null 2>&1
        wait $perfpid
        {
            echo "## perf $1: share of httpd's cpu-clock samples per object"
            perf report -q -i "$RUN/perf-$1.data" --stdio --no-children --sort dso -g none 2>/dev/null | grep -v "^$" | head -n 12
            echo "## perf $1: top symbols"
            perf report -q -i "$RUN/perf-$1.data" --stdio --no-children --sort dso,symbol -g none 2>/dev/null \
                | grep -v '^$' | head -n 25
        } >> "$RUN/profile"
    done
fi

echo "run.sh: OpenSSL floor (bench/floor.c)"
: > "$RUN/floor"
for t in $TYPES; do
    echo "$t $("$TOP/build/bench/floor" "$RUN/pki/$t/header" "$RUN/pki/$t/root.crt" 200)" >> "$RUN/floor"
done

echo "run.sh: memory (children's RSS, cache filled with $FILL distinct EC chains)"
rss0=$(children_rss_kb A)
cat > "$RUN/fill.lua" <<'LUA'
local hdrs, i = {}, 0
function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then hdrs[#hdrs + 1] = line end
  end
end
function request()
  i = i % #hdrs + 1
  return wrk.format("GET", "/mem/file.html", { ["X-Amzn-Mtls-Clientcert"] = hdrs[i] })
end
LUA
wrk -t1 -c"$CONNS" -d15s -s "$RUN/fill.lua" "http://127.0.0.1:$PORT_A" -- "$RUN/fill.txt" > "$RUN/fill.out" 2>&1
rss1=$(children_rss_kb A)
status=$(curl -s "http://127.0.0.1:$PORT_A/server-status?auto" | grep '^AlbMtls' | tr '\n' ' ')

# ------------------------------------------------------------- report
{
    echo "# bench/run.sh $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n): $(nproc) CPUs, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# $("$HTTPD" -v | head -n 1), $(openssl version), $(basename "$PHPMOD"), wrk -t1 -c$CONNS -d${DURATION}s x $REPS, prefork $CONNS children"
    echo "# raw: case req/s requests cpu_ticks(1/$HZ s) non2xx"
    cat "$RUN/raw"
    echo "# floor: type openssl=decode+parse+verify parse=decode+parse core=module core miss hash=sha256 export=vars core_cached=core miss with cached intermediates hit=core work of a cache hit (us)"
    cat "$RUN/floor"
    echo "# memory: children RSS before fill ${rss0} kB, after ${rss1} kB ($CONNS children)"
    echo "# fill run: $(grep 'requests in' "$RUN/fill.out")"
    echo "# counters after fill: $status"
    sed 's/^/# /' "$RUN/profile"
} > "$OUT"

perl - "$OUT" "$HZ" <<'PL'
my ($file, $hz) = @ARGV;
open my $fh, '<', $file or die;
my (%rps, %us, %bad, %floor, @order);
while (<$fh>) {
    if (/^# floor/) { $f = 1; next }
    next if /^#/ && !$f;
    if ($f) { $floor{$1} = {openssl => $2, parse => $3, core => $4, hash => $5,
                            export => $6, cc => $7, hit => $8}
                  if /^(\S+) openssl=(\S+) parse=(\S+) core=(\S+) hash=(\S+) export=(\S+) core_cached=(\S+) hit=(\S+)/; next }
    my ($id, $rps, $n, $ticks, $bad) = split;
    next unless $n;
    push @order, $id unless $rps{$id};
    push @{ $rps{$id} }, $rps;
    push @{ $us{$id} }, $ticks / $hz * 1e6 / $n;
    $bad{$id} += $bad;
}
sub med { my @s = sort { $a <=> $b } @_; return $s[$#s / 2] }
my %m = map { $_ => [med(@{ $rps{$_} }), med(@{ $us{$_} })] } @order;
printf "\n| case | req/s (median) | httpd CPU us/req (median) | non-2xx |\n|---|---:|---:|---:|\n";
printf "| %s | %.0f | %.0f | %d |\n", $_, @{ $m{$_} }, $bad{$_} for @order;
print "\n| type | floor us (decode+parse+verify) | parse only | core miss | core miss, cached intermediate | export vars | sha256 | (g)/(b) req/s | (gx)/(b) req/s | (g)-(b) CPU us | (gx)-(b) CPU us | (h)-(b) CPU us | (h)-(b) / floor | (i)/(d) req/s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
for my $t (qw(rsa2048 rsa4096 ec256)) {
    my $fl = $floor{$t} or next;
    my ($b, $g, $h, $d, $i, $gx) = map { $m{"${_}_$t"} } qw(b g h d i gx);
    next unless $b && $g && $h && $d && $i && $gx;
    my $hb = $h->[1] - $b->[1];
    printf "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f | %.3f | %.3f | %.0f | %.0f | %.0f | %.2f | %.1f |\n", $t,
        $fl->{openssl}, $fl->{parse}, $fl->{core}, $fl->{cc}, $fl->{export}, $fl->{hash},
        $g->[0] / $b->[0], $gx->[0] / $b->[0], $g->[1] - $b->[1], $gx->[1] - $b->[1],
        $hb, $hb / $fl->{openssl}, $i->[0] / $d->[0];
}
# the targets, per repetition (cases are interleaved, so repetition k of
# two cases ran close in time): min / median / max of the difference or
# ratio
sub range3 { my @s = sort { $a <=> $b } @_; return @s ? ($s[0], $s[$#s / 2], $s[-1]) : (0, 0, 0) }
sub paired {
    my ($x, $y, $f) = @_;
    my $n = @$x < @$y ? scalar @$x : scalar @$y;
    return range3(map { $f->($x->[$_], $y->[$_]) } 0 .. $n - 1);
}
print "\n| type | (g)-(bs) CPU us | (gx)-(bs) CPU us | (bn)-(bs) CPU us | (i)/(cs) req/s | (ie)/(cs) req/s | (i)-(cs) CPU us | (ie)-(cs) CPU us |\n|---|---|---|---|---|---|---|---|\n";
for my $t (qw(rsa2048 rsa4096 ec256)) {
    next unless $us{"bs_$t"} && $us{"g_$t"};
    my $d = sub { $_[0] - $_[1] };
    my $q = sub { $_[1] ? $_[0] / $_[1] : 0 };
    my @cells = (
        [ paired($us{"g_$t"},  $us{"bs_$t"}, $d), '%.1f' ],
        [ paired($us{"gx_$t"}, $us{"bs_$t"}, $d), '%.1f' ],
        [ paired($us{"bn_$t"}, $us{"bs_$t"}, $d), '%.1f' ],
    );
    if ($rps{"cs_$t"}) {
        push @cells, [ paired($rps{"i_$t"},  $rps{"cs_$t"}, $q), '%.2f' ],
                     [ paired($rps{"ie_$t"}, $rps{"cs_$t"}, $q), '%.2f' ],
                     [ paired($us{"i_$t"},   $us{"cs_$t"}, $d), '%.1f' ],
                     [ paired($us{"ie_$t"},  $us{"cs_$t"}, $d), '%.1f' ];
    }
    printf "| %s |%s\n", $t, join '', map {
        my $f = pop @$_;
        sprintf " $f ($f to $f) |", $_->[1], $_->[0], $_->[2]
    } @cells;
}
print "\n| type | hit, core work us (floor.c) | (g)/(bn) req/s | (g)-(bn) CPU us | (bn)/(b) req/s | (bn)-(b) CPU us |\n|---|---:|---:|---:|---:|---:|\n";
for my $t (qw(rsa2048 rsa4096 ec256)) {
    my $fl = $floor{$t} or next;
    my ($b, $bn, $g) = map { $m{"${_}_$t"} } qw(b bn g);
    next unless $b && $bn && $g;
    printf "| %s | %.2f | %.3f | %.0f | %.3f | %.0f |\n", $t, $fl->{hit},
        $g->[0] / $bn->[0], $g->[1] - $bn->[1], $bn->[0] / $b->[0], $bn->[1] - $b->[1];
}
PL
echo
grep '^# memory\|^# counters\|^# fill' "$OUT"
[ -s "$RUN/profile" ] && cat "$RUN/profile"
echo "run.sh: raw results in $OUT"
