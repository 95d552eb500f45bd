"""`inspect.hold_headers` through real Envoy, with and without the Envoy side.

With `allow_on_headers_stop_iteration: true` (envoy/envoy.yaml) a held
request's body reaches the filter at once. Without it Envoy withholds the
body from a filter that holds the headers: the filter's tick resumes such a
request after `inspect.hold_headers_timeout_ms`, counts it, logs once, still
inspects the body, and the VM stops holding headers, so a misconfiguration
costs one timeout per VM, never a hung request.
"""
import json
import time

import pytest

FLAG = "allow_on_headers_stop_iteration: true"
CONFIG = {"inspect": {"hold_headers": True, "hold_headers_timeout_ms": 1000}}
# About 14 KiB of JSON, like the request that exposed the stall.
BODY = json.dumps({"items": [{"id": i, "name": f"item {i}", "note": "x" * 100} for i in range(120)]}).encode()
SQLI = json.dumps({"user": {"name": "' or 1=1--"}}).encode()
JSON = {"Content-Type": "application/json"}


def timed_post(envoy, body, path="/api"):
    t0 = time.monotonic()
    r = envoy.post(path, body, JSON)
    return r, time.monotonic() - t0


def without_flag(text):
    assert FLAG in text
    return text.replace(FLAG, "allow_on_headers_stop_iteration: false")


def test_with_the_envoy_side_nothing_waits(make_envoy):
    e = make_envoy(CONFIG, concurrency=1)
    for _ in range(3):
        r, took = timed_post(e, BODY)
        assert r.status == 200 and took < 0.5, (r, took)
    r, _ = timed_post(e, SQLI)
    assert r.status == 403
    assert e.stat("rasp_hold_headers_resumed_total") == 0
    assert "inspect.hold_headers" not in e.read_log()


def test_without_the_envoy_side_a_held_request_is_resumed_once(make_envoy):
    e = make_envoy(CONFIG, concurrency=1, extra_yaml=without_flag)
    r, took = timed_post(e, BODY)
    assert r.status == 200, r
    assert 0.9 < took < 3.0, f"resumed after the timeout, not hung: {took:.2f} s"
    assert r.json()["body_len"] == len(BODY), "the upstream got the whole body"
    # The VM no longer holds headers: later requests do not wait, and
    # bodies are still inspected.
    for _ in range(3):
        r, took = timed_post(e, BODY)
        assert r.status == 200 and took < 0.5, (r, took)
    r, took = timed_post(e, SQLI)
    assert r.status == 403 and took < 0.5, (r, took)
    assert e.stat("rasp_hold_headers_resumed_total") == 1
    log = e.read_log()
    assert log.count("got no body in time and was resumed") == 1, log[-3000:]
    assert log.count("no longer holds headers") == 1, log[-3000:]


@pytest.mark.parametrize("monitor", [False, True])
def test_without_the_envoy_side_attacks_in_the_first_body_still_count(make_envoy, monitor):
    config = dict(CONFIG, mode="monitor") if monitor else CONFIG
    e = make_envoy(config, concurrency=1, extra_yaml=without_flag)
    r, took = timed_post(e, SQLI)
    assert took < 3.0
    assert r.status == (200 if monitor else 403), r
    assert [ev["type"] for ev in e.events() if ev["event"] == "rasp.attack"] == ["sql_injection"]
