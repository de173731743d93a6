#!/bin/bash
# Instructions per packet of esprit's data path, exactly (callgrind).
#
#   tools/cg-per-packet.sh CONF CAPTURE DIR [REPEAT]
#
# Runs BIN (default build-cg/app/esprit/esprit) under callgrind on virtual
# devices, CAPTURE replayed REPEAT times (default 10) without infinite_rx, and
# counts only what runs under wk_lan_input (DIR out: CAPTURE is plaintext for
# the LAN port) or wk_wan_input (DIR in: ESP for the WAN port). It waits until
# the TX counter stops moving, then prints the instructions per packet sent,
# by function. The count is repeatable to the instruction, unlike rates on a
# shared machine. The first pass over the capture includes each flow's first
# packet (SPD cache misses): compare runs with the same REPEAT.
#
# Build for it (valgrind cannot run AVX-512; x86-64-v3 is the closest):
#   meson setup build-cg -Dmachine=default -Dc_args='-g -march=x86-64-v3'
#   ninja -C build-cg
# Environment: BIN, OUT (callgrind output, default /tmp/cg-per-packet.out),
# TOP (functions to print, default 30), VG_OPTS (more callgrind options: with
# '--cache-sim=yes --D1=49152,12,64 --LL=2097152,16,64' it also prints, per
# packet, the data reads and writes that miss a D1 and an LL of those sizes;
# callgrind ignores prefetch instructions, so these are every line a packet
# touches that is not already cached, whether or not the code prefetches it).
# Needs valgrind and python3.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
conf=$1 cap=$2 dir=$3 rep=${4:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$here/build-cg/app/esprit/esprit}
OUT=${OUT:-/tmp/cg-per-packet.out}
case $dir in out|in) ;; *) echo "DIR must be out or in" >&2; exit 2 ;; esac
[ -x "$BIN" ] || { echo "no $BIN: build it first (see the header)" >&2; exit 2; }
[ -r "$conf" ] && [ -r "$cap" ] || { echo "cannot read $conf or $cap" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rcap=$work/capture.pcap
# the records REPEAT times behind one pcap header
python3 - "$cap" "$rcap" "$rep" <<'EOF'
import sys
b = open(sys.argv[1], 'rb').read()
if len(b) < 24:
    sys.exit(f"{sys.argv[1]}: not a pcap file")
open(sys.argv[2], 'wb').write(b[:24] + b[24:] * int(sys.argv[3]))
EOF
if [ "$dir" = out ]; then
	v0="net_pcap0,rx_pcap=$rcap"; v1="net_null1,no-rx=1"; port=1; fn=wk_lan_input
else
	v0="net_null0,no-rx=1"; v1="net_pcap1,rx_pcap=$rcap"; port=0; fn=wk_wan_input
fi
prefix=cgpp$$
rm -f "$OUT"
# shellcheck disable=SC2086
valgrind --tool=callgrind --callgrind-out-file="$OUT" --collect-atstart=no ${VG_OPTS:-} \
	--toggle-collect=$fn "$BIN" -l 1 -n 1 --file-prefix $prefix --no-huge -m 2048 \
	--no-pci --vdev "$v0" --vdev "$v1" -- -f "$conf" >"$work/log" 2>&1 &
pid=$!
sent() {
	echo "/ethdev/stats,$port" | dpdk-telemetry.py -f $prefix 2>/dev/null |
		grep -o '"opackets": [0-9]*' | grep -o '[0-9]*$' || true
}
for _ in $(seq 600); do
	[ -S "/var/run/dpdk/$prefix/dpdk_telemetry.v2" ] && break
	kill -0 $pid 2>/dev/null || { cat "$work/log" >&2; exit 1; }
	sleep 0.5
done
# Done when the counter has moved and then stops. Under valgrind a big
# configuration (10k SAs, 100k rules) takes minutes to load, with the port
# already up and at 0 all that time; give up after 30 minutes of nothing.
last=-1
for _ in $(seq 900); do
	sleep 2
	n=$(sent)
	[ -n "$n" ] && [ "$n" != 0 ] && [ "$n" = "$last" ] && break
	last=${n:--1}
	kill -0 $pid 2>/dev/null || break
done
kill -INT $pid 2>/dev/null || true	# it may have ended by itself
wait $pid || true
[ "${n:-0}" -gt 0 ] || { echo "no packets sent" >&2; cat "$work/log" >&2; exit 1; }
echo "packets sent: $n"
# every event column divided by the packets: Ir alone, or Ir Dr Dw I1mr
# D1mr D1mw ILmr DLmr DLmw with the cache simulation
callgrind_annotate --inclusive=no --auto=no "$OUT" 2>/dev/null |
	awk -v n="$n" '/^Events shown:/{$1=$2=""; print "per packet:" $0; next}
		/^ *[0-9,]+ /{ out = ""
			for (i = 1; i <= NF; i++) {
				if ($i == "(" || $i ~ /^\(?[0-9.]+%\)$/) continue	# (12.3%), ( 1.2%)
				if ($i == ".") $i = 0
				if ($i !~ /^[0-9,]+$/) break
				x = $i; gsub(",", "", x); out = out sprintf("%8.2f ", x / n) }
			fn = ""; for (; i <= NF; i++) fn = fn " " $i; print out fn }' |
	grep -v '=>' | head -"${TOP:-30}"
