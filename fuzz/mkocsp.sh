#!/bin/sh
# mkocsp.sh DIR - the seed corpus of fuzz/fuzz_ocsp.c (run by
# `make -f Makefile.apxs fuzz-seeds`): a small PKI (DIR/pki.pem: root,
# intermediate, then the three leaves the target asks about: good, revoked,
# unknown), answers made offline by `openssl ocsp -reqin/-respout` (no
# nonce, nextUpdate 100 years on), each wrapped in an HTTP/1.0 response,
# plus HTTP and DER variants.  Each seed is one selector byte (which leaf
# the target asks about: 0 good, 1 revoked, 2 unknown) and the bytes a
# responder would send.
set -eu
D=${1:?usage: mkocsp.sh DIR}
mkdir -p "$D"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/$1.key" 2>/dev/null; }
cat > "$W/ext.cnf" <<'EXT'
[ req ]
distinguished_name = req_dn
[ req_dn ]

[ ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
[ leaf ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
EXT
key root
openssl req -new -x509 -key "$W/root.key" -subj "/CN=Fuzz OCSP Root" -days 36500 \
    -config "$W/ext.cnf" -extensions ca -out "$W/root.crt" 2>/dev/null
key int
openssl req -new -key "$W/int.key" -subj "/CN=Fuzz OCSP Intermediate" -out "$W/int.csr"
openssl x509 -req -in "$W/int.csr" -CA "$W/root.crt" -CAkey "$W/root.key" \
    -set_serial 2 -days 36500 -extfile "$W/ext.cnf" -extensions ca \
    -out "$W/int.crt" 2>/dev/null
n=16
for l in good revoked unknown; do
    key "$l"
    openssl req -new -key "$W/$l.key" -subj "/CN=$l" -out "$W/$l.csr"
    openssl x509 -req -in "$W/$l.csr" -CA "$W/int.crt" -CAkey "$W/int.key" \
        -set_serial $n -days 36500 -extfile "$W/ext.cnf" -extensions leaf \
        -out "$W/$l.crt" 2>/dev/null
    n=$((n + 1))
done
serial() { openssl x509 -in "$W/$1.crt" -noout -serial | sed 's/serial=//'; }
printf 'V\t21260101000000Z\t\t%s\tunknown\t/CN=good\n' "$(serial good)" > "$W/index.txt"
printf 'R\t21260101000000Z\t250101000000Z,keyCompromise\t%s\tunknown\t/CN=revoked\n' \
    "$(serial revoked)" >> "$W/index.txt"
cat "$W/root.crt" "$W/int.crt" "$W/good.crt" "$W/revoked.crt" "$W/unknown.crt" > "$D/pki.pem"

# seed NAME SELECTOR FILE-WITH-BODY [STATUS-LINE [EXTRA-HEADER]]
seed() {
    len=$(wc -c < "$3")
    {
        printf '\\%03o' "$2" | xargs -0 printf
        printf '%s\r\nContent-Type: application/ocsp-response\r\n' "${4:-HTTP/1.0 200 OK}"
        [ -n "${5:-}" ] && printf '%s\r\n' "$5"
        printf 'Content-Length: %s\r\n\r\n' "$len"
        cat "$3"
    } > "$D/$1"
}
sel=0
for l in good revoked unknown; do
    openssl ocsp -issuer "$W/int.crt" -cert "$W/$l.crt" -no_nonce \
        -reqout "$W/$l.req" >/dev/null 2>&1
    openssl ocsp -index "$W/index.txt" -rsigner "$W/int.crt" -rkey "$W/int.key" \
        -CA "$W/int.crt" -reqin "$W/$l.req" -respout "$W/$l.der" -ndays 36500 \
        >/dev/null 2>&1
    seed "$l" $sel "$W/$l.der"
    sel=$((sel + 1))
done
seed other-cert 1 "$W/good.der"
seed http-404 0 "$W/good.der" "HTTP/1.0 404 Not Found"
seed http-302 0 "$W/good.der" "HTTP/1.1 302 Found" "Location: http://127.0.0.1/"
seed chunked 0 "$W/good.der" "HTTP/1.0 200 OK" "Transfer-Encoding: chunked"
head -c 40 "$W/good.der" > "$W/short.der"
seed truncated-der 0 "$W/short.der"
printf 'not der' > "$W/junk"
seed junk-body 0 "$W/junk"
printf '\000HTTP/1.0 200 OK\n\n' > "$D/bare-lf-empty"
# an answer signed by a key the target does not trust
key wrong
openssl req -new -x509 -key "$W/wrong.key" -subj "/CN=Wrong" -days 36500 \
    -out "$W/wrong.crt" 2>/dev/null
openssl ocsp -index "$W/index.txt" -rsigner "$W/wrong.crt" -rkey "$W/wrong.key" \
    -CA "$W/int.crt" -reqin "$W/good.req" -respout "$W/wrong.der" -ndays 36500 \
    >/dev/null 2>&1
seed wrong-signer 0 "$W/wrong.der"
