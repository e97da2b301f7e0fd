# ErrorDocument, internal redirects and subrequests (vhost alb_redirect):
# the verdict is reached once per request and reused, so the variables
# survive and a refusal is logged once.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);

my $H = 'X-Amzn-Mtls-Clientcert';
my $good = alb_encode(pem('client-chain.pem'));
my $expired = alb_encode(pem('expired-chain.pem'));

plan tests => 3 + 3 + 4 + 3 + 3 + 1;

sub refusals { scalar grep { /ALB00101/ } split /\n/, log_since($_[0]) }

# ErrorDocument 403 in a `none` location
{
    my $mark = log_mark();
    my ($code, $env, $body) = get_env('alb_redirect', '/req/env', $H => $expired);
    is($code, 403, 'ErrorDocument: refused request keeps status 403');
    like($body, qr/CUSTOM-403-PAGE/, 'ErrorDocument 403: custom page served');
    is(refusals($mark), 1, 'ErrorDocument: one ALB00101 line');
}
{
    my $mark = log_mark();
    my ($code, $env, $body) = get_env('alb_redirect', '/req/env');
    is($code, 403, 'ErrorDocument, no header: 403');
    like($body, qr/CUSTOM-403-PAGE/, 'ErrorDocument, no header: custom page');
    is(refusals($mark), 1, 'ErrorDocument, no header: one ALB00101 line');
}

# ErrorDocument that is itself under the same require policy
{
    my $mark = log_mark();
    my ($code, $env, $body) = get_env('alb_redirect', '/loop/env', $H => $expired);
    is($code, 403, 'ErrorDocument under require: 403');
    unlike($body, qr/SSL_CLIENT_S_DN_CN=expired/, 'ErrorDocument under require: no identity leaked');
    is(refusals($mark), 1, 'ErrorDocument under require: still one ALB00101 line');
    my ($code2) = get_env('alb_redirect', '/loop/env', $H => $good);
    is($code2, 200, 'same location, valid chain: 200');
}

# DirectoryIndex: subrequest + fast internal redirect to the CGI
{
    my ($code, $env) = get_env('alb_redirect', '/idx/', $H => $good);
    is($code, 200, 'DirectoryIndex -> CGI: 200');
    is($env->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'DirectoryIndex -> CGI: SSL_CLIENT_VERIFY');
    is($env->{SSL_CLIENT_S_DN_CN}, 'client1', 'DirectoryIndex -> CGI: SSL_CLIENT_S_DN_CN');
}

# per-directory mod_rewrite [PT]: internal redirect from /rw to /req
{
    my ($code, $env) = get_env('alb_redirect', '/rw/go', $H => $good);
    is($code, 200, 'rewrite /rw/go -> /req/env: 200');
    is($env->{SSL_CLIENT_S_DN_CN}, 'client1', 'rewrite: variables seen after the redirect');
    my $mark = log_mark();
    ($code) = get_env('alb_redirect', '/rw/go', $H => $expired);
    is(refusals($mark), 1, 'rewrite, expired: one ALB00101 line');
}
{
    my $mark = log_mark();
    my ($code) = get_env('alb_redirect', '/rw/go', $H => alb_encode(pem('foreign-chain.pem')));
    is($code, 403, 'rewrite, foreign chain: 403');
}
