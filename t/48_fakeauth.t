# AlbMtlsOptions +FakeBasicAuth with mod_auth_basic and an AuthUserFile
# (t/auth/fake.htpasswd: the legacy DN of client1 with the hash of
# "password", alice/secret, and "/CN=slash" with another password), and
# the protection against a client-sent fake header (vhost alb_authz).
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);
use MIME::Base64 qw(encode_base64);

my $H = 'X-Amzn-Mtls-Clientcert';
my %chain = map { ($_ => alb_encode(pem("$_-chain.pem"))) } qw(client client2 expired);
sub basic { ('Authorization' => 'Basic ' . encode_base64(join(':', @_), '')) }

plan tests => 5 + 2 + 9 + 4 + 3 + 8;

# the certificate becomes the Basic user
{
    my $mark = log_mark();
    my ($code, $env) = get_env('alb_authz', '/fake/env', $H => $chain{client});
    is($code, 200, 'client1 with FakeBasicAuth: 200');
    is($env->{REMOTE_USER}, '/O=Acme/OU=Dev/CN=client1', 'REMOTE_USER = legacy DN');
    is($env->{AUTH_TYPE}, 'Basic', 'AUTH_TYPE = Basic');
    ok(!exists $env->{HTTP_AUTHORIZATION}, 'the fake header is not passed to the CGI');
    like(log_since($mark), qr{ALB00204: FakeBasicAuth: user "/O=Acme/OU=Dev/CN=client1"}, 'info line names the user');
}
{
    my ($code) = get_env('alb_authz', '/fake/env', $H => $chain{client2});
    is($code, 401, 'client2 (not in the user file): 401');
    ($code) = get_env('alb_authz', '/fake/env', $H => $chain{expired});
    is($code, 401, 'failed chain: no fake user, 401');
}

# client-sent fakes: 403 and one line, with or without a certificate
{
    my @spoofs = (
        [ 'DN of client1, no certificate', [ basic('/O=Acme/OU=Dev/CN=client1', 'password') ] ],
        [ 'DN of client1 with client2 certificate', [ basic('/O=Acme/OU=Dev/CN=client1', 'password'), $H => $chain{client2} ] ],
        [ 'scheme in lower case',          [ 'Authorization' => 'basic ' . encode_base64('/CN=x:password', '') ] ],
        [ 'tab before the credentials',    [ 'Authorization' => "Basic \t" . encode_base64('/CN=x:password', '') ] ],
    );
    for my $s (@spoofs) {
        my $mark = log_mark();
        my ($code) = get_env('alb_authz', '/fake/env', @{ $s->[1] });
        is($code, 403, "spoof ($s->[0]): 403");
        my @lines = grep { /ALB00203/ } split /\n/, log_since($mark);
        is(scalar @lines, 1, "spoof ($s->[0]): one log line");
    }
    my $mark = log_mark();
    my ($code) = get_env('alb_authz', '/nofake/env', basic('/O=Acme/OU=Dev/CN=client1', 'password'));
    is($code, 403, 'spoof where FakeBasicAuth is off: 403 too (as mod_ssl)');
}

# what is not a spoof
{
    my ($code, $env) = get_env('alb_authz', '/fake/env', basic('alice', 'secret'));
    is($code, 200, 'ordinary Basic user next to FakeBasicAuth: 200');
    is($env->{REMOTE_USER}, 'alice', 'REMOTE_USER alice');
    # a user in DN form is refused whatever the password: only a verified
    # certificate makes one (the user file's /CN=slash is out of reach)
    ($code, $env) = get_env('alb_authz', '/fake/env', basic('/CN=slash', 'other'));
    is($code, 403, 'user in DN form with its own right password: 403');
    ($code) = get_env('alb_authz', '/fake/env', basic('/CN=slash', 'passwordx'));
    is($code, 403, 'user in DN form, password "passwordx": 403');
}

# FakeBasicAuth off: the certificate gives no user
{
    my ($code) = get_env('alb_authz', '/nofake/env', $H => $chain{client});
    is($code, 401, 'client1 where FakeBasicAuth is off: 401');
    my $mark = log_mark();
    ($code) = get_env('alb_authz', '/nofake/env', basic('alice', 'secret'));
    is($code, 200, 'alice where FakeBasicAuth is off: 200');
    unlike(log_since($mark), qr/ALB0020[34]/, 'no FakeBasicAuth line for alice');
}

# odd Authorization headers: a clean 401 (403 where the user has DN
# form), never a 500 or a crash
{
    my @odd = (
        [ 'Basic without credentials', 'Basic', 401 ],
        [ 'Basic and blanks',          "Basic  \t ", 401 ],
        [ 'padding only',              'Basic ====', 401 ],
        [ 'not base64',                'Basic %%%%/CN=x:password', 401 ],
        [ 'user "/" without colon',    'Basic ' . encode_base64('/', ''), 403 ],
        [ 'empty password',            'Basic ' . encode_base64('/CN=x:', ''), 403 ],
        [ 'NUL before the password',   'Basic ' . encode_base64("/CN=x\0:password", ''), 403 ],
        [ 'long value',                'Basic ' . ('QUFB' x 3000), 401 ],
    );
    for my $o (@odd) {
        my ($code) = get_env('alb_authz', '/nofake/env', 'Authorization' => $o->[1]);
        is($code, $o->[2], "odd header ($o->[0]): $o->[2]");
    }
}
