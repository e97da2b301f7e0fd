# t/81_cache_shared.t - AlbMtlsCache with httpd's mod_socache providers:
# results shared between two httpds (one prefork, one event) through a real
# memcached and a real redis-server, a graceful restart with a changed CA
# file that must not reuse the shared entries of the old CA, a cache server
# that goes away (every request still verified and served, a log line,
# CacheErrors counted), and shmcb shared by the children of one prefork
# httpd.  Hits and misses are read from each httpd's server-status?auto.
#
# Starts its own httpds, memcached and redis-server on free loopback ports
# as the current (unprivileged) user and stops them at the end.  Runs under
# t/run-tests.sh (prefork pass only) and standalone: perl t/81_cache_shared.t
use strict;
use warnings;
use Test::More;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Copy qw(copy);
use File::Path qw(make_path remove_tree);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes ();

$| = 1;
my $tdir = dirname(abs_path(__FILE__));
my $top  = dirname($tdir);
my $so   = "$top/build/mod_alb_mtls.so";
my $pki  = "$tdir/pki/out";

plan skip_all => 'run as an unprivileged user, not root (the harness does)'
    if $> == 0;

my $libexec = `apxs -q LIBEXECDIR 2>/dev/null` // '';
chomp $libexec;
$libexec = '/usr/lib/apache2/modules' unless -d $libexec;
my ($httpd) = grep { defined && -x } $ENV{APACHE_TEST_HTTPD}, '/usr/sbin/apache2',
    '/usr/sbin/httpd';
sub which {
    for my $d (split /:/, "$ENV{PATH}:/usr/sbin:/usr/bin") {
        return "$d/$_[0]" if -x "$d/$_[0]";
    }
    return;
}
my $memcached = which('memcached');
my $redis     = which('redis-server');

# make test installs all of these: a missing one is a failure, not a skip
my @missing;
push @missing, 'httpd' unless $httpd;
push @missing, "module $so" unless -f $so;
push @missing, 'memcached' unless $memcached;
push @missing, 'redis-server' unless $redis;
push @missing, 'curl' unless which('curl');
push @missing, "test PKI $pki (t/pki/mkpki.sh)" unless -f "$pki/client-chain.pem";
my %static = map { /^\s*mod_(\w+)\.c/ ? ($1 => 1) : () } `"$httpd" -l 2>/dev/null`;
for my $m (qw(mpm_prefork mpm_event authz_core status headers socache_shmcb
              socache_memcache socache_redis)) {
    push @missing, "mod_$m" unless $static{$m} || -f "$libexec/mod_$m.so";
}
if (@missing) {
    plan tests => 1;
    fail("prerequisites present (missing: @missing)");
    exit 1;
}

plan tests => 39;

# ------------------------------------------------------------ helpers
my $run = tempdir('alb-mtls-cache-XXXXXX', TMPDIR => 1);
my %procs;          # name => pid of everything we started
my $owner = $$;

sub stop {
    my ($name) = @_;
    my $pid = delete $procs{$name} or return;
    kill 'TERM', -$pid;
    kill 'TERM', $pid;
    for (1 .. 100) {
        my $r = waitpid($pid, WNOHANG);
        return if $r == $pid || $r == -1;
        Time::HiRes::sleep(0.05);
    }
    kill 'KILL', -$pid;
    waitpid($pid, 0);
}
END {
    if ($$ == $owner) {
        stop($_) for keys %procs;
        my $ok = Test::More->builder->is_passing;
        remove_tree($run) if $ok && !$ENV{ALB_MTLS_CACHE_KEEP};
        diag("kept $run") unless $ok;
    }
}
$SIG{INT} = $SIG{TERM} = sub { exit 1 };

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1, ReuseAddr => 1)
        or die "bind: $!";
    my $p = $s->sockport;
    close $s;
    return $p;
}

sub port_open {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $_[0],
                                  Proto => 'tcp', Timeout => 1);
    return 0 unless $s;
    close $s;
    return 1;
}

sub spew {
    my ($f, $s) = @_;
    open my $fh, '>', $f or die "$f: $!";
    print $fh $s;
    close $fh or die "$f: $!";
}

sub slurp {
    my ($f) = @_;
    open my $fh, '<', $f or return '';
    local $/;
    my $s = <$fh>;
    return $s // '';
}

# start(NAME, PORT, COMMAND...): runs it in its own process group
sub start {
    my ($name, $port, @cmd) = @_;
    my $pid = fork() // die "fork: $!";
    if (!$pid) {
        POSIX::setsid();
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', "$run/$name.out";
        open STDERR, '>&', \*STDOUT;
        exec @cmd or die "exec $cmd[0]: $!";
    }
    $procs{$name} = $pid;
    for (1 .. 150) {
        return 1 if port_open($port);
        if (waitpid($pid, WNOHANG) == $pid) { delete $procs{$name}; return 0 }
        Time::HiRes::sleep(0.05);
    }
    return 0;
}

sub alb_encode {
    my ($s) = @_;
    $s =~ s{([^A-Za-z0-9\-._~+=/])}{sprintf('%%%02X', ord $1)}ge;
    return $s;
}

my $client = alb_encode(slurp("$pki/client-chain.pem"));
my $other  = alb_encode(slurp("$pki/other-chain.pem"));

make_path("$run/htdocs/v");
spew("$run/htdocs/v/index.html", "ok\n");

my %port;
# httpd(NAME, MPM, CACHE, CAFILE): writes the config and starts it
sub httpd {
    my ($name, $mpm, $cache, $ca) = @_;
    $port{$name} //= free_port();
    make_path("$run/$name");
    my @load = map { $static{$_} ? () : "LoadModule ${_}_module \"$libexec/mod_$_.so\"" }
        ("mpm_$mpm", qw(authz_core status headers socache_shmcb
                        socache_memcache socache_redis));
    my $mpm_conf = $mpm eq 'event'
        ? "StartServers 1\nServerLimit 1\nThreadsPerChild 8\nMinSpareThreads 1\n"
          . "MaxSpareThreads 8\nMaxRequestWorkers 8"
        : "StartServers 3\nMinSpareServers 3\nMaxSpareServers 4\nMaxRequestWorkers 6";
    local $" = "\n";
    spew("$run/$name/httpd.conf", <<"CONF");
ServerRoot "$run/$name"
DefaultRuntimeDir "$run/$name"
PidFile "$run/$name/httpd.pid"
Mutex file:$run/$name default
Listen 127.0.0.1:$port{$name}
ServerName 127.0.0.1
ErrorLog "$run/$name/error_log"
LogLevel info
@load
LoadModule alb_mtls_module "$so"
$mpm_conf
KeepAlive Off
LimitRequestFieldSize 16384
DocumentRoot "$run/htdocs"
<Directory "$run/htdocs">
    Require all granted
</Directory>
AlbMtlsCache $cache
<Location /server-status>
    SetHandler server-status
</Location>
<Location /v>
    AlbMtlsVerifyClient require
    AlbMtlsCAFile "$ca"
    Header always set X-CN "%{SSL_CLIENT_S_DN_CN}e"
</Location>
CONF
    return start($name, $port{$name}, $httpd, '-d', "$run/$name", '-f',
                 "$run/$name/httpd.conf", '-DFOREGROUND');
}

# get(NAME, PATH, HEADER): (status, X-CN)
sub get {
    my ($name, $path, $hdr) = @_;
    my @cmd = ('curl', '-sS', '-o', '/dev/null', '-D', '-', '-w', '%{http_code}');
    push @cmd, '-H', "X-Amzn-Mtls-Clientcert: $hdr" if defined $hdr;
    open my $fh, '-|', @cmd, "http://127.0.0.1:$port{$name}$path" or die;
    local $/;
    my $out = <$fh> // '';
    close $fh;
    my ($cn) = $out =~ /^X-CN: (.*?)\r?$/mi;
    my ($code) = $out =~ /(\d{3})\z/;
    return ($code // 0, $cn // '');
}

sub counters {
    my ($name) = @_;
    open my $fh, '-|', 'curl', '-sS', "http://127.0.0.1:$port{$name}/server-status?auto"
        or die;
    my %c;
    while (<$fh>) { $c{$1} = $2 if /^AlbMtls(\w+): (\d+)/ }
    close $fh;
    return \%c;
}

sub graceful {
    my ($name) = @_;
    my $log = "$run/$name/error_log";
    my $before = () = slurp($log) =~ /resuming normal operations/g;
    chomp(my $pid = slurp("$run/$name/httpd.pid"));
    kill 'USR1', $pid or return 0;
    for (1 .. 100) {
        my $n = () = slurp($log) =~ /resuming normal operations/g;
        if ($n > $before) {
            Time::HiRes::sleep(0.3);   # old children finish
            return 1;
        }
        Time::HiRes::sleep(0.1);
    }
    return 0;
}

# ------------------------------------------------------------ memcached
my $mport = free_port();
ok(start('memcached', $mport, $memcached, '-l', '127.0.0.1', '-p', $mport,
         '-U', '0', '-m', '16', '-t', '1'), "memcached started on port $mport");
copy("$pki/root.crt", "$run/caA.pem") or die;
copy("$pki/root.crt", "$run/caB.pem") or die;
ok(httpd('A', 'prefork', "memcache:127.0.0.1:$mport", "$run/caA.pem"),
   'httpd A (prefork) with AlbMtlsCache memcache');
ok(httpd('B', 'event', "memcache:127.0.0.1:$mport", "$run/caB.pem"),
   'httpd B (event) with AlbMtlsCache memcache');

my @r = get('A', '/v/index.html', $client);
is("@r", '200 client1', 'A: client chain verified, SSL_CLIENT_S_DN_CN set');
my $ca = counters('A');
is($ca->{CacheMisses}, 1, 'A: a miss');
is($ca->{CacheStores}, 1, 'A: the result stored in memcached');
@r = get('B', '/v/index.html', $client);
is("@r", '200 client1', 'B: served, variables from the shared entry');
my $cb = counters('B');
is($cb->{CacheHits}, 1, 'B: a hit on what A stored');
is($cb->{CacheMisses}, 0, 'B: no miss');
is($cb->{Verified}, 1, 'B: one verified verdict');

@r = get('B', '/v/index.html', $other);
is($r[0], 403, 'B: the other chain is refused (and the failure stored)');
@r = get('A', '/v/index.html', $other);
is($r[0], 403, 'A: refused too');
$ca = counters('A');
is($ca->{CacheHits}, 1, 'A: the failure B stored is a hit');
is($ca->{FailedUntrusted}, 1, 'A: counted as FailedUntrusted');

# a changed CA file after a graceful restart: other key, no stale SUCCESS
copy("$pki/other-root.crt", "$run/caA.pem") or die;
ok(graceful('A'), 'A: graceful restart with other-root.crt as CA file');
@r = get('A', '/v/index.html', $client);
is($r[0], 403, 'A: the client chain is refused under the new CA although '
   . 'memcached holds SUCCESS for the old one');
@r = get('A', '/v/index.html', $other);
is($r[0], 200, 'A: the other chain is accepted under the new CA');
$ca = counters('A');
is($ca->{CacheHits}, 0, 'A: no hit after the CA change');

# memcached goes away: B verifies every request, logs, counts errors
stop('memcached');
my @codes = map { (get('B', '/v/index.html', $client))[0] } 1 .. 3;
is("@codes", '200 200 200', 'B without memcached: every request served');
$cb = counters('B');
ok($cb->{CacheErrors} >= 1, "B: CacheErrors counted ($cb->{CacheErrors})");
ok($cb->{Verified} >= 4, 'B: verified without the cache');
like(slurp("$run/B/error_log"), qr/ALB0040[14]: AlbMtlsCache memcache:127\.0\.0\.1:\d+: (lookup|store) failed; verifying without the cache/,
     'B: a log line says the cache failed');
unlike(slurp("$run/B/error_log"), qr/AH00052|Segmentation|assert/i, 'B: no crash');
stop('A');
stop('B');

# ------------------------------------------------------------ redis
my $rport = free_port();
ok(start('redis', $rport, $redis, '--port', $rport, '--bind', '127.0.0.1',
         '--save', '', '--appendonly', 'no', '--dir', $run),
   "redis-server started on port $rport");
copy("$pki/root.crt", "$run/caA.pem") or die;
ok(httpd('A', 'prefork', "redis:127.0.0.1:$rport", "$run/caA.pem"),
   'httpd A (prefork) with AlbMtlsCache redis');
ok(httpd('B', 'event', "redis:127.0.0.1:$rport", "$run/caB.pem"),
   'httpd B (event) with AlbMtlsCache redis');
@r = get('A', '/v/index.html', $client);
is("@r", '200 client1', 'A: client chain verified');
is(counters('A')->{CacheStores}, 1, 'A: stored in redis');
@r = get('B', '/v/index.html', $client);
is("@r", '200 client1', 'B: served from what A stored');
$cb = counters('B');
is($cb->{CacheHits}, 1, 'B: a hit through redis');
stop('redis');
@codes = map { (get('B', '/v/index.html', $client))[0] } 1 .. 3;
is("@codes", '200 200 200', 'B without redis: every request served');
$cb = counters('B');
ok($cb->{CacheErrors} >= 1, "B: CacheErrors counted ($cb->{CacheErrors})");
like(slurp("$run/B/error_log"), qr/ALB0040[14]: AlbMtlsCache redis:/,
     'B: a log line says the cache failed');
unlike(slurp("$run/A/error_log") . slurp("$run/B/error_log"),
       qr/AH00052|Segmentation|assert/i, 'no crash');
stop('A');
stop('B');

# ------------------------------------------------------------ shmcb
ok(httpd('S', 'prefork', "shmcb:$run/S/shmcb(512000)", "$run/caB.pem"),
   'httpd S (prefork, 3+ children) with AlbMtlsCache shmcb');
@codes = map { (get('S', '/v/index.html', $client))[0] } 1 .. 8;
is("@codes", join(' ', (200) x 8), 'S: eight requests on eight connections');
my $cs = counters('S');
is($cs->{CacheMisses}, 1, 'S: one miss for all children');
is($cs->{CacheHits}, 7, 'S: the other seven hit the shared memory');
stop('S');
unlike(slurp("$run/S/error_log"), qr/AH00052|Segmentation|assert/i,
       'S: no crash');
