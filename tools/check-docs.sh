#!/bin/sh
# check-docs.sh - every directive in the module's command table is described
# in README.md (a "### Name" section) and in conf/alb_mtls.conf, and neither
# document describes a directive the module does not have.  Run by
# `make -f Makefile.apxs test`.
cd "$(dirname "$0")/.." || exit 2
status=0
code=$(grep -ohE 'AP_INIT_[A-Z0-9_]+\("AlbMtls[A-Za-z]+"' mod_alb_mtls*.c mod_alb_mtls*.h |
       sed -E 's/.*"(AlbMtls[A-Za-z]+)"/\1/' | sort -u)
readme=$(grep -oE '^### AlbMtls[A-Za-z]+' README.md | sed 's/^### //' | sort -u)
conf=$(grep -oE '^[[:space:]]*#[[:space:]]*AlbMtls[A-Za-z]+' conf/alb_mtls.conf |
       sed -E 's/^[[:space:]]*#[[:space:]]*//' | sort -u)
for d in $code; do
    echo "$readme" | grep -qx "$d" || { echo "check-docs: $d has no '### $d' section in README.md"; status=1; }
    echo "$conf" | grep -qx "$d" || { echo "check-docs: $d is not in conf/alb_mtls.conf"; status=1; }
done
for d in $readme $conf; do
    echo "$code" | grep -qx "$d" || { echo "check-docs: $d is documented but not in the module"; status=1; }
done
[ $status = 0 ] && echo "check-docs: $(echo "$code" | wc -l) directives, described in README.md and conf/alb_mtls.conf"
exit $status
