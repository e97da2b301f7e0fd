#!/bin/sh
# replays the committed fuzz corpus and every saved crash through fuzz/fuzz_b64der.c
cd "$(dirname "$0")/../.." || exit 1
exec build/fuzz/replay_b64der fuzz/corpus/seeds fuzz/corpus/entries fuzz/corpus/formats fuzz/crashes
