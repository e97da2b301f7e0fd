#!/usr/bin/perl
# check-lognos.pl - the module's log tags (AMTLOGNO(nnnnn), printed as
# "ALBnnnnn: ") against the documents that describe them.  Fails when:
#   - a tag is not five digits, or is used at more than one call site;
#   - a tag lies in no range of docs/log-numbers.md, or in a range of the
#     wrong kind: a line logged with a request (ap_log_rerror/cerror) must
#     be in a "requests" range, any other in a "start-up" range;
#   - a tag has no row in README.md's Troubleshooting tables, or a row
#     names a tag the code does not have;
#   - SECURITY.md's "What is logged" table does not list exactly the tags
#     whose lines carry something of the request (its URI, the peer address,
#     a name the client sent, the certificate's subject), or lists one that
#     logs an escaped client-sent text without saying "escaped".
# Run by `make -f Makefile.apxs test` (through tools/check-lognos.sh).
use strict;
use warnings;

my $status = 0;
sub fail { print "check-lognos: @_\n"; $status = 1 }

sub slurp { my ($f) = @_; open my $fh, '<', $f or die "$f: $!"; local $/; <$fh> }

# ------------------------------------------------------------ the code
my %site;                               # tag -> { fn, file, args }
my $balanced;
$balanced = qr/\((?:[^()"]++|"(?:[^"\\]|\\.)*"|(??{$balanced}))*\)/s;
for my $file (sort glob 'mod_alb_mtls*.c') {
    my $src = slurp($file);
    while ($src =~ /\b(ap_log_\w+)\s*($balanced)/g) {
        my ($fn, $args) = ($1, $2);
        next unless $args =~ /AMTLOGNO\(([^)]*)\)/;
        my $tag = $1;
        if ($tag !~ /^\d{5}$/) { fail("AMTLOGNO($tag) in $file is not five digits"); next }
        if ($site{$tag}) { fail("ALB$tag is used at more than one call site ($site{$tag}{file}, $file)"); next }
        $site{$tag} = { fn => $fn, file => $file, args => $args };
    }
    for my $tag ($src =~ /AMTLOGNO\((\d+)\)/g) {
        fail("ALB$tag in $file is not inside an ap_log_* call") unless $site{$tag};
    }
}
my @tags = sort keys %site;
fail('no log tags found') unless @tags;

# ------------------------------------------------- docs/log-numbers.md
my @ranges;                             # [lo, hi, kind]
for (split /\n/, slurp('docs/log-numbers.md')) {
    next unless /^\| (\d{5})-(\d{5}) \| (.*?) \|/;
    my ($lo, $hi, $what) = ($1, $2, $3);
    my $kind = $what =~ /^requests/ ? 'request' : $what =~ /^start-up/ ? 'start-up' : undef;
    if (!defined $kind) { fail("docs/log-numbers.md: range $lo-$hi is neither 'start-up' nor 'requests'"); next }
    push @ranges, [$lo, $hi, $kind];
}
fail('no ranges found in docs/log-numbers.md') unless @ranges;
for my $tag (@tags) {
    my $want = $site{$tag}{fn} =~ /^ap_log_[rc]error$/ ? 'request' : 'start-up';
    my @in = grep { $tag >= $_->[0] && $tag <= $_->[1] } @ranges;
    if (!@in) { fail("ALB$tag lies in no range of docs/log-numbers.md"); next }
    fail("ALB$tag is logged with $site{$tag}{fn} ($want) but lies in a $in[0][2] range of docs/log-numbers.md")
        if $in[0][2] ne $want;
}

# ------------------------------------------- README.md Troubleshooting
my $readme = slurp('README.md');
my ($trouble) = $readme =~ /^## Troubleshooting\n(.*?)(?=^## |\z)/ms;
fail('README.md has no Troubleshooting section') unless defined $trouble;
my %row;
for (split /\n/, $trouble // '') {
    $row{$_} = 1 for /^\| `ALB(\d{5})/;
}
for my $tag (@tags) {
    fail("ALB$tag has no row in README.md's Troubleshooting tables") unless $row{$tag};
}
for my $tag (sort keys %row) {
    fail("README.md's Troubleshooting has a row for ALB$tag, which the code does not log") unless $site{$tag};
}

# ---------------------------------------- SECURITY.md: what is logged
my $security = slurp('SECURITY.md');
my ($logged) = $security =~ /^## What is logged, and what never is\n(.*?)(?=^## |\z)/ms;
fail('SECURITY.md has no "What is logged, and what never is" section') unless defined $logged;
my %listed;                             # tag -> row text
for (split /\n/, $logged // '') {
    next unless /^\| (`ALB\d{5}`(?:, `ALB\d{5}`)*) \|(.*)\|\s*$/;
    my ($tags, $what) = ($1, $2);
    $listed{$_} = $what for $tags =~ /ALB(\d{5})/g;
}
my $request_data = qr/amt_verdict_log_where|ap_escape_logitem|client_ip|r->uri/;
for my $tag (@tags) {
    my $args = $site{$tag}{args};
    if ($args =~ $request_data) {
        if (!exists $listed{$tag}) { fail("ALB$tag logs something of the request but is not in SECURITY.md's table"); next }
        fail("SECURITY.md: ALB$tag logs an escaped client-sent text; its row does not say 'escaped'")
            if $args =~ /ap_escape_logitem/ && $listed{$tag} !~ /escaped/;
        fail("SECURITY.md: ALB$tag logs the subject and peer (amt_verdict_log_where); its row does not say so")
            if $args =~ /amt_verdict_log_where/ && $listed{$tag} !~ /subject/;
    }
    elsif (exists $listed{$tag}) {
        fail("SECURITY.md lists ALB$tag, whose line carries nothing of the request");
    }
}
for my $tag (sort keys %listed) {
    fail("SECURITY.md lists ALB$tag, which the code does not log") unless $site{$tag};
}

if ($status == 0) {
    printf "check-lognos: %d log tags, unique, in ranges of the right kind, in README.md's Troubleshooting; %d in SECURITY.md's table of what is logged\n",
        scalar @tags, scalar grep { $site{$_}{args} =~ $request_data } @tags;
}
exit $status;
