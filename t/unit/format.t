#!/bin/sh
exec "$(dirname "$0")/../../build/unit/test_format" "$@"
