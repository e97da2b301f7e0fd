#!/usr/bin/perl
# A CGI "local redirect" (RFC 3875 6.2.2): httpd serves /fake/env in its
# place through an internal redirect.
print "Location: /fake/env\n\n";
