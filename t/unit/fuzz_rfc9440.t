#!/bin/sh
# replays the committed fuzz corpus and every saved crash through fuzz/fuzz_rfc9440.c
cd "$(dirname "$0")/../.." || exit 1
exec build/fuzz/replay_rfc9440 fuzz/corpus/seeds fuzz/corpus/entries fuzz/corpus/formats fuzz/crashes
