#!/bin/sh
# Many tunnels, one worker: the single-SA rate against the 1k-SA and 10k-SA rates
# (tools/make-many.py's scenarios) at 64 and 1420 bytes, out and in, and their ratios.
#   tools/bench-many.sh [--many-dir DIR] [--sizes 64,1420] [--rounds 2] ...   (--help)
exec /usr/bin/python3 "$(dirname "$0")/bench.py" many "$@"
