#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send malformed IKEv2 messages to an IKE responder and report its answers.

    ike_malformed.py TARGET_IP [SOURCE_IP] [--esp] [--esp-spi SPI]
                     [--ike-sa SPI_I:SPI_R:MSGID]

Each case is built with scapy's IKEv2 layer (then damaged by hand where
scapy would fix the damage) and sent from an ephemeral UDP port. The answer
is printed as "CASE: NOTIFY_NAME" or "CASE: no answer". Exit status 0 when
every case got what RFC 7296 allows (see EXPECT); the target must keep
serving its real peers, which the calling script checks.

Options for a gateway (ESP-in-UDP on port 4500, RFC 3948), all silently
dropped: --esp adds ESP with an unknown SPI, a datagram too short for ESP
and a NAT-T keepalive; --esp-spi SPI (hex, an inbound SPI of the target)
adds ESP for that SA with a garbage ICV and a sequence number far ahead,
which must not move its replay window; --ike-sa adds an INFORMATIONAL
request in that IKE SA (SPIs in hex, from the original initiator, the
message ID it expects next) whose Encrypted payload fails its integrity
check and must not consume the message ID (RFC 7296 §2.21.1).
"""
import argparse
import os
import socket
import struct
import sys

from scapy.contrib.ikev2 import (IKEv2, IKEv2_payload_KE,
                                 IKEv2_payload_Nonce,
                                 IKEv2_payload_Proposal, IKEv2_payload_SA,
                                 IKEv2_payload_Transform)

NOTIFY = {1: "UNSUPPORTED_CRITICAL_PAYLOAD", 4: "INVALID_IKE_SPI",
          5: "INVALID_MAJOR_VERSION", 7: "INVALID_SYNTAX",
          14: "NO_PROPOSAL_CHOSEN", 17: "INVALID_KE_PAYLOAD"}


# The P-256 base point: a valid ECP_256 public value (RFC 5903 x | y).
P256_G = bytes.fromhex(
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")


def sa_payload(next_payload="KE", proposal_num=1):
    xf = (IKEv2_payload_Transform(next_payload="Transform",
                                  transform_type="Encryption", transform_id=20,
                                  length=12, key_length=128) /
          IKEv2_payload_Transform(next_payload="Transform",
                                  transform_type="PRF", transform_id=5) /
          IKEv2_payload_Transform(next_payload="last",
                                  transform_type="GroupDesc", transform_id=19))
    return IKEv2_payload_SA(next_payload=next_payload,
                            prop=IKEv2_payload_Proposal(proposal=proposal_num,
                                                        proto="IKEv2",
                                                        trans_nb=3, trans=xf))


def ke(load=P256_G):
    return IKEv2_payload_KE(next_payload="Nonce", group=19, load=load)


def nonce(n=32):
    return IKEv2_payload_Nonce(next_payload="None", load=os.urandom(n))


def init(spi, payloads, first="SA", version=0x20):
    return bytes(IKEv2(init_SPI=spi, resp_SPI=b"\0" * 8, next_payload=first,
                       exch_type="IKE_SA_INIT", flags="Initiator",
                       version=version, id=0) / payloads)


def good_init(spi, version=0x20):
    return init(spi, sa_payload() / ke() / nonce(), version=version)


def patch_len(msg):
    """Make the IKE header's length match the datagram again."""
    return msg[:24] + struct.pack("!I", len(msg)) + msg[28:]


def ike_cases():
    s = lambda: os.urandom(8)
    good = good_init(s())
    yield "truncated-header", good[:20]
    yield "length-lies", good[:24] + struct.pack("!I", len(good) + 40) + good[28:]
    yield "length-short", good[:24] + struct.pack("!I", len(good) - 8) + good[28:]
    # unknown payload type 200 with the critical bit, first in the chain
    crit = bytes([33, 0x80, 0, 8]) + b"\xde\xad\xbe\xef"
    m = good_init(s())
    body = crit + m[28:]
    yield "unknown-critical", patch_len(m[:16] + bytes([200]) + m[17:28] + body)
    # the same but not critical: skipped, the INIT is answered normally
    m = good_init(s())
    body = bytes([33, 0, 0, 8]) + b"\xde\xad\xbe\xef" + m[28:]
    yield "unknown-noncritical", patch_len(m[:16] + bytes([200]) + m[17:28] + body)
    # first payload claims more bytes than there are
    m = bytearray(good_init(s()))
    m[30:32] = struct.pack("!H", len(m))
    yield "payload-past-end", bytes(m)
    # a payload length of zero
    m = bytearray(good_init(s()))
    m[30:32] = b"\0\0"
    yield "zero-length-payload", bytes(m)
    # proposal numbered 2 first (must start at 1)
    yield "bad-proposal-num", init(s(), sa_payload(proposal_num=2) / ke() /
                                   nonce())
    # transform count says 5, there are 3
    m = bytearray(good_init(s()))
    m[28 + 4 + 7] = 5
    yield "bad-transform-count", bytes(m)
    # no KE payload
    yield "missing-ke", init(s(), sa_payload(next_payload="Nonce") / nonce())
    # nonce of 8 bytes (16..256 required)
    yield "short-nonce", init(s(), sa_payload() / ke() / nonce(8))
    yield "major-version-3", good_init(s(), version=0x30)
    # an INFORMATIONAL request for an IKE SA that does not exist
    yield "unknown-spi", bytes(IKEv2(init_SPI=s(), resp_SPI=s(),
                                     next_payload="Encrypted",
                                     exch_type="INFORMATIONAL",
                                     flags="Initiator", id=1) /
                               (bytes([0, 0, 0, 36]) + os.urandom(32)))
    yield "random-junk", os.urandom(100)


def forged_sk(spi_i, spi_r, msgid):
    """INFORMATIONAL request with an SK payload (IV, data, ICV) of noise."""
    sk = os.urandom(8 + 32 + 16)
    hdr = struct.pack("!8s8sBBBBII", spi_i, spi_r, 46, 0x20, 37, 0x08,
                      msgid, 28 + 4 + len(sk))
    return hdr + struct.pack("!BBH", 0, 0, 4 + len(sk)) + sk


def cases(opt):
    """(name, UDP port, datagram as sent)"""
    for name, msg in ike_cases():
        yield name, 500, msg
    yield "junk-4500-with-marker", 4500, b"\0\0\0\0" + os.urandom(60)
    if opt.ike_sa:
        spi_i, spi_r, msgid = opt.ike_sa.split(":")
        yield "forged-sk", 4500, b"\0\0\0\0" + forged_sk(
            bytes.fromhex(spi_i), bytes.fromhex(spi_r), int(msgid))
    if opt.esp:
        yield "esp-unknown-spi", 4500, struct.pack("!II", 0xdeadbeef, 1) + \
            os.urandom(48)
        yield "esp-truncated", 4500, b"\x12\x34\x56"
        yield "nat-keepalive", 4500, b"\xff"
    if opt.esp_spi:
        yield "esp-forged-icv", 4500, struct.pack(
            "!II", int(opt.esp_spi, 16), 0x7ffffff0) + os.urandom(64)


EXPECT = {
    "truncated-header": {None},
    "length-lies": {None},
    "length-short": {None},
    "unknown-critical": {"UNSUPPORTED_CRITICAL_PAYLOAD", None},
    "unknown-noncritical": {"IKE_SA_INIT response"},
    "payload-past-end": {"INVALID_SYNTAX", None},
    "zero-length-payload": {"INVALID_SYNTAX", None},
    "bad-proposal-num": {"INVALID_SYNTAX", None},
    "bad-transform-count": {"INVALID_SYNTAX", None},
    "missing-ke": {"INVALID_SYNTAX", None},
    "short-nonce": {"INVALID_SYNTAX", None},
    "major-version-3": {"INVALID_MAJOR_VERSION", None},
    "unknown-spi": {"INVALID_IKE_SPI", None},
    "random-junk": {None},
    "junk-4500-with-marker": {None},
    "forged-sk": {None},
    "esp-unknown-spi": {None},
    "esp-truncated": {None},
    "nat-keepalive": {None},
    "esp-forged-icv": {None},
}


def answer(data):
    """Name of the first notify in an unencrypted answer."""
    if data[:4] == b"\0\0\0\0":
        data = data[4:]
    if len(data) < 28:
        return "short answer"
    np, off = data[16], 28
    while np and off + 4 <= len(data):
        plen = struct.unpack("!H", data[off + 2:off + 4])[0]
        if np == 41 and plen >= 8:
            t = struct.unpack("!H", data[off + 6:off + 8])[0]
            if t < 16384:
                return NOTIFY.get(t, "notify %d" % t)
        np, off = data[off], off + max(plen, 4)
    return "IKE_SA_INIT response" if data[18] == 34 else "answer"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("target")
    ap.add_argument("source", nargs="?", default="")
    ap.add_argument("--esp", action="store_true")
    ap.add_argument("--esp-spi")
    ap.add_argument("--ike-sa")
    opt = ap.parse_args()
    ok = True
    for name, port, msg in cases(opt):
        sk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sk.bind((opt.source, 0))
        sk.settimeout(1.0)
        sk.sendto(msg, (opt.target, port))
        try:
            got = answer(sk.recv(4096))
        except socket.timeout:
            got = None
        sk.close()
        good = got in EXPECT[name]
        ok &= good
        print("%-24s %-30s %s" % (name, got or "no answer",
                                  "ok" if good else "UNEXPECTED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
