# The SSL_CLIENT_* variables a CGI sees for client1, compared with what
# openssl says about the same certificate; and the header encodings that
# must be accepted (raw PEM with spaces, %2B/%3D/%2F).
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);

my $H = 'X-Amzn-Mtls-Clientcert';
my $chain = pem('client-chain.pem');
my $crt = pki('client.crt');

plan tests => 24 + 3 * 4;

my ($code, $env) = get_env('alb', '/opt/env', $H => alb_encode($chain));
is($code, 200, 'client1 on optional: 200');

is($env->{SSL_CLIENT_VERIFY},   'SUCCESS', 'SSL_CLIENT_VERIFY');
is($env->{SSL_CLIENT_S_DN_CN},  'client1', 'SSL_CLIENT_S_DN_CN');
is($env->{SSL_CLIENT_S_DN_O},   'Acme',    'SSL_CLIENT_S_DN_O');
is($env->{SSL_CLIENT_S_DN_OU},  'Dev',     'SSL_CLIENT_S_DN_OU');
is($env->{SSL_CLIENT_S_DN},     'CN=client1,OU=Dev,O=Acme', 'SSL_CLIENT_S_DN (RFC 2253 order)');
is($env->{SSL_CLIENT_I_DN_CN},  'Test Intermediate CA', 'SSL_CLIENT_I_DN_CN');
is($env->{SSL_CLIENT_I_DN_O},   'Acme Test', 'SSL_CLIENT_I_DN_O');
is($env->{SSL_CLIENT_I_DN},     'CN=Test Intermediate CA,O=Acme Test', 'SSL_CLIENT_I_DN');
is($env->{SSL_CLIENT_SAN_DNS_0},   'client1.example.com', 'SSL_CLIENT_SAN_DNS_0');
is($env->{SSL_CLIENT_SAN_Email_0}, 'client1@example.com', 'SSL_CLIENT_SAN_Email_0');
is($env->{SSL_CLIENT_SAN_URI_0},   'spiffe://example.com/client1', 'SSL_CLIENT_SAN_URI_0');
ok(!exists $env->{SSL_CLIENT_SAN_DNS_1}, 'no SSL_CLIENT_SAN_DNS_1');
is($env->{SSL_CLIENT_M_VERSION}, '3', 'SSL_CLIENT_M_VERSION');

(my $serial = openssl_field($crt, '-serial')) =~ s/^serial=//;
is($env->{SSL_CLIENT_M_SERIAL}, $serial, 'SSL_CLIENT_M_SERIAL = openssl x509 -serial');
(my $end = openssl_field($crt, '-enddate')) =~ s/^notAfter=//;
is($env->{SSL_CLIENT_V_END}, $end, 'SSL_CLIENT_V_END = openssl notAfter');
(my $start = openssl_field($crt, '-startdate')) =~ s/^notBefore=//;
is($env->{SSL_CLIENT_V_START}, $start, 'SSL_CLIENT_V_START = openssl notBefore');
like($env->{SSL_CLIENT_V_REMAIN} // '', qr/^36[0-9][0-9]$/, 'SSL_CLIENT_V_REMAIN about ten years of days');
(my $fp = openssl_field($crt, '-fingerprint', '-sha256')) =~ s/^.*=//;
$fp =~ s/://g;
is($env->{SSL_CLIENT_CERT_SHA256}, lc $fp, 'SSL_CLIENT_CERT_SHA256 = sha256 of the DER, lower-case');
is($env->{SSL_CLIENT_A_KEY}, 'id-ecPublicKey', 'SSL_CLIENT_A_KEY');
is($env->{SSL_CLIENT_A_SIG}, 'ecdsa-with-SHA256', 'SSL_CLIENT_A_SIG');
ok(!exists $env->{SSL_CLIENT_CERT}, 'no SSL_CLIENT_CERT without +ExportCertData');
is($env->{HTTP_X_AMZN_MTLS_CLIENTCERT}, alb_encode($chain),
   'the header itself still reaches the application from a trusted peer');
is($env->{AUTH_TYPE}, undef, 'no AUTH_TYPE without AlbMtlsUserName');

# --- encodings that must be accepted --------------------------------------
(my $spaced = $chain) =~ s/\n/ /g;
$spaced =~ s/ +$//;
(my $all_escaped = $chain) =~ s{([^A-Za-z0-9])}{sprintf('%%%02X', ord $1)}ge;
(my $lower = alb_encode($chain)) =~ s/(%[0-9A-F]{2})/lc $1/ge;
my @forms = (
    [ 'raw PEM, newlines as spaces'      => $spaced ],
    [ '+ = / percent-encoded (%2B %3D %2F)' => $all_escaped ],
    [ 'lower-case escapes (%0a %20)'     => $lower ],
    [ 'spaces as %20, newlines as %0A'   => alb_encode($chain) ],
);
for my $f (@forms) {
    my ($name, $value) = @$f;
    my ($c, $e) = get_env('alb', '/req/env', $H => $value);
    is($c, 200, "$name: 200");
    is($e->{SSL_CLIENT_VERIFY}, 'SUCCESS', "$name: SUCCESS");
    is($e->{SSL_CLIENT_S_DN_CN}, 'client1', "$name: CN");
}
