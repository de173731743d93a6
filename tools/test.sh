#!/bin/bash
# Runs the whole test suite (unit, integration against scapy, interop
# against strongSwan) on a fresh Debian 12 machine:
#   sudo tools/test.sh [meson test arguments, e.g. --suite unit]
# First the unit, integration and interop suites run once more on a second
# build with AddressSanitizer (leaks included) and UndefinedBehaviorSanitizer,
# which stop at the first error: bad packets, IKE messages and configuration
# files must never crash the gateway, leak or reach undefined behaviour, and
# the fuzz corpora, bad-input tests and a real peer's exchanges (rekeying,
# deletes, dead peer detection) only show that when something watches.
# Environment: BUILD_DIR (default build), SAN_BUILD_DIR (default
# BUILD_DIR-san), SANITIZE=0 to skip that pass.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
san=${SAN_BUILD_DIR:-$build-san}
"$top/tools/setup.sh"
cd "$top"
if [ "${SANITIZE:-1}" != 0 ]; then
	if [ ! -f "$san/build.ninja" ]; then
		# b_lundef=false: the sanitizer runtimes resolve at load time
		meson setup "$san" "$top" -Db_sanitize=address,undefined \
			-Db_lundef=false -Dc_args=-fno-sanitize-recover=undefined \
			>/dev/null
	fi
	ninja -C "$san" >/dev/null
	# libconfig's own leak on some parse errors is suppressed (lsan.supp)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	LSAN_OPTIONS=suppressions=$top/tests/fuzz/lsan.supp \
	UBSAN_OPTIONS=print_stacktrace=1 \
		meson test -C "$san" --print-errorlogs --suite unit --suite integration \
			--suite interop
	echo "sanitizers: the unit, integration and interop suites passed under ASan and UBSan"
	echo
fi
exec meson test -C "$build" --print-errorlogs "$@"
