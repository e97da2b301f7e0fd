# The verification result cache (default: in-process), observed through
# the AlbMtls* counters of server-status?auto: hits and misses, failed
# results cached, one log line per refused request from a cached result,
# expiry (AlbMtlsCacheTimeout 2), AlbMtlsCacheTimeout 0, policy separation
# (different CA files never share an entry; equal CA content does), the
# variables of a hit equal those of the miss, and virtual hosts with an
# AlbMtlsCache of their own (none; shmcb).
#
# Each step runs on one keep-alive connection, so one child serves it and
# its in-process cache is the one observed (the counters are summed over
# all children, and nothing else runs meanwhile).
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(:all);
use LWP::UserAgent ();
use Time::HiRes ();
use POSIX ();

my $H = 'X-Amzn-Mtls-Clientcert';
my $client = alb_encode(pem('client-chain.pem'));
my $client2 = alb_encode(pem('client2-chain.pem'));
my $other  = alb_encode(pem('other-chain.pem'));
my $expired = alb_encode(pem('expired-chain.pem'));

plan tests => 62;

sub agent { LWP::UserAgent->new(keep_alive => 1, timeout => 30) }

sub get {
    my ($ua, $vhost, $path, @h) = @_;
    my $hp = hostport($vhost);
    my $res = $ua->get("http://$hp$path", @h);
    return ($res->code, parse_env($res->content), $res);
}

sub counters {
    my ($ua, $vhost) = @_;
    my ($code, undef, $res) = get($ua, $vhost, '/server-status?auto');
    my %c;
    for (split /\n/, $res->content) {
        $c{$1} = $2 if /^AlbMtls(\w+): (\d+)$/;
    }
    return \%c;
}

sub delta {
    my ($a, $b) = @_;
    return { map { $_ => ($b->{$_} // 0) - ($a->{$_} // 0) } keys %$b };
}

# ---------------------------------------------------------------- hits
my $ua = agent();
my $c0 = counters($ua, 'alb_cache');
ok(exists $c0->{CacheHits} && exists $c0->{CacheEntries}
   && exists $c0->{Verified} && exists $c0->{FailedUntrusted},
   'server-status?auto shows the AlbMtls counters');

my @envs;
for (1 .. 5) {
    my ($code, $env) = get($ua, 'alb_cache', '/hit/env', $H => $client);
    push @envs, $env if $code == 200;
}
my $c1 = counters($ua, 'alb_cache');
my $d = delta($c0, $c1);
is(scalar @envs, 5, 'five requests with one chain served');
is($envs[0]{SSL_CLIENT_VERIFY}, 'SUCCESS', 'first request verified');
is($d->{CacheMisses}, 1, 'one miss (the first request)');
is($d->{CacheHits}, 4, 'four hits');
is($d->{CacheStores}, 1, 'one result stored');
is($d->{Verified}, 5, 'five verified verdicts counted');
ok($d->{CacheEntries} >= 1, 'the entry is counted');

my @names = sort grep { /^SSL_CLIENT_/ } keys %{ $envs[0] };
my @names4 = sort grep { /^SSL_CLIENT_/ } keys %{ $envs[4] };
is("@names4", "@names", 'a hit exports the same variable names as the miss');
is(join("\n", map { $envs[4]{$_} } @names),
   join("\n", map { $envs[0]{$_} } @names),
   'a hit exports the same values as the miss');
ok(scalar(grep { /^SSL_CLIENT_S_DN_CN$/ } @names) && $envs[4]{SSL_CLIENT_S_DN_CN} eq 'client1',
   'SSL_CLIENT_S_DN_CN=client1 from the cache');

# other options, same policy: a hit, with the legacy DN and the PEM
my ($code, $env) = get($ua, 'alb_cache', '/hitlegacy/env', $H => $client);
my $c2 = counters($ua, 'alb_cache');
$d = delta($c1, $c2);
is($code, 200, '/hitlegacy served');
is($d->{CacheHits}, 1, '/hitlegacy (same policy, other options) is a hit');
like($env->{SSL_CLIENT_S_DN} // '', qr{^/.*CN=client1}, 'legacy DN format from a hit');
(my $leaf_pem = pem('client.crt')) =~ s/\s+\z//;
(my $got_pem = $env->{SSL_CLIENT_CERT} // '') =~ s/\s+\z//;
is($got_pem, $leaf_pem, 'ExportCertData PEM from a hit equals the leaf');
ok(defined $env->{SSL_CLIENT_CERT_CHAIN_0}, 'SSL_CLIENT_CERT_CHAIN_0 from a hit');
is($env->{SSL_CLIENT_I_DN_CN}, $envs[0]{SSL_CLIENT_I_DN_CN}, 'issuer CN from a hit');

# a hit that needs a name the entry does not hold (AlbMtlsUserName _RAW)
my $cu0 = counters($ua, 'alb_cache');
($code, $env) = get($ua, 'alb_cache', '/hituser/env', $H => $client);
my $cu1 = counters($ua, 'alb_cache');
is(delta($cu0, $cu1)->{CacheHits}, 1, '/hituser is a hit');
is($env->{REMOTE_USER}, 'Acme', 'AlbMtlsUserName SSL_CLIENT_S_DN_O_RAW on a hit: parsed from the header');
is($env->{AUTH_TYPE}, 'ClientCert', 'AUTH_TYPE ClientCert on a hit');
$c2 = $cu1;

# ------------------------------------------------- failed results cached
my $mark = log_mark();
my @codes = map { (get($ua, 'alb_cache', '/sepA/env', $H => $other))[0] } 1 .. 3;
my $c3 = counters($ua, 'alb_cache');
$d = delta($c2, $c3);
is("@codes", '403 403 403', 'an untrusted chain is refused three times');
is($d->{CacheMisses}, 1, 'failed result: one miss');
is($d->{CacheHits}, 2, 'failed result: then hits');
is($d->{FailedUntrusted}, 3, 'three FailedUntrusted verdicts counted');
my @lines = grep { /ALB00101/ } split /\n/, log_since($mark);
is(scalar @lines, 3, 'one log line per refused request, cached or not');
like($lines[-1] // '', qr/unable to get local issuer certificate.*subject "CN=other/,
     'the line from a cached failure names reason and subject');

@codes = map { (get($ua, 'alb_cache', '/sepA/env', $H => 'garbage%%%'))[0] } 1 .. 2;
my $c4 = counters($ua, 'alb_cache');
$d = delta($c3, $c4);
is("@codes", '403 403', 'a malformed header is refused twice');
is($d->{FailedMalformed}, 2, 'counted as FailedMalformed');
is($d->{CacheHits}, 1, 'the malformed header hit the cache the second time');

@codes = map { (get($ua, 'alb_cache', '/sepA/env', $H => $expired))[0] } 1 .. 2;
my $c5 = counters($ua, 'alb_cache');
$d = delta($c4, $c5);
is("@codes", '403 403', 'an expired chain is refused twice');
is($d->{FailedExpired}, 2, 'counted as FailedExpired');
is($d->{CacheHits}, 1, 'an expired result is cached too');

# a location where verification is on but no trust anchor applies: the
# server's side failed, not the client's header
my @noca = map { (get($ua, 'alb_cache', '/noca/env', $H => $client2))[1] } 1 .. 2;
my $c5b = counters($ua, 'alb_cache');
$d = delta($c5, $c5b);
is($noca[1]{SSL_CLIENT_VERIFY}, 'FAILED:no trust anchors configured',
   'no trust anchors: FAILED under optional');
is($d->{FailedConfig}, 2, 'counted as FailedConfig');
is($d->{FailedMalformed}, 0, 'not counted as FailedMalformed');
is($d->{CacheHits}, 1, 'the class survives the cache (second request a hit)');
$c5 = $c5b;

# --------------------------------------------------- policy separation
($code) = get($ua, 'alb_cache', '/sepA/env', $H => $client2);
my ($codeB) = get($ua, 'alb_cache', '/sepB/env', $H => $client2);
my ($codeA2, $envA2) = get($ua, 'alb_cache', '/sepA2/env', $H => $client2);
my ($codeB2) = get($ua, 'alb_cache', '/sepB/env', $H => $other);
my $c6 = counters($ua, 'alb_cache');
$d = delta($c5, $c6);
is($code, 200, '/sepA (root.crt) accepts client2');
is($codeB, 403, '/sepB (other-root.crt) refuses client2 although /sepA cached it');
is($codeA2, 200, '/sepA2 (a copy of root.crt) accepts client2');
is($codeB2, 200, '/sepB accepts the other chain, refused under /sepA before');
is($d->{CacheMisses}, 3, 'misses: /sepA, /sepB, /sepB with the other chain');
is($d->{CacheHits}, 1, 'hit: /sepA2 shares /sepA\'s entry (equal CA content)');
is($envA2->{SSL_CLIENT_S_DN_CN}, 'client2', '/sepA2 variables from the shared entry');

# ------------------------------------------------------------- expiry
my $us = agent();
my $s0 = counters($us, 'alb_cache_short');
my ($e1) = get($us, 'alb_cache_short', '/short/env', $H => $client);
my ($e2) = get($us, 'alb_cache_short', '/short/env', $H => $client);
my $s1 = counters($us, 'alb_cache_short');
Time::HiRes::sleep(3.1);
my ($e3) = get($us, 'alb_cache_short', '/short/env', $H => $client);
my $s2 = counters($us, 'alb_cache_short');
is("$e1 $e2 $e3", '200 200 200', 'AlbMtlsCacheTimeout 2: all served');
is(delta($s0, $s1)->{CacheHits}, 1, 'a hit within the timeout');
is(delta($s1, $s2)->{CacheHits}, 0, 'no hit after the timeout');
is(delta($s1, $s2)->{CacheMisses}, 1, 'a miss after the timeout');
is(delta($s1, $s2)->{CacheExpired}, 1, 'the stale entry counted as expired');

# never_cached(VHOST, PATH, WHAT): 3 requests with the same chain on one
# connection are all served, all verified, and none asks the cache.
my $uo = agent();
sub never_cached {
    my ($vhost, $path, $what) = @_;
    my $c0 = counters($uo, $vhost);
    my @codes = map { (get($uo, $vhost, $path, $H => $client))[0] } 1 .. 3;
    my $dd = delta($c0, counters($uo, $vhost));
    is("@codes", '200 200 200', "$what: served");
    is($dd->{CacheHits} + $dd->{CacheMisses}, 0, "$what: the cache is not asked");
    is($dd->{Verified}, 3, "$what: verified every time");
}

# ------------------------------------------------ AlbMtlsCacheTimeout 0
never_cached('alb_cache_off', '/off/env', 'AlbMtlsCacheTimeout 0');

# ------------------------------------- a virtual host's own AlbMtlsCache
# alb_cache_none says AlbMtlsCache none; the main server caches in-process
never_cached('alb_cache_none', '/own/env', 'AlbMtlsCache none in a virtual host');

# alb_cache_shm has a shmcb cache of its own; a new connection for every
# request, so any child serves it: one store, then hits from any child.
# shmcb's own counters (its server-status?auto lines, after the module's
# "AlbMtlsSocache: <spec>" label for that instance) show it is that cache.
sub shmcb_counters {
    my ($code, undef, $res) = get(agent(), 'alb_cache_shm', '/server-status?auto');
    my (%c, $mine);
    for (split /\n/, $res->content) {
        if (/^AlbMtlsSocache: (.*)$/) { $mine = $1 =~ m{/alb_cache_shm\(}; next; }
        $c{$1} //= $2 if $mine && /^Cache(\w+): (\d+)$/;
    }
    return \%c;
}
my $m0 = shmcb_counters();
my @mc = map { (get(agent(), 'alb_cache_shm', '/own/env', $H => $client))[0] } 1 .. 4;
my $m1 = shmcb_counters();
is("@mc", '200 200 200 200', 'a virtual host with its own shmcb cache: served');
ok(exists $m0->{StoreCount} && exists $m0->{RetrieveHitCount},
   "server-status shows the virtual host's shmcb cache");
is(($m1->{StoreCount} // 0) - ($m0->{StoreCount} // 0), 1,
   "the virtual host's shmcb cache stored the result once");
is(($m1->{RetrieveHitCount} // 0) - ($m0->{RetrieveHitCount} // 0), 3,
   'the next 3 requests, on new connections, were hits in it');

# ------------------------------------------- concurrent hits and misses
# 6 clients at once, 3 chains in turn, on fresh keys (/hitlegacy's policy
# equals /hit's, so use new chains: client2 and other under /hit): under
# worker and event the threads of one child share its cache.
my %want = (
    $client  => 'SUCCESS client1',
    $client2 => 'SUCCESS client2',
    $other   => 'FAILED:unable to get local issuer certificate -',
);
my @chains = ($client, $client2, $other);
my @kids;
for my $k (1 .. 6) {
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        my $u = LWP::UserAgent->new(keep_alive => 0, timeout => 30);
        my $bad = 0;
        for my $n (1 .. 30) {
            my $c = $chains[($n + $k) % 3];
            my ($code, $env) = get($u, 'alb_cache', '/hit/env', $H => $c);
            my $got = join ' ', $env->{SSL_CLIENT_VERIFY} // 'none',
                                $env->{SSL_CLIENT_S_DN_CN} // '-';
            $bad++ if $code != 200 || $got ne $want{$c};
        }
        POSIX::_exit($bad > 250 ? 250 : $bad);
    }
    push @kids, $pid;
}
my $wrong = 0;
for (@kids) { waitpid $_, 0; $wrong += $? >> 8 }
is($wrong, 0, '6 concurrent clients x 30 requests: every verdict and CN right');
my $cc = counters($ua, 'alb_cache');
ok($cc->{CacheHits} > $c6->{CacheHits} + 100, 'most of them were hits ('
   . ($cc->{CacheHits} - $c6->{CacheHits}) . ')');

# ------------------------------------------------------ the HTML page
my ($hc, undef, $hres) = get($uo, 'alb_cache_off', '/server-status');
is($hc, 200, 'server-status page served');
like($hres->content, qr/mod_alb_mtls.*CacheHits/s, 'the HTML page has the mod_alb_mtls table');
