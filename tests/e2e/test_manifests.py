"""Every YAML file in the repository parses and has the structure its kind
needs; the Kubernetes example's Envoy configuration really runs; the Falco
companion rules define every name before using it.
"""
import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, WASM, wait_for
from ops_envoy import RawEnvoy, free_port, request

SKIP_DIRS = {".git", ".venv", "target", "target-debian", "build", ".run", "node_modules",
             "__pycache__", "fuzz"}


def yaml_files():
    out = []
    for p in ROOT.rglob("*"):
        if p.suffix in (".yaml", ".yml") and p.is_file() and \
                not any(part in SKIP_DIRS for part in p.relative_to(ROOT).parts):
            out.append(p)
    return sorted(out)


def docs(path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def rel(p):
    return str(p.relative_to(ROOT))


def test_there_are_yaml_files():
    names = {rel(p) for p in yaml_files()}
    for must in ("envoy/envoy.yaml", "istio/wasmplugin.yaml", "istio/prometheus-rules.yaml",
                 "istio/proxy-stats.yaml", "envoy/kubernetes/deployment.yaml",
                 "envoy/kubernetes/falco/falco-values.yaml"):
        assert must in names, must


@pytest.mark.parametrize("path", yaml_files(), ids=rel)
def test_every_yaml_file_parses_and_is_well_formed(path):
    all_docs = docs(path)
    assert all_docs, f"{rel(path)} is empty"
    for d in all_docs:
        assert isinstance(d, dict), f"{rel(path)}: a document is not a mapping"
        if "kind" in d and "apiVersion" in d:
            check_k8s(path, d)
        elif "static_resources" in d or "admin" in d:
            check_envoy(path, d)
        elif "services" in d:
            for name, svc in d["services"].items():
                assert "image" in svc or "build" in svc, f"{rel(path)}: service {name}"
        elif path.name == "falco-values.yaml":
            check_falco_values(d)
        else:
            raise AssertionError(f"{rel(path)}: unknown kind of YAML file; teach this test about it")


def check_envoy(path, d):
    sr = d["static_resources"]
    assert sr.get("listeners"), rel(path)
    clusters = {c["name"] for c in sr.get("clusters", [])}
    for lst in sr["listeners"]:
        for chain in lst["filter_chains"]:
            for f in chain["filters"]:
                rc = f["typed_config"].get("route_config", {})
                for vh in rc.get("virtual_hosts", []):
                    for r in vh["routes"]:
                        if "route" in r:
                            assert r["route"]["cluster"] in clusters, f"{rel(path)}: {r}"


def containers(spec):
    return spec.get("initContainers", []) + spec["containers"]


def check_k8s(path, d):
    kind, where = d["kind"], f"{rel(path)}: {d['kind']}"
    assert d["metadata"].get("name"), where
    if kind == "Deployment":
        spec = d["spec"]
        sel = spec["selector"]["matchLabels"]
        labels = spec["template"]["metadata"]["labels"]
        assert sel.items() <= labels.items(), f"{where}: selector does not match the pod labels"
        pod = spec["template"]["spec"]
        vols = {v["name"] for v in pod.get("volumes", [])}
        for c in containers(pod):
            assert c.get("name") and c.get("image"), where
            assert ":" in c["image"] and not c["image"].endswith(":latest"), \
                f"{where}: pin the image tag of {c['name']}"
            for m in c.get("volumeMounts", []):
                assert m["name"] in vols, f"{where}: volume {m['name']} not defined"
            ports = {p.get("name") for p in c.get("ports", [])}
            for probe in ("readinessProbe", "livenessProbe"):
                port = c.get(probe, {}).get("httpGet", {}).get("port")
                if isinstance(port, str):
                    assert port in ports, f"{where}: {probe} port {port}"
            sc = c.get("securityContext", {})
            assert sc.get("allowPrivilegeEscalation") is False, f"{where}: {c['name']}"
    elif kind == "Service":
        assert d["spec"]["selector"], where
        for p in d["spec"]["ports"]:
            assert p.get("port") and p.get("targetPort"), where
    elif kind == "ConfigMap":
        assert d.get("data") or d.get("binaryData"), where
        for k, v in (d.get("data") or {}).items():
            assert isinstance(v, str), f"{where}: data.{k} must be a string"
    elif kind == "WasmPlugin":
        spec = d["spec"]
        check_wasmplugin_target(spec, where)
        assert re.match(r"^(oci|https?|file)://", spec["url"]), where
        assert spec.get("failStrategy", "FAIL_CLOSE") in ("FAIL_CLOSE", "FAIL_OPEN"), where
        assert spec.get("phase", "UNSPECIFIED_PHASE") in ("UNSPECIFIED_PHASE", "AUTHN", "AUTHZ",
                                                          "STATS"), where
        assert isinstance(spec["pluginConfig"], dict), where
    elif kind == "PrometheusRule":
        for g in d["spec"]["groups"]:
            assert g["name"] and g["rules"], where
            for r in g["rules"]:
                assert r.get("alert") and r.get("expr"), where
                assert r["labels"]["severity"] in ("critical", "warning", "info"), where
    elif kind == "PodMonitor":
        for ep in d["spec"]["podMetricsEndpoints"]:
            assert ep.get("port") and ep.get("path"), where
    else:
        raise AssertionError(f"{where}: kind not checked by this test; add it")


TARGET_KINDS = {"Gateway": "gateway.networking.k8s.io", "GatewayClass": "gateway.networking.k8s.io",
                "Service": ""}
WORKLOAD_MODES = {"UNDEFINED", "CLIENT", "SERVER", "CLIENT_AND_SERVER"}


def check_wasmplugin_target(spec, where):
    """Where a WasmPlugin attaches, as istiod reads it: `selector` (sidecars,
    classic gateways) or `targetRefs` (Gateway API gateways, waypoints,
    Services), never both; `match` modes istiod knows."""
    assert ("selector" in spec) != ("targetRefs" in spec), f"{where}: selector or targetRefs"
    assert "targetRef" not in spec, f"{where}: targetRef is deprecated; use targetRefs"
    for ref in spec.get("targetRefs", []):
        assert ref.get("name"), where
        assert ref["kind"] in TARGET_KINDS, f"{where}: targetRefs kind {ref['kind']}"
        assert ref.get("group", "") == TARGET_KINDS[ref["kind"]], f"{where}: group of {ref}"
    for m in spec.get("match", []):
        assert m.get("mode", "UNDEFINED") in WORKLOAD_MODES, f"{where}: {m}"
        for p in m.get("ports", []):
            assert isinstance(p.get("number"), int), f"{where}: {p}"


def wasmplugins():
    return {rel(p): d for p in sorted((ROOT / "istio").glob("wasmplugin*.yaml"))
            for d in docs(p) if d.get("kind") == "WasmPlugin"}


def test_wasmplugins_for_sidecars_gateways_and_waypoints():
    plugins = wasmplugins()
    assert set(plugins) == {"istio/wasmplugin.yaml", "istio/wasmplugin-gateway.yaml",
                            "istio/wasmplugin-waypoint.yaml"}
    # Sidecars: selected by label, inbound only, so a call between two
    # protected workloads is inspected once (by the callee).
    side = plugins["istio/wasmplugin.yaml"]["spec"]
    assert side["selector"]["matchLabels"]
    assert side["match"] == [{"mode": "SERVER"}]
    # Gateway and waypoint: targetRefs to their Gateway (waypoints ignore
    # `selector`), and no SERVER match: istiod classes gateway listeners as
    # CLIENT, so that match would attach the plugin to nothing.
    for name in ("istio/wasmplugin-gateway.yaml", "istio/wasmplugin-waypoint.yaml"):
        spec = plugins[name]["spec"]
        assert [r["kind"] for r in spec["targetRefs"]] == ["Gateway"], name
        assert not any(m.get("mode") == "SERVER" for m in spec.get("match", [])), name
    assert plugins["istio/wasmplugin-waypoint.yaml"]["spec"]["targetRefs"][0]["name"] == "waypoint"
    # All ship in monitor mode (the README's rollout starts there) and the
    # same module, and never hold headers (Istio cannot set the Envoy side).
    urls = set()
    for name, d in plugins.items():
        conf = d["spec"]["pluginConfig"]
        assert conf["mode"] == "monitor", name
        assert conf.get("inspect", {}).get("hold_headers", False) is False, name
        urls.add(d["spec"]["url"])
    assert len(urls) == 1, urls


def test_wasmplugin_checks_catch_mistakes():
    bad = [
        {"selector": {"matchLabels": {"a": "b"}}, "targetRefs": [{"kind": "Gateway", "name": "g",
                                                                    "group": "gateway.networking.k8s.io"}]},
        {"targetRefs": [{"kind": "Gateway", "name": "g"}]},
        {"targetRefs": [{"kind": "Deployment", "name": "d", "group": "apps"}]},
        {"selector": {}, "match": [{"mode": "INBOUND"}]},
    ]
    for spec in bad:
        with pytest.raises(AssertionError):
            check_wasmplugin_target(spec, "test")


def check_falco_values(d):
    assert d["driver"]["kind"] in ("kmod", "ebpf", "modern_ebpf", "auto")
    falco = d["falco"]
    assert "/etc/falco/rules.d" in falco["rules_files"], "customRules are mounted in rules.d"
    assert not any("k8s_audit_rules" in f for f in falco["rules_files"])
    assert falco["priority"] in ("emergency", "alert", "critical", "error", "warning", "notice",
                                 "info", "debug")
    # No secrets in the values file.
    assert not d["falcosidekick"]["config"]["slack"]["webhookurl"]


# ------------------------------------------------------------ Falco companion

# Names the companion uses from Falco's own falco_rules.yaml.
UPSTREAM_MACROS = {"spawned_process", "container", "open_read", "outbound", "shell_procs",
                   "never_true"}
UPSTREAM_LISTS = {"shell_binaries"}
OPERATORS = {"and", "or", "not", "in", "contains", "icontains", "startswith", "endswith",
             "exists", "glob", "pmatch", "intersects", "bcontains", "bstartswith", "regex"}
PRIORITIES = {"EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFORMATIONAL",
              "INFO", "DEBUG"}


def falco_rule_files():
    values = docs(ROOT / "envoy/kubernetes/falco/falco-values.yaml")[0]
    return {name: yaml.safe_load(text) for name, text in values["customRules"].items()}


def names_in(condition):
    """(macro references, list references) in a Falco condition."""
    text = re.sub(r'"[^"]*"', '""', condition)
    lists, macros = [], []
    for group in re.findall(r"\bin\s*\(([^)]*)\)", text):
        lists += [x.strip() for x in group.split(",")]
    text = re.sub(r"\bin\s*\([^)]*\)", " in () ", text)
    # Operands of comparison operators are values, not names.
    text = re.sub(r"\b(startswith|endswith|contains|icontains|glob|pmatch)\s+\S+", r"\1", text)
    text = re.sub(r"(=|!=|<=|>=|<|>)\s*\S+", "", text)
    for tok in re.findall(r"[A-Za-z_][A-Za-z0-9_.\[\]-]*", text):
        if "." in tok or tok in OPERATORS:
            continue
        macros.append(tok)
    return macros, lists


def test_falco_rules_define_every_name_before_use():
    for fname, items in falco_rule_files().items():
        assert isinstance(items, list), fname
        macros, lists = set(UPSTREAM_MACROS), set(UPSTREAM_LISTS)
        rules = 0
        for item in items:
            if "list" in item:
                lists.add(item["list"])
                assert isinstance(item["items"], list), item
                continue
            cond = item["condition"]
            used_macros, used_lists = names_in(cond)
            for m in used_macros:
                assert m not in lists, f"{fname}: list {m} used as a macro in {cond!r}"
                assert m in macros, f"{fname}: macro {m} used before it is defined"
            for x in used_lists:
                assert x not in macros, f"{fname}: macro {x} used as a list (`in ({x})`)"
            if "macro" in item:
                assert item["macro"] not in UPSTREAM_MACROS | {"sensitive_files"}, \
                    f"{fname}: redefines upstream macro {item['macro']}"
                macros.add(item["macro"])
            else:
                rules += 1
                for key in ("rule", "desc", "condition", "output", "priority", "tags"):
                    assert item.get(key), f"{fname}: rule without {key}"
                assert item["priority"] in PRIORITIES, item["priority"]
        assert rules >= 4, fname


def test_falco_rules_avoid_the_reference_mistakes():
    text = json.dumps(falco_rule_files())
    assert "pool." not in text, "cmdline contains 'pool.' matches thread pools and pool.ntp.org"
    assert "/etc/passwd" not in text, "/etc/passwd is world readable: constant noise"
    assert "fd.rport in (rasp_suspicious_ports)" in text


def test_falco_names_in_condition_parser():
    m, l = names_in('spawned_process and proc.name in (a, b) and not x and fd.name startswith /etc'
                    ' and proc.cmdline contains "y z" and fd.rport=22')
    assert m == ["spawned_process", "x"] and l == ["a", "b"]


# --------------------------------------------------- Kubernetes example runs

def k8s_envoy_yaml():
    cm = next(d for d in docs(ROOT / "envoy/kubernetes/envoy-config.yaml") if d["kind"] == "ConfigMap")
    return cm["data"]["envoy.yaml"]


def test_kubernetes_example_pieces_fit_together():
    dep = docs(ROOT / "envoy/kubernetes/deployment.yaml")[0]
    svc = docs(ROOT / "envoy/kubernetes/service.yaml")[0]
    cm = next(d for d in docs(ROOT / "envoy/kubernetes/envoy-config.yaml") if d["kind"] == "ConfigMap")
    pod = dep["spec"]["template"]["spec"]
    envoy = next(c for c in pod["containers"] if c["name"] == "envoy")
    app = next(c for c in pod["containers"] if c["name"] == "app")
    # The Service selects the pods and targets Envoy, never the app.
    assert svc["spec"]["selector"].items() <= dep["spec"]["template"]["metadata"]["labels"].items()
    envoy_ports = {p["name"]: p["containerPort"] for p in envoy["ports"]}
    for p in svc["spec"]["ports"]:
        assert p["targetPort"] in envoy_ports
    # The app only listens on loopback.
    assert any("127.0.0.1:8081" in a for a in app["args"])
    # Envoy reads the ConfigMap's envoy.yaml and the module from the volume.
    vols = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in envoy["volumeMounts"]}
    assert vols[mounts["/etc/envoy"]]["configMap"]["name"] == cm["metadata"]["name"]
    text = k8s_envoy_yaml()
    conf = yaml.safe_load(text)
    wasm = conf["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0][
        "typed_config"]["http_filters"][0]["typed_config"]["config"]
    filename = wasm["vm_config"]["code"]["local"]["filename"]
    assert Path(filename).parent.as_posix() in mounts
    assert envoy["args"][envoy["args"].index("-c") + 1] == "/etc/envoy/envoy.yaml"
    listen = {l["address"]["socket_address"]["port_value"] for l in conf["static_resources"]["listeners"]}
    assert set(envoy_ports.values()) <= listen
    # Admin stays on loopback.
    assert conf["admin"]["address"]["socket_address"]["address"] == "127.0.0.1"


def test_kubernetes_example_envoy_config_runs(upstream):
    text = k8s_envoy_yaml()
    listen, stats, admin = free_port(), free_port(), free_port()
    text = text.replace("/etc/envoy-rasp/envoy_rasp.wasm", str(WASM))
    text = re.sub(r"port_value: 8080\b", f"port_value: {listen}", text)
    text = re.sub(r"port_value: 9902\b", f"port_value: {stats}", text)
    text = re.sub(r"port_value: 9901\b", f"port_value: {admin}", text)
    text = re.sub(r"port_value: 8081\b", f"port_value: {upstream.port}", text)
    text = text.replace("address: 0.0.0.0", "address: 127.0.0.1")
    e = RawEnvoy(text, admin_port=admin, concurrency=2)
    try:
        assert request(listen, "GET", "/hello?name=O%27Brien").status == 200
        # Monitor mode: a limit violation passes and is counted as monitor
        # (headers over limits.max_header_bytes, 8 KiB; the URL limit is
        # Envoy's own request-header limit, so Envoy would answer first).
        assert request(listen, "GET", "/x", headers={"X-Pad": "a" * 9000}).status == 200
        assert request(stats, "GET", "/ready").status == 200
        # Only the two admin paths are exposed on the stats port.
        assert request(stats, "GET", "/quitquitquit").status == 404
        assert request(stats, "GET", "/config_dump").status == 404

        def counted():
            body = request(stats, "GET", "/stats/prometheus").body.decode()
            return 'rasp_rejected_total{reason="headers_too_large",action="monitor"} 1' in body \
                or 'rasp_rejected_total{action="monitor",reason="headers_too_large"} 1' in body
        wait_for(counted, timeout=5, what="monitor-mode limit counted on the stats port")
    finally:
        e.stop()


def test_the_documented_module_size_is_the_built_one():
    """The README and the Kubernetes example state the module's size (it
    decides how the module can travel); they must stay near `ls -l`."""
    size = WASM.stat().st_size
    for path in (ROOT / "README.md", ROOT / "envoy/kubernetes/deployment.yaml"):
        stated = re.findall(r"about (\d+(?:\.\d+)?) MiB", path.read_text())
        assert stated, f"{rel(path)} states no module size"
        for mib in stated:
            assert abs(float(mib) * 2**20 - size) < 0.3 * size, \
                f"{rel(path)} says about {mib} MiB; the module is {size} bytes"
    # Over a ConfigMap's 1 MiB, the example must not ship it in one.
    if size > 2**20:
        dep = docs(ROOT / "envoy/kubernetes/deployment.yaml")[0]
        vols = {v["name"]: v for v in dep["spec"]["template"]["spec"]["volumes"]}
        assert "configMap" not in vols["envoy-rasp-module"]
