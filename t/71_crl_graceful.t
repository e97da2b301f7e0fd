# AlbMtlsCRLFile is read again on graceful restart: replace the CRL file of
# vhost alb_crl's /reload with one that revokes client1, send SIGUSR1, and
# watch the verdict flip; then put the old CRL back.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);
use File::Copy ();
use Time::HiRes ();

my $H = 'X-Amzn-Mtls-Clientcert';
my $client = alb_encode(pem('client-chain.pem'));
my $client2 = alb_encode(pem('client2-chain.pem'));
my $crl = pki('reload-crl.pem');

plan tests => 8;

sub code { (get_env('alb_crl', '/reload/env', $H => $_[0]))[0] }

sub graceful {
    my $pidfile = Apache::Test::vars('t_pid_file');
    open my $fh, '<', $pidfile or die "$pidfile: $!";
    chomp(my $pid = <$fh>);
    my $mark = log_mark();
    kill 'USR1', $pid or die "kill USR1 $pid: $!";
    for (1 .. 100) {
        return 1 if log_since($mark) =~ /resuming normal operations/;
        Time::HiRes::sleep(0.1);
    }
    return 0;
}

sub wait_for {
    my ($want1, $want2) = @_;
    my ($a, $b);
    for (1 .. 50) {
        ($a, $b) = (code($client), code($client2));
        return ($a, $b) if $a == $want1 && $b == $want2;
        Time::HiRes::sleep(0.2);
    }
    return ($a, $b);
}

is(code($client), 200, 'before: client1 accepted');
is(code($client2), 200, 'before: client2 accepted');

File::Copy::copy(pki('crl-client-revoked.pem'), $crl) or die "copy: $!";
ok(graceful(), 'graceful restart with a CRL revoking client1');
my ($a, $b) = wait_for(403, 200);
is($a, 403, 'after: client1 refused (revoked)');
is($b, 200, 'after: client2 still accepted');

File::Copy::copy(pki('crl-chain.pem'), $crl) or die "copy: $!";
ok(graceful(), 'graceful restart with the old CRL');
($a, $b) = wait_for(200, 200);
is($a, 200, 'restored: client1 accepted');
is($b, 200, 'restored: client2 accepted');
