# t/63_proxies.t - real proxies in front, real TLS client authentication:
# Debian's nginx and HAProxy, and Apache httpd itself (mod_ssl + mod_proxy),
# terminate TLS on loopback, ask for any client certificate without
# verifying it (as an ALB in passthrough mode does), and forward it to the
# module's httpd in the header their configuration produces:
#   nginx    $ssl_client_escaped_cert       -> alb, AlbMtlsHeader X-Nginx-Cert
#   HAProxy  :%[ssl_c_der,base64]:          -> rfc9440 (Client-Cert)
#   HAProxy  %[ssl_c_der,base64]            -> base64-der, X-Haproxy-Der
#   Apache   %{SSL_CLIENT_CERT}s (mod_headers) -> alb, X-SSL-Client-Cert
# curl presents client1's certificate and key to each.  For each front the
# SSL_CLIENT_* variables the CGI sees equal those mod_ssl itself gives for
# the same certificate over a direct TLS connection (a mod_ssl vhost of the
# same httpd; the proxies forward the leaf alone, so the _CHAIN_n variables
# are left out), a certificate from a foreign CA is FAILED (403 under
# require), no certificate is NONE, and a client that bypasses the proxy
# (127.0.0.2) and sends the header itself is stripped, and one that sends it
# through the proxy without a TLS certificate is NONE (the proxy's
# configuration removes or overwrites it).
# Every server runs as the test user with its own config, pid and logs under
# t/logs/proxies, on free ports.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(pki pem parse_env free_port port_open slurp spew test_mpm);
use File::Path qw(make_path remove_tree);
use POSIX qw(WNOHANG);
use Time::HiRes ();

my $top = Apache::Test::vars('top_dir');
my $t   = Apache::Test::vars('t_dir');
my $so  = "$top/build/mod_alb_mtls.so";
chomp(my $libexec = `apxs -q LIBEXECDIR 2>/dev/null` || '/usr/lib/apache2/modules');
my $httpd = Apache::Test::vars('httpd');
my %static = map { /^\s*mod_(\w+)\.c/ ? ($1 => 1) : () } `"$httpd" -l 2>/dev/null`;
my ($nginx) = grep { -x } qw(/usr/sbin/nginx /usr/bin/nginx);
my ($haproxy) = grep { -x } qw(/usr/sbin/haproxy /usr/bin/haproxy);

plan skip_all => 'run as an unprivileged user' if $> == 0;
plan skip_all => "mod_ssl not found in $libexec" unless -f "$libexec/mod_ssl.so";
plan skip_all => 'nginx not installed (tools/install-deps.sh test)' unless $nginx;
plan skip_all => 'haproxy not installed (tools/install-deps.sh test)' unless $haproxy;

my @fronts = qw(nginx hap-rfc hap-b64 apache);
plan tests => 5 + 10 * @fronts;

my $run = "$t/logs/proxies";
remove_tree($run);
make_path("$run/logs", map { "$run/ngx/$_" } qw(body proxy fastcgi uwsgi scgi));
my $pki = "$t/pki/out";
my $mpm = test_mpm();
my %port = map { $_ => free_port() } qw(backend modssl apache nginx hap-rfc hap-b64);

my %pids;
sub spawn {
    my ($name, @cmd) = @_;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        POSIX::setsid();
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', "$run/logs/$name.out";
        open STDERR, '>&', \*STDOUT;
        exec @cmd or POSIX::_exit(127);
    }
    $pids{$name} = $pid;
}
sub wait_port {
    my ($name, $port) = @_;
    for (1 .. 150) {
        return 1 if port_open($port);
        if (waitpid($pids{$name}, WNOHANG) == $pids{$name}) { delete $pids{$name}; return 0 }
        Time::HiRes::sleep(0.1);
    }
    return 0;
}
sub stop_all {
    for my $name (keys %pids) {
        my $pid = $pids{$name};
        kill 'TERM', -$pid;
        kill 'TERM', $pid;
        for (1 .. 100) {
            last if waitpid($pid, WNOHANG) == $pid;
            Time::HiRes::sleep(0.1);
        }
        if (kill 0, $pid) { kill 'KILL', -$pid; kill 'KILL', $pid; waitpid $pid, 0 }
        delete $pids{$name};
    }
}
END { local $?; stop_all() }

# --- httpd: the module's backend, the mod_ssl reference, the Apache front
{
    my @mods;
    my $cgi = $mpm eq 'prefork' ? 'cgi' : 'cgid';
    for my $m ("mpm_$mpm", qw(authz_core alias headers ssl proxy proxy_http socache_shmcb log_config), $cgi) {
        push @mods, qq{LoadModule ${m}_module "$libexec/mod_$m.so"} unless $static{$m};
    }
    my $sock = $cgi eq 'cgid' ? qq{ScriptSock "$run/cgid.sock"} : '';
    spew("$run/httpd.conf", <<"CONF");
ServerRoot "$run"
DefaultRuntimeDir "$run"
PidFile "$run/httpd.pid"
ServerName localhost
Mutex file:$run default
@{[ join "\n", @mods ]}
LoadModule alb_mtls_module "$so"
$sock
Listen 127.0.0.1:$port{backend}
Listen 127.0.0.1:$port{modssl}
Listen 127.0.0.1:$port{apache}
ErrorLog "$run/logs/error_log"
LogLevel info
LimitRequestFieldSize 16384
StartServers 1
<Directory />
    Require all granted
</Directory>
ScriptAliasMatch "^/(.+/)?env\$" "$t/cgi-bin/env.cgi"
SSLSessionCache "shmcb:$run/ssl_scache(512000)"

# the module's httpd, behind the proxies
<VirtualHost 127.0.0.1:$port{backend}>
    AlbMtlsTrustedProxy 127.0.0.1
    AlbMtlsCAFile "$pki/root.crt"
    AlbMtlsCAFile "$pki/intermediate.crt"
    AlbMtlsVerifyClient optional
    AlbMtlsOptions +ExportCertData
    <Location /nginx>
        AlbMtlsHeader X-Nginx-Cert
    </Location>
    <Location /hap-rfc>
        AlbMtlsHeaderFormat rfc9440
    </Location>
    <Location /hap-b64>
        AlbMtlsHeaderFormat base64-der
        AlbMtlsHeader X-Haproxy-Der
    </Location>
    <Location /apache>
        AlbMtlsHeader X-SSL-Client-Cert
    </Location>
    <LocationMatch "^/[a-z0-9-]+/req/">
        AlbMtlsVerifyClient require
    </LocationMatch>
</VirtualHost>

# mod_ssl itself: the reference values
<VirtualHost 127.0.0.1:$port{modssl}>
    SSLEngine on
    SSLCertificateFile "$pki/serveronly.crt"
    SSLCertificateKeyFile "$pki/serveronly.key"
    SSLCACertificateFile "$pki/root.crt"
    SSLVerifyClient optional
    SSLVerifyDepth 5
    SSLOptions +StdEnvVars +ExportCertData
</VirtualHost>

# Apache as the TLS-terminating front
<VirtualHost 127.0.0.1:$port{apache}>
    SSLEngine on
    SSLCertificateFile "$pki/serveronly.crt"
    SSLCertificateKeyFile "$pki/serveronly.key"
    SSLCACertificateFile "$pki/root.crt"
    SSLVerifyClient optional_no_ca
    SSLVerifyDepth 5
    RequestHeader set X-SSL-Client-Cert "%{SSL_CLIENT_CERT}s"
    ProxyPass / http://127.0.0.1:$port{backend}/apache/
</VirtualHost>
CONF
    spawn('httpd', $httpd, '-d', $run, '-f', "$run/httpd.conf", '-DFOREGROUND');
    ok(wait_port('httpd', $port{backend}) && wait_port('httpd', $port{apache}), "httpd ($mpm) started")
        or diag(slurp("$run/logs/httpd.out") . slurp("$run/logs/error_log"));
}

# --- nginx
{
    my $n = "$run/ngx";
    spew("$n/nginx.conf", <<"CONF");
worker_processes 1;
daemon off;
pid $n/nginx.pid;
error_log $run/logs/nginx_error.log info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $n/body;
    proxy_temp_path $n/proxy;
    fastcgi_temp_path $n/fastcgi;
    uwsgi_temp_path $n/uwsgi;
    scgi_temp_path $n/scgi;
    server {
        listen 127.0.0.1:$port{nginx} ssl;
        ssl_certificate $pki/serveronly.crt;
        ssl_certificate_key $pki/serveronly.key;
        ssl_verify_client optional_no_ca;
        location / {
            proxy_set_header X-Nginx-Cert \$ssl_client_escaped_cert;
            proxy_pass http://127.0.0.1:$port{backend}/nginx/;
        }
    }
}
CONF
    spawn('nginx', $nginx, '-p', $n, '-c', "$n/nginx.conf");
    ok(wait_port('nginx', $port{nginx}), 'nginx started')
        or diag(slurp("$run/logs/nginx.out") . slurp("$run/logs/nginx_error.log"));
}

# --- HAProxy
{
    spew("$run/hap.pem", slurp("$pki/serveronly.crt") . slurp("$pki/serveronly.key"));
    my $bind = "ssl crt $run/hap.pem ca-file $pki/root.crt verify optional ca-ignore-err all crt-ignore-err all";
    spew("$run/haproxy.cfg", <<"CONF");
global
    pidfile $run/haproxy.pid
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend rfc
    bind 127.0.0.1:$port{'hap-rfc'} $bind
    http-request del-header Client-Cert
    http-request set-header Client-Cert :%[ssl_c_der,base64]: if { ssl_c_used }
    http-request set-path /hap-rfc%[path]
    default_backend app
frontend b64
    bind 127.0.0.1:$port{'hap-b64'} $bind
    http-request del-header X-Haproxy-Der
    http-request set-header X-Haproxy-Der %[ssl_c_der,base64] if { ssl_c_used }
    http-request set-path /hap-b64%[path]
    default_backend app
backend app
    server app 127.0.0.1:$port{backend}
CONF
    spawn('haproxy', $haproxy, '-db', '-f', "$run/haproxy.cfg");
    ok(wait_port('haproxy', $port{'hap-rfc'}) && wait_port('haproxy', $port{'hap-b64'}), 'haproxy started')
        or diag(slurp("$run/logs/haproxy.out"));
}

# get(URL, cert => NAME, interface => IP, headers => [[n, v]...]): (code, env)
sub get {
    my ($url, %o) = @_;
    my @cmd = ('curl', '-sS', '-k', '--noproxy', '*', '--max-time', '20', '-w', '\n%{http_code}');
    push @cmd, '--cert', pki("$o{cert}-chain.pem"), '--key', pki("$o{cert}.key") if $o{cert};
    push @cmd, '--interface', $o{interface} if $o{interface};
    push @cmd, '-H', "$_->[0]: $_->[1]" for @{ $o{headers} || [] };
    open my $fh, '-|', @cmd, $url or die "curl: $!";
    local $/;
    my $out = <$fh> // '';
    close $fh;
    my ($body, $code) = $out =~ /\A(.*)\n(\d+)\z/s or return (0, {});
    return ($code, parse_env($body));
}
sub client_vars {
    my ($e) = @_;
    return { map { $_ => $e->{$_} } grep { /^SSL_CLIENT_/ && !/^SSL_CLIENT_CERT_CHAIN_/ } keys %$e };
}

# mod_ssl's own values for client1 (the chain in the TLS handshake)
my (undef, $ref) = get("https://127.0.0.1:$port{modssl}/env", cert => 'client');
is($ref->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'mod_ssl reference: SUCCESS');
is($ref->{SSL_CLIENT_S_DN_CN}, 'client1', 'mod_ssl reference: CN client1');
my $want = client_vars($ref);
# Debian 11's mod_ssl (2.4.62) counts SSL_CLIENT_V_REMAIN one day too high
# (t/60_modssl_compare.t tells it apart the same way); the module counts as
# 2.4.71 does
if (!have_min_apache_version('2.4.71') && ($want->{SSL_CLIENT_V_REMAIN} // '') =~ /^\d+$/
    && $want->{SSL_CLIENT_V_REMAIN} > 0) {
    $want->{SSL_CLIENT_V_REMAIN}--;
}

my %header = ('nginx' => 'X-Nginx-Cert', 'hap-rfc' => 'Client-Cert',
              'hap-b64' => 'X-Haproxy-Der', 'apache' => 'X-SSL-Client-Cert');
my $b64 = join '', grep { !/^-----/ } split /\n/, pem('client.crt');
my %spoof = ('nginx' => pem('client.crt') =~ s/([^A-Za-z0-9._~-])/sprintf('%%%02X', ord $1)/ger,
             'hap-rfc' => ":$b64:", 'hap-b64' => $b64,
             'apache' => pem('client.crt') =~ s/\n/ /gr);
for my $f (@fronts) {
    my $url = "https://127.0.0.1:$port{$f}";
    my ($code, $e) = get("$url/env", cert => 'client');
    is($e->{SSL_CLIENT_VERIFY}, 'SUCCESS', "$f: client1 through the proxy: SUCCESS");
    my $got = client_vars($e);
    # the module may add these (t/60_modssl_compare.t checks them)
    delete @$got{ grep { /^SSL_CLIENT_(?:SAN_URI_\d+|CERT_SHA256)$/ && !exists $want->{$_} } keys %$got };
    my @diff = grep { ($got->{$_} // '<absent>') ne ($want->{$_} // '<absent>') } sort keys %{{ %$got, %$want }};
    is(join(' ', @diff), '', "$f: every SSL_CLIENT_* variable equals mod_ssl's for the same certificate")
        or diag(join "\n", map { "$_: module=" . ($got->{$_} // '<absent>') . " mod_ssl=" . ($want->{$_} // '<absent>') } @diff);
    ($code) = get("$url/req/env", cert => 'client');
    is($code, 200, "$f: require, client1: 200");
    ($code, $e) = get("$url/env", cert => 'foreign');
    like($e->{SSL_CLIENT_VERIFY} // '', qr/^FAILED:/, "$f: a foreign CA's certificate: FAILED");
    ($code) = get("$url/req/env", cert => 'foreign');
    is($code, 403, "$f: require, foreign CA: 403");
    ($code, $e) = get("$url/env");
    is($e->{SSL_CLIENT_VERIFY}, 'NONE', "$f: no client certificate: NONE");
    # no TLS certificate, but the header itself sent through the proxy: the
    # proxy's configuration must overwrite or remove it
    ($code, $e) = get("$url/env", headers => [[$header{$f}, $spoof{$f}]]);
    is($e->{SSL_CLIENT_VERIFY}, 'NONE', "$f: no TLS certificate, own $header{$f} sent through the proxy: NONE");
    # bypassing the proxy: the header sent by the client itself
    ($code, $e) = get("http://127.0.0.1:$port{backend}/$f/env", interface => '127.0.0.2',
                      headers => [[$header{$f}, $spoof{$f}]]);
    is($e->{SSL_CLIENT_VERIFY}, 'NONE', "$f: a client bypassing the proxy with its own $header{$f}: NONE");
    (my $cgi = 'HTTP_' . uc $header{$f}) =~ tr/-/_/;
    ok(!exists $e->{$cgi}, "$f: ... and the header is removed ($cgi)");
    # the same header from the trusted address is read: the control
    ($code, $e) = get("http://127.0.0.1:$port{backend}/$f/env", interface => '127.0.0.1',
                      headers => [[$header{$f}, $spoof{$f}]]);
    is($e->{SSL_CLIENT_S_DN_CN}, 'client1', "$f: control: that header from the trusted peer is read");
}
