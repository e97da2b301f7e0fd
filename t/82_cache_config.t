# AlbMtlsCache / AlbMtlsCacheTimeout values: good ones start (httpd -t and a
# real foreground start, where post_config initialises the provider), bad
# ones are refused with a message naming the directive and the reason.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(moddir config_check);
use File::Path qw(make_path);
use File::Spec ();

my $dir   = File::Spec->catdir(Apache::Test::vars('t_logs'), 'cachecfg');
make_path($dir);
my $moddir = moddir();
my $shmcb = qq{LoadModule socache_shmcb_module "$moddir/mod_socache_shmcb.so"};
my $memc  = qq{LoadModule socache_memcache_module "$moddir/mod_socache_memcache.so"};
my $redis = qq{LoadModule socache_redis_module "$moddir/mod_socache_redis.so"};

my @good = (
    [ 'none',                  'AlbMtlsCache none' ],
    [ 'process',               'AlbMtlsCache process' ],
    [ 'process:65536',         'AlbMtlsCache process:65536' ],
    [ 'shmcb with a size',     "$shmcb\nAlbMtlsCache shmcb:$dir/shm(200000)" ],
    [ 'memcache (not running: still starts)', "$memc\nAlbMtlsCache memcache:127.0.0.1:9" ],
    [ 'redis (not running: still starts)',    "$redis\nAlbMtlsCache redis:127.0.0.1:9" ],
    [ 'timeouts 0 and 86400',  "AlbMtlsCacheTimeout 86400\n<VirtualHost 127.0.0.1:*>\nAlbMtlsCacheTimeout 0\n</VirtualHost>" ],
    [ 'none in a VirtualHost',   "<VirtualHost 127.0.0.1:*>\nAlbMtlsCache none\n</VirtualHost>" ],
    [ 'process in a VirtualHost', "AlbMtlsCache none\n<VirtualHost 127.0.0.1:*>\nAlbMtlsCache process:65536\n</VirtualHost>" ],
    [ 'shmcb in two VirtualHosts and the main server',
      "$shmcb\nAlbMtlsCache shmcb:$dir/shm0(200000)\n"
      . "<VirtualHost 127.0.0.1:*>\nAlbMtlsCache shmcb:$dir/shm1(200000)\n</VirtualHost>\n"
      . "<VirtualHost 127.0.0.2:*>\nAlbMtlsCache shmcb:$dir/shm2(200000)\n</VirtualHost>" ],
);

my @bad = (
    [ 'unknown provider',         'AlbMtlsCache bogus:x',            'AlbMtlsCache', qr/not none, process or a loaded mod_socache provider/ ],
    [ 'provider not loaded',      'AlbMtlsCache memcache:127.0.0.1:11211', 'AlbMtlsCache', qr/mod_socache_memcache/ ],
    [ 'process size too small',   'AlbMtlsCache process:100',        'AlbMtlsCache', qr/16384/ ],
    [ 'process size not a number','AlbMtlsCache process:2MB',        'AlbMtlsCache', qr/number of bytes/ ],
    [ 'shmcb bad size',           "$shmcb\nAlbMtlsCache shmcb:$dir/shm(abc)", 'AlbMtlsCache', qr/shmcb/ ],
    [ 'bad size in a VirtualHost', "<VirtualHost 127.0.0.1:*>\nAlbMtlsCache process:1\n</VirtualHost>", 'AlbMtlsCache', qr/16384/ ],
    [ 'in a Directory',           "<Directory /tmp>\nAlbMtlsCache none\n</Directory>", 'AlbMtlsCache', qr/not allowed/ ],
    [ 'in a Location',            "<Location /x>\nAlbMtlsCache none\n</Location>", 'AlbMtlsCache', qr/not allowed/ ],
    [ 'timeout 86401',            'AlbMtlsCacheTimeout 86401',       'AlbMtlsCacheTimeout', qr/86400/ ],
    [ 'timeout -1',               'AlbMtlsCacheTimeout -1',          'AlbMtlsCacheTimeout', qr/./ ],
    [ 'timeout in a Location',    "<Location /x>\nAlbMtlsCacheTimeout 5\n</Location>", 'AlbMtlsCacheTimeout', qr/not allowed/ ],
);

plan tests => @good + 3 * @bad;

for my $g (@good) {
    my ($failed, $out) = config_check($dir, $g->[1]);
    ok(!$failed, "accepted: $g->[0]") or diag($out);
}
for my $b (@bad) {
    my ($name, $body, $directive, $re) = @$b;
    my ($failed, $out) = config_check($dir, $body);
    ok($failed, "refused: $name");
    like($out, qr/\Q$directive\E/, "$name: the message names $directive");
    like($out, $re, "$name: the message says why") or diag($out);
}
