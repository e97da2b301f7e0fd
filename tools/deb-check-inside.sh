#!/bin/sh
# deb-check-inside.sh installed|removed - the part of tools/deb-check.sh
# that runs inside the chroot (as /check/inside.sh), with loopback only.
# Each check prints "inside: ok - ..." or fails the script.
set -eu

ok() { echo "inside: ok - $*"; }
die() { echo "inside: FAILED - $*"; tail -n 20 /var/log/apache2/error.log 2>/dev/null; exit 1; }

# status PATH [HEADER]: the HTTP status of a request to the vhost
status() {
    if [ $# -gt 1 ]; then
        curl -s -o /dev/null -w '%{http_code}' -H "X-Amzn-Mtls-Clientcert: $2" \
            "http://127.0.0.1:8080$1"
    else
        curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:8080$1"
    fi
}

start_apache() {
    apache2ctl start || die "apache2ctl start"
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        curl -s -o /dev/null http://127.0.0.1:8080/health && return 0
        sleep 0.5
    done
    die "Apache does not answer on 127.0.0.1:8080"
}

stop_apache() {
    apache2ctl stop || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        [ -f /var/run/apache2/apache2.pid ] || return 0
        sleep 0.5
    done
}

case "${1:-}" in
installed)
    [ -f /usr/lib/apache2/modules/mod_alb_mtls.so ] || die "module not installed"
    [ -f /etc/apache2/mods-available/alb_mtls.load ] &&
        [ -f /etc/apache2/mods-available/alb_mtls.conf ] || die "no .load/.conf in mods-available"
    ok "module in /usr/lib/apache2/modules, alb_mtls.load and .conf in mods-available"
    if a2query -q -m alb_mtls; then die "installing enabled the module"; fi
    ok "installing did not enable it"
    a2enmod alb_mtls
    a2query -q -m alb_mtls || die "a2enmod alb_mtls did not enable it"
    apache2ctl configtest || die "configtest with the module enabled"
    ok "a2enmod alb_mtls; apache2ctl configtest"

    # a throwaway PKI: root -> intermediate -> clients alice, mallory
    P=/etc/apache2/alb-mtls
    mkdir -p "$P" /check/pki
    cd /check/pki
    printf '[req]\ndistinguished_name = dn\n[dn]\n[ca]\nbasicConstraints = critical, CA:true\nkeyUsage = critical, keyCertSign, cRLSign\n[client]\nbasicConstraints = CA:false\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = clientAuth\n' > x.cnf
    openssl req -config x.cnf -new -x509 -newkey rsa:2048 -nodes -keyout root.key \
        -subj "/O=Check/CN=Check Root" -days 30 -extensions ca -out root.crt 2>/dev/null
    openssl req -config x.cnf -new -newkey rsa:2048 -nodes -keyout int.key \
        -subj "/O=Check/CN=Check Intermediate" -out int.csr 2>/dev/null
    openssl x509 -req -in int.csr -CA root.crt -CAkey root.key -CAcreateserial \
        -days 30 -extfile x.cnf -extensions ca -out int.crt 2>/dev/null
    for cn in alice mallory; do
        openssl req -config x.cnf -new -newkey rsa:2048 -nodes -keyout $cn.key \
            -subj "/O=Check/CN=$cn" -out $cn.csr 2>/dev/null
        openssl x509 -req -in $cn.csr -CA int.crt -CAkey int.key -CAcreateserial \
            -days 30 -extfile x.cnf -extensions client -out $cn.crt 2>/dev/null
        cat $cn.crt int.crt > $cn-chain.pem
    done
    cp root.crt "$P/client-ca.pem"
    ok "test PKI made with openssl"

    # the README quick start, on 127.0.0.1:8080, the ALB being 127.0.0.1
    mkdir -p /var/www/app/admin
    echo app > /var/www/app/index.html
    echo admin > /var/www/app/admin/index.html
    echo ok > /var/www/app/health
    echo 'Listen 127.0.0.1:8080' > /etc/apache2/ports.conf
    cat > /etc/apache2/sites-available/app.conf <<'CONF'
LimitRequestFieldSize 16384
LogFormat "%h %U %>s verify=%{SSL_CLIENT_VERIFY}x cn=%{SSL_CLIENT_S_DN_CN}x" albcheck
<VirtualHost *:8080>
    ServerName app.example.com
    DocumentRoot /var/www/app
    CustomLog /var/log/apache2/app.log albcheck
    AlbMtlsTrustedProxy 127.0.0.1
    AlbMtlsCAFile /etc/apache2/alb-mtls/client-ca.pem
    AlbMtlsVerifyClient require
    <Location "/admin/">
        AlbMtlsRequireCN alice bob
    </Location>
    <Location "/health">
        AlbMtlsVerifyClient none
    </Location>
</VirtualHost>
CONF
    a2dissite -q 000-default
    a2ensite -q app
    apache2ctl configtest || die "configtest with the quick start vhost"
    ok "quick start vhost: configtest"
    start_apache
    alice=$(sh /check/alb-mtls-header alice-chain.pem)
    mallory=$(sh /check/alb-mtls-header mallory-chain.pem)
    leaf=$(sh /check/alb-mtls-header alice.crt)
    [ "$(status /admin/ "$alice")" = 200 ] || die "alice's chain on /admin/: not 200"
    ok "verified request: alice's chain on /admin/ -> 200"
    [ "$(status /admin/ "$mallory")" = 403 ] || die "mallory on /admin/: not 403"
    ok "mallory (verified, CN not allowed) on /admin/ -> 403"
    [ "$(status / "$mallory")" = 200 ] || die "mallory on /: not 200"
    ok "mallory on / -> 200"
    [ "$(status /)" = 403 ] || die "no header on /: not 403"
    ok "no certificate on / -> 403"
    [ "$(status / "$leaf")" = 403 ] || die "leaf without intermediate: not 403"
    ok "leaf without its intermediate -> 403"
    [ "$(status /health)" = 200 ] || die "/health without header: not 200"
    ok "/health (AlbMtlsVerifyClient none) without certificate -> 200"
    grep -q '/admin/index.html 200 verify=SUCCESS cn=alice' /var/log/apache2/app.log ||
        grep -q '/admin/ 200 verify=SUCCESS cn=alice' /var/log/apache2/app.log ||
        die "access log has no verify=SUCCESS cn=alice line"
    ok "access log: verify=SUCCESS cn=alice"
    stop_apache
    ;;
removed)
    [ ! -f /usr/lib/apache2/modules/mod_alb_mtls.so ] || die "module still installed"
    if a2query -q -m alb_mtls; then die "module still enabled after remove"; fi
    ok "apt-get remove: module gone and disabled"
    # the vhost's directives now belong to no module: the site goes, as an
    # admin would take it out
    a2dissite -q app
    a2ensite -q 000-default
    echo 'Listen 127.0.0.1:8080' > /etc/apache2/ports.conf
    sed -i 's/<VirtualHost \*:80>/<VirtualHost *:8080>/' /etc/apache2/sites-available/000-default.conf
    apache2ctl configtest || die "configtest after remove"
    ok "apache2ctl configtest after remove"
    apache2ctl start || die "apache2ctl start after remove"
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/)" = 200 ] && break
        sleep 0.5
    done
    [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/)" = 200 ] ||
        die "Apache does not serve after remove"
    ok "Apache serves after remove"
    stop_apache
    ;;
*)
    echo "usage: inside.sh installed|removed" >&2
    exit 2
    ;;
esac
