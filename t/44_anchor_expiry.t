# A cached verdict never outlives the trust anchor it was verified
# against: with a root that expires a few seconds from now as the vhost's
# CA file (graceful restart), a leaf valid for 30 days is SUCCESS, stored in
# a shared cache, and refused once the root has expired, although the
# header still carries the same, still valid, leaf.  Prefork pass only:
# the cache is shmcb and the behaviour does not depend on the MPM.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);
use File::Copy ();
use Time::HiRes ();

my $H = 'X-Amzn-Mtls-Clientcert';
my $SECONDS = 12;

plan skip_all => 'prefork pass only' unless test_mpm() eq 'prefork';
plan tests => 8;

my $out = File::Spec->catdir(Apache::Test::vars('t_dir'), 'pki', 'out');
system('sh', File::Spec->catfile(Apache::Test::vars('t_dir'), 'pki', 'mkshort.sh'),
       $out, $SECONDS) == 0 or die "mkshort.sh failed\n";
my $expires = time + $SECONDS;
my $leaf = alb_encode(pem('short-client-chain.pem'));
File::Copy::copy(pki('short-root.crt'), pki('short-ca.pem')) or die "copy: $!";
ok(graceful_restart(), 'graceful restart with a root that expires in seconds');

sub code { (get_env('alb_expiry', '/req/env', $H => $_[0]))[0] }
my ($c) = wait_for_codes(\&code, [$leaf, 200]);
is($c, 200, 'before the root expires: 200');
ok(time < $expires - 1, '... and that was before the root expired')
    or diag('the machine was too slow for the test\'s margin');
is(code($leaf), 200, 'again: 200 (served from the cache or verified anew)');

Time::HiRes::sleep($expires - Time::HiRes::time() + 1.5)
    if $expires - Time::HiRes::time() + 1.5 > 0;
my $mark = log_mark();
is(code($leaf), 403, 'after the root expired: 403, not the cached SUCCESS');
like(log_since($mark), qr/ALB00101: client certificate refused: certificate has expired/,
     '... logged: certificate has expired');

File::Copy::copy(pki('root.crt'), pki('short-ca.pem')) or die "copy: $!";
ok(graceful_restart(), 'graceful restart with root.crt again');
($c) = wait_for_codes(\&code, [alb_encode(pem('client-chain.pem')), 200]);
is($c, 200, 'restored: client1 accepted');
