"""istio/prometheus-rules.yaml matches what a real Envoy exports.

Every metric an alert reads must exist in a real /stats/prometheus scrape
after a known sequence of requests (with the labels the alert selects on),
except the names listed below with the reason they cannot be checked here.
The "filter stopped loading its config" alerts are exercised for real: a
configuration the filter refuses is pushed over ECDS (how Istio delivers a
WasmPlugin) and the counters the alerts read must move.
"""
import re
from pathlib import Path

import pytest
import yaml

from conftest import DEMO_RULE, ROOT, wait_for
from ops_envoy import EcdsEnvoy, parse_prometheus, request

RULES = ROOT / "istio" / "prometheus-rules.yaml"
METRICS_RS = ROOT / "src" / "engine" / "metrics.rs"

# Produced outside Envoy (Istio's control plane and agent): checked by name
# shape only.
EXTERNAL = {
    "pilot_total_xds_rejects": "istiod",
    "istio_agent_wasm_remote_fetch_count": "istio-agent (pilot-agent)",
}

# rasp_* metrics the alerts already use but the filter does not export yet.
# When one is exported (the host defines every metric of the engine's
# catalogue at start), the test below fails until it is removed from here.
PENDING = {}

PROMQL_WORDS = {
    "sum", "rate", "increase", "by", "without", "on", "ignoring", "group_left", "group_right",
    "and", "or", "unless", "absent", "histogram_quantile", "bool", "offset", "max", "min",
    "avg", "count", "topk", "bottomk", "irate", "delta", "absent_over_time", "le",
}


def rules():
    docs = list(yaml.safe_load_all(RULES.read_text()))
    assert len(docs) == 1
    doc = docs[0]
    out = []
    for g in doc["spec"]["groups"]:
        for r in g["rules"]:
            out.append((g["name"], r))
    return doc, out


def selectors(expr):
    """(name or None, name regex or None, [(label, op, value)]) per selector."""
    out = []
    # name{matchers} or {__name__=~"..."} forms, and bare names.
    for m in re.finditer(r'([a-zA-Z_:][a-zA-Z0-9_:]*)?\{([^}]*)\}|([a-zA-Z_:][a-zA-Z0-9_:]*)', expr):
        name, body, bare = m.group(1), m.group(2), m.group(3)
        if bare is not None:
            if bare in PROMQL_WORDS or not re.match(r"^(rasp|envoy|istio|pilot)_", bare):
                continue
            out.append((bare, None, []))
            continue
        matchers = re.findall(r'([a-zA-Z_]+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"', body)
        regex = None
        rest = []
        for label, op, value in matchers:
            if label == "__name__":
                assert op == "=~", expr
                regex = value
            else:
                rest.append((label, op, value))
        if name and name in PROMQL_WORDS:
            continue  # `by (...)` groupings are parenthesised, not braced
        out.append((name, regex, rest))
    return out


def test_rules_file_is_a_well_formed_prometheus_rule():
    doc, all_rules = rules()
    assert doc["apiVersion"] == "monitoring.coreos.com/v1"
    assert doc["kind"] == "PrometheusRule"
    assert doc["metadata"]["name"]
    names = [r["alert"] for _, r in all_rules]
    assert len(names) == len(set(names)), "duplicate alert names"
    readme = (ROOT / "README.md").read_text()
    runbook = readme.split("### Alert runbook", 1)
    assert len(runbook) == 2, "README.md needs an 'Alert runbook' section"
    for group, r in all_rules:
        assert set(r) <= {"alert", "expr", "for", "labels", "annotations"}, r
        assert r["labels"]["severity"] in ("critical", "warning", "info"), r["alert"]
        for key in ("summary", "description", "runbook"):
            assert r["annotations"].get(key), f"{r['alert']}: annotation {key}"
        if "for" in r:
            assert re.match(r"^\d+[smh]$", r["for"]), r["for"]
        # Balanced brackets, at least one metric selector.
        expr = r["expr"]
        for a, b in ("()", "[]", "{}"):
            assert expr.count(a) == expr.count(b), f"{r['alert']}: unbalanced {a}{b}"
        assert selectors(expr), r["alert"]
        # The runbook names the alert it is linked from.
        anchor = re.search(r"\(([A-Za-z]+)\)", r["annotations"]["runbook"]).group(1)
        assert f"**{anchor}**" in runbook[1], f"README runbook has no entry for {anchor}"


def test_reference_alerts_are_kept_on_real_names():
    _, all_rules = rules()
    by_name = {r["alert"]: r["expr"] for _, r in all_rules}
    assert "rasp_attacks_total" in by_name["RaspHighAttackRate"]
    assert 'type="sql_injection"' in by_name["RaspSQLInjectionAttempts"]
    exprs = " ".join(by_name.values())
    for needed in ("rasp_config_errors_total", "rasp_ratelimited_total",
                   "rasp_siem_events_dropped_total", "rasp_blocked_total"):
        assert needed in exprs, needed


@pytest.fixture(scope="module")
def scraped(make_envoy):
    """Series of a standard Envoy after a known sequence of requests, plus an
    ECDS-fed Envoy that was pushed a configuration the filter refuses."""
    e = make_envoy({
        "custom_rules": [DEMO_RULE, {"id": "canary", "patterns": ["canary"], "action": "log"}],
        "limits": {"max_url_bytes": 200},
    })
    assert e.get("/ok").status == 200
    assert e.get("/wp-login.php").status == 403
    assert e.get("/ok?q=canary").status == 200
    assert e.get("/x?" + "a" * 300).status == 414
    wait_for(lambda: e.stat("rasp_requests_total") == 4, timeout=5, what="requests counted")
    text = request(e.admin, "GET", "/stats/prometheus").body.decode()
    series = parse_prometheus(text)

    ecds = EcdsEnvoy({"custom_rules": [DEMO_RULE]})
    try:
        assert ecds.get("/wp-admin/").status == 403
        ecds.push({"limits": {"max_body": 5}})  # refused: unknown field
        wait_for(lambda: ecds.value("rasp_config_errors_total") == 1, timeout=15,
                 what="rasp_config_errors_total after a refused configuration")
        ecds_series = ecds.scrape()
        # The previous configuration keeps protecting.
        assert ecds.get("/wp-admin/").status == 403
        log = ecds.read_log()
        assert "invalid configuration: field `limits.max_body`: unknown field" in log
    finally:
        ecds.stop()
    return series, ecds_series


def test_every_metric_in_the_rules_exists_in_a_real_scrape(scraped):
    series, ecds_series = scraped
    everything = series + ecds_series
    names = {n for n, _, _ in everything}
    _, all_rules = rules()
    checked = 0
    for _, r in all_rules:
        for name, regex, matchers in selectors(r["expr"]):
            if name in EXTERNAL:
                assert re.match(r"^(istio|pilot)_[a-z_]+$", name)
                continue
            if name in PENDING:
                continue
            if name is not None:
                assert name in names, f"{r['alert']}: {name} is not exported"
                candidates = [l for n, l, _ in everything if n == name]
            else:
                matching = {n for n in names if re.fullmatch(regex, n)}
                assert matching, f"{r['alert']}: no exported metric matches {regex!r}"
                candidates = [l for n, l, _ in everything if n in matching]
            # Each label matcher must be satisfiable by a real series: the
            # labels exist (stats_tags) with the values the alert expects.
            for label, op, value in matchers:
                if op == "=":
                    ok = any(l.get(label) == value for l in candidates)
                elif op == "=~":
                    ok = any(label in l and re.fullmatch(value, l[label]) for l in candidates)
                elif op == "!=":
                    ok = any(label in l and l[label] != value for l in candidates)
                else:
                    ok = any(label in l and not re.fullmatch(value, l[label]) for l in candidates)
                assert ok, f"{r['alert']}: no {name or regex} series with {label}{op}{value!r}"
            checked += 1
    assert checked >= 12, checked


def test_config_refusal_moves_the_counters_the_alerts_read(scraped):
    _, ecds_series = scraped
    values = {n: v for n, l, v in ecds_series}
    assert values["rasp_config_errors_total"] == 1
    fail = [n for n in values if re.fullmatch(
        r"envoy_extension_config_discovery_http_filter_.*rasp.*_(config_fail|update_rejected)", n)]
    assert fail and all(values[n] >= 1 for n in fail), fail
    assert any(re.fullmatch(r"envoy_wasm_.*rasp.*_vm_reload(_failure)?", n) for n in values)


def test_pending_metrics_are_still_pending(scraped):
    series, _ = scraped
    names = {n for n, _, _ in series}
    catalogue = METRICS_RS.read_text()
    for name, why in PENDING.items():
        assert re.match(r"^rasp_[a-z_]+_total$", name), name
        assert name not in names, f"{name} is exported now: remove it from PENDING ({why})"
        # In the catalogue means the host defines it at start: it would be
        # in the scrape (and caught just above).
        assert f'"{name}' not in catalogue, f"{name} is in the catalogue but not exported"


def test_alert_labels_exist_on_scraped_series(scraped):
    """`by (type)` / `by (reason)` groupings must name real labels."""
    series, _ = scraped
    _, all_rules = rules()
    labels_by_name = {}
    for n, l, _ in series:
        labels_by_name.setdefault(n, set()).update(l)
    ignore = {"namespace", "pod", "le", "result"}  # added by Prometheus, histogram, istio-agent
    for _, r in all_rules:
        expr = r["expr"]
        for group in re.findall(r"by \(([^)]*)\)", expr):
            for label in (x.strip() for x in group.split(",")):
                if label in ignore:
                    continue
                users = [n for n, _, _ in selectors(expr) if n and n.startswith("rasp_")
                         and n not in PENDING]
                assert any(label in labels_by_name.get(n, set()) for n in users), \
                    f"{r['alert']}: grouping label {label} not on {users}"


STATS = ROOT / "istio" / "proxy-stats.yaml"


def kept_by_shipped_scrapes(name):
    """True when a shipped PodMonitor endpoint scrapes and keeps series `name`
    (its `keep` rules, matched against the name as exported)."""
    for d in yaml.safe_load_all(STATS.read_text()):
        if not d or d["kind"] != "PodMonitor":
            continue
        for ep in d["spec"]["podMetricsEndpoints"]:
            keeps = [r for r in ep.get("metricRelabelings", []) if r.get("action") == "keep"]
            if all(re.fullmatch(r["regex"], name) for r in keeps):
                return True
    return False


def test_every_alert_is_fed_by_the_shipped_scrapes(scraped):
    """An alert whose metric no shipped PodMonitor keeps can never fire."""
    series, ecds_series = scraped
    # Names as Envoy exports them before the relabelings (rasp_* keep their
    # prefix either way; regex selectors are matched against real names).
    names = {n for n, _, _ in series + ecds_series}
    _, all_rules = rules()
    for _, r in all_rules:
        for name, regex, _ in selectors(r["expr"]):
            if name is not None:
                assert kept_by_shipped_scrapes(name), f"{r['alert']}: {name} is not scraped"
            else:
                matching = [n for n in names if re.fullmatch(regex, n)]
                assert any(kept_by_shipped_scrapes(n) for n in matching), \
                    f"{r['alert']}: nothing matching {regex!r} is scraped"


def test_the_runbook_covers_every_alert():
    readme = (ROOT / "README.md").read_text()
    runbook = readme[readme.index("### Alert runbook"):]
    runbook = runbook[:runbook.index("\n## ")]
    _, all_rules = rules()
    for _, r in all_rules:
        assert f"**{r['alert']}**" in runbook, f"{r['alert']} has no runbook entry"
        assert "README.md#alert-runbook" in r["annotations"].get("runbook", ""), r["alert"]
