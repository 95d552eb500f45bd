"""Evasion matrix through real Envoy.

One payload per detector class is placed on every request surface the
filter reads -- query value and key, path, cookie, header, form field,
nested JSON, JSON sent as text/plain, GraphQL variables, multipart field,
XML text and attribute -- raw and encoded (double percent-encoding, HTML
entities, JSON unicode escapes), and sent over HTTP/1.1 and over HTTP/2
(bodies end with trailers, not END_STREAM on the data). Each must get the
filter's 403 naming its class; benign look-alikes on the same surfaces
must reach the upstream. Every request is then replayed through
`rasp-explain` with the same configuration, which must reach the same
verdict (the offline tool and the filter share the engine).

Defaults decide the surfaces: SSRF is not looked for in cookies or headers
(README, `ssrf.surfaces`), and only `user-agent` and `referer` among the
headers are inspected.
"""
import json
import subprocess
import urllib.parse

import pytest

from conftest import DEMO_RULE, ROOT
from rawhttp import http1, http2

CONFIG = {"custom_rules": [DEMO_RULE], "inspect": {"hold_headers": True}}

ATTACKS = {
    "sql_injection": "1' OR '1'='1' -- ",
    "xss": "\"><svg/onload=alert(document.domain)>",
    "command_injection": "127.0.0.1; id; uname -a",
    "path_traversal": "../../../../etc/passwd",
    "ssrf": "http://169.254.169.254/latest/meta-data/iam/",
}

BENIGN = [
    "O'Brien",
    "rock & roll",
    "select your plan and union station",
    "a < b and c > d",
    "$5 | 10% off",
    "https://www.example.com/products?id=7",
    "../images/logo.png",
]

XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b"<order><item>&x;</item></order>")
BOUNDARY = "----raspEvasion7MA4YWxkTrZu0gW"


def q(s):
    return urllib.parse.quote(s, safe="")


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def multipart(fields, filename=None):
    out = ""
    for name, value in fields:
        out += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
    if filename is not None:
        out += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\nhello\r\n")
    return (out + f"--{BOUNDARY}--\r\n").encode()


MP = f"multipart/form-data; boundary={BOUNDARY}"


def placements(v):
    """(surface id, method, path, headers, body) for value `v`."""
    return [
        ("query", "GET", "/search?q=" + q(v) + "&page=2", [], None),
        ("query-double-encoded", "GET", "/search?q=" + q(q(v)), [], None),
        ("query-key", "GET", "/search?" + q(v) + "=1", [], None),
        ("cookie", "GET", "/", [("cookie", "theme=dark; pref=" + q(v))], None),
        ("header-user-agent", "GET", "/", [("user-agent", v)], None),
        ("form", "POST", "/f", [("content-type", "application/x-www-form-urlencoded")],
         ("a=1&comment=" + q(v)).encode()),
        ("json-nested", "POST", "/api", [("content-type", "application/json")],
         json.dumps({"user": {"tags": ["x", {"note": v}]}}).encode()),
        ("json-unicode-escaped", "POST", "/api", [("content-type", "application/json")],
         json.dumps({"note": v}, ensure_ascii=True).replace("'", "\\u0027").replace("<", "\\u003c").encode()),
        ("json-as-text-plain", "POST", "/api", [("content-type", "text/plain")],
         json.dumps({"note": v}).encode()),
        ("graphql-variables", "POST", "/graphql", [("content-type", "application/json")],
         json.dumps({"query": "query($q: String) { search(q: $q) { id } }", "variables": {"q": v}}).encode()),
        ("multipart-field", "POST", "/m", [("content-type", MP)], multipart([("title", "x"), ("comment", v)])),
        ("xml-text", "POST", "/x", [("content-type", "application/xml")],
         f"<order><note>{xml_escape(v)}</note></order>".encode()),
        ("xml-attribute", "POST", "/x", [("content-type", "text/xml")],
         f'<order note="{xml_escape(v)}"/>'.encode()),
    ]


def skipped(cls, surface):
    # SSRF is looked for where URLs are parameters, not in cookies/headers.
    return cls == "ssrf" and surface in ("cookie", "header-user-agent", "query-key")


CASES = []
for cls, payload in ATTACKS.items():
    for surface, method, path, headers, body in placements(payload):
        if not skipped(cls, surface):
            CASES.append((f"{cls}-{surface}", cls, method, path, headers, body))
CASES += [
    ("sql_injection-html-entities", "sql_injection", "GET", "/s?q=" + q("1&#39; OR &#39;1&#39;=&#39;1"), [], None),
    ("path_traversal-path", "path_traversal", "GET", "/static/..%252f..%252f..%252fetc%252fpasswd", [], None),
    ("xxe-xml-body", "xxe", "POST", "/x", [("content-type", "application/xml")], XXE),
    ("xxe-multipart-svg", "xxe", "POST", "/m", [("content-type", MP)],
     f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="a.svg"\r\n'
     f"Content-Type: image/svg+xml\r\n\r\n".encode() + XXE + f"\r\n--{BOUNDARY}--\r\n".encode()),
    ("file_upload-php", "file_upload", "POST", "/m", [("content-type", MP)], multipart([("t", "x")], "shell.php")),
    ("file_upload-double-extension", "file_upload", "POST", "/m", [("content-type", MP)],
     multipart([("t", "x")], "avatar.php.jpg")),
]

BENIGN_CASES = []
for i, v in enumerate(BENIGN):
    for surface, method, path, headers, body in placements(v):
        # A `../` that arrives percent-encoded twice is an evasion, not a
        # relative link: blocked by design (path_traversal).
        if v.startswith("../") and surface == "query-double-encoded":
            continue
        BENIGN_CASES.append((f"benign{i}-{surface}", method, path, headers, body))


def send(proto, port, method, path, headers, body):
    if proto == "h1":
        lines = [f"{method} {path} HTTP/1.1", "Host: localhost", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        return http1(port, ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
    trailers = [("x-checksum", "0")] if body is not None else None
    return http2(port, method, path, headers=headers, body=body, trailers=trailers)


@pytest.fixture(scope="module")
def rasp(make_envoy):
    return make_envoy(CONFIG)


@pytest.mark.parametrize("proto", ["h1", "h2"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_attack_is_blocked_on_every_surface(rasp, proto, case):
    _, cls, method, path, headers, body = case
    r = send(proto, rasp.port, method, path, headers, body)
    assert r.status == 403, (proto, case[0], r)
    assert json.loads(r.body)["type"] == cls, r.body


@pytest.mark.parametrize("proto", ["h1", "h2"])
def test_benign_look_alikes_pass_on_every_surface(rasp, proto):
    failed = []
    for name, method, path, headers, body in BENIGN_CASES:
        r = send(proto, rasp.port, method, path, headers, body)
        if r.status != 200:
            failed.append((name, r.status, r.body[:200]))
    assert not failed, failed


@pytest.fixture(scope="module")
def explain(tmp_path_factory):
    subprocess.run(["cargo", "build", "--quiet", "--bin", "rasp-explain"], cwd=ROOT, check=True)
    cfg = tmp_path_factory.mktemp("explain") / "config.json"
    cfg.write_text(json.dumps(CONFIG))
    return ROOT / "target" / "debug" / "rasp-explain", cfg


def test_rasp_explain_reaches_the_filters_verdict_for_every_case(rasp, explain):
    exe, cfg = explain
    mismatched = []
    for name, method, path, headers, body in ([(c[0], *c[2:]) for c in CASES] + BENIGN_CASES):
        envoy_status = send("h1", rasp.port, method, path, headers, body).status
        lines = [f"{method} {path} HTTP/1.1", "Host: localhost"] + [f"{k}: {v}" for k, v in headers]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")
        out = subprocess.run([str(exe), "--config", str(cfg), "--json", "-"], input=raw, capture_output=True)
        verdict = json.loads(out.stdout) if out.stdout else {}
        # Allowed requests have no reply of the filter's: the upstream's 200.
        status = verdict.get("status") or (200 if verdict.get("verdict") == "allowed" else None)
        if out.returncode not in (0, 1) or status != envoy_status:
            mismatched.append((name, envoy_status, status, out.stderr[-300:]))
    assert not mismatched, mismatched
