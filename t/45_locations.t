# Per-<Location> policies side by side in one vhost (alb_loc): /a trusts
# root.crt and requires CN client1, /b trusts other-root.crt, and /a/inner
# only sets AlbMtlsRequireCN client2, inheriting /a's CA file and mode.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);

my $H = 'X-Amzn-Mtls-Clientcert';
my %chain;
for my $n (qw(client client2 other foreign)) {
    $chain{$n} = alb_encode(pem("$n-chain.pem"));
}

my @cases = (
    # path, chain, expected status
    [ '/a/env',       'client',  200 ],
    [ '/a/env',       'other',   403 ],
    [ '/a/env',       'client2', 403 ],
    [ '/b/env',       'other',   200 ],
    [ '/b/env',       'client',  403 ],
    [ '/b/env',       'foreign', 403 ],
    [ '/a/inner/env', 'client2', 200 ],
    [ '/a/inner/env', 'client',  403 ],
    [ '/a/inner/env', 'other',   403 ],
    [ '/a/inner/env', undef,     403 ],
);

plan tests => @cases + 3;

for my $c (@cases) {
    my ($path, $name, $want) = @$c;
    my ($code) = get_env('alb_loc', $path, defined $name ? ($H => $chain{$name}) : ());
    is($code, $want, "$path with " . ($name // 'no') . " chain: $want");
}

my ($code, $env) = get_env('alb_loc', '/b/env', $H => $chain{other});
is($env->{SSL_CLIENT_S_DN_CN}, 'other', '/b: CN=other');
is($env->{SSL_CLIENT_I_DN_CN}, 'Other Root CA', '/b: issuer Other Root CA');
my $mark = log_mark();
get_env('alb_loc', '/a/inner/env', $H => $chain{other});
like(log_since($mark), qr/ALB00101: client certificate refused: unable to get local issuer certificate/,
     '/a/inner: other chain fails on the inherited root.crt (not on the CN)');
