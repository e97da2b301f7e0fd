# Size limits with a real httpd whose LimitRequestFieldSize lets far more
# than the ALB's 16 KB through (an httpd of its own, since the limit is read
# before a virtual host is chosen): more than 10 certificates, or more than
# 64 KB once decoded, is FAILED by the module itself (403 under require,
# FAILED:<reason> under optional), before any certificate is parsed; just
# below the limits the chain still verifies.  mod_headers echoes
# SSL_CLIENT_VERIFY.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(pki pem alb_encode free_port);
use File::Path qw(make_path);
use File::Spec ();
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes ();

my $httpd = Apache::Test::vars('httpd');
my $top   = Apache::Test::vars('top_dir');
my $apxs  = Apache::Test::vars('apxs');
my $dir   = File::Spec->catdir(Apache::Test::vars('t_logs'), 'limits');
make_path("$dir/htdocs/req", "$dir/htdocs/opt");
chomp(my $moddir = `$apxs -q LIBEXECDIR`);
my $mpm = Apache::Test::config()->{server}->{mpm} || 'prefork';
$mpm = 'prefork' unless -f "$moddir/mod_mpm_$mpm.so";
for my $d ('req', 'opt') { open my $fh, '>', "$dir/htdocs/$d/ok.txt" or die $!; print $fh "ok\n"; }

my $leaf  = pem('client.crt');
my $inter = pem('intermediate.crt');
my $chain = pem('client-chain.pem');
# [name, header value, SSL_CLIENT_VERIFY under optional, status under require]
my @cases = (
    [ '10 certificates (leaf + 9 x intermediate)', alb_encode($leaf . ($inter x 9)), 'SUCCESS', 200 ],
    [ '11 certificates', alb_encode($leaf . ($inter x 10)), 'FAILED:too many certificates', 403 ],
    [ '30 certificates', alb_encode($leaf . ($inter x 29)), 'FAILED:too many certificates', 403 ],
    [ 'valid chain + 60 KB of spaces (under 64 KB)', $leaf . (' ' x 60000) . $inter, 'SUCCESS', 200 ],
    [ 'valid chain + 70 KB of spaces (over 64 KB)', $leaf . (' ' x 70000) . $inter, 'FAILED:header too large', 403 ],
    [ '50 KB of %20 (150 KB encoded, 50 KB decoded)', ('%20' x 50000) . alb_encode($chain), 'SUCCESS', 200 ],
    [ '70 KB of %20 (over 64 KB decoded)', ('%20' x 70000) . alb_encode($chain), 'FAILED:header too large', 403 ],
    [ '180 KB of garbage', 'A' x 180000, 'FAILED:header too large', 403 ],
);

plan tests => 1 + 3 * @cases + 1 + 2;

my $port = free_port();
my $log  = "$dir/error_log";
unlink $log;
open my $fh, '>', "$dir/httpd.conf" or die $!;
print $fh <<"CONF";
ServerRoot "$top/t"
ServerName localhost
Listen 127.0.0.1:$port
PidFile "$dir/httpd.pid"
ErrorLog "$log"
LogLevel info
DefaultRuntimeDir "$dir"
LimitRequestFieldSize 262144
LimitRequestLine 8190
LoadModule mpm_${mpm}_module "$moddir/mod_mpm_$mpm.so"
LoadModule authz_core_module "$moddir/mod_authz_core.so"
LoadModule headers_module "$moddir/mod_headers.so"
LoadModule alb_mtls_module "$top/build/mod_alb_mtls.so"
DocumentRoot "$dir/htdocs"
<Directory "$dir/htdocs">
    Require all granted
</Directory>
AlbMtlsCAFile "${\ pki('root.crt') }"
AlbMtlsVerifyDepth 32
Header always set X-Verify "%{SSL_CLIENT_VERIFY}e"
<Location /req/>
    AlbMtlsVerifyClient require
</Location>
<Location /opt/>
    AlbMtlsVerifyClient optional
</Location>
CONF
close $fh;

my $pid = fork // die "fork: $!";
if (!$pid) {
    open STDOUT, '>>', "$dir/stdout";
    open STDERR, '>&', \*STDOUT;
    exec $httpd, '-X', '-f', "$dir/httpd.conf" or POSIX::_exit(127);
}
my $up = 0;
for (1 .. 100) {
    if (IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 1)) { $up = 1; last }
    last if waitpid($pid, POSIX::WNOHANG()) == $pid;
    Time::HiRes::sleep(0.1);
}
ok($up, 'httpd with LimitRequestFieldSize 262144 is up') or diag(`cat $dir/stdout 2>/dev/null`);

# get(PATH, VALUE): (status, X-Verify) over a raw socket (no client limit)
sub get {
    my ($path, $value) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 20)
        or return (0, undef);
    print $s "GET $path HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
           . "X-Amzn-Mtls-Clientcert: $value\r\n\r\n";
    local $/;
    my $resp = <$s> // '';
    close $s;
    my ($code) = $resp =~ /^HTTP\/1\.1 (\d+)/;
    my ($verify) = $resp =~ /^X-Verify: ([^\r\n]*)/mi;
    return ($code // 0, $verify);
}

my $mark = -s $log || 0;
for my $c (@cases) {
    my ($name, $value, $verify, $status) = @$c;
    (my $wire = $value) =~ s/\n/%0A/g;   # raw PEM lines must not break the field
    my ($code, $v) = get('/opt/ok.txt', $wire);
    is($code, 200, "optional, $name: 200");
    is($v, $verify, "optional, $name: $verify");
    ($code) = get('/req/ok.txt', $wire);
    is($code, $status, "require, $name: $status");
}

# beyond LimitRequestFieldSize httpd itself answers 400, before the module
{
    my ($code) = get('/req/ok.txt', 'A' x 270000);
    is($code, 400, 'beyond LimitRequestFieldSize: 400 from httpd');
}

kill 'TERM', $pid;
waitpid $pid, 0;
my $all = do { local $/; open my $l, '<', $log or die $!; seek $l, $mark, 0; <$l> } // '';
like($all, qr/ALB00101: client certificate refused: too many certificates \(peer 127\.0\.0\.1, uri \/req\/ok\.txt\)/,
     'refusal for 11 certificates is logged without a subject: nothing was parsed');
is(scalar(() = $all =~ /Segmentation|AH00052|exit signal|AddressSanitizer/g), 0, 'no crash');
