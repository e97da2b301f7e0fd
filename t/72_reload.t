# t/72_reload.t - AlbMtlsReloadInterval: CA and CRL files that take effect
# without a restart.  Starts its own httpd (the MPM of this pass) with
# AlbMtlsReloadInterval 1 and files in a temporary directory, and replaces
# them by rename while it serves:
#   - a CRL revoking client1, while ab sends 16 concurrent requests for
#     client2 for 4 s: client1 refused within the interval, no request of
#     ab fails, no child crashes; a SUCCESS cached before (AlbMtlsCache
#     process, AlbMtlsCacheTimeout 3600) is not served after the reload
#   - a broken CRL: the previous CRL stays, one ALB00043 per child; then a
#     good CRL is picked up (ALB00042)
#   - a CA file, a CAPath and a CRLPath directory changed
#   - a virtual host with AlbMtlsReloadInterval 0: no pick-up until a
#     graceful restart
#   - mod_status (?auto and HTML): the CRLs in use, the reload times
#   - a CRL with a nextUpdate 1 hour away: ALB00044
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);
use File::Copy ();
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use POSIX ();
use Time::HiRes ();

my $H = 'X-Amzn-Mtls-Clientcert';
my $client  = alb_encode(pem('client-chain.pem'));
my $client2 = alb_encode(pem('client2-chain.pem'));
my $other   = alb_encode(pem('other-chain.pem'));
my ($ab) = grep { -x } '/usr/bin/ab', '/usr/sbin/ab';

plan skip_all => 'ab (apache2-utils) not installed' unless $ab;
plan tests => 46;

my $d = tempdir('alb-mtls-reload-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $mpm = test_mpm();

# publish(SRC_FILE or \CONTENT, DEST): a temporary file in DEST's directory,
# then rename: how the README says to publish
sub publish {
    my ($src, $dst) = @_;
    my ($dir, $name) = $dst =~ m{^(.*)/([^/]+)$};
    my $tmp = "$dir/.$name.tmp$$";
    if (ref $src) { spew($tmp, $$src) }
    else { File::Copy::copy($src, $tmp) or die "copy $src: $!" }
    rename $tmp, $dst or die "rename $dst: $!";
}

# the hashed name `openssl rehash` gives a certificate (x509) or CRL (crl)
sub hash_of {
    my ($kind, $file) = @_;
    chomp(my $h = `openssl $kind -hash -noout -in "$file"`);
    return $h;
}

# PEM blocks of a file
sub blocks {
    my $s = slurp($_[0]);
    return $s =~ /(-----BEGIN [^-]+-----.*?-----END [^-]+-----\n)/gs;
}

# a CRL directory (<hash>.r0 per CRL) from the CRLs of a PEM file
sub crl_dir {
    my ($from, $dir) = @_;
    make_path($dir);
    unlink glob("$dir/*");
    my $i = 0;
    for my $b (blocks($from)) {
        spew("$dir/.b$i", $b);
        my $h = hash_of('crl', "$dir/.b$i");
        rename "$dir/.b$i", "$dir/$h.r0" or die;
        $i++;
    }
}

# files the httpd uses
publish(pki('root.crt'), "$d/ca.pem");
publish(pki('root.crt'), "$d/ca2.pem");
publish(pki('crl-chain.pem'), "$d/crl.pem");
publish(pki('crl-client-revoked.pem'), "$d/crlb.pem");
publish(pki('root.crt'), "$d/ca0.pem");
publish(pki('crl-chain.pem'), "$d/crl0.pem");
make_path("$d/capath");
publish(pki('root.crt'), "$d/capath/" . hash_of('x509', pki('root.crt')) . '.0');
crl_dir(pki('crl-chain.pem'), "$d/crlpath");

# a CRL of the intermediate whose nextUpdate is 1 hour away (a throwaway
# `openssl ca` database; the PKI keeps the intermediate's key)
make_path("$d/ca-db");
spew("$d/ca-db/index.txt", '');
spew("$d/ca-db/ca.cnf", <<"CNF");
[ ca ]
default_ca = c
[ c ]
database = $d/ca-db/index.txt
certificate = @{[pki('intermediate.crt')]}
private_key = @{[pki('intermediate.key')]}
default_md = sha256
CNF
system("openssl ca -batch -config '$d/ca-db/ca.cnf' -gencrl -crlhours 1 "
       . "-out '$d/int-1h.crl' >/dev/null 2>&1") == 0 or die 'openssl ca';
spew("$d/crl-short.pem", slurp(pki('root.crl')) . slurp("$d/int-1h.crl")
                         . slurp(pki('revint.crl')));
publish(pki('crl-chain.pem'), "$d/crlshort.pem");

make_path("$d/htdocs/$_") for qw(r o b b2 ca p q s z);
spew("$d/htdocs/$_/index.html", "ok\n") for qw(r o b b2 ca p q s z);

my $port0 = free_port();
my $moddir = moddir();
my $mpm_conf = $mpm eq 'prefork'
    ? "StartServers 2\nMinSpareServers 2\nMaxSpareServers 20\n"
      . "MaxRequestWorkers 20\nServerLimit 20"
    : "StartServers 1\nServerLimit 1\nThreadsPerChild 20\nMinSpareThreads 1\n"
      . "MaxSpareThreads 20\nMaxRequestWorkers 20\nThreadLimit 20";
my ($conf, $log, $port) = small_config($d, <<"BODY");
LoadModule status_module "$moddir/mod_status.so"
LoadModule headers_module "$moddir/mod_headers.so"
LoadModule dir_module "$moddir/mod_dir.so"
$mpm_conf
DirectoryIndex index.html
Listen 127.0.0.1:$port0
LimitRequestFieldSize 16384
DocumentRoot "$d/htdocs"
<Directory "$d/htdocs">
    Require all granted
</Directory>
AlbMtlsReloadInterval 1
AlbMtlsCache process
AlbMtlsCacheTimeout 3600
<Location /server-status>
    SetHandler server-status
</Location>
# two sections naming the same files: one source, read once per change
<Location /r>
    AlbMtlsVerifyClient require
    AlbMtlsCAFile "$d/ca.pem"
    AlbMtlsCRLFile "$d/crl.pem"
</Location>
<Location /o>
    AlbMtlsVerifyClient optional
    AlbMtlsCAFile "$d/ca.pem"
    AlbMtlsCRLFile "$d/crl.pem"
    Header always set X-Verify "%{SSL_CLIENT_VERIFY}e"
</Location>
# a CRL file every child read at start-up (client1 revoked), named twice
<Location /b>
    AlbMtlsVerifyClient require
    AlbMtlsCAFile "$d/ca.pem"
    AlbMtlsCRLFile "$d/crlb.pem"
</Location>
<Location /b2>
    AlbMtlsVerifyClient optional
    AlbMtlsCAFile "$d/ca.pem"
    AlbMtlsCRLFile "$d/crlb.pem"
</Location>
<Location /ca>
    AlbMtlsVerifyClient require
    AlbMtlsCAFile "$d/ca2.pem"
</Location>
<Location /p>
    AlbMtlsVerifyClient require
    AlbMtlsCAFile "$d/ca.pem"
    AlbMtlsCRLPath "$d/crlpath"
</Location>
<Location /q>
    AlbMtlsVerifyClient require
    AlbMtlsCAPath "$d/capath"
</Location>
<Location /s>
    AlbMtlsVerifyClient require
    AlbMtlsCAFile "$d/ca.pem"
    AlbMtlsCRLFile "$d/crlshort.pem"
</Location>
<VirtualHost 127.0.0.1:$port0>
    AlbMtlsReloadInterval 0
    <Location /z>
        AlbMtlsVerifyClient require
        AlbMtlsCAFile "$d/ca0.pem"
        AlbMtlsCRLFile "$d/crl0.pem"
    </Location>
</VirtualHost>
BODY

my $httpd = Apache::Test::vars('httpd');
my $pid = fork // die "fork: $!";
if (!$pid) {
    POSIX::setsid();
    open STDOUT, '>>', "$log.stdout";
    open STDERR, '>&', \*STDOUT;
    exec $httpd, '-f', $conf, '-DFOREGROUND' or POSIX::_exit(127);
}
sub stop_httpd {
    return unless $pid;
    kill 'TERM', $pid;
    for (1 .. 100) {
        last if waitpid($pid, POSIX::WNOHANG()) == $pid;
        Time::HiRes::sleep(0.1);
    }
    kill 'KILL', $pid if kill 0, $pid;
    $pid = 0;
}
END { stop_httpd() }
my $up = 0;
for (1 .. 100) {
    if (port_open($port) && port_open($port0)) { $up = 1; last }
    last if waitpid($pid, POSIX::WNOHANG()) == $pid;
    Time::HiRes::sleep(0.1);
}
ok($up, "httpd ($mpm) started") or diag(slurp("$log.stdout") . slurp($log));

sub get {
    my ($path, $cert, $p) = @_;
    my ($code, undef, $h) = curl_get("http://127.0.0.1:" . ($p // $port) . $path,
                                     headers => [[$H, $cert]]);
    return wantarray ? ($code, $h) : $code;
}

# until(\&cond, SECONDS): polls cond every 0.1 s; seconds it took, or undef
sub until_true {
    my ($cond, $max) = @_;
    my $t0 = Time::HiRes::time();
    while (Time::HiRes::time() - $t0 < $max) {
        return Time::HiRes::time() - $t0 if $cond->();
        Time::HiRes::sleep(0.1);
    }
    return undef;
}

sub log_from { my $s = slurp($log); return substr($s, $_[0]) }

is(get('/r/', $client), 200, 'before: client1 accepted');
is(get('/r/', $client2), 200, 'before: client2 accepted');
my (undef, $h) = get('/o/', $client);
is($h->{'x-verify'}, 'SUCCESS', 'before: client1 SUCCESS (now cached)');
(undef, $h) = get('/o/', $client);
is($h->{'x-verify'}, 'SUCCESS', '... and again, from the cache');

# ---------------------------------------------------------------- a CRL
# replaced under load
my $mark = length slurp($log);
my $abpid = fork // die;
if (!$abpid) {
    open STDOUT, '>', "$d/ab.out";
    open STDERR, '>&', \*STDOUT;
    exec $ab, '-q', '-c', '16', '-t', '4', '-n', '1000000', '-H',
         "$H: $client2", "http://127.0.0.1:$port/r/" or POSIX::_exit(127);
}
Time::HiRes::sleep(1);
publish(pki('crl-client-revoked.pem'), "$d/crl.pem");
my $took = until_true(sub { get('/r/', $client) == 403 }, 6);
ok(defined $took, 'revoked by a renamed CRL: client1 refused'
   . (defined $took ? sprintf(' after %.1f s', $took) : ' (not within 6 s)'));
waitpid $abpid, 0;
my $about = slurp("$d/ab.out");
my ($complete) = $about =~ /Complete requests:\s+(\d+)/;
my ($failed) = $about =~ /Failed requests:\s+(\d+)/;
ok(($complete // 0) > 0, "ab: " . ($complete // 0) . " requests for client2 during the swap")
    or diag($about);
is($failed, 0, 'ab: no request failed');
unlike($about, qr/Non-2xx responses/, 'ab: every response was 200')
    or diag($about);
is(get('/r/', $client2), 200, 'client2 still accepted');
like(log_from($mark), qr/ALB00042: AlbMtlsCRLFile \Q$d\E\/crl\.pem changed/,
     'reload logged (ALB00042)');
(undef, $h) = get('/o/', $client);
is($h->{'x-verify'}, 'FAILED:certificate revoked',
   'the SUCCESS cached before the reload is not served after it');

# ------------------------------------------------------- a broken CRL
# (crlb.pem: every child has read it at start-up, so every child keeps it)
is(get('/b/', $client), 403, 'crlb.pem revokes client1');
$mark = length slurp($log);
publish(\"-----BEGIN X509 CRL-----\nnot base64 at all\n-----END X509 CRL-----\n",
        "$d/crlb.pem");
my $end = Time::HiRes::time() + 3.5;
my ($bad1, $bad2) = (0, 0);
while (Time::HiRes::time() < $end) {
    $bad1++ if get('/b/', $client) != 403;
    $bad2++ if get('/b/', $client2) != 200;
    get('/b2/', $client);       # the same files: the same source, one line
    Time::HiRes::sleep(0.05);
}
is($bad1, 0, 'broken CRL: the previous one stays (client1 still refused)');
is($bad2, 0, 'broken CRL: client2 still accepted');
my @fail = log_from($mark) =~ /ALB00043: (.*)/g;
ok(@fail >= 1, 'broken CRL logged (ALB00043)');
like($fail[0] // '', qr/crlb\.pem/, '... naming the file');
my %per_pid;
$per_pid{$_}++ for map { /\(pid (\d+)\)/ ? $1 : 'none' } @fail;
ok(!grep({ $_ > 1 } values %per_pid),
   'logged once per change and process, not per request, interval or '
   . 'section') or diag(join "\n", @fail);

$mark = length slurp($log);
publish(pki('crl-chain.pem'), "$d/crlb.pem");
ok(defined until_true(sub { get('/b/', $client) == 200 }, 6),
   'the next good CRL is picked up: client1 accepted again');
like(log_from($mark), qr/ALB00042: AlbMtlsCRLFile \Q$d\E\/crlb\.pem/,
     '... and logged');

# --------------------------------------------------------- a CA file
is(get('/ca/', $client), 200, 'CA file: root CA accepted');
is(get('/ca/', $other), 403, 'CA file: other CA refused');
publish(pki('other-root.crt'), "$d/ca2.pem");
ok(defined until_true(sub { get('/ca/', $other) == 200 }, 6),
   'CA file renamed into place: the new CA accepted');
Time::HiRes::sleep(1.2);         # every child due: it checks at its request
is(get('/ca/', $client), 403, 'CA file: the removed CA refused');

# --------------------------------------------------- CAPath, CRLPath
is(get('/p/', $client), 200, 'CRLPath: client1 accepted');
crl_dir(pki('crl-client-revoked.pem'), "$d/crlpath");
ok(defined until_true(sub { get('/p/', $client) == 403 }, 6),
   'CRLPath: links replaced, client1 refused');
Time::HiRes::sleep(1.2);
is(get('/p/', $client2), 200, 'CRLPath: client2 accepted');
is(get('/q/', $other), 403, 'CAPath: other CA refused');
publish(pki('other-root.crt'),
        "$d/capath/" . hash_of('x509', pki('other-root.crt')) . '.0');
unlink "$d/capath/" . hash_of('x509', pki('root.crt')) . '.0';
ok(defined until_true(sub { get('/q/', $other) == 200 }, 6),
   'CAPath: a link added, the new CA accepted');
Time::HiRes::sleep(1.2);
is(get('/q/', $client), 403, 'CAPath: the removed link\'s CA refused');

# ------------------------------------------------ the warning of a CRL
# close to its nextUpdate
$mark = length slurp($log);
is(get('/s/', $client), 200, 'a CRL valid for an hour more: accepted');
publish("$d/crl-short.pem", "$d/crlshort.pem");
ok(defined until_true(sub {
       get('/s/', $client);
       log_from($mark) =~ /ALB00044: CRL of .*Test Intermediate CA.* expires at/
   }, 6), 'a CRL in use that expires within 24 h is logged (ALB00044)');

# ------------------------------------------------------------ mod_status
# (per process: under prefork, poll until the page comes from a child that
# reloaded, and from one that saw the broken file)
my ($auto, $auto_failed) = ('', '');
until_true(sub {
    (undef, $auto) = curl_get("http://127.0.0.1:$port/server-status?auto");
    $auto =~ /^AlbMtlsReloadLast: [1-9]/m;
}, 8);
until_true(sub {
    get('/b2/', $client);
    (undef, $auto_failed) = curl_get("http://127.0.0.1:$port/server-status?auto");
    $auto_failed =~ /^AlbMtlsReloadLastFailed: [1-9]/m;
}, 8);
like($auto, qr/^AlbMtlsReloadLast: [1-9]\d+$/m, 'status: last reload time');
like($auto_failed, qr/^AlbMtlsReloadLastFailed: [1-9]\d+$/m,
     'status: last failed reload time');
like($auto, qr/^AlbMtlsCRL\d+Issuer: CN=Test Intermediate CA/m,
     'status: a CRL in use, its issuer');
my ($n) = $auto =~ /^AlbMtlsCRL(\d+)Issuer: CN=Test Intermediate CA/m;
$n //= 0;
my ($this) = $auto =~ /^AlbMtlsCRL${n}ThisUpdate: (\d+)$/m;
my ($next) = $auto =~ /^AlbMtlsCRL${n}NextUpdate: (\d+)$/m;
my ($loaded) = $auto =~ /^AlbMtlsCRL${n}Loaded: (\d+)$/m;
ok(($this // 0) > 0 && ($next // 0) > ($this // 0) && ($loaded // 0) > 0,
   'status: thisUpdate < nextUpdate, load time') or diag($auto);
(undef, my $html) = curl_get("http://127.0.0.1:$port/server-status");
like($html, qr/CA and CRL files.*CRL\d+NextUpdate/s, 'status: HTML table');

# ------------------------------------------- AlbMtlsReloadInterval 0
is(get('/z/', $client, $port0), 200, 'interval 0: client1 accepted');
publish(pki('crl-client-revoked.pem'), "$d/crl0.pem");
$end = Time::HiRes::time() + 3;
my $flipped = 0;
while (Time::HiRes::time() < $end) {
    $flipped++ if get('/z/', $client, $port0) != 200;
    Time::HiRes::sleep(0.1);
}
is($flipped, 0, 'interval 0: a changed CRL is not picked up while running');
$mark = length slurp($log);
kill 'USR1', $pid;
ok(defined until_true(sub { log_from($mark) =~ /resuming normal operations/ }, 10),
   'graceful restart');
ok(defined until_true(sub { get('/z/', $client, $port0) == 403 }, 6),
   'interval 0: picked up at the graceful restart');

# -------------------------------------------------------------- crashes
unlike(slurp($log), qr/exit signal|Segmentation|AddressSanitizer|double free/,
       'no child crashed');

# ------------------------------------------------- directive values
stop_httpd();
my ($cfail, $out) = config_check($d, "AlbMtlsReloadInterval 86400\n"
    . "<VirtualHost 127.0.0.1:*>\nAlbMtlsReloadInterval 0\n</VirtualHost>");
ok(!$cfail, 'AlbMtlsReloadInterval 86400, and 0 in a virtual host: starts')
    or diag($out);
for my $bad (['86401', qr/AlbMtlsReloadInterval.*86400/],
             ['soon', qr/AlbMtlsReloadInterval/],
             ["<Location /x>\nAlbMtlsReloadInterval 5\n</Location>",
              qr/AlbMtlsReloadInterval.*not allowed/]) {
    my $body = $bad->[0] =~ /^</ ? $bad->[0]
                                 : "AlbMtlsReloadInterval $bad->[0]";
    ($cfail, $out) = config_check($d, $body);
    ok($cfail && $out =~ $bad->[1], "refused: " . ($body =~ s/\n/ /gr))
        or diag($out);
}
