# Require providers (alb-mtls, -cn, -san-dns, -san-uri, -san-email,
# -fingerprint), their combinations with RequireAll/RequireAny/Require not,
# and Require expr / <If> on SSL_CLIENT_* (vhost alb_authz,
# t/conf/vh_authz.conf.in).  mod_ssl is not loaded here: the expressions
# work through the module's own expr_lookup hook.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use Apache::TestRequest ();
use AlbMtls::Test qw(:all);

my $H = 'X-Amzn-Mtls-Clientcert';
my %chain = map { ($_ => alb_encode(pem("$_-chain.pem"))) }
    qw(client client2 direct multiou expired foreign);

# [ path, chain (undef = no header), expected status ]
my @cases = (
    [ '/p/any',      'client',   200 ],
    [ '/p/any',      'direct',   200 ],
    [ '/p/any',      undef,      403 ],
    [ '/p/any',      'expired',  403 ],
    [ '/p/cn',       'client',   200 ],
    [ '/p/cn',       'client2',  403 ],
    [ '/p/cn',       'expired',  403 ],     # CN would match, chain fails
    [ '/p/dns',      'client',   200 ],     # argument upper case
    [ '/p/dns',      'client2',  403 ],     # no SAN at all
    [ '/p/dns',      'multiou',  403 ],
    [ '/p/dnswild',  'client',   200 ],     # client1.example.com
    [ '/p/dnswild',  'multiou',  200 ],     # api.example.com (first SAN)
    [ '/p/dnswild',  'direct',   403 ],
    [ '/p/dnswild2', 'multiou',  200 ],     # x.y.example.com (second SAN)
    [ '/p/dnswild2', 'client',   403 ],     # one label only
    [ '/p/uri',      'client',   200 ],
    [ '/p/uri',      'multiou',  403 ],
    [ '/p/email',    'client',   200 ],     # domain case ignored
    [ '/p/email',    'multiou',  403 ],
    [ '/p/fp1',      'client',   200 ],     # AB:CD:.. form
    [ '/p/fp1',      'client2',  403 ],
    [ '/p/fp2',      'client2',  200 ],     # plain lower-case form
    [ '/p/fp2',      'client',   403 ],
    [ '/p/noca',     'foreign',  403 ],     # GENEROUS never grants
    [ '/p/noca',     'client',   200 ],
    [ '/p/off',      'client',   403 ],     # module off here: no verdict
    [ '/c/all',      'client',   200 ],
    [ '/c/all',      'client2',  403 ],     # Require not
    [ '/c/all',      'direct',   403 ],
    [ '/c/any',      'client',   200 ],     # by SPIFFE ID
    [ '/c/any',      'client2',  200 ],     # by fingerprint
    [ '/c/any',      'multiou',  403 ],
    [ '/c/any',      undef,      403 ],
    [ '/c/nested',   'client',   200 ],     # DNS SAN
    [ '/c/nested',   'multiou',  200 ],     # DNS SAN and OU_1
    [ '/c/nested',   'direct',   403 ],     # neither
    [ '/e/o',        'client',   200 ],
    [ '/e/o',        'multiou',  200 ],
    [ '/e/o',        'expired',  403 ],     # no identity for FAILED
    [ '/e/o',        undef,      403 ],
    [ '/e/ou1',      'multiou',  200 ],
    [ '/e/ou1',      'client',   403 ],     # one OU only
    [ '/e/san',      'multiou',  200 ],     # SAN_DNS_1
    [ '/e/san',      'client',   200 ],     # SAN_URI_0
    [ '/e/san',      'direct',   403 ],
    [ '/e/generous', 'foreign',  200 ],
    [ '/e/generous', 'client',   403 ],
    [ '/e/none',     undef,      200 ],     # plain HTTP: NONE, as exported
    [ '/e/none',     'client',   403 ],
);

plan tests => @cases + 9 + 6;

for my $c (@cases) {
    my ($path, $name, $want) = @$c;
    my ($code) = get_env('alb_authz', "$path/env", defined $name ? ($H => $chain{$name}) : ());
    is($code, $want, "$path with " . ($name // 'no certificate') . ": $want");
}

# denials name the rule and the subject
{
    my $mark = log_mark();
    my ($code) = get_env('alb_authz', '/p/cn/env', $H => $chain{client2});
    is($code, 403, 'alb-mtls-cn denial');
    my $log = log_since($mark);
    like($log, qr/ALB00202: Require alb-mtls-cn did not match: subject CN "client2" is not one of the names \(peer [^,]+, subject "CN=client2,OU=Dev,O=Acme", uri \/p\/cn\/env\)/,
         'denial: one line with rule, CN and subject');
    like($log, qr/AH01630/, 'mod_authz_core refused the request');

    $mark = log_mark();
    get_env('alb_authz', '/p/fp1/env', $H => $chain{client2});
    like(log_since($mark), qr/ALB00202: Require alb-mtls-fingerprint did not match: SHA-256 fingerprint [0-9a-f]{64} is not one of the pinned ones/,
         'fingerprint denial names the fingerprint');

    $mark = log_mark();
    get_env('alb_authz', '/p/any/env', $H => $chain{expired});
    like(log_since($mark), qr/ALB00201: Require alb-mtls did not match: SSL_CLIENT_VERIFY is FAILED:certificate has expired/,
         'denial of a failed chain names the verify result');

    $mark = log_mark();
    get_env('alb_authz', '/p/off/env', $H => $chain{client});
    like(log_since($mark), qr/ALB00200: Require alb-mtls did not match: AlbMtlsVerifyClient is none/,
         'denial where the module is off says so');

    $mark = log_mark();
    get_env('alb_authz', '/p/dnswild2/env', $H => $chain{client});
    like(log_since($mark), qr/ALB00202: Require alb-mtls-san-dns did not match: no DNS subjectAltName matches/,
         'DNS denial');

    # a granted request logs no denial line of the module
    $mark = log_mark();
    get_env('alb_authz', '/p/uri/env', $H => $chain{client});
    unlike(log_since($mark), qr/ALB002\d\d/, 'a grant logs nothing');

    # the granted request still sees the variables
    my ($c2, $env) = get_env('alb_authz', '/c/any/env', $H => $chain{client2});
    is($env->{SSL_CLIENT_S_DN_CN}, 'client2', 'granted by fingerprint: variables exported');
}

# <If>/<ElseIf>/<Else> on SSL_CLIENT_S_DN_CN
{
    my $hp = hostport('alb_authz');
    my %want = (client => 'client1', client2 => 'other-verified', expired => 'none', '' => 'none');
    for my $name (sort keys %want) {
        my $res = Apache::TestRequest::GET("http://$hp/e/if/env", $name ? ($H => $chain{$name}) : ());
        is($res->header('X-If-Branch'), $want{$name}, "<If> branch for " . ($name || 'no certificate'));
    }
    my $res = Apache::TestRequest::GET("http://$hp/e/if/env", $H => $chain{multiou});
    is($res->code, 200, '<If>: multiou 200');
    is($res->header('X-If-Branch'), 'other-verified', '<If> branch for a UTF-8 CN');
}
