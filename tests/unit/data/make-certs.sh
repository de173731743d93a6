#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Test PKI for test_ike_auth (and the vectors of gen_ike_vectors.py), made
# with the openssl command line. Its outputs are committed: these keys are
# throw-away TEST keys that protect nothing. Rerunning makes new keys, after
# which gen_ike_vectors.py must be rerun too (it signs with them).
#
#   test-ca       EC P-256 root CA
#   test-ica      EC P-256 intermediate CA, signed by test-ca
#   test-other-ca EC P-256 root CA that signs nothing of ours
#   test-ec       EC P-256 leaf (signed by test-ca) with DNS, email and IP SANs
#   test-rsa      RSA-2048 leaf (signed by test-ca)
#   test-p384     EC P-384 leaf signed by test-ica; test-p384-chain.pem is
#                 leaf + intermediate as one PEM bundle
#   test-expired  the test-ec key in a certificate that expired at birth
#   *.der         DER forms of test-ec's key (PKCS#8) and certificate
#
# Long validity (20 years) so the tests do not rot; only test-expired is
# meant to be invalid.
set -eu
cd "$(dirname "$0")"

DAYS=7300
EXT=$(mktemp)
trap 'rm -f "$EXT" ./*.csr ./*.srl' EXIT
cat >"$EXT" <<'EOF'
[req]
distinguished_name = dn
x509_extensions = ca
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ec]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:gw-ec.test.example, email:ec@test.example, IP:192.0.2.1, IP:2001:db8::1
[rsa]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:gw-rsa.test.example
[p384]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:gw-p384.test.example
EOF

ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$2" -out "$1"; }

root() { # name subject
	ec_key "$1.key" P-256
	openssl req -new -x509 -config "$EXT" -key "$1.key" -subj "$2" \
		-days $DAYS -set_serial 1 -out "$1.crt"
}

issue() { # name subject ca-name extension-section serial [days]
	openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
	openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" \
		-set_serial "$5" -days "${6:-$DAYS}" -extfile "$EXT" \
		-extensions "$4" -out "$1.crt"
}

root test-ca "/C=XX/O=esprit test/CN=esprit test CA"
root test-other-ca "/C=XX/O=esprit test/CN=esprit other test CA"

ec_key test-ica.key P-256
issue test-ica "/C=XX/O=esprit test/CN=esprit test intermediate CA" test-ca ca 2

ec_key test-ec.key P-256
issue test-ec "/C=XX/O=esprit test/CN=gw-ec.test.example" test-ca ec 3

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out test-rsa.key
issue test-rsa "/C=XX/O=esprit test/CN=gw-rsa.test.example" test-ca rsa 4

ec_key test-p384.key P-384
issue test-p384 "/C=XX/O=esprit test/CN=gw-p384.test.example" test-ica p384 5
cat test-p384.crt test-ica.crt >test-p384-chain.pem

# notAfter one day before notBefore: expired whenever the test runs.
cp test-ec.key test-expired.key
issue test-expired "/C=XX/O=esprit test/CN=gw-ec.test.example" test-ca ec 6 -1
rm test-expired.key

openssl pkey -in test-ec.key -outform DER -out test-ec.key.der
openssl x509 -in test-ec.crt -outform DER -out test-ec.crt.der
