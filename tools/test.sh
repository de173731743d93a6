#!/bin/bash
# Runs the whole test suite (unit, integration against scapy, interop
# against strongSwan) on a fresh Debian 12 machine:
#   sudo tools/test.sh [meson test arguments, e.g. --suite unit]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
"$top/tools/setup.sh"
cd "$top"
exec meson test -C "$build" --print-errorlogs "$@"
