#!/usr/bin/python3
"""Paired A/B of esprit binaries on one case: how much faster is B than A?

  tools/bench-ab.py -c CONF [--captures DIR] [--packets N] [--dir in|out]
                    [--size 64] [--rounds 4] [--seconds 4] BIN_A BIN_B [BIN...]

A binary given as BIN@CONF2 runs with CONF2 instead of CONF, on CONF's
captures (CONF2 must have the same ports and neighbours, and its own rules and
SAs for that traffic): two configurations compared on the same frames, e.g. one
SA against 10,000 (tools/make-many.py's sa1-wide.conf).

Runs the binaries one after another on the same configuration, packet size and
captures (tools/bench.py's devices and measurement), round after round, the
order reversed every other round so that neither always runs first on a
machine whose speed drifts. Prints each run, then per binary the median rate,
the median cycles a packet, and B/A: the median of the round-by-round ratios
to the first binary. On a shared host a ratio within ~1 % of 1 is noise.
"""
import argparse
import os
import statistics
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-c", "--config", required=True, help="esprit configuration")
    p.add_argument("--captures", help="capture cache directory (tools/bench.py's)")
    p.add_argument("--dir", choices=["in", "out"], default="in")
    p.add_argument("--size", default="64", help="frame size or imix (%(default)s)")
    p.add_argument("bins", nargs="+", help="esprit binaries; the first is A")
    bench.common_options(p, seconds=4, rounds=4)
    a = p.parse_args()
    if len(a.bins) < 2:
        p.error("give at least two binaries")
    rates = {b: [] for b in a.bins}
    cycles = {b: [] for b in a.bins}
    for r in range(a.rounds):
        for b in (a.bins if r % 2 == 0 else a.bins[::-1]):
            a.bin, _, conf = b.partition("@")
            x = bench.Bench(a, a.config, a.captures, conf or None).measure(a.dir, a.size, 1)
            rates[b].append(x["mpps"])
            cycles[b].append(x["cyc_busy"])
            print(f"round {r + 1} {b:40s} {x['mpps']:7.3f} Mpps {x['cyc_busy']:5.0f} cyc/pkt "
                  f"other {x['other_cpus']:.2f}", flush=True)
    base = rates[a.bins[0]]
    for b in a.bins:
        ratio = statistics.median(x / y for x, y in zip(rates[b], base))
        print(f"{a.dir} {a.size} {b:40s} median {statistics.median(rates[b]):7.3f} Mpps "
              f"{statistics.median(cycles[b]):5.0f} cyc/pkt  B/A {ratio:.3f}")


if __name__ == "__main__":
    main()
