#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
The gateway's own addresses, through the pcap ports: ARP requests for them
get replies (and those for other addresses none), ICMP and ICMPv6 echo
requests to them get echo replies, an IPv6 neighbour solicitation gets a
solicited advertisement (RFC 826, RFC 792, RFC 4443, RFC 4861).

Usage: test_local.py PATH/TO/esprit
"""
from scapy.all import (ARP, ICMP, IP, Ether, ICMPv6EchoReply, ICMPv6EchoRequest,
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,
                       ICMPv6NDOptSrcLLAddr, IPv6, raw)

import harness as H

LAN_HOST_MAC = '02:00:00:00:01:77'	# a host on the lan port's own subnet
LAN_HOST4, LAN_HOST6 = '10.0.0.77', 'fd00::77'
PAYLOAD = b'esprit echo test 0123456789'


def arp_request(src_mac, src_ip, target):
    return (Ether(src=src_mac, dst='ff:ff:ff:ff:ff:ff') /
            ARP(op=1, hwsrc=src_mac, psrc=src_ip, pdst=target))


def echo4(src, dst, ident):
    return IP(src=src, dst=dst, ttl=20) / ICMP(type=8, id=ident, seq=7) / PAYLOAD


def echo6(src, dst, ident):
    return IPv6(src=src, dst=dst, hlim=20) / ICMPv6EchoRequest(id=ident, seq=7, data=PAYLOAD)


def ns(src_ip, target):
    return (Ether(src=LAN_HOST_MAC, dst=H.LAN_MAC) /
            IPv6(src=src_ip, dst=target, hlim=255) / ICMPv6ND_NS(tgt=target) /
            ICMPv6NDOptSrcLLAddr(lladdr=LAN_HOST_MAC))


def inputs():
    lan = [arp_request(LAN_HOST_MAC, LAN_HOST4, H.LAN4),
           arp_request(LAN_HOST_MAC, LAN_HOST4, '10.0.0.99'),
           H.lan_frame(echo4(H.host('lan', 4, 0), H.LAN4, 1)),
           H.lan_frame(echo6(H.host('lan', 6, 0), H.LAN6, 2)),
           ns(LAN_HOST6, H.LAN6)]
    wan = [arp_request(H.PEER_MAC, H.PEER4, H.GW4),
           H.wan_frame(echo4(H.PEER4, H.GW4, 3)),
           H.wan_frame(echo6(H.PEER6, H.GW6, 4))]
    return lan, wan


def check_arp(r, frames, port, mac, ip, asker_mac, asker_ip):
    replies = [f for f in frames if ARP in f and f[ARP].op == 2]
    got = [(f.src, f.dst, f[ARP].hwsrc, f[ARP].psrc, f[ARP].hwdst, f[ARP].pdst)
           for f in replies]
    r.equal(f'{port}: ARP who-has {ip} -> one reply, none for other addresses', got,
            [(mac, asker_mac, mac, ip, asker_mac, asker_ip)])


def checksum_ok(ip, layer, field):
    """The checksum as sent equals the one scapy computes."""
    fresh = ip.__class__(raw(ip))
    delattr(fresh[layer], field)
    return getattr(H.canon(fresh)[layer], field) == getattr(ip[layer], field)


def check_echo(r, frames, port, ours, peer, af, next_hop_mac, port_mac):
    cls = ICMP if af == 4 else ICMPv6EchoReply
    got = [f for f in frames if cls in f and H.ip_layer(f).src == ours]
    name = f'{port}: echo request {peer} -> {ours} gets an echo reply'
    if not r.equal(name + ' (count)', len(got), 1):
        return
    f, ip = got[0], H.ip_layer(got[0])
    if af == 4:
        body = (f[ICMP].type, f[ICMP].id, f[ICMP].seq, raw(f[ICMP].payload))
        want = (0, 3 if port == 'wan' else 1, 7, PAYLOAD)
        csum_ok = checksum_ok(ip, ICMP, 'chksum')
    else:
        body = (f[ICMPv6EchoReply].type, f[ICMPv6EchoReply].id, f[ICMPv6EchoReply].seq,
                f[ICMPv6EchoReply].data)
        want = (129, 4 if port == 'wan' else 2, 7, PAYLOAD)
        csum_ok = checksum_ok(ip, ICMPv6EchoReply, 'cksum')
    r.equal(name, (f.src, f.dst, ip.dst) + body, (port_mac, next_hop_mac, peer) + want)
    r.check(name + ': checksum right', csum_ok)


def check_na(r, frames):
    na = [f for f in frames if ICMPv6ND_NA in f]
    got = [(f.dst, f[IPv6].src, f[IPv6].dst, f[IPv6].hlim, f[ICMPv6ND_NA].tgt,
            f[ICMPv6ND_NA].S, f[ICMPv6NDOptDstLLAddr].lladdr) for f in na
           if ICMPv6NDOptDstLLAddr in f]
    r.equal(f'lan: neighbour solicitation for {H.LAN6} -> solicited advertisement', got,
            [(LAN_HOST_MAC, H.LAN6, LAN_HOST6, 255, H.LAN6, 1, H.LAN_MAC)])


def main():
    exe = H.exe_from_argv()
    r = H.Results()
    lan, wan = inputs()
    run = H.run(exe, H.Config().text(), lan, wan, ('/esprit/control',), arp_nd=True)
    check_arp(r, run.lan_out, 'lan', H.LAN_MAC, H.LAN4, LAN_HOST_MAC, LAN_HOST4)
    check_arp(r, run.wan_out, 'wan', H.WAN_MAC, H.GW4, H.PEER_MAC, H.PEER4)
    check_echo(r, run.lan_out, 'lan', H.LAN4, H.host('lan', 4, 0), 4, H.LAN_NH_MAC, H.LAN_MAC)
    check_echo(r, run.lan_out, 'lan', H.LAN6, H.host('lan', 6, 0), 6, H.LAN_NH_MAC, H.LAN_MAC)
    check_echo(r, run.wan_out, 'wan', H.GW4, H.PEER4, 4, H.PEER_MAC, H.WAN_MAC)
    check_echo(r, run.wan_out, 'wan', H.GW6, H.PEER6, 6, H.PEER_MAC, H.WAN_MAC)
    check_na(r, run.lan_out)
    ctl = run.tele['/esprit/control']
    r.equal('/esprit/control: arp_replies, echo_replies, na_sent',
            (ctl['arp_replies'], ctl['echo_replies'], ctl['na_sent']), (2, 4, 1))
    r.equal('nothing else sent', len(run.lan_out) + len(run.wan_out), 2 + 4 + 1)
    r.finish()


if __name__ == '__main__':
    main()
