"""The comparisons of tools/bench.py: `many` (bench-many.sh) and `workers`
(bench-workers.sh). See the usage texts below and docs/performance.md."""
import argparse
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import time

import bench
import benchlib as bl
from bench import Bench, log, median_row

MANY_USAGE = """\
One worker: the single-SA rate against the 1k-SA and 10k-SA rates (goal: ratio
>= 0.90), out and in, from the scenarios of tools/make-many.py (made first when
missing). Rounds are interleaved (every scenario once per round, the order
reversed every other round) and the median counts: the rates are each
scenario's median run, the ratios the median of each round's ratio (paired runs
minutes apart, so that the machine's slow and fast phases cancel out; the
ratio of the median rates is printed beside it). Also prints each scenario's
startup time (configuration, SAs, SPD build).

  tools/bench-many.sh [--many-dir /tmp/esprit-many] [--sizes 64,1420] [--dir both]
                      [--rounds 2] [--seconds 5] [--json FILE]
"""

WORKERS_USAGE = """\
First, what two CPUs of this machine give at once (raw ipsec-mb on one CPU, then
on both together: on a VM whose two vCPUs share a physical core, that is the
ceiling of any speed-up). Then one worker against two (two rx queues with their
own flows; goal: speed-up >= 1.8; as in bench-many.sh the speed-up is the
median of each round's ratio, one and two workers run back to back and in
reverse order every other round), then two correctness checks with two workers
on finite captures:
  sequence numbers: ESP leaving the WAN port is written to one pcap per tx queue
    (net_pcap tx_pcap); no (SPI, sequence number) may appear twice, and each SA's
    numbers must be exactly 1..packets;
  anti-replay: both rx queues replay the same ESP capture, every packet once
    (replay window 1024 in a copy of the configuration): each (SPI, sequence
    number) must be accepted exactly once (decrypted output, tagged with SPI and
    number, written to pcaps) and the duplicates counted as replay / replay_old.

  tools/bench-workers.sh [-c configs/bench/gcm.conf] [--sizes 64,1420] [--dir both]
                         [--rounds 2] [--seconds 5] [--check-packets 30000]
                         [--no-check] [--no-rates] [--no-machine] [--json FILE]
"""


def ratio(a, b):
    return a / b if b else 0.0


def paired(runs, key, base_key):
    """The median of round-by-round ratios runs[key][i] / runs[base_key][i]
    (of an even number: the mean of the middle two)."""
    return statistics.median(ratio(x["mpps"], y["mpps"])
                             for x, y in zip(runs[key], runs[base_key]))


def round_order(items, rnd):
    """ABBA: every other round in reverse, so drift does not favour one side."""
    return list(items) if rnd % 2 == 0 else list(reversed(items))


# --------------------------------------------------------------------------
# many

def memprobe_line(esprit_bin):
    """tools/memprobe --brief at the SAs' footprint and beyond, or None when
    it is not built: next to the binary's build, then build-bench/, build/.
    A line beyond L2 costs several times more in some hours than in others
    on a shared host; the many-tunnel ratios follow it (memprobe.c)."""
    root = os.path.dirname(bench.HERE)
    build = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(esprit_bin))))
    for d in (build, os.path.join(root, "build-bench"), os.path.join(root, "build")):
        exe = os.path.join(d, "tools", "memprobe")
        if os.access(exe, os.X_OK):
            r = subprocess.run([exe, "--brief", "0.5", "8", "64"], capture_output=True, text=True)
            return r.stdout.strip() if r.returncode == 0 else None
    return None


def ensure_many(directory, sizes):
    index_path = os.path.join(directory, "scenarios.json")
    if not os.path.exists(index_path):
        log(f"{index_path} missing: running tools/make-many.py (a few minutes)")
        subprocess.run([sys.executable, os.path.join(bench.HERE, "make-many.py"), "--out", directory,
                        "--sizes", ",".join(sizes)], check=True, stdout=sys.stderr)
    with open(index_path) as f:
        return json.load(f)


def main_many(argv):
    p = argparse.ArgumentParser(prog="tools/bench-many.sh", description=MANY_USAGE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--many-dir", default="/tmp/esprit-many", help="tools/make-many.py's output (%(default)s)")
    p.add_argument("--sizes", type=bench.sizes_arg, default=["64", "1420"], help="(64,1420)")
    p.add_argument("--dir", type=bench.dirs_arg, default=["out", "in"], metavar="out|in|both")
    p.add_argument("--scenarios", help="names from scenarios.json, baseline first (all)")
    bench.common_options(p, rounds=2)
    a = p.parse_args(argv)
    index = ensure_many(a.many_dir, a.sizes)
    a.packets = a.packets or index["packets"]
    scen = index["scenarios"]
    if a.scenarios:
        by_name = {s["name"]: s for s in scen}
        scen = [by_name[n] for n in a.scenarios.split(",")]
    benches = [Bench(a, s["config"], s["captures"]) for s in scen]
    runs = collections.defaultdict(list)
    probe_before = memprobe_line(benches[0].bin)
    for rnd in range(a.rounds):
        for d in a.dir:
            for size in a.sizes:
                for b in round_order(benches, rnd):
                    r = b.measure(d, size, 1)
                    log(f"round {rnd + 1}: {b.stem:8s} {d:3s} {size:>5s} {r['mpps']:7.3f} Mpps "
                        f"{r['cyc_busy']:5.0f} cyc/pkt, other {r['other_cpus']:.2f}, "
                        f"startup {r['startup_s']:.1f} s")
                    runs[(b.stem, d, size)].append(r)
    results = {k: median_row(v, a.quiet) for k, v in runs.items()}
    base = benches[0].stem
    heads = ["dir", "size"] + [f"{b.stem} Mpps" for b in benches] + \
        [f"{b.stem}/{base}" for b in benches[1:]] + [f"(of medians)" for b in benches[1:]]
    print(" ".join(f"{h:>13s}" if i > 1 else f"{h:>4s}" for i, h in enumerate(heads)))
    worst = None
    for d in a.dir:
        for size in a.sizes:
            row = [results[(b.stem, d, size)]["mpps"] for b in benches]
            ratios = [paired(runs, (b.stem, d, size), (base, d, size)) for b in benches[1:]]
            of_medians = [ratio(x, row[0]) for x in row[1:]]
            if ratios:  # one scenario: rates only, nothing to compare
                worst = min(ratios + ([worst] if worst is not None else []))
            print(f"{d:>4s} {size:>4s} " + " ".join(f"{x:13.3f}" for x in row) + " " +
                  " ".join(f"{x:13.2f}" for x in ratios + of_medians), flush=True)
    print("cycles per packet (busy):")
    for d in a.dir:
        for size in a.sizes:
            print(f"{d:>4s} {size:>4s} " + " ".join(
                f"{results[(b.stem, d, size)]['cyc_busy']:13.0f}" for b in benches))
    print("startup, seconds (start to telemetry answering, median): " + ", ".join(
        f"{b.stem} {statistics.median(r['startup_s'] for k, v in runs.items() if k[0] == b.stem for r in v):.1f}"
        for b in benches))
    probe_after = memprobe_line(benches[0].bin)
    if probe_before and probe_after:
        print(f"host memory before: {probe_before}\nhost memory after:  {probe_after}")
    if worst is None:
        print("lowest ratio: none (one scenario: no baseline to compare with)")
    else:
        print(f"lowest ratio: {worst:.2f} (median of round-by-round ratios; goal >= 0.90)")
    bench.save_json(a.json, list(results.values()), mode="many", scenarios=scen)
    return 0


# --------------------------------------------------------------------------
# workers

def check_sequence_numbers(b, packets, size):
    """Two workers protect two finite captures; ESP leaves into one pcap per tx queue."""
    specs = b.specs("out", size, 2)
    for s in specs:
        s.packets, s.unique = packets, 4096
    pcaps = [b.caps.get(s, log)[0] for s in specs]
    outs = [os.path.join(bench.WORK, f"seqcheck-q{q}.pcap") for q in range(2)]
    eal = b.lcores(2) + bench.vdev_args("out", b.lan, b.wan, pcaps, infinite=False, tx_pcaps=outs)
    stats = run_finite(b, eal, "seqcheck", 2 * packets)
    seen = collections.Counter()
    by_seq = {}
    for q, path in enumerate(outs):
        for fr in bl.read_pcap(path):
            spi_seq = esp_spi_seq(fr)
            if spi_seq:
                seen[spi_seq] += 1
                by_seq[spi_seq] = q
    frames = sum(seen.values())
    dups = sum(n - 1 for n in seen.values() if n > 1)
    per_spi = collections.defaultdict(list)
    for spi, seq in seen:
        per_spi[spi].append(seq)
    gaps = any(len(v) != max(v) for v in per_spi.values())
    order = [by_seq[k] for k in sorted(by_seq)]
    switches = sum(1 for x, y in zip(order, order[1:]) if x != y)
    ok = dups == 0 and frames == 2 * packets and not gaps
    print(f"sequence numbers: {2 * packets} packets in, {frames} ESP frames out "
          f"({stats['esp_out']} protected, {stats['dropped']} dropped) over {len(per_spi)} SA(s); "
          f"duplicate (SPI, seq): {dups}; numbers 1..n without gaps: {'NO' if gaps else 'yes'}; "
          f"worker 0/1 sent {order.count(0)}/{order.count(1)}, taking turns {switches} times "
          f"(concurrency) -> {'OK' if ok else 'FAILED'}")
    for path in outs:
        os.unlink(path)
    return ok


def esp_spi_seq(frame):
    """(SPI, sequence number) of an Ethernet/IPv4/ESP frame (or UDP-encapsulated ESP)."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 15) * 4
    proto, off = frame[23], 14 + ihl
    if proto == 17:
        off += 8
    elif proto != 50:
        return None
    return int.from_bytes(frame[off:off + 4], "big"), int.from_bytes(frame[off + 4:off + 8], "big")


def replay_config(b, window):
    """A copy of the configuration whose inbound SAs have a replay window."""
    text = re.sub(r"replay_window\s*=\s*0\s*;", f"replay_window = {window};", b.conf.text)
    path = os.path.join(bench.WORK, f"{b.stem}-replay{window}.conf")
    with open(path, "w") as f:
        f.write(text)
    conf = bl.read_config(path)
    if any(sa.replay_window == 0 for sa, _ in conf.in_flows()):
        raise bl.BenchError(f"{path}: could not give every inbound SA a replay window")
    return path


def check_replay(b, packets, size, window=1024):
    """Two workers decrypt the same finite capture (every packet comes twice)."""
    spec = b.specs("in", size, 1, tag=True)[0]
    spec.packets = packets
    pcaps = [b.caps.get(spec, log)[0]] * 2
    outs = [os.path.join(bench.WORK, f"replaycheck-q{q}.pcap") for q in range(2)]
    eal = b.lcores(2) + bench.vdev_args("in", b.lan, b.wan, pcaps, infinite=False, tx_pcaps=outs)
    stats = run_finite(b, eal, "replaycheck", 2 * packets, replay_config(b, window))
    accepted = collections.Counter()
    per_worker = [0, 0]
    for q, path in enumerate(outs):
        for fr in bl.read_pcap(path):
            m = re.search(rb"q(\d+)p(\d+)s(\d+):", fr)
            if m:
                accepted[(int(m.group(2)), int(m.group(3)))] += 1
                per_worker[q] += 1
    twice = sum(1 for n in accepted.values() if n > 1)
    expected = packets                   # each (SPI, seq) once, whichever queue had it first
    replays = stats["drops"].get("replay", 0) + stats["drops"].get("replay_old", 0)
    ok = twice == 0 and len(accepted) == expected and stats["esp_in"] == expected and \
        replays == packets
    print(f"anti-replay (window {window}): {2 * packets} ESP packets in, each twice; accepted {stats['esp_in']} (distinct in the output: {len(accepted)}, "
          f"expected {expected}), accepted twice: {twice}; replay drops {stats['drops'].get('replay', 0)}"
          f" + replay_old {stats['drops'].get('replay_old', 0)} (expected {packets} in all)"
          f"{''.join(f', {k} {v}' for k, v in stats['drops'].items() if k not in ('replay', 'replay_old') and v)}"
          f"; accepted by worker 0/1: {per_worker[0]}/{per_worker[1]} -> {'OK' if ok else 'FAILED'}")
    for path in outs:
        os.unlink(path)
    return ok


def run_finite(b, eal, tag, expected, config=None, timeout=120):
    """Run until esprit has received `expected` packets (or stops receiving); final counters."""
    with b.gateway(eal, tag, config) as gw:
        gw.start()
        t0, last, since = time.monotonic(), -1, time.monotonic()
        while time.monotonic() - t0 < timeout:
            st = gw.tel.query("/esprit/stats")
            if st["rx_packets"] >= expected:
                break
            if st["rx_packets"] != last:
                last, since = st["rx_packets"], time.monotonic()
            elif time.monotonic() - since > 5:
                break
            time.sleep(0.2)
        time.sleep(0.5)
        st = gw.tel.query("/esprit/stats")
        st["drops"] = {k: v for k, v in gw.tel.query("/esprit/drops").items() if v}
        gw.stop()
    return st


def crypto_parallelism(quiet, seconds=1, rounds=3):
    """What this machine gives two CPUs at once: raw ipsec-mb (the shared kit's
    crypto-ceiling.c) on CPU 1 alone, then on CPUs 0 and 1 together; best of rounds."""
    src = os.path.join(bench.ROOT, "..", "shared", "bench", "crypto-ceiling.c")
    exe = os.path.join(bench.WORK, "crypto-ceiling")
    if not os.path.exists(src):
        print(f"(no {src}: skipping the machine's parallel crypto check)")
        return
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        subprocess.run(["cc", "-O2", "-o", exe, src, "-lIPSec_MB"], check=True)

    def parse(text):
        return {" ".join(m.group(1, 2)): float(m.group(3)) for m in
                re.finditer(r"^(\S+)\s+frame\s+(\d+B).*?([\d.]+) Mpps", text, re.M)}

    def run(cpu):
        return subprocess.Popen(["taskset", "-c", str(cpu), exe, str(seconds)],
                                stdout=subprocess.PIPE, text=True)

    alone, together = collections.defaultdict(float), collections.defaultdict(float)
    for _ in range(rounds):       # other processes only ever slow it down: keep the best
        bl.wait_quiet(quiet, 120, log)
        for case, v in parse(run(1).communicate()[0]).items():
            alone[case] = max(alone[case], v)
        both = [parse(p.communicate()[0]) for p in (run(0), run(1))]
        for case in both[0]:
            together[case] = max(together[case], sum(b.get(case, 0) for b in both))
    print("this machine, raw ipsec-mb (../shared/bench/crypto-ceiling.c), best of "
          f"{rounds}, Mpps:")
    print(f"{'case':>22s} {'CPU 1 alone':>11s} {'CPUs 0+1 together':>18s} {'ratio':>6s}")
    for case, one in alone.items():
        two = together[case]
        print(f"{case:>22s} {one:11.2f} {two:18.2f} {ratio(two, one):6.2f}")


def main_workers(argv):
    p = argparse.ArgumentParser(prog="tools/bench-workers.sh", description=WORKERS_USAGE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-c", "--config", default=os.path.join(bench.ROOT, "configs/bench/gcm.conf"),
                   help="(configs/bench/gcm.conf)")
    p.add_argument("--sizes", type=bench.sizes_arg, default=["64", "1420"], help="(64,1420)")
    p.add_argument("--dir", type=bench.dirs_arg, default=["out", "in"], metavar="out|in|both")
    p.add_argument("--captures", help="capture cache directory")
    p.add_argument("--check-packets", type=int, default=30000,
                   help="packets per queue in the correctness checks (%(default)s)")
    p.add_argument("--no-check", action="store_true", help="rates only")
    p.add_argument("--no-rates", action="store_true", help="checks only")
    p.add_argument("--no-machine", action="store_true",
                   help="skip the check of what two CPUs of this machine give at once")
    bench.common_options(p, rounds=2)
    a = p.parse_args(argv)
    if a.lcores:
        raise bl.BenchError("workers mode chooses the lcores itself (see bench.LCORES)")
    b = Bench(a, a.config, a.captures)
    ok = True
    if not a.no_machine:
        crypto_parallelism(a.quiet)
    if not a.no_rates:
        runs = collections.defaultdict(list)
        for rnd in range(a.rounds):
            for d in a.dir:
                for size in a.sizes:
                    for w in round_order((1, 2), rnd):
                        r = b.measure(d, size, w)
                        log(f"round {rnd + 1}: {d:3s} {size:>5s} {w} worker(s) {r['mpps']:7.3f} Mpps, "
                            f"queues {r['queue_share']}, other {r['other_cpus']:.2f}")
                        runs[(d, size, w)].append(r)
        res = {k: median_row(v, a.quiet) for k, v in runs.items()}
        print(f"{'dir':>4s} {'size':>5s} {'1w Mpps':>8s} {'2w Mpps':>8s} {'speed-up':>8s} {'(of medians)':>12s} "
              f"{'2w queue share':>15s} {'1w cyc/pkt':>10s} {'2w cyc/pkt':>10s} {'other':>6s}")
        worst = None
        for d in a.dir:
            for size in a.sizes:
                one, two = res[(d, size, 1)], res[(d, size, 2)]
                su = paired(runs, (d, size, 2), (d, size, 1))
                worst = su if worst is None else min(worst, su)
                share = "/".join(f"{x:.2f}" for x in two["queue_share"])
                print(f"{d:>4s} {size:>5s} {one['mpps']:8.3f} {two['mpps']:8.3f} {su:8.2f} {ratio(two['mpps'], one['mpps']):12.2f} "
                      f"{share:>15s} {one['cyc_busy']:10.0f} {two['cyc_busy']:10.0f} "
                      f"{max(one['other_cpus'], two['other_cpus']):6.2f}", flush=True)
        print(f"lowest speed-up: {worst:.2f} (median of round-by-round ratios; goal >= 1.8; "
              f"one worker = -l 1, two = "
              f"--lcores {bench.LCORES[2][1]})")
        bench.save_json(a.json, list(res.values()), mode="workers", config=a.config)
    if not a.no_check:
        ok &= check_sequence_numbers(b, a.check_packets, "64")
        ok &= check_replay(b, a.check_packets, "64")
    return 0 if ok else 1
