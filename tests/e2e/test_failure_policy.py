"""Issue 8: what Envoy 1.40 does when the filter cannot run, under each failure policy.

README "Failure policy" documents these results; envoy/envoy.yaml ships
`failure_policy: FAIL_RELOAD`.

* A plugin configuration the filter rejects (`on_configure` returns false):
  at startup Envoy exits, whatever the policy, with the field named in the
  log; as a dynamic (LDS) update, the update is rejected and the previous
  listener keeps serving, still protected.
* A module that is not valid wasm, or a missing module file: Envoy refuses to
  start, whatever the policy (the policy only covers VMs that fail while
  running).
* A VM that crashes while handling a request (a trap, which is what a Rust
  panic is in a `panic = "abort"` module), using the hand-assembled module
  of crash_module.py with one worker:
  FAIL_CLOSED -> that request and every later one get 503 until Envoy restarts;
  FAIL_OPEN   -> that request gets 503, later ones pass uninspected;
  FAIL_RELOAD -> that request and those in the reload backoff (1 s) get 503,
                 then a new VM serves (vm_reload_success counts it).
"""
import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from conftest import DEMO_RULE, ENVOY, TEMPLATE, WASM, Envoy, free_port, render_envoy, request, wait_for
from crash_module import module

POLICIES = ["FAIL_CLOSED", "FAIL_OPEN", "FAIL_RELOAD"]


def with_policy(policy, wasm=None):
    def edit(text):
        text, n = re.subn(r"failure_policy: \w+", f"failure_policy: {policy}", text)
        assert n == 1, "envoy/envoy.yaml must set failure_policy exactly once"
        if wasm is not None:
            text = re.sub(r"filename: \S+", f"filename: {wasm}", text)
        return text
    return edit


def test_shipped_policy_is_fail_reload():
    assert re.search(r"^\s*failure_policy: FAIL_RELOAD\b", TEMPLATE, re.M)
    istio = (Path(__file__).resolve().parents[2] / "istio" / "wasmplugin.yaml").read_text()
    assert re.search(r"^\s*failStrategy: FAIL_CLOSE\b", istio, re.M)


@pytest.mark.parametrize("policy", POLICIES)
def test_rejected_configuration_stops_envoy_under_every_policy(upstream, policy):
    e = Envoy(upstream.port, config={"limits": {"max_body": 5}}, extra_yaml=with_policy(policy),
              expect_fail=True)
    try:
        code = e.wait_exit(30)
        log = e.read_log()
        assert code not in (None, 0), f"{policy}: Envoy should refuse to start"
        assert "invalid configuration: field `limits.max_body`: unknown field, did you mean `max_body_bytes`?" in log, log[-3000:]
    finally:
        e.stop()


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("kind", ["not-wasm", "missing"])
def test_unloadable_module_stops_envoy_under_every_policy(upstream, tmp_path, policy, kind):
    path = tmp_path / "module.wasm"
    if kind == "not-wasm":
        path.write_bytes(b"\x00asm but not really a module")
    e = Envoy(upstream.port, config={}, extra_yaml=with_policy(policy, path), expect_fail=True)
    try:
        code = e.wait_exit(30)
        log = e.read_log()
        assert code not in (None, 0), f"{policy}/{kind}: Envoy should refuse to start"
        expected = "Unable to create Wasm plugin envoy_rasp" if kind == "not-wasm" else "Invalid path"
        assert expected in log, log[-3000:]
    finally:
        e.stop()


def get_status(port, headers=None):
    try:
        return request(port, "GET", "/", headers or {}, timeout=5).status
    except OSError as ex:  # a reset connection is a failure too
        return type(ex).__name__


POISON = {f"x-poison-{i}": "1" for i in range(8)}


@pytest.mark.parametrize("policy", POLICIES)
def test_vm_crash_at_runtime(upstream, tmp_path, policy):
    wasm = tmp_path / "crash.wasm"
    wasm.write_bytes(module(trap_at=12))
    e = Envoy(upstream.port, config={}, concurrency=1, extra_yaml=with_policy(policy, wasm))
    try:
        assert [get_status(e.port) for _ in range(3)] == [200, 200, 200]
        assert get_status(e.port, POISON) == 503
        wait_for(lambda: "Function: proxy_on_request_headers failed" in e.read_log(), timeout=5,
                 what="the VM failure in the log")
        right_after = [get_status(e.port) for _ in range(3)]
        stats = e.stats
        if policy == "FAIL_CLOSED":
            assert right_after == [503] * 3
            time.sleep(2.5)
            assert [get_status(e.port) for _ in range(3)] == [503] * 3, "fails closed until restart"
            assert stats().get("envoy_wasm_envoy_rasp_vm_reload_success{}", 0) == 0
        elif policy == "FAIL_OPEN":
            assert right_after == [200] * 3, "requests pass with the filter bypassed"
        else:
            # Requests inside the reload backoff (1 s base) fail closed...
            assert right_after[0] == 503
            # ...then a fresh VM takes over.
            wait_for(lambda: get_status(e.port) == 200, timeout=10, interval=0.25, what="VM reload")
            assert [get_status(e.port) for _ in range(3)] == [200] * 3
            assert stats().get("envoy_wasm_envoy_rasp_vm_reload_success{}", 0) >= 1
            # A second crash is recovered from the same way.
            assert get_status(e.port, POISON) == 503
            wait_for(lambda: get_status(e.port) == 200, timeout=15, interval=0.25, what="second reload")
    finally:
        e.stop()


def test_rejected_configuration_update_keeps_the_previous_listener(upstream, tmp_path):
    """LDS from a watched file: a listener update whose plugin configuration the
    filter rejects is refused, and the old listener (and config) keeps serving."""
    port, admin = free_port(), free_port()
    boot = yaml.safe_load(render_envoy.render(TEMPLATE, listen=port, admin=admin, upstream=upstream.port,
                                              wasm=str(WASM), config={"custom_rules": [DEMO_RULE]}))
    listener = boot["static_resources"].pop("listeners")[0]
    listener["@type"] = "type.googleapis.com/envoy.config.listener.v3.Listener"
    boot["dynamic_resources"] = {"lds_config": {
        "path_config_source": {"path": str(tmp_path / "lds.yaml"), "watched_directory": {"path": str(tmp_path)}},
        "resource_api_version": "V3"}}
    boot["node"] = {"id": "rasp-test-node", "cluster": "rasp-test"}

    def write_lds(lst, version):
        (tmp_path / "lds.tmp").write_text(yaml.safe_dump({"version_info": version, "resources": [lst]}))
        os.rename(tmp_path / "lds.tmp", tmp_path / "lds.yaml")  # atomic: the watcher sees a move

    write_lds(listener, "1")
    (tmp_path / "boot.yaml").write_text(yaml.safe_dump(boot))
    log_path = tmp_path / "envoy.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(ENVOY), "-c", str(tmp_path / "boot.yaml"), "--concurrency", "1",
                                 "--disable-hot-restart", "--log-format", "[%l][%n] %v"],
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: request(port, "GET", "/", timeout=2).status == 200, timeout=30, what="listener")
        assert request(port, "GET", "/wp-login.php").status == 403

        bad = json.loads(json.dumps(listener))
        http_filter = bad["filter_chains"][0]["filters"][0]["typed_config"]["http_filters"][0]
        http_filter["typed_config"]["config"]["configuration"]["value"] = json.dumps({"limits": {"max_body": 1}})
        write_lds(bad, "2")

        def rejected():
            text = request(admin, "GET", "/stats?filter=listener_manager.lds.update_rejected").body.decode()
            return "update_rejected: 1" in text
        wait_for(rejected, timeout=15, what="LDS update rejected")
        log = log_path.read_text(errors="replace")
        assert "invalid configuration: field `limits.max_body`: unknown field, did you mean `max_body_bytes`?" in log
        assert "Unable to create Wasm plugin envoy_rasp" in log
        # Still serving, still protecting, with the previous configuration.
        assert request(port, "GET", "/").status == 200
        assert request(port, "GET", "/wp-login.php").status == 403
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
