# AlbMtlsCAFile is read again on graceful restart, and results cached
# under the old trust anchors are not reused: replace the CA file of vhost
# alb_reload, send SIGUSR1, and watch the verdicts flip; then put it back.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);
use File::Copy ();
use Time::HiRes ();

my $H = 'X-Amzn-Mtls-Clientcert';
my $client = alb_encode(pem('client-chain.pem'));
my $other  = alb_encode(pem('other-chain.pem'));
my $ca     = pki('reload-ca.pem');

plan tests => 8;

sub code { (get_env('alb_reload', '/reload/env', $H => $_[0]))[0] }

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

# wait_for(CLIENT, OTHER): poll until both chains get the given status
# (children of the old generation may answer for a moment).
sub wait_for {
    my ($want_client, $want_other) = @_;
    my ($c, $o);
    for (1 .. 50) {
        ($c, $o) = (code($client), code($other));
        return ($c, $o) if $c == $want_client && $o == $want_other;
        Time::HiRes::sleep(0.2);
    }
    return ($c, $o);
}

is(code($client), 200, 'before: client chain accepted (root.crt)');
is(code($other), 403, 'before: other chain refused');

File::Copy::copy(pki('other-root.crt'), $ca) or die "copy: $!";
ok(graceful(), 'graceful restart with other-root.crt as CA file');
my ($c, $o) = wait_for(403, 200);
is($c, 403, 'after: the cached client chain is refused');
is($o, 200, 'after: other chain accepted');

File::Copy::copy(pki('root.crt'), $ca) or die "copy: $!";
ok(graceful(), 'graceful restart with root.crt again');
($c, $o) = wait_for(200, 403);
is($c, 200, 'restored: client chain accepted');
is($o, 403, 'restored: other chain refused');
