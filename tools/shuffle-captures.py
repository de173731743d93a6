#!/usr/bin/python3
"""The same frames in random order: captures whose SAs come round unpredictably.

  tools/shuffle-captures.py SRC DST [--seed 7] [--glob '*-64-*.pcap']

tools/make-many.py writes its captures round-robin over the SAs (frame j goes
to flow j mod N). Swept in that order, SAs that lie apart in memory are what
the hardware prefetchers follow best, and traffic from thousands of tunnels
does not arrive so; the dense SA layout of 9c926e7 was measured both ways
(docs/performance.md, tenth session). This copies SRC's manifest.json and the
matching pcaps into DST with the frames shuffled (Python's random.shuffle,
seeded), for tools/bench-ab.py --captures DST.

Only for SAs without a replay window, as make-many's are (replay_window = 0):
reordered inbound packets would otherwise be dropped as replays.
"""
import argparse
import glob
import os
import random
import shutil
import sys

from scapy.all import rdpcap, wrpcap  # all layers: read as Ethernet frames


def main(argv):
    p = argparse.ArgumentParser(prog="tools/shuffle-captures.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("src", help="a captures directory (tools/make-many.py's <name>/)")
    p.add_argument("dst", help="where the shuffled copies go")
    p.add_argument("--seed", type=int, default=7, help="random seed (%(default)s)")
    p.add_argument("--glob", default="*.pcap", help="which captures (%(default)s)")
    a = p.parse_args(argv)
    files = sorted(glob.glob(os.path.join(a.src, a.glob)))
    if not files:
        p.error(f"no {a.glob} in {a.src}")
    os.makedirs(a.dst, exist_ok=True)
    manifest = os.path.join(a.src, "manifest.json")
    if os.path.exists(manifest):
        shutil.copy(manifest, a.dst)
    for f in files:
        frames = list(rdpcap(f))
        random.seed(a.seed)
        random.shuffle(frames)
        out = os.path.join(a.dst, os.path.basename(f))
        wrpcap(out, frames)
        print(f"{out}: {len(frames)} frames shuffled (seed {a.seed})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
