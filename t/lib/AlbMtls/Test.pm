package AlbMtls::Test;
# Helpers for the mod_alb_mtls Apache::Test suite: read the run-time PKI,
# encode a chain as the ALB does, talk to a vhost (LWP or curl), parse the
# environment CGI's output, and watch t/logs/error_log.
use strict;
use warnings;

use Exporter 'import';
use File::Spec ();
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes ();
use Apache::Test ();
use Apache::TestRequest ();

our @EXPORT_OK = qw(pki pem alb_encode parse_env get_env curl_get
                    log_mark log_since hostport identity_vars
                    openssl_field graceful_restart wait_for_codes
                    free_port port_open slurp spew
                    moddir test_mpm small_config httpd_syntax httpd_start
                    config_check purpose_text);
our %EXPORT_TAGS = (all => \@EXPORT_OK);

my $HDR = 'X-Amzn-Mtls-Clientcert';

sub t_dir { local $_; Apache::Test::vars('t_dir') }

# purpose_text(): OpenSSL's reason for X509_V_ERR_INVALID_PURPOSE, which the
# module reports as OpenSSL words it: "unsupported certificate purpose"
# before OpenSSL 3.0 (Debian 11, RHEL 8), "unsuitable ..." since.
sub purpose_text {
    my ($v) = (`openssl version` // '') =~ /^OpenSSL (\d+)\./;
    return defined $v && $v < 3 ? 'unsupported certificate purpose'
                                : 'unsuitable certificate purpose';
}

# pki(NAME): absolute path of a file made by t/pki/mkpki.sh.
sub pki { File::Spec->catfile(t_dir(), 'pki', 'out', $_[0]) }

# pem(NAME): contents of that file.
sub pem {
    my $f = pki($_[0]);
    open my $fh, '<', $f or die "open $f: $!";
    local $/;
    my $s = <$fh>;
    close $fh;
    return $s;
}

# alb_encode(PEM): URL-encode as the ALB does: unreserved characters and
# + = / stay literal, everything else (newline, space...) becomes %XX.
sub alb_encode {
    my ($s) = @_;
    $s =~ s{([^A-Za-z0-9\-._~+=/])}{sprintf('%%%02X', ord $1)}ge;
    return $s;
}

# parse_env(BODY): hashref of the env CGI's NAME=value lines.
sub parse_env {
    my ($body) = @_;
    my %env;
    for my $line (split /\n/, $body // '') {
        my ($k, $v) = split /=/, $line, 2;
        next unless defined $v;
        $v =~ s/\\(\\|n)/$1 eq 'n' ? "\n" : "\\"/ge;
        $env{$k} = $v;
    }
    return \%env;
}

# hostport(VHOST): host:port of an Apache::Test vhost (undef = main server).
sub hostport {
    my ($vhost) = @_;
    Apache::TestRequest::module($vhost // 'default');
    my $hp = Apache::TestRequest::hostport();
    Apache::TestRequest::module('default');
    return $hp;
}

# get_env(VHOST, PATH, HEADER => VALUE...): GET through LWP; returns
# (status code, env hashref, body).  A value may be an array ref to send
# the header field several times.
sub get_env {
    my ($vhost, $path, @headers) = @_;
    my $hp = hostport($vhost);
    my $res = Apache::TestRequest::GET("http://$hp$path", @headers);
    return ($res->code, parse_env($res->content), $res->content);
}

# curl_get(URL, interface => IP, headers => [[name, value]...],
# args => [more curl arguments]): (status code, body, response headers as
# a hashref with lower-case names) through curl, e.g. to connect from
# 127.0.0.2.
sub curl_get {
    my ($url, %o) = @_;
    my @cmd = ('curl', '-sS', '-D', '-', '-o', '-', '-w', '\n%{http_code}');
    push @cmd, '--interface', $o{interface} if $o{interface};
    push @cmd, @{ $o{args} } if $o{args};
    for my $h (@{ $o{headers} || [] }) {
        push @cmd, '-H', "$h->[0]: $h->[1]";
    }
    push @cmd, $url;
    open my $fh, '-|', @cmd or die "curl: $!";
    local $/;
    my $out = <$fh> // '';
    close $fh;
    my ($all, $code) = $out =~ /\A(.*)\n(\d+)\z/s or return (0, $out, {});
    my ($head, $body) = split /\r?\n\r?\n/, $all, 2;
    my %h;
    for my $line (split /\r?\n/, $head // '') {
        $h{lc $1} = $2 if $line =~ /^([^:\s]+):\s*(.*)$/;
    }
    return ($code, $body // '', \%h);
}

sub error_log { File::Spec->catfile(Apache::Test::vars('t_logs'), 'error_log') }

# log_mark(): current size of t/logs/error_log; log_since(MARK): what was
# written after it.
sub log_mark { -s error_log() || 0 }

sub log_since {
    my ($mark) = @_;
    open my $fh, '<', error_log() or return '';
    seek $fh, $mark, 0;
    local $/;
    my $s = <$fh> // '';
    close $fh;
    return $s;
}

# free_port(): a TCP port that is free on 127.0.0.1 right now (for the
# httpds, memcached, redis and php-fpm that tests start themselves).
sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1, ReuseAddr => 1)
        or die "cannot bind a loopback port: $!";
    my $p = $s->sockport;
    close $s;
    return $p;
}

# port_open(PORT): 1 when something accepts connections on 127.0.0.1:PORT.
sub port_open {
    my ($p) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $p,
                                  Proto => 'tcp', Timeout => 1);
    return 0 unless $s;
    close $s;
    return 1;
}

# slurp(FILE): its bytes, '' when it cannot be read.
sub slurp {
    my ($f) = @_;
    open my $fh, '<', $f or return '';
    binmode $fh;
    local $/;
    my $s = <$fh>;
    return defined $s ? $s : '';
}

# spew(FILE, BYTES[, MODE]): writes FILE (dies on failure), then chmod MODE.
sub spew {
    my ($f, $s, $mode) = @_;
    open my $fh, '>', $f or die "$f: $!";
    binmode $fh;
    print $fh $s;
    close $fh or die "$f: $!";
    chmod $mode, $f if defined $mode;
}

# graceful_restart(): SIGUSR1 to the test httpd; 1 once the error log says
# it resumed normal operations, 0 after 10 s.
sub graceful_restart {
    my $pidfile = Apache::Test::vars('t_pid_file');
    open my $fh, '<', $pidfile or die "$pidfile: $!";
    chomp(my $pid = <$fh>);
    close $fh;
    my $mark = log_mark();
    kill 'USR1', $pid or die "kill USR1 $pid: $!";
    for (1 .. 100) {
        return 1 if log_since($mark) =~ /resuming normal operations/;
        Time::HiRes::sleep(0.1);
    }
    return 0;
}

# wait_for_codes(\&code, [ARG, WANT], ...): polls code->(ARG) until every
# pair answers WANT (after a graceful restart, children of the old
# generation may answer for a moment), at most 10 s; returns the last
# answers in pair order.
sub wait_for_codes {
    my ($code, @pairs) = @_;
    my @got;
    for (1 .. 50) {
        @got = map { $code->($_->[0]) } @pairs;
        return @got unless grep { $got[$_] != $pairs[$_][1] } 0 .. $#pairs;
        Time::HiRes::sleep(0.2);
    }
    return @got;
}

# identity_vars(ENV): names of the variables that reveal who the client is
# (must be absent whenever SSL_CLIENT_VERIFY is not SUCCESS/GENEROUS).
sub identity_vars {
    my ($env) = @_;
    return sort grep {
        /^SSL_CLIENT_(?:S_DN|I_DN|SAN_|M_SERIAL|M_VERSION|V_START|V_END|V_REMAIN|A_SIG|A_KEY|CERT)/
    } keys %$env;
}

# openssl_field(FILE, ARGS...): output of `openssl x509 -noout ARGS -in FILE`.
sub openssl_field {
    my ($file, @args) = @_;
    open my $fh, '-|', 'openssl', 'x509', '-noout', @args, '-in', $file
        or die "openssl: $!";
    local $/;
    my $s = <$fh> // '';
    close $fh;
    $s =~ s/\s+\z//;
    return $s;
}

# ---------------------------------------------------------------------
# Throwaway configurations (t/10_config.t, t/11_bad_config.t,
# t/82_cache_config.t): a complete small httpd.conf with the freshly built
# module, the MPM of this pass and BODY, checked with `httpd -t` and, where
# asked, started for real.

# moddir(): httpd's module directory.
sub moddir {
    my $apxs = Apache::Test::vars('apxs');
    chomp(my $d = `$apxs -q LIBEXECDIR`);
    return $d;
}

# test_mpm(): the MPM of this pass (t/run-tests.sh runs several).
sub test_mpm {
    my $mpm = Apache::Test::config()->{server}->{mpm} || 'prefork';
    return -f File::Spec->catfile(moddir(), "mod_mpm_$mpm.so") ? $mpm : 'prefork';
}

my $configs = 0;
# small_config(DIR, BODY): writes DIR/caseN.conf; returns (file, error log,
# port it listens on).
sub small_config {
    my ($dir, $body) = @_;
    $configs++;
    my $top = Apache::Test::vars('top_dir');
    my ($moddir, $mpm) = (moddir(), test_mpm());
    my ($f, $log, $port) = ("$dir/case$configs.conf",
                            "$dir/case$configs.error_log", free_port());
    # a pid file left by an earlier pass (the directory is shared by the
    # MPM passes) whose pid now belongs to another process makes httpd
    # refuse to start with "already running"
    unlink $log, "$log.stdout", "$dir/case$configs.pid";
    spew($f, <<"CONF");
ServerRoot "$top/t"
ServerName localhost
Listen 127.0.0.1:$port
PidFile "$dir/case$configs.pid"
ErrorLog "$log"
LogLevel info
DefaultRuntimeDir "$dir"
Mutex file:$dir default
LoadModule mpm_${mpm}_module "$moddir/mod_mpm_$mpm.so"
LoadModule authz_core_module "$moddir/mod_authz_core.so"
LoadModule alb_mtls_module "$top/build/mod_alb_mtls.so"
$body
CONF
    return ($f, $log, $port);
}

# httpd_syntax(FILE): (exit status, output) of httpd -t -f FILE.
sub httpd_syntax {
    my ($f) = @_;
    my $httpd = Apache::Test::vars('httpd');
    my $out = `$httpd -t -f "$f" 2>&1`;
    return ($? >> 8, $out);
}

# httpd_start(FILE, LOG, PORT): runs httpd -X -f FILE until it accepts
# connections on PORT (then stops it and returns 0) or exits (returns its
# status, at least 1); 124 when it does neither within 10 s (a failed
# start, not a pass).  Its stdout and stderr go to LOG.stdout.
sub httpd_start {
    my ($f, $log, $port) = @_;
    my $httpd = Apache::Test::vars('httpd');
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDOUT, '>>', "$log.stdout";
        open STDERR, '>&', \*STDOUT;
        exec $httpd, '-X', '-f', $f or POSIX::_exit(127);
    }
    for (1 .. 100) {
        my $r = waitpid $pid, POSIX::WNOHANG();
        return $? >> 8 || 1 if $r == $pid;
        if (port_open($port)) {
            stop_pid($pid);
            return 0;
        }
        Time::HiRes::sleep(0.1);
    }
    kill 'KILL', $pid;
    waitpid $pid, 0;
    return 124;
}

# stop_pid(PID): TERM, again every 2 s (a TERM that reaches an httpd -X
# before its signal thread waits for it can be lost: seen once under the
# event MPM with the sanitizer runtimes preloaded), KILL after 10 s.
sub stop_pid {
    my ($pid) = @_;
    for my $i (0 .. 99) {
        kill 'TERM', $pid if $i % 20 == 0;
        return if waitpid($pid, POSIX::WNOHANG()) == $pid;
        Time::HiRes::sleep(0.1);
    }
    kill 'KILL', $pid;
    waitpid $pid, 0;
}

# config_check(DIR, BODY): (failed?, everything httpd said, file):
# httpd -t, then, when that passed, a real start (post_config checks).
sub config_check {
    my ($dir, $body) = @_;
    my ($f, $log, $port) = small_config($dir, $body);
    my ($st, $out) = httpd_syntax($f);
    return (1, $out, $f) if $st;
    my $st2 = httpd_start($f, $log, $port);
    return ($st2 != 0, $out . slurp("$log.stdout") . slurp($log), $f);
}

1;
