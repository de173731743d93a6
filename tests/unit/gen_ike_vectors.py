#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Known-answer vectors for test_ike_crypto and test_ike_auth, computed
independently of esprit's C code: Python's stdlib hmac/hashlib for the PRFs,
Debian's python3-cryptography for AES-CBC/GCM, ChaCha20-Poly1305 and the
signatures. Prints C arrays; the output is committed as ike_vectors.h:

    /usr/bin/python3 tests/unit/gen_ike_vectors.py > tests/unit/ike_vectors.h

The signature vectors use the test keys of tests/unit/data (make-certs.sh).
All other inputs are fixed, so those outputs are reproducible byte for byte;
ECDSA and RSA-PSS signatures are randomised and change on every run (they are
only ever verified, never compared).
"""
import hashlib
import hmac
import os
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
HASH = {"sha1": hashlib.sha1, "sha256": hashlib.sha256,
        "sha384": hashlib.sha384, "sha512": hashlib.sha512}


def emit(name, data, comment=None):
    if comment:
        print(f"/* {comment} */")
    print(f"static const uint8_t {name}[] __attribute__((unused)) = {{")
    for i in range(0, len(data), 12):
        row = ", ".join(f"0x{b:02x}" for b in data[i:i + 12])
        print(f"\t{row},")
    print("};")


def pattern(n, seed):
    """Deterministic filler bytes, different per seed."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}:{i}".encode()).digest()
        i += 1
    return out[:n]


# --- RFC 7296 §2.13 / §2.14 / §2.17 / §2.18 ------------------------------------

def prf(h, key, data):
    return hmac.new(key, data, HASH[h]).digest()


def prf_plus(h, key, seed, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = prf(h, key, t + seed + bytes([i]))
        out += t
        i += 1
    return out[:n]


def sa_keys(h, skeyseed, ni, nr, spii, spir, a_len, e_len):
    p_len = HASH[h]().digest_size
    lens = [p_len, a_len, a_len, e_len, e_len, p_len, p_len]
    km = prf_plus(h, skeyseed, ni + nr + spii + spir, sum(lens))
    keys, off = [], 0
    for n in lens:
        keys.append(km[off:off + n])
        off += n
    return keys  # d, ai, ar, ei, er, pi, pr


NAMES = ["d", "ai", "ar", "ei", "er", "pi", "pr"]


def prf_vectors():
    key = bytes(range(1, 33))
    seed = b"esprit prf+ seed " + bytes(range(40))
    emit("prfplus_key", key)
    emit("prfplus_seed", seed)
    for h, n in (("sha1", 50), ("sha256", 100), ("sha512", 150)):
        emit(f"prfplus_{h}", prf_plus(h, key, seed, n),
             f"prf+ HMAC-{h.upper()}, {n} bytes")


def sa_vector(tag, h, ni, nr, gir, spii, spir, a_len, e_len, old=None):
    """old = (old prf hash, old SK_d) for a rekey (§2.18)."""
    for n, v in (("ni", ni), ("nr", nr), ("gir", gir), ("spii", spii),
                 ("spir", spir)):
        emit(f"{tag}_{n}", v)
    if old is None:
        skeyseed = prf(h, ni + nr, gir)
    else:
        skeyseed = prf(old[0], old[1], gir + ni + nr)
    emit(f"{tag}_skeyseed", skeyseed)
    keys = sa_keys(h, skeyseed, ni, nr, spii, spir, a_len, e_len)
    for n, v in zip(NAMES, keys):
        emit(f"{tag}_sk_{n}", v)
    return keys


def key_vectors():
    # A: initial IKE SA, PRF HMAC-SHA256, HMAC-SHA256-128, AES-CBC-256.
    a = sa_vector("sa_a", "sha256", pattern(32, "a ni"), pattern(32, "a nr"),
                  pattern(256, "a gir"), pattern(8, "a spii"),
                  pattern(8, "a spir"), 32, 32)
    # B: PRF HMAC-SHA384, AES-GCM-16-256 (36 = key + salt), no integrity,
    # nonces of different sizes.
    sa_vector("sa_b", "sha384", pattern(16, "b ni"), pattern(48, "b nr"),
              pattern(32, "b gir"), pattern(8, "b spii"),
              pattern(8, "b spir"), 0, 36)
    # C: rekey of A (§2.18) to PRF HMAC-SHA512, HMAC-SHA512-256, AES-CBC-128:
    # SKEYSEED uses A's PRF (SHA256) keyed with A's SK_d.
    sa_vector("sa_c", "sha512", pattern(32, "c ni"), pattern(32, "c nr"),
              pattern(48, "c gir"), pattern(8, "c spii"),
              pattern(8, "c spir"), 64, 16, old=("sha256", a[0]))
    # Child KEYMAT from A's SK_d (§2.17): without and with a new g^ir.
    ni, nr, gir = pattern(32, "child ni"), pattern(32, "child nr"), \
        pattern(32, "child gir")
    emit("child_ni", ni)
    emit("child_nr", nr)
    emit("child_gir", gir)
    emit("keymat_nodh", prf_plus("sha256", a[0], ni + nr, 128),
         "KEYMAT for AES-256-CBC/HMAC-SHA256 both ways: 2 * (32 + 32)")
    emit("keymat_dh", prf_plus("sha256", a[0], gir + ni + nr, 72),
         "KEYMAT with PFS for AES-GCM-16-256: 2 * 36")
    return a


# --- AUTH (§2.15) -----------------------------------------------------------------

def auth_vectors(a):
    msg = pattern(120, "IKE_SA_INIT request")
    nonce_r = pattern(32, "a nr")
    id_i = bytes([2, 0, 0, 0]) + b"gw-ec.test.example"  # ID_FQDN
    octets = msg + nonce_r + prf("sha256", a[5], id_i)
    emit("auth_msg", msg)
    emit("auth_nonce", nonce_r)
    emit("auth_id", id_i)
    emit("auth_octets", octets, "initiator's signed octets, SK_pi of sa_a")
    psk = b"esprit test pre-shared key"
    emit("auth_psk", psk)
    emit("auth_psk_mic",
         prf("sha256", prf("sha256", psk, b"Key Pad for IKEv2"), octets))
    return octets


def load_key(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


# RFC 7427 Appendix A encodings of the AlgorithmIdentifiers.
ALG_RSA_SHA256 = bytes.fromhex("300d06092a864886f70d01010b0500")
ALG_ECDSA_SHA256 = bytes.fromhex("300a06082a8648ce3d040302")
ALG_ECDSA_SHA384 = bytes.fromhex("300a06082a8648ce3d040303")
# RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 (RFC 7427 Appendix A.4.3).
ALG_PSS_SHA256 = bytes.fromhex(
    "304106092a864886f70d01010a3034a00f300d06096086480165030402010500"
    "a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120")


def auth7427(alg, sig):
    return bytes([len(alg)]) + alg + sig


def sig_vectors(octets):
    rsa = load_key("test-rsa.key")
    ecp = load_key("test-ec.key")
    p384 = load_key("test-p384.key")
    emit("alg_rsa_sha256", ALG_RSA_SHA256, "RFC 7427 A.1.3")
    emit("alg_ecdsa_sha256", ALG_ECDSA_SHA256, "RFC 7427 A.3.1")
    emit("alg_ecdsa_sha384", ALG_ECDSA_SHA384, "RFC 7427 A.3.2")
    # PKCS#1 v1.5 is deterministic: our signer must produce these bytes.
    emit("sig_rsa_sha1", rsa.sign(octets, padding.PKCS1v15(), hashes.SHA1()),
         "method 1 over auth_octets with test-rsa.key")
    emit("auth_rsa_sha256", auth7427(ALG_RSA_SHA256, rsa.sign(
        octets, padding.PKCS1v15(), hashes.SHA256())),
        "method 14 sha256WithRSAEncryption over auth_octets")
    pss = rsa.sign(octets, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                       salt_length=32), hashes.SHA256())
    emit("auth_rsa_pss", auth7427(ALG_PSS_SHA256, pss),
         "method 14 RSASSA-PSS SHA-256 salt 32 (randomised)")
    der = ecp.sign(octets, ec.ECDSA(hashes.SHA256()))
    r, s = utils.decode_dss_signature(der)
    emit("sig_ecdsa_256", r.to_bytes(32, "big") + s.to_bytes(32, "big"),
         "method 9 r || s with test-ec.key (randomised)")
    emit("auth_ecdsa_sha256", auth7427(ALG_ECDSA_SHA256, der),
         "method 14 ecdsa-with-SHA256, DER signature (randomised)")
    der = p384.sign(octets, ec.ECDSA(hashes.SHA384()))
    r, s = utils.decode_dss_signature(der)
    emit("sig_ecdsa_384", r.to_bytes(48, "big") + s.to_bytes(48, "big"),
         "method 10 r || s with test-p384.key (randomised)")


# --- Encrypted payload (§3.14, RFC 5282, RFC 7634) ---------------------------------

def ike_header(spii, spir, flags, msg_id, length):
    # next payload 46 (SK), version 2.0, exchange 35 (IKE_AUTH)
    return spii + spir + struct.pack(">BBBBII", 46, 0x20, 35, flags, msg_id,
                                     length)


def sk_frame(spii, spir, flags, iv_len, ct_len, icv_len):
    plen = 4 + iv_len + ct_len + icv_len
    hdr = ike_header(spii, spir, flags, 1, 28 + plen)
    return hdr + struct.pack(">BBH", 35, 0, plen)  # next: IDi


def cbc_message(tag, h, icv_len, key_e, key_a, pt, padlen_byte=None):
    spii, spir = pattern(8, "a spii"), pattern(8, "a spir")
    iv = pattern(16, tag + " iv")
    e = (len(pt) + 1 + 15) // 16 * 16
    pad = e - len(pt) - 1
    body = pt + bytes(pad) + bytes([pad if padlen_byte is None else padlen_byte])
    aad = sk_frame(spii, spir, 0x08, 16, e, icv_len)
    enc = Cipher(algorithms.AES(key_e), modes.CBC(iv)).encryptor()
    ct = enc.update(body) + enc.finalize()
    icv = hmac.new(key_a, aad + iv + ct, HASH[h]).digest()[:icv_len]
    msg = aad + iv + ct + icv
    emit(f"{tag}_iv", iv)
    emit(f"{tag}_msg", msg)
    return msg


def aead_message(tag, cipher, key, pt, flags, tag_len=16):
    spii, spir = pattern(8, "b spii"), pattern(8, "b spir")
    iv = pattern(8, tag + " iv")
    body = pt + bytes([0])  # block size 1: no padding, pad length 0
    aad = sk_frame(spii, spir, flags, 8, len(body), tag_len)
    ct = cipher(key[:-4]).encrypt(key[-4:] + iv, body, aad)
    msg = aad + iv + ct
    emit(f"{tag}_iv", iv)
    emit(f"{tag}_msg", msg)


def sk_vectors(a):
    pt = pattern(37, "inner payloads")
    emit("sk_pt", pt, "inner payloads of every SK test message")
    emit("sk_cbc_key_e", a[3])
    emit("sk_cbc_key_a", a[1])
    cbc_message("sk_cbc", "sha256", 16, a[3], a[1], pt)
    # Same keys, authentic but pad length 255 > what was decrypted.
    cbc_message("sk_badpad", "sha256", 16, a[3], a[1], pt, padlen_byte=255)
    k128, ka1 = pattern(16, "cbc128 e"), pattern(20, "cbc128 a")
    emit("sk_cbc128_key_e", k128)
    emit("sk_cbc128_key_a", ka1)
    cbc_message("sk_cbc128", "sha1", 12, k128, ka1, pt)
    kg = pattern(36, "gcm key")
    emit("sk_gcm_key", kg, "AES-256 key | 4-byte salt")
    aead_message("sk_gcm", AESGCM, kg, pt, 0x20)  # responder's response
    kc = pattern(36, "chacha key")
    emit("sk_chacha_key", kc, "ChaCha20 key | 4-byte salt")
    aead_message("sk_chacha", ChaCha20Poly1305, kc, pt, 0x08)


def main():
    print("/* SPDX-License-Identifier: BSD-3-Clause */")
    print("/* Generated by tests/unit/gen_ike_vectors.py -- do not edit. */")
    print("#ifndef ESPRIT_IKE_VECTORS_H\n#define ESPRIT_IKE_VECTORS_H")
    print("#include <stdint.h>\n")
    prf_vectors()
    a = key_vectors()
    octets = auth_vectors(a)
    sig_vectors(octets)
    sk_vectors(a)
    print("\n#endif")


if __name__ == "__main__":
    sys.exit(main())
