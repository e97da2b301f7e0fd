#!/bin/sh
# replays the committed fuzz corpus and every saved crash through fuzz/fuzz_entry.c
cd "$(dirname "$0")/../.." || exit 1
exec build/fuzz/replay_entry fuzz/corpus/seeds fuzz/corpus/entries fuzz/crashes
