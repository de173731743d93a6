#!/bin/sh
# One worker against two (speed-up), then sequence-number and anti-replay checks
# with two workers.
#   tools/bench-workers.sh [-c CONF] [--sizes 64,1420] [--rounds 2] ...   (--help)
exec /usr/bin/python3 "$(dirname "$0")/bench.py" workers "$@"
