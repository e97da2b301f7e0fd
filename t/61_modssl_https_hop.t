# t/61_modssl_https_hop.t - the ALB -> Apache hop over HTTPS: mod_ssl on
# the vhost (server certificate; client certificates optional, so a TLS
# client certificate can be mixed in) and the module on the same requests.
# Starts its own httpd (prefork, mod_php when installed) twice, with
# LoadModule alb_mtls before and after mod_ssl, and checks in both orders:
#   - a forwarded chain wins over mod_ssl's SSL_CLIENT_VERIFY=NONE and
#     SSL_CLIENT_CERT="" in the CGI and PHP environment, in mod_rewrite
#     %{SSL:..}, ap_expr and %{..}x;
#   - mod_ssl's own names (SSL_PROTOCOL, HTTPS) still come from mod_ssl;
#   - without a forwarded chain, or where the module is off, mod_ssl's
#     values (NONE, or a TLS client certificate's) stay;
#   - a forwarded chain that fails leaves no identity at all, not even
#     the TLS client certificate's.
# t/run-tests.sh runs it in the prefork pass (the *modssl* rule).
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(pki pem alb_encode parse_env free_port slurp);
use File::Copy ();
use File::Path qw(make_path remove_tree);
use IO::Socket::INET ();
use POSIX qw(WNOHANG);
use Time::HiRes ();

my $top = Apache::Test::vars('top_dir');
my $t   = Apache::Test::vars('t_dir');
my $so  = "$top/build/mod_alb_mtls.so";
chomp(my $libexec = `apxs -q LIBEXECDIR 2>/dev/null` || '/usr/lib/apache2/modules');
my $httpd = Apache::Test::vars('httpd');
my %static = map { /^\s*mod_(\w+)\.c/ ? ($1 => 1) : () } `"$httpd" -l 2>/dev/null`;
my ($php) = glob("$libexec/libphp*.so");

plan skip_all => "mod_ssl not found in $libexec" unless -f "$libexec/mod_ssl.so";
plan skip_all => 'run as an unprivileged user' if $> == 0;

my $per_order = 1 + 11 + 4 + 2 + 4 + 4 + 4 + 3 + 2 + 3;
plan tests => 2 * $per_order;

my $run = "$t/logs/hop";
remove_tree($run);
make_path("$run/htdocs", "$run/logs");
File::Copy::copy("$t/htdocs/php/server.php", "$run/htdocs/server.php") or die "copy: $!";



my $pid;
sub stop {
    return unless $pid;
    kill 'TERM', $pid;
    for (1 .. 100) {
        last if waitpid($pid, WNOHANG) == $pid;
        Time::HiRes::sleep(0.1);
    }
    kill 'KILL', $pid if kill 0, $pid;
    waitpid $pid, 0;
    undef $pid;
}
END { local $?; stop() }

sub start {
    my ($order, $port) = @_;
    my @mods;
    for my $m (qw(mpm_prefork authz_core mime alias cgi rewrite headers socache_shmcb log_config)) {
        push @mods, qq{LoadModule ${m}_module "$libexec/mod_$m.so"} unless $static{$m};
    }
    # PHP 7 (Debian 11) names its module php7_module
    push @mods, qq{LoadModule @{[ $php =~ m{/libphp7[^/]*$} ? 'php7_module' : 'php_module' ]} "$php"} if $php;
    my $ssl = qq{LoadModule ssl_module "$libexec/mod_ssl.so"};
    my $alb = qq{LoadModule alb_mtls_module "$so"};
    my $load = join "\n", @mods, ($order eq 'alb-first' ? ($alb, $ssl) : ($ssl, $alb));
    my $pki = "$t/pki/out";
    open my $fh, '>', "$run/httpd.conf" or die $!;
    print $fh <<"CONF";
ServerRoot "$run"
DefaultRuntimeDir "$run"
PidFile "$run/httpd.pid"
ServerName localhost
Listen 127.0.0.1:$port
$load
StartServers 1
MinSpareServers 1
MaxSpareServers 2
MaxRequestWorkers 4
ErrorLog "$run/logs/error_log"
LogLevel info
LimitRequestFieldSize 16384
TypesConfig /dev/null
DocumentRoot "$run/htdocs"
<Directory />
    Require all granted
</Directory>
ScriptAliasMatch "^/(?:req/|off/)?env\$" "$t/cgi-bin/env.cgi"
AliasMatch "^/(?:req/|off/)?server\\.php\$" "$run/htdocs/server.php"
<FilesMatch "\\.php\$">
    SetHandler application/x-httpd-php
</FilesMatch>
SSLSessionCache "shmcb:$run/ssl_scache(512000)"
LogFormat "%{SSL_CLIENT_S_DN_CN}x|%{SSL_CLIENT_VERIFY}x|%{SSL_PROTOCOL}x|%q" hop
<VirtualHost 127.0.0.1:$port>
    CustomLog "$run/logs/access_log" hop
    SSLEngine on
    SSLCertificateFile "$pki/serveronly.crt"
    SSLCertificateKeyFile "$pki/serveronly.key"
    SSLCACertificateFile "$pki/root.crt"
    SSLVerifyClient optional
    SSLVerifyDepth 5
    SSLOptions +StdEnvVars +ExportCertData
    AlbMtlsVerifyClient optional
    AlbMtlsCAFile "$pki/root.crt"
    AlbMtlsOptions +ExportCertData
    <Location />
        RewriteEngine on
        RewriteRule ^ - [E=LK_V:%{SSL:SSL_CLIENT_VERIFY}]
        RewriteRule ^ - [E=LK_CN:%{SSL:SSL_CLIENT_S_DN_CN}]
        RewriteRule ^ - [E=LK_PROTO:%{SSL:SSL_PROTOCOL}]
        RequestHeader set X-Ex-CN "expr=%{SSL_CLIENT_S_DN_CN}"
    </Location>
    <Location /req>
        AlbMtlsVerifyClient require
    </Location>
    <Location /off>
        AlbMtlsVerifyClient none
    </Location>
</VirtualHost>
CONF
    close $fh;
    unlink "$run/logs/error_log", "$run/logs/access_log";
    $pid = fork // die "fork: $!";
    if (!$pid) {
        POSIX::setsid();
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', "$run/logs/startup.log";
        open STDERR, '>&', \*STDOUT;
        exec $httpd, '-d', $run, '-f', "$run/httpd.conf", '-DFOREGROUND' or POSIX::_exit(127);
    }
    for (1 .. 150) {
        if (waitpid($pid, WNOHANG) == $pid) { undef $pid; return 0 }
        return 1 if IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 1);
        Time::HiRes::sleep(0.1);
    }
    return 0;
}

# curl over TLS: (status, env hashref)
sub get {
    my ($port, $path, %o) = @_;
    my @cmd = ('curl', '-sS', '-k', '--noproxy', '*', '--max-time', '20', '-w', '\n%{http_code}');
    push @cmd, '--cert', pki("$o{cert}-chain.pem"), '--key', pki("$o{cert}.key") if $o{cert};
    push @cmd, '-H', 'X-Amzn-Mtls-Clientcert: ' . alb_encode(pem("$o{fwd}-chain.pem")) if $o{fwd};
    push @cmd, "https://127.0.0.1:$port$path";
    open my $fh, '-|', @cmd or die "curl: $!";
    local $/;
    my $out = <$fh> // '';
    close $fh;
    my ($body, $code) = $out =~ /\A(.*)\n(\d+)\z/s or return (0, {});
    return ($code, parse_env($body));
}

for my $order (qw(alb-first ssl-first)) {
    my $port = free_port();
    ok(start($order, $port), "$order: httpd with mod_ssl started")
        or diag(slurp("$run/logs/startup.log") . slurp("$run/logs/error_log"));
    my $T = "$order:";

    # A. forwarded client1 over TLS, no TLS client certificate
    my ($code, $e) = get($port, '/env?a', fwd => 'client');
    is($code, 200, "$T forwarded client1: 200");
    is($e->{HTTPS}, 'on', "$T the request came over TLS");
    like($e->{SSL_PROTOCOL} // '', qr/^TLSv1\.[23]$/, "$T mod_ssl's own SSL_PROTOCOL exported");
    is($e->{SSL_CLIENT_VERIFY}, 'SUCCESS', "$T SSL_CLIENT_VERIFY is the module's, not mod_ssl's NONE");
    is($e->{SSL_CLIENT_S_DN_CN}, 'client1', "$T SSL_CLIENT_S_DN_CN");
    is($e->{SSL_CLIENT_CERT}, pem('client.crt'), "$T SSL_CLIENT_CERT is the forwarded leaf, not mod_ssl's empty one");
    is($e->{SSL_CLIENT_CERT_CHAIN_0}, pem('intermediate.crt'), "$T SSL_CLIENT_CERT_CHAIN_0");
    is($e->{LK_V}, 'SUCCESS', "$T mod_rewrite %{SSL:SSL_CLIENT_VERIFY}");
    is($e->{LK_CN}, 'client1', "$T mod_rewrite %{SSL:SSL_CLIENT_S_DN_CN}");
    like($e->{LK_PROTO} // '', qr/^TLSv1\.[23]$/, "$T mod_rewrite %{SSL:SSL_PROTOCOL} still answered by mod_ssl");
    is($e->{HTTP_X_EX_CN}, 'client1', "$T ap_expr %{SSL_CLIENT_S_DN_CN}");

    # B. PHP
    SKIP: {
        skip("$T mod_php not installed", 4) unless $php;
        my ($pc, $pe) = get($port, '/server.php', fwd => 'client');
        is($pe->{PHP_SAPI}, 'apache2handler', "$T PHP page run by mod_php");
        is($pe->{SSL_CLIENT_VERIFY}, 'SUCCESS', "$T PHP: SSL_CLIENT_VERIFY");
        is($pe->{SSL_CLIENT_S_DN_CN}, 'client1', "$T PHP: SSL_CLIENT_S_DN_CN");
        is($pe->{SSL_CLIENT_CERT}, pem('client.crt'), "$T PHP: SSL_CLIENT_CERT");
    }

    # C. require: the module decides, a TLS client certificate does not count
    ($code) = get($port, '/req/env', fwd => 'expired');
    is($code, 403, "$T require, forwarded expired chain: 403");
    ($code) = get($port, '/req/env', cert => 'client2');
    is($code, 403, "$T require, TLS client certificate only: 403");

    # D. TLS client certificate, nothing forwarded: mod_ssl's values stay
    ($code, $e) = get($port, '/env?d', cert => 'client2');
    is($e->{SSL_CLIENT_VERIFY}, 'SUCCESS', "$T TLS client2 only: mod_ssl's SSL_CLIENT_VERIFY stays");
    is($e->{SSL_CLIENT_S_DN_CN}, 'client2', "$T TLS client2 only: mod_ssl's SSL_CLIENT_S_DN_CN");
    is($e->{LK_CN}, 'client2', "$T TLS client2 only: lookups reach mod_ssl");
    is($e->{HTTP_X_EX_CN}, 'client2', "$T TLS client2 only: ap_expr reaches mod_ssl");

    # E. TLS client certificate and a forwarded chain: the forwarded one wins
    ($code, $e) = get($port, '/env', cert => 'client2', fwd => 'client');
    is($e->{SSL_CLIENT_S_DN_CN}, 'client1', "$T TLS client2 + forwarded client1: CN client1");
    is($e->{SSL_CLIENT_CERT}, pem('client.crt'), "$T TLS client2 + forwarded client1: SSL_CLIENT_CERT");
    is($e->{LK_CN}, 'client1', "$T TLS client2 + forwarded client1: lookup");
    is($e->{HTTP_X_EX_CN}, 'client1', "$T TLS client2 + forwarded client1: ap_expr");

    # F. a failed forwarded chain leaves no identity, not even mod_ssl's
    ($code, $e) = get($port, '/env', cert => 'client2', fwd => 'expired');
    is($e->{SSL_CLIENT_VERIFY}, 'FAILED:certificate has expired', "$T forwarded expired: FAILED");
    is_deeply([ sort grep { /^SSL_CLIENT_(?:S_DN|I_DN|SAN|M_)/ } keys %$e ], [],
              "$T forwarded expired: no identity variable at all");
    is($e->{LK_CN}, '', "$T forwarded expired: lookup of the CN empty");
    is($e->{SSL_CLIENT_CERT} // '', '', "$T forwarded expired: no SSL_CLIENT_CERT");

    # G. module off here: mod_ssl alone
    ($code, $e) = get($port, '/off/env', fwd => 'client');
    is($e->{SSL_CLIENT_VERIFY}, 'NONE', "$T module off: mod_ssl's NONE");
    ok(!exists $e->{SSL_CLIENT_S_DN_CN}, "$T module off: no CN");
    is($e->{LK_V}, 'NONE', "$T module off: lookup answered by mod_ssl");

    # H. nothing at all
    ($code, $e) = get($port, '/env?h');
    is($e->{SSL_CLIENT_VERIFY}, 'NONE', "$T no certificate: NONE");
    is($e->{LK_V}, 'NONE', "$T no certificate: lookup NONE");

    # %{..}x: the module's handler, mod_ssl's names through it
    stop();
    my %line = map { /\|\?(a|d|h)$/ ? ($1 => $_) : () } split /\n/, slurp("$run/logs/access_log");
    like($line{a} // '', qr/^client1\|SUCCESS\|TLSv1\.[23]\|/, "$T %{..}x: forwarded client1, mod_ssl's protocol");
    like($line{d} // '', qr/^client2\|SUCCESS\|TLSv1\.[23]\|/, "$T %{..}x: TLS client2 through mod_ssl");
    like($line{h} // '', qr/^-\|NONE\|TLSv1\.[23]\|/, "$T %{..}x: no certificate");
}
