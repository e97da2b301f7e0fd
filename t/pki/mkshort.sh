#!/bin/sh
# mkshort.sh OUTDIR SECONDS - a trust anchor that expires SECONDS from now
# (`openssl ca -selfsign -enddate`), for t/44_anchor_expiry.t:
#   short-root.crt/.key     "Short Root CA", valid until now + SECONDS
#   short-client-chain.pem  CN=shortclient (clientAuth, valid 30 days)
#                           issued by it: the header carries only the leaf
set -eu

OUT=${1:?usage: mkshort.sh OUTDIR SECONDS}
SECS=${2:?usage: mkshort.sh OUTDIR SECONDS}
W=$OUT/work-short
rm -rf "$W"
mkdir -p "$W/new"
: > "$W/index.txt"
openssl rand -hex 8 > "$W/serial"
umask 022
cat > "$W/ca.cnf" <<CNF
[ ca ]
default_ca = this_ca
[ this_ca ]
dir = $W
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir/new
certificate = $OUT/short-root.crt
private_key = $OUT/short-root.key
default_md = sha256
policy = any
unique_subject = no
[ any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = dn
[ dn ]
[ root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ client ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid:always
CNF
end=$(date -u -d "@$(( $(date +%s) + SECS ))" +%Y%m%d%H%M%SZ)
start=$(date -u -d '-1 hour' +%Y%m%d%H%M%SZ)
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$OUT/short-root.key" 2>/dev/null
openssl req -new -key "$OUT/short-root.key" -subj "/O=Acme Test/CN=Short Root CA" \
    -config "$W/ca.cnf" -out "$W/root.csr"
openssl ca -batch -notext -selfsign -rand_serial -config "$W/ca.cnf" \
    -keyfile "$OUT/short-root.key" -extensions root -extfile "$W/ca.cnf" \
    -startdate "$start" -enddate "$end" -in "$W/root.csr" \
    -out "$OUT/short-root.crt" 2>"$W/err" || { cat "$W/err" >&2; exit 1; }
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$W/leaf.key" 2>/dev/null
openssl req -new -key "$W/leaf.key" -subj "/O=Acme/CN=shortclient" \
    -config "$W/ca.cnf" -out "$W/leaf.csr"
openssl ca -batch -notext -rand_serial -config "$W/ca.cnf" \
    -extensions client -extfile "$W/ca.cnf" -startdate "$start" -days 30 \
    -in "$W/leaf.csr" -out "$OUT/short-client-chain.pem" 2>"$W/err" \
    || { cat "$W/err" >&2; exit 1; }
rm -rf "$W"
