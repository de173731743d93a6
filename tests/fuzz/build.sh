#!/bin/bash
# Builds libFuzzer binaries of the fuzz targets with clang and sanitizers.
#   tests/fuzz/build.sh [conf|esp|ike ...]     -> build-fuzz/fuzz_<name>
# Run one:  build-fuzz/fuzz_esp -max_total_time=300 tests/fuzz/corpus/esp
# (corpora: tests/fuzz/corpus/{conf,esp,ike}, which meson test replays)
# (needs clang and libclang-rt-14-dev; the ESP target needs DPDK, ipsec-mb)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build-fuzz
mkdir -p "$out"
cflags=(-g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE
	-DALLOW_EXPERIMENTAL_API -DESPRIT_VERSION='"fuzz"' -I"$top/lib" -march=native)
dpdk_cflags=$(pkg-config --cflags libdpdk | sed 's/-march=[^ ]*//')
dpdk_libs="$(pkg-config --libs libdpdk) -lIPSec_MB"
util=("$top"/lib/util/addr.c "$top"/lib/util/hex.c "$top"/lib/sa/alg.c "$top"/lib/sa/sa_params.c)
for t in "${@:-conf esp ike}"; do
	for name in $t; do
		case $name in
		conf) clang "${cflags[@]}" "$top/tests/fuzz/fuzz_conf.c" "$top"/lib/conf/*.c \
			"${util[@]}" -lconfig -o "$out/fuzz_conf" ;;
		esp) clang "${cflags[@]}" $dpdk_cflags "$top/tests/fuzz/fuzz_esp.c" \
			"$top"/lib/esp/*.c "$top"/lib/sa/sa.c "$top"/lib/net/pkt.c \
			"$top"/lib/dp/counters.c "${util[@]}" $dpdk_libs -o "$out/fuzz_esp" ;;
		ike) clang "${cflags[@]}" "$top/tests/fuzz/fuzz_ike_msg.c" "$top"/lib/ike/[!_]*.c \
			"${util[@]}" -lcrypto -lconfig -o "$out/fuzz_ike" ;;
		*) echo "unknown target $name"; exit 2 ;;
		esac
		echo "built $out/fuzz_$name"
	done
done
