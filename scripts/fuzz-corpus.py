#!/usr/bin/env python3
"""make fuzz-corpus: seed corpora for the fuzz targets from the development corpora.

Writes fuzz/corpus/<target>/<sha1> (git-ignored; libFuzzer adds what it finds
there). Seeds are shaped like each target's input (see fuzz/src/targets.rs):

  decode, detect_*         one value (the class's own values plus benign ones)
  detect_xxe, body_xml     an XML document / values placed in XML
  detect_upload            file name, Content-Disposition, content type lines, then content
  header_map               the proxy-wasm header-map serialisation of a request
  http1, transaction       a raw HTTP/1.1 request (the CRS regression requests, and
                           requests built from values: query, form, JSON, multipart, XML)
  head                     request target line, then "name: value" header lines
  body_form, body_json     bodies of that type
  body_multipart           1 byte boundary length, the boundary, then the body
  body_sniff               content-type line (may be empty), then the body
  config                   plugin configurations (the shipped ones and variations)

The hand-picked seeds in fuzz/seeds/<target>/ are committed and are passed to
libFuzzer as a second corpus directory; this script does not copy them.
"""
import argparse
import base64
import hashlib
import json
import os
import random
import struct
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

VALUE_FILES = ["httpparams.jsonl", "libinjection.jsonl", "payloadsallthethings.jsonl", "payloadbox.jsonl",
               "seclists.jsonl", "crs_values.jsonl", "gotestwaf_benign.jsonl"]

DETECTOR_CLASS = {
    "detect_sqli": "sqli",
    "detect_xss": "xss",
    "detect_cmdi": "cmdi",
    "detect_traversal": "path_traversal",
    "detect_ssrf": "ssrf",
}


def load(corpus):
    by_class = {}
    for name in VALUE_FILES:
        p = corpus / name
        if not p.exists():
            continue
        for line in p.open(encoding="utf-8"):
            try:
                d = json.loads(line)
            except ValueError:
                continue
            v = d.get("value")
            if not isinstance(v, str) or not v:
                continue
            by_class.setdefault(d.get("class", "?"), []).append(v)
            raw = d.get("raw")
            if isinstance(raw, str) and raw and raw != v:
                by_class.setdefault("encoded", []).append(raw)
    requests = []
    p = corpus / "crs_requests.jsonl"
    if p.exists():
        for line in p.open(encoding="utf-8"):
            try:
                requests.append(json.loads(line))
            except ValueError:
                pass
    return by_class, requests


def sample(rng, items, n):
    items = list(dict.fromkeys(items))
    if len(items) <= n:
        return items
    return rng.sample(items, n)


def b(s):
    return s.encode("utf-8", "surrogateescape") if isinstance(s, str) else s


def crs_request_parts(r):
    """(method, uri, [(name, value)], body bytes) of one CRS request."""
    body = b""
    if r.get("body_b64"):
        body = base64.b64decode(r["body_b64"])
    elif isinstance(r.get("body"), str):
        body = b(r["body"])
    headers = [(str(k), str(v)) for k, v in (r.get("headers") or [])]
    return r.get("method") or "GET", r.get("uri") or "/", headers, body


def raw_request(method, uri, headers, body):
    lines = [f"{method} {uri} HTTP/1.1"]
    names = {k.lower() for k, _ in headers}
    if "host" not in names:
        lines.append("Host: localhost")
    for k, v in headers:
        if k.lower() == "content-length":
            continue
        lines.append(f"{k}: {v}")
    if body and "transfer-encoding" not in names:
        lines.append(f"Content-Length: {len(body)}")
    return b("\r\n".join(lines) + "\r\n\r\n") + body


def header_map(pairs):
    out = struct.pack("<I", len(pairs))
    for k, v in pairs:
        out += struct.pack("<II", len(k), len(v))
    for k, v in pairs:
        out += k + b"\0" + v + b"\0"
    return out


def multipart(rng, fields, files):
    boundary = rng.choice(["----WebKitFormBoundary7MA4YWxkTrZu0gW", "xYzZY", "---------------------------9051914041544843365972754266", "b"])
    parts = []
    for name, value in fields:
        parts.append(b(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n') + b(value) + b"\r\n")
    for name, filename, ctype, content in files:
        parts.append(b(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="') + b(filename)
                     + b(f'"\r\nContent-Type: {ctype}\r\n\r\n') + content + b"\r\n")
    body = b"".join(parts) + b(f"--{boundary}--\r\n")
    return boundary, body


def json_doc(rng, values):
    shape = rng.randrange(4)
    if shape == 0:
        doc = {"q": values[0]}
    elif shape == 1:
        doc = {"user": {"name": values[0], "tags": values[1:3]}, "page": 2, "ok": True, "x": None}
    elif shape == 2:
        doc = [{"id": i, "v": v} for i, v in enumerate(values)]
    else:
        doc = {v[:20]: v for v in values}
    return b(json.dumps(doc, ensure_ascii=rng.random() < 0.5))


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def xml_doc(rng, values):
    v = values[0]
    if rng.random() < 0.3:
        return b(f'<?xml version="1.0"?><root><item name="{xml_escape(v)}">x</item></root>')
    if rng.random() < 0.3:
        return b(f"<root><![CDATA[{v}]]></root>")
    return b(f'<?xml version="1.0" encoding="UTF-8"?>\n<order id="1"><name>{xml_escape(v)}</name>'
             f"<note>{xml_escape(values[-1])}</note></order>")


def form(values):
    return "&".join(f"f{i}={urllib.parse.quote_plus(v, safe='')}" for i, v in enumerate(values)).encode()


def build(corpus, per_target, seed):
    rng = random.Random(seed)
    by_class, requests = load(corpus)
    benign = by_class.get("benign", [])
    attacks = [v for c, vs in by_class.items() if c not in ("benign", "encoded") for v in vs]
    allvals = attacks + benign
    out = {}

    def add(target, data):
        out.setdefault(target, []).append(data if isinstance(data, bytes) else b(data))

    def vals(k=3):
        return [rng.choice(allvals) for _ in range(k)] if allvals else ["x"] * k

    # Single values.
    for v in sample(rng, allvals + by_class.get("encoded", []) * 2, per_target):
        add("decode", v)
    for t, cls in DETECTOR_CLASS.items():
        own = by_class.get(cls, [])
        for v in sample(rng, own, per_target * 3 // 4) + sample(rng, benign, per_target // 4):
            add(t, v)
    xxe = by_class.get("xxe", []) + by_class.get("xml_other", [])
    for v in xxe:
        add("detect_xxe", v)
        add("body_xml", v)
    for _ in range(per_target // 4):
        add("detect_xxe", xml_doc(rng, vals()))
    for v in by_class.get("upload_filename", []):
        for ctype, content in (("application/octet-stream", b"<?php system($_GET['c']); ?>"),
                               ("image/png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), ("text/plain", b"hello")):
            add("detect_upload", b(v) + b"\n" + b(f'form-data; name="file"; filename="{v}"') + b"\n"
                + b(ctype) + b"\n" + content)

    # Bodies.
    for _ in range(per_target):
        vs = vals()
        add("body_form", form(vs))
        add("body_json", json_doc(rng, vs))
        add("body_xml", xml_doc(rng, vs))
        files = []
        if rng.random() < 0.5:
            fn = rng.choice(by_class.get("upload_filename", ["a.txt"]))
            files.append(("upload", fn, "application/octet-stream", b(vs[2])))
        boundary, body = multipart(rng, [("a", vs[0]), ("b", vs[1])], files)
        add("body_multipart", bytes([len(boundary)]) + b(boundary) + body)
        kind = rng.randrange(5)
        if kind == 0:
            add("body_sniff", b"\n" + json_doc(rng, vs))
        elif kind == 1:
            add("body_sniff", b"text/plain\n" + b(vs[0]))
        elif kind == 2:
            add("body_sniff", b"\n" + xml_doc(rng, vs))
        elif kind == 3:
            add("body_sniff", b"application/vnd.api+json; charset=utf-8\n" + json_doc(rng, vs))
        else:
            add("body_sniff", b"\n" + form(vs))

    # Requests.
    reqs = sample(rng, list(range(len(requests))), per_target)
    for i in reqs:
        method, uri, headers, body = crs_request_parts(requests[i])
        add("http1", raw_request(method, uri, headers, body))
        add("transaction", raw_request(method, uri, headers, body))
        add("head", b(uri) + b"".join(b"\n" + b(k) + b": " + b(v) for k, v in headers))
        pairs = [(b":method", b(method)), (b":path", b(uri)), (b":authority", b"localhost")]
        pairs += [(b(k.lower()), b(v)) for k, v in headers]
        add("header_map", header_map(pairs))
        ct = next((v for k, v in headers if k.lower() == "content-type"), None)
        if body and ct:
            mime = ct.split(";")[0].strip().lower()
            if mime == "application/x-www-form-urlencoded":
                add("body_form", body)
            elif mime.endswith("json"):
                add("body_json", body)
            elif mime.endswith("xml"):
                add("body_xml", body)
            elif mime.startswith("multipart/") and "boundary=" in ct:
                bd = ct.split("boundary=", 1)[1].split(";")[0].strip()
                add("body_multipart", bytes([len(bd) % 71]) + b(bd) + body)
            add("body_sniff", b(ct) + b"\n" + body)
    for _ in range(per_target // 2):
        vs = vals()
        q = "&".join(f"p{i}={urllib.parse.quote(v, safe='')}" for i, v in enumerate(vs))
        kind = rng.randrange(4)
        if kind == 0:
            req = raw_request("GET", f"/search?{q}", [("User-Agent", "Mozilla/5.0"),
                                                      ("Cookie", f"sid=abc; pref={urllib.parse.quote(vs[0])}")], b"")
        elif kind == 1:
            req = raw_request("POST", "/api/items", [("Content-Type", "application/json")], json_doc(rng, vs))
        elif kind == 2:
            boundary, body = multipart(rng, [("title", vs[0])],
                                       [("f", rng.choice(by_class.get("upload_filename", ["x.txt"])),
                                         "text/plain", b(vs[1]))])
            req = raw_request("POST", "/upload", [("Content-Type", f"multipart/form-data; boundary={boundary}")], body)
        else:
            req = raw_request("POST", "/soap", [("Content-Type", "text/xml")], xml_doc(rng, vs))
        add("transaction", req)
        add("head", b(f"/search?{q}") + b"\nuser-agent: " + b(vs[2]) + b"\ncookie: a=" + b(urllib.parse.quote(vs[1])))
    for p in sorted((ROOT / "tests" / "requests").glob("*.http")):
        add("http1", p.read_bytes())
        add("transaction", p.read_bytes())

    # Configurations.
    for p in [ROOT / "envoy" / "rasp-config.json", *sorted((ROOT / "tests" / "requests").glob("*.config.json"))]:
        if p.exists():
            add("config", p.read_bytes())
    base = json.loads((ROOT / "envoy" / "rasp-config.json").read_text())
    variations = [
        {"mode": "monitor"},
        {"limits": {"max_body_bytes": 1, "max_params": 1, "max_depth": 1, "inspect_overflow": "partial"}},
        {"block": {"status_code": 406, "content_type": "text/plain", "body": "no {type} {event_id}"}},
        {"block": {"redirect_url": "/blocked?id={event_id}"}},
        {"allowlist": {"exact_paths": ["/healthz"], "path_prefixes": ["/static/"]}},
        {"inspect": {"headers": ["x-a", "user-agent"], "file_contents": True, "hold_headers": True}},
        {"sql_injection": {"action": "log", "min_length": 3, "whitelist": ["query:sql"]}},
        {"xss": {"action": "off"}, "xxe": {"reject_doctype": True}},
        {"file_upload": {"blacklist": [".php", ".asp"]}},
        {"custom_rules": [{"id": "r1", "patterns": ["(?i)union\\s+select", "a+b*"], "targets": ["query", "body"],
                           "action": "log", "log": False}]},
        {"events": {"max_evidence_bytes": 16, "max_findings": 1}},
    ]
    for v in variations:
        add("config", json.dumps(v))
        merged = dict(base)
        merged.update(v)
        add("config", json.dumps(merged))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=None,
                    help="the development corpora (default: $RASP_CORPUS, else ../shared/corpus or ../../shared/corpus)")
    ap.add_argument("--out", default=str(ROOT / "fuzz" / "corpus"))
    ap.add_argument("--per-target", type=int, default=1500, help="seeds per target from the corpora (default 1500)")
    ap.add_argument("--seed", type=int, default=8)
    a = ap.parse_args()
    given = a.corpus or os.environ.get("RASP_CORPUS")
    candidates = [Path(given)] if given else [ROOT.parent / "shared" / "corpus",
                                              ROOT.parent.parent / "shared" / "corpus"]
    corpus = next((c for c in candidates if c.exists()), None)
    if corpus is None:
        raise SystemExit(f"fuzz-corpus: no corpus at {', '.join(map(str, candidates))}")
    seeds = build(corpus, a.per_target, a.seed)
    out = Path(a.out)
    for target, items in sorted(seeds.items()):
        d = out / target
        d.mkdir(parents=True, exist_ok=True)
        n = 0
        for data in items:
            p = d / hashlib.sha1(data).hexdigest()
            if not p.exists():
                p.write_bytes(data)
                n += 1
        print(f"fuzz-corpus: {target:17s} {n:5d} new seeds ({len(list(d.iterdir()))} in {d.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
