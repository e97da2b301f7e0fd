# What a PHP page (mod_php, so mpm_prefork only) sees in $_SERVER.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);

my $H = 'X-Amzn-Mtls-Clientcert';

my $have_php = grep { /^mod_php/ || /^(?:sapi_apache2|libphp)/ } keys %{ Apache::Test::config()->{modules} };
plan tests => 9, need { 'mod_php (loaded under mpm_prefork only)' => $have_php };

my ($code, $env, $body) = get_env('alb_php', '/php/whoami.php',
                                  $H => alb_encode(pem('client-chain.pem')));
is($code, 200, 'PHP page, client1: 200');
unlike($body, qr/<\?php/, 'PHP page was executed, not served as text');
is($env->{SSL_CLIENT_S_DN_CN}, 'client1', q{$_SERVER['SSL_CLIENT_S_DN_CN']});
is($env->{SSL_CLIENT_VERIFY}, 'SUCCESS', q{$_SERVER['SSL_CLIENT_VERIFY']});
is($env->{REMOTE_USER}, 'client1', q{$_SERVER['REMOTE_USER'] from AlbMtlsUserName});
is($env->{AUTH_TYPE}, 'ClientCert', q{$_SERVER['AUTH_TYPE']});

($code, $env) = get_env('alb_php', '/php/whoami.php', $H => alb_encode(pem('client2-chain.pem')));
is($env->{REMOTE_USER}, 'client2', 'PHP: REMOTE_USER for client2');

($code, $env, $body) = get_env('alb_php', '/php/whoami.php', $H => alb_encode(pem('expired-chain.pem')));
is($code, 403, 'PHP page, expired chain: 403');
unlike($body, qr/SSL_CLIENT_S_DN_CN=/, 'PHP page not run for a refused chain');
