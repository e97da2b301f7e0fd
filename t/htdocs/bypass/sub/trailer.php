<?php
// Reads the whole request body (a chunked body's trailers are merged into
// the request headers here, under MergeTrailers on), then shows what the
// request headers hold and makes a subrequest into a `require` location.
$body = file_get_contents('php://input');
echo "BODY_BYTES=", strlen($body), "\n";
foreach (apache_request_headers() as $k => $v) {
    if (stripos($k, 'mtls') !== false) echo "HEADER=$k\n";
}
virtual('/req/env');
