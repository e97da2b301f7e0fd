#!/bin/sh
# check-lognos.sh - every ALBnnnnn log tag (AMTLOGNO(nnnnn)) is used at one
# call site only, and is below the next free number of its range
# (docs/next-log-number: first line 000xx start-up range, second 001xx
# request range).  Run by `make -f Makefile.apxs test`.
cd "$(dirname "$0")/.." || exit 2
status=0
dups=$(grep -ho 'AMTLOGNO([0-9]*)' mod_alb_mtls*.c | sort | uniq -d)
if [ -n "$dups" ]; then
    echo "check-lognos: tag used at more than one call site: $dups"
    status=1
fi
next_start=$(sed -n 1p docs/next-log-number)
next_req=$(sed -n 2p docs/next-log-number)
for n in $(grep -ho 'AMTLOGNO([0-9]*)' mod_alb_mtls*.c | tr -dc '0-9\n' | sort -u); do
    num=$(expr "$n" + 0)
    if [ "$num" -lt 100 ] && [ "$num" -ge "$(expr "$next_start" + 0)" ] ||
       [ "$num" -ge 100 ] && [ "$num" -ge "$(expr "$next_req" + 0)" ]; then
        echo "check-lognos: ALB$n is not below docs/next-log-number; bump it"
        status=1
    fi
done
[ $status = 0 ] && echo "check-lognos: $(grep -ho 'AMTLOGNO([0-9]*)' mod_alb_mtls*.c | wc -l) log tags, all unique"
exit $status
