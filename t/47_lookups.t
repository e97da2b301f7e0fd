# SSL_CLIENT_* through httpd's lookup paths without mod_ssl: mod_rewrite
# %{SSL:VAR} and mod_headers %{VAR}s (ssl_var_lookup hook), mod_headers
# expr= and SetEnvIfExpr (expr_lookup hook), and %{VAR}x in a LogFormat
# (the module's x log handler), on vhost alb_authz.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use AlbMtls::Test qw(:all);
use File::Spec ();
use Time::HiRes ();

my $H = 'X-Amzn-Mtls-Clientcert';
my %chain = map { ($_ => alb_encode(pem("$_-chain.pem"))) }
    qw(client client2 multiou expired);
chomp(my $fp1 = lc openssl_field(pki('client.crt'), '-fingerprint', '-sha256'));
$fp1 =~ s/^.*=//;
$fp1 =~ s/://g;

plan tests => 12 + 5 + 4 + 3 + 6;

my $hp = hostport('alb_authz');

# client1: every path answers
{
    my $res = Apache::TestRequest::GET("http://$hp/rw/env", $H => $chain{client});
    my $env = parse_env($res->content);
    is($res->code, 200, 'client1: 200');
    is($env->{RW_CN}, 'client1', 'mod_rewrite %{SSL:SSL_CLIENT_S_DN_CN}');
    is($env->{RW_VERIFY}, 'SUCCESS', 'mod_rewrite %{SSL:SSL_CLIENT_VERIFY}');
    is($env->{RW_OU1}, '', 'mod_rewrite %{SSL:SSL_CLIENT_S_DN_OU_1}: empty for one OU');
    is($env->{HTTP_X_HDR_CN}, 'client1', 'mod_headers %{SSL_CLIENT_S_DN_CN}s');
    is($env->{HTTP_X_HDR_URI}, 'spiffe://example.com/client1', 'mod_headers %{SSL_CLIENT_SAN_URI_0}s');
    is($env->{HTTP_X_EXPR_O}, 'Acme', 'mod_headers expr=%{SSL_CLIENT_S_DN_O}');
    is($env->{HTTP_X_EXPR_FP}, $fp1, 'expr=%{SSL_CLIENT_CERT_SHA256} = openssl fingerprint');
    is($res->header('X-Resp-CN'), 'client1', 'response Header expr=%{SSL_CLIENT_S_DN_CN}');
    is($env->{IS_CLIENT1}, 'yes', 'SetEnvIfExpr on SSL_CLIENT_S_DN_CN');
    is($env->{SSL_CLIENT_S_DN_CN}, 'client1', 'exported variable agrees');

    $res = Apache::TestRequest::GET("http://$hp/rw/env", $H => $chain{client2});
    is($res->code, 403, 'RewriteCond %{SSL:SSL_CLIENT_S_DN_CN} =client2 -> [F]');
}

# multiou: second OU, UTF-8 CN
{
    my $res = Apache::TestRequest::GET("http://$hp/rw/env", $H => $chain{multiou});
    my $env = parse_env($res->content);
    is($res->code, 200, 'multiou: 200');
    is($env->{RW_OU1}, 'Platform', 'mod_rewrite %{SSL:SSL_CLIENT_S_DN_OU_1}');
    is($env->{RW_CN}, "J\xc3\xb6hn \"Q\" Multi", 'mod_rewrite: UTF-8 CN with quotes, bytes as mod_ssl');
    is($env->{HTTP_X_HDR_URI}, 'spiffe://example.com/ns/prod/sa/api', 'mod_headers: URI SAN');
    ok(!exists $env->{IS_CLIENT1}, 'SetEnvIfExpr false for another CN');
}

# failed chain and no certificate: no identity anywhere
{
    my $res = Apache::TestRequest::GET("http://$hp/rw/env", $H => $chain{expired});
    my $env = parse_env($res->content);
    is($env->{RW_VERIFY}, 'FAILED:certificate has expired', 'expired: %{SSL:SSL_CLIENT_VERIFY}');
    is($env->{RW_CN}, '', 'expired: no CN through mod_rewrite');
    is($env->{HTTP_X_HDR_CN}, '(null)', 'expired: mod_headers shows (null) as for mod_ssl');
    ok(!exists $env->{HTTP_X_EXPR_O} || $env->{HTTP_X_EXPR_O} eq '', 'expired: no O through expr');
}
{
    my $res = Apache::TestRequest::GET("http://$hp/rw/env");
    my $env = parse_env($res->content);
    is($res->code, 200, 'no certificate: 200 (optional)');
    is($env->{RW_VERIFY}, 'NONE', 'no certificate: %{SSL:SSL_CLIENT_VERIFY} is NONE (plain HTTP)');
    is($env->{RW_CN}, '', 'no certificate: no CN');
}

# %{VAR}x in the access log: escaped as mod_ssl 2.4.64+ escapes it
{
    my $log = File::Spec->catfile(Apache::Test::vars('t_logs'), 'authz_log');
    my $mark = -s $log || 0;
    Apache::TestRequest::GET("http://$hp/p/any/env?one", $H => $chain{client});
    Apache::TestRequest::GET("http://$hp/e/o/env?two", $H => $chain{multiou});
    Apache::TestRequest::GET("http://$hp/p/any/env?three", $H => $chain{expired});
    Apache::TestRequest::GET("http://$hp/p/any/env?four");
    my %line;
    for (1 .. 50) {            # log lines are written after the responses
        open my $fh, '<', $log or die "$log: $!";
        seek $fh, $mark, 0;
        %line = map { /\?(one|two|three|four)$/ ? ($1 => $_) : () } <$fh>;
        close $fh;
        chomp for values %line;
        last if keys %line == 4;
        Time::HiRes::sleep(0.1);
    }
    is(scalar keys %line, 4, 'four access-log lines');
    is($line{one}, 'client1|SUCCESS|spiffe://example.com/client1|client1|-|/p/any/env?one',
       '%{..}x for client1 (and %{SSL_CLIENT_S_DN_CN}e)');
    is($line{two}, 'J\xc3\xb6hn \"Q\" Multi|SUCCESS|spiffe://example.com/ns/prod/sa/api|J\xc3\xb6hn \"Q\" Multi|-|/e/o/env?two',
       '%{..}x escaped (\\xhh, \\") like %{..}e');
    like($line{three} // '', qr/^-\|FAILED:certificate has expired\|-\|-\|-\|/, '%{..}x for a failed chain: no identity');
    is($line{four}, '-|NONE|-|-|-|/p/any/env?four', '%{..}x without a certificate');
    unlike(join("\n", values %line), qr/client2/, 'no stray values');
}
