# Runs last (t/run-tests.sh runs it after stopping httpd): the error log of
# the whole pass must show no crashed or aborted child.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use File::Spec ();

my $log = File::Spec->catfile(Apache::Test::vars('t_logs'), 'error_log');
my @bad = (
    qr/Segmentation fault/,
    qr/exit signal/,
    qr/AH00052/,                # child pid ... exit signal ...
    qr/pool concurrency check/,
    qr/Assertion/,
    qr/double free|corrupted|stack smashing/i,
    # sanitizer reports (make asan-test: module built with ASan + UBSan)
    qr/AddressSanitizer|LeakSanitizer|runtime error:/,
);

plan tests => 3 + @bad;

# Apache::Test raises the core size limit: a crashed child leaves t/core*
my @cores = glob(File::Spec->catfile(Apache::Test::vars('t_dir'), 'core*'));
is(scalar @cores, 0, 'no core file in t/') or diag("@cores");
ok(-s $log, "error_log exists and is not empty ($log)");
open my $fh, '<', $log or die "open $log: $!";
my @lines = <$fh>;
close $fh;
ok((grep { /resuming normal operations/ } @lines), 'httpd started in this pass');
for my $re (@bad) {
    my @hits = grep { $_ =~ $re } @lines;
    is(scalar @hits, 0, "no $re in error_log") or diag(@hits[0 .. ($#hits < 4 ? $#hits : 4)]);
}
