#!/bin/sh
# clean-tree.sh DEST - copy the project as a fresh clone would have it, with
# the work tree's uncommitted changes, to DEST (created): with git, the
# files it tracks plus new files it does not ignore (so never build/,
# t/logs/, t/results/...); without git, everything but .git, build/ and the
# test outputs.  Used by tools/matrix.sh and the deb and srpm targets.
set -eu
[ $# -eq 1 ] || { echo "usage: sh tools/clean-tree.sh DEST" >&2; exit 2; }
TOP=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
DEST=$(cd "$1" && pwd)
cd "$TOP"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files --cached --others --exclude-standard |
        while IFS= read -r f; do
            # tracked but deleted in the work tree: left out
            if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\n' "$f"; fi
        done |
        tar --verbatim-files-from -T - -cf - | tar -C "$DEST" -xf -
else
    tar --exclude=./.git --exclude=./build --exclude=./t/logs \
        --exclude=./t/results --exclude=./t/pki/out -cf - . | tar -C "$DEST" -xf -
fi
