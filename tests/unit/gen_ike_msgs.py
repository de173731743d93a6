#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Generate tests/unit/ike_msgs.h: IKEv2 messages built with scapy's IKEv2
layer (an independent encoder) for test_ike_codec.c.

    /usr/bin/python3 gen_ike_msgs.py > ike_msgs.h

Everything is deterministic (fixed SPIs, nonces, keys) so the header only
changes when this script does.
"""
import sys

from scapy.contrib.ikev2 import (IKEv2, IKEv2_payload_AUTH,
                                 IKEv2_payload_CERTREQ, IKEv2_payload_Delete,
                                 IKEv2_payload_IDi, IKEv2_payload_IDr,
                                 IKEv2_payload_KE, IKEv2_payload_Nonce,
                                 IKEv2_payload_Notify, IKEv2_payload_Proposal,
                                 IKEv2_payload_SA, IKEv2_payload_Transform,
                                 IKEv2_payload_TSi, IKEv2_payload_TSr,
                                 IKEv2_payload_VendorID, IPv4TrafficSelector,
                                 IPv6TrafficSelector)

SPI_I = bytes.fromhex("0102030405060708")
SPI_R = bytes.fromhex("a1a2a3a4a5a6a7a8")
P256_G = bytes.fromhex(
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")
NI = bytes(range(32))
NR = bytes(range(100, 132))


def xf(t, i, keylen=None, last=False):
    kw = dict(next_payload="last" if last else "Transform",
              transform_type=t, transform_id=i)
    if keylen:
        kw.update(length=12, key_length=keylen)
    return IKEv2_payload_Transform(**kw)


def notify(np, ntype, data=b"", proto=0, spi=b""):
    return IKEv2_payload_Notify(next_payload=np, proto=proto, SPIsize=len(spi),
                                SPI=spi, type=ntype, load=data,
                                length=8 + len(spi) + len(data))


def init_request():
    p1 = IKEv2_payload_Proposal(next_payload="Proposal", proposal=1,
                                proto="IKEv2", trans_nb=3,
                                trans=xf("Encryption", 20, 128) /
                                xf("PRF", 5) / xf("GroupDesc", 19, last=True))
    p2 = IKEv2_payload_Proposal(next_payload="last", proposal=2, proto="IKEv2",
                                trans_nb=5,
                                trans=xf("Encryption", 12, 256) /
                                xf("Encryption", 12, 128) /
                                xf("Integrity", 12) / xf("PRF", 5) /
                                xf("GroupDesc", 14, last=True))
    return bytes(IKEv2(init_SPI=SPI_I, resp_SPI=b"\0" * 8, next_payload="SA",
                       exch_type="IKE_SA_INIT", flags="Initiator", id=0) /
                 IKEv2_payload_SA(next_payload="KE", prop=p1 / p2) /
                 IKEv2_payload_KE(next_payload="Nonce", group=19, load=P256_G) /
                 IKEv2_payload_Nonce(next_payload="Notify", load=NI) /
                 notify("Notify", 16388, bytes(20)) /
                 notify("Notify", 16389, bytes(range(20))) /
                 notify("VendorID", 16431, bytes([0, 2, 0, 3, 0, 4])) /
                 IKEv2_payload_VendorID(next_payload="None",
                                        vendorID=b"esprit-test"))


def init_response():
    p = IKEv2_payload_Proposal(next_payload="last", proposal=1, proto="IKEv2",
                               trans_nb=3,
                               trans=xf("Encryption", 20, 128) /
                               xf("PRF", 5) / xf("GroupDesc", 19, last=True))
    return bytes(IKEv2(init_SPI=SPI_I, resp_SPI=SPI_R, next_payload="SA",
                       exch_type="IKE_SA_INIT", flags="Response", id=0) /
                 IKEv2_payload_SA(next_payload="KE", prop=p) /
                 IKEv2_payload_KE(next_payload="Nonce", group=19, load=P256_G) /
                 IKEv2_payload_Nonce(next_payload="Notify", load=NR) /
                 notify("Notify", 16388, bytes(20)) /
                 notify("CERTREQ", 16389, bytes(20)) /
                 IKEv2_payload_CERTREQ(next_payload="None", cert_type=4,
                                       cert_data=bytes(range(40))))


def auth_inner():
    """The plaintext of an IKE_AUTH request's Encrypted payload (starts
    with IDi, type 35)."""
    esp = IKEv2_payload_Proposal(next_payload="last", proposal=1, proto="ESP",
                                 SPIsize=4, SPI=bytes.fromhex("c0ffee01"),
                                 trans_nb=3,
                                 trans=xf("Encryption", 20, 128) /
                                 xf("Extended Sequence Number", 0) /
                                 xf("Extended Sequence Number", 1, last=True))
    tsi = IPv4TrafficSelector(IP_protocol_ID=0, starting_address_v4="192.168.10.0",
                              ending_address_v4="192.168.10.255")
    tsr4 = IPv4TrafficSelector(IP_protocol_ID=6, start_port=80, end_port=80,
                               starting_address_v4="192.168.20.0",
                               ending_address_v4="192.168.20.255")
    tsr6 = IPv6TrafficSelector(IP_protocol_ID=0, length=40,
                               starting_address_v6="2001:db8::",
                               ending_address_v6="2001:db8::ffff")
    return bytes(IKEv2_payload_IDi(next_payload="IDr", IDtype="FQDN", ID=b"left",
                                   length=12) /
                 IKEv2_payload_IDr(next_payload="AUTH", IDtype="FQDN", ID=b"right",
                                   length=13) /
                 IKEv2_payload_AUTH(next_payload="Notify", auth_type=2,
                                    load=bytes(32)) /
                 notify("SA", 16384) /
                 IKEv2_payload_SA(next_payload="TSi", prop=esp) /
                 IKEv2_payload_TSi(next_payload="TSr", traffic_selector=[tsi]) /
                 IKEv2_payload_TSr(next_payload="None",
                                   traffic_selector=[tsr4, tsr6]))


def delete_inner():
    """Plaintext of an INFORMATIONAL with a Delete of two ESP SPIs, then a
    Delete of the IKE SA (type 42 first)."""
    esp = bytes([3, 4, 0, 2]) + bytes.fromhex("11223344") + bytes.fromhex("55667788")
    return bytes(IKEv2_payload_Delete(next_payload="Delete", vendorID=esp) /
                 IKEv2_payload_Delete(next_payload="None",
                                      vendorID=bytes([1, 0, 0, 0])))


def c_array(name, data):
    lines = ["static const uint8_t %s[%d] = {" % (name, len(data))]
    for i in range(0, len(data), 12):
        lines.append("\t" + " ".join("0x%02x," % b for b in data[i:i + 12]))
    lines.append("};")
    return "\n".join(lines)


def main():
    out = ["/* Generated by gen_ike_msgs.py with scapy's IKEv2 layer; do not edit. */",
           "#include <stdint.h>", ""]
    for name, data in (("msg_init_req", init_request()),
                       ("msg_init_resp", init_response()),
                       ("inner_auth", auth_inner()),
                       ("inner_delete", delete_inner())):
        out.append(c_array(name, data))
        out.append("")
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
