<?php
// t/41_spoofing.t: does PHP see the certificate header in any form?
header('Content-Type: text/plain');
$all = function_exists('getallheaders') ? getallheaders() : array();
$seen = array();
foreach ($all as $k => $v) {
    if (stripos(str_replace('_', '-', $k), 'x-amzn-mtls-clientcert') === 0
        || stripos(str_replace('_', '-', $k), 'x-client-chain') === 0) {
        $seen[] = $k;
    }
}
foreach ($_SERVER as $k => $v) {
    if (strpos($k, 'HTTP_X_AMZN_MTLS_CLIENTCERT') === 0 || strpos($k, 'HTTP_X_CLIENT_CHAIN') === 0) {
        $seen[] = $k;
    }
}
echo 'PHP=1', "\n";
echo 'SEEN=', implode(',', $seen), "\n";
echo 'SSL_CLIENT_VERIFY=', isset($_SERVER['SSL_CLIENT_VERIFY']) ? $_SERVER['SSL_CLIENT_VERIFY'] : '(unset)', "\n";
