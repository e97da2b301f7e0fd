# Spoofing: a client that reaches the instance without the load balancer
# (here: 127.0.0.2, outside vhost alb_spoof's AlbMtlsTrustedProxy) sends a
# valid chain in the header.  Under every AlbMtlsVerifyClient mode, and with
# the name changed by AlbMtlsHeader, the header must reach no consumer: not
# the CGI environment, not mod_rewrite, not PHP, not a proxied backend; the
# request counts as carrying no certificate.  Controls from the trusted
# 127.0.0.1 show that each probe does see the header when it is allowed.
# `AlbMtlsTrustedProxy any` (vhost alb_any) restores the old behaviour.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use Apache::TestUtil ();
use AlbMtls::Test qw(:all);

my $H = 'X-Amzn-Mtls-Clientcert';
my $good = alb_encode(pem('client-chain.pem'));
my @spoof = ([$H, $good], ["$H-Leaf", 'spoofed-leaf'], ['X-Client-Chain', $good],
             ['X-Client-Chain-Extra', 'spoofed-extra']);
my @modes = (
    # location, status from the untrusted peer, SSL_CLIENT_VERIFY expected
    [ 'none',   200, undef ],
    [ 'opt',    200, 'NONE' ],
    [ 'req',    403, undef ],
    [ 'noca',   200, 'NONE' ],
    [ 'hdr',    200, 'NONE' ],
    [ 'hdrreq', 403, undef ],
);
my %mods = %{ Apache::Test::config()->{modules} };
my $has_php   = grep { /^mod_php/ || /^(?:sapi_apache2|libphp)/ } keys %mods;
my $has_proxy = grep { /proxy_http/ } keys %mods;

my $per_mode = 0;
$per_mode += $_->[1] == 200 ? 7 : 2 for @modes;
plan tests => 2 + $per_mode + 3 + 4 + 4 + 4,
    need need_cgi(), need({ 'curl on PATH' => sub { system('curl --version >/dev/null 2>&1') == 0 } });

my $spoof = 'http://' . hostport('alb_spoof');
my $any   = 'http://' . hostport('alb_any');

sub leaked {
    my ($env) = @_;
    return join ' ', sort grep { /^HTTP_X_AMZN_MTLS_CLIENTCERT|^HTTP_X_CLIENT_CHAIN/ } keys %$env;
}

# controls: the probes see the header from the trusted peer
{
    my ($code, $body) = curl_get("$spoof/opt/rw", interface => '127.0.0.1', headers => \@spoof);
    my $env = parse_env($body);
    ok(($env->{RW_SEEN} // '') ne '' && ($env->{SSL_CLIENT_VERIFY} // '') eq 'SUCCESS',
       'control: from 127.0.0.1 mod_rewrite sees the header and it verifies');
    ($code, $body) = curl_get("$spoof/none/env", interface => '127.0.0.1', headers => \@spoof);
    like(leaked(parse_env($body)), qr/HTTP_X_AMZN_MTLS_CLIENTCERT/,
         'control: from 127.0.0.1 the CGI sees the header where the mode is none');
}

my $mark = log_mark();
for my $m (@modes) {
    my ($loc, $status, $verify) = @$m;
    my ($code, $body) = curl_get("$spoof/$loc/rw", interface => '127.0.0.2', headers => \@spoof);
    my $env = parse_env($body);
    is($code, $status, "$loc, untrusted peer: $status");
    if ($status == 200) {
        is(leaked($env), '', "$loc: the CGI sees no certificate header");
        is($env->{RW_SEEN} // '', '', "$loc: mod_rewrite sees no $H");
        is($env->{RW_SEEN_CUSTOM} // '', '', "$loc: mod_rewrite sees no X-Client-Chain");
        is($env->{SSL_CLIENT_VERIFY}, $verify,
           "$loc: SSL_CLIENT_VERIFY " . ($verify // 'unset'));
        is(join(' ', identity_vars($env)), '', "$loc: no identity variable");
        ok(exists $env->{GATEWAY_INTERFACE}, "$loc: the CGI really ran");
    }
    else {
        unlike($body, qr/GATEWAY_INTERFACE|HTTP_X_AMZN|RW_SEEN|SSL_CLIENT/,
               "$loc: refused before the handler ran");
    }
}
{
    my @lines = grep { /ALB00104/ } split /\n/, log_since($mark);
    ok(scalar(grep { /removed header X-Amzn-Mtls-Clientcert sent by untrusted peer 127\.0\.0\.2/ } @lines) >= @modes,
       'ALB00104 for X-Amzn-Mtls-Clientcert on every request');
    ok(scalar(grep { /removed header X-Client-Chain sent by untrusted peer 127\.0\.0\.2/ } @lines) >= @modes,
       'ALB00104 for the AlbMtlsHeader name too');
    ok(!grep({ /\Q$good\E|BEGIN/ } @lines), 'the log lines carry no header value');
}

# PHP (mod_php, prefork pass only)
SKIP: {
    skip 'mod_php not loaded (threaded MPM pass)', 4 unless $has_php;
    my ($code, $body) = curl_get("$spoof/spoof/seen.php", interface => '127.0.0.1', headers => \@spoof);
    my $env = parse_env($body);
    is($env->{PHP}, 1, 'PHP control: the page runs');
    like($env->{SEEN} // '', qr/X.Amzn.Mtls.Clientcert/i, 'PHP control: from 127.0.0.1 PHP sees the header');
    ($code, $body) = curl_get("$spoof/spoof/seen.php", interface => '127.0.0.2', headers => \@spoof);
    $env = parse_env($body);
    is($env->{SEEN} // 'x', '', 'PHP: from 127.0.0.2 no certificate header in getallheaders() or $_SERVER');
    is($env->{SSL_CLIENT_VERIFY}, 'NONE', 'PHP: SSL_CLIENT_VERIFY=NONE');
}

# a proxied backend (the main server prints what it received)
SKIP: {
    skip 'mod_proxy_http not loaded', 4 unless $has_proxy;
    my ($code, $body) = curl_get("$spoof/proxied/env", interface => '127.0.0.1', headers => \@spoof);
    is($code, 200, 'proxy control: the backend answers');
    like(leaked(parse_env($body)), qr/HTTP_X_AMZN_MTLS_CLIENTCERT/, 'proxy control: from 127.0.0.1 the backend gets the header');
    ($code, $body) = curl_get("$spoof/proxied/env", interface => '127.0.0.2', headers => \@spoof);
    is($code, 200, 'proxy: 200 from 127.0.0.2');
    is(leaked(parse_env($body)), '', 'proxy: the backend gets no certificate header from 127.0.0.2');
}

# AlbMtlsTrustedProxy any: the header from any peer is believed
{
    my $m2 = log_mark();
    my ($code, $body) = curl_get("$any/opt/env", interface => '127.0.0.2', headers => [[$H, $good]]);
    my $env = parse_env($body);
    is($env->{SSL_CLIENT_VERIFY}, 'SUCCESS', 'TrustedProxy any: 127.0.0.2 is believed');
    is($env->{SSL_CLIENT_S_DN_CN}, 'client1', 'TrustedProxy any: identity published');
    ($code, $body) = curl_get("$any/none/env", interface => '127.0.0.2', headers => [[$H, $good]]);
    like(leaked(parse_env($body)), qr/HTTP_X_AMZN_MTLS_CLIENTCERT/, 'TrustedProxy any: the header reaches the CGI');
    is(scalar(grep { /ALB00104/ } split /\n/, log_since($m2)), 0, 'TrustedProxy any: nothing removed, no ALB00104');
}
