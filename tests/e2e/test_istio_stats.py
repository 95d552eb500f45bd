"""istio/proxy-stats.yaml gives Istio sidecars the same labelled metrics as
envoy/envoy.yaml gives standalone Envoy, both ways it offers:

* option B: its custom_bootstrap.json merged into a bootstrap that has no
  stats_tags, the way Istio applies `sidecar.istio.io/bootstrapOverride`
  (Envoy's --config-yaml merge);
* option A: its PodMonitor metricRelabelings applied to the unlabelled
  scrape of such a sidecar.

The reference is a scrape of the standard envoy/envoy.yaml.
"""
import json
import re

import pytest
import yaml

from conftest import DEMO_RULE, ROOT, wait_for
from ops_envoy import RawEnvoy, free_port, parse_prometheus, request, standard_yaml, without_stats_config

MANIFEST = ROOT / "istio" / "proxy-stats.yaml"
CONFIG = {"custom_rules": [DEMO_RULE], "limits": {"max_url_bytes": 100},
          "inspect": {"hold_headers": True}}


def manifest():
    docs = [d for d in yaml.safe_load_all(MANIFEST.read_text()) if d]
    assert {d["kind"] for d in docs} == {"PodMonitor", "ConfigMap"}
    # The sidecars' PodMonitor (the other one scrapes istiod).
    return {d["kind"]: d for d in docs if d["metadata"]["name"] != "envoy-rasp-istiod"}


def traffic(port):
    assert request(port, "GET", "/ok").status == 200
    assert request(port, "GET", "/wp-login.php").status == 403
    assert request(port, "GET", "/x?" + "a" * 200).status == 414


def rasp_series(series):
    return sorted((n, tuple(sorted(l.items())), v) for n, l, v in series
                  if n.startswith("rasp_") and not n.startswith("rasp_inspection_duration"))


def run(upstream, transform=None, extra_args=()):
    listen, admin = free_port(), free_port()
    e = RawEnvoy(standard_yaml(upstream.port, CONFIG, listen, admin, transform),
                 extra_args=extra_args, admin_port=admin, concurrency=2)
    try:
        traffic(listen)

        def counted():
            return any(n in ("rasp_requests_total",) and v == 3 for n, _, v in e.scrape())
        wait_for(counted, timeout=5, what="requests counted")
        return e.scrape()
    finally:
        e.stop()


@pytest.fixture(scope="module")
def reference(upstream):
    return run(upstream)


@pytest.fixture(scope="module")
def untagged(upstream):
    return run(upstream, transform=without_stats_config)


def test_without_tags_the_labels_are_in_the_names(untagged):
    names = {n for n, _, _ in untagged}
    assert "rasp_attacks_total_type_custom_action_block" in names
    assert "rasp_rejected_total_reason_url_too_long_action_block" in names
    assert "rasp_attacks_total" not in names


def test_bootstrap_override_restores_the_labels(upstream, reference):
    cm = manifest()["ConfigMap"]
    override = json.loads(cm["data"]["custom_bootstrap.json"])
    assert set(override) == {"stats_config"}, "only stats settings belong in the override"
    got = run(upstream, transform=without_stats_config,
              extra_args=("--config-yaml", json.dumps(override)))
    assert rasp_series(got) == rasp_series(reference)
    # The histogram buckets come through too.
    les = {l.get("le") for n, l, _ in got if n == "rasp_inspection_duration_us_bucket"}
    assert "5000" in les


def relabel(series, rules):
    """Prometheus metric_relabel_configs (replace and keep), as the
    Prometheus Operator writes them from metricRelabelings."""
    out = []
    for name, labels, value in series:
        labels = dict(labels, __name__=name)
        keep = True
        for r in rules:
            src = ";".join(labels.get(s, "") for s in r.get("sourceLabels", []))
            rx = re.compile(r.get("regex", "(.*)"))
            action = r.get("action", "replace")
            m = rx.fullmatch(src)
            if action == "keep":
                if not m:
                    keep = False
                    break
            elif action == "replace":
                if m:
                    repl = re.sub(r"\$(\d+)", lambda g: m.group(int(g.group(1))) or "",
                                  r.get("replacement", "$1"))
                    labels[r["targetLabel"]] = repl
            else:
                raise AssertionError(f"relabel action {action} not emulated")
        if keep:
            n = labels.pop("__name__")
            out.append((n, labels, value))
    return out


def test_podmonitor_relabelings_restore_the_labels(untagged, reference):
    pm = manifest()["PodMonitor"]
    ep = pm["spec"]["podMetricsEndpoints"][0]
    assert ep["path"] == "/stats/prometheus"
    assert ep["port"] == "http-envoy-prom"
    got = relabel(untagged, ep["metricRelabelings"])
    assert rasp_series(got) == rasp_series(reference)
    kept = {n for n, _, _ in got}
    assert all(re.match(r"^(rasp_|envoy_wasm_|envoy_extension_config_discovery_)", n) for n in kept)
    # The alerts' Envoy stats survive the keep rule.
    assert any(n.startswith("envoy_wasm_") for n in kept)


def test_relabel_regexes_are_re2_compatible():
    """Prometheus uses RE2: no look-around, no back-references."""
    pm = manifest()["PodMonitor"]
    for r in pm["spec"]["podMetricsEndpoints"][0]["metricRelabelings"]:
        rx = r.get("regex", "")
        assert not re.search(r"\(\?[=!<]|\\[1-9]", rx), rx
