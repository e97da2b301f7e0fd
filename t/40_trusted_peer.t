# AlbMtlsTrustedProxy: the vhost alb_trusted trusts only 127.0.0.1.  From
# 127.0.0.2 (curl --interface) the header is removed before any handler
# sees it, the request counts as carrying no certificate, and ALB00104 is
# logged.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);

my $H = 'X-Amzn-Mtls-Clientcert';
my $good = alb_encode(pem('client-chain.pem'));

plan tests => 17, need need_cgi(), need({ 'curl on PATH' => sub {
    system('curl --version >/dev/null 2>&1') == 0 } });

my $base = 'http://' . hostport('alb_trusted');
my @hdrs = ([$H, $good], ["$H-Leaf", 'spoofed'], ['X-Amzn-Mtls-ClientCert', $good]);

# control: from the trusted 127.0.0.1
{
    my ($code, $body) = curl_get("$base/opt/env", interface => '127.0.0.1',
                                 headers => [[$H, $good]]);
    my $env = parse_env($body);
    is($code, 200, 'trusted peer 127.0.0.1, optional: 200');
    is($env->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'trusted peer: SUCCESS');
    ($code) = curl_get("$base/req/env", interface => '127.0.0.1', headers => [[$H, $good]]);
    is($code, 200, 'trusted peer 127.0.0.1, require: 200');
}

# from 127.0.0.2
{
    my $mark = log_mark();
    my ($code, $body) = curl_get("$base/req/env", interface => '127.0.0.2',
                                 headers => [[$H, $good]]);
    is($code, 403, 'untrusted peer 127.0.0.2, require: 403');
    my $log = log_since($mark);
    like($log, qr/:warn\].*ALB00104: removed header X-Amzn-Mtls-Clientcert sent by untrusted peer 127\.0\.0\.2/i,
         'untrusted peer: ALB00104 warning names header and peer');
    like($log, qr/ALB00101: client certificate refused: no client certificate \(peer 127\.0\.0\.2/,
         'untrusted peer, require: refused as "no client certificate"');

    $mark = log_mark();
    ($code, $body) = curl_get("$base/opt/env", interface => '127.0.0.2', headers => \@hdrs);
    my $env = parse_env($body);
    is($code, 200, 'untrusted peer, optional: 200');
    is($env->{SSL_CLIENT_VERIFY}, 'NONE', 'untrusted peer, optional: SSL_CLIENT_VERIFY=NONE');
    is(join(' ', identity_vars($env)), '', 'untrusted peer: no identity variable');
    ok(!exists $env->{HTTP_X_AMZN_MTLS_CLIENTCERT}, 'CGI does not see HTTP_X_AMZN_MTLS_CLIENTCERT');
    ok(!exists $env->{HTTP_X_AMZN_MTLS_CLIENTCERT_LEAF}, 'nor the verify-mode X-Amzn-Mtls-Clientcert-Leaf');
    is(scalar(grep { /ALB00104/ } split /\n/, log_since($mark)) >= 1, 1, 'optional: ALB00104 logged too');
}

# other spellings of the name are removed as well (mod_headers echoes them)
{
    my ($code, $body, $hdr) = curl_get("$base/opt/env", interface => '127.0.0.2',
        headers => [['X_Amzn_Mtls_Clientcert', 'spoofed-underscore']]);
    is($code, 200, 'untrusted peer, underscore spelling: 200');
    unlike($hdr->{'x-seen-underscore'} // '', qr/spoofed/,
           'X_Amzn_Mtls_Clientcert from an untrusted peer removed');
    ($code, $body, $hdr) = curl_get("$base/opt/env", interface => '127.0.0.2',
        headers => [['x-amzn-mtls-clientcert', 'spoofed-lower']]);
    unlike($hdr->{'x-seen-lower'} // '', qr/spoofed/,
           'x-amzn-mtls-clientcert (lower case) from an untrusted peer removed');
    ($code, $body, $hdr) = curl_get("$base/opt/env", interface => '127.0.0.1',
        headers => [['X_Amzn_Mtls_Clientcert', 'kept-underscore']]);
    is($hdr->{'x-seen-underscore'}, 'kept-underscore',
       'control: the echo works for the trusted peer');
}

# the main vhost keeps the default list (loopback): 127.0.0.2 is trusted there
{
    my ($code, $body) = curl_get('http://' . hostport('alb') . '/opt/env',
                                 interface => '127.0.0.2', headers => [[$H, $good]]);
    is(parse_env($body)->{SSL_CLIENT_VERIFY}, 'SUCCESS',
       'default AlbMtlsTrustedProxy (loopback) trusts 127.0.0.2 on another vhost');
}
