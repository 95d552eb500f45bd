"""Issue 2: the filter loads in real Envoy, passes, blocks, logs and counts."""
import base64
import json

from conftest import DEMO_RULE, canonical, wait_for


def test_allowed_request_reaches_upstream_unchanged(envoy):
    body = json.dumps({"name": "O'Brien", "note": "select your plan -- thanks"}).encode()
    r = envoy.post("/api/items?sort=name&page=2", body,
                   {"Content-Type": "application/json", "X-Custom": "kept as is"})
    assert r.status == 200, r
    echo = r.json()
    assert echo["method"] == "POST"
    assert echo["path"] == "/api/items?sort=name&page=2"
    assert base64.b64decode(echo["body_b64"]) == body
    headers = dict(echo["headers"])
    assert headers["x-custom"] == "kept as is"
    assert headers["content-type"] == "application/json"


def test_root_is_served(envoy):
    r = envoy.get("/")
    assert r.status == 200
    assert b"demo upstream" in r.body


def test_custom_rule_blocks_with_json_body(envoy):
    r = envoy.get("/wp-login.php", {"x-request-id": "req-abc-123"})
    assert r.status == 403, r
    assert r.header("content-type") == "application/json"
    body = r.json()
    assert body == {"blocked": True, "event_id": "req-abc-123", "type": "custom"}
    # The event is in Envoy's log, with the request id and the location.
    ev = None

    def found():
        nonlocal ev
        ev = next((e for e in envoy.events() if e.get("request_id") == "req-abc-123"), None)
        return ev is not None
    wait_for(found, timeout=5, what="security event")
    assert ev["event"] == "rasp.attack"
    assert ev["type"] == "custom"
    assert ev["rule"] == "demo-wp-probe"
    assert ev["location"] == "path"
    assert ev["action"] == "block"
    assert ev["method"] == "GET"
    assert ev["path"] == "/wp-login.php"
    assert ev["client"].startswith("127.0.0.1:")


def test_configured_status_body_and_redirect(make_envoy):
    e = make_envoy({
        "block": {"status_code": 406, "content_type": "text/plain", "body": "no ({type}) {event_id}"},
        "custom_rules": [DEMO_RULE],
    })
    r = e.get("/wp-admin/", {"x-request-id": "r-1"})
    assert r.status == 406
    assert r.header("content-type") == "text/plain"
    assert r.body == b"no (custom) r-1"
    e.stop()
    e = make_envoy({"block": {"redirect_url": "/blocked?id={event_id}"}, "custom_rules": [DEMO_RULE]})
    r = e.get("/wp-admin/", {"x-request-id": "r-2"})
    assert r.status == 302
    assert r.header("location") == "/blocked?id=r-2"
    e.stop()


def test_monitor_mode_passes_and_counts(make_envoy):
    e = make_envoy({"mode": "monitor", "custom_rules": [DEMO_RULE]})
    r = e.get("/wp-login.php?x=1")
    assert r.status == 200, r
    assert r.json()["path"] == "/wp-login.php?x=1"
    wait_for(lambda: e.stat('rasp_attacks_total{type="custom",action="monitor"}') == 1,
             timeout=5, what="monitor counter")
    assert e.stat("rasp_blocked_total") == 0
    assert any(ev["action"] == "monitor" for ev in e.events())
    e.stop()


def test_metrics_after_known_sequence(make_envoy):
    e = make_envoy({"custom_rules": [DEMO_RULE,
                                     {"id": "log-only", "patterns": ["canary"], "action": "log"}]})
    assert e.get("/ok").status == 200
    assert e.get("/ok?q=canary").status == 200
    assert e.get("/wp-login.php").status == 403
    assert e.get("/wp-admin/x").status == 403
    big = b"x" * 2048
    assert e.post("/upload", big, {"content-type": "application/octet-stream"}).status == 200

    def settled():
        return e.stat("rasp_requests_total") == 5
    wait_for(settled, timeout=5, what="request counter")
    s = e.stats()
    assert s["rasp_requests_total{}"] == 5
    assert s[canonical('rasp_attacks_total{type="custom",action="block"}')] == 2
    assert s[canonical('rasp_attacks_total{type="custom",action="log"}')] == 1
    assert s["rasp_blocked_total{}"] == 2
    # Every series exists before it is used.
    assert s[canonical('rasp_attacks_total{type="sql_injection",action="block"}')] == 0
    assert s[canonical('rasp_rejected_total{reason="body_too_large",action="block"}')] == 0
    # Histograms reach the admin endpoint at the next stats flush (5 s).
    wait_for(lambda: e.stat("rasp_inspection_duration_us_count") == 5, timeout=12,
             what="inspection time histogram")
    e.stop()


def test_body_over_max_body_bytes_is_413(make_envoy):
    e = make_envoy({"limits": {"max_body_bytes": 1000, "max_inspect_bytes": 1000}})
    # Known length: rejected from content-length, before buffering.
    r = e.post("/upload", b"a" * 1001, {"content-type": "application/json"})
    assert r.status == 413, r
    assert r.json()["reason"] == "body_too_large"
    # Exactly at the limit passes.
    r = e.post("/upload", b'{"a":"' + b"b" * 992 + b'"}', {"content-type": "application/json"})
    assert r.status == 200, r
    wait_for(lambda: e.stat('rasp_rejected_total{reason="body_too_large",action="block"}') == 1,
             timeout=5, what="rejected counter")
    e.stop()


def test_bad_config_unknown_field_fails_with_field_name(make_envoy):
    e = make_envoy({"limits": {"max_body": 5}}, expect_fail=True)
    code = e.wait_exit()
    log = e.read_log()
    assert code not in (None, 0), "envoy should refuse the configuration"
    assert "invalid configuration: field `limits.max_body`: unknown field" in log, log[-3000:]
    assert "did you mean `max_body_bytes`?" in log


def test_bad_config_invalid_regex_names_rule_and_pattern(make_envoy):
    e = make_envoy({"custom_rules": [{"id": "bad-one", "patterns": ["ok", "(unclosed"]}]},
                   expect_fail=True)
    code = e.wait_exit()
    log = e.read_log()
    assert code not in (None, 0)
    assert "field `custom_rules[0].patterns[1]`" in log, log[-3000:]
    assert "bad-one" in log
