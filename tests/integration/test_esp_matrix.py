#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
ESP interoperability matrix: every suite esprit shares with scapy, in every
mode (tunnel 4-in-4, 6-in-6, 4-in-6, 6-in-4, transport IPv4 and IPv6), in
both directions, in one gateway run. Each combination has its own SA pair
and inner subnets (harness.subnet), so packets tell which one they belong to.

  out: cleartext into the lan port; the ESP on the wan must decrypt (scapy)
       to the packet as routed (TTL - 1), with sequence numbers 1, 2, 3...,
       and must be byte for byte what scapy makes of that packet with the
       same IV: outer header (TTL 64, DSCP and ECN copied, DF copied), SPI,
       sequence number, padding 1, 2, 3..., ICV.
  in:  scapy's ESP into the wan port; the lan gets exactly the inner
       packets, routed.

Extras: ESN (inbound across 2^32), UDP encapsulation, RFC 6040 ECN on
decapsulation, outer fragmentation (DF clear) and ICMP / ICMPv6 "too big"
(DF set, IPv6) with the largest inner size that fits.

Usage: test_esp_matrix.py PATH/TO/esprit
"""
import ipaddress
import time
from dataclasses import dataclass, field

from scapy.all import (ICMP, IP, TCP, UDP, ICMPv6EchoReply, ICMPv6EchoRequest,
                       ICMPv6PacketTooBig, IPerror, IPv6, IPv6ExtHdrFragment,
                       defragment, defragment6, raw)
from scapy.layers.ipsec import ESP

import harness as H

MODES = {	# name: (mode, inner family, outer family)
    '4in4': ('tunnel', 4, 4),
    '6in6': ('tunnel', 6, 6),
    '4in6': ('tunnel', 4, 6),
    '6in4': ('tunnel', 6, 4),
    'transport4': ('transport', 4, 4),
    'transport6': ('transport', 6, 6),
}
WAN_MTU = 1400
BIG = 1450	# an inner packet that fits the lan but not the wan once in ESP
ESN_SEQS = (2**32 - 2, 2**32 - 1, 2**32, 2**32 + 1)
BURST = 64	# the gateway's default rx burst


@dataclass
class Combo:
    i: int
    suite: H.Suite
    mode: str
    esn: bool = False
    encap: bool = False
    tag: str = ''	# what the combination is for, beyond the matrix
    out_sent: list = field(default_factory=list)	# into the lan port
    inbound: list = field(default_factory=list)	# (inner, seq, outer TOS) into the wan
    in_expect: list = field(default_factory=list)	# out of the lan port
    too_big: list = field(default_factory=list)	# (packet, MTU the ICMP must give)

    def __post_init__(self):
        mode, self.af, outer = MODES[self.mode]
        if mode == 'tunnel':
            src, dst = H.gw_addr(outer), H.peer_addr(outer)
        else:
            src, dst = H.host('lan', self.af, self.i), H.host('remote', self.af, self.i)
        common = dict(suite=self.suite, mode=mode, esn=self.esn, encap=self.encap)
        self.out_sa = H.SaSpec(f'o{self.i}', 0x10000 + self.i, direction='out',
                               src=src, dst=dst, **common)
        self.in_sa = H.SaSpec(f'i{self.i}', 0x20000 + self.i, direction='in',
                              src=dst, dst=src, **common)

    @property
    def label(self):
        return ' '.join(filter(None, (self.suite.name, self.mode, self.esn and 'esn',
                                      self.encap and 'udp-encap', self.tag)))

    def lan_host(self):
        return H.host('lan', self.af, self.i)

    def remote_host(self):
        return H.host('remote', self.af, self.i)


# --- traffic --------------------------------------------------------------

def l3(af, src, dst, tos=0, df=False):
    if af == 4:
        return IP(src=src, dst=dst, tos=tos, flags='DF' if df else 0)
    return IPv6(src=src, dst=dst, tc=tos)


def flows(af, src, dst, n, seed, reply=False):
    """n packets cycling UDP, TCP (DSCP EF, ECT(1), DF), ICMP echo (ECT(0));
    payload lengths vary so that every padding length occurs."""
    out = []
    for k in range(n):
        pay = bytes((seed + j) & 0xff for j in range((seed * 3 + k * 7) % 19))
        if k % 3 == 0:
            p = l3(af, src, dst) / UDP(sport=1024 + seed, dport=53) / pay
        elif k % 3 == 1:
            p = l3(af, src, dst, tos=0xb9, df=True) / TCP(
                sport=2048 + seed, dport=80, flags='PA', seq=k) / pay
        elif af == 4:
            p = l3(af, src, dst, tos=0x02) / ICMP(type=0 if reply else 8, id=seed,
                                                  seq=k) / pay
        else:
            echo = ICMPv6EchoReply if reply else ICMPv6EchoRequest
            p = l3(af, src, dst, tos=0x02) / echo(id=seed, seq=k) / pay
        out.append(H.canon(p))
    return out


def big(af, src, dst, df):
    hdr = 20 if af == 4 else 40
    return H.canon(l3(af, src, dst, df=df) / UDP(sport=7, dport=9) /
                   bytes(i & 0xff for i in range(BIG - hdr - 8)))


def esp_size(c, n):
    """Size of the ESP packet for an inner packet of n bytes (RFC 4303 §2.4:
    the padded part ends on the block boundary)."""
    s, (mode, af, outer) = c.suite, MODES[c.mode]
    front = (20 if outer == 4 else 40) if mode == 'tunnel' else 0
    kept = 0 if mode == 'tunnel' else (20 if af == 4 else 40)	# transport: IP header
    padded = -(-(n - kept + 2) // s.block) * s.block
    return front + kept + (8 if c.encap else 0) + 8 + s.iv + padded + s.icv


def max_inner(c):
    """Largest inner packet whose ESP packet fits the wan MTU: what the
    ICMP must tell the sender (RFC 4301 §8.2)."""
    return next(n for n in range(WAN_MTU, 0, -1) if esp_size(c, n) <= WAN_MTU)


# --- the matrix -------------------------------------------------------------

def build_combos():
    combos = []

    def add(suite, mode, **kw):
        c = Combo(len(combos), H.SUITES[suite], mode, **kw)
        combos.append(c)
        return c

    for suite in H.SUITES:
        for mode in MODES:
            add_traffic(add(suite, mode))
    for suite in ('aes128gcm16', 'chacha20poly1305', 'aes128-sha256',
                  'aes256ctr-sha256', 'null-sha256'):
        add_traffic(add(suite, '4in4', esn=True), in_seqs=ESN_SEQS)
    add_traffic(add('aes256-sha512', '6in6', esn=True), in_seqs=ESN_SEQS)
    for suite in ('aes128gcm16', 'aes256-sha256', 'chacha20poly1305'):
        for mode in ('4in4', '6in6', '4in6'):
            add_traffic(add(suite, mode, encap=True))
    add_ecn(add('aes128gcm16', '4in4', tag='ecn'))
    add_ecn(add('aes256-sha1', '6in6', tag='ecn'))
    for suite, mode in (('aes128gcm16', '4in4'), ('aes128gcm16', '4in6'),
                        ('aes128-sha1', '4in4'), ('aes128-sha256', 'transport4')):
        add_fragmenting(add(suite, mode, tag='fragmenting'))
    for suite, mode in (('aes128gcm16', '4in4'), ('aes256-sha512', '4in4'),
                        ('aes128gcm16', '6in6'), ('aes256-sha256', '6in4'),
                        ('chacha20poly1305', '4in6'), ('aes256-sha1', 'transport4'),
                        ('aes128-sha256', 'transport6'), ('aes128gcm16', 'transport4')):
        add_too_big(add(suite, mode, tag='too-big'))
    add_too_big(add('aes128-sha256', '4in4', encap=True, tag='too-big'))
    return combos


def tos_of(p):
    return p.tos if p.version == 4 else p.tc


def add_traffic(c, in_seqs=(1, 2, 3)):
    c.out_sent = flows(c.af, c.lan_host(), c.remote_host(), 3, c.i)
    sent = flows(c.af, c.remote_host(), c.lan_host(), len(in_seqs), c.i, reply=True)
    c.inbound = [(p, seq, tos_of(p)) for p, seq in zip(sent, in_seqs)]
    c.in_expect = [H.routed(p) for p in sent]


def add_ecn(c):
    """RFC 6040 §4.2: outer CE over inner ECT(0) decapsulates to CE."""
    add_traffic(c)
    p = flows(c.af, c.remote_host(), c.lan_host(), 3, c.i, reply=True)[2]	# ECT(0)
    c.inbound.append((p, 4, 0x03))
    ce = p.copy()
    if c.af == 4:
        ce.tos |= 3
        del ce.chksum
    else:
        ce.tc |= 3
    c.in_expect.append(H.routed(ce))


def add_fragmenting(c):
    """DF clear: the ESP packet is fragmented and the peer reassembles."""
    c.out_sent = flows(c.af, c.lan_host(), c.remote_host(), 1, c.i) + [
        big(c.af, c.lan_host(), c.remote_host(), df=False)]


def add_too_big(c):
    """DF set (or IPv6): ICMP back to the sender, nothing on the wan, and
    the SA's sequence numbers go on without a gap."""
    small = flows(c.af, c.lan_host(), c.remote_host(), 2, c.i)
    b = big(c.af, c.lan_host(), c.remote_host(), df=True)
    c.out_sent = [small[0], b, small[1]]
    c.too_big = [(b, max_inner(c) if c.af == 4 else max(max_inner(c), 1280))]


def lan_order(combos):
    """The lan input: each combination's first packet in turn (runs of one
    packet, an SA each: the many-tunnel path), then the rest combination
    by combination (runs of several packets)."""
    firsts = [c.out_sent[0] for c in combos if c.out_sent]
    return firsts + [p for c in combos for p in c.out_sent[1:]]


def build_config(combos):
    cfg = H.Config(wan_mtu=WAN_MTU)
    for c in combos:
        cfg.add_pair(c.out_sa, c.in_sa, H.subnet('lan', c.af, c.i),
                     H.subnet('remote', c.af, c.i))
    return cfg.text()


def wan_input(combos):
    """Frames for the wan: ESN packets below 2^32 first and those above it
    last, at least a burst apart. The gateway infers the high half from the
    window as it stood before the burst (RFC 4303 appendix A2), so here, as
    in any real traffic, the window has reached 2^32 - 1 by then."""
    frames = [(seq, H.wan_frame(c.in_sa.encrypt(p, seq, tos=tos)))
              for c in combos for p, seq, tos in c.inbound]
    early = [f for s, f in frames if ESN_SEQS[0] <= s < 2**32]
    late = [f for s, f in frames if s >= 2**32]
    middle = [f for s, f in frames if s < ESN_SEQS[0]]
    assert len(middle) >= BURST
    return early + middle + late


# --- checks ---------------------------------------------------------------

def reassembled(frames):
    """IP packets out of the wan, outer fragments put back together."""
    v4 = [f.payload for f in frames if isinstance(f.payload, IP)]
    v6 = [f.payload for f in frames if isinstance(f.payload, IPv6)]
    whole6 = [p for p in v6 if IPv6ExtHdrFragment not in p]
    frag6 = [p for p in v6 if IPv6ExtHdrFragment in p]
    if frag6:
        ids = {p[IPv6ExtHdrFragment].id for p in frag6}
        for i in ids:
            whole6.append(IPv6(raw(defragment6([p for p in frag6 if p[IPv6ExtHdrFragment].id == i]))))
    return [IP(raw(p)) for p in defragment(v4)] + whole6


def esp_by_spi(packets):
    out = {}
    for p in packets:
        if ESP in p:
            out.setdefault(p[ESP].spi, []).append(p)
    return out


def outer_fields(c, sent, got):
    """The outer header esprit must have made (RFC 4303, RFC 6040 §4.1)."""
    if c.out_sa.mode != 'tunnel':
        return {}
    df = c.af == 4 and 'DF' in sent.flags
    return dict(tos=tos_of(sent), df=df, ip_id=got.id if c.out_sa.outer_af == 4 else 0)


def check_out(r, c, got):
    want = [H.routed(p) for p in c.out_sent if not any(p is b for b, _ in c.too_big)]
    if not r.equal(f'out {c.label}: sequence numbers', [p[ESP].seq for p in got],
                   list(range(1, len(want) + 1))):
        return
    inner = [c.out_sa.decrypt(p) for p in got]
    r.same_packets(f'out {c.label}: scapy decrypts to the routed packets', inner, want)
    iv = [bytes(p[ESP].data[:c.suite.iv]) for p in got]
    if c.suite.counter_iv:
        r.equal(f'out {c.label}: IV is the sequence number', iv,
                [s.to_bytes(8, 'big') for s in range(1, len(want) + 1)])
    elif c.suite.iv:
        r.check(f'out {c.label}: CBC IVs all different', len(set(iv)) == len(iv), iv)
    again = [c.out_sa.encrypt(w, k + 1, iv=iv[k], **outer_fields(c, w, g))
             for k, (w, g) in enumerate(zip(want, got))]
    r.same_packets(f'out {c.label}: byte for byte scapy\'s ESP (header, padding, ICV)',
                   got, again)


def check_out_counters(r, c, counted):
    """Packets and bytes (inner IP) the outbound SA counts: what it sent."""
    sent = [p for p in c.out_sent if not any(p is b for b, _ in c.too_big)]
    r.equal(f'out {c.label}: SA counters (packets, bytes)', counted,
            (len(sent), sum(len(p) for p in sent)))


def check_too_big(r, c, icmp_out):
    for pkt, mtu in c.too_big:
        errs = [p for p in icmp_out if p.dst == pkt.src]
        why = 'DF set' if c.af == 4 else 'IPv6'
        name = f'out {c.label}: {len(pkt)} bytes, {why} -> ICMP too big, MTU {mtu}'
        if not r.equal(name + ' (count)', len(errs), 1):
            continue
        e = errs[0]
        if c.af == 4:
            got = (e[ICMP].type, e[ICMP].code, e[ICMP].nexthopmtu, e.src,
                   e[IPerror].src, e[IPerror].dst, e[IPerror].id)
            want = (3, 4, mtu, H.LAN4, pkt.src, pkt.dst, pkt.id)
        else:
            q = IPv6(raw(e[ICMPv6PacketTooBig].payload))
            got = (e[ICMPv6PacketTooBig].type, e[ICMPv6PacketTooBig].mtu, e.src,
                   q.src, q.dst)
            want = (2, mtu, H.LAN6, pkt.src, pkt.dst)
        r.equal(name, got, want)


def check_fragments(r, wan_out):
    for cls, frag in ((IP, lambda p: p.flags.MF or p.frag),
                      (IPv6, lambda p: IPv6ExtHdrFragment in p)):
        fr = [f.payload for f in wan_out if isinstance(f.payload, cls) and frag(f.payload)]
        r.check(f'outer {cls.__name__} fragments exist and fit the wan MTU '
                f'({len(fr)} fragments)', fr and all(len(p) <= WAN_MTU for p in fr))


def combo_of(addr):
    """Which combination an inner address belongs to (see harness.subnet)."""
    a = ipaddress.ip_address(addr)
    return a.packed[2] if a.version == 4 else int.from_bytes(a.packed[6:8], 'big')


def is_remote(addr):
    a = ipaddress.ip_address(addr)
    return a in ipaddress.ip_network('10.2.0.0/16') or a in ipaddress.ip_network('fd02::/32')


def check_l2(r, frames, src, dst, port):
    bad = [f for f in frames if (f.src, f.dst) != (src, dst)]
    r.check(f'every frame out of the {port} goes from {src} to {dst}', not bad,
            bad[:1])


def main():
    exe = H.exe_from_argv()
    t0 = time.monotonic()
    combos = build_combos()
    lan_in = [H.lan_frame(p) for p in lan_order(combos)]
    wan_in = wan_input(combos)
    print(f'{len(combos)} SA pairs, {len(lan_in)} frames into the lan, '
          f'{len(wan_in)} into the wan')
    run = H.run(exe, build_config(combos), lan_in, wan_in,
                queries=tuple(f'/esprit/sas,{i}' for i in range(0, 2 * len(combos), 100)))
    print(f'gateway run: {time.monotonic() - t0:.1f}s; exit {run.returncode}; {run.drops_line()}')

    r = H.Results()
    r.equal('gateway exits 0 on SIGTERM', run.returncode, 0)
    check_l2(r, run.wan_out, H.WAN_MAC, H.PEER_MAC, 'wan')
    check_l2(r, run.lan_out, H.LAN_MAC, H.LAN_NH_MAC, 'lan')
    check_fragments(r, run.wan_out)

    wan_ip = reassembled(run.wan_out)
    known = {c.out_sa.spi for c in combos}
    stray = [p for p in wan_ip if ESP not in p or p[ESP].spi not in known]
    r.check('wan: nothing but ESP of our outbound SAs', wan_ip and not stray, stray[:1])
    esp = esp_by_spi(wan_ip)
    inner_out = [H.ip_layer(f) for f in run.lan_out]
    icmp_out = [p for p in inner_out if p.src in (H.LAN4, H.LAN6)]
    by_combo = {}
    for p in inner_out:
        if is_remote(p.src):
            by_combo.setdefault(combo_of(p.src), []).append(p)
    r.equal('lan: nothing but decapsulated packets and ICMP errors',
            len(inner_out) - len(icmp_out) - sum(map(len, by_combo.values())), 0)

    counted = run.sa_counters()
    for c in combos:
        if c.out_sent:
            check_out(r, c, esp.get(c.out_sa.spi, []))
            check_out_counters(r, c, counted.get(c.out_sa.name))
        check_too_big(r, c, icmp_out)
        if c.inbound:
            r.same_packets(f'in  {c.label}: seq {c.inbound[0][1]:#x}.. -> exactly the '
                           f'routed inner packets', by_combo.get(c.i, []), c.in_expect)
            r.equal(f'in  {c.label}: SA counters (packets, inner bytes)',
                    counted.get(c.in_sa.name),
                    (len(c.in_expect), sum(len(p) for p in c.in_expect)))
    r.equal('no ICMP but the expected ones', len(icmp_out),
            sum(len(c.too_big) for c in combos))
    print(run.drops_line())
    print(f'total {time.monotonic() - t0:.1f}s')
    r.finish()


if __name__ == '__main__':
    main()
