# AlbMtlsHeaderFormat and AlbMtlsProxyVerified (vhost alb_formats,
# t/conf/vh_formats.conf.in): each format decodes to the same chain and the
# same variables; hostile variants of each fail with their reason; the
# headers of every format are stripped from an untrusted peer (127.0.0.2),
# '_' spellings included; ProxyVerified publishes SUCCESS only from a
# trusted peer and still answers to AlbMtlsRequireCN and Require; the cache
# keeps formats and ProxyVerified sections apart.  Headers are made by
# tools/alb-mtls-header --format from the run-time PKI, in the shapes
# ../shared/FORMATS.md documents (ALB verify mode, Envoy XFCC, CloudFront).
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);
use Digest::SHA qw(sha256_hex);
use File::Spec ();

plan tests => 76, need need_cgi(), need({ 'curl on PATH' => sub {
    system('curl --version >/dev/null 2>&1') == 0 } });

my $top = Apache::Test::vars('top_dir');
my $base = 'http://' . hostport('alb_formats');

# headers(FORMAT, FILE, [HEADER]): [[name, value]...] from the tool
sub headers {
    my ($fmt, $file, $hdr) = @_;
    my @cmd = ("$top/tools/alb-mtls-header", '--format', $fmt);
    push @cmd, '--header', $hdr if $hdr;
    open my $fh, '-|', @cmd, pki($file) or die "alb-mtls-header: $!";
    my @h = map { chomp; [ split /: /, $_, 2 ] } <$fh>;
    close $fh;
    die "alb-mtls-header --format $fmt $file failed" if $? || !@h;
    return \@h;
}
sub hval { my ($h, $name) = @_; (map { $_->[1] } grep { lc $_->[0] eq lc $name } @$h)[0] }
sub with { my ($h, %set) = @_; [ (grep { !exists $set{$_->[0]} } @$h), map { [$_, $set{$_}] } grep { defined $set{$_} } keys %set ] }
sub without { my ($h, @names) = @_; my %n = map { lc($_) => 1 } @names; [ grep { !$n{lc $_->[0]} } @$h ] }

# req(PATH, HEADERS, [PEER]): (code, env, response headers)
sub req {
    my ($path, $h, $peer) = @_;
    my ($code, $body, $rh) = curl_get("$base$path", interface => $peer // '127.0.0.1',
                                      headers => $h);
    return ($code, parse_env($body), $rh);
}
sub verify_of { my ($path, $h, $peer) = @_; my (undef, $e) = req($path, $h, $peer); $e->{SSL_CLIENT_VERIFY} // '' }

my $client_leaf = pem('client.crt');
my $int = pem('intermediate.crt');

# --- rfc9440 -------------------------------------------------------------
my $rfc = headers('rfc9440', 'client-chain.pem');
{
    my ($code, $e) = req('/rfc9440/env', $rfc);
    is($e->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'rfc9440: Client-Cert + Client-Cert-Chain: SUCCESS');
    is($e->{SSL_CLIENT_S_DN_CN}, 'client1', 'rfc9440: SSL_CLIENT_S_DN_CN');
    is($e->{SSL_CLIENT_CERT}, $client_leaf, 'rfc9440: SSL_CLIENT_CERT is the leaf');
    is($e->{SSL_CLIENT_CERT_CHAIN_0}, $int, 'rfc9440: SSL_CLIENT_CERT_CHAIN_0 the intermediate');
    my ($c2) = req('/rfc9440req/env', $rfc);
    is($c2, 200, 'rfc9440, require: 200');
}
my $cc = hval($rfc, 'Client-Cert');
my $ccc = hval($rfc, 'Client-Cert-Chain');
like(verify_of('/rfc9440/env', without($rfc, 'Client-Cert-Chain')), qr/^FAILED:unable to get local issuer/,
     'rfc9440: leaf without its chain and CA file of the root only: FAILED');
(my $nocolon = $cc) =~ s/^://;
like(verify_of('/rfc9440/env', with($rfc, 'Client-Cert' => $nocolon)), qr/^FAILED:malformed header: /,
     'rfc9440: byte sequence without its opening colon: malformed');
like(verify_of('/rfc9440/env', with($rfc, 'Client-Cert' => "$cc;a=1")), qr/^FAILED:malformed header: parameters/,
     'rfc9440: parameters: malformed');
(my $unpadded = $cc) =~ s/=+:$/:/;
SKIP: {
    skip 'leaf base64 has no padding', 1 if $unpadded eq $cc;
    like(verify_of('/rfc9440/env', with($rfc, 'Client-Cert' => $unpadded)), qr/^FAILED:malformed header: /,
         'rfc9440: unpadded base64: malformed');
}
like(verify_of('/rfc9440/env', [['Client-Cert-Chain', $ccc]]), qr/^FAILED:malformed header: Client-Cert-Chain without/,
     'rfc9440: Client-Cert-Chain alone: malformed');
like(verify_of('/rfc9440/env', [['Client-Cert', $cc], ['Client-Cert', $cc]]), qr/^FAILED:malformed header: more than one Client-Cert/,
     'rfc9440: two Client-Cert fields: refused');
like(verify_of('/rfc9440/env', with($rfc, 'Client-Cert-Chain' => join(', ', ($ccc) x 11))), qr/^FAILED:too many certificates/,
     'rfc9440: 12 certificates: too many');
{   # oversize: httpd refuses the field before the module sees it
    my ($code) = req('/rfc9440/env', with($rfc, 'Client-Cert-Chain' => join(', ', ($ccc) x 40)));
    is($code, 400, 'rfc9440: oversize field: 400 from httpd');
}
{   # a chain in another order: path building does not rely on the order
    my $deep = headers('rfc9440', 'deep-chain.pem');
    my @members = split /, /, hval($deep, 'Client-Cert-Chain');
    my ($code, $e) = req('/rfc9440/env', with($deep, 'Client-Cert-Chain' => join(', ', reverse @members)));
    is($e->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'rfc9440: intermediates in reverse order: still verified');
    is($e->{SSL_CLIENT_S_DN_CN}, 'deep', 'rfc9440: reverse order: CN deep');
}

# --- xfcc ------------------------------------------------------------------
my $xf = headers('xfcc', 'client-chain.pem');
my $xv = hval($xf, 'X-Forwarded-Client-Cert');
{
    my ($code, $e) = req('/xfcc/env', $xf);
    is($e->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'xfcc: SUCCESS');
    is($e->{SSL_CLIENT_CERT}, $client_leaf, 'xfcc: SSL_CLIENT_CERT');
    is($e->{SSL_CLIENT_CERT_CHAIN_0}, $int, 'xfcc: SSL_CLIENT_CERT_CHAIN_0');
}
my $foreign_x = hval(headers('xfcc', 'foreign-chain.pem'), 'X-Forwarded-Client-Cert');
{
    my ($code, $e) = req('/xfcc/env', [['X-Forwarded-Client-Cert', qq{By=spiffe://a/b;$foreign_x,$xv}]]);
    is($e->{SSL_CLIENT_S_DN_CN}, 'client1', 'xfcc: two elements: the last one (nearest proxy) counts');
    like(verify_of('/xfcc/env', [['X-Forwarded-Client-Cert', "$xv,$foreign_x"]]), qr/^FAILED:/,
         'xfcc: a foreign certificate in the last element: FAILED');
}
(my $badhash = $xv) =~ s/Hash=(.)/'Hash=' . ($1 eq '0' ? '1' : '0')/e;
is(verify_of('/xfcc/env', [['X-Forwarded-Client-Cert', $badhash]]), 'FAILED:XFCC Hash does not match the certificate',
   'xfcc: Hash mismatch');
(my $unterminated = $xv) =~ s/"$//;
like(verify_of('/xfcc/env', [['X-Forwarded-Client-Cert', $unterminated]]), qr/^FAILED:malformed header: unterminated quote/,
     'xfcc: unterminated quote: malformed');
(my $nocert = $xv) =~ s/;Cert="[^"]*"//;
like(verify_of('/xfcc/env', [['X-Forwarded-Client-Cert', $nocert]]), qr/^FAILED:malformed header: XFCC element without Cert/,
     'xfcc: element without Cert: malformed');
{   # Chain that does not begin with Cert (intermediate first)
    my $wrong = alb_encode($int . $client_leaf);
    (my $v = $xv) =~ s/;Chain="[^"]*"/;Chain="$wrong"/;
    is(verify_of('/xfcc/env', [['X-Forwarded-Client-Cert', $v]]), 'FAILED:XFCC Chain does not begin with the Cert certificate',
       'xfcc: chain in the wrong order: refused');
}
like(verify_of('/xfcc/env', [['X-Forwarded-Client-Cert', $xv =~ s/%0A/%00/r]]), qr/^FAILED:malformed header/,
     'xfcc: NUL byte (%00) in Cert: malformed');

# --- base64-der, and one header read in two formats (cache keys) ----------
my $b64 = headers('base64-der', 'client-chain.pem', 'X-Both-Cert');
{
    my ($code, $e) = req('/b64/env', $b64);
    is($e->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'base64-der: SUCCESS');
    is($e->{SSL_CLIENT_CERT_CHAIN_0}, $int, 'base64-der: chain as sent');
    like(verify_of('/both-alb/env', $b64), qr/^FAILED:malformed header/,
         'the same value read as alb just after (cached as base64-der): malformed, not the cached SUCCESS');
    is(verify_of('/b64/env', $b64), 'SUCCESS', 'and as base64-der again: SUCCESS');
    my $alb = [['X-Both-Cert', alb_encode(pem('client-chain.pem'))]];
    is(verify_of('/both-alb/env', $alb), 'SUCCESS', 'alb value under the same name: SUCCESS as alb');
    like(verify_of('/b64/env', $alb), qr/^FAILED:malformed header/, 'and malformed as base64-der');
}

# --- alb-verify (ALB verify mode) and CloudFront viewer mTLS --------------
my $av = headers('alb-verify', 'client-chain.pem');
{
    my ($code, $e) = req('/verify-int/env', $av);
    is($e->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'alb-verify: leaf + descriptive headers, intermediates in the CA file: SUCCESS');
    is($e->{SSL_CLIENT_CERT}, $client_leaf, 'alb-verify: SSL_CLIENT_CERT');
    like(verify_of('/verify/env', $av), qr/^FAILED:unable to get local issuer certificate \(.*AlbMtlsCAFile/,
         'alb-verify without the intermediate: the reason says to put it in AlbMtlsCAFile');
    is(verify_of('/verify-int/env', with($av, 'X-Amzn-Mtls-Clientcert-Subject' => 'CN=admin,OU=Dev,O=Acme')),
       'FAILED:Subject header disagrees with the certificate', 'alb-verify: -Subject disagreeing with the leaf: FAILED');
    is(verify_of('/verify-int/env', with($av, 'X-Amzn-Mtls-Clientcert-Issuer' => 'CN=Other')),
       'FAILED:Issuer header disagrees with the certificate', 'alb-verify: -Issuer disagreeing');
    is(verify_of('/verify-int/env', with($av, 'X-Amzn-Mtls-Clientcert-Serial-Number' => '01')),
       'FAILED:Serial-Number header disagrees with the certificate', 'alb-verify: -Serial-Number disagreeing');
    is(verify_of('/verify-int/env', with($av, 'X-Amzn-Mtls-Clientcert-Validity' => 'NotBefore=2020-01-01T00:00:00Z;NotAfter=2099-01-01T00:00:00Z')),
       'FAILED:Validity header disagrees with the certificate', 'alb-verify: -Validity disagreeing');
    is(verify_of('/verify-int/env', with($av, 'X-Amzn-Mtls-Clientcert-Leaf' => alb_encode(pem('client-chain.pem')))),
       'FAILED:malformed header: more than the leaf in a leaf-only header', 'alb-verify: a chain in the leaf header: malformed');
    like(verify_of('/verify-int/env', without($av, 'X-Amzn-Mtls-Clientcert-Leaf')), qr/^FAILED:malformed header: descriptive headers without/,
         'alb-verify: descriptive headers without the leaf: malformed');
    is(verify_of('/verify-int/env', without($av, 'X-Amzn-Mtls-Clientcert-Subject', 'X-Amzn-Mtls-Clientcert-Issuer')),
       'SUCCESS', 'alb-verify: absent descriptive headers are not checked');
}
{
    my $cf = headers('alb-verify', 'client-chain.pem', 'CloudFront-Viewer-Cert-Pem');
    is(hval($cf, 'CloudFront-Viewer-Cert-Subject'), 'CN=client1,OU=Dev,O=Acme', 'CloudFront names: -Subject');
    my $der = `openssl x509 -outform DER -in '@{[ pki('client.crt') ]}'`;
    $cf = with($cf, 'CloudFront-Viewer-Cert-Sha256' => sha256_hex($der));
    is(verify_of('/cloudfront/env', $cf), 'SUCCESS', 'CloudFront viewer mTLS headers (alb-verify, AlbMtlsHeader CloudFront-Viewer-Cert-Pem): SUCCESS');
    is(verify_of('/cloudfront/env', with($cf, 'CloudFront-Viewer-Cert-Sha256' => '0' x 64)),
       'FAILED:Sha256 header disagrees with the certificate', 'CloudFront: -Sha256 disagreeing');
}

# --- untrusted peer: every format's headers stripped -----------------------
{
    my $mark = log_mark();
    my ($code, $e) = req('/rfc9440/env', $rfc, '127.0.0.2');
    is($e->{SSL_CLIENT_VERIFY}, 'NONE', 'untrusted peer, rfc9440: NONE');
    ok(!exists $e->{HTTP_CLIENT_CERT} && !exists $e->{HTTP_CLIENT_CERT_CHAIN}, 'untrusted peer: Client-Cert(-Chain) removed');
    ($code, $e) = req('/xfcc/env', $xf, '127.0.0.2');
    is($e->{SSL_CLIENT_VERIFY}, 'NONE', 'untrusted peer, xfcc: NONE');
    ok(!exists $e->{HTTP_X_FORWARDED_CLIENT_CERT}, 'untrusted peer: X-Forwarded-Client-Cert removed');
    ($code, $e) = req('/verify-int/env', $av, '127.0.0.2');
    is($e->{SSL_CLIENT_VERIFY}, 'NONE', 'untrusted peer, alb-verify: NONE');
    is(join(',', grep { /^HTTP_X_AMZN/ } sort keys %$e), '', 'untrusted peer: the verify-mode family removed');
    ($code, $e) = req('/b64/env', $b64, '127.0.0.2');
    ok(!exists $e->{HTTP_X_BOTH_CERT}, 'untrusted peer: base64-der AlbMtlsHeader removed');
    ($code, $e) = req('/cloudfront/env', headers('alb-verify', 'client-chain.pem', 'CloudFront-Viewer-Cert-Pem'), '127.0.0.2');
    is(join(',', grep { /^HTTP_CLOUDFRONT/ } sort keys %$e), '', 'untrusted peer: CloudFront-Viewer-Cert-* removed');
    like(log_since($mark), qr/ALB00104: removed header Client-Cert-Chain sent by untrusted peer 127\.0\.0\.2/,
         'untrusted peer: ALB00104 logged');
    my $rh;
    ($code, $e, $rh) = req('/rfc9440/env', [['Client_Cert', $cc], ['X_Forwarded_Client_Cert', $xv],
        ['X_Amzn_Mtls_Clientcert_Subject', 'spoofed'], ['CloudFront_Viewer_Cert_Subject', 'spoofed']], '127.0.0.2');
    is(join('|', map { $rh->{$_} // '' } qw(x-seen-cc x-seen-xfcc x-seen-subject x-seen-cf)), '|||',
       "untrusted peer: '_' spellings of every format's headers removed");
    ($code, $e) = req('/rfc9440/env', [['Client_Cert', $cc]]);
    is($e->{SSL_CLIENT_VERIFY}, 'NONE', "trusted peer: Client_Cert ('_') is not read as Client-Cert");
}

# --- AlbMtlsProxyVerified -----------------------------------------------------
my $foreign = headers('rfc9440', 'foreign-chain.pem');
{
    my ($code, $e) = req('/pv/env', $foreign);
    is($e->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'ProxyVerified on, trusted peer, foreign CA: SUCCESS (the proxy verified it)');
    is($e->{SSL_CLIENT_S_DN_CN}, 'foreign', 'ProxyVerified: CN published');
    like(verify_of('/rfc9440/env', $foreign), qr/^FAILED:/, 'same headers where ProxyVerified is off: FAILED (no shared cache entry)');
    is(verify_of('/pv/env', $foreign), 'SUCCESS', 'ProxyVerified again after the FAILED: SUCCESS');
    like(verify_of('/rfc9440/env', $foreign), qr/^FAILED:/, 'and off again: FAILED');
    ($code, $e) = req('/pv/env', $foreign, '127.0.0.2');
    is($e->{SSL_CLIENT_VERIFY}, 'NONE', 'ProxyVerified on, untrusted peer: NONE');
    is(join(' ', grep { ($e->{$_} // '') ne '' } identity_vars($e)), '', 'ProxyVerified, untrusted peer: no identity variable with a value');
    like(verify_of('/pv/env', with($foreign, 'Client-Cert' => ':AAAA:')), qr/^FAILED:malformed header: invalid certificate/,
         'ProxyVerified on, a byte sequence that is no certificate: FAILED');
    like(verify_of('/pv/env', with($foreign, 'Client-Cert' => 'garbage')), qr/^FAILED:malformed header/,
         'ProxyVerified on, malformed header: FAILED');
    is(verify_of('/pv/env', []), 'NONE', 'ProxyVerified on, no header: NONE');
    ($code) = req('/pvcn/env', $foreign);
    is($code, 403, 'ProxyVerified + AlbMtlsRequireCN client1, CN foreign: 403');
    ($code) = req('/pvcn/env', $rfc);
    is($code, 200, 'ProxyVerified + AlbMtlsRequireCN client1, CN client1: 200');
    ($code) = req('/pvcn/env', $rfc, '127.0.0.2');
    is($code, 403, 'ProxyVerified + require, untrusted peer: 403');
    ($code) = req('/pvreq/env', $foreign);
    is($code, 403, 'ProxyVerified + Require alb-mtls-cn other, CN foreign: 403');
    ($code) = req('/pvreq/env', headers('rfc9440', 'other-chain.pem'));
    is($code, 200, 'ProxyVerified + Require alb-mtls-cn other, CN other: 200');
}

# --- start-up: base64-der needs AlbMtlsHeader, unknown formats, the
# ProxyVerified notice -------------------------------------------------------
{
    require File::Path;
    my $dir = File::Spec->catdir(Apache::Test::vars('t_logs'), 'formatcfg');
    File::Path::make_path($dir);
    my $ca = pki('root.crt');
    my ($failed, $out, $file) = config_check($dir, <<"C");
AlbMtlsCAFile "$ca"
<Location /x>
    AlbMtlsVerifyClient optional
    AlbMtlsHeaderFormat base64-der
</Location>
C
    ok($failed, 'base64-der without AlbMtlsHeader: httpd does not start');
    like($out, qr/ALB00018: AlbMtlsHeaderFormat base64-der at \Q$file\E:\d+ has no default header name/,
         '... ALB00018 names the file and line');
    ($failed, $out) = config_check($dir, <<"C");
AlbMtlsCAFile "$ca"
<Location /x>
    AlbMtlsHeader X-Der
    AlbMtlsHeaderFormat base64-der
    AlbMtlsVerifyClient optional
</Location>
C
    ok(!$failed, 'base64-der with AlbMtlsHeader in the same section (before it): starts') or diag($out);
    ($failed, $out) = config_check($dir, "AlbMtlsHeaderFormat pem\n");
    like($out, qr/AlbMtlsHeaderFormat: unknown format 'pem'/, 'unknown format: refused, named');
    ($failed, $out) = config_check($dir, <<"C");
<Location /x>
    AlbMtlsProxyVerified on
    AlbMtlsVerifyClient require
</Location>
C
    ok(!$failed, 'ProxyVerified on without a CA file: starts') or diag($out);
    like($out, qr/ALB00017: the main server trusts its proxies' verification: AlbMtlsProxyVerified on at \S+:\d+/,
         'start-up names the server that trusts its proxies (ALB00017)');
}
