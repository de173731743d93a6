#!/usr/bin/python3
"""esprit alone on the shared benchmark's virtual devices: rate, bit rate and
cycles per packet for any configuration and packet size.

  tools/bench.py -c CONF [--dir out|in|both] [--sizes 64,512,1420,imix]
                 [--workers 1|2] [--seconds 5] [--rounds 1] [--plot PNG] [--json FILE]
  tools/bench.py many    [options]   (tools/bench-many.sh: 1 SA against 1k / 10k SAs)
  tools/bench.py workers [options]   (tools/bench-workers.sh: 1 against 2 workers, and
                                      sequence-number / anti-replay checks)

Devices as in ../shared/bench/compare.sh: the input port is net_pcap replaying a
capture forever (infinite_rx=1), the output port is net_null; port 0 is the LAN
(protected) side, port 1 the WAN side. "out" feeds plaintext to the LAN port and
counts ESP leaving the WAN port; "in" feeds ESP to the WAN port. The captures are
made here from the configuration (its outbound protect rules give the plaintext
flows, its inbound SAs and their protect rules the ESP, encrypted with the SAs'
own keys) and cached; with two workers each rx queue gets its own capture with
its own flows.

Columns: Mpps = packets esprit protected (out) or decrypted (in) per second (its
esp_out / esp_in counters); tx Mpps = packets leaving the output port
(/ethdev/stats, what compare.sh reads; more than Mpps when ESP is fragmented);
Gbps = Mpps x mean plaintext frame size with FCS x 8 (the packet size axis);
ESP Gbps = the ESP side's frames with FCS; cyc/pkt = TSC cycles of worker
iterations that had packets / packets received (/esprit/workers busy_cycles; wall
clock, so time the worker thread was preempted counts too); cyc/all = workers x
tsc_hz / Mpps; drop% = esprit's drops / packets received; other = CPUs that
other processes used meanwhile (/proc/stat, this machine is shared: above ~0.1
the run is disturbed, measure again).

One worker runs as the shared harness does (-l 1: the main lcore is the data
plane). Two workers need three lcores on this 2-CPU machine:
--lcores '(0,1)@0,2@1' puts the main lcore (control plane: it sleeps 100 us between
polls) on CPU 0 with worker 0, and worker 1 alone on CPU 1 (see docs/performance.md).
"""
import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORK = "/tmp/esprit-bench-tools"
LCORES = {1: ["-l", "1"], 2: ["--lcores", "(0,1)@0,2@1"]}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# one measurement

def vdev_args(direction, lan, wan, rx_pcaps, infinite=True, tx_pcaps=None):
    """--vdev arguments: the input port replays rx_pcaps (one per queue); the
    output port drops (net_null) or writes tx_pcaps (one per queue)."""
    inp, outp = (lan, wan) if direction == "out" else (wan, lan)
    rx = ",".join(f"rx_pcap={p}" for p in rx_pcaps)
    dev = {inp: f"net_pcap{inp},{rx}" + (",infinite_rx=1" if infinite else "")}
    if tx_pcaps:
        dev[outp] = f"net_pcap{outp}," + ",".join(f"tx_pcap={p}" for p in tx_pcaps)
    else:
        dev[outp] = f"net_null{outp},no-rx=1"
    out = ["--no-pci"]
    for port in sorted(dev):          # vdevs become ports in command-line order
        out += ["--vdev", dev[port]]
    return out


def snapshot(gw, in_port, out_port):
    q = gw.tel.query
    return {"t": time.monotonic(), "in": q(f"/ethdev/stats,{in_port}"),
            "out": q(f"/ethdev/stats,{out_port}"), "stats": q("/esprit/stats"),
            "workers": q("/esprit/workers"), "cpu": bl.cpu_jiffies(gw.proc.pid)}


def rates(a, b, direction, meta, tsc_hz):
    """Rates between two snapshots."""
    dt = b["t"] - a["t"]
    d = lambda k: b["stats"][k] - a["stats"][k]  # noqa: E731
    done = d("esp_out" if direction == "out" else "esp_in")
    pps = done / dt
    busy = sum(w["busy_cycles"] for w in b["workers"].values()) - \
        sum(w["busy_cycles"] for w in a["workers"].values())
    nworkers = len(b["workers"])
    esp_pkts, esp_bytes = (d("tx_packets"), d("tx_bytes")) if direction == "out" else \
        (d("rx_packets"), d("rx_bytes"))
    share = [bq - aq for aq, bq in zip(a["in"]["q_ipackets"], b["in"]["q_ipackets"])][:nworkers]
    rx = d("rx_packets")
    return {
        "mpps": pps / 1e6,
        "tx_mpps": (b["out"]["opackets"] - a["out"]["opackets"]) / dt / 1e6,
        "gbps": pps * meta["plain_mean"] * 8 / 1e9,
        "esp_gbps": (esp_bytes + bl.FCS * esp_pkts) * 8 / dt / 1e9,
        "cyc_busy": busy / rx if rx else 0.0,
        "cyc_all": nworkers * tsc_hz / pps if pps else 0.0,
        "drop_pct": 100.0 * d("dropped") / rx if rx else 0.0,
        "queue_share": [round(s / max(1, sum(share)), 3) for s in share],
        "other_cpus": bl.other_cpus(a["cpu"], b["cpu"], dt),
        "seconds": dt,
    }


class Bench:
    """Runs esprit for one configuration; remembers its captures."""

    def __init__(self, args, config, captures_dir=None, run_conf=None):
        """run_conf: another configuration to run on config's captures."""
        self.args = args
        self.conf = bl.read_config(config)
        self.lan, self.wan = bl.port_ids(self.conf)
        stem = os.path.splitext(os.path.basename(config))[0]
        self.caps = bl.Captures(self.conf, captures_dir or
                                os.path.join(WORK, "captures", f"{stem}-{self.conf.digest}"))
        self.bin = bl.find_binary(args.bin)
        self.stem = stem
        self.run_conf = run_conf

    def lcores(self, workers):
        if self.args.lcores:
            return self.args.lcores.split()
        if workers not in LCORES:
            raise bl.BenchError(f"--workers {workers}: this tool knows 1 or 2 (or give --lcores)")
        return LCORES[workers]

    def specs(self, direction, size, workers, **kw):
        packets = self.args.packets or max(256, len(self.conf.out_rules() if direction == "out"
                                                    else self.conf.in_flows()))
        if size == "imix":
            packets = -(-packets // len(bl.IMIX_ORDER)) * len(bl.IMIX_ORDER)
        return [bl.CaptureSpec(direction, size, packets, q, workers, **kw) for q in range(workers)]

    def gateway(self, eal, tag, config=None):
        os.makedirs(os.path.join(WORK, "logs"), exist_ok=True)
        prefix = f"esprit-tools-{os.getpid()}"
        return bl.Gateway(self.bin, config or self.run_conf or self.conf.path, eal,
                          os.path.join(WORK, "logs", f"{self.stem}-{tag}.log"), prefix)

    def measure(self, direction, size, workers):
        """One run; again (up to --retries times) when other processes disturbed it."""
        for attempt in range(self.args.retries + 1):
            bl.wait_quiet(self.args.quiet, self.args.quiet_wait, log)
            r = self.run_once(direction, size, workers)
            if r["other_cpus"] <= self.args.quiet or attempt == self.args.retries:
                return r
            log(f"  {self.stem} {direction} {size} w{workers}: other processes used "
                f"{r['other_cpus']:.2f} CPUs meanwhile, measuring again")
        return r

    def run_once(self, direction, size, workers):
        pcaps = [self.caps.get(s, log) for s in self.specs(direction, size, workers)]
        eal = self.lcores(workers) + vdev_args(direction, self.lan, self.wan, [p for p, _ in pcaps])
        in_port, out_port = (self.lan, self.wan) if direction == "out" else (self.wan, self.lan)
        with self.gateway(eal, f"{direction}-{size}-w{workers}") as gw:
            startup = gw.start()
            if gw.info["workers"] != workers:
                raise bl.BenchError(f"esprit runs {gw.info['workers']} workers, not {workers} "
                                    f"(lcores {' '.join(eal[:2])})")
            time.sleep(self.args.settle)
            a = snapshot(gw, in_port, out_port)
            time.sleep(self.args.seconds)
            b = snapshot(gw, in_port, out_port)
            r = rates(a, b, direction, pcaps[0][1], gw.info["tsc_hz"])
            rc = gw.stop()
        if rc not in (0, None):
            log(f"warning: esprit exited with {rc} ({gw.log_path})")
        r.update(config=self.stem, dir=direction, size=size, workers=workers,
                 startup_s=round(startup, 2), plain_bytes=round(pcaps[0][1]["plain_mean"], 1))
        return r

    def measure_median(self, direction, size, workers, rounds):
        runs = [self.measure(direction, size, workers) for _ in range(rounds)]
        return median_row(runs, self.args.quiet)


def median_row(rows, quiet):
    """The median run (of an even number: the faster middle one), among the runs
    that other processes did not disturb if there are any."""
    clean = sorted([r for r in rows if r["other_cpus"] <= quiet] or rows, key=lambda r: r["mpps"])
    r = dict(clean[len(clean) // 2])
    r["mpps_runs"] = [round(x["mpps"], 3) for x in rows]
    return r


# --------------------------------------------------------------------------
# output

COLUMNS = [("config", "%-12s", "config"), ("dir", "%-3s", "dir"), ("size", "%5s", "size"),
           ("workers", "%2s", "w"), ("mpps", "%7.3f", "Mpps"), ("gbps", "%7.2f", "Gbps"),
           ("esp_gbps", "%8.2f", "ESP Gbps"), ("cyc_busy", "%7.0f", "cyc/pkt"),
           ("cyc_all", "%7.0f", "cyc/all"), ("tx_mpps", "%7.3f", "tx Mpps"),
           ("drop_pct", "%6.2f", "drop%"),
           ("other_cpus", "%6.2f", "other")]


def print_header(extra=()):
    heads = []
    for _, fmt, head in COLUMNS + list(extra):
        width = fmt[1:].split(".")[0].rstrip("sdf")
        heads.append(f"%{width}s" % head)
    print(" ".join(heads), flush=True)


def print_rows(rows, extra=()):
    for r in rows:
        print(" ".join(fmt % r[key] for key, fmt, _ in COLUMNS + list(extra)), flush=True)


def plot(results, path, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for (cfg, d, w), rows in group(results).items():
        rows.sort(key=lambda r: r["plain_bytes"])
        fixed = [r for r in rows if r["size"] != "imix"]
        imix = [r for r in rows if r["size"] == "imix"]
        label = f"{cfg} {d}" + (f" {w} workers" if w > 1 else "")
        for ax, k in ((ax1, "mpps"), (ax2, "gbps")):
            line, = ax.plot([r["plain_bytes"] for r in fixed], [r[k] for r in fixed], "o-",
                            label=label)
            for r in imix:   # a mix, not a size: a star at its mean frame size
                ax.plot([r["plain_bytes"]], [r[k]], "*", ms=12, color=line.get_color())
                ax.annotate("IMIX", (r["plain_bytes"], r[k]), textcoords="offset points",
                            xytext=(6, 4), fontsize=8)
    for ax, yl in ((ax1, "Mpps"), (ax2, "Gbps (L2 plaintext frames, with FCS)")):
        ax.set_xlabel("plaintext frame size, bytes (IMIX at its mean)")
        ax.set_ylabel(yl)
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    log(f"plot: {path}")


def group(results):
    g = {}
    for r in results:
        g.setdefault((r["config"], r["dir"], r["workers"]), []).append(r)
    return g


def machine():
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next((ln.split(":", 1)[1].strip() for ln in cpu.splitlines()
                  if ln.startswith("Model name")), platform.processor())
    pkgs = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\n", "dpdk",
                           "libipsec-mb1"], capture_output=True, text=True).stdout.split("\n")
    return {"cpu": model, "cpus": os.cpu_count(), "packages": [p for p in pkgs if p]}


def save_json(path, results, **meta):
    if path:
        with open(path, "w") as f:
            json.dump({"machine": machine(), **meta, "results": results}, f, indent=1)
        log(f"results: {path}")


# --------------------------------------------------------------------------
# modes

def common_options(p, seconds=5, rounds=1):
    p.add_argument("--seconds", type=float, default=seconds, help="measured seconds per run (%(default)s)")
    p.add_argument("--settle", type=float, default=2, help="seconds after start before measuring (%(default)s)")
    p.add_argument("--rounds", type=int, default=rounds, help="runs per case; the median counts (%(default)s)")
    p.add_argument("--packets", type=int, help="frames per capture (default: 256, or one per flow if more)")
    p.add_argument("--bin", help="esprit binary (default: $ESPRIT_BIN, build-bench/, build/)")
    p.add_argument("--lcores", help="EAL lcore arguments instead of the defaults, e.g. \"-l 1\"")
    p.add_argument("--json", help="write the results here")
    p.add_argument("--quiet", type=float, default=0.15,
                   help="wait until other processes use less than this many CPUs, and "
                        "measure again when they used more during a run (%(default)s)")
    p.add_argument("--quiet-wait", type=float, default=120,
                   help="longest wait for a quiet machine before each run, seconds (%(default)s)")
    p.add_argument("--retries", type=int, default=2, help="extra runs of a disturbed case (%(default)s)")


def sizes_arg(s):
    out = [x.strip().lower() for x in s.split(",") if x.strip()]
    for x in out:
        if x != "imix" and not (x.isdigit() and 64 <= int(x) <= 1518):
            raise argparse.ArgumentTypeError(f"size {x}: 64..1518 or imix")
    return out


def dirs_arg(s):
    return ["out", "in"] if s == "both" else [s]


def main_bench(argv):
    p = argparse.ArgumentParser(prog="tools/bench.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-c", "--config", required=True, help="esprit configuration (lan = device 0, wan = device 1)")
    p.add_argument("--dir", type=dirs_arg, default=["out", "in"], metavar="out|in|both", help="(both)")
    p.add_argument("--sizes", type=sizes_arg, default=sizes_arg("64,512,1420,imix"),
                   help="frame sizes with FCS, and/or imix (64,512,1420,imix)")
    p.add_argument("--workers", type=int, default=1, help="1 or 2 (1)")
    p.add_argument("--captures", help="capture cache directory (default: under %s)" % WORK)
    p.add_argument("--plot", help="draw Mpps and Gbps against packet size into this PNG")
    common_options(p)
    a = p.parse_args(argv)
    if a.plot and importlib.util.find_spec("matplotlib") is None:
        raise bl.BenchError("--plot needs matplotlib: apt-get install python3-matplotlib")
    b = Bench(a, a.config, a.captures)
    results = []
    print_header()
    for d in a.dir:
        for s in a.sizes:
            results.append(b.measure_median(d, s, a.workers, a.rounds))
            print_rows(results[-1:])
    save_json(a.json, results, config=a.config, workers=a.workers)
    if a.plot:
        plot(results, a.plot, f"esprit, {os.path.basename(a.config)}, {a.workers} worker(s), "
                              f"{machine()['cpu']}")
    return 0


if __name__ == "__main__":
    bl.stop_gateways_on_signals()
    modes = {"many": "main_many", "workers": "main_workers"}
    try:
        if "-h" not in sys.argv and "--help" not in sys.argv:
            bl.setup_hugepages()
        if len(sys.argv) > 1 and sys.argv[1] in modes:
            import bench_modes
            sys.exit(getattr(bench_modes, modes[sys.argv[1]])(sys.argv[2:]))
        sys.exit(main_bench(sys.argv[1:]))
    except bl.BenchError as e:
        bl.Gateway.stop_all()
        print(f"bench: {e}", file=sys.stderr)
        sys.exit(2)
