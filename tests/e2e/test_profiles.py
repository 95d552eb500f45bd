"""Policy per host and route through real Envoy: profiles chosen by
:authority (one blocks, one monitors), an exclusion that lets a finding
pass on one path only, an expired exclusion (flagged by
`rasp-explain --check`, loaded by the filter with a warning and a gauge),
and a shadow configuration whose differences show on /stats/prometheus."""
import http.client
import json
import subprocess
import urllib.parse

from conftest import ROOT, Response, wait_for

SQLI = "1' OR '1'='1"
SQLI_Q = "/search?q=" + urllib.parse.quote(SQLI)
COMMENT = json.dumps({"comment": "' or 1=1--"}).encode()
JSON = {"content-type": "application/json"}


def get_as(e, path, host):
    """GET with this Host (one, instead of the client's 127.0.0.1:port)."""
    conn = http.client.HTTPConnection("127.0.0.1", e.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host)
        conn.endheaders()
        r = conn.getresponse()
        return Response(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


def test_two_profiles_on_two_authorities_block_and_monitor(make_envoy):
    e = make_envoy({
        "mode": "block",
        "profiles": [
            {"name": "shop", "match": {"authority": "shop.example.com"},
             "config": {"mode": "monitor"}},
            {"name": "admin", "match": {"authority": "*.admin.example.com"},
             "config": {"block": {"status_code": 418}}},
        ],
    })
    assert get_as(e, SQLI_Q, "shop.example.com").status == 200
    assert get_as(e, SQLI_Q, "eu.admin.example.com:10000").status == 418
    assert get_as(e, SQLI_Q, "www.example.com").status == 403
    assert get_as(e, "/search?q=shoes", "shop.example.com").status == 200

    def counted():
        return e.stat('rasp_profile_requests_total{profile="shop"}') == 2
    wait_for(counted, what="profile counters")
    assert e.stat('rasp_profile_requests_total{profile="admin"}') == 1
    assert e.stat('rasp_profile_requests_total{profile="global"}') == 1
    assert e.stat('rasp_profile_attacks_total{profile="shop",type="sql_injection",action="monitor"}') == 1
    assert e.stat('rasp_profile_attacks_total{profile="admin",type="sql_injection",action="block"}') == 1
    # The global series keep their labels.
    assert e.stat('rasp_attacks_total{type="sql_injection",action="monitor"}') == 1
    assert e.stat('rasp_attacks_total{type="sql_injection",action="block"}') == 2
    wait_for(lambda: len([x for x in e.events() if x["event"] == "rasp.attack"]) >= 3, what="events")
    by_profile = {x.get("profile"): x for x in e.events() if x["event"] == "rasp.attack"}
    assert by_profile["shop"]["action"] == "monitor" and by_profile["shop"]["mode"] == "monitor"
    assert by_profile["admin"]["action"] == "block"
    assert None in by_profile  # the request no profile matched carries no profile field


def test_an_exclusion_passes_on_one_route_and_not_another(make_envoy):
    e = make_envoy({"exclusions": [{
        "detector": "sql_injection", "location": "json:$.comment",
        "path_prefix": "/api/comments", "reason": "forum comments quote SQL",
        "expires": "2099-12-31"}]})
    r = e.post("/api/comments", COMMENT, JSON)
    assert r.status == 200, r
    assert json.loads(r.body)["path"] == "/api/comments"  # the upstream's echo
    assert e.post("/api/orders", COMMENT, JSON).status == 403
    assert e.post("/api/comments/../orders", COMMENT, JSON).status == 403
    other = json.dumps({"title": "' or 1=1--"}).encode()
    assert e.post("/api/comments", other, JSON).status == 403
    wait_for(lambda: e.stat('rasp_attacks_total{type="sql_injection",action="excluded"}') == 1,
             what="excluded counter")
    # The dot-segment request is blocked as a traversal before its body.
    assert e.stat('rasp_attacks_total{type="sql_injection",action="block"}') == 2
    assert e.stat('rasp_attacks_total{type="path_traversal",action="block"}') == 1
    assert e.stat("rasp_exclusions_expired") == 0


EXPIRED = {"exclusions": [{"detector": "sql_injection", "location": "query:*",
                           "reason": "until the search rewrite ships", "expires": "2020-06-30"}]}


def test_an_expired_exclusion_is_flagged_by_check_and_still_loads(make_envoy, tmp_path):
    cfg = tmp_path / "expired.json"
    cfg.write_text(json.dumps(EXPIRED))
    subprocess.run(["cargo", "build", "--quiet", "--bin", "rasp-explain"], cwd=ROOT, check=True)
    r = subprocess.run([str(ROOT / "target" / "debug" / "rasp-explain"), "--check", "--config", str(cfg)],
                       capture_output=True, text=True)
    assert r.returncode == 1, r
    assert "exclusions[0].expires" in r.stderr and "2020-06-30" in r.stderr, r.stderr
    e = make_envoy(EXPIRED)
    wait_for(lambda: e.stat("rasp_exclusions_expired") == 1, what="expired gauge")
    assert "past their expires date" in e.read_log()
    # Still applied: production does not change on a date.
    assert e.get(SQLI_Q).status == 200


def test_shadow_differences_show_on_prometheus(make_envoy):
    e = make_envoy({
        "mode": "block",
        "shadow": {"sample_percent": 100, "config": {
            "sql_injection": {"action": "off"},
            "custom_rules": [{"id": "candidate", "patterns": ["(?i)canary"], "targets": ["query"]}]}},
    })
    assert e.get(SQLI_Q).status == 403          # the live configuration acts
    assert e.get("/?q=canary").status == 200    # the shadow never does
    assert e.get("/?q=hello").status == 200
    assert e.post("/api/comments", COMMENT, JSON).status == 403

    def diffs():
        return e.stat('rasp_shadow_diff_total{from="block",to="allow",type="sql_injection"}') == 2
    wait_for(diffs, what="shadow diff counter")
    assert e.stat('rasp_shadow_diff_total{from="allow",to="block",type="custom"}') == 1
    assert e.stat("rasp_shadow_requests_total") == 4
    assert e.stat('rasp_attacks_total{type="custom",action="block"}') == 0
    shadow = [x for x in e.events() if x["event"] == "rasp.shadow"]
    assert len(shadow) == 3, shadow
    assert {(x["from"], x["to"]) for x in shadow} == {("block", "allow"), ("allow", "block")}
