# Configuration errors: `httpd -t -f <small config>` with the module loaded
# must fail for bad directive values, naming the directive (and httpd adds
# file and line); good values must pass.  Checks that only start-up can see
# (post_config) are caught by a real foreground start (-X) as well.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(pki slurp small_config httpd_syntax httpd_start
                     config_check);
use File::Path qw(make_path);
use File::Spec ();

my $dir    = File::Spec->catdir(Apache::Test::vars('t_logs'), 'cfg');
make_path($dir);

my $root   = pki('root.crt');
my $capath = pki('capath');
my $nocert = "$dir/no-certificate.pem";
{ open my $fh, '>', $nocert or die $!; print $fh "this is not a certificate\n"; }

my $ca = qq{AlbMtlsCAFile "$root"};

my @good = (
    [ 'require + CAFile',         "AlbMtlsVerifyClient require\n$ca" ],
    [ 'on/off aliases',           "AlbMtlsVerifyClient on\n$ca\n<Location /x>\nAlbMtlsVerifyClient off\n</Location>" ],
    [ 'optional_no_ca + CAPath',  qq{AlbMtlsVerifyClient optional_no_ca\nAlbMtlsCAPath "$capath"} ],
    [ 'VerifyDepth 0 and 32',     "AlbMtlsVerifyDepth 0\n<Location /x>\nAlbMtlsVerifyDepth 32\n</Location>" ],
    [ 'TrustedProxy list',        'AlbMtlsTrustedProxy 10.0.0.0/8 ::1 fc00::/7 192.0.2.1' ],
    [ 'TrustedProxy any',         'AlbMtlsTrustedProxy any' ],
    [ 'relative Options',         'AlbMtlsOptions -StdEnvVars +ExportCertData +LegacyDNStringFormat' ],
    [ 'absolute Options',         'AlbMtlsOptions StdEnvVars ExportCertData' ],
    [ 'RequireCN, Header, UserName', "AlbMtlsRequireCN a b c\nAlbMtlsHeader X-Client-Chain\nAlbMtlsUserName SSL_CLIENT_S_DN_CN" ],
    # Require providers, lookups, FakeBasicAuth
    [ 'FakeBasicAuth',            "AlbMtlsOptions +FakeBasicAuth\n<Location /x>\nAlbMtlsOptions -FakeBasicAuth\n</Location>" ],
    [ 'Require alb-mtls* with good arguments', "<Location /x>\n<RequireAll>\nRequire alb-mtls\n"
        . "Require alb-mtls-cn client1 \"two words\"\nRequire alb-mtls-san-dns a.example.com *.example.com\n"
        . "Require alb-mtls-san-uri spiffe://example.com/ns/a urn:x:y\nRequire alb-mtls-san-email a\@example.com\n"
        . "Require alb-mtls-fingerprint " . join(':', ('AB') x 32) . ' ' . ('0f' x 32) . "\n"
        . "Require not alb-mtls-cn mallory\n</RequireAll>\n</Location>" ],
    [ 'SSL_CLIENT_* in Require expr and <If> without mod_ssl',
      "<Location /x>\nRequire expr \"%{SSL_CLIENT_S_DN_O} == 'Acme' && %{SSL_CLIENT_S_DN_OU_1} == 'b'\"\n</Location>\n"
        . "<If \"%{SSL_CLIENT_SAN_DNS_0} == 'a' || %{ssl_client_verify} == 'SUCCESS'\">\n</If>" ],
    [ '%{SSL_CLIENT_S_DN_CN}x in a LogFormat without mod_ssl',
      qq{LogFormat "%{SSL_CLIENT_S_DN_CN}x %{SSL_CLIENT_VERIFY}x" alb\nCustomLog "$dir/x_log" alb} ],
);

# name, config, directive the message must name, 1 if httpd reports a line
my @bad = (
    [ 'unknown VerifyClient word', 'AlbMtlsVerifyClient sometimes', 'AlbMtlsVerifyClient', 1 ],
    [ 'VerifyDepth 99',            'AlbMtlsVerifyDepth 99',         'AlbMtlsVerifyDepth', 1 ],
    [ 'VerifyDepth 5x',            'AlbMtlsVerifyDepth 5x',         'AlbMtlsVerifyDepth', 1 ],
    [ 'VerifyDepth -1',            'AlbMtlsVerifyDepth -1',         'AlbMtlsVerifyDepth', 1 ],
    [ 'bad CIDR bits',             'AlbMtlsTrustedProxy 10.0.0.0/33', 'AlbMtlsTrustedProxy', 1 ],
    [ 'bad address',               'AlbMtlsTrustedProxy 300.1.2.3',   'AlbMtlsTrustedProxy', 1 ],
    [ 'CIDR with junk',            'AlbMtlsTrustedProxy 10.0.0.0/8x', 'AlbMtlsTrustedProxy', 1 ],
    [ 'TrustedProxy in Location',  "<Location /x>\nAlbMtlsTrustedProxy 127.0.0.1\n</Location>", 'AlbMtlsTrustedProxy', 1 ],
    [ 'missing CA file',           "AlbMtlsVerifyClient require\nAlbMtlsCAFile $dir/does-not-exist.pem", 'AlbMtlsCAFile', 1 ],
    [ 'CA file is a directory',    "AlbMtlsVerifyClient require\nAlbMtlsCAFile $capath", 'AlbMtlsCAFile', 1 ],
    [ 'CA file without certificates', "AlbMtlsVerifyClient require\nAlbMtlsCAFile $nocert", 'AlbMtlsCAFile', 1 ],
    [ 'missing CA path',           "AlbMtlsVerifyClient require\nAlbMtlsCAPath $dir/no-such-dir", 'AlbMtlsCAPath', 1 ],
    [ 'mixed +/- and absolute Options', 'AlbMtlsOptions +StdEnvVars ExportCertData', 'AlbMtlsOptions', 1 ],
    [ 'unknown option',            'AlbMtlsOptions +Bogus',         'AlbMtlsOptions', 1 ],
    # name, Require line inside <Location /x>
    (map { [ "Require $_->[0]", "<Location /x>\nRequire $_->[1]\n</Location>", $_->[2], 1 ] } (
        [ 'fingerprint of 63 digits', 'alb-mtls-fingerprint ' . ('a' x 63), 'Require alb-mtls-fingerprint' ],
        [ 'fingerprint of 65 digits', 'alb-mtls-fingerprint ' . ('a' x 65), 'Require alb-mtls-fingerprint' ],
        [ 'fingerprint not hex',      'alb-mtls-fingerprint ' . ('g' x 64), 'Require alb-mtls-fingerprint' ],
        [ 'fingerprint as sha256:..', 'alb-mtls-fingerprint sha256:' . ('a' x 64), 'Require alb-mtls-fingerprint' ],
        [ 'DNS wildcard in the middle', 'alb-mtls-san-dns a.*.example.com', 'Require alb-mtls-san-dns' ],
        [ 'DNS wildcard over a TLD',  'alb-mtls-san-dns *.com',          'Require alb-mtls-san-dns' ],
        [ 'DNS name with a slash',    'alb-mtls-san-dns example.com/x',  'Require alb-mtls-san-dns' ],
        [ 'URI without scheme',       'alb-mtls-san-uri example.com/a',  'Require alb-mtls-san-uri' ],
        [ 'email without @',          'alb-mtls-san-email alice',        'Require alb-mtls-san-email' ],
        [ 'alb-mtls with an argument', 'alb-mtls client1',               'Require alb-mtls' ],
        [ 'alb-mtls-cn without names', 'alb-mtls-cn',                    'Require alb-mtls-cn' ],
    )),
    [ 'require with no CA anywhere', "<Location /x>\nAlbMtlsVerifyClient require\n</Location>", qr/AlbMtlsCA(?:File|Path)/, 0 ],
);

plan tests => @good + 3 * @bad + 3;


for my $g (@good) {
    my ($name, $body) = @$g;
    my ($failed, $out) = config_check($dir, $body);
    ok(!$failed, "accepted: $name") or diag($out);
}

for my $b (@bad) {
    my ($name, $body, $directive, $has_line) = @$b;
    my ($failed, $out, $f) = config_check($dir, $body);
    ok($failed, "refused: $name");
    my $re = ref $directive ? $directive : qr/\Q$directive\E/;
    like($out, $re, "$name: message names the directive");
    if ($has_line) {
        like($out, qr/line \d+ of \Q$f\E/, "$name: httpd names file and line");
    }
    else {
        like($out, qr/\Q$f\E/, "$name: message names the configuration file");
    }
}

# LimitRequestFieldSize below the ALB's 16 KB where the module is enabled
{
    my $body = "LimitRequestFieldSize 8190\nAlbMtlsVerifyClient require\n$ca";
    my ($f, $log, $port) = small_config($dir, $body);
    my (undef, $out) = httpd_syntax($f);
    my $st = httpd_start($f, $log, $port);
    $out .= slurp("$log.stdout") . slurp($log);
    is($st, 0, 'LimitRequestFieldSize 8190: still starts');
    like($out, qr/LimitRequestFieldSize.*\b8190\b|\b8190\b.*LimitRequestFieldSize/,
         'LimitRequestFieldSize 8190 with the module enabled: start-up warning');

    ($f, $log, $port) = small_config($dir, "LimitRequestFieldSize 16384\nAlbMtlsVerifyClient require\n$ca");
    (undef, $out) = httpd_syntax($f);
    httpd_start($f, $log, $port);
    $out .= slurp("$log.stdout") . slurp($log);
    unlike($out, qr/LimitRequestFieldSize/, 'LimitRequestFieldSize 16384: no warning');
}
