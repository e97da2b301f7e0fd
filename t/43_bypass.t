# Paths by which a request could reach a handler without the module's
# decision, or with a decision made on data the client controls (vhost
# alb_bypass: only 127.0.0.1 may send certificate headers; 127.0.0.2 plays
# an untrusted client).  Each block names the path; each would have let a
# request through before the module enforced its decision where nothing
# skips it.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);
use IO::Socket::INET ();
use MIME::Base64 qw(encode_base64);

my $H = 'X-Amzn-Mtls-Clientcert';
my %chain = map { ($_ => alb_encode(pem("$_-chain.pem"))) } qw(client client2);
$chain{self} = alb_encode(pem('selfclient1.crt'));
my $DN = '/O=Acme/OU=Dev/CN=client1';
sub basic { ('Authorization', 'Basic ' . encode_base64(join(':', @_), '')) }

my $hp = hostport('alb_bypass');
my ($host, $port) = split /:/, $hp;
my $base = "http://$hp";
# mod_php is loaded under prefork only (t/run-tests.sh)
my $php = test_mpm() eq 'prefork'
          && (() = glob(File::Spec->catfile(moddir(), 'libphp*.so')));
my $h2 = -f File::Spec->catfile(moddir(), 'mod_http2.so')
         && `curl --version` =~ /HTTP2/;

plan tests => 21 + 15 + 8 + 6 + 9 + 7, need need_cgi(), need({
    'curl on PATH' => sub { system('curl --version >/dev/null 2>&1') == 0 } });

# get(FROM, PATH, [name, value]...): (code, body, headers) from 127.0.0.x
sub get {
    my ($from, $path, @h) = @_;
    return curl_get("$base$path", interface => $from, headers => \@h);
}
sub env_of { parse_env($_[0]) }
sub count_tag { my ($tag, $log) = @_; scalar(() = $log =~ /\Q$tag\E/g) }

# --- 1. FakeBasicAuth: a client-sent DN user is refused on every request
#        where authentication runs, whatever the password ----------------
{
    my ($code, $body) = get('127.0.0.2', '/fake/env', [basic($DN, 'password')]);
    is($code, 403, 'DN:password straight to /fake: 403');

    my $mark = log_mark();
    ($code, $body) = get('127.0.0.2', '/app/go', [basic($DN, 'password')]);
    is($code, 403, '.htaccess rewrite into /fake (internal redirect), DN:password: 403');
    unlike($body, qr/REMOTE_USER=/, '... and no REMOTE_USER reaches the CGI');
    is(count_tag('ALB00203', log_since($mark)), 1, '... one ALB00203 line');

    ($code, $body) = get('127.0.0.2', '/app/go', [basic($DN, 'password1')]);
    is($code, 403, 'internal redirect, DN:password1: 403');
    ($code) = get('127.0.0.2', '/fake/env', [basic($DN, 'password1')]);
    is($code, 403, 'DN:password1 straight to /fake: 403 (not a wrong password)');
    ($code) = get('127.0.0.2', '/fake/env', [basic($DN, 'x')]);
    is($code, 403, 'DN with any other password: 403');
    ($code) = get('127.0.0.2', '/fake/env', [basic('CN=client1,OU=Dev,O=Acme', 'password')]);
    is($code, 403, 'the DN in RFC 2253 form: 403');
    ($code) = get('127.0.0.1', '/fake/env', [basic($DN, 'password')]);
    is($code, 403, 'DN:password from the trusted proxy without a certificate: 403');
    ($code) = get('127.0.0.1', '/fake/env', [basic($DN, 'password')], [$H, $chain{client2}]);
    is($code, 403, 'DN of client1 with a client2 certificate: 403');

    ($code, $body) = get('127.0.0.2', '/missing/x', [basic($DN, 'password')]);
    is($code, 404, 'ErrorDocument that lands in /fake: still the 404');
    unlike($body, qr/REMOTE_USER=/, '... whose body is not /fake served to the DN user');

    ($code, $body) = get('127.0.0.2', '/cgi-bin/to-fake.cgi', [basic($DN, 'password')]);
    is($code, 403, 'CGI local redirect into /fake, DN:password: 403');
    unlike($body, qr/REMOTE_USER=/, '... and no REMOTE_USER');

    # what FakeBasicAuth itself makes is not a forgery, also after a redirect
    ($code, $body) = get('127.0.0.1', '/fake/env', [$H, $chain{client}]);
    is($code, 200, 'client1 certificate at /fake: 200');
    is(env_of($body)->{REMOTE_USER}, $DN, '... REMOTE_USER is the DN');
    ($code, $body) = get('127.0.0.1', '/app/go', [$H, $chain{client}]);
    is($code, 200, 'client1 certificate, internal redirect into /fake: 200');
    is(env_of($body)->{REMOTE_USER}, $DN, '... REMOTE_USER is the DN');
    ($code, $body) = get('127.0.0.2', '/app/go', [basic('alice', 'secret')]);
    is($code, 200, 'an ordinary user through the redirect: 200');
    is(env_of($body)->{REMOTE_USER}, 'alice', '... REMOTE_USER alice');
    ($code) = get('127.0.0.2', '/fake/env', [basic('dXNlcg==', 'secret')]);
    is($code, 401, 'a user with "=" that is no DN: an ordinary 401');
}

# --- 2. Satisfy, AuthMerging, RequireAny, .htaccess: require and
#        AlbMtlsRequireCN hold whatever grants access elsewhere ------------
{
    my $mark = log_mark();
    my ($code, $body) = get('127.0.0.1', '/legacy/env');
    is($code, 403, 'Satisfy Any + Allow from 127.0.0.0/8, no certificate: 403');
    like(log_since($mark), qr/ALB00101: client certificate refused: no client certificate/,
         '... logged as ALB00101');
    unlike($body, qr/SSL_CLIENT_VERIFY=/, '... the CGI did not run');
    ($code) = get('127.0.0.1', '/legacy/env', [$H, $chain{client2}]);
    is($code, 403, 'Satisfy Any, client2 (not in AlbMtlsRequireCN): 403');
    ($code, $body) = get('127.0.0.1', '/legacy/env', [$H, $chain{client}]);
    is($code, 200, 'Satisfy Any, client1: 200');
    is(env_of($body)->{SSL_CLIENT_VERIFY}, 'SUCCESS', '... SUCCESS');
    ($code) = get('127.0.0.1', '/anyof/env');
    is($code, 403, '<RequireAny> Require all granted, no certificate: 403');
    ($code) = get('127.0.0.1', '/anyof/env', [$H, $chain{client}]);
    is($code, 200, '<RequireAny> Require all granted, client1: 200');
    ($code) = get('127.0.0.1', '/merged/or/env');
    is($code, 403, 'AuthMerging Or + Require all granted, no certificate: 403');
    ($code) = get('127.0.0.1', '/merged/or/env', [$H, $chain{client2}]);
    is($code, 403, 'AuthMerging Or, client2: 403 (AlbMtlsRequireCN inherited)');
    ($code) = get('127.0.0.1', '/merged/or/env', [$H, $chain{client}]);
    is($code, 200, 'AuthMerging Or, client1: 200');
    ($code, $body) = get('127.0.0.1', '/sat/secret.txt');
    is($code, 403, '.htaccess Satisfy Any + Allow from all, no certificate: 403');
    unlike($body, qr/sat secret/, '... the file is not served');
    ($code) = get('127.0.0.1', '/sat/secret.txt', [$H, $chain{client}]);
    is($code, 200, '.htaccess Satisfy Any, client1: 200');
    ($code, $body) = get('127.0.0.1', '/htoff/secret.txt');
    ok($code == 500 && $body !~ /htoff secret/,
       'AlbMtlsVerifyClient in .htaccess: 500, not a way to turn the check off');
}

# --- 3. GENEROUS (optional_no_ca) is not an identity -----------------------
{
    my $mark = log_mark();
    my ($code) = get('127.0.0.1', '/generous/cn/env', [$H, $chain{self}]);
    is($code, 403, 'self-signed CN=client1, optional_no_ca + AlbMtlsRequireCN client1: 403');
    like(log_since($mark), qr/ALB00105: .*SSL_CLIENT_VERIFY is GENEROUS/,
         '... ALB00105 says GENEROUS');
    my $body;
    ($code, $body) = get('127.0.0.1', '/generous/user/env', [$H, $chain{self}]);
    isnt($code, 200, 'optional_no_ca + AlbMtlsUserName + Require user client1: refused');
    unlike($body, qr/REMOTE_USER=client1/, '... no REMOTE_USER=client1');
    ($code, $body) = get('127.0.0.1', '/fakenoca/env', [$H, $chain{self}]);
    is($code, 401, 'optional_no_ca + FakeBasicAuth, GENEROUS: no user, 401');
    ($code, $body) = get('127.0.0.1', '/generous/vars/env', [$H, $chain{self}]);
    my $env = env_of($body);
    is($env->{SSL_CLIENT_VERIFY}, 'GENEROUS', 'the variables stay: SSL_CLIENT_VERIFY=GENEROUS');
    is($env->{SSL_CLIENT_S_DN_CN}, 'client1', '... SSL_CLIENT_S_DN_CN=client1, as mod_ssl publishes it');
    ($code, $body) = get('127.0.0.1', '/generous/cn/env', [$H, $chain{client}]);
    is($code, 200, 'a verified client1 under optional_no_ca + AlbMtlsRequireCN: 200');
}

# --- 4. certificate headers sent as chunked trailers -----------------------
# raw(FROM, PATH, TRAILER): a chunked POST whose trailer section holds the
# certificate header; (status code, whole response)
sub raw {
    my ($from, $path, $trailer) = @_;
    my $s = IO::Socket::INET->new(LocalAddr => $from, PeerAddr => $host,
                                  PeerPort => $port, Proto => 'tcp',
                                  Timeout => 10) or return (0, "connect: $!");
    print $s "POST $path HTTP/1.1\r\nHost: $hp\r\nContent-Type: text/plain\r\n"
           . "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
           . "5\r\nhello\r\n0\r\n$H: $trailer\r\n\r\n";
    local $/;
    my $resp = <$s> // '';
    close $s;
    my ($code) = $resp =~ m{\AHTTP/1\.\d (\d{3})};
    return ($code // 0, $resp);
}
SKIP: {
    skip 'needs mod_php (prefork pass)', 6 unless $php;
    my $mark = log_mark();
    my ($code, $resp) = raw('127.0.0.2', '/sub/trailer.php', $chain{client});
    is($code, 200, 'untrusted peer, certificate in a trailer, subrequest into /req: page served');
    like($resp, qr/BODY_BYTES=5/, '... the body was read (trailers merged)');
    unlike($resp, qr/SSL_CLIENT_VERIFY=SUCCESS|SSL_CLIENT_S_DN_CN=client1/,
           '... the subrequest into /req did not see a verified client1');
    unlike($resp, qr/HEADER=/, '... the trailer is not in the request headers');
    like(log_since($mark), qr/ALB00106: removed header X-Amzn-Mtls-Clientcert sent as a trailer by peer 127\.0\.0\.2/i,
         '... ALB00106 names header and peer');
    ($code, $resp) = raw('127.0.0.1', '/sub/trailer.php', $chain{client});
    unlike($resp, qr/SSL_CLIENT_VERIFY=SUCCESS/,
           'trusted peer: a certificate in a trailer does not count either');
}

# --- 5. SSL_CLIENT_* set by configuration never reach the application
#        where the module is on, header or not ------------------------------
{
    for my $from ('127.0.0.1', '127.0.0.2') {
        my ($code, $body) = get($from, '/claim/env');
        my $env = env_of($body);
        is($env->{SSL_CLIENT_VERIFY}, 'NONE', "no header from $from: SSL_CLIENT_VERIFY=NONE, not RewriteRule's SUCCESS");
        ok(!exists $env->{SSL_CLIENT_S_DN_CN} && !exists $env->{SSL_CLIENT_S_DN_O}
           && !exists $env->{SSL_CLIENT_I_DN_CN},
           "no header from $from: no SetEnv/SetEnvIf/[E=] identity");
    }
    my ($code, $body) = get('127.0.0.2', '/claim/env', [$H, $chain{client}]);
    ok(!exists env_of($body)->{SSL_CLIENT_S_DN_CN}, 'untrusted peer with header: no identity');
    ($code, $body) = get('127.0.0.1', '/claim/env', [$H, $chain{client}]);
    my $env = env_of($body);
    is($env->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'client1: SUCCESS');
    is($env->{SSL_CLIENT_S_DN_CN}, 'client1', 'client1: the certificate\'s CN, not SetEnvIf\'s');
    is($env->{SSL_CLIENT_S_DN_O}, 'Acme', 'client1: the certificate\'s O, not SetEnv\'s');
    is($env->{SSL_CLIENT_I_DN_CN}, 'Test Intermediate CA', 'client1: the issuer\'s CN, not [E=]\'s');
}

# --- 6. other paths: mod_cache's quick handler, mod_include subrequests,
#        HTTP/2 ---------------------------------------------------------------
{
    # a static file (mod_cache_socache stores only responses with a length)
    my ($code, $body, $hdr) = get('127.0.0.1', '/cached/page.txt', [$H, $chain{client}]);
    is($code, 200, 'mod_cache location, client1: 200');
    ($code, $body, $hdr) = get('127.0.0.1', '/cached/page.txt');
    is($code, 403, 'mod_cache location, then no certificate: 403, not the cached page');
    unlike($body, qr/cached secret/, '... the page is not served from the cache');

    ($code, $body) = get('127.0.0.2', '/sub/include.shtml', [$H, $chain{client}]);
    unlike($body, qr/SSL_CLIENT_VERIFY=SUCCESS/, 'mod_include subrequest into /req from an untrusted peer: no SUCCESS');
    ($code, $body) = get('127.0.0.1', '/sub/include.shtml', [$H, $chain{client}]);
    like($body, qr/SSL_CLIENT_VERIFY=SUCCESS/, 'mod_include subrequest into /req from the trusted peer: SUCCESS');

    SKIP: {
        skip 'needs mod_http2 and curl with HTTP/2', 2 unless $h2;
        my @a = (args => ['--http2-prior-knowledge']);
        ($code, $body) = curl_get("$base/req/env", interface => '127.0.0.2',
                                  headers => [[$H, $chain{client}]], @a);
        is($code, 403, 'h2c from an untrusted peer with the header: 403');
        ($code, $body) = curl_get("$base/req/env", interface => '127.0.0.1',
                                  headers => [[$H, $chain{client}]], @a);
        ok($code == 200 && env_of($body)->{SERVER_PROTOCOL} =~ m{^HTTP/2},
           'h2c from the trusted peer: 200 over HTTP/2');
    }
}
