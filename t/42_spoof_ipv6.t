# AlbMtlsTrustedProxy with IPv6 peers and CIDRs: a small httpd of its own
# listening on [::1] (one port per AlbMtlsTrustedProxy setting); curl
# connects from ::1.  mod_headers echoes whether the header survived and what
# SSL_CLIENT_VERIFY says.  Skipped when the machine has no IPv6 loopback.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(pki pem alb_encode);
use File::Path qw(make_path);
use File::Spec ();
use IO::Socket::IP ();
use POSIX ();
use Time::HiRes ();

my $httpd = Apache::Test::vars('httpd');
my $top   = Apache::Test::vars('top_dir');
my $apxs  = Apache::Test::vars('apxs');
my $dir   = File::Spec->catdir(Apache::Test::vars('t_logs'), 'ipv6');
make_path("$dir/htdocs");
chomp(my $moddir = `$apxs -q LIBEXECDIR`);
my $mpm = Apache::Test::config()->{server}->{mpm} || 'prefork';
$mpm = 'prefork' unless -f "$moddir/mod_mpm_$mpm.so";

sub free_port6 {
    my $s = IO::Socket::IP->new(Listen => 1, LocalHost => '::1', LocalPort => 0) or return;
    my $p = $s->sockport;
    close $s;
    return $p;
}

my $have_v6 = defined free_port6();
plan tests => 2 + 4 * 6, need({ 'IPv6 loopback ::1' => $have_v6,
                                'curl on PATH' => sub { system('curl --version >/dev/null 2>&1') == 0 } });

my $H = 'X-Amzn-Mtls-Clientcert';
my $good = alb_encode(pem('client-chain.pem'));
my $root = pki('root.crt');
{ open my $fh, '>', "$dir/htdocs/index.html" or die $!; print $fh "ok\n"; }

# [name, AlbMtlsTrustedProxy line or '', trusted?]
my @cases = (
    [ 'default list (loopback incl. ::1)', '',                                   1 ],
    [ '::1',                               'AlbMtlsTrustedProxy ::1',            1 ],
    [ '::1/128 and an IPv4 range',         'AlbMtlsTrustedProxy 10.0.0.0/8 ::1/128', 1 ],
    [ '::/8 (a wide CIDR)',                'AlbMtlsTrustedProxy ::/8',           1 ],
    [ 'IPv4 loopback only',                'AlbMtlsTrustedProxy 127.0.0.1',      0 ],
    [ '2001:db8::/32 and fc00::/7',        'AlbMtlsTrustedProxy 2001:db8::/32 fc00::/7', 0 ],
);

# distinct free ports: keep every probe socket open until all are chosen
my @held = map { IO::Socket::IP->new(Listen => 1, LocalHost => '::1', LocalPort => 0) } @cases;
my @ports = map { $_ ? $_->sockport : 0 } @held;
close $_ for grep { $_ } @held;
my $conf = "$dir/httpd.conf";
my $log  = "$dir/error_log";
unlink $log;
{
    open my $fh, '>', $conf or die "$conf: $!";
    print $fh <<"CONF";
ServerRoot "$top/t"
ServerName localhost
PidFile "$dir/httpd.pid"
ErrorLog "$log"
LogLevel info
DefaultRuntimeDir "$dir"
LimitRequestFieldSize 16384
LoadModule mpm_${mpm}_module "$moddir/mod_mpm_$mpm.so"
LoadModule authz_core_module "$moddir/mod_authz_core.so"
LoadModule headers_module "$moddir/mod_headers.so"
LoadModule alb_mtls_module "$top/build/mod_alb_mtls.so"
DocumentRoot "$dir/htdocs"
<Directory "$dir/htdocs">
    Require all granted
</Directory>
CONF
    for my $i (0 .. $#cases) {
        print $fh <<"VH";
Listen [::1]:$ports[$i]
<VirtualHost [::1]:$ports[$i]>
    ServerName localhost
    $cases[$i][1]
    AlbMtlsVerifyClient optional
    AlbMtlsCAFile "$root"
    Header always set X-Seen "expr=%{req:$H}"
    Header always set X-Verify "%{SSL_CLIENT_VERIFY}e"
</VirtualHost>
VH
    }
    close $fh;
}

my $pid = fork // die "fork: $!";
if (!$pid) {
    open STDOUT, '>>', "$dir/stdout";
    open STDERR, '>&', \*STDOUT;
    exec $httpd, '-X', '-f', $conf or POSIX::_exit(127);
}
my $up = 0;
for (1 .. 100) {
    if (IO::Socket::IP->new(PeerHost => '::1', PeerPort => $ports[-1], Timeout => 1)) { $up = 1; last }
    last if waitpid($pid, POSIX::WNOHANG()) == $pid;
    Time::HiRes::sleep(0.1);
}
ok($up, 'httpd listens on [::1]') or diag(`cat $dir/stdout $log 2>/dev/null`);

sub probe {
    my ($port) = @_;
    my @cmd = ('curl', '-sS', '-g', '-o', '/dev/null', '-D', '-', '-H', "$H: $good",
               "http://[::1]:$port/index.html");
    open my $fh, '-|', @cmd or die "curl: $!";
    local $/;
    my $out = <$fh> // '';
    close $fh;
    my %h;
    while ($out =~ /^([^:\s]+):[ \t]*([^\r\n]*)/mg) { $h{lc $1} = $2 }
    my ($code) = $out =~ /^HTTP\/\S+ (\d+)/;
    return ($code // 0, \%h);
}

for my $i (0 .. $#cases) {
    my ($name, $line, $trusted) = @{ $cases[$i] };
    my $size0 = -s $log || 0;
    my ($code, $h) = probe($ports[$i]);
    is($code, 200, "$name: 200");
    if ($trusted) {
        is($h->{'x-verify'}, 'SUCCESS', "$name: ::1 trusted, SUCCESS");
        is($h->{'x-seen'} // '', $good, "$name: the header is kept");
    }
    else {
        is($h->{'x-verify'}, 'NONE', "$name: ::1 untrusted, NONE");
        is($h->{'x-seen'} // '', '', "$name: the header is removed");
    }
    my $new = '';
    if (open my $lf, '<', $log) {
        seek $lf, $size0, 0;
        $new = do { local $/; <$lf> } // '';
    }
    if ($trusted) {
        unlike($new, qr/ALB00104/, "$name: nothing logged");
    }
    else {
        like($new, qr/ALB00104: removed header X-Amzn-Mtls-Clientcert sent by untrusted peer ::1 /,
             "$name: ALB00104 names the IPv6 peer");
    }
}

kill 'TERM', $pid;
waitpid $pid, 0;
my $crashed = -f $log ? `grep -c -E 'Segmentation|AH00052|exit signal' "$log"` + 0 : -1;
is($crashed, 0, 'no crash in the IPv6 httpd');
