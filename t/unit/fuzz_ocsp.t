#!/bin/sh
# replays the committed fuzz corpus and every saved crash through fuzz/fuzz_ocsp.c
cd "$(dirname "$0")/../.." || exit 1
exec build/fuzz/replay_ocsp fuzz/corpus/seeds fuzz/corpus/entries fuzz/corpus/formats fuzz/corpus/ocsp fuzz/crashes
