#!/usr/bin/env python3
"""make soak: mixed benign/attack load through Envoy with the filter, memory sampled.

Not part of CI. Starts the same pair as `make bench` (scripts/bench.py): an
upstream Envoy answering every request directly, and a front Envoy rendered
from envoy/envoy.yaml with the filter (envoy/rasp-config.json plus rate
limiting keyed by X-Forwarded-For, so that the run also creates a stream of
distinct rate-limit keys). One wrk process drives, for --duration seconds, a
rotation of scenarios: browser GETs, JSON and form POSTs, a multipart upload,
SQLi / XSS / traversal / command-injection / SSRF / XXE / upload attacks, a
custom-rule hit, oversized and malformed requests; every request carries a
new X-Forwarded-For and X-Client-Id (a new rate-limit key), except one
scenario of the rotation, which always uses the same key and gets throttled.

Every --interval seconds (10) it samples the largest wasm VM's linear memory
(gauge rasp_wasm_memory_bytes), Envoy's heap (/memory: allocated and
heap_size), the front Envoy's RSS and the request count; at the end it
prints the curve and whether memory stayed flat after the warm-up: every
series within --tolerance (10 %) of its post-warm-up minimum. Writes SOAK.md
unless --no-write; exits 1 when memory was not flat.
"""
import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

# A slow refill (one token per 10 s) keeps every key's bucket tracked for
# about 10 s, so tens of thousands of keys are live at once.
RATE_LIMIT = {
    "enabled": True,
    "requests_per_minute": 6,
    "burst": 100,
    "key": {"source": "x_forwarded_for", "trusted_hops": 1},
}


def lua_str(b):
    if isinstance(b, str):
        b = b.encode()
    return '"' + bench.lua_string(b) + '"'


def scenarios(work):
    """(name, method, path, headers, body bytes or None, shared key)."""
    mp_body, mp_type = bench.multipart_body(64 * 1024)
    upload = (b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"shell.php\"\r\n"
              b"Content-Type: application/octet-stream\r\n\r\n<?php system($_GET['c']); ?>\r\n--b--\r\n")
    browser = {k: v for k, v in bench.BROWSER_HEADERS.items() if k != "Accept-Encoding"}
    return [
        ("benign GET", "GET", "/catalog/search?q=running+shoes&size=42&color=blue&page=2", browser, None, False),
        ("benign JSON 16 KiB", "POST", "/api/orders", {"Content-Type": "application/json"},
         bench.json_body(16 * 1024), False),
        ("benign form", "POST", "/account/profile", {"Content-Type": "application/x-www-form-urlencoded"},
         b"name=O%27Brien&bio=rock+%26+roll%2C+select+your+plan&city=Springfield", False),
        ("benign multipart 64 KiB", "POST", "/upload", {"Content-Type": mp_type}, mp_body, False),
        ("attack SQLi", "GET", "/search?q=1%27%20OR%20%271%27%3D%271&page=1", browser, None, False),
        ("attack XSS", "GET", "/comment?text=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E", browser, None,
         False),
        ("attack traversal", "GET", "/static/..%2f..%2f..%2fetc%2fpasswd", browser, None, False),
        ("attack cmdi", "POST", "/ping", {"Content-Type": "application/x-www-form-urlencoded"},
         b"host=127.0.0.1%3Bcat+%2Fetc%2Fpasswd", False),
        ("attack SSRF", "GET", "/fetch?url=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2F", browser, None,
         False),
        ("attack XXE", "POST", "/soap", {"Content-Type": "application/xml"},
         b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', False),
        ("attack upload", "POST", "/upload", {"Content-Type": "multipart/form-data; boundary=b"}, upload, False),
        ("custom rule", "GET", "/wp-login.php", browser, None, False),
        ("long URL (414)", "GET", "/x?" + "a" * 9000, {}, None, False),
        ("invalid UTF-8 / percent", "GET", "/caf%C3%A9/%FF%FE?q=%zz%&%C0%AF=1", {"Cookie": "a=%FF"}, None, False),
        ("deep JSON", "POST", "/api/deep", {"Content-Type": "application/json"}, b"[" * 5000 + b"]" * 5000, False),
        ("shared key (throttled)", "GET", "/api/status", {}, None, True),
    ]


def wrk_script(work, items):
    lines = ["local reqs = {}"]
    for i, (name, method, path, headers, body, shared) in enumerate(items, 1):
        hs = ", ".join(f"[{lua_str(k)}] = {lua_str(v)}" for k, v in headers.items())
        lines.append(f"reqs[{i}] = {{method = {lua_str(method)}, path = {lua_str(path)}, headers = {{{hs}}}, "
                     f"shared = {'true' if shared else 'false'}}}")
        if body is not None:
            p = Path(work) / f"body{i}.bin"
            p.write_bytes(body)
            lines.append(f'do local f = io.open("{p}", "rb"); reqs[{i}].body = f:read("*all"); f:close() end')
    lines.append("""
local threads = {}
setup = function(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
counter = 0
statuses = {}
request = function()
  counter = counter + 1
  local r = reqs[(counter % #reqs) + 1]
  local h = {}
  for k, v in pairs(r.headers) do h[k] = v end
  local n = counter * 7 + tid
  if r.shared then
    h["X-Forwarded-For"] = "203.0.113.7"
  else
    h["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  end
  h["X-Client-Id"] = "client-" .. n
  return wrk.format(r.method, r.path, h, r.body)
end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  local agg = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do agg[tostring(k)] = (agg[tostring(k)] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(agg) do table.insert(parts, string.format('"%s": %d', k, v)) end
  io.write(string.format('RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d, "statuses": {%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end
""")
    p = Path(work) / "soak.lua"
    p.write_text("\n".join(lines))
    return p


def rss_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def sample(front, t0):
    st = front.stats()
    mem = json.loads(bench.http_get(front.admin, "/memory"))
    return {
        "t": round(time.time() - t0),
        "wasm": st.get("rasp_wasm_memory_bytes{}", 0.0),
        "allocated": float(mem.get("allocated", 0)),
        "heap": float(mem.get("heap_size", 0)),
        "rss": rss_kib(front.proc.pid) * 1024.0,
        "requests": st.get("rasp_requests_total{}", 0.0),
        "throttled": sum(v for k, v in st.items() if k.startswith("rasp_ratelimited_total")),
        "keys": st.get("rasp_ratelimit_keys{}", 0.0),
    }


def spread(values):
    lo = min(values)
    return (max(values) - lo) / lo if lo else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=int(os.environ.get("SOAK_SECONDS", "") or 600))
    ap.add_argument("--interval", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=None,
                    help="seconds excluded from the flatness check (default: 20%% of the run, at most 120)")
    ap.add_argument("--tolerance", type=float, default=0.10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--concurrency", type=int, default=2, help="front Envoy workers (default 2)")
    ap.add_argument("--config", default=str(ROOT / "envoy" / "rasp-config.json"))
    ap.add_argument("--no-rate-limit", action="store_true", help="do not add the rate_limit section")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    warmup = a.warmup if a.warmup is not None else min(120, a.duration // 5)

    if not shutil.which("wrk"):
        raise SystemExit("soak: wrk is missing (apt-get install wrk)")
    work = tempfile.mkdtemp(prefix="rasp-soak-")
    config = json.loads(Path(a.config).read_text())
    if not a.no_rate_limit:
        config["rate_limit"] = RATE_LIMIT
    template = (ROOT / "envoy" / "envoy.yaml").read_text()
    procs = []
    try:
        up_port, up_admin = bench.free_port(), bench.free_port()
        procs.append(bench.Proc("upstream", bench.UPSTREAM_YAML % {"port": up_port, "admin": up_admin}, 1, work))
        port, admin = bench.free_port(), bench.free_port()
        text = bench.render_envoy.render(template, listen=port, admin=admin, upstream=up_port, wasm=str(bench.WASM),
                                         config=config)
        front = bench.Proc("rasp", "stats_flush_interval: 1s\n" + text, a.concurrency, work)
        front.port = port
        procs.append(front)

        items = scenarios(work)
        script = wrk_script(work, items)
        print(f"soak: {a.duration} s of {len(items)} rotating scenarios, {a.connections} connections, "
              f"front Envoy --concurrency {a.concurrency}, samples every {a.interval} s, warm-up {warmup} s",
              flush=True)
        t0 = time.time()
        out = {}

        def drive():
            p = subprocess.run(["wrk", "-t2", f"-c{a.connections}", f"-d{a.duration}s", "--timeout", "10s",
                                "-s", str(script), f"http://127.0.0.1:{port}"],
                               capture_output=True, text=True, timeout=a.duration + 120)
            out["stdout"], out["stderr"] = p.stdout, p.stderr

        driver = threading.Thread(target=drive)
        driver.start()
        samples = [sample(front, t0)]
        print(f"{'t (s)':>6} {'wasm VM':>10} {'allocated':>10} {'heap':>10} {'RSS':>10} {'requests':>10} "
              f"{'throttled':>9} {'rl keys':>8}", flush=True)

        def show(s):
            print(f"{s['t']:>6} {s['wasm'] / 1048576:>8.2f}Mi {s['allocated'] / 1048576:>8.2f}Mi "
                  f"{s['heap'] / 1048576:>8.2f}Mi {s['rss'] / 1048576:>8.2f}Mi {int(s['requests']):>10} "
                  f"{int(s['throttled']):>9} {int(s['keys']):>8}", flush=True)
        show(samples[0])
        next_at = t0 + a.interval
        while driver.is_alive():
            time.sleep(max(0.0, min(1.0, next_at - time.time())))
            if time.time() >= next_at:
                samples.append(sample(front, t0))
                show(samples[-1])
                next_at += a.interval
        driver.join()
        time.sleep(1.5)
        samples.append(sample(front, t0))
        show(samples[-1])

        m = re.search(r"^RESULT (\{.*\})$", out.get("stdout", ""), re.M)
        result = json.loads(m.group(1)) if m else {}
        if not m:
            print("soak: wrk printed no result:\n" + out.get("stdout", "") + out.get("stderr", ""), file=sys.stderr)
        after = [s for s in samples if s["t"] >= warmup and s["t"] <= a.duration]
        if len(after) < 2:
            after = samples[-2:]
        verdict = {}
        for key in ("wasm", "allocated", "rss"):
            verdict[key] = spread([s[key] for s in after])
        flat = all(v <= a.tolerance for v in verdict.values())
        log = Path(work) / "rasp.log"
        vm_failures = [l for l in log.read_text(errors="replace").splitlines()
                       if re.search(r"Wasm VM failed|panicked|Function: proxy_\w+ failed", l)] if log.exists() else []
        st = front.stats()
        reloads = st.get("envoy_wasm_envoy_rasp_vm_reload{}", 0.0)

        lines = ["# Soak test", "",
                 f"Generated by `make soak` (scripts/soak.py) on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
                 f"{a.duration} s of mixed load ({len(items)} rotating scenarios, wrk -t2 -c{a.connections}), "
                 f"front Envoy `--concurrency {a.concurrency}` with `{Path(a.config).name}`"
                 + ("" if a.no_rate_limit else " plus rate limiting keyed by X-Forwarded-For (a new key per request, "
                                               "one scenario sharing one throttled key)") + ".", "",
                 f"- Requests: {result.get('requests', '?')}, transport errors {result.get('errors', '?')}, "
                 f"p50 {result.get('p50_us', 0) / 1000:.2f} ms, p99 {result.get('p99_us', 0) / 1000:.2f} ms",
                 f"- Statuses: {json.dumps(result.get('statuses', {}), sort_keys=True)}",
                 f"- wasm VM failures in the log: {len(vm_failures)}; VM reloads: {int(reloads)}",
                 f"- Memory after the {warmup} s warm-up, (max - min) / min: "
                 + ", ".join(f"{k} {100 * v:.1f} %" for k, v in verdict.items())
                 + f" -> **{'flat' if flat else 'NOT flat'}** (tolerance {100 * a.tolerance:.0f} %)", "",
                 "Scenarios: " + "; ".join(s[0] for s in items) + ".", "",
                 "| t (s) | wasm VM linear memory (MiB) | Envoy allocated (MiB) | Envoy heap (MiB) | Envoy RSS (MiB) "
                 "| requests | throttled | rate-limit keys |",
                 "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for s in samples:
            lines.append(f"| {s['t']} | {s['wasm'] / 1048576:.2f} | {s['allocated'] / 1048576:.2f} | "
                         f"{s['heap'] / 1048576:.2f} | {s['rss'] / 1048576:.2f} | {int(s['requests'])} | "
                         f"{int(s['throttled'])} | {int(s['keys'])} |")
        report = "\n".join(lines) + "\n"
        print()
        print(report)
        if not a.no_write:
            (ROOT / "SOAK.md").write_text(report)
            print("soak: wrote SOAK.md")
        if vm_failures or reloads:
            print("soak: FAILED: the wasm VM failed", file=sys.stderr)
            sys.exit(1)
        if not flat:
            print("soak: FAILED: memory is not flat after the warm-up", file=sys.stderr)
            sys.exit(1)
    finally:
        for p in procs:
            p.stop()


if __name__ == "__main__":
    main()
