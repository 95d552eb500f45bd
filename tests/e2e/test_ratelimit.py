"""Issue 5: the rate limit holds across Envoy worker threads (--concurrency 2)."""
import http.client
import threading
import time

from conftest import canonical, wait_for

RATE = 40      # requests per second
BURST = 20


def limited(extra=None):
    rl = {"enabled": True, "requests_per_second": RATE, "burst": BURST, "max_keys": 1024,
          "response_headers": True, "key": {"source": "header", "header": "x-client"}}
    rl.update(extra or {})
    return {"rate_limit": rl}


def hammer(port, client, seconds, connections=6):
    """Several keep-alive connections sending as fast as they can."""
    counts = {"ok": 0, "429": 0, "other": 0}
    lock = threading.Lock()
    stop = time.time() + seconds
    t0 = time.time()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.time() < stop:
            try:
                conn.request("GET", "/api/items?page=1", headers={"x-client": client})
                r = conn.getresponse()
                r.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            key = "ok" if r.status == 200 else "429" if r.status == 429 else "other"
            with lock:
                counts[key] += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts, time.time() - t0


def workers_used(e):
    """Worker threads that accepted downstream connections on the listener."""
    s = e.stats()
    used = 0
    for series, v in s.items():
        if series.startswith("envoy_listener_worker_downstream_cx_total") and 'envoy_worker_id="' in series \
                and v > 0:
            used += 1
    return used


def test_limit_holds_across_two_workers(make_envoy):
    e = make_envoy(limited(), concurrency=2)
    counts, elapsed = hammer(e.port, "client-a", 4.0)
    expected = BURST + RATE * elapsed
    print(f"admitted {counts['ok']} of {sum(counts.values())} in {elapsed:.2f}s; expected {expected:.1f}")
    assert counts["other"] == 0, counts
    assert counts["429"] > counts["ok"], "the load must exceed the limit for the test to mean anything"
    assert abs(counts["ok"] - expected) <= 0.05 * expected, (counts, expected)
    # Both workers served this client: a per-worker limit would admit twice as much.
    assert workers_used(e) == 2, "both Envoy workers must have taken connections"
    wait_for(lambda: e.stat('rasp_ratelimited_total{action="throttle"}') == counts["429"], timeout=5,
             what="throttle counter")
    e.stop()


def test_two_keys_are_limited_independently(make_envoy):
    e = make_envoy(limited(), concurrency=2)
    results = {}

    def run(client):
        results[client] = hammer(e.port, client, 3.0, connections=4)

    threads = [threading.Thread(target=run, args=(c,)) for c in ("tenant-1", "tenant-2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for client, (counts, elapsed) in results.items():
        expected = BURST + RATE * elapsed
        assert abs(counts["ok"] - expected) <= 0.05 * expected, (client, counts, expected)
    e.stop()


def test_429_and_allowed_responses_carry_the_headers(make_envoy):
    e = make_envoy(limited({"requests_per_second": 1, "burst": 2}), concurrency=2)
    first = e.get("/x", {"x-client": "h"})
    assert first.status == 200
    assert first.header("x-ratelimit-limit") == "2"
    assert first.header("x-ratelimit-remaining") == "1"
    assert e.get("/x", {"x-client": "h"}).status == 200
    r = e.get("/x", {"x-client": "h", "x-request-id": "rl-1"})
    assert r.status == 429
    assert int(r.header("retry-after")) >= 1
    assert r.header("x-ratelimit-limit") == "2"
    assert r.header("x-ratelimit-remaining") == "0"
    assert r.json() == {"rejected": True, "event_id": "rl-1", "reason": "rate_limited"}
    wait_for(lambda: any(ev.get("request_id") == "rl-1" and ev["reason"] == "rate_limited"
                         for ev in e.events()), timeout=5, what="rate-limit event")
    e.stop()


def test_log_action_and_monitor_mode_never_throttle(make_envoy):
    for config, action in ((limited({"requests_per_second": 1, "burst": 1, "action": "log"}), "log"),
                           ({"mode": "monitor", **limited({"requests_per_second": 1, "burst": 1})}, "monitor")):
        e = make_envoy(config, concurrency=2)
        statuses = [e.get("/x", {"x-client": "m"}).status for _ in range(5)]
        assert statuses == [200] * 5, (action, statuses)
        wait_for(lambda: e.stat(canonical(f'rasp_ratelimited_total{{action="{action}"}}')) == 4,
                 timeout=5, what=f"{action} counter")
        e.stop()


def test_per_path_rule(make_envoy):
    e = make_envoy(limited({"rules": [{"path_prefix": "/login", "requests_per_minute": 60, "burst": 2}]}),
                   concurrency=2)
    assert [e.post("/login", b"u=a", {"x-client": "p"}).status for _ in range(3)] == [200, 200, 429]
    # Other paths use the default limit, in their own buckets.
    assert e.get("/home", {"x-client": "p"}).status == 200
    e.stop()


def test_idle_keys_expire(make_envoy):
    e = make_envoy(limited({"requests_per_second": 10, "burst": 5}), concurrency=2)
    for i in range(30):
        assert e.get("/x", {"x-client": f"k{i}"}).status == 200
    # Tracked while their buckets refill (0.1 s each here), then swept.
    wait_for(lambda: e.stat("rasp_ratelimit_keys") > 0, timeout=5, what="keys tracked")
    wait_for(lambda: e.stat("rasp_ratelimit_keys") == 0, timeout=10, what="idle keys expired")
    e.stop()
