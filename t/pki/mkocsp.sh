#!/bin/sh
# mkocsp.sh OUTDIR PORT_INT PORT_ROOT PORT_REVINT - a throwaway PKI for the
# OCSP tests (t/24_ocsp.t), made at run time because the responders' ports
# go into the certificates (Authority Information Access, OCSP):
#   root.crt/.key      "OCSP Test Root" (the trust anchor); db-root/
#   int.crt/.key       "OCSP Test Intermediate" under root, OCSP URL
#                      http://127.0.0.1:PORT_ROOT/ (good at the root)
#   revint.crt/.key    "OCSP Revoked Intermediate" under root, same URL,
#                      revoked by the root
#   under int, OCSP URL http://127.0.0.1:PORT_INT/ (db-int/):
#     good, good2, good3, good4, good5, good6  good (one per test case, so
#                      that cached answers of one case never serve another)
#     revoked          revoked (keyCompromise)
#     noaia            good, but without an OCSP URL
#     unknown          signed by int outside its database: status unknown
#   revleaf            under revint, OCSP URL http://127.0.0.1:PORT_REVINT/
#                      (good there)
#   wrong.crt/.key     a self-signed "Wrong Responder" (bad signatures)
#   server.crt/.key    CN=localhost under root, for mod_ssl (the comparison)
#   X-chain.pem        X.crt + its issuer, for every leaf X
# EC P-256 keys; every openssl ca database is OUTDIR/db-NAME/index.txt, as
# `openssl ocsp -index` reads it.
set -eu

OUT=${1:?usage: mkocsp.sh OUTDIR PORT_INT PORT_ROOT PORT_REVINT}
PI=${2:?}
PR=${3:?}
PV=${4:?}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
umask 022

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
            -out "$OUT/$1.key" 2>/dev/null; }

# (an empty DN section: `req -x509` of OpenSSL 1.1.1 wants one even with
# -subj)
cat > "$OUT/ext.cnf" <<EXT
[ req ]
distinguished_name = req_dn
[ req_dn ]

[ ca_root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
[ ca_sub ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:http://127.0.0.1:$PR/
[ leaf_int ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:http://127.0.0.1:$PI/
[ leaf_revint ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:http://127.0.0.1:$PV/
[ server ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[ leaf_noaia ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EXT

cadb() {
    d=$OUT/db-$1
    mkdir -p "$d/new"
    : > "$d/index.txt"
    openssl rand -hex 8 > "$d/serial"
    cat > "$d/ca.cnf" <<CNF
[ ca ]
default_ca = this_ca
[ this_ca ]
dir = $d
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir/new
certificate = $OUT/$1.crt
private_key = $OUT/$1.key
default_md = sha256
default_days = 3650
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
organizationName = optional
CNF
}

# issue CA NAME "SUBJECT" EXTSECTION
issue() {
    key "$2"
    openssl req -new -key "$OUT/$2.key" -subj "$3" -out "$OUT/$2.csr"
    openssl ca -batch -notext -rand_serial -config "$OUT/db-$1/ca.cnf" \
        -extfile "$OUT/ext.cnf" -extensions "$4" -in "$OUT/$2.csr" \
        -out "$OUT/$2.crt" 2>"$OUT/ca.err" || { cat "$OUT/ca.err" >&2; exit 1; }
}

key root
openssl req -new -x509 -key "$OUT/root.key" -subj "/O=Acme/CN=OCSP Test Root" \
    -days 3650 -sha256 -set_serial "0x$(openssl rand -hex 8)" \
    -config "$OUT/ext.cnf" -extensions ca_root -out "$OUT/root.crt" 2>/dev/null
cadb root
issue root int "/O=Acme/CN=OCSP Test Intermediate" ca_sub
issue root revint "/O=Acme/CN=OCSP Revoked Intermediate" ca_sub
cadb int
cadb revint
for n in good good2 good3 good4 good5 good6 revoked; do
    issue int "$n" "/O=Acme/OU=OCSP/CN=$n" leaf_int
done
issue int noaia "/O=Acme/OU=OCSP/CN=noaia" leaf_noaia
issue root server "/O=Acme/CN=localhost" server
issue revint revleaf "/O=Acme/OU=OCSP/CN=revleaf" leaf_revint
# outside int's database: the responder does not know it
key unknown
openssl req -new -key "$OUT/unknown.key" -subj "/O=Acme/OU=OCSP/CN=unknown" \
    -out "$OUT/unknown.csr"
openssl x509 -req -in "$OUT/unknown.csr" -CA "$OUT/int.crt" \
    -CAkey "$OUT/int.key" -set_serial "0x$(openssl rand -hex 8)" -days 3650 \
    -sha256 -extfile "$OUT/ext.cnf" -extensions leaf_int \
    -out "$OUT/unknown.crt" 2>/dev/null
openssl ca -batch -config "$OUT/db-int/ca.cnf" -revoke "$OUT/revoked.crt" \
    -crl_reason keyCompromise 2>"$OUT/ca.err" || { cat "$OUT/ca.err" >&2; exit 1; }
openssl ca -batch -config "$OUT/db-root/ca.cnf" -revoke "$OUT/revint.crt" \
    -crl_reason cACompromise 2>"$OUT/ca.err" || { cat "$OUT/ca.err" >&2; exit 1; }

key wrong
openssl req -new -x509 -key "$OUT/wrong.key" -subj "/CN=Wrong Responder" \
    -days 3650 -sha256 -out "$OUT/wrong.crt" 2>/dev/null

for n in good good2 good3 good4 good5 good6 revoked noaia unknown; do
    cat "$OUT/$n.crt" "$OUT/int.crt" > "$OUT/$n-chain.pem"
done
cat "$OUT/revleaf.crt" "$OUT/revint.crt" > "$OUT/revleaf-chain.pem"
