# esprit on Debian 12. Build:  docker build -t esprit .
# Run (needs hugepages or --no-huge, and the NICs or vdevs you give it):
#   docker run --rm --privileged -v /dev/hugepages:/dev/hugepages \
#     -v $PWD/configs:/etc/esprit esprit -l 0-1 -- -f /etc/esprit/esprit.conf
FROM debian:12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
	build-essential meson ninja-build pkg-config \
	libdpdk-dev libipsec-mb-dev libssl-dev libconfig-dev libpcap-dev \
	&& rm -rf /var/lib/apt/lists/*
COPY . /src
# portable x86-64 with AES-NI rather than the build host's -march=native
RUN meson setup /build /src -Dmachine=default --prefix=/usr \
	&& ninja -C /build app/esprit/esprit \
	&& install -D -m 0755 /build/app/esprit/esprit /out/usr/bin/esprit

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
	dpdk libipsec-mb1 libconfig9 libssl3 \
	&& rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /
COPY configs /usr/share/esprit/configs
ENTRYPOINT ["/usr/bin/esprit"]
CMD ["--help"]
