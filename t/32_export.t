# AlbMtlsExport: with StdEnvVars only the listed variables (and always
# SSL_CLIENT_VERIFY) reach the environment, and with -StdEnvVars none, not
# even one another module set; lookups (ap_expr, mod_headers
# %{..}s, mod_rewrite %{SSL:..}) still answer every name; a cache hit
# exports what a miss exports; a bad name is a start-up error.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);
use LWP::UserAgent;
use File::Path qw(make_path);
use File::Spec ();

my $H = 'X-Amzn-Mtls-Clientcert';
my $good = alb_encode(pem('client-chain.pem'));
my $expired = alb_encode(pem('expired-chain.pem'));

plan tests => 11 + 4 + 9 + 3 + 6;

sub client_names { my ($env) = @_; join ' ', sort grep { /^SSL_CLIENT_/ } keys %$env }

sub agent { LWP::UserAgent->new(keep_alive => 1, timeout => 30) }

sub get {
    my ($ua, $vhost, $path, @h) = @_;
    my $res = $ua->get('http://' . hostport($vhost) . $path, @h);
    return ($res->code, parse_env($res->content), $res);
}

sub counters {
    my ($ua, $vhost) = @_;
    my (undef, undef, $res) = get($ua, $vhost, '/server-status?auto');
    my %c;
    for (split /\n/, $res->content) { $c{$1} = $2 if /^AlbMtls(\w+): (\d+)$/ }
    return \%c;
}

# one name
{
    my ($code, $env) = get_env('alb_export', '/one/env', $H => $good);
    is($code, 200, 'AlbMtlsExport SSL_CLIENT_S_DN_CN: 200');
    is(client_names($env), 'SSL_CLIENT_S_DN_CN SSL_CLIENT_VERIFY',
       'only SSL_CLIENT_S_DN_CN and SSL_CLIENT_VERIFY are exported');
    is($env->{SSL_CLIENT_S_DN_CN}, 'client1', 'SSL_CLIENT_S_DN_CN = client1');
    is($env->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'SSL_CLIENT_VERIFY = SUCCESS');
    is($env->{HTTP_X_EXPR_O}, 'Acme', 'ap_expr %{SSL_CLIENT_S_DN_O} still answers');
    is($env->{HTTP_X_HDR_URI}, 'spiffe://example.com/client1',
       'mod_headers %{SSL_CLIENT_SAN_URI_0}s still answers');
    is($env->{RW_OU}, 'Dev', 'mod_rewrite %{SSL:SSL_CLIENT_S_DN_OU} still answers');

    ($code, $env) = get_env('alb_export', '/one/all/env', $H => $good);
    ok(exists $env->{SSL_CLIENT_S_DN_O} && exists $env->{SSL_CLIENT_M_SERIAL}
       && exists $env->{SSL_CLIENT_I_DN},
       'AlbMtlsExport all in a later section: the whole set again');
    my ($c2, $full) = get_env('alb', '/opt/env', $H => $good);
    is(client_names($env), client_names($full),
       'all = the set exported without AlbMtlsExport');

    ($code, $env) = get_env('alb_export', '/one/env', $H => $expired);
    is(client_names($env), 'SSL_CLIENT_VERIFY', 'a FAILED chain: SSL_CLIENT_VERIFY alone');
    like($env->{SSL_CLIENT_VERIFY} // '', qr/^FAILED:/, 'and it says FAILED');
}

# Require expr reads names that are not exported
{
    my ($code, $env) = get_env('alb_export', '/expr/env', $H => $good);
    is($code, 200, 'Require expr on unexported names: granted for client1');
    is(client_names($env), 'SSL_CLIENT_S_DN_CN SSL_CLIENT_VERIFY', 'and exports only the list');
    ($code) = get_env('alb_export', '/expr/env', $H => alb_encode(pem('client2-chain.pem')));
    is($code, 403, 'Require expr: another certificate refused');
    ($code) = get_env('alb_export', '/expr/env');
    is($code, 403, 'Require expr: no certificate refused');
}

# several names over two lines, +ExportCertData; hits export what misses do
{
    my $want = join ' ', sort qw(SSL_CLIENT_VERIFY SSL_CLIENT_S_DN_CN SSL_CLIENT_SAN_URI_0
        SSL_CLIENT_I_DN_CN SSL_CLIENT_SAN_Email_0 SSL_CLIENT_V_REMAIN SSL_CLIENT_S_DN_CN_RAW
        SSL_CLIENT_CERT SSL_CLIENT_CERT_CHAIN_0);
    my $ua = agent();
    my $c0 = counters($ua, 'alb_export');
    my @cached = map { [ get($ua, 'alb_export', '/several/env', $H => $good) ] } 1 .. 3;
    my $c1 = counters($ua, 'alb_export');
    my @uncached = map { [ get($ua, 'alb_export_nocache', '/several/env', $H => $good) ] } 1 .. 2;
    is(client_names($cached[0][1]), $want, 'two AlbMtlsExport lines add up, with ExportCertData');
    is($cached[0][1]{SSL_CLIENT_S_DN_CN_RAW}, 'client1', 'SSL_CLIENT_S_DN_CN_RAW (not in the standard set)');
    is($cached[0][1]{SSL_CLIENT_SAN_Email_0}, 'client1@example.com', 'SSL_CLIENT_SAN_Email_0');
    is($cached[0][1]{SSL_CLIENT_I_DN_CN}, 'Test Intermediate CA', 'SSL_CLIENT_I_DN_CN');
    like($cached[0][1]{SSL_CLIENT_V_REMAIN} // '', qr/^\d+$/, 'SSL_CLIENT_V_REMAIN');
    cmp_ok(($c1->{CacheHits} // 0) - ($c0->{CacheHits} // 0), '>=', 2,
           'the second and third requests (at least) were hits');
    my $same = 1;
    for my $r (@cached[1, 2], @uncached) {
        $same = 0 unless client_names($r->[1]) eq $want;
        for my $k (grep { $_ ne 'SSL_CLIENT_V_REMAIN' } split ' ', $want) {
            $same = 0 unless ($r->[1]{$k} // '<none>') eq ($cached[0][1]{$k} // '');
        }
    }
    ok($same, 'hits and misses (and AlbMtlsCache none) export the same names and values');
    is($uncached[0][0], 200, 'AlbMtlsCache none: 200');
    is($cached[1][1]{SSL_CLIENT_CERT}, pem('client.crt'), 'SSL_CLIENT_CERT on a hit');
}

# -StdEnvVars: the list exports nothing
{
    my ($code, $env) = get_env('alb_export', '/nostd/env', $H => $good);
    is($code, 200, '-StdEnvVars with AlbMtlsExport: 200');
    is(client_names($env), '',
       "-StdEnvVars: no SSL_CLIENT_* at all, not even SetEnvIf's SSL_CLIENT_S_DN_CN=admin");
    ($code, $env) = get_env('alb_export', '/nostd/env');
    is($code, 200, '-StdEnvVars, no header: 200');
}

# start-up errors
{
    my $root = pki('root.crt');
    my $dir = File::Spec->catdir(Apache::Test::vars('t_logs'), 'exportcfg');
    make_path($dir);
    my $base = qq{AlbMtlsVerifyClient optional\nAlbMtlsCAFile "$root"\n};
    my ($bad, $out) = config_check($dir, $base . "AlbMtlsExport SSL_CLIENT_S_DN_XYZ\n");
    ok($bad, 'unknown variable: start-up fails');
    like($out, qr/AlbMtlsExport: 'SSL_CLIENT_S_DN_XYZ' is not an SSL_CLIENT_\* variable/,
         'and the error names the directive and the variable');
    ($bad, $out) = config_check($dir, $base . "AlbMtlsExport all SSL_CLIENT_S_DN_CN\n");
    ok($bad, "'all' with names: start-up fails");
    like($out, qr/cannot be combined/, 'and says why');
    ($bad, $out) = config_check($dir, $base . "AlbMtlsExport SSL_CLIENT_S_DN_CN SSL_CLIENT_SAN_DNS_0\n");
    ok(!$bad, 'known names: start-up succeeds') or diag $out;
    ($bad, $out) = config_check($dir, $base . "AlbMtlsExport HTTP_HOST\n");
    ok($bad, 'a name that is not SSL_CLIENT_*: start-up fails');
}
