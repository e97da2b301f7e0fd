# t/60_modssl_compare.t - byte-for-byte comparison of mod_alb_mtls's
# SSL_CLIENT_* variables with those of the real mod_ssl.
#
# The test starts its own httpd (not Apache::Test's), prefork by default,
# with five loopback listeners that all serve one CGI printing its
# environment (\ and control bytes as \xHH, so values compare byte for byte):
#   (a) TLS, mod_ssl, SSLVerifyClient require; curl sends the chain in the
#       handshake;
#   (b) plain HTTP, AlbMtlsVerifyClient require; the same chain in
#       X-Amzn-Mtls-Clientcert, URL-encoded as the ALB does it;
#   (c)/(d) the same pair with optional_no_ca (mod_ssl over TLS 1.2: GENEROUS);
#   (e) TLS without client certificates plus the module (the ALB -> HTTPS hop).
# Paths: /env (StdEnvVars + ExportCertData), /legacy/env (+LegacyDNStringFormat),
# /lookup/env (lookups: mod_rewrite %{SSL:name} and ap_expr %{name} through
# mod_headers, including lookup-only names, index forms, _RAW and name case).
# Every SSL_CLIENT_* variable mod_ssl exports must appear on the module's side
# with the same bytes; the module may add only SSL_CLIENT_SAN_URI_n and
# SSL_CLIENT_CERT_SHA256, both checked against openssl.  Each difference is
# listed at the end (case, path, variable, both values).  mod_ssl's own
# values are checked against known answers first, so that a broken test PKI
# cannot make both sides agree on nonsense.  Certificates come from
# t/compare/mkcerts.sh at run time.
#
# Runs standalone (perl t/60_modssl_compare.t) and under Apache::Test's
# harness; never as root.  Environment knobs:
#   ALB_MTLS_SO              module to test (default build/mod_alb_mtls.so)
#   ALB_MTLS_COMPARE_MPM     prefork (default) or event
#   ALB_MTLS_COMPARE_KEEP=1  keep the run directory even when all passed
#   ALB_MTLS_COMPARE_MODSSL_ONLY=1  run side (a) alone (development aid)
use strict;
use warnings;

use Test::More;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Digest::SHA qw(sha256_hex);

$| = 1;

my $tdir = dirname(abs_path(__FILE__));
my $top  = dirname($tdir);

# ------------------------------------------------------------------ prereqs
my $modssl_only = $ENV{ALB_MTLS_COMPARE_MODSSL_ONLY} ? 1 : 0;

my $so = $ENV{ALB_MTLS_SO} || "$top/build/mod_alb_mtls.so";
$so = abs_path($so) if -e $so;

my $libexec = '';
{
    my $q = `apxs -q LIBEXECDIR 2>/dev/null`;
    chomp $q if defined $q;
    $libexec = $q if defined $q && -d $q;
    $libexec ||= '/usr/lib/apache2/modules';
}

my $httpd;
for my $c ($ENV{APACHE_TEST_HTTPD}, '/usr/sbin/apache2', '/usr/sbin/httpd',
           '/usr/local/apache2/bin/httpd') {
    if (defined $c && -x $c) { $httpd = $c; last }
}

# Older mod_ssl (Debian 11's 2.4.62; not Debian 12's and 13's 2.4.71, whose
# behaviour the module follows) differs in two ways: it counts
# SSL_CLIENT_V_REMAIN one day too high (it adds 1 to notAfter's day of the
# month), and it has no SSL_CLIENT_[SI]_DN_SerialNumber.  Both are told
# from what this mod_ssl reports for the first case that shows them (the
# expected values in %want): $remain_plus is then taken off mod_ssl's
# V_REMAIN before comparing, and the SerialNumber names are only checked
# to be set by the module.
my $remain_plus;        # undef until mod_ssl's first V_REMAIN is seen
my $old_serial = 0;     # this mod_ssl has no SSL_CLIENT_[SI]_DN_SerialNumber
sub newer_name { my ($n) = @_; return $old_serial && $n =~ /SSL_CLIENT_[SI]_DN_SerialNumber/ }
sub modssl_value {
    my ($name, $v) = @_;
    return $v unless $remain_plus && defined $v && $name =~ /SSL_CLIENT_V_REMAIN/
                     && $v =~ /^\d+$/ && $v > 0;
    return $v - $remain_plus;
}

sub which {
    my ($p) = @_;
    for my $d (split /:/, $ENV{PATH} || '/usr/bin:/bin') {
        return "$d/$p" if -x "$d/$p";
    }
    return;
}

plan skip_all => 'run as an unprivileged user, not root (the harness does; '
    . 'as root httpd would switch its children to another user)'
    if $> == 0;
plan skip_all => "module not built: $so (make -f Makefile.apxs)"
    if !$modssl_only && !-f $so;
plan skip_all => "mod_ssl not found: $libexec/mod_ssl.so"
    unless -f "$libexec/mod_ssl.so";
plan skip_all => 'httpd binary not found' unless $httpd;
plan skip_all => 'openssl CLI not found' unless which('openssl');
plan skip_all => 'curl not found' unless which('curl');

my $mpm = lc($ENV{ALB_MTLS_COMPARE_MPM} || 'prefork');
plan skip_all => "ALB_MTLS_COMPARE_MPM must be prefork or event, not $mpm"
    unless $mpm eq 'prefork' || $mpm eq 'event';
# Modules compiled into httpd (Debian: log_config) need no LoadModule.
my %static = map { /^\s*mod_(\w+)\.c/ ? ($1 => 1) : () } `"$httpd" -l 2>/dev/null`;
my @load;
for my $m ("mpm_$mpm", qw(authz_core mime env socache_shmcb ssl log_config alias),
           ($mpm eq 'event' ? 'cgid' : 'cgi')) {
    next if $static{$m};
    plan skip_all => "$libexec/mod_$m.so missing" unless -f "$libexec/mod_$m.so";
    push @load, qq{LoadModule ${m}_module "$libexec/mod_$m.so"};
}
# Lookup comparison (/lookup/env) needs mod_rewrite and mod_headers: the
# module answers through its ssl_var_lookup and expr_lookup hooks.
my $lookups = 1;
for my $m (qw(rewrite headers)) {
    next if $static{$m};
    if (-f "$libexec/mod_$m.so") {
        push @load, qq{LoadModule ${m}_module "$libexec/mod_$m.so"};
    }
    else { $lookups = 0 }
}

# ------------------------------------------------------------------ run dir
my $run;
{
    my $base = "$tdir/compare/run";
    if (eval { make_path($base); 1 } && -w $base) {
        $run = "$base/$$";
        remove_tree($run);
        make_path($run);
    }
    else {
        $run = tempdir('alb-mtls-compare-XXXXXX', TMPDIR => 1);
    }
}
my $certs = "$run/pki";

my $httpd_pid;
my $owner_pid = $$;

sub stop_httpd {
    return unless $httpd_pid && $$ == $owner_pid;
    kill 'TERM', $httpd_pid;
    for (1 .. 100) {
        my $r = waitpid($httpd_pid, WNOHANG);
        if ($r == $httpd_pid || $r == -1) { undef $httpd_pid; return }
        select(undef, undef, undef, 0.1);
    }
    kill 'KILL', $httpd_pid;
    waitpid($httpd_pid, 0);
    undef $httpd_pid;
}

END {
    my $rc = $?;
    stop_httpd();
    if ($run && $$ == $owner_pid && -d $run) {
        my $ok = Test::More->builder->is_passing;
        if ($ok && !$ENV{ALB_MTLS_COMPARE_KEEP}) {
            remove_tree($run);
        }
        else {
            print STDERR "# run directory kept: $run\n";
        }
    }
    $? = $rc;
}
$SIG{INT} = $SIG{TERM} = sub { exit 1 };

# ------------------------------------------------------------------ helpers
sub slurp {
    my ($f) = @_;
    open my $fh, '<', $f or return '';
    binmode $fh;
    local $/;
    my $s = <$fh>;
    return defined $s ? $s : '';
}

sub spew {
    my ($f, $s, $mode) = @_;
    open my $fh, '>', $f or die "$f: $!";
    binmode $fh;
    print $fh $s;
    close $fh or die "$f: $!";
    chmod $mode, $f if defined $mode;
}

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1, ReuseAddr => 1)
        or die "cannot bind a loopback port: $!";
    my $p = $s->sockport;
    close $s;
    return $p;
}

sub port_open {
    my ($p) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $p,
                                  Proto => 'tcp', Timeout => 1);
    return 0 unless $s;
    close $s;
    return 1;
}

# Run a command, return (exit status, stdout); stderr goes to $errfile.
sub run_cmd {
    my ($errfile, @cmd) = @_;
    my $pid = open(my $fh, '-|');
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        open STDERR, '>>', $errfile or die;
        exec @cmd or die "exec $cmd[0]: $!";
    }
    binmode $fh;
    local $/;
    my $out = <$fh>;
    close $fh;
    return ($? >> 8, defined $out ? $out : '');
}

sub openssl_out { my ($rc, $o) = run_cmd("$run/openssl.err", 'openssl', @_); return $o }

# The PEM blocks of a file, in order.
sub pem_blocks {
    my ($f) = @_;
    return slurp($f) =~ /(-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----)/sg;
}

# As the ALB does: the PEM text, newline after every line, URL-encoded with
# + = / left literal (space %20, newline %0A).
sub alb_encode {
    my (@blocks) = @_;
    my $s = join('', map { "$_\n" } @blocks);
    $s =~ s{([^A-Za-z0-9\-_.~+=/])}{sprintf('%%%02X', ord $1)}ge;
    return $s;
}

# The CGI escapes \ and control characters as \xHH, so a value is one line
# and equal escaped values mean equal bytes.
sub parse_env {
    my ($body) = @_;
    my %e;
    for my $l (split /\n/, $body) {
        next unless $l =~ /^([^=]+)=(.*)\z/s;
        $e{$1} = $2;
    }
    return \%e;
}

# For reading only: the CGI's escaping with backslashes shown as themselves.
sub shown {
    my ($v) = @_;
    $v =~ s/\\x5C/\\/g;
    return $v;
}

sub unesc {
    my ($v) = @_;
    $v =~ s/\\x([0-9A-F]{2})/chr hex $1/ge;
    return $v;
}

# ------------------------------------------------------------------ PKI
{
    my ($rc) = run_cmd("$run/mkcerts.log", 'sh', "$tdir/compare/mkcerts.sh", $certs);
    if ($rc != 0 || !-f "$certs/cases") {
        fail('mkcerts.sh generated the test PKI');
        diag(slurp("$run/mkcerts.log"));
        done_testing();
        exit 1;
    }
}
my @cases = grep { length } split /\n/, slurp("$certs/cases");
my @generous = grep { length } split /\n/, slurp("$certs/generous");
# notAfter is "now + N days" to the second: a request in the second of
# signing sees exactly N days left, one a second later N-1 (floor).  Start
# only after that second, so that both sides see the same V_REMAIN.
{
    my $t0 = time;
    select(undef, undef, undef, 0.1) while time <= $t0 + 1;
}
pass('mkcerts.sh generated ' . scalar(@cases) . ' client certificates');

# ------------------------------------------------------------------ httpd
my $port_a = free_port();
my ($port_b, $port_c, $port_d, $port_e);
{
    my %used = ($port_a => 1);
    for my $p (\$port_b, \$port_c, \$port_d, \$port_e) {
        $$p = free_port();
        $$p = free_port() while $used{$$p};
        $used{$$p} = 1;
    }
}

make_path("$run/cgi", "$run/htdocs", "$run/logs", "$run/bodies");
spew("$run/htdocs/index.html", "compare\n");
spew("$run/mime.types", "text/html html\ntext/plain txt\n");
spew("$run/cgi/env.cgi", <<"CGI", 0755);
#!$^X
# prints the environment sorted, NAME=value, \\ and control bytes as \\xHH
binmode STDOUT;
print "Content-Type: text/plain\\n\\n";
for my \$k (sort keys %ENV) {
    my \$v = \$ENV{\$k};
    \$v =~ s/([\\\\\\x00-\\x1f\\x7f])/sprintf('\\\\x%02X', ord \$1)/ge;
    print "\$k=\$v\\n";
}
CGI

# Lookup-only names and lookup syntax (index forms, _RAW, name case), asked
# through ap_ssl_var_lookup (mod_rewrite %{SSL:..} -> LK_<name>) and through
# ap_expr (mod_headers expr= -> request header X-Ex-<n> -> HTTP_X_EX_<n>).
# Numbered, not named: env and header tables ignore case, and several names
# here differ only in case.
# SSL_CLIENT_SAN_URI_0 and SSL_CLIENT_CERT_SHA256 are the module's extras.
my @lk_names = qw(
    SSL_CLIENT_VERIFY SSL_CLIENT_S_DN SSL_CLIENT_I_DN SSL_CLIENT_M_VERSION
    SSL_CLIENT_M_SERIAL SSL_CLIENT_V_START SSL_CLIENT_V_END SSL_CLIENT_V_REMAIN
    SSL_CLIENT_A_KEY SSL_CLIENT_A_SIG SSL_CLIENT_CERT_RFC4523_CEA
    SSL_CLIENT_S_DN_CN SSL_CLIENT_S_DN_CN_0 SSL_CLIENT_S_DN_CN_1
    SSL_CLIENT_S_DN_CN_RAW SSL_CLIENT_S_DN_CN_0_RAW SSL_CLIENT_S_DN_O_RAW
    SSL_CLIENT_I_DN_CN_RAW SSL_CLIENT_I_DN_O_RAW
    SSL_CLIENT_S_DN_OU SSL_CLIENT_S_DN_OU_1 SSL_CLIENT_S_DN_OU_01 SSL_CLIENT_S_DN_OU_
    SSL_CLIENT_S_DN_OU_1_RAW SSL_CLIENT_S_DN_SP SSL_CLIENT_I_DN_SP SSL_CLIENT_S_DN_ST
    SSL_CLIENT_S_DN_Email SSL_CLIENT_S_DN_emailAddress SSL_CLIENT_S_DN_DC
    SSL_CLIENT_S_DN_UID SSL_CLIENT_S_DN_SerialNumber SSL_CLIENT_S_DN_o
    ssl_client_S_DN_O ssl_client_s_dn_O SSL_CLIENT_s_DN_O
    SSL_CLIENT_SAN_DNS_0 SSL_CLIENT_SAN_dns_1 SSL_CLIENT_SAN_Email_0
    SSL_CLIENT_SAN_Email_0001 SSL_CLIENT_SAN_Email_00001 SSL_CLIENT_SAN_Email_
    SSL_CLIENT_SAN_OTHER_msUPN_0 SSL_CLIENT_SAN_OTHER_msUPN_1 SSL_CLIENT_SAN_other_msUPN_0
    SSL_CLIENT_SAN_OTHER_msupn_0 SSL_CLIENT_SAN_OTHER_dnsSRV_0
    SSL_CLIENT_CERT SSL_CLIENT_CERT_CHAIN_0 SSL_CLIENT_CERT_CHAIN_1 SSL_CLIENT_CERT_CHAIN_7
    SSL_CLIENT_B64CERT SSL_CLIENT_VERIFY_ERRSTR SSL_CLIENT_NO_SUCH_THING
    SSL_CLIENT_SAN_URI_0 SSL_CLIENT_CERT_SHA256
);
my @ex_names = qw(
    SSL_CLIENT_VERIFY SSL_CLIENT_S_DN SSL_CLIENT_I_DN SSL_CLIENT_M_SERIAL
    SSL_CLIENT_V_REMAIN SSL_CLIENT_S_DN_CN SSL_CLIENT_S_DN_CN_RAW SSL_CLIENT_S_DN_OU_1
    SSL_CLIENT_I_DN_CN SSL_CLIENT_SAN_DNS_1 SSL_CLIENT_SAN_Email_0
    SSL_CLIENT_SAN_OTHER_msUPN_0 SSL_CLIENT_SAN_OTHER_dnsSRV_0
    SSL_CLIENT_CERT_RFC4523_CEA SSL_CLIENT_A_KEY ssl_client_S_DN_O
);
my %lk_extra = (SSL_CLIENT_SAN_URI_0 => 1, SSL_CLIENT_CERT_SHA256 => 1);
my $lookup_conf = '';
if ($lookups) {
    $lookup_conf = "    <Location /lookup>\n        RewriteEngine on\n";
    $lookup_conf .= "        RewriteRule ^ - [E=LK_$_:%{SSL:$lk_names[$_]}]\n" for 0 .. $#lk_names;
    $lookup_conf .= "        RequestHeader set X-Ex-$_ \"expr=%{$ex_names[$_]}\"\n" for 0 .. $#ex_names;
    $lookup_conf .= "    </Location>\n";
}

my $so_line = $modssl_only ? '' : qq{LoadModule alb_mtls_module "$so"};
my $mod_b = $modssl_only ? "    # side (b) disabled (ALB_MTLS_COMPARE_MODSSL_ONLY)\n" : <<"B";
    AlbMtlsVerifyClient require
    AlbMtlsCAFile "$certs/roots.pem"
    AlbMtlsVerifyDepth 5
    AlbMtlsOptions +StdEnvVars +ExportCertData
    <Location /legacy>
        AlbMtlsOptions +LegacyDNStringFormat
    </Location>
$lookup_conf
B
my $mod_d = $modssl_only ? "    # side (d) disabled (ALB_MTLS_COMPARE_MODSSL_ONLY)\n" : <<"D";
    AlbMtlsVerifyClient optional_no_ca
    AlbMtlsCAFile "$certs/roots.pem"
    AlbMtlsVerifyDepth 5
    AlbMtlsOptions +StdEnvVars +ExportCertData
D
my $cgi_mod = $mpm eq 'event' ? qq{ScriptSock "$run/cgid.sock"} : '';
my $mpm_conf = $mpm eq 'event'
    ? "StartServers 1\nServerLimit 2\nThreadsPerChild 8\nMinSpareThreads 1\nMaxSpareThreads 16\nMaxRequestWorkers 16"
    : "StartServers 2\nMinSpareServers 1\nMaxSpareServers 4\nMaxRequestWorkers 8";

spew("$run/httpd.conf", <<"CONF");
# generated by t/60_modssl_compare.t
ServerRoot "$run"
DefaultRuntimeDir "$run"
PidFile "$run/httpd.pid"
ServerName localhost
Listen 127.0.0.1:$port_a
Listen 127.0.0.1:$port_b
Listen 127.0.0.1:$port_c
Listen 127.0.0.1:$port_d
Listen 127.0.0.1:$port_e

@{[ join "\n", @load ]}
$cgi_mod
$so_line

$mpm_conf
Timeout 30
KeepAlive Off
ErrorLog "$run/logs/error_log"
LogLevel info
LogFormat "%h %l %u %t \\"%r\\" %>s %b" common
CustomLog "$run/logs/access_log" common
TypesConfig "$run/mime.types"
LimitRequestFieldSize 65536
DocumentRoot "$run/htdocs"
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "$run/htdocs">
    Require all granted
</Directory>
<Directory "$run/cgi">
    Require all granted
</Directory>
ScriptAlias /legacy/env "$run/cgi/env.cgi"
ScriptAlias /lookup/env "$run/cgi/env.cgi"
ScriptAlias /env "$run/cgi/env.cgi"
SSLSessionCache "shmcb:$run/ssl_scache(512000)"

# (a) real mod_ssl
<VirtualHost 127.0.0.1:$port_a>
    SSLEngine on
    SSLCertificateFile "$certs/server.pem"
    SSLCertificateKeyFile "$certs/server.key"
    SSLCACertificateFile "$certs/roots.pem"
    SSLVerifyClient require
    SSLVerifyDepth 5
    SSLOptions +StdEnvVars +ExportCertData
    <Location /legacy>
        SSLOptions +LegacyDNStringFormat
    </Location>
$lookup_conf</VirtualHost>

# (b) mod_alb_mtls, plain HTTP
<VirtualHost 127.0.0.1:$port_b>
$mod_b</VirtualHost>

# (c) mod_ssl, optional_no_ca
<VirtualHost 127.0.0.1:$port_c>
    SSLEngine on
    SSLCertificateFile "$certs/server.pem"
    SSLCertificateKeyFile "$certs/server.key"
    SSLCACertificateFile "$certs/roots.pem"
    SSLVerifyClient optional_no_ca
    SSLVerifyDepth 5
    SSLOptions +StdEnvVars +ExportCertData
</VirtualHost>

# (d) mod_alb_mtls, optional_no_ca
<VirtualHost 127.0.0.1:$port_d>
$mod_d</VirtualHost>

# (e) mod_alb_mtls behind TLS without client certificates (ALB -> HTTPS)
<VirtualHost 127.0.0.1:$port_e>
    SSLEngine on
    SSLCertificateFile "$certs/server.pem"
    SSLCertificateKeyFile "$certs/server.key"
    SSLVerifyClient none
    SSLOptions +StdEnvVars +ExportCertData
$mod_b</VirtualHost>
CONF

sub start_httpd {
    my $pid = fork();
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        # Own process group: on shutdown prefork signals its whole group.
        POSIX::setsid();
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', "$run/logs/startup.log";
        open STDERR, '>&', \*STDOUT;
        exec $httpd, '-d', $run, '-f', "$run/httpd.conf", '-DFOREGROUND'
            or die "exec $httpd: $!";
    }
    $httpd_pid = $pid;
    for (1 .. 150) {
        if (waitpid($pid, WNOHANG) == $pid) {
            undef $httpd_pid;
            return 0;
        }
        return 1 if !grep { !port_open($_) } $port_a, $port_b, $port_c, $port_d, $port_e;
        select(undef, undef, undef, 0.1);
    }
    return 0;
}

if (!start_httpd()) {
    fail("httpd started ($httpd, $mpm, ports $port_a/$port_b/$port_c/$port_d/$port_e)");
    diag("startup.log:\n" . slurp("$run/logs/startup.log"));
    diag("error_log:\n" . slurp("$run/logs/error_log"));
    done_testing();
    exit 1;
}
pass("httpd started ($httpd, $mpm, ports $port_a/$port_b/$port_c/$port_d/$port_e)");

# ------------------------------------------------------------------ requests
sub curl {
    my ($tag, @args) = @_;
    my $out = "$run/bodies/$tag.txt";
    unlink $out;
    my ($rc, $status) = run_cmd("$run/curl.err", 'curl', '-sS', '--noproxy', '*',
                                '--max-time', '30', '-o', $out,
                                '-w', '%{http_code}', @args);
    return ($rc, $status, slurp($out));
}

# mod_ssl's values, checked independently so that a wrong test PKI or a
# wrong reading of the CGI output cannot make both sides agree on nonsense.
my %want = (
    rsa4096 => {
        SSL_CLIENT_VERIFY    => 'SUCCESS',
        SSL_CLIENT_M_VERSION => '1',
        SSL_CLIENT_A_KEY     => 'rsaEncryption',
        SSL_CLIENT_A_SIG     => 'sha256WithRSAEncryption',
        SSL_CLIENT_S_DN      => 'CN=rsa4096 no extensions,O=Plain Old RSA,L=Berlin,ST=Berlin,C=DE',
        SSL_CLIENT_I_DN_CN   => 'Compare RSA Root',
        SSL_CLIENT_V_REMAIN  => '29',
    },
    ec_utf8 => {
        SSL_CLIENT_M_VERSION   => '3',
        SSL_CLIENT_A_KEY       => 'id-ecPublicKey',
        SSL_CLIENT_A_SIG       => 'ecdsa-with-SHA384',
        SSL_CLIENT_S_DN_CN     => 'Jöhn Dœ',
        SSL_CLIENT_S_DN_OU     => 'Engineering',
        SSL_CLIENT_S_DN_OU_1   => 'Platform Security',
        SSL_CLIENT_S_DN_Email  => 'john.doe@example.com',
        SSL_CLIENT_SAN_DNS_0   => 'a.example.com',
        SSL_CLIENT_SAN_DNS_1   => 'b.example.com',
        SSL_CLIENT_SAN_Email_0 => 'john.doe@example.org',
        SSL_CLIENT_V_REMAIN    => '9',
    },
    ec_root => {
        SSL_CLIENT_S_DN_CN => 'Jöhn Dœ',
    },
    escape => {
        # mod_ssl doubles the backslash in per-attribute values
        SSL_CLIENT_S_DN    => 'CN=Jöhn \"JD\" Dœ\+\<x\>\;y\\\\z=w,OU=\ Lead and trail\ ,OU=Ops\09Tab,O=Acme\, Inc.,L=\#Hash Town,ST=California,C=US',
        SSL_CLIENT_S_DN_CN => 'Jöhn "JD" Dœ+<x>;y\\\\z=w',
        SSL_CLIENT_S_DN_OU => 'Ops\09Tab',
        SSL_CLIENT_S_DN_OU_1 => ' Lead and trail ',
        SSL_CLIENT_S_DN_L  => '#Hash Town',
    },
    sink => {
        SSL_CLIENT_M_SERIAL => 'F1E2D3C4B5A69788',
        SSL_CLIENT_A_KEY    => 'ED25519',
        SSL_CLIENT_A_SIG    => 'sha512WithRSAEncryption',
        SSL_CLIENT_S_DN_UID => 'mv1',
        SSL_CLIENT_S_DN_CN  => 'multi',
        SSL_CLIENT_S_DN_SerialNumber => 'SN-12345',
        SSL_CLIENT_SAN_OTHER_msUPN_0 => 'jöhn.upn@corp.example',
        SSL_CLIENT_SAN_OTHER_msUPN_1 => 'second.upn@corp.example',
        SSL_CLIENT_SAN_Email_1 => 'second@example.net',
        SSL_CLIENT_I_DN_CN  => 'Ünï Zwischen-CA',
        SSL_CLIENT_V_END    => qr/^\w{3} [ \d]\d \d\d:\d\d:\d\d 205\d GMT\z/,
        SSL_CLIENT_CERT_RFC4523_CEA => '{ serialNumber 17429726349691885448, issuer rdnSequence:"CN=\C3\9Cn\C3\AF Zwischen-CA,O=Compare Test,C=DE" }',
    },
    bmp => {
        SSL_CLIENT_S_DN_O     => 'Bmp Örg Œuvre',
        SSL_CLIENT_S_DN_Email => 'bmp@example.nl',
        SSL_CLIENT_V_REMAIN   => '0',
    },
    t61 => {
        SSL_CLIENT_S_DN    => 'CN=Jürgen Größe,O=Müller GmbH,C=DE',
        SSL_CLIENT_S_DN_CN => 'Jürgen Größe',
    },
    empty => {
        SSL_CLIENT_M_SERIAL    => '-05',
        SSL_CLIENT_S_DN        => undef,     # empty: not exported
        SSL_CLIENT_SAN_Email_0 => 'nobody@example.com',
    },
    pss => {
        SSL_CLIENT_A_KEY => 'rsassaPss',
        SSL_CLIENT_A_SIG => 'rsassaPss',
    },
    selfsigned => {
        SSL_CLIENT_M_SERIAL => '00',
        SSL_CLIENT_S_DN     => 'CN=self-signed leaf,O=Self',
        SSL_CLIENT_I_DN     => 'CN=self-signed leaf,O=Self',
    },
);
# The values above are raw bytes; the CGI output is unescaped before comparing.

my %diffs;     # "case path var" => [modssl, module]

# Every SSL_CLIENT_* of mod_ssl ($A) byte-identical in the module's ($B);
# nothing more in $B but SSL_CLIENT_SAN_URI_n and SSL_CLIENT_CERT_SHA256,
# which must match openssl's view of the leaf.
sub compare_env {
    my ($t, $dkey, $A, $B, $sha, $uris) = @_;
    for my $k (sort grep { /^SSL_CLIENT_/ } keys %$A) {
        my $ok = is($B->{$k}, modssl_value($k, $A->{$k}), "$t: $k identical");
        $diffs{"$dkey $k"} = [$A->{$k}, $B->{$k}] unless $ok;
    }
    my (@buri, $bsha);
    for my $k (sort grep { /^SSL_CLIENT_/ && !exists $A->{$_} } keys %$B) {
        if ($k =~ /^SSL_CLIENT_SAN_URI_(\d+)$/) { $buri[$1] = $B->{$k}; next }
        if ($k eq 'SSL_CLIENT_CERT_SHA256')     { $bsha = $B->{$k}; next }
        if (newer_name($k)) {
            ok(length $B->{$k}, "$t: $k set by the module (not by this older mod_ssl)");
            next;
        }
        fail("$t: $k is set by the module but not by mod_ssl");
        diag("  module: " . shown($B->{$k}));
        $diffs{"$dkey $k"} = [undef, $B->{$k}];
    }
    is($bsha, $sha, "$t: SSL_CLIENT_CERT_SHA256 = sha256 of the leaf's DER");
    is_deeply(\@buri, $uris, "$t: SSL_CLIENT_SAN_URI_n = the leaf's URI SANs")
        or diag("  module: @{[ map { $_ // 'undef' } @buri ]}\n  openssl: @$uris");
}

# Runs: every case on the `require` pair (a)/(b); the generous cases on the
# optional_no_ca pair (c)/(d), mod_ssl over TLS 1.2 (where it reports
# GENEROUS; over TLS 1.3 it reports FAILED, see mod_ssl.md 1.5).
my @runs = ((map { [$_, 'require', $port_a, $port_b, 'SUCCESS', []] } @cases),
            (map { [$_, 'no_ca', $port_c, $port_d, 'GENEROUS', ['--tls-max', '1.2']] }
                 @generous));

for my $runspec (@runs) {
    my ($case, $mode, $pa, $pb, $verify, $tlsopts) = @$runspec;
    my @blocks = pem_blocks("$certs/$case.chain.pem");
    my $hdr = alb_encode(@blocks);
    my $der = openssl_out('x509', '-in', "$certs/$case.pem", '-outform', 'DER');
    my $sha = sha256_hex($der);
    my @uris = openssl_out('x509', '-in', "$certs/$case.pem", '-noout', '-ext',
                           'subjectAltName') =~ /URI:([^,\s]+)/g;

    my @paths = $mode eq 'require' ? ('/env', '/legacy/env', ($lookups ? '/lookup/env' : ()))
                                   : ('/env');
    for my $path (@paths) {
        my $t = "$case $path" . ($mode eq 'require' ? '' : " ($mode)");

        (my $tag = "$case$path.$mode") =~ s{/}{_}g;
        my ($rc, $st, $body) = curl("$tag.modssl", @$tlsopts, '--cacert', "$certs/server-root.pem",
                                    '--cert', "$certs/$case.chain.pem",
                                    '--key', "$certs/$case.key",
                                    "https://127.0.0.1:$pa$path");
        is("$rc $st", '0 200', "$t: mod_ssl request succeeded")
            or diag(slurp("$run/curl.err"));
        my $A = parse_env($body);
        my @avars = sort grep { /^SSL_CLIENT_/ } keys %$A;

        # sanity of side (a)
        is($A->{SSL_CLIENT_VERIFY}, $verify, "$t: mod_ssl says $verify");
        cmp_ok(scalar(@avars), '>=', 12, "$t: mod_ssl exported the client variables");
        is($A->{SSL_CLIENT_CERT_CHAIN_0} ? 1 : 0, @blocks > 1 ? 1 : 0,
           "$t: mod_ssl CHAIN_0 present iff the client sent intermediates");
        my $nchain = grep { /^SSL_CLIENT_CERT_CHAIN_\d+$/ } @avars;
        is($nchain, @blocks - 1, "$t: mod_ssl CHAIN_n count = certificates sent after the leaf");
        is(unesc($A->{SSL_CLIENT_CERT} // ''), "$blocks[0]\n",
           "$t: mod_ssl SSL_CLIENT_CERT = the leaf's PEM, with trailing newline");
        for my $i (1 .. $#blocks) {
            is(unesc($A->{'SSL_CLIENT_CERT_CHAIN_' . ($i - 1)} // ''), "$blocks[$i]\n",
               "$t: mod_ssl SSL_CLIENT_CERT_CHAIN_" . ($i - 1) . " = certificate $i sent");
        }
        if ($path eq '/legacy/env') {
            like($A->{SSL_CLIENT_I_DN} // '', qr{^/}, "$t: mod_ssl legacy DN format");
        }
        elsif ($path eq '/lookup/env') {
            # the lookups on the TLS side reach mod_ssl, and agree with its export
            my %lk = map { ($lk_names[$_] => $A->{"LK_$_"}) } 0 .. $#lk_names;
            is($lk{SSL_CLIENT_VERIFY}, 'SUCCESS', "$t: mod_ssl lookup SSL_CLIENT_VERIFY");
            is($A->{HTTP_X_EX_0}, 'SUCCESS', "$t: mod_ssl expr SSL_CLIENT_VERIFY");
            for my $k (qw(SSL_CLIENT_S_DN SSL_CLIENT_S_DN_CN SSL_CLIENT_M_SERIAL SSL_CLIENT_CERT
                          SSL_CLIENT_SAN_OTHER_msUPN_0)) {
                is($lk{$k}, $A->{$k} // '', "$t: mod_ssl lookup $k = its export");
            }
            is($lk{SSL_CLIENT_NO_SUCH_THING}, '', "$t: mod_ssl lookup of an unknown name is empty");
            is($lk{SSL_CLIENT_S_DN_o}, '', "$t: mod_ssl lookup: attribute name is case-sensitive");
        }
        elsif ($mode eq 'require') {
            my $w = $want{$case} || {};
            for my $k (sort keys %$w) {
                my $v = defined $A->{$k} ? unesc($A->{$k}) : undef;
                if ($k =~ /_DN_SerialNumber$/ && !defined $v && !ref $w->{$k}) {
                    $old_serial = 1;
                    diag("$t: this mod_ssl has no $k (older mod_ssl): only the module's is checked");
                    next;
                }
                if ($k eq 'SSL_CLIENT_V_REMAIN' && !defined $remain_plus && defined $v
                    && !ref $w->{$k} && $v =~ /^\d+$/) {
                    $remain_plus = $v == $w->{$k} + 1 ? 1 : 0;
                    diag("$t: this mod_ssl counts SSL_CLIENT_V_REMAIN one day high (older mod_ssl)")
                        if $remain_plus;
                }
                $v = modssl_value($k, $v);
                if (ref $w->{$k}) { like($v, $w->{$k}, "$t: mod_ssl $k") }
                else              { is($v, $w->{$k}, "$t: mod_ssl $k") }
            }
        }

        next if $modssl_only;

        ($rc, $st, $body) = curl("$tag.module", '-H', "X-Amzn-Mtls-Clientcert: $hdr",
                                 "http://127.0.0.1:$pb$path");
        is("$rc $st", '0 200', "$t: mod_alb_mtls request succeeded")
            or diag(slurp("$run/curl.err"), slurp("$run/logs/error_log") =~ /([^\n]*\n){0,5}\z/);
        my $B = parse_env($body);

        if ($path eq '/lookup/env') {
            my %seen;
            my @keys = sort grep { /^(?:LK_|HTTP_X_EX_)\d+$/ && !$seen{$_}++ } keys %$A, keys %$B;
            cmp_ok(scalar(@keys), '>=', @lk_names + 1, "$t: lookup variables present");
            # One failure, not fifty, when a lookup path is not answered at all.
            my $lk_ok = is($B->{LK_0}, 'SUCCESS',
                           "$t: module answers ap_ssl_var_lookup (mod_rewrite %{SSL:SSL_CLIENT_VERIFY})");
            my $ex_ok = is($B->{HTTP_X_EX_0}, 'SUCCESS',
                           "$t: module answers ap_expr %{SSL_CLIENT_VERIFY} (mod_headers expr=)");
            $diffs{"$case $path lookup SSL_CLIENT_VERIFY (all lookups unanswered)"} =
                [$A->{LK_0}, $B->{LK_0}] unless $lk_ok;
            $diffs{"$case $path expr %{SSL_CLIENT_VERIFY} (all expr lookups unanswered)"} =
                [$A->{HTTP_X_EX_0}, $B->{HTTP_X_EX_0}] unless $ex_ok;
            for my $k (@keys) {
                next if $k =~ /^LK_/ && !$lk_ok;
                next if $k =~ /^HTTP_X_EX_/ && !$ex_ok;
                my $name = $k =~ /^HTTP_X_EX_(\d+)$/ ? "expr %{$ex_names[$1]}"
                         : $k =~ /^LK_(\d+)$/          ? "lookup $lk_names[$1]" : $k;
                if ($k =~ /^LK_(\d+)$/ && $lk_extra{$lk_names[$1]}) {
                    my $want = $lk_names[$1] eq 'SSL_CLIENT_CERT_SHA256' ? $sha : ($uris[0] // '');
                    is($A->{$k}, '', "$t: mod_ssl does not know $lk_names[$1]");
                    is($B->{$k}, $want, "$t: module $name");
                    next;
                }
                if (newer_name($name)) {
                    my ($var) = $name =~ /(SSL_CLIENT_\w+)/;
                    is($B->{$k}, $B->{$var} // '', "$t: module's $name = its export (this older mod_ssl has neither)");
                    next;
                }
                my $ok = is($B->{$k}, modssl_value($name, $A->{$k}), "$t: $name identical");
                $diffs{"$case $path $name"} = [$A->{$k}, $B->{$k}] unless $ok;
            }
            next;
        }

        compare_env($t, "$case $path", $A, $B, $sha, \@uris);

        # The ALB -> Apache hop over HTTPS: mod_ssl is active on the
        # connection without a client certificate and exports
        # SSL_CLIENT_VERIFY=NONE and SSL_CLIENT_CERT=""; the module's values
        # must win (its export runs after mod_ssl's).
        if ($mode eq 'require' && $path eq '/env') {
            ($rc, $st, $body) = curl("$tag.hop", '--cacert', "$certs/server-root.pem",
                                     '-H', "X-Amzn-Mtls-Clientcert: $hdr",
                                     "https://127.0.0.1:$port_e$path");
            is("$rc $st", '0 200', "$t (HTTPS hop): mod_alb_mtls request succeeded")
                or diag(slurp("$run/curl.err"));
            my $E = parse_env($body);
            is($E->{HTTPS}, 'on', "$t (HTTPS hop): the request came over TLS");
            compare_env("$t (HTTPS hop)", "$case $path (HTTPS hop)", $A, $E, $sha, \@uris);
        }
    }
}

# Negative control: same listener, no header -> 403 under require.
unless ($modssl_only) {
    my ($rc, $st) = curl("noheader.module", "http://127.0.0.1:$port_b/env");
    is("$rc $st", '0 403', 'module side: no header under require gives 403');
}

if (%diffs) {
    diag('');
    diag('DIFFERENCES (case path variable: mod_ssl | module); control bytes shown as \\xHH:');
    for my $k (sort keys %diffs) {
        my ($a, $b) = @{ $diffs{$k} };
        diag("  $k:");
        diag('    mod_ssl: ' . (defined $a ? '[' . shown($a) . ']' : '(unset)'));
        diag('    module : ' . (defined $b ? '[' . shown($b) . ']' : '(unset)'));
    }
}

stop_httpd();
done_testing();
