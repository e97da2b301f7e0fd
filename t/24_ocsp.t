# t/24_ocsp.t - AlbMtlsOCSP and friends against real OCSP responders
# (`openssl ocsp`), as mod_ssl's SSLOCSPEnable: good, revoked and unknown
# certificates; `leaf` against `on` (a revoked intermediate);
# no_ocsp_for_cert_ok; the default and the override responder; a responder
# that is down, one that never answers (past AlbMtlsOCSPResponderTimeout),
# one that signs with the wrong key (and the same one trusted through
# AlbMtlsOCSPResponderCertificateFile); a replayed answer (nonce mismatch;
# too old under AlbMtlsOCSPResponseMaxAge; fine without a nonce); the OCSP
# answer cache (a responder that serves one request, asked for the same
# certificate under two policies); never GENEROUS with OCSP on.  Each case
# checks SSL_CLIENT_VERIFY and the log line that names the cause.
#
# Makes its PKI at run time (t/pki/mkocsp.sh: the responders' ports are in
# the certificates), starts the responders, two tiny Perl servers and its
# own httpd (this pass's MPM) on free loopback ports, and stops them all by
# pid at the end.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(moddir test_mpm free_port port_open slurp spew
                     alb_encode);
use File::Path qw(make_path remove_tree);
use File::Spec ();
use IO::Socket::INET;
use POSIX ();
use Time::HiRes ();

my $mpm = test_mpm();
my $top = Apache::Test::vars('top_dir');
my $dir = File::Spec->catdir(Apache::Test::vars('t_logs'), "ocsp-$mpm-$$");
my $pki = "$dir/pki";
remove_tree($dir);
make_path($dir);

my ($openssl) = grep { -x } map { "$_/openssl" }
    split(/:/, $ENV{PATH} || ''), '/usr/bin';
die "openssl CLI not found\n" unless $openssl;
my $moddir = moddir();
for my $m (qw(headers alias socache_shmcb)) {
    die "mod_$m missing\n" unless -f "$moddir/mod_$m.so";
}

plan tests => 58;

my %pids;
my $owner = $$;
sub stop {
    my ($name) = @_;
    my $pid = delete $pids{$name} or return;
    kill 'TERM', $pid;
    for (1 .. 100) {
        my $r = waitpid($pid, POSIX::WNOHANG());
        return if $r == $pid || $r == -1;
        Time::HiRes::sleep(0.05);
    }
    kill 'KILL', $pid;
    waitpid($pid, 0);
}
END {
    local $?;
    if ($$ == $owner) {
        stop($_) for sort keys %pids;
        my $tb = Test::More->builder;
        remove_tree($dir) if $tb->is_passing
                             && $tb->current_test == $tb->expected_tests;
    }
}
$SIG{INT} = $SIG{TERM} = sub { exit 1 };      # END stops what we started

sub spawn {
    my ($name, $out, @cmd) = @_;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        # its own process group: prefork's httpd signals its whole group
        # when it stops, which must not reach the test harness
        POSIX::setsid();
        open STDOUT, '>>', $out;
        open STDERR, '>&', \*STDOUT;
        exec @cmd or POSIX::_exit(127);
    }
    $pids{$name} = $pid;
    return $pid;
}

sub wait_port {
    my ($port) = @_;
    for (1 .. 100) {
        return 1 if port_open($port);
        Time::HiRes::sleep(0.1);
    }
    return 0;
}

# ------------------------------------------------------------ the PKI
my ($p_int, $p_root, $p_revint, $p_wrong, $p_once, $p_replay, $p_down)
    = map { free_port() } 1 .. 7;
system('sh', "$top/t/pki/mkocsp.sh", $pki, $p_int, $p_root, $p_revint) == 0
    or BAIL_OUT('t/pki/mkocsp.sh failed');

# ------------------------------------------------------------ responders
my %port_of;                    # responder name => port
sub responder {
    my ($name, $port, $db, $ca, $signer, @more) = @_;
    $port_of{$name} = $port;
    spawn($name, "$dir/$name.log", $openssl, 'ocsp', '-index',
          "$pki/db-$db/index.txt", '-port', $port,
          '-rsigner', "$pki/$signer.crt", '-rkey', "$pki/$signer.key",
          '-CA', "$pki/$ca.crt", '-nmin', '10', @more);
}
responder('r_int', $p_int, 'int', 'int', 'int');
responder('r_root', $p_root, 'root', 'root', 'root');
responder('r_revint', $p_revint, 'revint', 'revint', 'revint');
responder('r_wrong', $p_wrong, 'int', 'int', 'wrong');
responder('r_once', $p_once, 'int', 'int', 'int', '-nrequest', '1');
# ready when the kernel shows its port listening (/proc/net/tcp*): a probe
# connection would block `openssl ocsp` (it waits for a request on it) or
# count as the one-request responder's one request
sub listening {
    my ($port) = @_;
    my $hex = sprintf('%04X', $port);
    for my $f ('/proc/net/tcp', '/proc/net/tcp6') {
        open my $fh, '<', $f or next;
        while (<$fh>) {
            my @f = split;
            return 1 if defined $f[1] && defined $f[3]
                && $f[1] =~ /:$hex$/ && $f[3] eq '0A';
        }
    }
    return 0;
}
sub wait_ready {
    my ($name) = @_;
    for (1 .. 100) {
        return 1 if listening($port_of{$name});
        Time::HiRes::sleep(0.1);
    }
    return 0;
}
for my $r (qw(r_int r_root r_revint r_wrong r_once)) {
    wait_ready($r) or BAIL_OUT("responder $r did not start: " . slurp("$dir/$r.log"));
}

# an answer saved now, replayed later by a Perl server (no nonce; ages)
system("'$openssl' ocsp -issuer '$pki/int.crt' -cert '$pki/good5.crt' "
       . "-url http://127.0.0.1:$p_int/ -no_nonce -respout '$dir/saved.der' "
       . "-CAfile '$pki/root.crt' >'$dir/saved.out' 2>&1") == 0
    or BAIL_OUT('cannot fetch an answer to replay');
my $saved_at = time;
my $saved = slurp("$dir/saved.der");

# the replaying server: answers every POST with the saved response
{
    my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $p_replay,
                                  Listen => 16, ReuseAddr => 1, Proto => 'tcp')
        or BAIL_OUT("replay listener: $!");
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        local $SIG{ALRM} = sub { POSIX::_exit(0) };
        alarm 300;
        while (my $c = $l->accept) {
            my $req = '';
            while ($req !~ /\r\n\r\n/) {
                last unless sysread($c, $req, 4096, length $req);
            }
            my ($len) = $req =~ /Content-Length:\s*(\d+)/i;
            my ($body) = $req =~ /\r\n\r\n(.*)\z/s;
            $body //= '';
            while (defined $len && length($body) < $len) {
                last unless sysread($c, $body, 4096, length $body);
            }
            print $c "HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\n"
                . "Content-Length: " . length($saved) . "\r\n\r\n" . $saved;
            close $c;
        }
        POSIX::_exit(0);
    }
    $pids{replay} = $pid;
    close $l;
}
# the silent server: a listening socket that never accepts (connect
# succeeds through the backlog, no byte ever comes back)
my $silent = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                   Listen => 16, ReuseAddr => 1, Proto => 'tcp')
    or BAIL_OUT("silent listener: $!");
my $p_silent = $silent->sockport;

# ------------------------------------------------------------ httpd
spew("$dir/ok.txt", "ok\n");
my $port = free_port();
my $log = "$dir/error_log";
sub ocsp_loc {
    my ($path, @lines) = @_;
    return "<Location /$path>\n" . join('', map { "    $_\n" } @lines)
        . "</Location>\n";
}
my $locs = join '',
    ocsp_loc('off'),
    ocsp_loc('leaf', 'AlbMtlsOCSP leaf'),
    ocsp_loc('on', 'AlbMtlsOCSP on'),
    ocsp_loc('noaiaok', 'AlbMtlsOCSP leaf no_ocsp_for_cert_ok'),
    ocsp_loc('default', 'AlbMtlsOCSP leaf',
             "AlbMtlsOCSPDefaultResponder http://127.0.0.1:$p_int/"),
    ocsp_loc('notoverride', 'AlbMtlsOCSP leaf',
             "AlbMtlsOCSPDefaultResponder http://127.0.0.1:$p_down/"),
    ocsp_loc('override', 'AlbMtlsOCSP on',
             "AlbMtlsOCSPDefaultResponder http://127.0.0.1:$p_down/",
             'AlbMtlsOCSPOverrideResponder on'),
    ocsp_loc('slow', 'AlbMtlsOCSP leaf',
             "AlbMtlsOCSPDefaultResponder http://127.0.0.1:$p_silent/ocsp",
             'AlbMtlsOCSPOverrideResponder on',
             'AlbMtlsOCSPResponderTimeout 1'),
    ocsp_loc('wrongkey', 'AlbMtlsOCSP leaf',
             "AlbMtlsOCSPDefaultResponder http://127.0.0.1:$p_wrong/",
             'AlbMtlsOCSPOverrideResponder on'),
    ocsp_loc('trusted', 'AlbMtlsOCSP leaf',
             "AlbMtlsOCSPDefaultResponder http://127.0.0.1:$p_wrong/",
             'AlbMtlsOCSPOverrideResponder on',
             "AlbMtlsOCSPResponderCertificateFile \"$pki/wrong.crt\""),
    ocsp_loc('nonce', 'AlbMtlsOCSP leaf',
             "AlbMtlsOCSPDefaultResponder http://127.0.0.1:$p_replay/",
             'AlbMtlsOCSPOverrideResponder on'),
    ocsp_loc('maxage', 'AlbMtlsOCSP leaf',
             "AlbMtlsOCSPDefaultResponder http://127.0.0.1:$p_replay/",
             'AlbMtlsOCSPOverrideResponder on',
             'AlbMtlsOCSPUseRequestNonce off',
             'AlbMtlsOCSPResponseMaxAge 1'),
    ocsp_loc('nononce', 'AlbMtlsOCSP leaf',
             "AlbMtlsOCSPDefaultResponder http://127.0.0.1:$p_replay/",
             'AlbMtlsOCSPOverrideResponder on',
             'AlbMtlsOCSPUseRequestNonce off'),
    ocsp_loc('cache1', 'AlbMtlsOCSP leaf',
             "AlbMtlsOCSPDefaultResponder http://127.0.0.1:$p_once/",
             'AlbMtlsOCSPOverrideResponder on'),
    ocsp_loc('cache2', 'AlbMtlsOCSP leaf', 'AlbMtlsVerifyDepth 4',
             "AlbMtlsOCSPDefaultResponder http://127.0.0.1:$p_once/",
             'AlbMtlsOCSPOverrideResponder on'),
    ocsp_loc('noca', 'AlbMtlsOCSP leaf', 'AlbMtlsVerifyClient optional_no_ca');

spew("$dir/httpd.conf", <<"CONF");
ServerRoot "$top/t"
ServerName localhost
Listen 127.0.0.1:$port
PidFile "$dir/httpd.pid"
ErrorLog "$log"
LogLevel info
DefaultRuntimeDir "$dir"
Mutex file:$dir default
StartServers 2
LoadModule mpm_${mpm}_module "$moddir/mod_mpm_$mpm.so"
LoadModule authz_core_module "$moddir/mod_authz_core.so"
LoadModule headers_module "$moddir/mod_headers.so"
LoadModule alias_module "$moddir/mod_alias.so"
LoadModule socache_shmcb_module "$moddir/mod_socache_shmcb.so"
LoadModule alb_mtls_module "$top/build/mod_alb_mtls.so"
AlbMtlsTrustedProxy 127.0.0.1
AlbMtlsCache shmcb:$dir/shm(512000)
AliasMatch "^/" "$dir/ok.txt"
<Directory "$dir">
    Require all granted
</Directory>
Header always set X-Verify "expr=%{SSL_CLIENT_VERIFY}"
AlbMtlsVerifyClient optional
AlbMtlsCAFile "$pki/root.crt"
$locs
CONF

my $httpd = Apache::Test::vars('httpd');
my $st = system("$httpd -t -f $dir/httpd.conf >$dir/syntax.out 2>&1");
is($st, 0, 'the configuration with every OCSP directive passes httpd -t')
    or diag(slurp("$dir/syntax.out"));
spawn('httpd', "$dir/httpd.stdout", $httpd, '-DFOREGROUND', '-f',
      "$dir/httpd.conf");
wait_port($port) or BAIL_OUT('httpd did not start: ' . slurp($log)
                             . slurp("$dir/httpd.stdout"));

sub verify { return verify_at($port, @_) }
sub verify_at {
    my ($at, $path, $chain) = @_;
    my $pem = slurp("$pki/$chain-chain.pem");
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $at,
                                  Proto => 'tcp', Timeout => 30)
        or return "no connection: $!";
    print $s "GET /$path/x HTTP/1.0\r\nHost: localhost\r\n"
        . "X-Amzn-Mtls-Clientcert: " . alb_encode($pem) . "\r\n\r\n";
    local $/;
    my $resp = <$s> // '';
    close $s;
    my ($v) = $resp =~ /^X-Verify: ([^\r\n]*)/mi;
    return $v // "no X-Verify in: $resp";
}

my $mark = -s $log || 0;
sub log_new {
    my $s = slurp($log);
    my $new = substr($s, $mark);
    $mark = length $s;
    return $new;
}

my $APP = 'FAILED:application verification failure';

# ------------------------------------------------------------ cases
is(verify('off', 'revoked'), 'SUCCESS', 'OCSP off: a revoked certificate passes (no check)');
is(verify('leaf', 'good'), 'SUCCESS', 'leaf: good');
is(verify('leaf', 'revoked'), 'FAILED:certificate revoked', 'leaf: revoked');
like(log_new(), qr/ALB00312: OCSP: certificate "[^"]*CN=revoked[^"]*" \(depth 0\) revoked/,
     'revoked: one log line with ALB00312');
is(verify('leaf', 'unknown'), $APP, 'leaf: status unknown fails as in mod_ssl');
like(log_new(), qr/ALB00301: OCSP: status unknown/, 'unknown: ALB00301');
is(verify('leaf', 'noaia'), $APP, 'no OCSP URL, no default responder: fails');
like(log_new(), qr/ALB00302: OCSP: no responder/, 'no responder: ALB00302');
is(verify('noaiaok', 'noaia'), 'SUCCESS', 'no_ocsp_for_cert_ok: a certificate without URL passes');
is(verify('noaiaok', 'revoked'), 'FAILED:certificate revoked', 'no_ocsp_for_cert_ok: a revoked certificate with a URL still fails');
is(verify('default', 'noaia'), 'SUCCESS', 'default responder used for a certificate without URL');
is(verify('notoverride', 'good4'), 'SUCCESS', 'without override the certificate\'s own URL wins over a (dead) default');
is(verify('on', 'good'), 'SUCCESS', 'on: good leaf and good intermediate');
is(verify('leaf', 'revleaf'), 'SUCCESS', 'leaf: a good leaf under a revoked intermediate passes');
is(verify('on', 'revleaf'), 'FAILED:certificate revoked', 'on: the revoked intermediate fails the chain');
like(log_new(), qr/ALB00312: .*Revoked Intermediate[^"]*" \(depth 1\) revoked/, 'on: the log names the intermediate at depth 1');
is(verify('override', 'good2'), $APP, 'override: the (dead) default responder is asked, not the certificate\'s');
like(log_new(), qr{ALB00304: OCSP: responder http://127\.0\.0\.1:$p_down/ unreachable}, 'unreachable: ALB00304');
{
    my $t0 = Time::HiRes::time();
    is(verify('slow', 'good2'), $APP, 'a responder that never answers fails the check');
    my $took = Time::HiRes::time() - $t0;
    cmp_ok($took, '<', 8, 'AlbMtlsOCSPResponderTimeout 1 is honoured (not the default 10 s)');
    like(log_new(), qr{ALB00305: OCSP: responder http://127\.0\.0\.1:$p_silent/ocsp timed out}, 'timeout: ALB00305');
}
is(verify('wrongkey', 'good3'), $APP, 'an answer signed by an untrusted key fails');
like(log_new(), qr/ALB00308: OCSP: bad signature/, 'bad signature: ALB00308');
is(verify('trusted', 'good3'), 'SUCCESS', 'the same key trusted by AlbMtlsOCSPResponderCertificateFile passes');
is(verify('nonce', 'good5'), $APP, 'a replayed answer without our nonce fails');
like(log_new(), qr/ALB00309: OCSP: nonce mismatch/, 'nonce mismatch: ALB00309');
Time::HiRes::sleep(0.2) while time - $saved_at < 3;
is(verify('maxage', 'good5'), $APP, 'an answer older than AlbMtlsOCSPResponseMaxAge fails');
like(log_new(), qr/ALB00310: OCSP: .*too old.*maximum age/, 'too old: ALB00310');
is(verify('nononce', 'good5'), 'SUCCESS', 'the replayed answer is fine without a nonce and max age');
is(verify('noca', 'good'), 'SUCCESS', 'optional_no_ca with a trusted chain: SUCCESS');
{
    # a chain from an unknown root: GENEROUS without OCSP, FAILED with it
    my $pem = slurp("$pki/wrong.crt");
    spew("$pki/selfsigned-chain.pem", $pem);
    is(verify('noca', 'selfsigned'), $APP, 'optional_no_ca + OCSP: never GENEROUS');
    like(log_new(), qr/ALB00300: OCSP: cannot check/, 'not GENEROUS: ALB00300');
}

# the answer cache: the responder serves one request and exits
is(verify('cache1', 'good6'), 'SUCCESS', 'cache: first request asks the responder');
{
    my $gone = 0;
    for (1 .. 50) {
        if (waitpid($pids{r_once}, POSIX::WNOHANG()) == $pids{r_once}) {
            delete $pids{r_once};
            $gone = 1;
            last;
        }
        Time::HiRes::sleep(0.1);
    }
    ok($gone, 'cache: the one-request responder was asked and has gone');
}
is(verify('cache2', 'good6'), 'SUCCESS', 'cache: the same certificate under another policy is answered from the cache');
is(verify('cache2', 'good6'), 'SUCCESS', 'cache: and again (verdict cache)');
unlike(log_new(), qr/ALB003/, 'cache: no OCSP failure logged');

# a policy difference: /off and /leaf never share a cached verdict
is(verify('off', 'revoked'), 'SUCCESS', 'off again: still SUCCESS');
is(verify('leaf', 'revoked'), 'FAILED:certificate revoked', 'leaf again: still revoked (own cache entry)');
log_new();

# ------------------------------------------------------------ real mod_ssl
# The same certificates, over TLS to mod_ssl with SSLOCSPEnable against the
# same responders: SSL_CLIENT_VERIFY for a good one; for a failure mod_ssl
# refuses the handshake and logs "Certificate Verification: Error (n):
# <reason>", which must be the module's FAILED:<reason>.
SKIP: {
    my ($curl) = grep { -x } map { "$_/curl" } split(/:/, $ENV{PATH} || ''), '/usr/bin';
    skip 'curl or mod_ssl missing', 7 unless $curl && -f "$moddir/mod_ssl.so";
    my @ports = map { free_port() } 1 .. 3;
    my $slog = "$dir/ssl_error_log";
    my $vh = sub {
        my ($port, @lines) = @_;
        return "Listen 127.0.0.1:$port\n<VirtualHost 127.0.0.1:$port>\n"
            . "    SSLEngine on\n"
            . "    SSLCertificateFile \"$pki/server.crt\"\n"
            . "    SSLCertificateKeyFile \"$pki/server.key\"\n"
            . "    SSLCACertificateFile \"$pki/root.crt\"\n"
            . "    SSLVerifyClient require\n    SSLVerifyDepth 5\n"
            . join('', map { "    $_\n" } @lines) . "</VirtualHost>\n";
    };
    spew("$dir/ssl.conf", <<"CONF" . $vh->($ports[0], 'SSLOCSPEnable leaf')
ServerRoot "$top/t"
ServerName localhost
PidFile "$dir/ssl.pid"
ErrorLog "$slog"
LogLevel info
DefaultRuntimeDir "$dir"
Mutex file:$dir default
LoadModule mpm_${mpm}_module "$moddir/mod_mpm_$mpm.so"
LoadModule authz_core_module "$moddir/mod_authz_core.so"
LoadModule headers_module "$moddir/mod_headers.so"
LoadModule alias_module "$moddir/mod_alias.so"
LoadModule socache_shmcb_module "$moddir/mod_socache_shmcb.so"
LoadModule ssl_module "$moddir/mod_ssl.so"
SSLSessionCache none
AliasMatch "^/" "$dir/ok.txt"
<Directory "$dir">
    Require all granted
</Directory>
Header always set X-Verify "expr=%{SSL_CLIENT_VERIFY}"
CONF
        . $vh->($ports[1], 'SSLOCSPEnable on')
        . $vh->($ports[2], 'SSLOCSPEnable leaf',
                "SSLOCSPDefaultResponder http://127.0.0.1:$p_down/",
                'SSLOCSPOverrideResponder on'));
    spawn('ssl', "$dir/ssl.stdout", $httpd, '-DFOREGROUND', '-f', "$dir/ssl.conf");
    wait_port($ports[2]) or BAIL_OUT('mod_ssl httpd did not start: ' . slurp($slog)
                                     . slurp("$dir/ssl.stdout"));
    my $smark = 0;
    my $modssl = sub {
        my ($port, $cert) = @_;
        my $out = `'$curl' -sS -k --tls-max 1.2 --max-time 20 -o /dev/null -D - --cert '$pki/$cert-chain.pem' --key '$pki/$cert.key' https://127.0.0.1:$port/x 2>&1`;
        Time::HiRes::sleep(0.2);
        my $s = slurp($slog);
        my $new = substr($s, $smark);
        $smark = length $s;
        return $1 if $out =~ /^X-Verify: ([^\r\n]*)/mi;
        # the reason, without the " [subject: ...]" mod_ssl appends
        return "FAILED:$1" if $new =~ /Certificate Verification: Error \(\d+\): ([^\[\n]*?)\s*(?:\[|\n)/;
        return "no verdict: $out";
    };
    for my $c (['leaf', 0, 'good3'], ['leaf', 0, 'revoked'], ['leaf', 0, 'unknown'],
               ['leaf', 0, 'noaia'], ['on', 1, 'revleaf'], ['on', 1, 'good'],
               ['override', 2, 'good2']) {
        my ($loc, $i, $cert) = @$c;
        my $want = $modssl->($ports[$i], $cert);
        is(verify($loc, $cert), $want, "as mod_ssl (SSLOCSPEnable $loc): $cert gives $want");
    }
    stop('ssl');
}
log_new();

# ------------------------------------------------------------ shared answers
# Two httpds share an AlbMtlsCache in memcached; the responder serves one
# request.  httpd A asks it; httpd B (another policy, so no shared verdict)
# gets the answer from memcached.
SKIP: {
    my ($memcached) = grep { -x } map { "$_/memcached" }
        split(/:/, $ENV{PATH} || ''), '/usr/bin';
    skip 'memcached or mod_socache_memcache missing', 4
        unless $memcached && -f "$moddir/mod_socache_memcache.so";
    my ($p_mc, $p_one, $p_a, $p_b) = map { free_port() } 1 .. 4;
    spawn('memcached', "$dir/memcached.log", $memcached, '-l', '127.0.0.1',
          '-p', $p_mc, '-U', '0', '-m', '16', '-t', '1');
    responder('r_one', $p_one, 'int', 'int', 'int', '-nrequest', '1');
    wait_port($p_mc) && wait_ready('r_one') or BAIL_OUT('memcached or responder did not start');
    for my $h ([ 'mc_a', $p_a, '' ], [ 'mc_b', $p_b, 'AlbMtlsVerifyDepth 4' ]) {
        my ($name, $hp, $extra) = @$h;
        spew("$dir/$name.conf", <<"CONF");
ServerRoot "$top/t"
ServerName localhost
Listen 127.0.0.1:$hp
PidFile "$dir/$name.pid"
ErrorLog "$dir/$name.error_log"
LogLevel info
DefaultRuntimeDir "$dir"
Mutex file:$dir default
LoadModule mpm_${mpm}_module "$moddir/mod_mpm_$mpm.so"
LoadModule authz_core_module "$moddir/mod_authz_core.so"
LoadModule headers_module "$moddir/mod_headers.so"
LoadModule alias_module "$moddir/mod_alias.so"
LoadModule socache_memcache_module "$moddir/mod_socache_memcache.so"
LoadModule alb_mtls_module "$top/build/mod_alb_mtls.so"
AlbMtlsTrustedProxy 127.0.0.1
AlbMtlsCache memcache:127.0.0.1:$p_mc
AliasMatch "^/" "$dir/ok.txt"
<Directory "$dir">
    Require all granted
</Directory>
Header always set X-Verify "expr=%{SSL_CLIENT_VERIFY}"
AlbMtlsVerifyClient optional
AlbMtlsCAFile "$pki/root.crt"
AlbMtlsOCSP leaf
AlbMtlsOCSPDefaultResponder http://127.0.0.1:$p_one/
AlbMtlsOCSPOverrideResponder on
$extra
CONF
        spawn($name, "$dir/$name.stdout", $httpd, '-DFOREGROUND', '-f', "$dir/$name.conf");
        wait_port($hp) or BAIL_OUT("$name did not start: " . slurp("$dir/$name.error_log"));
    }
    is(verify_at($p_a, 'x', 'good'), 'SUCCESS', 'memcache: httpd A asks the responder');
    # -nrequest 1: it exits once it has answered one request
    my $gone = 0;
    for (1 .. 50) {
        if (waitpid($pids{r_one}, POSIX::WNOHANG()) == $pids{r_one}) {
            delete $pids{r_one};
            $gone = 1;
            last;
        }
        Time::HiRes::sleep(0.1);
    }
    ok($gone, 'memcache: the one-request responder was asked and has gone');
    is(verify_at($p_b, 'x', 'good'), 'SUCCESS', 'memcache: httpd B has the answer from memcached');
    unlike(slurp("$dir/mc_b.error_log"), qr/ALB003/, 'memcache: B logged no OCSP failure (it did not ask the gone responder)');
    stop($_) for qw(mc_a mc_b memcached r_one);
}

# ------------------------------------------------------------ start-up errors
sub bad_conf {
    my ($line, $re, $name) = @_;
    spew("$dir/bad.conf", <<"CONF");
ServerRoot "$top/t"
ServerName localhost
Listen 127.0.0.1:$port
LoadModule mpm_${mpm}_module "$moddir/mod_mpm_$mpm.so"
LoadModule authz_core_module "$moddir/mod_authz_core.so"
LoadModule alb_mtls_module "$top/build/mod_alb_mtls.so"
<Location /x>
$line
</Location>
CONF
    my $out = `$httpd -t -f $dir/bad.conf 2>&1`;
    ok($? != 0 && $out =~ /line 8 of .*bad\.conf/ && $out =~ $re, "refused: $name")
        or diag($out);
}
bad_conf('AlbMtlsOCSP maybe', qr/AlbMtlsOCSP: 'maybe' is not off, on or leaf/, 'bad mode');
bad_conf('AlbMtlsOCSP off no_ocsp_for_cert_ok', qr/AlbMtlsOCSP: unexpected/, 'flag with off');
bad_conf('AlbMtlsOCSPDefaultResponder https://ocsp.example.com/', qr/only http:\/\//, 'https URL');
bad_conf('AlbMtlsOCSPDefaultResponder http://ocsp.example.com:99999/', qr/bad port/, 'bad port');
bad_conf('AlbMtlsOCSPResponderTimeout 0', qr/AlbMtlsOCSPResponderTimeout/, 'timeout 0');
bad_conf('AlbMtlsOCSPResponseMaxAge -2', qr/AlbMtlsOCSPResponseMaxAge/, 'max age -2');
bad_conf("AlbMtlsOCSPResponderCertificateFile \"$dir/ok.txt\"", qr/holds no certificate/, 'no certificate in the responder file');

stop('httpd');
