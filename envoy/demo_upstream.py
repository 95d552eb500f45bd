#!/usr/bin/env python3
"""A small demo upstream for envoy-rasp (standard library only).

Answers every request with 200 and a JSON echo of what it received:
method, path, headers and the body (base64), so tests can check that a request
the filter let through reached the application unchanged, byte for byte.
`GET /` answers with a short greeting instead, and `GET /leak/<what>` with an
application that leaks (for the response-inspection tests): `sql` (a MySQL
error, 500), `java` (a Java stack trace, 500), `card` (a card number in JSON),
`key` (a PEM private key), `reflect?q=...` (the parameter echoed into HTML),
`passwd` (passwd lines), `gzip` (a SQL error, gzip-encoded).

    python3 envoy/demo_upstream.py --port 8081
"""
import argparse
import base64
import gzip
import hashlib
import json
import sys
from urllib.parse import parse_qs, urlsplit
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


SQL_ERROR = (b"<html><body><p>You have an error in your SQL syntax; check the manual that corresponds "
             b"to your MySQL server version for the right syntax to use near 'x' at line 1</p></body></html>")
JAVA_TRACE = (b"java.lang.IllegalStateException: cart is empty\n"
              b"\tat com.acme.shop.Cart.total(Cart.java:42)\n"
              b"\tat com.acme.shop.CheckoutServlet.doGet(CheckoutServlet.java:17)\n")
PRIVATE_KEY = (b"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
               b"VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----\n")
PASSWD = b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"


def leak(path):
    """(status, content type, body, extra headers) of a leaking endpoint, or None."""
    url = urlsplit(path)
    what = url.path[len("/leak/"):]
    if what == "sql":
        return 500, "text/html", SQL_ERROR, []
    if what == "java":
        return 500, "text/plain", JAVA_TRACE, []
    if what == "card":
        return 200, "application/json", b'{"name":"Ann","card":"4111 1111 1111 1111","exp":"12/29"}', []
    if what == "key":
        return 200, "text/plain", PRIVATE_KEY, []
    if what == "passwd":
        return 200, "text/plain", PASSWD, []
    if what == "reflect":
        q = parse_qs(url.query).get("q", [""])[0]
        return 200, "text/html", b"<p>You searched for " + q.encode() + b"</p>", []
    if what == "gzip":
        return 500, "text/html", gzip.compress(SQL_ERROR), [("Content-Encoding", "gzip")]
    return None


# Envoy forwards request lines up to its own header limit (96 KiB in
# envoy/envoy.yaml); the standard library's handler refuses lines over 64 KiB
# with a 414 of its own, which an application behind Envoy would not send.
MAX_REQUEST_LINE = 100 * 1024


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "rasp-demo-upstream"

    def handle_one_request(self):
        """As the standard library's, with a request line as long as Envoy's limit."""
        try:
            self.raw_requestline = self.rfile.readline(MAX_REQUEST_LINE + 1)
            if len(self.raw_requestline) > MAX_REQUEST_LINE:
                self.send_error(414)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            method = getattr(self, "do_" + self.command, None)
            if method is None:
                self.send_error(501, f"Unsupported method ({self.command!r})")
                return
            method()
            self.wfile.flush()
        except TimeoutError as e:
            self.log_error("Request timed out: %r", e)
            self.close_connection = True

    def log_message(self, fmt, *args):  # keep the console for Envoy's output
        if self.server.verbose:
            sys.stderr.write("upstream: " + (fmt % args) + "\n")

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline()
                if not size_line:
                    break
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    # trailers until the blank line
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def handle_any(self):
        body = self.read_body()
        leaked = leak(self.path) if self.path.startswith("/leak/") and self.command == "GET" else None
        if leaked:
            status, ctype, payload, extra = leaked
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            for k, v in extra:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if self.path == "/" and self.command == "GET":
            payload = b"hello from the envoy-rasp demo upstream\n"
            ctype = "text/plain"
        else:
            payload = json.dumps({
                "method": self.command,
                "path": self.path,
                "headers": [[k.lower(), v] for k, v in self.headers.items()],
                "body_b64": base64.b64encode(body).decode(),
                "body_len": len(body),
                "body_sha256": hashlib.sha256(body).hexdigest(),
            }).encode()
            ctype = "application/json"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = handle_any


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    server = ThreadingHTTPServer((a.host, a.port), Handler)
    server.daemon_threads = True
    server.verbose = a.verbose
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
