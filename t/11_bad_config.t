# Bad configuration, directive by directive (t/10_config.t has the first
# cases): every kind of bad value -- unknown word, out-of-range or malformed
# number, bad address or CIDR, missing / unreadable / empty / wrong-content
# file, a directory where a file belongs and the other way round, wrong
# context -- must fail `httpd -t` with a message naming the directive (httpd
# adds file and line), and the good forms of the new directives must pass.
use strict;
use warnings;
use Apache::Test qw(-withtestmore);
use AlbMtls::Test qw(pki small_config httpd_syntax);
use File::Path qw(make_path);
use File::Spec ();

my $dir   = File::Spec->catdir(Apache::Test::vars('t_logs'), 'badcfg');
make_path($dir);

sub write_file { my ($f, $s) = @_; unlink $f; open my $fh, '>', $f or die "$f: $!"; print $fh $s; close $fh; $f }

my $root    = pki('root.crt');
my $capath  = pki('capath');
my $crl     = pki('crl-chain.pem');
my $crlpath = pki('crlpath');
my $empty   = write_file("$dir/empty.pem", '');
my $text    = write_file("$dir/text.pem", "hello\n");
my $keyonly = write_file("$dir/key.pem", do { local $/; open my $k, '<', pki('client.key') or die; <$k> });
my $crlonly = write_file("$dir/crlonly.pem", do { local $/; open my $k, '<', pki('root.crl') or die; <$k> });
my $badcrl  = write_file("$dir/badcrl.pem", "-----BEGIN X509 CRL-----\naGVsbG8gd29ybGQK\n-----END X509 CRL-----\n");
my $unread  = write_file("$dir/unreadable.pem", do { local $/; open my $k, '<', $root or die; <$k> });
chmod 0000, $unread;
my $can_unread = !open(my $probe, '<', $unread);   # root reads anything
my $emptydir = "$dir/emptydir"; make_path($emptydir);
my $badlinks = "$dir/badlinks"; make_path($badlinks);
write_file("$badlinks/0123abcd.r0", "not a crl\n");
write_file("$badlinks/0123abcd.0", "not a certificate\n");
my $long = 'X-' . ('a' x 130);
my $ca = qq{AlbMtlsCAFile "$root"};
my $vc = "AlbMtlsVerifyClient require\n$ca";

my @good = (
    [ 'CRLFile (check defaults to chain)', qq{$vc\nAlbMtlsCRLFile "$crl"} ],
    [ 'CRLPath + CRLCheck leaf',           qq{$vc\nAlbMtlsCRLPath "$crlpath"\nAlbMtlsCRLCheck leaf} ],
    [ 'CRLCheck chain no_crl_for_cert_ok', qq{$vc\nAlbMtlsCRLFile "$crl"\nAlbMtlsCRLCheck chain no_crl_for_cert_ok} ],
    [ 'CRLCheck none without CRL',         "$vc\nAlbMtlsCRLCheck none" ],
    [ 'CRL in a Location, check in the server', qq{$vc\nAlbMtlsCRLCheck leaf\n<Location /x>\nAlbMtlsCRLFile "$crl"\n</Location>} ],
    [ 'Header of 128 characters',          'AlbMtlsHeader X-' . ('a' x 126) ],
    [ 'TrustedProxy IPv6 CIDR',            'AlbMtlsTrustedProxy 2001:db8::/32 ::1' ],
);

# [name, config, directive the message must name]
my @bad = (
    # AlbMtlsVerifyClient
    [ 'VerifyClient: unknown word',     'AlbMtlsVerifyClient maybe',           'AlbMtlsVerifyClient' ],
    [ 'VerifyClient: two words',        'AlbMtlsVerifyClient require optional', 'AlbMtlsVerifyClient' ],
    [ 'VerifyClient: no word',          'AlbMtlsVerifyClient',                 'AlbMtlsVerifyClient' ],
    # AlbMtlsCAFile / AlbMtlsCAPath
    [ 'CAFile: empty file',             qq{AlbMtlsCAFile "$empty"},            'AlbMtlsCAFile' ],
    [ 'CAFile: private key only',       qq{AlbMtlsCAFile "$keyonly"},          'AlbMtlsCAFile' ],
    [ 'CAFile: CRL only',               qq{AlbMtlsCAFile "$crlonly"},          'AlbMtlsCAFile' ],
    [ 'CAFile: not PEM',                qq{AlbMtlsCAFile "$text"},             'AlbMtlsCAFile' ],
    [ 'CAFile: unreadable',             qq{AlbMtlsCAFile "$unread"},           'AlbMtlsCAFile', !$can_unread ],
    [ 'CAPath: a file',                 qq{AlbMtlsCAPath "$root"},             'AlbMtlsCAPath' ],
    [ 'CAPath: no hash links',          qq{AlbMtlsCAPath "$emptydir"},         'AlbMtlsCAPath' ],
    # AlbMtlsVerifyDepth
    [ 'VerifyDepth 33',                 'AlbMtlsVerifyDepth 33',               'AlbMtlsVerifyDepth' ],
    [ 'VerifyDepth 99999999999',        'AlbMtlsVerifyDepth 99999999999',      'AlbMtlsVerifyDepth' ],
    [ 'VerifyDepth abc',                'AlbMtlsVerifyDepth abc',              'AlbMtlsVerifyDepth' ],
    [ 'VerifyDepth empty',              'AlbMtlsVerifyDepth ""',               'AlbMtlsVerifyDepth' ],
    [ 'VerifyDepth 0x5',                'AlbMtlsVerifyDepth 0x5',              'AlbMtlsVerifyDepth' ],
    # AlbMtlsRequireCN
    [ 'RequireCN: empty name',          'AlbMtlsRequireCN ""',                 'AlbMtlsRequireCN' ],
    # AlbMtlsHeader
    [ 'Header: space in name',          'AlbMtlsHeader "X Client"',            'AlbMtlsHeader' ],
    [ 'Header: colon in name',          'AlbMtlsHeader X-Client:',             'AlbMtlsHeader' ],
    [ 'Header: standard field Host',    'AlbMtlsHeader Host',                  'AlbMtlsHeader' ],
    [ 'Header: Authorization',          'AlbMtlsHeader authorization',         'AlbMtlsHeader' ],
    [ 'Header: longer than 128',        "AlbMtlsHeader $long",                 'AlbMtlsHeader' ],
    [ 'Header: empty',                  'AlbMtlsHeader ""',                    'AlbMtlsHeader' ],
    # AlbMtlsTrustedProxy
    [ 'TrustedProxy: any + address',    'AlbMtlsTrustedProxy any 10.0.0.0/8',  'AlbMtlsTrustedProxy' ],
    [ 'TrustedProxy: address + any',    "AlbMtlsTrustedProxy 10.0.0.0/8\nAlbMtlsTrustedProxy any", 'AlbMtlsTrustedProxy' ],
    [ 'TrustedProxy: IPv6 /129',        'AlbMtlsTrustedProxy fc00::/129',      'AlbMtlsTrustedProxy' ],
    [ 'TrustedProxy: empty bits',       'AlbMtlsTrustedProxy 10.0.0.0/',       'AlbMtlsTrustedProxy' ],
    [ 'TrustedProxy: negative bits',    'AlbMtlsTrustedProxy 10.0.0.0/-1',     'AlbMtlsTrustedProxy' ],
    [ 'TrustedProxy: host name',        'AlbMtlsTrustedProxy alb.example.com', 'AlbMtlsTrustedProxy' ],
    [ 'TrustedProxy: no address',       'AlbMtlsTrustedProxy',                 'AlbMtlsTrustedProxy' ],
    [ 'TrustedProxy: in Directory',     "<Directory /tmp>\nAlbMtlsTrustedProxy 10.0.0.1\n</Directory>", 'AlbMtlsTrustedProxy' ],
    # AlbMtlsOptions
    [ 'Options: none given',            'AlbMtlsOptions',                      'AlbMtlsOptions' ],
    [ 'Options: unknown absolute',      'AlbMtlsOptions Everything',           'AlbMtlsOptions' ],
    [ 'Options: absolute then relative', 'AlbMtlsOptions StdEnvVars -ExportCertData', 'AlbMtlsOptions' ],
    # AlbMtlsUserName
    [ 'UserName: not SSL_CLIENT_*',     'AlbMtlsUserName REMOTE_USER',         'AlbMtlsUserName' ],
    [ 'UserName: bare prefix',          'AlbMtlsUserName SSL_CLIENT_',         'AlbMtlsUserName' ],
    # AlbMtlsCRLFile
    [ 'CRLFile: missing',               "AlbMtlsCRLFile $dir/no-such.crl",     'AlbMtlsCRLFile' ],
    [ 'CRLFile: a directory',           qq{AlbMtlsCRLFile "$crlpath"},         'AlbMtlsCRLFile' ],
    [ 'CRLFile: empty file',            qq{AlbMtlsCRLFile "$empty"},           'AlbMtlsCRLFile' ],
    [ 'CRLFile: certificate, no CRL',   qq{AlbMtlsCRLFile "$root"},            'AlbMtlsCRLFile' ],
    [ 'CRLFile: not PEM',               qq{AlbMtlsCRLFile "$text"},            'AlbMtlsCRLFile' ],
    [ 'CRLFile: garbage CRL',           qq{AlbMtlsCRLFile "$badcrl"},          'AlbMtlsCRLFile' ],
    [ 'CRLFile: unreadable',            qq{AlbMtlsCRLFile "$unread"},          'AlbMtlsCRLFile', !$can_unread ],
    # AlbMtlsCRLPath
    [ 'CRLPath: missing',               "AlbMtlsCRLPath $dir/no-such-dir",     'AlbMtlsCRLPath' ],
    [ 'CRLPath: a file',                qq{AlbMtlsCRLPath "$crl"},             'AlbMtlsCRLPath' ],
    [ 'CRLPath: no .rN links',          qq{AlbMtlsCRLPath "$capath"},          'AlbMtlsCRLPath' ],
    [ 'CRLPath: link that is no CRL',   qq{AlbMtlsCRLPath "$badlinks"},        'AlbMtlsCRLPath' ],
    # AlbMtlsCRLCheck
    [ 'CRLCheck: unknown word',         'AlbMtlsCRLCheck all',                 'AlbMtlsCRLCheck' ],
    [ 'CRLCheck: unknown flag',         qq{AlbMtlsCRLCheck chain yes\nAlbMtlsCRLFile "$crl"}, 'AlbMtlsCRLCheck' ],
    [ 'CRLCheck: flag without mode',    'AlbMtlsCRLCheck no_crl_for_cert_ok',  'AlbMtlsCRLCheck' ],
    [ 'CRLCheck: nothing',              'AlbMtlsCRLCheck',                     'AlbMtlsCRLCheck' ],
    [ 'CRLCheck chain without any CRL', "$vc\nAlbMtlsCRLCheck chain",          'AlbMtlsCRLCheck' ],
    [ 'CRLCheck leaf in a vhost without CRL', "$vc\n<VirtualHost 127.0.0.1:1>\nAlbMtlsCRLCheck leaf\n</VirtualHost>", 'AlbMtlsCRLCheck' ],
);

plan tests => @good + 3 * @bad + 3;

# syntax(BODY): (exit status of httpd -t, its output, the config file)
sub syntax {
    my ($f) = small_config($dir, $_[0]);
    return (httpd_syntax($f), $f);
}

# a CRL already past its nextUpdate is accepted, with a warning (ALB00041);
# requests then fail with "CRL has expired" (t/22_crl.t)
{
    my ($st, $out) = syntax(qq{$vc\nAlbMtlsCRLFile "${\ pki('crl-expired.pem') }"});
    is($st, 0, 'accepted: an expired CRL');
    like($out, qr/ALB00041: AlbMtlsCRLFile \S*crl-expired\.pem \(\S+:\d+\): 1 CRL\(s\) past their nextUpdate/,
         'expired CRL: ALB00041 warning names the file and the line');
    my ($st2, $out2) = syntax(qq{$vc\nAlbMtlsCRLFile "$crl"});
    unlike($out2, qr/ALB00041/, 'current CRLs: no ALB00041');
}

for my $g (@good) {
    my ($name, $body) = @$g;
    my ($st, $out) = syntax($body);
    is($st, 0, "accepted: $name") or diag($out);
}

for my $b (@bad) {
    my ($name, $body, $directive, $skip) = @$b;
  SKIP: {
        skip "$name: running as root, every file is readable", 3 if $skip;
        my ($st, $out, $f) = syntax($body);
        isnt($st, 0, "refused by httpd -t: $name");
        like($out, qr/\Q$directive\E/, "$name: message names $directive") or diag($out);
        like($out, qr/\Q$f\E/, "$name: message names the configuration file") or diag($out);
    }
}
