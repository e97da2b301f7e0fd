<?php
// What a PHP application sees of the client certificate.
header('Content-Type: text/plain');
foreach (array('SSL_CLIENT_S_DN_CN', 'SSL_CLIENT_VERIFY', 'REMOTE_USER', 'AUTH_TYPE') as $k) {
    echo $k, '=', isset($_SERVER[$k]) ? $_SERVER[$k] : '(unset)', "\n";
}
