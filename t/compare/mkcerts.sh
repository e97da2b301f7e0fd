#!/bin/sh
# mkcerts.sh OUTDIR - throw-away PKI for t/60_modssl_compare.t
#
# Everything is generated at run time with the openssl CLI; nothing here is
# ever committed.  For each case NAME listed in OUTDIR/cases it writes
#   NAME.key        the leaf's private key
#   NAME.pem        the leaf alone
#   NAME.chain.pem  the leaf followed by the certificates the client sends
# plus roots.pem (every client root: the CA file of both sides), server.pem,
# server.key and server-root.pem (for curl --cacert).
#
# Cases:
#   rsa4096   RSA-4096 leaf, version 1, no extensions at all, signed
#             directly by an RSA root the way people do it (req -new +
#             x509 -req -CA, no extfile; req -x509 -x509v1 on OpenSSL 3.2+)
#   ec_utf8   EC P-256 leaf under an EC P-384 intermediate: two OUs, UTF-8 CN,
#             emailAddress, SAN DNS x2 / email / URI, EKU clientAuth
#   ec_root   the same leaf, the client also sending the root
#   escape    subject full of RFC 2253 specials: , + " \ < > ; leading #,
#             tab, leading/trailing spaces, duplicated OU
#   sink      Ed25519 leaf, high-bit serial, multi-valued RDN, title/GN/SN/
#             initials/description/UID/serialNumber/DC/street/unknown OID,
#             msUPN x2, dnsSRV, IP, URI x2, GeneralizedTime notAfter, issued
#             by an RSA intermediate with a non-ASCII name, two intermediates
#   bmp       string_mask pkix: BMPString, PrintableString and IA5String
#             values; one day of validity (SSL_CLIENT_V_REMAIN 0)
#   t61       string_mask nombstr: Latin-1 T61String values
#   selfsigned  self-signed leaf (CA:false) that is itself in the CA file
#   empty     empty subject, identity in a critical SAN, negative serial (-5)
#   pss       RSA-PSS key and RSA-PSS signature
# and, listed in OUTDIR/generous, for optional_no_ca:
#   stranger  self-signed leaf in no CA file
#   leafonly  ec_utf8's leaf without its intermediate
set -eu

OUT=${1:?usage: mkcerts.sh OUTDIR}
mkdir -p "$OUT"
cd "$OUT"
umask 077

# Hermetic: never read the system openssl.cnf.
OPENSSL_CONF=/dev/null
export OPENSSL_CONF

die() { echo "mkcerts.sh: $*" >&2; exit 1; }

# For `req` with -subj: OpenSSL 1.1.1 wants a distinguished_name section
# even then, and OPENSSL_CONF=/dev/null has none.
printf '[req]\ndistinguished_name = dn\n[dn]\n' > plain.cnf

# ------------------------------------------------------------ extensions
cat > ext.cnf <<'X'
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[server]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost

[ec_utf8]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:a.example.com, DNS:b.example.com, email:john.doe@example.org, URI:spiffe://example.org/ns/prod/sa/john

[escape]
basicConstraints = CA:false
extendedKeyUsage = clientAuth

[empty]
basicConstraints = CA:false
extendedKeyUsage = clientAuth
subjectAltName = critical, email:nobody@example.com

[selfleaf]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash

[sink]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth, emailProtection
authorityKeyIdentifier = keyid
subjectAltName = @sink_san

[sink_san]
email.1 = first@example.net
DNS.1 = sink.example.net
otherName.1 = 1.3.6.1.4.1.311.20.2.3;FORMAT:UTF8,UTF8:jöhn.upn@corp.example
URI.1 = spiffe://example.net/sink
IP.1 = 192.0.2.7
email.2 = second@example.net
otherName.2 = 1.3.6.1.5.5.7.8.7;IA5:_https.sink.example.net
DNS.2 = xn--jhn-sna.example.net
URI.2 = https://example.net/id/4
otherName.3 = 1.3.6.1.4.1.311.20.2.3;UTF8:second.upn@corp.example
X

# newreq NAME GENPKEY-ARGS...   (subject lines of the [dn] section in NAME.dn;
# string_mask from $MASK, default utf8only)
newreq() {
    n=$1; shift
    {
        echo 'oid_section = oids'
        echo '[oids]'
        echo 'compareCustomAttr = 1.2.3.4.5'
        echo '[req]'
        echo 'prompt = no'
        echo 'distinguished_name = dn'
        echo "string_mask = ${MASK:-utf8only}"
        echo 'utf8 = yes'
        echo '[dn]'
        cat "$n.dn"
    } > "$n.req.cnf"
    openssl genpkey "$@" -out "$n.key" 2>/dev/null || die "genpkey $n"
    openssl req -new -utf8 -config "$n.req.cnf" -key "$n.key" -out "$n.csr" \
        || die "req $n"
}

# sign NAME ISSUER EXTSECTION DAYS [more x509 args]
sign() {
    n=$1 iss=$2 ext=$3 days=$4
    shift 4
    openssl x509 -req -in "$n.csr" -CA "$iss.pem" -CAkey "$iss.key" \
        -days "$days" -extfile ext.cnf -extensions "$ext" "$@" \
        -out "$n.pem" 2>/dev/null || die "sign $n"
}

# selfsign NAME DAYS [more x509 args]
selfsign() {
    n=$1 days=$2
    shift 2
    openssl x509 -req -in "$n.csr" -signkey "$n.key" -days "$days" \
        -extfile ext.cnf -extensions ca "$@" -out "$n.pem" 2>/dev/null \
        || die "selfsign $n"
}

EC256="-algorithm EC -pkeyopt ec_paramgen_curve:P-256"
EC384="-algorithm EC -pkeyopt ec_paramgen_curve:P-384"
RSA2048="-algorithm RSA -pkeyopt rsa_keygen_bits:2048"

# ------------------------------------------------------------ TLS server
printf 'CN = compare server root\n' > server-root.dn
newreq server-root $EC256
selfsign server-root 30
printf 'O = Compare Test\nCN = localhost\n' > server.dn
newreq server $EC256
sign server server-root server 30

# ------------------------------------------------------------ client roots
printf 'C = US\nO = Compare Test\nCN = Compare RSA Root\n' > root-rsa.dn
newreq root-rsa $RSA2048
selfsign root-rsa 3650 -sha256

printf 'C = US\nO = Compare Test\nCN = Compare EC Root\n' > root-ec.dn
newreq root-ec $EC384
selfsign root-ec 3650 -sha384

cat root-rsa.pem root-ec.pem > roots.pem

# ------------------------------------------------------------ intermediates
printf 'C = US\nO = Compare Test\nOU = Issuing\nCN = Compare EC Intermediate\n' > int-ec.dn
newreq int-ec $EC384
sign int-ec root-ec ca 3650 -sha384

printf 'C = US\nO = Compare Test\nCN = Compare Level One CA\n' > int-one.dn
newreq int-one $EC256
sign int-one root-ec ca 3650 -sha384

printf 'C = DE\nO = Compare Test\nCN = Ünï Zwischen-CA\n' > int-uni.dn
newreq int-uni $RSA2048
sign int-uni int-one ca 3650 -sha256

# ------------------------------------------------------------ 1: rsa4096
# Made the way people do it: no config of ours, no extfile.  Up to OpenSSL
# 3.1 `x509 -req` makes a version 1 certificate without extensions; from
# 3.2 on it adds key identifiers (a version 3 certificate), and only
# `req -x509 -x509v1` still makes a version 1 one.
openssl req -new -config plain.cnf -newkey rsa:4096 -nodes -keyout rsa4096.key \
    -subj "/C=DE/ST=Berlin/L=Berlin/O=Plain Old RSA/CN=rsa4096 no extensions" \
    -out rsa4096.csr 2>/dev/null || die "req rsa4096"
if openssl req -help 2>&1 | grep -q -e '-x509v1'; then
    openssl req -config plain.cnf -in rsa4096.csr -x509 -x509v1 -CA root-rsa.pem \
        -CAkey root-rsa.key -days 30 -out rsa4096.pem 2>/dev/null || die "sign rsa4096"
else
    openssl x509 -req -in rsa4096.csr -CA root-rsa.pem -CAkey root-rsa.key \
        -CAcreateserial -days 30 -out rsa4096.pem 2>/dev/null || die "sign rsa4096"
fi
openssl x509 -in rsa4096.pem -noout -text | grep -q 'Version: 1 (0x0)' &&
    ! openssl x509 -in rsa4096.pem -noout -text | grep -q 'X509v3' ||
    die "rsa4096 is not a version 1 certificate without extensions"
cp rsa4096.pem rsa4096.chain.pem

# ------------------------------------------------------------ 2: ec_utf8
cat > ec_utf8.dn <<'X'
C = US
O = Example Corp
0.OU = Engineering
1.OU = Platform Security
CN = Jöhn Dœ
emailAddress = john.doe@example.com
X
newreq ec_utf8 $EC256
sign ec_utf8 int-ec ec_utf8 10 -sha384
cat ec_utf8.pem int-ec.pem > ec_utf8.chain.pem

# 2b: same leaf, the client also sends the root
cp ec_utf8.key ec_root.key
cp ec_utf8.pem ec_root.pem
cat ec_utf8.pem int-ec.pem root-ec.pem > ec_root.chain.pem

# ------------------------------------------------------------ 3: escape
# Inside double quotes the config parser takes \x as a literal x and keeps
# spaces, '#' and the literal tab.
TAB=$(printf '\t')
cat > escape.dn <<X
C = US
ST = California
L = "#Hash Town"
O = "Acme, Inc."
0.OU = "Ops${TAB}Tab"
1.OU = " Lead and trail "
CN = "Jöhn \\"JD\\" Dœ+<x>;y\\\\z=w"
X
newreq escape $EC256
sign escape int-ec escape 20 -sha256
cat escape.pem int-ec.pem > escape.chain.pem

want='CN=Jöhn \"JD\" Dœ\+\<x\>\;y\\z=w,OU=\ Lead and trail\ ,OU=Ops\09Tab,O=Acme\, Inc.,L=\#Hash Town,ST=California,C=US'
got=$(openssl x509 -in escape.pem -noout -subject -nameopt RFC2253,-esc_msb)
[ "$got" = "subject=$want" ] || die "escape subject is [$got], wanted [subject=$want]"

# ------------------------------------------------------------ 4: sink
cat > sink.dn <<'X'
0.DC = com
1.DC = example
C = GB
ST = Greater London
L = London
street = 1 Long Street
O = Sink Ltd
OU = "#hash"
CN = multi
+UID = mv1
title = Chief Tester
GN = Jöhn
SN = Dœ
initials = JD
description = kitchen sink
serialNumber = SN-12345
compareCustomAttr = custom
emailAddress = sink@example.net
X
newreq sink -algorithm ED25519
sign sink int-uni sink 10000 -sha512 -set_serial 0xF1E2D3C4B5A69788
cat sink.pem int-uni.pem int-one.pem > sink.chain.pem

# ------------------------------------------------------------ 5: bmp
cat > bmp.dn <<'X'
C = NL
O = Bmp Örg Œuvre
OU = under_score
CN = printable only
emailAddress = bmp@example.nl
X
MASK=pkix newreq bmp $EC256
sign bmp int-ec escape 1 -sha256
cat bmp.pem int-ec.pem > bmp.chain.pem

# ------------------------------------------------------------ 6: t61
cat > t61.dn <<'X'
C = DE
O = Müller GmbH
CN = Jürgen Größe
X
MASK=nombstr newreq t61 $EC256
sign t61 root-ec escape 15 -sha256
cp t61.pem t61.chain.pem

# ------------------------------------------------------------ 7: selfsigned
printf 'O = Self\nCN = self-signed leaf\n' > selfsigned.dn
newreq selfsigned $EC256
openssl x509 -req -in selfsigned.csr -signkey selfsigned.key -days 12 \
    -extfile ext.cnf -extensions selfleaf -set_serial 0 \
    -out selfsigned.pem 2>/dev/null || die "selfsign selfsigned"
cp selfsigned.pem selfsigned.chain.pem
cat selfsigned.pem >> roots.pem

# ------------------------------------------------------------ 8: empty
# Empty subject (the identity is in a critical SAN), negative serial.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out empty.key 2>/dev/null || die "genpkey empty"
openssl req -new -config plain.cnf -key empty.key -subj / -out empty.csr 2>/dev/null || die "req empty"
sign empty int-ec empty 25 -sha256 -set_serial -5
cat empty.pem int-ec.pem > empty.chain.pem

# ------------------------------------------------------------ 9: pss
# RSA-PSS key, RSA-PSS signature from the RSA root.
printf 'O = Compare Test\nCN = pss leaf\n' > pss.dn
newreq pss -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048
sign pss root-rsa escape 25 -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
cp pss.pem pss.chain.pem

# ------------------------------------------------------------ optional_no_ca
# stranger: self-signed, in no CA file (error 18); leafonly: ec_utf8's leaf
# sent without its intermediate (error 20).  Both are GENEROUS there.
printf 'O = Nobody Knows\nCN = stranger\n' > stranger.dn
newreq stranger $EC256
openssl x509 -req -in stranger.csr -signkey stranger.key -days 12 \
    -extfile ext.cnf -extensions selfleaf -out stranger.pem 2>/dev/null \
    || die "selfsign stranger"
cp stranger.pem stranger.chain.pem
cp ec_utf8.key leafonly.key
cp ec_utf8.pem leafonly.pem
cp ec_utf8.pem leafonly.chain.pem

printf '%s\n' rsa4096 ec_utf8 ec_root escape sink bmp t61 selfsigned empty pss > cases
printf '%s\n' stranger leafonly > generous
rm -f ./*.csr ./*.srl
echo "mkcerts.sh: done in $OUT"
