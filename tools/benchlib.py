"""Shared pieces of esprit's benchmark tools (bench.py, make-many.py).

- read_config(): a small reader for the libconfig subset esprit's files use,
  and the scenario in it (SAs, SPD rules) as plain objects;
- captures: frames that match the configuration's protect rules, plaintext
  for the LAN side ("out") or ESP made with the inbound SAs' own keys for the
  WAN side ("in"), written as pcap files for net_pcap;
- Telemetry / Gateway: run esprit on DPDK virtual devices and read its
  counters through the DPDK telemetry socket.

Needs Debian's python3-scapy (and python3-cryptography); run with /usr/bin/python3.
"""
import hashlib
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field

sys.dont_write_bytecode = True

FCS = 4                                  # sizes name frames with their FCS; pcaps hold them without
IMIX = (64,) * 7 + (576,) * 4 + (1500,)  # the classic 7:4:1 simple IMIX
# one period of it, interleaved so that every burst sees a mix
IMIX_ORDER = (64, 576, 64, 64, 576, 64, 1500, 64, 576, 64, 64, 576)
assert sorted(IMIX_ORDER) == sorted(IMIX)


class BenchError(Exception):
    """A problem worth one line to the user (no traceback)."""


# --------------------------------------------------------------------------
# libconfig (the subset esprit's configurations use)

_TOKENS = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<float>[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?\d+[eE][-+]?\d+)
  | (?P<hex>[-+]?0[xX][0-9a-fA-F]+L{0,2})
  | (?P<int>[-+]?\d+L{0,2})
  | (?P<bool>(?i:true|false)\b)
  | (?P<name>[A-Za-z*][-A-Za-z0-9_*]*)
  | (?P<punct>[=:;,{}()\[\]])
""", re.S | re.X)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "\\": "\\", '"': '"'}


def _tokens(text, path):
    pos, line = 0, 1
    while pos < len(text):
        m = _TOKENS.match(text, pos)
        if m is None:
            raise BenchError(f"{path}:{line}: cannot read {text[pos:pos + 20]!r}")
        kind, value = m.lastgroup, m.group()
        if kind not in ("ws", "comment"):
            yield kind, value, line
        line += value.count("\n")
        pos = m.end()
    yield "end", "", line


class _Parser:
    def __init__(self, text, path):
        self.toks = list(_tokens(text, path))
        self.i = 0
        self.path = path

    def peek(self):
        return self.toks[self.i]

    def take(self, want=None):
        kind, value, line = self.toks[self.i]
        if want is not None and value not in want:
            raise BenchError(f"{self.path}:{line}: expected {' or '.join(want)}, got {value!r}")
        self.i += 1
        return kind, value, line

    def settings(self, close):
        out = {}
        while self.peek()[1] != close and self.peek()[0] != "end":
            kind, name, line = self.take()
            if kind != "name":
                raise BenchError(f"{self.path}:{line}: expected a setting name, got {name!r}")
            self.take(("=", ":"))
            out[name] = self.value()
            if self.peek()[1] in (";", ","):
                self.take()
        return out

    def sequence(self, close):
        out = []
        while self.peek()[1] != close:
            out.append(self.value())
            if self.peek()[1] != ",":
                break
            self.take()
        self.take((close,))
        return out

    def value(self):
        kind, v, line = self.take()
        if kind == "string":
            s = _unquote(v)
            while self.peek()[0] == "string":   # "a" "b" is "ab"
                s += _unquote(self.take()[1])
            return s
        if kind in ("int", "hex"):
            return int(v.rstrip("L"), 0)
        if kind == "float":
            return float(v)
        if kind == "bool":
            return v.lower() == "true"
        if v == "{":
            g = self.settings("}")
            self.take(("}",))
            return g
        if v == "(":
            return self.sequence(")")
        if v == "[":
            return self.sequence("]")
        raise BenchError(f"{self.path}:{line}: unexpected {v!r}")


def _unquote(s):
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), s[1:-1])


def parse_libconfig(text, path="<config>"):
    """The configuration as nested dicts (groups) and lists (lists, arrays)."""
    p = _Parser(text, path)
    root = p.settings(None)
    p.take(("",))
    return root


# --------------------------------------------------------------------------
# The scenario in a configuration

@dataclass
class SA:
    name: str
    spi: int
    direction: str
    mode: str
    src: str
    dst: str
    alg: str
    enc_key: bytes
    auth_key: bytes = b""
    esn: bool = False
    replay_window: int = 64
    udp_encap: tuple = None
    _scapy: object = field(default=None, repr=False, compare=False)

    def scapy(self):
        """scapy's SecurityAssociation for this SA (as the peer would use it)."""
        if self._scapy is None:
            self._scapy = scapy_sa(self)
        return self._scapy


@dataclass
class Rule:
    direction: str
    src: ipaddress.IPv4Network
    dst: ipaddress.IPv4Network
    proto: str = "any"
    sport: str = "any"
    dport: str = "any"
    priority: int = 0
    action: str = "discard"
    sa: str = None


@dataclass
class Config:
    path: str
    text: str
    sas: dict
    rules: list
    devices: dict          # port name -> DPDK port id (int) or device name
    roles: dict            # port name -> "lan" / "wan"

    @property
    def digest(self):
        return hashlib.sha1(self.text.encode()).hexdigest()[:10]

    def out_rules(self):
        """Outbound protect rules: each one is a flow of the "out" captures."""
        return [r for r in self.rules if r.direction == "out" and r.action == "protect"]

    def in_flows(self):
        """(inbound SA, its first inbound protect rule) pairs: flows of the "in" captures."""
        first = {}
        for r in self.rules:
            if r.direction == "in" and r.action == "protect" and r.sa not in first:
                first[r.sa] = r
        return [(self.sas[name], r) for name, r in first.items()]


def hex_bytes(s):
    """esprit's key syntax: hex digits, optionally 0x-prefixed and/or colon-separated."""
    s = s[2:] if s[:2].lower() == "0x" else s
    return bytes.fromhex(s.replace(":", ""))


def _net(s):
    return ipaddress.ip_network(s, strict=False)


def read_config(path):
    with open(path) as f:
        text = f.read()
    root = parse_libconfig(text, path)
    sas = {}
    for g in root.get("sas", []):
        encap = g.get("udp_encap")
        sas[g["name"]] = SA(
            name=g["name"], spi=g["spi"], direction=g["direction"], mode=g.get("mode", "tunnel"),
            src=g["src"], dst=g["dst"], alg=g["alg"], enc_key=hex_bytes(g.get("enc_key", "")),
            auth_key=hex_bytes(g.get("auth_key", "")), esn=g.get("esn", False),
            replay_window=g.get("replay_window", 64),
            udp_encap=(encap.get("sport", 4500), encap.get("dport", 4500)) if encap else None)
    rules = [Rule(direction=g["direction"], src=_net(g.get("src", "0.0.0.0/0")),
                  dst=_net(g.get("dst", "0.0.0.0/0")),
                  proto=str(g.get("proto", "any")), sport=str(g.get("sport", "any")),
                  dport=str(g.get("dport", "any")), priority=g.get("priority", 0),
                  action=g["action"], sa=g.get("sa"))
             for g in root.get("spd", [])]
    ports = root.get("ports", [])
    return Config(path=path, text=text, sas=sas, rules=rules,
                  devices={p["name"]: p["device"] for p in ports},
                  roles={p["name"]: p["role"] for p in ports})


def port_ids(conf):
    """DPDK port ids of the LAN and WAN ports: the benchmark's vdevs are port 0 and 1."""
    ids = {}
    for name, role in conf.roles.items():
        dev = conf.devices[name]
        if not isinstance(dev, int):
            raise BenchError(f"{conf.path}: port {name} must use device = <port id> (0 or 1) "
                             f"for the benchmark's virtual devices, not {dev!r}")
        ids[role] = dev
    if sorted(ids.values()) != [0, 1] or set(ids) != {"lan", "wan"}:
        raise BenchError(f"{conf.path}: the benchmark needs a lan and a wan port on devices 0 and 1")
    return ids["lan"], ids["wan"]


# --------------------------------------------------------------------------
# scapy: SAs and frames

_AUTH = {"sha1": "HMAC-SHA1-96", "sha256": "SHA2-256-128", "sha384": "SHA2-384-192",
         "sha512": "SHA2-512-256"}
_ALIASES = {"aes128gcm128": "aes128gcm16", "aes256gcm128": "aes256gcm16",
            "aes128-sha256_128": "aes128-sha256", "aes256-sha256_128": "aes256-sha256",
            "aes128-sha2_256": "aes128-sha256", "aes256-sha2_256": "aes256-sha256"}


def scapy_sa(sa):
    from scapy.all import IP, UDP, IPv6
    from scapy.layers.ipsec import ESP, SecurityAssociation

    alg = _ALIASES.get(sa.alg, sa.alg)
    if alg in ("aes128gcm16", "aes256gcm16"):
        crypt, auth = "AES-GCM", "NULL"
    elif alg == "chacha20poly1305":
        crypt, auth = "CHACHA20-POLY1305", "NULL"
    else:
        enc, _, mac = alg.partition("-")
        crypt = {"null": "NULL"}.get(enc, "AES-CTR" if enc.endswith("ctr") else "AES-CBC")
        auth = _AUTH.get(mac)
        if auth is None:
            raise BenchError(f"SA {sa.name}: suite {sa.alg} is not supported by bench tools")
    kw = {}
    if sa.mode == "tunnel":
        ip = IPv6 if ":" in sa.src else IP
        kw["tunnel_header"] = ip(src=sa.src, dst=sa.dst)
    if sa.udp_encap:
        kw["nat_t_header"] = UDP(sport=sa.udp_encap[0], dport=sa.udp_encap[1])
    if sa.esn:
        kw.update(esn_en=True, esn=0)
    return SecurityAssociation(ESP, spi=sa.spi, crypt_algo=crypt, crypt_key=sa.enc_key or None,
                               auth_algo=auth, auth_key=sa.auth_key or None, **kw)


def _host(net, i):
    """The i-th test host of a selector prefix (1..200 inside it, as make-pcaps.py)."""
    if net.prefixlen == 0:
        raise BenchError(f"selector {net}: too wide to pick test addresses from")
    if net.num_addresses <= 2:
        return net.network_address + i % net.num_addresses
    return net.network_address + 1 + i % min(200, net.num_addresses - 2)


def _port(sel, i, default):
    if sel == "any":
        return default
    lo, _, hi = sel.partition("-")
    lo = int(lo)
    return lo + i % (int(hi or lo) - lo + 1)


def _l4(rule, i):
    from scapy.all import TCP, UDP
    proto = {"6": "tcp", "17": "udp"}.get(rule.proto, rule.proto)
    if proto in ("any", "udp", "tcp"):
        l4 = TCP if proto == "tcp" else UDP
        return l4(sport=_port(rule.sport, i, 1000 + i % 60000), dport=_port(rule.dport, i, 2000))
    if not rule.proto.isdigit():
        raise BenchError(f"SPD proto {rule.proto}: bench tools make tcp or udp traffic only")
    return None  # raw payload under that protocol number


def inner_packet(rule, i, frame, tag=b""):
    """IPv4 packet of flow i inside rule's selectors, sized so that its Ethernet
    frame is `frame` bytes (without FCS); `tag` starts the payload."""
    from scapy.all import IP, Raw
    if rule.src.version != 4 or rule.dst.version != 4:
        raise BenchError("bench tools make IPv4 traffic only")
    p = IP(src=str(_host(rule.src, i)), dst=str(_host(rule.dst, i)))
    l4 = _l4(rule, i)
    p = p / l4 if l4 is not None else IP(src=p.src, dst=p.dst, proto=int(rule.proto))
    pad = max(frame - 14 - len(p), len(tag))
    return p / Raw(tag + b"x" * (pad - len(tag)))


def frame_sizes(size, n):
    """Frame sizes (with FCS) of n packets for SIZE, a number or 'imix'."""
    if size == "imix":
        return [IMIX_ORDER[j % len(IMIX_ORDER)] for j in range(n)]
    return [int(size)] * n


@dataclass
class CaptureSpec:
    """One capture: DIRECTION frames for SIZE, n packets, for rx queue q of nq.

    Packet j belongs to flow j % F (F = protect rules for "out", inbound SAs for
    "in") and is that flow's k-th packet, k = j // F; flows of queue q differ from
    the other queues' (ports/hosts shifted). ESP sequence numbers are 1.. per SA,
    continued across queues (seq_mode "split") or the same in every queue
    ("same", for replay tests). tag=True starts each ESP payload with
    "q<queue>p<SPI>s<seq>:". unique=U (plaintext only) makes U frames and repeats them.
    """
    direction: str
    size: str
    packets: int
    queue: int = 0
    queues: int = 1
    seq_mode: str = "split"
    tag: bool = False
    unique: int = 0

    @property
    def name(self):
        extra = ("-same" if self.seq_mode == "same" else "") + ("-tag" if self.tag else "") + \
            (f"-u{self.unique}" if self.unique else "")
        return f"{self.direction}-{self.size}-n{self.packets}-q{self.queue}of{self.queues}{extra}.pcap"


def build_frames(conf, spec):
    """Frames of the capture as bytes, and their mean plaintext frame size with FCS."""
    from scapy.all import Ether
    flows = conf.out_rules() if spec.direction == "out" else conf.in_flows()
    if not flows:
        raise BenchError(f"{conf.path}: no {spec.direction}bound protect rule to make traffic for")
    nflows = len(flows)
    per_flow = -(-spec.packets // nflows)
    if spec.unique and spec.unique < spec.packets:
        if spec.direction != "out":
            raise BenchError("repeated frames would repeat ESP sequence numbers")
        frames, mean = build_frames(conf, CaptureSpec(spec.direction, spec.size, spec.unique,
                                                      spec.queue, spec.queues))
        return [frames[j % len(frames)] for j in range(spec.packets)], mean
    frames, plain = [], 0
    for j, size in enumerate(frame_sizes(spec.size, spec.packets)):
        f, k = j % nflows, j // nflows
        i = spec.queue * per_flow + k                   # flow variant, distinct per queue
        plain += size
        if spec.direction == "out":
            inner = inner_packet(flows[f], i * nflows + f, size - FCS)
            frames.append(bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / inner))
            continue
        sa, rule = flows[f]
        seq = 1 + k + (spec.queue * per_flow if spec.seq_mode == "split" else 0)
        tag = f"q{spec.queue}p{sa.spi}s{seq}:".encode() if spec.tag else b""
        inner = inner_packet(rule, i * nflows + f, size - FCS, tag)
        if sa.mode == "transport":
            inner.src, inner.dst = sa.src, sa.dst
        esp = sa.scapy().encrypt(inner, seq_num=seq)
        frames.append(bytes(Ether(src="02:00:00:00:00:03", dst="02:00:00:00:00:04") / esp))
    return frames, plain / len(frames)


def write_pcap(path, frames):
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for b in frames:
            f.write(struct.pack("<IIII", 0, 0, len(b), len(b)))
            f.write(b)
    os.replace(path + ".tmp", path)


def read_pcap(path):
    """Frames of a pcap file (microsecond or nanosecond, either byte order)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    out, pos = [], 24
    while pos + 16 <= len(data):
        incl = struct.unpack(end + "IIII", data[pos:pos + 16])[2]
        out.append(data[pos + 16:pos + 16 + incl])
        pos += 16 + incl
    return out


class Captures:
    """Captures for one configuration, cached in DIR with a manifest."""

    def __init__(self, conf, directory):
        self.conf = conf
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self.manifest_path = os.path.join(directory, "manifest.json")
        try:
            with open(self.manifest_path) as f:
                self.manifest = json.load(f)
        except (OSError, ValueError):
            self.manifest = {}
        if self.manifest.get("config") != conf.digest:
            self.manifest = {"config": conf.digest, "files": {}}

    def get(self, spec, log=None):
        """Path of the capture and its mean plaintext frame size (with FCS)."""
        path = os.path.join(self.dir, spec.name)
        meta = self.manifest["files"].get(spec.name)
        if meta is None or not os.path.exists(path):
            t = time.monotonic()
            frames, mean = build_frames(self.conf, spec)
            write_pcap(path, frames)
            meta = {"packets": len(frames), "plain_mean": mean,
                    "wire_mean": sum(len(b) + FCS for b in frames) / len(frames)}
            self.manifest["files"][spec.name] = meta
            with open(self.manifest_path + ".tmp", "w") as f:
                json.dump(self.manifest, f, indent=1)
            os.replace(self.manifest_path + ".tmp", self.manifest_path)
            if log:
                log(f"  wrote {path} ({len(frames)} frames, {time.monotonic() - t:.1f} s)")
        return path, meta


# --------------------------------------------------------------------------
# Running esprit and reading its telemetry

class Telemetry:
    """DPDK telemetry v2 client: one JSON answer per command."""

    def __init__(self, prefix):
        self.path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
        self.sock = None

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.connect(self.path)
        info = json.loads(s.recv(1024).decode())
        self.maxlen = info.get("max_output_len", 16384)
        self.sock = s

    def query(self, cmd):
        self.sock.send(cmd.encode())
        reply = json.loads(self.sock.recv(self.maxlen).decode())
        return next(iter(reply.values())) if reply else None

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None


class Gateway:
    """One esprit process on DPDK virtual devices, stopped and cleaned up on exit."""
    running = set()

    def __init__(self, binary, config, eal, log_path, prefix):
        self.argv = [binary, *eal, "-n", "1", "--file-prefix", prefix, "--", "-f", config]
        self.prefix = prefix
        self.log_path = log_path
        self.tel = Telemetry(prefix)
        self.proc = None
        self.startup = None

    def start(self, timeout=300):
        """Start and wait until esprit's own telemetry answers; returns seconds taken."""
        self.cleanup_files()
        t0 = time.monotonic()
        with open(self.log_path, "w") as log:
            log.write(" ".join(self.argv) + "\n")
            log.flush()
            self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        Gateway.running.add(self)
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise BenchError(f"esprit exited with {self.proc.returncode} while starting: "
                                 f"{self.log_tail()}")
            try:
                if self.tel.sock is None:
                    self.tel.connect()
                info = self.tel.query("/esprit/info")
                if info and "tsc_hz" in info:
                    self.info = info
                    self.startup = time.monotonic() - t0
                    return self.startup
            except (OSError, ValueError):
                self.tel.close()
            time.sleep(0.1)
        raise BenchError(f"esprit did not answer on telemetry within {timeout} s: {self.log_tail()}")

    def stop(self, timeout=60):
        """SIGINT (esprit prints its final counters), SIGKILL after timeout; exit code."""
        self.tel.close()
        rc = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGINT)
                try:
                    self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            rc = self.proc.returncode
        Gateway.running.discard(self)
        self.cleanup_files()
        return rc

    def cleanup_files(self):
        """What DPDK leaves behind for our file prefix (hugepage files, runtime dir)."""
        shutil.rmtree(f"/var/run/dpdk/{self.prefix}", ignore_errors=True)
        try:
            for f in os.listdir("/dev/hugepages"):
                if f.startswith(self.prefix + "map_"):
                    os.unlink(os.path.join("/dev/hugepages", f))
        except OSError:
            pass

    def log_tail(self, n=6):
        try:
            with open(self.log_path) as f:
                lines = [ln.rstrip() for ln in f if ln.strip()]
            return " | ".join(lines[-n:])
        except OSError:
            return "(no log)"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    @classmethod
    def stop_all(cls, *_):
        for g in list(cls.running):
            g.stop(timeout=10)


def stop_gateways_on_signals():
    """Ctrl-C or SIGTERM of the tool stops any esprit it started."""
    def handler(sig, _frame):
        Gateway.stop_all()
        sys.exit(128 + sig)
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def cpu_jiffies(pid):
    """(busy jiffies of all CPUs, jiffies of process pid) from /proc."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = sum(v[:8]) - v[3] - v[4]          # all but idle and iowait, steal included
    try:
        with open(f"/proc/{pid}/stat") as f:
            st = f.read().rsplit(")", 1)[1].split()
        mine = int(st[11]) + int(st[12])     # utime + stime, all threads
    except OSError:
        mine = 0
    return busy, mine


def other_cpus(a, b, seconds):
    """CPUs that processes other than ours kept busy between two cpu_jiffies()."""
    hz = os.sysconf("SC_CLK_TCK")
    return max(0.0, ((b[0] - a[0]) - (b[1] - a[1])) / hz / seconds)


def wait_quiet(threshold, max_wait, log=None):
    """Wait (at most max_wait s) until the machine's CPUs are busy less than
    threshold CPUs over one second; the CPUs' load then, in CPUs."""
    t0 = time.monotonic()
    said = False
    while True:
        a = cpu_jiffies(0)
        time.sleep(1)
        load = other_cpus(a, cpu_jiffies(0), 1.0)
        if load <= threshold or time.monotonic() - t0 >= max_wait:
            return load
        if log and not said:
            log(f"  waiting for a quiet machine (others use {load:.2f} CPUs)")
            said = True


def find_binary(path=None):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cands = [path] if path else [os.environ.get("ESPRIT_BIN"),
                                 os.path.join(root, "build-bench/app/esprit/esprit"),
                                 os.path.join(root, "build/app/esprit/esprit")]
    for c in cands:
        if c and os.path.isdir(c):
            c = os.path.join(c, "esprit")
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)   # the runs may start elsewhere
    raise BenchError("no esprit binary (build it: meson setup build-bench -Dbuildtype=release && "
                     "ninja -C build-bench app/esprit/esprit; or give --bin / ESPRIT_BIN)")


def setup_hugepages(pages=512):
    """2 MiB hugepages as the shared harness sets them up (root only)."""
    with open("/proc/meminfo") as f:
        total = int(re.search(r"HugePages_Total:\s+(\d+)", f.read()).group(1))
    try:
        if total < pages:
            with open("/proc/sys/vm/nr_hugepages", "w") as f:
                f.write(str(pages))
        if subprocess.run(["mountpoint", "-q", "/dev/hugepages"]).returncode != 0:
            os.makedirs("/dev/hugepages", exist_ok=True)
            subprocess.run(["mount", "-t", "hugetlbfs", "nodev", "/dev/hugepages"], check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        raise BenchError(f"hugepages: {e} (run as root)")
