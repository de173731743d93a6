#!/bin/bash
# Prepares a Debian 12 machine for esprit: packages, build, hugepages.
#   sudo tools/setup.sh            (idempotent; run from anywhere)
# Environment: BUILD_DIR (default build), MESON_OPTS (extra meson options),
#              SKIP_APT=1 to skip the package step.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}

pkgs=(build-essential meson ninja-build pkg-config
      libdpdk-dev dpdk libipsec-mb-dev libssl-dev libconfig-dev libpcap-dev
      python3 python3-scapy python3-cryptography python3-matplotlib
      iproute2 iputils-ping ethtool tcpdump procps kmod
      strongswan-charon strongswan-swanctl strongswan-pki libcharon-extra-plugins
      libstrongswan-standard-plugins
      nftables)
if [ "${SKIP_APT:-0}" != 1 ]; then
	missing=()
	for p in "${pkgs[@]}"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "setup: installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
fi

# 2 MiB hugepages for DPDK (tests also run with --no-huge).
if [ -w /proc/sys/vm/nr_hugepages ]; then
	have=$(awk '/HugePages_Total/{print $2}' /proc/meminfo)
	[ "$have" -ge 512 ] || echo 512 >/proc/sys/vm/nr_hugepages || true
	mountpoint -q /dev/hugepages || { mkdir -p /dev/hugepages &&
		mount -t hugetlbfs nodev /dev/hugepages; } || true
fi

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$top" ${MESON_OPTS:-} >/dev/null
fi
ninja -C "$build" >/dev/null
echo "setup: built $build/app/esprit/esprit"
