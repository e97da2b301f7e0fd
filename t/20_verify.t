# Every refusal class, under `require` (403 + one ALB00101 error line naming
# the reason and the peer) and under `optional` (200, FAILED:<reason>, no
# identity variable), plus the accepted chains.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);

my $H = 'X-Amzn-Mtls-Clientcert';

my $leaf = pem('client.crt');
my $int  = pem('intermediate.crt');
my $good = pem('client-chain.pem');

# A chain whose '+' became spaces, as a form-style urldecode does it.
(my $plus_spaced = alb_encode($good)) =~ s/\+/%20/g;

# name => [header value(s) or undef, expected reason under optional]
my @fail = (
    [ 'expired'              => alb_encode(pem('expired-chain.pem')), 'certificate has expired' ],
    [ 'not yet valid'        => alb_encode(pem('notyet-chain.pem')),  'certificate is not yet valid' ],
    [ 'foreign CA'           => alb_encode(pem('foreign-chain.pem')), 'unable to get local issuer certificate' ],
    [ 'root only'            => alb_encode(pem('root.crt')),          purpose_text() ],
    [ 'missing intermediate' => alb_encode($leaf),                    'unable to get local issuer certificate' ],
    [ 'serverAuth only'      => alb_encode(pem('serveronly-chain.pem')), purpose_text() ],
    [ 'bad escape %G1'       => '%G1' . alb_encode($good),            qr/^malformed header/ ],
    [ 'NUL byte %00'         => alb_encode($leaf) . '%00' . alb_encode($int), qr/^malformed header/ ],
    [ 'not PEM'              => alb_encode("hello world\n"),          qr/^malformed header/ ],
    [ 'garbage base64'       => alb_encode("-----BEGIN CERTIFICATE-----\n!!not*base64\$\$\n-----END CERTIFICATE-----\n"),
                                                                      qr/^malformed header/ ],
    [ 'base64 of a non-certificate' => alb_encode("-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQK\n-----END CERTIFICATE-----\n"),
                                                                      qr/^malformed header/ ],
    [ '11 certificates'      => alb_encode($leaf . ($int x 10)),     'too many certificates' ],
    [ 'two header fields'    => [ alb_encode($good), alb_encode($good) ],
                                                                      'malformed header: multiple header fields' ],
    [ '+ turned into spaces' => $plus_spaced,                         qr/./ ],
);

plan tests => 22 + 6 * @fail;

sub reason_ok {
    my ($got, $want, $name) = @_;
    if (ref $want) {
        like($got, qr/^FAILED:/, "$name: FAILED") and
            ($got // '') =~ /^FAILED:(.*)/s and $1 =~ $want
            or diag("got '" . ($got // '(unset)') . "', reason should match $want");
    }
    else {
        is($got, "FAILED:$want", "$name: SSL_CLIENT_VERIFY");
    }
}

sub refused_once {
    my ($name, $reason, @hdr) = @_;
    my $mark = log_mark();
    my ($code) = get_env('alb', '/req/env', @hdr);
    is($code, 403, "require, $name: 403");
    my @lines = grep { /ALB00101/ } split /\n/, log_since($mark);
    is(scalar @lines, 1, "require, $name: exactly one ALB00101 line")
        or diag(join "\n", @lines);
    my $l = $lines[0] // '';
    my $re = ref $reason ? $reason : qr/\Q$reason\E/;
    ok($l =~ /:error\]/ && $l =~ /client certificate refused: / && $l =~ /peer 127\.0\.0\.1\b/
           && ($l =~ /refused: (.*?) \(peer/ and $1 =~ $re),
       "require, $name: error line names reason and peer") or diag($l);
}

# --- accepted -----------------------------------------------------------
{
    my ($code, $env) = get_env('alb', '/req/env', $H => alb_encode($good));
    is($code, 200, 'require, valid chain: 200');
    is($env->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'require, valid chain: SUCCESS');
    is($env->{SSL_CLIENT_S_DN_CN}, 'client1', 'require, valid chain: CN');
    ($code, $env) = get_env('alb', '/opt/env', $H => alb_encode($good));
    is($code, 200, 'optional, valid chain: 200');
    is($env->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'optional, valid chain: SUCCESS');
    ($code, $env) = get_env('alb', '/req/env', $H => alb_encode(pem('direct-chain.pem')));
    is($code, 200, 'require, leaf signed by the root itself: 200');
}

# --- no certificate -----------------------------------------------------
refused_once('no header', 'no client certificate');
refused_once('empty header', 'no client certificate', $H => '');
for my $c (['no header'], ['empty header', $H => '']) {
    my ($name, @hdr) = @$c;
    my ($code, $env) = get_env('alb', '/opt/env', @hdr);
    is($code, 200, "optional, $name: 200");
    is($env->{SSL_CLIENT_VERIFY}, 'NONE', "optional, $name: NONE");
    is(join(' ', identity_vars($env)), '', "optional, $name: no identity variable");
}
# the client really sent what the cases say (LWP keeps an empty value and
# repeats a field given as an array ref)
{
    my ($code, $env) = get_env('alb', '/opt/env', $H => '');
    is($env->{HTTP_X_AMZN_MTLS_CLIENTCERT}, '', 'an empty header field reaches httpd');
    ($code, $env) = get_env('alb', '/opt/env', $H => ['a', 'b']);
    is($env->{HTTP_X_AMZN_MTLS_CLIENTCERT}, 'a, b', 'two header fields reach httpd (merged)');
}
# `none`: nothing at all, whatever is sent
{
    my ($code, $env) = get_env('alb', '/none/env', $H => alb_encode($good));
    is($code, 200, 'none: 200');
    ok(!exists $env->{SSL_CLIENT_VERIFY}, 'none: no SSL_CLIENT_VERIFY');
}

# --- refusals -----------------------------------------------------------
for my $f (@fail) {
    my ($name, $value, $reason) = @$f;
    my @hdr = ($H => $value);
    refused_once($name, $reason, @hdr);
    my ($code, $env) = get_env('alb', '/opt/env', @hdr);
    is($code, 200, "optional, $name: 200");
    reason_ok($env->{SSL_CLIENT_VERIFY}, $reason, "optional, $name");
    is(join(' ', identity_vars($env)), '', "optional, $name: no identity variable");
}
