#!/bin/sh
# check-lognos.sh - the log tags against docs/log-numbers.md, README.md and
# SECURITY.md (tools/check-lognos.pl says what is checked).  Run by
# `make -f Makefile.apxs test`.
cd "$(dirname "$0")/.." || exit 2
exec perl tools/check-lognos.pl
