# Per-directory directives: AlbMtlsCAPath, AlbMtlsVerifyDepth,
# AlbMtlsRequireCN, AlbMtlsHeader, and optional_no_ca.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);

my $H = 'X-Amzn-Mtls-Clientcert';
my $good = alb_encode(pem('client-chain.pem'));

plan tests => 8 + 6 + 6 + 6 + 6 + 11;

sub req { my ($path, @hdr) = @_; return get_env('alb', $path, @hdr) }

# --- AlbMtlsCAPath -------------------------------------------------------
{
    my ($code, $env) = req('/capath/env', $H => $good);
    is($code, 200, 'CAPath: client chain accepted');
    is($env->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'CAPath: SUCCESS');
    ($code) = req('/capath/env', $H => alb_encode(pem('foreign-chain.pem')));
    is($code, 403, 'CAPath: foreign chain refused');
    ($code) = req('/capath/env', $H => alb_encode(pem('other-chain.pem')));
    is($code, 403, 'CAPath: other-root chain refused (other-root not in the dir)');
    ($code) = req('/capath/env');
    is($code, 403, 'CAPath: no header refused');
    ($code, $env) = req('/capath/env', $H => alb_encode(pem('deep-chain.pem')));
    is($code, 200, 'CAPath: deep chain accepted at default depth 5');
    ($code) = req('/req/env', $H => alb_encode(pem('deep-chain.pem')));
    is($code, 200, 'CAFile: deep chain accepted at default depth 5');
    ($code) = req('/capath/env', $H => alb_encode(pem('expired-chain.pem')));
    is($code, 403, 'CAPath: expired refused');
}

# --- AlbMtlsVerifyDepth ---------------------------------------------------
{
    my $deep = alb_encode(pem('deep-chain.pem'));
    my $mark = log_mark();
    my ($code) = req('/depth2/env', $H => $deep);
    is($code, 403, 'depth 2: deep chain (leaf, int2, int1, root) refused');
    like(log_since($mark), qr/ALB00101: client certificate refused: certificate chain too long/,
         'depth 2: logged as "certificate chain too long"');
    my $env;
    ($code, $env) = req('/optdepth2/env', $H => $deep);
    is($env->{SSL_CLIENT_VERIFY}, 'FAILED:certificate chain too long',
       'depth 2 optional: FAILED:certificate chain too long');
    ($code, $env) = req('/depth3/env', $H => $deep);
    is($code, 200, 'depth 3: deep chain accepted');
    is($env->{SSL_CLIENT_S_DN_CN}, 'deep', 'depth 3: CN=deep');
    ($code) = req('/depth2/env', $H => $good);
    is($code, 200, 'depth 2: one-intermediate chain accepted');
}

# --- AlbMtlsRequireCN -------------------------------------------------------
{
    my ($code, $env) = req('/cn/env', $H => $good);
    is($code, 200, 'RequireCN client1: client1 accepted');
    is($env->{SSL_CLIENT_S_DN_CN}, 'client1', 'RequireCN client1: CN seen');
    my $mark = log_mark();
    ($code) = req('/cn/env', $H => alb_encode(pem('client2-chain.pem')));
    is($code, 403, 'RequireCN client1: verified client2 refused');
    my @l = grep { /ALB00103/ } split /\n/, log_since($mark);
    is(scalar @l, 1, 'RequireCN: one ALB00103 line');
    like($l[0] // '', qr/:error\].*subject CN "client2" is not one of AlbMtlsRequireCN/,
         'RequireCN: line names the CN');
    ($code) = req('/cn/env');
    is($code, 403, 'RequireCN: no certificate refused');
}

# --- AlbMtlsRequireCN under optional ---------------------------------------
# A place with AlbMtlsRequireCN needs a verified certificate even under
# optional; a refusal is one error line (ALB00105), not an extra ALB00102.
{
    my ($code, $env) = req('/cnopt/env', $H => $good);
    is($code, 200, 'optional + RequireCN client1: client1 accepted');
    is($env->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'optional + RequireCN: SUCCESS');
    my $mark = log_mark();
    ($code) = req('/cnopt/env', $H => alb_encode(pem('expired-chain.pem')));
    is($code, 403, 'optional + RequireCN: expired chain refused');
    my @l = grep { /ALB0010[0-9]/ } split /\n/, log_since($mark);
    is(scalar @l, 1, 'optional + RequireCN: exactly one ALB001xx line for the refusal');
    like($l[0] // '', qr/:error\].*ALB00105: .*AlbMtlsRequireCN needs a verified certificate, SSL_CLIENT_VERIFY is FAILED:certificate has expired/,
         'optional + RequireCN: ALB00105 names the failure');
    ($code) = req('/cnopt/env');
    is($code, 403, 'optional + RequireCN: no certificate refused');
}

# --- AlbMtlsHeader ---------------------------------------------------------
{
    my ($code, $env) = req('/hdr/env', 'X-Client-Chain' => $good);
    is($code, 200, 'AlbMtlsHeader X-Client-Chain: chain in the renamed header accepted');
    is($env->{SSL_CLIENT_S_DN_CN}, 'client1', 'AlbMtlsHeader: CN');
    ($code) = req('/hdr/env', $H => $good);
    is($code, 403, 'AlbMtlsHeader: chain in the default header ignored (403)');
    ($code, $env) = req('/hdropt/env', $H => $good);
    is($code, 200, 'AlbMtlsHeader optional: default header only: 200');
    is($env->{SSL_CLIENT_VERIFY}, 'NONE', 'AlbMtlsHeader optional: default header ignored (NONE)');
    is(join(' ', identity_vars($env)), '', 'AlbMtlsHeader optional: no identity');
}

# --- optional_no_ca -----------------------------------------------------------
{
    my ($code, $env) = req('/noca/env', $H => alb_encode(pem('foreign-chain.pem')));
    is($code, 200, 'optional_no_ca, foreign CA: 200');
    is($env->{SSL_CLIENT_VERIFY}, 'GENEROUS', 'optional_no_ca, foreign CA: GENEROUS');
    is($env->{SSL_CLIENT_S_DN_CN}, 'foreign', 'optional_no_ca, foreign CA: identity published');
    ($code, $env) = req('/noca/env', $H => alb_encode(pem('client.crt')));
    is($env->{SSL_CLIENT_VERIFY}, 'GENEROUS', 'optional_no_ca, missing intermediate: GENEROUS');
    ($code, $env) = req('/noca/env', $H => alb_encode(pem('expired-chain.pem')));
    is($code, 200, 'optional_no_ca, expired: 200');
    is($env->{SSL_CLIENT_VERIFY}, 'FAILED:certificate has expired', 'optional_no_ca, expired: FAILED');
    is(join(' ', identity_vars($env)), '', 'optional_no_ca, expired: no identity');
    ($code, $env) = req('/noca/env', $H => alb_encode(pem('serveronly-chain.pem')));
    is($env->{SSL_CLIENT_VERIFY}, 'FAILED:' . purpose_text(),
       'optional_no_ca, serverAuth only: FAILED');
    ($code, $env) = req('/noca/env', $H => $good);
    is($env->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'optional_no_ca, valid: SUCCESS');
    ($code, $env) = req('/noca/env');
    is($env->{SSL_CLIENT_VERIFY}, 'NONE', 'optional_no_ca, no header: NONE');
    ($code, $env) = req('/noca/env', $H => alb_encode(pem('direct-chain.pem')));
    is($env->{SSL_CLIENT_S_DN_CN}, 'direct', 'optional_no_ca, direct leaf: identity');
}
