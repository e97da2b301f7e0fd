#!/bin/sh
# mod_alb_mtls demo CGI (used when mod_php is not installed): prints what a
# CGI program sees.
printf 'Content-Type: text/plain\n\n'
vars=$(env | grep '^SSL_CLIENT_' | LC_ALL=C sort)
if [ -z "$vars" ]; then
    echo "(no SSL_CLIENT_* variables)"
else
    printf '%s\n' "$vars"
fi
env | grep -E '^(REMOTE_USER|AUTH_TYPE)=' | LC_ALL=C sort -r
