"""Responses on the way back, through real Envoy: leaks logged with their
type and outcome, a card number masked in place, a request parameter
reflected, a compressed body skipped, and the metrics on /stats/prometheus."""
import pytest

from conftest import wait_for

CONFIG = {
    # Block mode, so masking applies; the request detectors these tests
    # trigger only log, so the leaking upstream is reached.
    "sql_injection": {"action": "log"},
    "xss": {"action": "log"},
    "response": {"enabled": True, "actions": {"card_number": "mask"}},
}


@pytest.fixture(scope="module")
def rasp(make_envoy):
    e = make_envoy(CONFIG)
    yield e
    e.stop()


def response_event(envoy, request_id, kind):
    found = []

    def seen():
        found[:] = [e for e in envoy.events()
                    if e.get("event") == "rasp.response" and e.get("request_id") == request_id
                    and e.get("type") == kind]
        return bool(found)
    wait_for(seen, timeout=5, what=f"{kind} response event")
    return found[0]


def test_sql_error_is_leaked_then_confirmed_after_an_injection(rasp):
    r = rasp.get("/leak/sql", {"x-request-id": "resp-sql-1"})
    assert r.status == 500 and b"SQL syntax" in r.body
    ev = response_event(rasp, "resp-sql-1", "sql_error")
    assert ev["outcome"] == "leaked" and ev["status"] == 500 and ev["action"] == "log"
    assert ev["rule"] == "response.sql_error.mysql"
    r = rasp.get("/leak/sql?id=1%27%20OR%20%271%27%3D%271", {"x-request-id": "resp-sql-2"})
    assert r.status == 500
    ev = response_event(rasp, "resp-sql-2", "sql_error")
    assert ev["outcome"] == "confirmed" and ev["attack"] == "sql_injection"
    wait_for(lambda: rasp.stat('rasp_attack_outcome_total{type="sql_injection",outcome="confirmed"}') >= 1,
             timeout=5, what="confirmed counter")


def test_java_stack_trace(rasp):
    r = rasp.get("/leak/java", {"x-request-id": "resp-java"})
    assert r.status == 500
    ev = response_event(rasp, "resp-java", "stack_trace")
    assert ev["rule"] == "response.stack_trace.java" and ev["outcome"] == "leaked"
    assert "Cart.java:42" in ev["evidence"]


def test_card_number_is_masked_in_place(rasp):
    r = rasp.get("/leak/card", {"x-request-id": "resp-card"})
    assert r.status == 200
    assert r.body == b'{"name":"Ann","card":"*******************","exp":"12/29"}', r.body
    assert int(r.header("content-length")) == len(r.body)
    ev = response_event(rasp, "resp-card", "card_number")
    assert ev["action"] == "mask" and ev["evidence"] == "************1111"
    wait_for(lambda: rasp.stat('rasp_response_findings_total{type="card_number",action="mask"}') >= 1,
             timeout=5, what="mask counter")


def test_private_key(rasp):
    r = rasp.get("/leak/key", {"x-request-id": "resp-key"})
    assert b"BEGIN RSA PRIVATE KEY" in r.body, "logged, not masked"
    ev = response_event(rasp, "resp-key", "private_key")
    assert ev["evidence"] == "-----BEGIN RSA PRIVATE KEY-----", "no key material in the event"


def test_reflected_request_parameter(rasp):
    r = rasp.get("/leak/reflect?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E",
                 {"x-request-id": "resp-reflect"})
    assert r.status == 200 and b"<script>alert(document.cookie)</script>" in r.body
    ev = response_event(rasp, "resp-reflect", "reflection")
    assert ev["outcome"] == "reflected" and ev["attack"] == "xss"
    wait_for(lambda: rasp.stat('rasp_attack_outcome_total{type="xss",outcome="reflected"}') == 1,
             timeout=5, what="reflected counter")


def test_compressed_body_is_skipped_and_counted(rasp):
    before = rasp.stat('rasp_response_skipped_total{reason="content_encoding"}')
    r = rasp.get("/leak/gzip", {"x-request-id": "resp-gzip"})
    assert r.status == 500 and r.header("content-encoding") == "gzip"
    wait_for(lambda: rasp.stat('rasp_response_skipped_total{reason="content_encoding"}') == before + 1,
             timeout=5, what="skipped counter")
    assert not [e for e in rasp.events() if e.get("request_id") == "resp-gzip" and e["event"] == "rasp.response"]
