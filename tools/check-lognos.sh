#!/bin/sh
# check-lognos.sh - every ALBnnnnn log tag (AMTLOGNO(nnnnn)) is used at one
# call site only and lies in one of the ranges of docs/log-numbers.md.
# Run by `make -f Makefile.apxs test`.
cd "$(dirname "$0")/.." || exit 2
status=0
dups=$(grep -ho 'AMTLOGNO([0-9]*)' mod_alb_mtls*.c | sort | uniq -d)
if [ -n "$dups" ]; then
    echo "check-lognos: tag used at more than one call site: $dups"
    status=1
fi
# the ranges: rows "| 00001-00019 | ..." of the table
ranges=$(sed -n 's/^| \([0-9]\{5\}\)-\([0-9]\{5\}\) |.*/\1 \2/p' docs/log-numbers.md)
if [ -z "$ranges" ]; then
    echo "check-lognos: no ranges found in docs/log-numbers.md"
    exit 1
fi
for n in $(grep -ho 'AMTLOGNO([^)]*)' mod_alb_mtls*.c | sed 's/AMTLOGNO(\(.*\))/\1/' | sort -u); do
    case "$n" in
    [0-9][0-9][0-9][0-9][0-9]) ;;
    *) echo "check-lognos: AMTLOGNO($n) is not five digits"; status=1; continue ;;
    esac
    num=$(expr "$n" + 0)
    inside=0
    set -- $ranges
    while [ $# -ge 2 ]; do
        lo=$(expr "$1" + 0); hi=$(expr "$2" + 0)
        if [ "$num" -ge "$lo" ] && [ "$num" -le "$hi" ]; then inside=1; fi
        shift 2
    done
    if [ $inside = 0 ]; then
        echo "check-lognos: ALB$n lies in no range of docs/log-numbers.md"
        status=1
    fi
done
[ $status = 0 ] && echo "check-lognos: $(grep -ho 'AMTLOGNO([0-9]*)' mod_alb_mtls*.c | wc -l) log tags, all unique and in range"
exit $status
