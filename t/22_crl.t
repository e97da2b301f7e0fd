# Revocation with mod_ssl's SSLCARevocationCheck semantics (vhost alb_crl,
# CRLs made by t/pki/mkpki.sh): revoked leaf, revoked intermediate, a CA
# without CRL under `chain`, no_crl_for_cert_ok, `leaf`, an expired CRL, a
# hashed CRL directory, and `none`.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);

my $H = 'X-Amzn-Mtls-Clientcert';
my %chain = map { $_ => alb_encode(pem("$_-chain.pem")) }
    qw(client revoked revint foreign);

# [location, chain, expected status, expected SSL_CLIENT_VERIFY or undef]
my @cases = (
    [ '/chain',    'client',  200, 'SUCCESS' ],
    [ '/chain',    'revoked', 403, undef ],
    [ '/chain',    'revint',  403, undef ],
    [ '/chainopt', 'client',  200, 'SUCCESS' ],
    [ '/chainopt', 'revoked', 200, 'FAILED:certificate revoked' ],
    [ '/chainopt', 'revint',  200, 'FAILED:certificate revoked' ],
    [ '/noca',     'revoked', 200, 'FAILED:certificate revoked' ],
    [ '/off',      'revoked', 200, 'SUCCESS' ],
    [ '/leaf',     'client',  200, 'SUCCESS' ],
    [ '/leaf',     'revoked', 403, undef ],
    [ '/leaf',     'revint',  403, undef ],
    [ '/missing',  'client',  200, 'FAILED:unable to get certificate CRL' ],
    [ '/nocrlok',  'client',  200, 'SUCCESS' ],
    [ '/nocrlok',  'revoked', 200, 'FAILED:certificate revoked' ],
    [ '/expired',  'client',  200, 'FAILED:CRL has expired' ],
    [ '/crlpath',  'client',  200, 'SUCCESS' ],
    [ '/crlpath',  'revoked', 200, 'FAILED:certificate revoked' ],
);
my %cn = (client => 'client1', revoked => 'revoked', revint => 'revleaf');
my @refusals = (
    [ '/chain', 'revoked', 'certificate revoked' ],
    [ '/chain', 'revint',  'certificate revoked' ],
    [ '/leaf',  'revint',  'unable to get certificate CRL' ],
);

plan tests => 3 * @cases + 2 * @refusals + 3, need need_cgi();

for my $c (@cases) {
    my ($loc, $name, $status, $verify) = @$c;
    my ($code, $env) = get_env('alb_crl', "$loc/env", $H => $chain{$name});
    is($code, $status, "$loc, $name chain: $status");
    if (defined $verify) {
        is($env->{SSL_CLIENT_VERIFY}, $verify, "$loc, $name chain: $verify");
    }
    else {
        ok(!exists $env->{SSL_CLIENT_VERIFY}, "$loc, $name chain: refused, no variables");
    }
    if (($verify // '') eq 'SUCCESS') {
        my @id = identity_vars($env);
        ok(@id > 0, "$loc, $name chain: identity variables");
    }
    else {
        is(join(' ', identity_vars($env)), '', "$loc, $name chain: no identity variable");
    }
}

for my $r (@refusals) {
    my ($loc, $name, $reason) = @$r;
    my $mark = log_mark();
    my ($code) = get_env('alb_crl', "$loc/env", $H => $chain{$name});
    my @lines = grep { /ALB00101/ } split /\n/, log_since($mark);
    is(scalar @lines, 1, "$loc, $name: one ALB00101 line");
    like($lines[0] // '', qr/client certificate refused: \Q$reason\E \(peer 127\.0\.0\.1, subject "[^"]*CN=$cn{$name}\b/,
         "$loc, $name: the line gives the reason, peer and subject");
}

# no identity variable for a revoked certificate under optional
{
    my ($code, $env) = get_env('alb_crl', '/chainopt/env', $H => $chain{revoked});
    is(join(' ', identity_vars($env)), '', 'optional, revoked: no identity variable');
}
# CRLs belong to their section: the main test vhost has none
{
    my ($code, $env) = get_env('alb', '/opt/env', $H => $chain{revoked});
    is($env->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'a vhost without CRLs accepts the revoked chain');
}
# the foreign chain is still refused for want of an anchor, not a CRL
{
    my ($code, $env) = get_env('alb_crl', '/chainopt/env', $H => $chain{foreign});
    is($env->{SSL_CLIENT_VERIFY}, 'FAILED:unable to get local issuer certificate',
       'foreign chain under a CRL check: issuer error first');
}
