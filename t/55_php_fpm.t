# PHP-FPM through mod_proxy_fcgi (every MPM pass, event included): the
# test starts Debian's php-fpm with its own configuration on a socket in
# t/logs, as the test user, serves t/htdocs/php/server.php through vhost
# alb_fpm, and stops it at the end.  $_SERVER must hold the same values as
# the mod_php page (vhost alb_php, prefork pass) and as the CGI.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);
use File::Path qw(make_path);
use File::Spec ();
use POSIX ();
use Time::HiRes ();

my $H = 'X-Amzn-Mtls-Clientcert';
my $logs = Apache::Test::vars('t_logs');
my $sock = "$logs/php-fpm.sock";
my $dir  = "$logs/fpm";
my ($fpm) = grep { -x } (glob('/usr/sbin/php-fpm*'), '/usr/sbin/php-fpm');
my $have_php = grep { /^mod_php/ || /^(?:sapi_apache2|libphp)/ } keys %{ Apache::Test::config()->{modules} };

plan tests => 2 + 3 * 3 + 4 + 3 + ($have_php ? 4 : 0);

ok($fpm, 'php-fpm is installed (tools/install-deps.sh test installs it)')
    or BAIL_OUT('php-fpm not found');
make_path($dir);
unlink $sock;
{
    open my $fh, '>', "$dir/php-fpm.conf" or die "$dir/php-fpm.conf: $!";
    print $fh <<"CONF";
[global]
pid = $dir/php-fpm.pid
error_log = $dir/php-fpm.log
daemonize = no

[alb]
listen = $sock
listen.mode = 0600
pm = static
pm.max_children = 2
clear_env = yes
security.limit_extensions = .php
CONF
}

my $pid = fork // die "fork: $!";
if (!$pid) {
    POSIX::setsid();
    open STDIN, '<', '/dev/null';
    open STDOUT, '>>', "$dir/stdout.log";
    open STDERR, '>&', \*STDOUT;
    exec $fpm, '--nodaemonize', '--fpm-config', "$dir/php-fpm.conf" or POSIX::_exit(127);
}
END {
    local $?;
    if ($pid) {
        kill 'QUIT', $pid;
        for (1 .. 50) {
            last if waitpid($pid, POSIX::WNOHANG()) == $pid;
            Time::HiRes::sleep(0.1);
        }
        kill 'KILL', $pid if kill 0, $pid;
        waitpid $pid, 0;
        unlink $sock;
    }
}
for (1 .. 100) {
    last if -S $sock || waitpid($pid, POSIX::WNOHANG()) == $pid;
    Time::HiRes::sleep(0.1);
}
ok(-S $sock, "php-fpm listens on $sock") or do {
    local $/;
    for my $f ("$dir/stdout.log", "$dir/php-fpm.log") {
        open my $fh, '<', $f or next;
        diag(<$fh>);
    }
};

my %cgi;
for my $name (qw(client client2 multiou)) {
    my $hdr = alb_encode(pem("$name-chain.pem"));
    my ($code, $fpm_env, $body) = get_env('alb_fpm', '/php/server.php', $H => $hdr);
    is($code, 200, "FPM, $name: 200");
    is($fpm_env->{PHP_SAPI}, 'fpm-fcgi', "FPM, $name: served by php-fpm") or diag($body);
    my (undef, $cgi_env) = get_env('alb', '/user/env', $H => $hdr);
    my %want = map { ($_ => $cgi_env->{$_}) }
        grep { /^SSL_CLIENT_/ || $_ eq 'REMOTE_USER' || $_ eq 'AUTH_TYPE' } keys %$cgi_env;
    my %got = %$fpm_env;
    delete $got{PHP_SAPI};
    is_deeply(\%got, \%want, "FPM, $name: \$_SERVER SSL_CLIENT_*, REMOTE_USER, AUTH_TYPE = the CGI's");
    $cgi{$name} = \%got;
}
is($cgi{client}{SSL_CLIENT_S_DN_CN}, 'client1', 'FPM: SSL_CLIENT_S_DN_CN');
is($cgi{client}{REMOTE_USER}, 'client1', 'FPM: REMOTE_USER from AlbMtlsUserName');
is($cgi{client}{AUTH_TYPE}, 'ClientCert', 'FPM: AUTH_TYPE ClientCert');
is($cgi{multiou}{SSL_CLIENT_S_DN_OU_1}, 'Platform', 'FPM: second OU');

# refused and certificate data
{
    my ($code, undef, $body) = get_env('alb_fpm', '/php/server.php',
                                       $H => alb_encode(pem('expired-chain.pem')));
    is($code, 403, 'FPM, expired chain: 403, PHP not run');
    my $hdr = alb_encode(pem('client-chain.pem'));
    my (undef, $env) = get_env('alb_fpm', '/php/export/server.php', $H => $hdr);
    is($env->{SSL_CLIENT_CERT}, pem('client.crt'), 'FPM: SSL_CLIENT_CERT (ExportCertData) intact');
    is($env->{SSL_CLIENT_CERT_CHAIN_0}, pem('intermediate.crt'), 'FPM: SSL_CLIENT_CERT_CHAIN_0 intact');
}

# same page under mod_php (prefork pass): identical values
if ($have_php) {
    for my $name (qw(client multiou)) {
        my ($code, $php_env) = get_env('alb_php', '/php/server.php',
                                       $H => alb_encode(pem("$name-chain.pem")));
        is($php_env->{PHP_SAPI}, 'apache2handler', "mod_php, $name: served by mod_php");
        delete $php_env->{PHP_SAPI};
        is_deeply($php_env, $cgi{$name}, "mod_php and PHP-FPM see the same \$_SERVER values for $name");
    }
}
