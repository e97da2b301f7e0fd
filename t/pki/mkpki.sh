#!/bin/sh
# mkpki.sh OUTDIR - throwaway test PKI for mod_alb_mtls (openssl CLI only).
#
# Makes, in OUTDIR (EC P-256 keys, `openssl ca` with a throwaway database):
#   root.crt/.key            "Test Root CA" (the trust anchor)
#   intermediate.crt/.key    "Test Intermediate CA" under root
#   int2.crt/.key            "Test Intermediate CA 2" under intermediate
#   client.crt/.key          CN=client1,O=Acme,OU=Dev, clientAuth, SAN DNS/email/URI
#   client-chain.pem         client.crt + intermediate.crt
#   client2-chain.pem        CN=client2 (same CA)
#   direct-chain.pem         CN=direct, signed by the root itself
#   expired-chain.pem        CN=expired (valid 2020-2021)
#   notyet-chain.pem         CN=notyet (valid from 2090)
#   serveronly-chain.pem     CN=serveronly, EKU serverAuth only
#   deep-chain.pem           CN=deep under int2: leaf, int2, intermediate
#   foreign-root.crt, foreign-chain.pem   CN=foreign under "Foreign Root CA"
#   other-root.crt, other-chain.pem       CN=other under "Other Root CA"
#   bundle.crt               root.crt + other-root.crt
#   capath/                  hashed directory (openssl rehash) holding root.crt
# revocation (CRLs, made with `openssl ca -gencrl`):
#   revoked-chain.pem        CN=revoked under intermediate (revoked there)
#   revint.crt, revint-chain.pem  "Revoked Intermediate CA" under root
#                            (revoked by the root) and CN=revleaf under it
#   root.crl intermediate.crl revint.crl   the CAs' CRLs (30 days)
#   crl-chain.pem            root.crl + intermediate.crl + revint.crl
#   crl-int-only.pem         intermediate.crl alone (no CRL from the root)
#   crl-expired.pem          root.crl + an intermediate CRL of 2020-2021
#   crl-client-revoked.pem   as crl-chain.pem, but client1 revoked too
#   crlpath/                 hashed directory (<hash>.r0) of the three CRLs
# every leaf X also has X.crt and X.key.
#
# Idempotent: does nothing when OUTDIR/.done is newer than this script.
set -eu

OUT=${1:?usage: mkpki.sh OUTDIR}
SELF=$0
if [ -f "$OUT/.done" ] && [ "$OUT/.done" -nt "$SELF" ]; then
    exit 0
fi
command -v openssl >/dev/null 2>&1 || { echo "mkpki.sh: openssl not found" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
W=$OUT/work
mkdir -p "$W"
umask 022

# Extensions for every kind of certificate we issue (and, for `req -x509`
# of OpenSSL 1.1.1, which wants one even with -subj, an empty DN section).
cat > "$W/ext.cnf" <<'EXT'
[ req ]
distinguished_name = req_dn
[ req_dn ]

[ root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ ca_last ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ client ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ client1 ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:client1.example.com, email:client1@example.com, URI:spiffe://example.com/client1

[ server ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EXT

newkey() { # name
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -out "$OUT/$1.key" 2>/dev/null
    chmod 644 "$OUT/$1.key"
}

# cadb NAME: throwaway `openssl ca` database + config for the CA NAME.
cadb() {
    d=$W/db-$1
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
organizationalUnitName = optional
countryName = optional
emailAddress = optional
CNF
}

# selfroot NAME "SUBJECT"
selfroot() {
    newkey "$1"
    openssl req -new -x509 -key "$OUT/$1.key" -subj "$2" -days 3650 -sha256 \
        -set_serial "0x$(openssl rand -hex 8)" \
        -config "$W/ext.cnf" -extensions root -out "$OUT/$1.crt" 2>/dev/null
    cadb "$1"
}

# issue CA NAME "SUBJECT" EXTSECTION [extra openssl ca options...]
issue() {
    ca=$1 name=$2 subj=$3 ext=$4
    shift 4
    newkey "$name"
    openssl req -new -key "$OUT/$name.key" -subj "$subj" -out "$W/$name.csr" 2>/dev/null
    openssl ca -batch -notext -rand_serial -config "$W/db-$ca/ca.cnf" \
        -extfile "$W/ext.cnf" -extensions "$ext" -preserveDN \
        -in "$W/$name.csr" -out "$OUT/$name.crt" "$@" 2>"$W/$name.err" || {
            cat "$W/$name.err" >&2; exit 1; }
}

# --- CAs ------------------------------------------------------------------
selfroot root "/O=Acme Test/CN=Test Root CA"
issue root intermediate "/O=Acme Test/CN=Test Intermediate CA" ca
cadb intermediate
issue intermediate int2 "/O=Acme Test/CN=Test Intermediate CA 2" ca_last
cadb int2
selfroot foreign-root "/O=Foreign/CN=Foreign Root CA"
selfroot other-root "/O=Other/CN=Other Root CA"

# --- leaves ---------------------------------------------------------------
issue intermediate client "/O=Acme/OU=Dev/CN=client1" client1
issue intermediate client2 "/O=Acme/OU=Dev/CN=client2" client
issue root direct "/O=Acme/OU=Dev/CN=direct" client
issue intermediate expired "/O=Acme/OU=Dev/CN=expired" client \
    -startdate 20200101000000Z -enddate 20210101000000Z
issue intermediate notyet "/O=Acme/OU=Dev/CN=notyet" client \
    -startdate 20900101000000Z -enddate 20910101000000Z
issue intermediate serveronly "/O=Acme/OU=Dev/CN=serveronly" server
issue int2 deep "/O=Acme/OU=Dev/CN=deep" client
issue foreign-root foreign "/O=Foreign/CN=foreign" client
issue other-root other "/O=Other/CN=other" client

# --- chains as a client (the ALB) would send them -------------------------
cat "$OUT/client.crt" "$OUT/intermediate.crt" > "$OUT/client-chain.pem"
for n in client2 expired notyet serveronly; do
    cat "$OUT/$n.crt" "$OUT/intermediate.crt" > "$OUT/$n-chain.pem"
done
cp "$OUT/direct.crt" "$OUT/direct-chain.pem"
cat "$OUT/deep.crt" "$OUT/int2.crt" "$OUT/intermediate.crt" > "$OUT/deep-chain.pem"
cp "$OUT/foreign.crt" "$OUT/foreign-chain.pem"
cp "$OUT/other.crt" "$OUT/other-chain.pem"
cat "$OUT/root.crt" "$OUT/other-root.crt" > "$OUT/bundle.crt"

mkdir -p "$OUT/capath"
cp "$OUT/root.crt" "$OUT/capath/root.crt"
openssl rehash "$OUT/capath" 2>/dev/null || c_rehash "$OUT/capath" >/dev/null

# --- revocation -----------------------------------------------------------
issue intermediate revoked "/O=Acme/OU=Dev/CN=revoked" client
issue root revint "/O=Acme Test/CN=Revoked Intermediate CA" ca
cadb revint
issue revint revleaf "/O=Acme/OU=Dev/CN=revleaf" client
cat "$OUT/revoked.crt" "$OUT/intermediate.crt" > "$OUT/revoked-chain.pem"
cat "$OUT/revleaf.crt" "$OUT/revint.crt" > "$OUT/revint-chain.pem"

# ca_run CA [openssl ca options...]
ca_run() {
    ca=$1
    shift
    openssl ca -batch -config "$W/db-$ca/ca.cnf" "$@" 2>"$W/ca-$ca.err" || {
        cat "$W/ca-$ca.err" >&2; exit 1; }
}
ca_run intermediate -revoke "$OUT/revoked.crt" -crl_reason keyCompromise
ca_run root -revoke "$OUT/revint.crt" -crl_reason cACompromise
ca_run root -gencrl -crldays 30 -out "$OUT/root.crl"
ca_run intermediate -gencrl -crldays 30 -out "$OUT/intermediate.crl"
ca_run revint -gencrl -crldays 30 -out "$OUT/revint.crl"
if openssl ca -help 2>&1 | grep -q -e '-crl_nextupdate'; then
    ca_run intermediate -gencrl -crl_lastupdate 20200101000000Z \
        -crl_nextupdate 20210101000000Z -out "$W/intermediate-expired.crl"
else
    # OpenSSL 1.1.1 sets no CRL dates: one that expires a second from now
    ca_run intermediate -gencrl -crlsec 1 -out "$W/intermediate-expired.crl"
    sleep 2
fi
cat "$OUT/root.crl" "$OUT/intermediate.crl" "$OUT/revint.crl" > "$OUT/crl-chain.pem"
cp "$OUT/intermediate.crl" "$OUT/crl-int-only.pem"
cat "$OUT/root.crl" "$W/intermediate-expired.crl" > "$OUT/crl-expired.pem"
ca_run intermediate -revoke "$OUT/client.crt"
ca_run intermediate -gencrl -crldays 30 -out "$W/intermediate-client.crl"
cat "$OUT/root.crl" "$W/intermediate-client.crl" "$OUT/revint.crl" \
    > "$OUT/crl-client-revoked.pem"
mkdir -p "$OUT/crlpath"
cp "$OUT/root.crl" "$OUT/intermediate.crl" "$OUT/revint.crl" "$OUT/crlpath/"
openssl rehash "$OUT/crlpath" 2>/dev/null || c_rehash "$OUT/crlpath" >/dev/null

# sanity: the main chains verify as intended
openssl verify -purpose sslclient -CAfile "$OUT/root.crt" \
    -untrusted "$OUT/intermediate.crt" "$OUT/client.crt" >/dev/null
openssl verify -purpose sslclient -CAfile "$OUT/root.crt" \
    -untrusted "$OUT/deep-chain.pem" "$OUT/deep.crt" >/dev/null
openssl verify -purpose sslclient -crl_check_all -CAfile "$OUT/root.crt" \
    -CRLfile "$OUT/crl-chain.pem" -untrusted "$OUT/intermediate.crt" \
    "$OUT/client.crt" >/dev/null
if openssl verify -purpose sslclient -crl_check_all -CAfile "$OUT/root.crt" \
    -CRLfile "$OUT/crl-chain.pem" -untrusted "$OUT/intermediate.crt" \
    "$OUT/revoked.crt" >/dev/null 2>&1; then
    echo "mkpki.sh: revoked.crt is not revoked" >&2; exit 1
fi

rm -rf "$W"
date > "$OUT/.done"
