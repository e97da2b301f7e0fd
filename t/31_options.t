# AlbMtlsOptions (+ExportCertData, +LegacyDNStringFormat, -StdEnvVars) and
# AlbMtlsUserName.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);

my $H = 'X-Amzn-Mtls-Clientcert';
my $good = alb_encode(pem('client-chain.pem'));

plan tests => 6 + 4 + 5 + 6;

# +ExportCertData
{
    my ($code, $env) = get_env('alb', '/export/env', $H => $good);
    is($code, 200, 'ExportCertData: 200');
    is($env->{SSL_CLIENT_CERT}, pem('client.crt'), 'SSL_CLIENT_CERT = the leaf PEM sent');
    is($env->{SSL_CLIENT_CERT_CHAIN_0}, pem('intermediate.crt'),
       'SSL_CLIENT_CERT_CHAIN_0 = the intermediate sent');
    ok(!exists $env->{SSL_CLIENT_CERT_CHAIN_1}, 'no SSL_CLIENT_CERT_CHAIN_1 (root not sent)');
    is($env->{SSL_CLIENT_S_DN_CN}, 'client1', 'ExportCertData keeps StdEnvVars');
    ($code, $env) = get_env('alb', '/export/env', $H => alb_encode(pem('expired-chain.pem')));
    ok(!grep({ /^SSL_CLIENT_CERT_CHAIN/ || ($_ eq 'SSL_CLIENT_CERT' && length $env->{$_}) } keys %$env),
       'ExportCertData: no certificate data for a FAILED chain');
}

# +LegacyDNStringFormat
{
    my ($code, $env) = get_env('alb', '/legacy/env', $H => $good);
    is($code, 200, 'LegacyDNStringFormat: 200');
    is($env->{SSL_CLIENT_S_DN}, '/O=Acme/OU=Dev/CN=client1', 'legacy SSL_CLIENT_S_DN');
    is($env->{SSL_CLIENT_I_DN}, '/O=Acme Test/CN=Test Intermediate CA', 'legacy SSL_CLIENT_I_DN');
    is($env->{SSL_CLIENT_S_DN_CN}, 'client1', 'per-attribute variables unchanged');
}

# -StdEnvVars
{
    my ($code, $env) = get_env('alb', '/nostd/env', $H => $good);
    is($code, 200, '-StdEnvVars: 200');
    ok(!exists $env->{SSL_CLIENT_VERIFY}, '-StdEnvVars: no SSL_CLIENT_VERIFY');
    is(join(' ', grep { /^SSL_CLIENT_/ } keys %$env), '', '-StdEnvVars: no SSL_CLIENT_* at all');
    ($code) = get_env('alb', '/nostd/env');
    is($code, 200, '-StdEnvVars optional, no header: 200');
    ($code, $env) = get_env('alb', '/opt/env', $H => $good);
    is($env->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'control: /opt exports SSL_CLIENT_VERIFY');
}

# AlbMtlsUserName
{
    my ($code, $env) = get_env('alb', '/user/env', $H => $good);
    is($code, 200, 'UserName: 200');
    is($env->{REMOTE_USER}, 'client1', 'REMOTE_USER = SSL_CLIENT_S_DN_CN');
    is($env->{AUTH_TYPE}, 'ClientCert', 'AUTH_TYPE = ClientCert');
    ($code, $env) = get_env('alb', '/user/env', $H => alb_encode(pem('client2-chain.pem')));
    is($env->{REMOTE_USER}, 'client2', 'REMOTE_USER follows the certificate');
    ($code, $env) = get_env('alb', '/opt/env', $H => $good);
    ok(!exists $env->{REMOTE_USER}, 'no REMOTE_USER where AlbMtlsUserName is not set');
    ($code) = get_env('alb', '/user/env');
    is($code, 403, 'UserName under require: no certificate, 403');
}
