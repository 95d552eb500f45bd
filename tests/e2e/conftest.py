"""Shared fixtures for the real-Envoy tests.

Every test talks to a real Envoy 1.40 (from the project venv) running the
built module with --concurrency 2, in front of the demo upstream, on free
loopback ports. Everything started here is stopped here.
"""
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location("render_envoy", ROOT / "scripts" / "render-envoy.py")
render_envoy = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render_envoy)

WASM = ROOT / "target" / "wasm32-wasip1" / "release" / "envoy_rasp.wasm"
ENVOY = ROOT / ".venv" / "bin" / "envoy"
TEMPLATE = (ROOT / "envoy" / "envoy.yaml").read_text()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, timeout=20.0, interval=0.05, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if pred():
                return True
        except OSError:
            pass
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {what}")


def canonical(series):
    """`name{b="2",a="1"}` -> `name{a="1",b="2"}`; `name` -> `name{}`."""
    m = re.match(r"^([^{]+)(?:\{(.*)\})?$", series)
    if not m:
        return series
    labels = sorted(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
    return m.group(1) + "{" + ",".join(f'{k}="{v}"' for k, v in labels) + "}"


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<Response {self.status} {self.body[:200]!r}>"


def request(port, method, path, headers=None, body=None, timeout=30):
    """One HTTP/1.1 request on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
        hdrs = list((headers or {}).items()) if isinstance(headers, dict) else list(headers or [])
        if body is not None and not any(k.lower() in ("content-length", "transfer-encoding") for k, _ in hdrs):
            hdrs.append(("Content-Length", str(len(body))))
        for k, v in hdrs:
            conn.putheader(k, v)
        conn.endheaders()
        if body is not None:
            conn.send(body)
        r = conn.getresponse()
        return Response(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


class Upstream:
    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "envoy" / "demo_upstream.py"), "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: socket.create_connection(("127.0.0.1", self.port), 0.2).close() or True,
                 what="demo upstream")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Envoy:
    """An Envoy process with the filter and the given plugin configuration."""

    def __init__(self, upstream_port, config=None, concurrency=2, extra_yaml="", expect_fail=False,
                 template=None):
        self.port = free_port()
        self.admin = free_port()
        self.dir = tempfile.mkdtemp(prefix="rasp-e2e-")
        self.yaml_path = os.path.join(self.dir, "envoy.yaml")
        self.log_path = os.path.join(self.dir, "envoy.log")
        text = render_envoy.render(template or TEMPLATE, listen=self.port, admin=self.admin,
                                   upstream=upstream_port, wasm=str(WASM), config=config)
        if extra_yaml:
            text = extra_yaml(text) if callable(extra_yaml) else text + extra_yaml
        Path(self.yaml_path).write_text(text)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [str(ENVOY), "-c", self.yaml_path, "--concurrency", str(concurrency),
             "--disable-hot-restart", "--component-log-level", "wasm:info",
             "--log-format", "[%Y-%m-%d %T.%e][%t][%l][%n] %v"],
            stdout=self.log, stderr=subprocess.STDOUT)
        if not expect_fail:
            try:
                wait_for(self._ready, timeout=30, what="envoy ready")
            except TimeoutError:
                self.stop()
                raise RuntimeError("envoy did not start:\n" + self.read_log()[-4000:])

    def _ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError("envoy exited:\n" + self.read_log()[-4000:])
        r = request(self.admin, "GET", "/ready", timeout=2)
        if r.status != 200:
            return False
        socket.create_connection(("127.0.0.1", self.port), 0.2).close()
        return True

    def read_log(self):
        self.log.flush()
        return Path(self.log_path).read_text(errors="replace")

    def get(self, path, headers=None):
        return request(self.port, "GET", path, headers)

    def post(self, path, body, headers=None):
        return request(self.port, "POST", path, headers, body)

    def stats(self):
        """Prometheus text of the admin endpoint, parsed to {series: value}."""
        text = request(self.admin, "GET", "/stats/prometheus").body.decode()
        out = {}
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            m = re.match(r"^(\S+?)(\{.*\})?\s+(\S+)$", line)
            if m:
                name, labels, value = m.group(1), m.group(2) or "{}", m.group(3)
                try:
                    out[canonical(name + labels)] = float(value)
                except ValueError:
                    pass
        return out

    def stat(self, series):
        return self.stats().get(canonical(series), 0.0)

    def events(self):
        """The security events (JSON lines) the filter logged so far."""
        out = []
        for line in self.read_log().splitlines():
            i = line.find('{"event":"rasp.')
            if i >= 0:
                out.append(json.loads(line[i:]))
        return out

    def wait_exit(self, timeout=20):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


@pytest.fixture(scope="session")
def upstream():
    assert WASM.exists(), f"{WASM} missing: run `make build` first"
    u = Upstream()
    yield u
    u.stop()


@pytest.fixture(scope="session")
def make_envoy(upstream):
    started = []

    def factory(config=None, **kw):
        config = dict(config or {})
        # Like envoy/rasp-config.json: hold headers while the body is inspected
        # (envoy/envoy.yaml sets allow_on_headers_stop_iteration).
        config.setdefault("inspect", {}).setdefault("hold_headers", True)
        e = Envoy(upstream.port, config=config, **kw)
        started.append(e)
        return e

    yield factory
    for e in started:
        e.stop()


DEMO_RULE = {
    "id": "demo-wp-probe",
    "patterns": ["(?i)^/wp-(admin|login)"],
    "targets": ["path"],
    "action": "block",
}


@pytest.fixture(scope="session")
def envoy(make_envoy):
    """Envoy with the default configuration (block mode) plus the demo rule."""
    return make_envoy({"custom_rules": [DEMO_RULE]})
