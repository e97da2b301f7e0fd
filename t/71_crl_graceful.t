# AlbMtlsCRLFile is read again on graceful restart: replace the CRL file of
# vhost alb_crl's /reload with one that revokes client1, send SIGUSR1, and
# watch the verdict flip; then put the old CRL back.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);
use File::Copy ();

my $H = 'X-Amzn-Mtls-Clientcert';
my $client = alb_encode(pem('client-chain.pem'));
my $client2 = alb_encode(pem('client2-chain.pem'));
my $crl = pki('reload-crl.pem');

plan tests => 8;

sub code { (get_env('alb_crl', '/reload/env', $H => $_[0]))[0] }

is(code($client), 200, 'before: client1 accepted');
is(code($client2), 200, 'before: client2 accepted');

File::Copy::copy(pki('crl-client-revoked.pem'), $crl) or die "copy: $!";
ok(graceful_restart(), 'graceful restart with a CRL revoking client1');
my ($a, $b) = wait_for_codes(\&code, [$client, 403], [$client2, 200]);
is($a, 403, 'after: client1 refused (revoked)');
is($b, 200, 'after: client2 still accepted');

File::Copy::copy(pki('crl-chain.pem'), $crl) or die "copy: $!";
ok(graceful_restart(), 'graceful restart with the old CRL');
($a, $b) = wait_for_codes(\&code, [$client, 200], [$client2, 200]);
is($a, 200, 'restored: client1 accepted');
is($b, 200, 'restored: client2 accepted');
