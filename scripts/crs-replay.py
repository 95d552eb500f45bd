#!/usr/bin/env python3
"""Replays the OWASP CRS v4 regression requests through real Envoy with the filter.

    .venv/bin/python scripts/crs-replay.py [--corpus DIR] [--config cfg.json]
        [--json out.json] [--markdown] [--min-pl1 PCT] [--max-clean PCT]

Reads `crs_requests.jsonl` (whole requests as go-ftw sends them) and
`crs_rule_paranoia.json` (rule id -> paranoia level) from the corpus folder
(default: $RASP_CORPUS or ../shared/corpus next to the repository), starts the
demo upstream and one Envoy with the built module (default configuration,
block mode) on free loopback ports, sends every request on its own
connection, and reports per CRS family (rule id / 1000):

* PL1 attack tests (`expect: match`, rule at paranoia level 1): the share the
  filter answered itself (403 blocked, or a 4xx limit rejection from the
  filter — told apart from Envoy's own 400s by the filter's JSON body);
* the clean no-match stages (`expect: no_match`, `desc_suggests_fp_regression`
  true, `desc_mentions_attack` false): the share the filter blocked (false
  positives).

`--native PATH` skips Envoy and runs each request through `rasp-explain`
(PATH: the built binary, e.g. target/release/rasp-explain) for quick
iteration while developing a detector; the Envoy replay stays the measure
(Envoy rejects or normalises some requests before the filter sees them).
`--misses FAM` prints the missed PL1 tests of one family (rule id / 1000).

Tests listed in `scripts/crs-deliberate-misses.json` (a rule id for every
test of the rule, or `rule-test`) are bare keywords and harmless probes the
filter lets pass on purpose; when missed they are reported apart, and the
"intended" rate leaves them out.

`--min-pl1` / `--max-clean` make it exit 1 when the attack families together
fall below / the clean stages rise above a percentage (for CI gates).
Everything it starts, it stops.
"""
import argparse
import base64
import collections
import concurrent.futures
import importlib.util
import json
import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = {
    "930": "LFI",
    "931": "RFI",
    "932": "RCE",
    "933": "PHP",
    "934": "generic (Node.js, SSRF, proto)",
    "941": "XSS",
    "942": "SQLi",
    "944": "Java",
}


def load_conftest():
    spec = importlib.util.spec_from_file_location("e2e_conftest", ROOT / "tests" / "e2e" / "conftest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def wire(row):
    """The request bytes, as go-ftw would put them on the wire."""
    if row.get("encoded_request_b64"):
        return base64.b64decode(row["encoded_request_b64"])
    if row.get("body_b64"):
        body = base64.b64decode(row["body_b64"])
    else:
        body = (row.get("body") or "").encode("utf-8", "surrogateescape")
    version = row.get("version") or "HTTP/1.1"
    lines = [f'{row["method"]} {row["uri"]} {version}']
    names = set()
    for k, v in row.get("headers") or []:
        names.add(k.lower())
        # Every request on its own connection: never keep-alive.
        if k.lower() == "connection":
            v = "close"
        lines.append(f"{k}: {v}")
    if "connection" not in names:
        lines.append("Connection: close")
    if body and "content-length" not in names and "transfer-encoding" not in names:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + body


def _complete(buf):
    """True once `buf` holds a whole response (by Content-Length or chunks)."""
    head, sep, body = buf.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        k = k.strip().lower()
        if k == b"content-length":
            try:
                return len(body) >= int(v.strip())
            except ValueError:
                return False
        if k == b"transfer-encoding" and b"chunked" in v.lower():
            return body.endswith(b"0\r\n\r\n")
    return False


def send(port, data, timeout=5.0):
    """(status, body) of the response, or (None, b'') when there was none."""
    buf = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            # No half-close: Envoy drops a downstream that shuts its write
            # side before the response; read until the response is whole
            # (Envoy keeps a connection open for a moment after it).
            s.sendall(data)
            deadline = time.time() + timeout
            while time.time() < deadline and len(buf) < 1 << 20 and not _complete(buf):
                try:
                    d = s.recv(65536)
                except socket.timeout:
                    break
                if not d:
                    break
                buf += d
    except OSError:
        pass
    head, _, body = buf.partition(b"\r\n\r\n")
    try:
        return int(head.split(b"\r\n", 1)[0].split()[1]), body
    except (IndexError, ValueError):
        return None, b""


def by_filter(status, body):
    """True when the filter itself answered (block or limit rejection)."""
    if status is None or status < 400:
        return False
    return b'"blocked":true' in body or b'"rejected":true' in body


def replay_envoy(rows, config):
    """(row, status, by_filter) for every row, through one real Envoy."""
    ct = load_conftest()
    up = ct.Upstream()
    envoy = None
    try:
        envoy = ct.Envoy(up.port, config=config)
        port = envoy.port

        def one(r):
            status, body = send(port, wire(r))
            return (r, status, by_filter(status, body))

        # A few connections at once: some requests are answered only when
        # Envoy's own timeouts fire, and they should not add up.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            return list(pool.map(one, rows))
    finally:
        if envoy:
            envoy.stop()
        up.stop()


def replay_native(explain, rows, config):
    """(row, status, by_filter) for every row, through `rasp-explain`."""
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(config, f)
        cfg = f.name

    def one(r):
        p = subprocess.run([explain, "--json", "--config", cfg, "-"], input=wire(r), capture_output=True)
        try:
            j = json.loads(p.stdout)
        except ValueError:
            return (r, None, False)
        reply = j.get("reply") or {}
        body = (reply.get("body") or "").encode()
        return (r, j.get("status"), by_filter(j.get("status"), body))

    try:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            return list(pool.map(one, rows))
    finally:
        os.unlink(cfg)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_corpus = os.environ.get("RASP_CORPUS") or str(ROOT / ".." / "shared" / "corpus")
    ap.add_argument("--corpus", default=default_corpus)
    ap.add_argument("--config", help="plugin configuration (JSON file); default {}")
    ap.add_argument("--json", help="write per-test results here")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--native", metavar="RASP_EXPLAIN", help="run requests through this rasp-explain binary instead of Envoy")
    ap.add_argument("--misses", metavar="FAM", help="print the missed PL1 tests of this family")
    ap.add_argument("--deliberate", default=str(ROOT / "scripts" / "crs-deliberate-misses.json"),
                    help="JSON object of deliberately missed tests (rule id or rule-test -> reason)")
    ap.add_argument("--min-pl1", type=float, default=None)
    ap.add_argument("--max-clean", type=float, default=None)
    args = ap.parse_args()

    corpus = Path(args.corpus)
    rows = [json.loads(l) for l in open(corpus / "crs_requests.jsonl", encoding="utf-8")]
    levels = json.load(open(corpus / "crs_rule_paranoia.json", encoding="utf-8"))["paranoia_level"]
    config = json.load(open(args.config)) if args.config else {}
    config.setdefault("inspect", {}).setdefault("hold_headers", True)

    if args.native:
        results = replay_native(args.native, rows, config)
    else:
        results = replay_envoy(rows, config)

    deliberate = {k for k in json.load(open(args.deliberate, encoding="utf-8")) if not k.startswith("_")}

    def is_deliberate(r):
        return str(r["rule_id"]) in deliberate or f'{r["rule_id"]}-{r["test_id"]}' in deliberate

    attack = collections.defaultdict(lambda: [0, 0])
    # Deliberate misses per family (PL1 tests listed and not blocked).
    excused = collections.defaultdict(int)
    clean = collections.defaultdict(lambda: [0, 0])
    misses = collections.defaultdict(list)
    for r, status, blocked in results:
        fam = str(r["rule_id"])[:3]
        if fam not in FAMILIES:
            continue
        if r["expect"] == "match" and levels.get(str(r["rule_id"])) == 1:
            attack[fam][0] += 1
            attack[fam][1] += blocked
            if not blocked:
                if is_deliberate(r):
                    excused[fam] += 1
                else:
                    misses[fam].append(f'{r["rule_id"]}-{r["test_id"]}')
        if r["expect"] == "no_match" and r.get("desc_suggests_fp_regression") and not r.get("desc_mentions_attack"):
            clean[fam][0] += 1
            clean[fam][1] += blocked
    # The clean stages of every family (also 920/921 protocol rules).
    all_clean = [0, 0]
    for r, status, blocked in results:
        if r["expect"] == "no_match" and r.get("desc_suggests_fp_regression") and not r.get("desc_mentions_attack"):
            all_clean[0] += 1
            all_clean[1] += blocked

    pct = lambda a, b: 100.0 * b / a if a else 0.0
    tot = [sum(v[0] for v in attack.values()), sum(v[1] for v in attack.values())]
    ex_tot = sum(excused.values())
    if args.markdown:
        print("| family | PL1 attack tests | blocked | rate | deliberate misses | rate without them |")
        print("|---|---:|---:|---:|---:|---:|")
        for fam in sorted(FAMILIES):
            n, b = attack[fam]
            e = excused[fam]
            print(f"| {fam} {FAMILIES[fam]} | {n} | {b} | {pct(n, b):.1f} % | {e} | {pct(n - e, b):.1f} % |")
        print(f"| **all eight** | {tot[0]} | {tot[1]} | **{pct(*tot):.1f} %** | {ex_tot} | **{pct(tot[0] - ex_tot, tot[1]):.1f} %** |")
        print(f"| clean no-match stages (false positives) | {all_clean[0]} | {all_clean[1]} | {pct(*all_clean):.1f} % | | |")
    else:
        print(f"{'family':40} {'PL1 tests':>9} {'blocked':>8} {'rate':>8} {'deliber.':>8} {'intended':>8}")
        for fam in sorted(FAMILIES):
            n, b = attack[fam]
            e = excused[fam]
            print(f"{fam + ' ' + FAMILIES[fam]:40} {n:9} {b:8} {pct(n, b):7.1f}% {e:8} {pct(n - e, b):7.1f}%")
        print(f"{'all eight':40} {tot[0]:9} {tot[1]:8} {pct(*tot):7.1f}% {ex_tot:8} {pct(tot[0] - ex_tot, tot[1]):7.1f}%")
        print(f"{'clean no-match stages blocked':40} {all_clean[0]:9} {all_clean[1]:8} {pct(*all_clean):7.1f}%")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                [
                    {"id": f'{r["rule_id"]}-{r["test_id"]}', "expect": r["expect"], "status": s, "by_filter": b}
                    for r, s, b in results
                ],
                f,
                indent=0,
            )
    if args.misses:
        by_id = {f'{r["rule_id"]}-{r["test_id"]}': r for r, _, _ in results}
        for m in misses.get(args.misses, []):
            r = by_id[m]
            print(f"MISS {m}: {r['method']} {r['uri'][:200]}", (r.get("body") or "")[:200].replace("\n", " "))
    failed = False
    if args.min_pl1 is not None and pct(*tot) < args.min_pl1:
        print(f"crs-replay: PL1 attack families {pct(*tot):.1f} % < {args.min_pl1} %")
        failed = True
    if args.max_clean is not None and pct(*all_clean) > args.max_clean:
        print(f"crs-replay: clean stages blocked {pct(*all_clean):.1f} % > {args.max_clean} %")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
