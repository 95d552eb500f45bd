"""`sensitivity` through real Envoy: a profile on one path prefix runs
`high` (a template probe `{{7*7}}` is blocked there and passes elsewhere)
and another `low` (a weak SQL boolean tail passes there and is blocked
elsewhere), while unambiguous evidence is blocked at every level; the
shipped example loads and behaves the same way."""
import json
import urllib.parse

from conftest import ROOT, wait_for

PROBE = "/q?t=" + urllib.parse.quote("{{7*7}}")
TAIL = "?q=" + urllib.parse.quote("1' OR '1'='1")
UNION = "?q=" + urllib.parse.quote("1 union select password from users")

CONFIG = {
    "mode": "block",
    "profiles": [
        {"name": "render", "match": {"path_prefix": "/render/"},
         "config": {"sensitivity": "high"}},
        {"name": "forum", "match": {"path_prefix": "/forum/"},
         "config": {"sql_injection": {"sensitivity": "low"}}},
    ],
}


def test_a_profile_runs_high_on_one_prefix_and_low_on_another(make_envoy):
    e = make_envoy(CONFIG)
    # high: the template probe blocks only under /render/.
    assert e.get("/render" + PROBE).status == 403
    assert e.get(PROBE).status == 200
    assert e.get("/forum" + PROBE).status == 200
    # low (SQL only): the boolean tail passes only under /forum/.
    assert e.get("/forum/t" + TAIL).status == 200
    assert e.get("/search" + TAIL).status == 403
    assert e.get("/render/t" + TAIL).status == 403
    # Unambiguous evidence blocks at every level.
    for prefix in ["/forum/t", "/render/t", "/search"]:
        assert e.get(prefix + UNION).status == 403, prefix

    def counted():
        return e.stat('rasp_profile_attacks_total{profile="render",type="ssti",action="block"}') == 1
    wait_for(counted, what="profile counters")
    attacks = [x for x in e.events() if x["event"] == "rasp.attack"]
    rules = {(x.get("profile"), x["rule"]) for x in attacks}
    assert ("render", "ssti.probe") in rules, rules


def test_the_example_loads_and_sets_the_levels(make_envoy):
    cfg = json.loads((ROOT / "examples" / "sensitivity.json").read_text())
    e = make_envoy(cfg)
    # command_injection is `low` everywhere: a chained command passes...
    chained = "?q=" + urllib.parse.quote("x; ls -la /var/www")
    assert e.get("/search" + chained).status == 200
    # ...a substitution does not.
    assert e.get("/search?q=" + urllib.parse.quote("$(id)")).status == 403
    assert e.get("/api/render" + PROBE).status == 403
    assert e.get(PROBE).status == 200
    assert e.get("/forum/t" + TAIL).status == 200
    assert e.get("/search" + TAIL).status == 403
