<?php
// Every SSL_CLIENT_* of $_SERVER plus the user, sorted NAME=value (a
// backslash as \\ and a newline as \n, as t/cgi-bin/env.cgi prints them).
header('Content-Type: text/plain');
$keys = array();
foreach ($_SERVER as $k => $v) {
    if (strncmp($k, 'SSL_CLIENT_', 11) == 0 || $k == 'REMOTE_USER' || $k == 'AUTH_TYPE') {
        $keys[] = $k;
    }
}
sort($keys);
echo 'PHP_SAPI=', PHP_SAPI, "\n";
foreach ($keys as $k) {
    echo $k, '=', str_replace(array("\\", "\n"), array("\\\\", "\\n"), $_SERVER[$k]), "\n";
}
