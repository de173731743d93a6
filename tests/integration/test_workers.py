#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Two workers: both ports have two rx and two tx queues, one per worker, and
frame k arrives on queue k % 2, so both workers handle every SA at once.
Worker 1's ipsec-mb managers run a private copy of the library
(lib/esp/imb_inst.h) with keys the control plane's copy expanded; what it
seals and opens is checked with scapy's ESP like worker 0's.

  out: per SA, the ESP from both wan tx queues together carries each
       sequence number 1..n exactly once (RFC 4303 §3.3.3: never used
       twice), every frame decrypts (scapy) to one of the routed packets,
       all of them are there once, and each frame is byte for byte what
       scapy makes of its packet with that sequence number and IV.
  in:  every ESP frame of scapy's arrives twice, once on each queue: the
       lan gets each inner packet exactly once, and the other copy is
       counted as a replay (RFC 4303 §3.4.3), whichever worker saw it first.
  Both workers must have had packets (/esprit/workers busy_loops), and
  each SA's packets and bytes (/esprit/sas), which every worker counts on
  its own, must add up to all of them.

Suites: AES-GCM (the single-buffer API), AES-CBC + HMAC-SHA1 and + SHA-256
(cipher and hash bursts); tunnel 4in4 and 6in6.

Usage: test_workers.py PATH/TO/esprit
"""
import time

from scapy.all import ICMP, IP, UDP, IPv6, raw
from scapy.layers.ipsec import ESP

import harness as H

WORKERS = 2
PACKETS = 48		# per SA and direction; below the replay window
WINDOW = 128
CASES = (('aes128gcm16', 4), ('aes256gcm16', 6), ('aes128-sha1', 4),
         ('aes128-sha256', 6))


class Case:
    def __init__(self, i, suite, af):
        self.i, self.suite, self.af = i, H.SUITES[suite], af
        src, dst = H.gw_addr(af), H.peer_addr(af)
        self.out_sa = H.SaSpec(f'o{i}', 0x30000 + i, self.suite, 'out', 'tunnel', src, dst)
        self.in_sa = H.SaSpec(f'i{i}', 0x40000 + i, self.suite, 'in', 'tunnel', dst, src,
                              replay_window=WINDOW)
        self.label = f'{suite} {af}in{af}'
        self.out_sent = [self.packet(H.host('lan', af, i), H.host('remote', af, i), k)
                         for k in range(PACKETS)]
        self.in_sent = [self.packet(H.host('remote', af, i), H.host('lan', af, i), k)
                        for k in range(PACKETS)]

    def packet(self, src, dst, k):
        """UDP and ICMP of varying length, so that every padding occurs."""
        l3 = IP(src=src, dst=dst) if self.af == 4 else IPv6(src=src, dst=dst)
        pay = bytes((self.i + k + j) & 0xff for j in range(k % 23))
        if k % 2 and self.af == 4:
            return H.canon(l3 / ICMP(id=self.i, seq=k) / pay)
        return H.canon(l3 / UDP(sport=2000 + k, dport=53) / pay)


def config(cases):
    cfg = H.Config()
    for c in cases:
        cfg.add_pair(c.out_sa, c.in_sa, H.subnet('lan', c.af, c.i),
                     H.subnet('remote', c.af, c.i))
    return cfg.text()


def lan_input(cases):
    """The cases' packets interleaved, so that a burst holds several SAs."""
    return [H.lan_frame(c.out_sent[k]) for k in range(PACKETS) for c in cases]


def wan_input(cases):
    """Each ESP frame twice in a row: frame k goes to queue k % 2."""
    out = []
    for k in range(PACKETS):
        for c in cases:
            f = H.wan_frame(c.in_sa.encrypt(c.in_sent[k], k + 1))
            out += [f, f]
    return out


def check_out(r, c, got):
    seqs = sorted(p[ESP].seq for p in got)
    r.equal(f'out {c.label}: sequence numbers 1..{PACKETS}, each once', seqs,
            list(range(1, PACKETS + 1)))
    inner = []
    for p in got:
        try:
            inner.append(c.out_sa.decrypt(p))
        except Exception as e:	# an ICV that does not verify, bad padding
            r.check(f'out {c.label}: seq {p[ESP].seq} decrypts', False, e)
            return
    want = sorted(raw(H.routed(p)) for p in c.out_sent)
    r.check(f'out {c.label}: scapy decrypts to exactly the routed packets',
            sorted(raw(p) for p in inner) == want, f'{len(inner)} packets')
    iv_len = c.suite.iv
    again = [c.out_sa.encrypt(q, p[ESP].seq, iv=bytes(p[ESP].data[:iv_len]),
                              ip_id=p.id if c.af == 4 else 0)
             for p, q in zip(got, inner)]
    r.same_packets(f'out {c.label}: byte for byte scapy\'s ESP (header, padding, ICV)',
                   got, again)


def main():
    exe = H.exe_from_argv()
    t0 = time.monotonic()
    cases = [Case(i, s, af) for i, (s, af) in enumerate(CASES)]
    lan, wan = lan_input(cases), wan_input(cases)
    run = H.run(exe, config(cases), lan, wan, queries=('/esprit/workers', '/esprit/sas,0'),
                workers=WORKERS)
    print(f'gateway run: {time.monotonic() - t0:.1f}s; exit {run.returncode}; '
          f'{run.drops_line()}')

    r = H.Results()
    r.equal('gateway exits 0 on SIGTERM', run.returncode, 0)
    wk = run.tele.get('/esprit/workers') or {}
    r.equal('two workers', sorted(wk), [f'worker{i}' for i in range(WORKERS)])
    for name, w in sorted(wk.items()):
        r.check(f'{name} handled packets', w.get('busy_loops', 0) > 0, w)
    log = run.stdout + run.stderr
    r.check('worker 1 runs a copy of ipsec-mb of its own',
            "shares ipsec-mb's globals" not in log,
            next((l for l in log.splitlines() if 'ipsec-mb' in l), ''))

    esp = {}
    for f in run.wan_out:
        p = H.ip_layer(f)
        if p is not None and ESP in p:
            esp.setdefault(p[ESP].spi, []).append(p)
    r.equal('wan: ESP of our outbound SAs only', sorted(esp),
            sorted(c.out_sa.spi for c in cases))
    for c in cases:
        check_out(r, c, esp.get(c.out_sa.spi, []))

    inner = [H.ip_layer(f) for f in run.lan_out]
    for c in cases:
        got = sorted(raw(p) for p in inner if p is not None and p.src == c.in_sent[0].src)
        want = sorted(raw(H.routed(p)) for p in c.in_sent)
        r.check(f'in  {c.label}: each inner packet exactly once, of two copies',
                got == want, f'{len(got)} packets, want {len(want)}')
    counted = run.sa_counters()
    for c in cases:
        r.equal(f'out {c.label}: SA counters of both workers (packets, bytes)',
                counted.get(c.out_sa.name),
                (PACKETS, sum(len(p) for p in c.out_sent)))
        r.equal(f'in  {c.label}: SA counters of both workers (packets, inner bytes)',
                counted.get(c.in_sa.name),
                (PACKETS, sum(len(p) for p in c.in_sent)))
    drops = run.final_drops()
    r.equal('in: the second copies counted as replays',
            drops.get('replay', 0) + drops.get('replay_old', 0), PACKETS * len(cases))
    r.equal('no other drops', {k: v for k, v in drops.items()
                               if v and k not in ('replay', 'replay_old')}, {})
    print(f'total {time.monotonic() - t0:.1f}s')
    r.finish()


if __name__ == '__main__':
    main()
