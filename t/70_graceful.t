# AlbMtlsCAFile is read again on graceful restart, and results cached
# under the old trust anchors are not reused: replace the CA file of vhost
# alb_reload, send SIGUSR1, and watch the verdicts flip; then put it back.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);
use File::Copy ();

my $H = 'X-Amzn-Mtls-Clientcert';
my $client = alb_encode(pem('client-chain.pem'));
my $other  = alb_encode(pem('other-chain.pem'));
my $ca     = pki('reload-ca.pem');

plan tests => 8;

sub code { (get_env('alb_reload', '/reload/env', $H => $_[0]))[0] }

is(code($client), 200, 'before: client chain accepted (root.crt)');
is(code($other), 403, 'before: other chain refused');

File::Copy::copy(pki('other-root.crt'), $ca) or die "copy: $!";
ok(graceful_restart(), 'graceful restart with other-root.crt as CA file');
my ($c, $o) = wait_for_codes(\&code, [$client, 403], [$other, 200]);
is($c, 403, 'after: the cached client chain is refused');
is($o, 200, 'after: other chain accepted');

File::Copy::copy(pki('root.crt'), $ca) or die "copy: $!";
ok(graceful_restart(), 'graceful restart with root.crt again');
($c, $o) = wait_for_codes(\&code, [$client, 200], [$other, 403]);
is($c, 200, 'restored: client chain accepted');
is($o, 403, 'restored: other chain refused');
