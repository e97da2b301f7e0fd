#!/usr/bin/perl
# Prints the CGI environment as sorted NAME=value lines.  A backslash in a
# value is written as \\ and a newline as \n, so every variable is one line
# (AlbMtls::Test::parse_env undoes this).
use strict;
use warnings;

print "Content-Type: text/plain\n\n";
for my $k (sort keys %ENV) {
    my $v = $ENV{$k};
    $v =~ s/\\/\\\\/g;
    $v =~ s/\n/\\n/g;
    print "$k=$v\n";
}
