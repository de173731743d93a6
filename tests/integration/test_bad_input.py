#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Bad input: each kind of bad packet is dropped under its exact reason, and
the gateway keeps forwarding.

Every case is a gateway run of its own: valid traffic in both directions
(ESP from the peer for the inbound SA "in", cleartext from the lan for the
outbound SA "out"), the case's bad frames in the middle of it on one port,
then more valid traffic. A case passes when
  - /esprit/drops counts exactly the bad frames under the case's reason
    and nothing else, and the final counters printed on exit agree;
  - the SA concerned (/esprit/sa,NAME) counts them under the same reason;
  - every valid packet, before and after, came out right (inbound: the
    routed inner packets on the lan; outbound: ESP scapy decrypts).
A last run sends every case at once, interleaved, and checks the sums.

Usage: test_bad_input.py PATH/TO/esprit
"""
import struct
import time
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from scapy.all import IP, UDP, Ether, Raw, raw
from scapy.layers.ipsec import ESP

import harness as H

SUITE = H.SUITES['aes128gcm16']
LAN_NET, REMOTE_NET = H.subnet('lan', 4, 0), H.subnet('remote', 4, 0)
LAN_HOST, REMOTE_HOST = H.host('lan', 4, 0), H.host('remote', 4, 0)
SA_IN = H.SaSpec('in', 0x3001, SUITE, 'in', 'tunnel', H.PEER4, H.GW4, replay_window=64)
SA_OUT = H.SaSpec('out', 0x4001, SUITE, 'out', 'tunnel', H.GW4, H.PEER4)
LIFE_PACKETS = 3
SA_LIFE = H.SaSpec('out-life', 0x4002, SUITE, 'out', 'tunnel', H.GW4, H.PEER4,
                   extra=f'lifetime = {{ hard_packets = {LIFE_PACKETS}; }}; ')
SEQ_BEFORE, SEQ_AFTER = (1, 200), (1000, 1001)	# valid inbound traffic
REPLAY_SEQ = SEQ_BEFORE[1]


def config():
    cfg = H.Config()
    cfg.add_pair(SA_OUT, SA_IN, LAN_NET, REMOTE_NET)
    cfg.add_sa(SA_LIFE)
    cfg.add_rule('out', H.subnet('lan', 4, 1), H.subnet('remote', 4, 1), 'protect', SA_LIFE.name)
    cfg.add_rule('out', H.subnet('lan', 4, 2), '0.0.0.0/0', 'discard')
    return cfg.text()


def udp(src, dst, n=0):
    return H.canon(IP(src=src, dst=dst) / UDP(sport=4000 + n, dport=53) / bytes(range(n + 10)))


def esp_in(inner, seq, tos=0):
    return H.wan_frame(SA_IN.encrypt(inner, seq, tos=tos))


# --- hand-made ESP (scapy always pads and frames correctly) ---------------

def trailer(payload, nh, pad_byte=lambda i: i + 1):
    """payload || padding || pad length || next header, 4-byte aligned,
    with at least 4 bytes of padding: pad_byte(i) for i = 0, 1, ...
    (RFC 4303 §2.4 wants 1, 2, 3...)."""
    n = (-(len(payload) + 2)) % 4 + 4
    return payload + bytes(pad_byte(i) for i in range(n)) + bytes((n, nh))


def gcm_esp(sa, seq, plaintext):
    """ESP for an AES-GCM SA around any plaintext, with a valid ICV."""
    key, salt = sa.enc_key[:-4], sa.enc_key[-4:]
    hdr, iv = struct.pack('!II', sa.spi, seq), seq.to_bytes(8, 'big')
    return hdr + iv + AESGCM(key).encrypt(salt + iv, plaintext, hdr)


def wan_raw_esp(esp_bytes):
    return H.wan_frame(IP(src=H.PEER4, dst=H.GW4, proto=50) / Raw(esp_bytes))


def flip(frame, offset_from_end):
    b = bytearray(raw(frame))
    b[-offset_from_end] ^= 0x01
    return Ether(bytes(b))


# --- cases ----------------------------------------------------------------

@dataclass
class Case:
    name: str
    reason: str
    port: str	# where the bad frames go in
    frames: list
    sa: str = None	# the SA that must count them too
    esp_out: dict = field(default_factory=dict)	# SPI: packets expected on the wan

    @property
    def n(self):
        return len(self.frames) - sum(self.esp_out.values())


def cases():
    good = udp(REMOTE_HOST, LAN_HOST, 1)
    seq = iter(range(300, 400))	# sequence numbers the bad ESP frames use
    return [
        Case('tampered ICV', 'auth_failed', 'wan',
             [flip(esp_in(good, next(seq)), 1), flip(esp_in(good, next(seq)), 16)], 'in'),
        Case('tampered ciphertext', 'auth_failed', 'wan',
             [flip(esp_in(good, next(seq)), 20)], 'in'),
        Case('replayed sequence number', 'replay', 'wan',
             [esp_in(good, REPLAY_SEQ), esp_in(good, REPLAY_SEQ)], 'in'),
        Case('sequence number left of the window', 'replay_old', 'wan',
             [esp_in(good, REPLAY_SEQ - 64), esp_in(good, 2)], 'in'),
        Case('unknown SPI', 'no_sa', 'wan',
             [wan_raw_esp(gcm_esp(H.SaSpec('x', 0xdead, SUITE, 'in', 'tunnel', H.PEER4, H.GW4),
                                  1, trailer(raw(good), 4)))]),
        Case('truncated ESP', 'malformed', 'wan',
             [wan_raw_esp(raw(esp_in(good, next(seq))[ESP])[:n]) for n in (8, 20, 35, 38)],
             'in'),
        Case('ESP shorter than its SPI', 'malformed', 'wan', [wan_raw_esp(b'\x00\x00\x30')]),
        Case('bad padding', 'bad_padding', 'wan',
             [wan_raw_esp(gcm_esp(SA_IN, next(seq), trailer(raw(good), 4, lambda i: 0))),
              wan_raw_esp(gcm_esp(SA_IN, next(seq), trailer(raw(good), 4, lambda i: i + 2))),
              wan_raw_esp(gcm_esp(SA_IN, next(seq), raw(good)[:18] + b'\x20\x04'))], 'in'),
        Case('ESP dummy packet (next header 59)', 'dummy', 'wan',
             [wan_raw_esp(gcm_esp(SA_IN, next(seq), trailer(b'', 59)))], 'in'),
        Case('next header TCP in a tunnel-mode SA', 'bad_next_header', 'wan',
             [wan_raw_esp(gcm_esp(SA_IN, next(seq), trailer(raw(good)[20:], 6)))], 'in'),
        Case('inner packet outside the SA selectors', 'policy_mismatch', 'wan',
             [esp_in(udp(H.host('remote', 4, 9), LAN_HOST), next(seq)),
              esp_in(udp(REMOTE_HOST, H.host('lan', 4, 1)), next(seq))], 'in'),
        Case('outer CE over a not-ECT inner packet', 'ecn', 'wan',
             [esp_in(good, next(seq), tos=3)], 'in'),
        Case('ESP in UDP for an SA without encapsulation', 'sa_mismatch', 'wan',
             [H.wan_frame(IP(src=H.PEER4, dst=H.GW4) / UDP(sport=4500, dport=4500) /
                          raw(SA_IN.encrypt(good, next(seq))[ESP]))], 'in'),
        Case('cleartext the inbound policy says must be protected', 'unprotected', 'wan',
             [H.wan_frame(good), H.wan_frame(udp(REMOTE_HOST, LAN_HOST, 5))]),
        Case('cleartext matching no inbound rule', 'no_policy', 'wan',
             [H.wan_frame(udp('10.3.0.7', LAN_HOST))]),
        Case('packet matching no outbound rule', 'no_policy', 'lan',
             [H.lan_frame(udp(LAN_HOST, '10.99.0.1')), H.lan_frame(udp(LAN_HOST, '192.0.2.1'))]),
        Case('outbound rule says discard', 'policy_discard', 'lan',
             [H.lan_frame(udp(H.host('lan', 4, 2), REMOTE_HOST))]),
        Case(f'outbound SA past its hard lifetime ({LIFE_PACKETS} packets)',
             'lifetime_expired', 'lan',
             [H.lan_frame(udp(H.host('lan', 4, 1), H.host('remote', 4, 1), k)) for k in range(5)],
             SA_LIFE.name, esp_out={SA_LIFE.spi: LIFE_PACKETS}),
        Case('garbage and short frames (wan)', 'malformed', 'wan', garbage('wan')),
        Case('garbage and short frames (lan)', 'malformed', 'lan', garbage('lan')),
        Case('IPv4 header checksum wrong', 'bad_ip_checksum', 'wan',
             [H.wan_frame(IP(raw(good)[:10] + b'\x12\x34' + raw(good)[12:]))]),
        Case('ethertype neither IP nor ARP', 'not_ip', 'lan',
             [Ether(src=H.LAN_NH_MAC, dst=H.LAN_MAC, type=0x88b5) / bytes(50)]),
        Case('NAT-T keepalive', 'keepalive', 'wan',
             [H.wan_frame(IP(src=H.PEER4, dst=H.GW4) / UDP(sport=4500, dport=4500) / b'\xff')] * 2),
    ]


def garbage(port):
    src, dst = (H.PEER_MAC, H.WAN_MAC) if port == 'wan' else (H.LAN_NH_MAC, H.LAN_MAC)
    ip = raw(udp(LAN_HOST, REMOTE_HOST))

    def eth(ethertype, payload):
        return Ether(src=src, dst=dst, type=ethertype) / Raw(payload)

    return [
        Raw(raw(Ether(src=src, dst=dst))[:8]),		# shorter than an Ethernet header
        eth(0x0800, ip[:2]),				# IPv4, 2 bytes
        eth(0x0800, ip[:2] + b'\x05\xdc' + ip[4:]),	# total length beyond the frame
        eth(0x0800, b'\x35' + ip[1:]),			# version 3
        eth(0x86dd, bytes(30)),				# IPv6 header cut short
    ]


# --- valid traffic around the cases ----------------------------------------

def valid_in():
    """(frames before, frames after, the inner packets the lan must get)."""
    inner = [udp(REMOTE_HOST, LAN_HOST, 20 + k) for k in range(4)]
    seqs = SEQ_BEFORE + SEQ_AFTER
    frames = [esp_in(p, s) for p, s in zip(inner, seqs)]
    return frames[:2], frames[2:], [H.routed(p) for p in inner]


def valid_out():
    inner = [udp(LAN_HOST, REMOTE_HOST, 30 + k) for k in range(4)]
    frames = [H.lan_frame(p) for p in inner]
    return frames[:2], frames[2:], [H.routed(p) for p in inner]


QUERIES = ('/esprit/drops', '/esprit/sa,in', '/esprit/sa,out', '/esprit/sa,out-life')


def run_cases(exe, batch):
    """One gateway run: valid traffic, the batch's bad frames, valid traffic."""
    in_before, in_after, in_want = valid_in()
    out_before, out_after, out_want = valid_out()
    lan = out_before + [f for c in batch if c.port == 'lan' for f in c.frames] + out_after
    wan = in_before + [f for c in batch if c.port == 'wan' for f in c.frames] + in_after
    run = H.run(exe, config(), lan, wan, QUERIES)
    return run, in_want, out_want


def check_run(r, name, batch, run, in_want, out_want):
    want = {}
    for c in batch:
        want[c.reason] = want.get(c.reason, 0) + c.n
    drops = {k: v for k, v in run.tele['/esprit/drops'].items() if v}
    r.equal(f'{name}: /esprit/drops', drops, want)
    r.equal(f'{name}: final counters on exit', run.final_drops(), want)
    sa_want = {}
    for c in batch:
        if c.sa:
            d = sa_want.setdefault(c.sa, {})
            d[c.reason] = d.get(c.reason, 0) + c.n
    for sa in ('in', 'out', 'out-life'):
        r.equal(f'{name}: /esprit/sa,{sa} drops', run.tele[f'/esprit/sa,{sa}']['drops'],
                sa_want.get(sa, {}))
    got_in = [H.ip_layer(f) for f in run.lan_out]
    r.same_packets(f'{name}: valid ESP before and after -> routed inner packets on the lan',
                   got_in, in_want)
    by_spi = {}
    for f in run.wan_out:
        p = H.ip_layer(f)
        by_spi.setdefault(p[ESP].spi if p and ESP in p else None, []).append(p)
    r.same_packets(f'{name}: valid cleartext before and after -> ESP on the wan',
                   [SA_OUT.decrypt(p) for p in by_spi.pop(SA_OUT.spi, [])], out_want)
    want_other = {}
    for c in batch:
        for spi, n in c.esp_out.items():
            want_other[spi] = want_other.get(spi, 0) + n
    r.equal(f'{name}: nothing else on the wan',
            {spi: len(p) for spi, p in by_spi.items()}, want_other)
    print(f'     {run.drops_line()}')
    for line in run.sa_lines():
        print(f'     SA {line}')


def main():
    exe = H.exe_from_argv()
    t0 = time.monotonic()
    r = H.Results()
    all_cases = cases()
    for c in all_cases:
        check_run(r, f'{c.name} ({c.n} x {c.reason})', [c], *run_cases(exe, [c]))
    check_run(r, 'all cases in one run', all_cases, *run_cases(exe, all_cases))
    print(f'total {time.monotonic() - t0:.1f}s')
    r.finish()


if __name__ == '__main__':
    main()
