#!/bin/sh
# replays the committed fuzz corpus and every saved crash through fuzz/fuzz_verify.c
cd "$(dirname "$0")/../.." || exit 1
exec build/fuzz/replay_verify fuzz/corpus/seeds fuzz/corpus/entries fuzz/crashes
