"""Envoy processes with hand-written configurations, for the operations tests
(alerts, Istio stats packaging): ECDS delivery like Istio's WasmPlugin, a
bootstrap merged with --config-yaml like Istio's bootstrapOverride, no
stats_tags like an Istio sidecar.
"""
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

from conftest import ENVOY, ROOT, TEMPLATE, WASM, free_port, render_envoy, request, wait_for


def parse_prometheus(text):
    """Prometheus text -> list of (name, {label: value}, value)."""
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$", line)
        if not m:
            continue
        labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        try:
            value = float(m.group(4))
        except ValueError:
            continue
        out.append((m.group(1), labels, value))
    return out


class RawEnvoy:
    """Envoy started from a full YAML text, with optional extra arguments."""

    def __init__(self, yaml_text, extra_args=(), admin_port=None, concurrency=1):
        self.admin = admin_port
        self.dir = tempfile.mkdtemp(prefix="rasp-ops-")
        self.yaml_path = os.path.join(self.dir, "envoy.yaml")
        self.log_path = os.path.join(self.dir, "envoy.log")
        Path(self.yaml_path).write_text(yaml_text)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [str(ENVOY), "-c", self.yaml_path, "--concurrency", str(concurrency),
             "--disable-hot-restart", "--component-log-level", "wasm:info", *extra_args],
            stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_for(self._ready, timeout=30, what="envoy ready")
        except Exception:
            self.stop()
            raise RuntimeError("envoy did not start:\n" + self.read_log()[-4000:])

    def _ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError("envoy exited:\n" + self.read_log()[-4000:])
        return request(self.admin, "GET", "/ready", timeout=2).status == 200

    def read_log(self):
        self.log.flush()
        return Path(self.log_path).read_text(errors="replace")

    def scrape(self):
        return parse_prometheus(request(self.admin, "GET", "/stats/prometheus").body.decode())

    def value(self, name, **labels):
        for n, l, v in self.scrape():
            if n == name and all(l.get(k) == str(x) for k, x in labels.items()):
                return v
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


def without_stats_config(text):
    """envoy.yaml without its stats_config block (what an Istio sidecar has:
    no stats_tags for the filter's metrics)."""
    out, skipping = [], False
    for line in text.splitlines():
        if line.startswith("stats_config:"):
            skipping = True
            continue
        if skipping and line and not line[0].isspace() and not line.startswith("#"):
            skipping = False
        if not skipping:
            out.append(line)
    return "\n".join(out) + "\n"


def standard_yaml(upstream_port, config, listen, admin, transform=None):
    """envoy/envoy.yaml rendered with ports, module and plugin config."""
    text = render_envoy.render(TEMPLATE, listen=listen, admin=admin, upstream=upstream_port,
                               wasm=str(WASM), config=config)
    return transform(text) if transform else text


class EcdsEnvoy(RawEnvoy):
    """The filter delivered over ECDS from a file, named the way Istio names a
    WasmPlugin's filter (<namespace>.<name>), so the Envoy stats that the
    alerts match have the names they have in a mesh. `push(config)` delivers a
    new plugin configuration the way istiod would."""

    FILTER = "default.envoy-rasp"

    def __init__(self, config):
        self.listen = free_port()
        admin = free_port()
        self.ext_dir = tempfile.mkdtemp(prefix="rasp-ecds-")
        self.ext_path = os.path.join(self.ext_dir, "ext.json")
        self.push(config)
        yaml_text = f"""
node: {{id: sidecar~127.0.0.1~app.default~default.svc.cluster.local, cluster: app.default}}
admin:
  address: {{socket_address: {{address: 127.0.0.1, port_value: {admin}}}}}
static_resources:
  listeners:
  - name: inbound
    address: {{socket_address: {{address: 127.0.0.1, port_value: {self.listen}}}}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: inbound
          route_config:
            virtual_hosts:
            - name: app
              domains: ["*"]
              routes:
              - match: {{prefix: "/"}}
                direct_response: {{status: 200, body: {{inline_string: "ok"}}}}
          http_filters:
          - name: {self.FILTER}
            config_discovery:
              config_source:
                path_config_source: {{path: {self.ext_path}}}
                resource_api_version: V3
              type_urls: ["type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm"]
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
"""
        super().__init__(yaml_text, admin_port=admin)

    def push(self, config):
        doc = {"resources": [{
            "@type": "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig",
            "name": self.FILTER,
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
                "config": {
                    "name": self.FILTER,
                    "root_id": "envoy_rasp",
                    "failure_policy": "FAIL_RELOAD",
                    "vm_config": {"vm_id": self.FILTER, "runtime": "envoy.wasm.runtime.v8",
                                  "code": {"local": {"filename": str(WASM)}}},
                    "configuration": {"@type": "type.googleapis.com/google.protobuf.StringValue",
                                      "value": json.dumps(config)},
                },
            },
        }]}
        tmp = self.ext_path + ".tmp"
        Path(tmp).write_text(json.dumps(doc))
        os.replace(tmp, self.ext_path)  # atomic: Envoy watches the file

    def get(self, path):
        return request(self.listen, "GET", path)


__all__ = ["RawEnvoy", "EcdsEnvoy", "parse_prometheus", "standard_yaml", "without_stats_config",
           "free_port", "request", "wait_for", "ROOT"]
