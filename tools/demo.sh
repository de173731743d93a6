#!/bin/bash
# esprit in one minute: two esprit gateways joined by an IPsec tunnel, a host
# behind each (network namespaces), traffic between the hosts encrypted on
# the wire between the gateways.
#
#   sudo tools/demo.sh          (installs and builds first; Debian 12, root)
#
#   [ns demo-a] 10.1.0.2    [ns demo-gwa] 10.1.0.1 esprit A 172.31.0.1
#      demo-a-host <-veth-> demo-gwa-lan               demo-gwa-wan
#                                                            |  veth: ESP only
#   [ns demo-b] 10.2.0.2    [ns demo-gwb] 10.2.0.1 esprit B 172.31.0.2
#      demo-b-host <-veth-> demo-gwb-lan               demo-gwb-wan
#
# Each gateway binds its two veth ends with DPDK's net_af_packet; IPv6
# (2001:db8:a::/64 <-> 2001:db8:b::/64) rides the same IPv4 tunnel.
# KEEP=1 leaves everything running for a look around (tools/demo.sh stop).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
esprit=$build/app/esprit/esprit
work=/tmp/esprit-demo
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

stop() {
	local pids=() p
	for g in a b; do
		[ -f "$work/gw-$g.pid" ] && pids+=("$(cat "$work/gw-$g.pid")")
	done
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for _ in $(seq 50); do   # wait until they have let go of their ports
		alive=0
		for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	for n in demo-a demo-b demo-gwa demo-gwb; do ip netns del "$n" 2>/dev/null; done
	true
}
[ "${1:-}" = stop ] && { stop; exit 0; }

[ "$(id -u)" = 0 ] || { echo "demo: run as root (namespaces, veths, DPDK)"; exit 1; }
"$top/tools/setup.sh" || exit 1
stop >/dev/null 2>&1
rm -rf "$work" && mkdir -p "$work"

say "1. Topology: two sites, two esprit gateways, one tunnel"
sed -n '7,12p' "$0" | sed 's/^#//'
# Each gateway lives in a namespace of its own with its veth ends: DPDK's
# af_packet joins a PACKET_FANOUT group whose id mixes pid and ifindex, and
# two gateways in one namespace may draw the same id.
for s in a b; do
	ip netns add demo-$s
	ip netns add demo-gw$s
	ip link add demo-$s-host netns demo-$s type veth peer name demo-gw$s-lan netns demo-gw$s
done
ip link add demo-gwa-wan netns demo-gwa type veth peer name demo-gwb-wan netns demo-gwb
net=1
for s in a b; do
	ip -n demo-$s addr add 10.$net.0.2/24 dev demo-$s-host
	ip -n demo-$s addr add 2001:db8:$s::2/64 dev demo-$s-host nodad
	ip -n demo-$s link set lo up
	ip -n demo-$s link set demo-$s-host up
	ip -n demo-$s route add default via 10.$net.0.1
	ip -n demo-$s -6 route add default via 2001:db8:$s::1
	ip netns exec demo-$s ethtool -K demo-$s-host tx off >/dev/null 2>&1
	net=2
done
for i in gwa:lan gwb:lan gwa:wan gwb:wan; do
	ns=demo-${i%%:*} dev=demo-${i%%:*}-${i#*:}
	ip -n "$ns" link set "$dev" up
	ip netns exec "$ns" ethtool -K "$dev" tx off >/dev/null 2>&1  # AF_PACKET would see bad checksums
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.$dev.disable_ipv6=1
done

say "2. Starting esprit A and B (configs/demo/gw-a.conf, gw-b.conf)"
lc=0
for g in a b; do
	ip netns exec demo-gw$g "$esprit" -l $lc -n 1 --no-huge -m 256 --no-pci --file-prefix esprit-demo-$g \
		--log-level=pmd.*:error -- -f "$top/configs/demo/gw-$g.conf" \
		>"$work/gw-$g.log" 2>&1 &
	echo $! >"$work/gw-$g.pid"
	lc=$(( $(nproc) > 1 ? 1 : 0 ))
done
for g in a b; do
	for _ in $(seq 100); do
		grep -q "SPD rules" "$work/gw-$g.log" && break; sleep 0.1
	done
	grep -h "esprit:" "$work/gw-$g.log" | sed "s/^/   [gw $g] /"
done

say "3. Host A pings host B through the tunnel (IPv4 and IPv6); the wire between the gateways is captured"
ip netns exec demo-gwa tcpdump -i demo-gwa-wan -n -U -w "$work/wire.pcap" 2>/dev/null &
td=$!
sleep 1
ip netns exec demo-a ping -c 5 -i 0.2 -W 2 10.2.0.2 | sed 's/^/   /' | grep -E "bytes from|transmitted"
ip netns exec demo-a ping -6 -c 3 -i 0.2 -W 2 2001:db8:b::2 | sed 's/^/   /' | grep -E "bytes from|transmitted"
sleep 1; kill $td; wait $td 2>/dev/null

say "4. What crossed the wire (tcpdump on demo-gwa-wan): ESP only, no cleartext ICMP"
tcpdump -n -r "$work/wire.pcap" 2>/dev/null | head -6 | sed 's/^/   /'
esp=$(tcpdump -n -r "$work/wire.pcap" esp 2>/dev/null | wc -l)
clear=$(tcpdump -n -r "$work/wire.pcap" 'icmp or icmp6' 2>/dev/null | wc -l)
echo "   => $esp ESP packets, $clear cleartext ICMP packets"

say "5. Counters (DPDK telemetry: dpdk-telemetry.py -f esprit-demo-a, then /esprit/...)"
for g in a b; do
	echo "   gateway $g /esprit/stats: $(echo /esprit/stats | dpdk-telemetry.py -f esprit-demo-$g 2>/dev/null | tail -1)"
done
for sa in a-to-b b-to-a; do
	echo "   gateway a /esprit/sa,$sa: $(echo "/esprit/sa,$sa" | dpdk-telemetry.py -f esprit-demo-a 2>/dev/null | tail -1 |
		grep -o '"name": "[^"]*"\|"spi": [0-9]*\|"alg": "[^"]*"\|"packets": [0-9]*\|"state": "[^"]*"' | tr '\n' ' ')"
done

say "6. Where to look next"
cat <<EOT
   - The gateways run on: logs in $work/gw-{a,b}.log, configs in configs/demo/.
   - Live counters: dpdk-telemetry.py -f esprit-demo-a, then / lists the
     /esprit/ endpoints (stats, ports, drops, sas, sa,NAME, neighbours).
   - Write your own: configs/reference.conf documents every key;
     esprit --check -f FILE validates one.
   - Tests: tools/test.sh (scapy and strongSwan check esprit's ESP).
EOT
if [ "${KEEP:-0}" = 1 ]; then
	echo "   KEEP=1: still running; 'sudo tools/demo.sh stop' tears it down."
	exit 0
fi
stop
say "Stopped. Final counters of gateway A:"
sed -n '/Final counters/,$p' "$work/gw-a.log" | sed 's/^/   /'
[ "$esp" -gt 0 ] && [ "$clear" -eq 0 ]
