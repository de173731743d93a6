# SPDX-License-Identifier: BSD-3-Clause
"""
Shared harness of the integration tests: the gateway on two net_pcap ports,
checked with scapy's own ESP implementation.

A run writes the frames for each port to an rx pcap, starts esprit on one
lcore without hugepages, polls its telemetry (through dpdk-telemetry.py)
until every input frame was received and the counters stopped moving,
takes the requested telemetry, stops it (SIGTERM) and reads the tx
pcaps back. Nothing depends on timing: the rx pcaps are read once, and the
gateway is only stopped when it has provably seen everything.

Topology of every test (static neighbours, so no ARP or ND is needed):

    lan host subnets --- 10.0.0.1 / fd00::1    [lan 10.0.0.254, fd00::fe]
                                                esprit
    peer 172.16.0.2 / 2001:db8::2 ------------ [wan 172.16.0.1, 2001:db8::1]
"""
import ipaddress
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from scapy.all import (ARP, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_RS,
                       ICMPv6ND_Redirect, IP, IPv6, UDP, Ether, conf, raw,
                       rdpcap, wrpcap)
from scapy.layers.ipsec import AUTH_ALGOS, ESP, IPSecIntegrityError, SecurityAssociation

conf.verb = 0

TELEMETRY = '/usr/bin/dpdk-telemetry.py'
PYTHON = '/usr/bin/python3'

# --- topology -------------------------------------------------------------

LAN_MAC = '02:00:00:00:01:fe'	# the gateway's lan port
WAN_MAC = '02:00:00:00:02:fe'	# the gateway's wan port
LAN_NH_MAC = '02:00:00:00:01:01'  # the router behind which the lan hosts sit
PEER_MAC = '02:00:00:00:02:02'	# the IPsec peer on the wan

LAN4, LAN6 = '10.0.0.254', 'fd00::fe'
LAN_NH4, LAN_NH6 = '10.0.0.1', 'fd00::1'
GW4, GW6 = '172.16.0.1', '2001:db8::1'
PEER4, PEER6 = '172.16.0.2', '2001:db8::2'


def gw_addr(af):
    return GW4 if af == 4 else GW6


def peer_addr(af):
    return PEER4 if af == 4 else PEER6


# Inner subnets, one pair per SA pair: index i gives the protected (lan)
# side 10.1.i.0/24 / fd01:0:0:i::/64 and the remote side 10.2.i.0/24 /
# fd02:0:0:i::/64. Routes send 10.1/16 and fd01::/32 to the lan, 10.2/16
# and fd02::/32 to the peer.
def subnet(side, af, i):
    n = 1 if side == 'lan' else 2
    return str(ipaddress.ip_network(f'10.{n}.{i}.0/24' if af == 4 else
                                    f'fd0{n}:0:0:{i:x}::/64'))


def host(side, af, i, h=None):
    h = h if h is not None else (5 if side == 'lan' else 7)
    n = 1 if side == 'lan' else 2
    return str(ipaddress.ip_address(f'10.{n}.{i}.{h}' if af == 4 else
                                    f'fd0{n}:0:0:{i:x}::{h:x}'))


# --- suites ---------------------------------------------------------------

@dataclass(frozen=True)
class Suite:
    """An esprit suite and its scapy equivalent. enc_len = key || salt."""
    name: str
    crypt: str
    enc_len: int
    auth: str
    auth_len: int
    block: int	# padding alignment of the ESP payload
    iv: int
    icv: int

    @property
    def aead(self):
        return self.auth is None

    @property
    def counter_iv(self):
        """GCM, CTR and ChaCha20: the IV is the 64-bit sequence number."""
        return self.crypt in ('AES-GCM', 'AES-CTR', 'CHACHA20-POLY1305')


SUITES = {s.name: s for s in (
    Suite('aes128gcm16', 'AES-GCM', 20, None, 0, 4, 8, 16),
    Suite('aes256gcm16', 'AES-GCM', 36, None, 0, 4, 8, 16),
    Suite('chacha20poly1305', 'CHACHA20-POLY1305', 36, None, 0, 4, 8, 16),
    Suite('aes128-sha1', 'AES-CBC', 16, 'HMAC-SHA1-96', 20, 16, 16, 12),
    Suite('aes256-sha1', 'AES-CBC', 32, 'HMAC-SHA1-96', 20, 16, 16, 12),
    Suite('aes128-sha256', 'AES-CBC', 16, 'SHA2-256-128', 32, 16, 16, 16),
    Suite('aes256-sha256', 'AES-CBC', 32, 'SHA2-256-128', 32, 16, 16, 16),
    Suite('aes128-sha384', 'AES-CBC', 16, 'SHA2-384-192', 48, 16, 16, 24),
    Suite('aes256-sha512', 'AES-CBC', 32, 'SHA2-512-256', 64, 16, 16, 32),
    Suite('aes128ctr-sha256', 'AES-CTR', 20, 'SHA2-256-128', 32, 4, 8, 16),
    Suite('aes256ctr-sha256', 'AES-CTR', 36, 'SHA2-256-128', 32, 4, 8, 16),
    Suite('null-sha256', 'NULL', 0, 'SHA2-256-128', 32, 4, 0, 16),
)}


def key_bytes(seed, n):
    return bytes((seed * 37 + i * 11 + 1) & 0xff for i in range(n))


class _EsnIcv:
    """scapy 2.5 leaves the ESN high half out of the ICV of non-AEAD ESP
    (it only passes it on for AH). RFC 4303 §2.2.1 / §3.3.2.1: the ICV is
    computed over the ESP packet followed by the high 32 bits."""

    def __init__(self, algo, hi):
        self.algo, self.hi, self.icv_size = algo, hi, algo.icv_size

    def _mac(self, esp_bytes, key):
        mac = self.algo.new_mac(key)
        mac.update(esp_bytes + struct.pack('!L', self.hi))
        return mac.finalize()[:self.icv_size]

    def sign(self, pkt, key, **_):
        pkt[ESP].data += self._mac(raw(pkt[ESP]), key)
        return pkt

    def verify(self, esp, key, **_):
        body = raw(esp)[:-self.icv_size]
        if self._mac(body, key) != raw(esp)[-self.icv_size:]:
            raise IPSecIntegrityError('ESN ICV mismatch')


@dataclass
class SaSpec:
    """One SA: its configuration entry and its scapy twin.

    Tunnel mode: src/dst are the outer addresses. Transport mode: the hosts'
    addresses. encap: RFC 3948 UDP encapsulation on port 4500."""
    name: str
    spi: int
    suite: Suite
    direction: str
    mode: str
    src: str
    dst: str
    esn: bool = False
    encap: bool = False
    replay_window: int = None
    extra: str = ''
    enc_key: bytes = field(init=False)
    auth_key: bytes = field(init=False)

    def __post_init__(self):
        self.enc_key = key_bytes(self.spi, self.suite.enc_len)
        self.auth_key = key_bytes(self.spi + 1000, self.suite.auth_len)

    @property
    def outer_af(self):
        return 6 if ':' in self.dst else 4

    def conf(self):
        s = (f'{{ name = "{self.name}"; spi = {self.spi:#x}; direction = "{self.direction}"; '
             f'mode = "{self.mode}"; src = "{self.src}"; dst = "{self.dst}"; '
             f'alg = "{self.suite.name}"; ')
        if self.suite.enc_len:
            s += f'enc_key = "0x{self.enc_key.hex()}"; '
        if self.suite.auth_len:
            s += f'auth_key = "0x{self.auth_key.hex()}"; '
        if self.esn:
            s += 'esn = true; '
        if self.encap:
            s += 'udp_encap = { sport = 4500; dport = 4500; }; '
        if self.replay_window is not None:
            s += f'replay_window = {self.replay_window}; '
        return s + self.extra + '}'

    def scapy_sa(self, hi=0, seq=1, tunnel_header=None):
        """scapy's SA; hi = ESN high half of the packets it handles."""
        s = self.suite
        if tunnel_header is None and self.mode == 'tunnel':
            tunnel_header = (IP(src=self.src, dst=self.dst) if self.outer_af == 4
                             else IPv6(src=self.src, dst=self.dst))
        sa = SecurityAssociation(
            ESP, spi=self.spi, seq_num=seq, crypt_algo=s.crypt,
            crypt_key=self.enc_key or None, auth_algo=s.auth,
            auth_key=self.auth_key or None, tunnel_header=tunnel_header,
            nat_t_header=UDP(sport=4500, dport=4500) if self.encap else None,
            esn_en=self.esn, esn=hi)
        if self.esn and not s.aead:
            sa.auth_algo = _EsnIcv(AUTH_ALGOS[s.auth], hi)
        return sa

    def encrypt(self, inner, seq, iv=None, tos=0, ip_id=0, df=False, ttl=64):
        """The ESP packet (outer IP header included) scapy makes for inner
        with this 64-bit sequence number. tos/ip_id/df/ttl: outer header."""
        th = None
        if self.mode == 'tunnel':
            th = (IP(src=self.src, dst=self.dst, tos=tos, id=ip_id, ttl=ttl,
                     flags='DF' if df else 0) if self.outer_af == 4 else
                  IPv6(src=self.src, dst=self.dst, tc=tos, hlim=ttl))
        sa = self.scapy_sa(hi=seq >> 32, seq=seq & 0xffffffff, tunnel_header=th)
        out = sa.encrypt(inner, iv=iv)
        if self.encap:
            del out[UDP].len	# scapy 2.5 fixes it before ESP is appended
            if out.version == 6:
                del out[UDP].chksum	# mandatory over IPv6 (RFC 8200 §8.1)
        return canon(out)

    def decrypt(self, outer, hi=0):
        """The inner packet (tunnel) or the restored packet (transport)."""
        return self.scapy_sa(hi=hi).decrypt(outer.copy())


# --- expected packets -----------------------------------------------------

def canon(pkt):
    """Every length and checksum field filled in."""
    return pkt.__class__(raw(pkt))


def routed(pkt):
    """The packet as a router forwards it: TTL / hop limit minus one."""
    p = canon(pkt).copy()
    if p.version == 4:
        p.ttl -= 1
        del p.chksum
    else:
        p.hlim -= 1
    return canon(p)


def ip_layer(frame):
    """The IP packet in an Ethernet frame, or None."""
    for cls in (IP, IPv6):
        if cls in frame:
            return frame[cls]
    return None


def is_nd_or_arp(frame):
    return ARP in frame or any(c in frame for c in (
        ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6ND_RS, ICMPv6ND_RA, ICMPv6ND_Redirect))


def lan_frame(pkt):
    """A frame from the lan next hop to the gateway."""
    return Ether(src=LAN_NH_MAC, dst=LAN_MAC) / pkt


def wan_frame(pkt):
    """A frame from the peer to the gateway."""
    return Ether(src=PEER_MAC, dst=WAN_MAC) / pkt


# --- configuration --------------------------------------------------------

class Config:
    """The test topology plus SAs and SPD rules, as libconfig text."""

    def __init__(self, wan_mtu=1500, lan_mtu=1500):
        self.wan_mtu, self.lan_mtu = wan_mtu, lan_mtu
        self.sas, self.spd = [], []

    def add_sa(self, spec):
        self.sas.append(spec)
        return spec

    def add_rule(self, direction, src, dst, action, sa=None, priority=10,
                 proto=None, dport=None):
        r = (f'{{ direction = "{direction}"; src = "{src}"; dst = "{dst}"; '
             f'priority = {priority}; action = "{action}"; ')
        if sa:
            r += f'sa = "{sa}"; '
        if proto:
            r += f'proto = "{proto}"; '
        if dport is not None:
            r += f'dport = {dport}; '
        self.spd.append(r + '}')

    def add_pair(self, out_sa, in_sa, lan_sel, remote_sel):
        """An outbound and an inbound SA protecting lan_sel <-> remote_sel."""
        self.add_sa(out_sa)
        self.add_sa(in_sa)
        self.add_rule('out', lan_sel, remote_sel, 'protect', out_sa.name)
        self.add_rule('in', remote_sel, lan_sel, 'protect', in_sa.name)

    def text(self):
        sep = ',\n\t'
        return f'''# generated by tests/integration/harness.py
ports = (
	{{ name = "lan"; device = 0; role = "lan"; promiscuous = true; mtu = {self.lan_mtu};
	  mac = "{LAN_MAC}"; addresses = [ "{LAN4}/24", "{LAN6}/64" ]; }},
	{{ name = "wan"; device = 1; role = "wan"; promiscuous = true; mtu = {self.wan_mtu};
	  mac = "{WAN_MAC}"; addresses = [ "{GW4}/24", "{GW6}/64" ]; }}
);
routes = (
	{{ prefix = "10.1.0.0/16"; port = "lan"; via = "{LAN_NH4}"; }},
	{{ prefix = "fd01::/32"; port = "lan"; via = "{LAN_NH6}"; }},
	{{ prefix = "10.2.0.0/16"; port = "wan"; via = "{PEER4}"; }},
	{{ prefix = "fd02::/32"; port = "wan"; via = "{PEER6}"; }}
);
neighbours = (
	{{ ip = "{LAN_NH4}"; port = "lan"; mac = "{LAN_NH_MAC}"; }},
	{{ ip = "{LAN_NH6}"; port = "lan"; mac = "{LAN_NH_MAC}"; }},
	{{ ip = "{PEER4}"; port = "wan"; mac = "{PEER_MAC}"; }},
	{{ ip = "{PEER6}"; port = "wan"; mac = "{PEER_MAC}"; }}
);
sas = (
	{sep.join(s.conf() for s in self.sas)}
);
spd = (
	{sep.join(self.spd)}
);
'''


# --- running the gateway --------------------------------------------------

class GatewayError(Exception):
    pass


def _write_pcap(path, frames):
    if frames:
        wrpcap(path, [raw(f) for f in frames], linktype=1)	# DLT_EN10MB, as bytes
        return
    with open(path, 'wb') as f:	# an empty capture: the global header only
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))


def _read_pcap(path, arp_nd):
    try:
        return [p for p in rdpcap(path) if arp_nd or not is_nd_or_arp(p)]
    except FileNotFoundError:
        return []


def telemetry(prefix, *cmds):
    """Send commands through dpdk-telemetry.py: {command as sent: reply},
    or None when the gateway's socket does not answer (yet)."""
    r = subprocess.run([PYTHON, TELEMETRY, '-f', prefix], input='\n'.join(cmds) + '\n',
                       capture_output=True, text=True, timeout=30)
    replies = [json.loads(l) for l in r.stdout.splitlines() if l.startswith('{')]
    if len(replies) != len(cmds):
        return None
    # the reply is keyed by the command without its parameter
    return {c: next(iter(rep.values())) for c, rep in zip(cmds, replies)}


@dataclass
class Run:
    lan_out: list	# frames the gateway sent, ARP and ND left out
    wan_out: list
    tele: dict		# the requested telemetry, taken before stopping
    stdout: str
    stderr: str
    returncode: int

    def drops_line(self):
        return next((l for l in self.stdout.splitlines() if l.startswith('drops:')), '')

    def final_drops(self):
        """{reason: count} from the final counters printed on exit."""
        return {k: int(v) for k, v in (kv.split('=') for kv in self.drops_line().split()[1:])}

    def sa_counters(self):
        """{SA name: (packets, bytes)} from the /esprit/sas pages queried."""
        got = {}
        for cmd, page in self.tele.items():
            if not cmd.startswith('/esprit/sas,'):
                continue
            for key, val in page.items():
                if key == 'next':
                    continue
                f = val.split()
                kv = dict(x.split('=', 1) for x in f if '=' in x)
                got[f[0]] = (int(kv['packets']), int(kv['bytes']))
        return got

    def sa_lines(self):
        lines = self.stdout.splitlines()
        start = lines.index('SAs:') + 1 if 'SAs:' in lines else len(lines)
        return [l.strip() for l in lines[start:] if l.strip()]


_runs = 0


def eal_args(prefix, lan_in, lan_out, wan_in, wan_out):
    """EAL arguments; each pcap argument is a path or, for several queues
    (one worker each), a list of them."""
    def pcaps(kind, paths):
        return ','.join(f'{kind}={p}' for p in ([paths] if isinstance(paths, str) else paths))
    workers = 1 if isinstance(lan_in, str) else len(lan_in)
    if workers == 1:
        lcores = ['-l', '0']	# the main lcore is the one worker
    else:	# the main lcore (control plane) and one lcore per worker
        cpus = os.sched_getaffinity(0)
        spread = sorted(cpus)[:2] if len(cpus) >= 2 else sorted(cpus) * 2
        ids = ','.join(str(i + 1) for i in range(workers))
        lcores = ['--lcores', f'0@{spread[0]},({ids})@({",".join(map(str, sorted(set(spread))))})']
    return lcores + ['-n', '1', '--no-huge', '-m', '512', '--no-pci',
            '--file-prefix', prefix, '--log-level', 'lib.eal:error',
            '--vdev', f'net_pcap0,{pcaps("rx_pcap", lan_in)},{pcaps("tx_pcap", lan_out)}',
            '--vdev', f'net_pcap1,{pcaps("rx_pcap", wan_in)},{pcaps("tx_pcap", wan_out)}']


def run(exe, config_text, lan=(), wan=(), queries=(), timeout=60, stop=signal.SIGTERM,
        arp_nd=False, workers=1):
    """Run the gateway over these input frames; see the module docstring.
    stop: the signal that ends it; arp_nd: keep the ARP and ND frames it
    sent in lan_out and wan_out; workers: that many worker lcores, each
    port with as many rx and tx queues, frame k arriving on queue
    k % workers (the tx queues are read back one after the other)."""
    global _runs
    _runs += 1
    prefix = f'esprit-it-{os.getpid()}-{_runs}'
    tmp = tempfile.mkdtemp(prefix='esprit-it-')
    names = ('lan_in', 'lan_out', 'wan_in', 'wan_out')
    if workers == 1:
        paths = {n: os.path.join(tmp, n + '.pcap') for n in names}
        _write_pcap(paths['lan_in'], list(lan))
        _write_pcap(paths['wan_in'], list(wan))
    else:
        paths = {n: [os.path.join(tmp, f'{n}{q}.pcap') for q in range(workers)] for n in names}
        for q in range(workers):
            _write_pcap(paths['lan_in'][q], list(lan)[q::workers])
            _write_pcap(paths['wan_in'][q], list(wan)[q::workers])
    cfg = os.path.join(tmp, 'esprit.conf')
    with open(cfg, 'w') as f:
        f.write(config_text)
    out_f, err_f = (open(os.path.join(tmp, n), 'w+') for n in ('stdout', 'stderr'))
    cmd = [exe] + eal_args(prefix, paths['lan_in'], paths['lan_out'],
                           paths['wan_in'], paths['wan_out']) + ['--', '-f', cfg]
    proc = subprocess.Popen(cmd, stdout=out_f, stderr=err_f)
    try:
        tele = _wait_idle(proc, prefix, len(lan), len(wan), timeout)
        if queries:
            got = telemetry(prefix, *queries)
            if got is None:
                raise GatewayError(f'telemetry did not answer {queries}')
            tele.update(got)
        proc.send_signal(stop)
        proc.wait(timeout=30)
    except BaseException:
        proc.kill()
        proc.wait()
        out_f.seek(0)
        err_f.seek(0)
        sys.stderr.write(f'--- gateway stdout\n{out_f.read()}--- stderr\n{err_f.read()}'
                         f'--- kept in {tmp}\n')
        raise
    finally:
        shutil.rmtree(f'/var/run/dpdk/{prefix}', ignore_errors=True)
    out_f.seek(0)
    err_f.seek(0)
    def read(n):
        ps = [paths[n]] if workers == 1 else paths[n]
        return [f for p in ps for f in _read_pcap(p, arp_nd)]
    res = Run(read('lan_out'), read('wan_out'), tele,
              out_f.read(), err_f.read(), proc.returncode)
    out_f.close()
    err_f.close()
    if os.environ.get('ESPRIT_IT_KEEP'):
        print(f'(run kept in {tmp})')
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


_IDLE_CMDS = ('/esprit/ports', '/esprit/drops', '/esprit/control')
_PORT_COUNTERS = ('rx_packets', 'tx_packets', 'esp_in', 'esp_out', 'bypass', 'punted')
_CONTROL_COUNTERS = ('arp_in', 'nd_in', 'echo_replies', 'icmp_errors', 'held', 'tx')


def _progress(snap):
    """The counters that move while packets are still being handled."""
    ports = snap['/esprit/ports']
    return ([ports[p][c] for p in sorted(ports) for c in _PORT_COUNTERS] +
            sorted(snap['/esprit/drops'].items()) +
            [snap['/esprit/control'][c] for c in _CONTROL_COUNTERS])


def _wait_idle(proc, prefix, n_lan, n_wan, timeout):
    """Poll until both ports received all their frames and two snapshots
    in a row show the same counters. Returns the last snapshot."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise GatewayError(f'esprit exited with {proc.returncode} while running')
        snap = telemetry(prefix, *_IDLE_CMDS)
        if snap is None or None in snap.values():  # not listening, or not set up yet
            time.sleep(0.05)
            continue
        ports = snap['/esprit/ports']
        done = (ports['lan']['rx_packets'] == n_lan and
                ports['wan']['rx_packets'] == n_wan)
        if done and last is not None and _progress(snap) == _progress(last):
            return snap
        last = snap
    raise GatewayError(f'gateway not idle after {timeout}s: {last}')


# --- reporting ------------------------------------------------------------

class Results:
    """Cases are printed as they are checked; finish() prints the total
    and exits non-zero when any failed."""

    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=''):
        if ok:
            self.passed += 1
            print(f'ok   {name}')
        else:
            self.failed += 1
            print(f'FAIL {name}' + (f': {detail}' if detail else ''))
        sys.stdout.flush()
        return ok

    def equal(self, name, got, want):
        return self.check(name, got == want, f'got {got!r}, want {want!r}')

    def same_packets(self, name, got, want):
        """Two lists of IP packets, byte for byte and in order."""
        g, w = [raw(p) for p in got], [raw(p) for p in want]
        if g == w:
            return self.check(name, True)
        if len(g) != len(w):
            return self.check(name, False, f'{len(g)} packets, want {len(w)}')
        i = next(i for i in range(len(g)) if g[i] != w[i])
        return self.check(name, False, f'packet {i} differs:\n  got  {got[i]!r}\n'
                          f'  want {want[i]!r}')

    def finish(self):
        print(f'{self.passed} passed, {self.failed} failed')
        sys.exit(1 if self.failed else 0)


def exe_from_argv():
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        sys.exit(f'usage: {sys.argv[0]} PATH/TO/esprit')
    return os.path.abspath(sys.argv[1])
