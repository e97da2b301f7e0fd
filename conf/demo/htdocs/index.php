<?php
// mod_alb_mtls demo page: prints what a PHP application sees.
header('Content-Type: text/plain');
$vars = [];
foreach ($_SERVER as $name => $value) {
    if (strncmp($name, 'SSL_CLIENT_', 11) === 0) {
        $vars[$name] = $value;
    }
}
ksort($vars);
if (!$vars) {
    echo "(no SSL_CLIENT_* variables)\n";
}
foreach ($vars as $name => $value) {
    echo "$name=$value\n";
}
foreach (['REMOTE_USER', 'AUTH_TYPE'] as $name) {
    if (isset($_SERVER[$name])) {
        echo "$name={$_SERVER[$name]}\n";
    }
}
