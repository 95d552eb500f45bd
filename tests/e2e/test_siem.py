"""Issue 6: the SIEM sink ships events to a collector through an Envoy cluster,
and a dead collector costs nothing but a counter."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import DEMO_RULE, free_port, wait_for

CLUSTER = """
  - name: siem
    type: STATIC
    connect_timeout: 0.5s
    load_assignment:
      cluster_name: siem
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address: {address: 127.0.0.1, port_value: %d}
"""


class Collector:
    """A local HTTP receiver that records every batch."""

    def __init__(self):
        self.batches = []
        collector = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                collector.batches.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                          "body": body})
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self):
        out = []
        for b in self.batches:
            out.extend(json.loads(line) for line in b["body"].decode().splitlines() if line.strip())
        return out

    def stop(self):
        self.server.shutdown()


@pytest.fixture
def collector():
    c = Collector()
    yield c
    c.stop()


def test_events_arrive_with_their_fields(make_envoy, collector):
    e = make_envoy({"custom_rules": [DEMO_RULE],
                    "siem": {"cluster": "siem", "format": "jsonl", "path": "/ingest",
                             "batch_size": 2, "flush_interval_ms": 200,
                             "headers": [{"name": "authorization", "value": "Bearer t0k3n"}]}},
                   extra_yaml=CLUSTER % collector.port)
    for i in range(3):
        assert e.get(f"/wp-login.php?try={i}", {"x-request-id": f"siem-{i}"}).status == 403
    assert e.get("/fine").status == 200
    wait_for(lambda: len(collector.events()) >= 3, timeout=10, what="events at the collector")
    events = sorted(collector.events(), key=lambda ev: ev["request_id"])
    assert [ev["request_id"] for ev in events] == ["siem-0", "siem-1", "siem-2"]
    for ev in events:
        assert ev["event"] == "rasp.attack"
        assert ev["type"] == "custom"
        assert ev["rule"] == "demo-wp-probe"
        assert ev["location"] == "path"
        assert ev["action"] == "block"
        assert ev["path"] == "/wp-login.php"
        assert ev["client"].startswith("127.0.0.1:")
    b = collector.batches[0]
    assert b["path"] == "/ingest"
    assert b["headers"]["authorization"] == "Bearer t0k3n"
    wait_for(lambda: e.stat("rasp_siem_events_sent_total") == 3, timeout=10, what="sent counter")
    assert e.stat('rasp_siem_events_dropped_total{reason="failed"}') == 0
    e.stop()


def test_splunk_hec_envelope(make_envoy, collector):
    e = make_envoy({"custom_rules": [DEMO_RULE],
                    "siem": {"cluster": "siem", "format": "splunk_hec", "batch_size": 1,
                             "headers": [{"name": "authorization", "value": "Splunk 0000-1111"}]}},
                   extra_yaml=CLUSTER % collector.port)
    assert e.get("/wp-admin/", {"x-request-id": "hec-1"}).status == 403
    wait_for(lambda: collector.batches, timeout=10, what="HEC batch")
    b = collector.batches[0]
    assert b["path"] == "/services/collector/event"
    assert b["headers"]["authorization"] == "Splunk 0000-1111"
    env = json.loads(b["body"].decode().splitlines()[0])
    assert env["sourcetype"] == "envoy-rasp"
    assert isinstance(env["time"], (int, float)) and env["time"] > 1.7e9
    assert env["event"]["request_id"] == "hec-1"
    assert env["event"]["type"] == "custom"
    e.stop()


def test_dead_collector_costs_only_a_counter(make_envoy):
    dead = free_port()  # nothing listens here
    e = make_envoy({"custom_rules": [DEMO_RULE],
                    "siem": {"cluster": "siem", "batch_size": 1, "flush_interval_ms": 100, "timeout_ms": 500}},
                   extra_yaml=CLUSTER % dead)
    started = time.time()
    for i in range(5):
        assert e.get("/wp-login.php").status == 403
        assert e.get("/ok").status == 200
    assert time.time() - started < 5, "requests must not wait for the collector"
    wait_for(lambda: e.stat('rasp_siem_events_dropped_total{reason="failed"}') >= 1, timeout=15,
             what="failed counter")
    assert e.stat("rasp_siem_events_sent_total") == 0
    # Traffic is unaffected afterwards too.
    assert e.get("/ok").status == 200
    e.stop()
