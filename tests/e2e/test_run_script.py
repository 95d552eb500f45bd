"""`make run` (scripts/run.sh) as a user starts it: twice on one machine
with different ports (each has its own rendered config and no hot-restart
socket to fight over), and its start banner says the configured mode."""
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import ROOT, free_port, request, wait_for

SCRIPT = ROOT / "scripts" / "run.sh"


class Run:
    def __init__(self, tmp_path, name, config=None):
        self.port, self.admin, self.upstream = free_port(), free_port(), free_port()
        env = dict(os.environ, LISTEN_PORT=str(self.port), ADMIN_PORT=str(self.admin),
                   UPSTREAM_PORT=str(self.upstream), ENVOY_CONCURRENCY="1")
        if config is not None:
            path = tmp_path / f"{name}.json"
            path.write_text(json.dumps(config))
            env["RASP_CONFIG"] = str(path)
        self.out = open(tmp_path / f"{name}.out", "w+")
        self.proc = subprocess.Popen(["bash", str(SCRIPT)], cwd=ROOT, env=env, stdout=self.out,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def output(self):
        self.out.flush()
        self.out.seek(0)
        return self.out.read()

    def wait_banner(self):
        def up():
            assert self.proc.poll() is None, "run.sh exited:\n" + self.output()[-3000:]
            return "envoy-rasp is running" in self.output()
        wait_for(up, timeout=30, what="the start banner")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.out.close()


@pytest.fixture
def runs(tmp_path):
    started = []

    def start(name, config=None):
        r = Run(tmp_path, name, config)
        started.append(r)
        return r

    yield start
    for r in started:
        r.stop()


def test_two_runs_with_different_ports_both_serve(runs):
    a, b = runs("a"), runs("b")
    a.wait_banner()
    b.wait_banner()
    for r in (a, b):
        assert request(r.port, "GET", "/search?q=hello").status == 200
        assert request(r.port, "GET", "/search?q=1%27%20OR%20%271%27%3D%271").status == 403
        assert request(r.admin, "GET", "/ready").status == 200
        assert "base_id" not in r.output()
    # Each Envoy listens where its own run asked (its own rendered config).
    for r in (a, b):
        assert (ROOT / ".run" / f"envoy-{r.port}.yaml").exists()
    a.stop()
    time.sleep(0.2)
    assert request(b.port, "GET", "/search?q=hello").status == 200, "b outlives a"
    assert b.proc.poll() is None


def test_every_envoy_the_project_starts_runs_without_hot_restart():
    """run, bench, soak, the e2e tests and the deployment examples all start
    Envoy with --disable-hot-restart (none of them hot-restarts, and with it
    on two Envoys on one machine or network namespace share base id 0)."""
    import re
    files = [*ROOT.glob("scripts/*.sh"), *ROOT.glob("scripts/*.py"), *ROOT.glob("tests/e2e/*.py"),
             *ROOT.glob("envoy/**/*.yaml")]
    starts = 0
    for path in files:
        text = path.read_text()
        for m in re.finditer(r'(?:str\(ENVOY\)|bin/envoy|"envoy"|args:)\s*,?\s*\[?\s*"?-c\b', text):
            starts += 1
            window = text[m.start():m.start() + 300]
            assert "--disable-hot-restart" in window, f"{path.relative_to(ROOT)}: {window[:120]!r}"
    assert starts >= 7, starts


@pytest.mark.parametrize("mode", ["block", "monitor"])
def test_the_banner_says_the_configured_mode(runs, mode):
    r = runs(mode, {"mode": mode})
    r.wait_banner()
    banner = r.output()
    assert f"{mode} mode" in banner, banner
    other = "monitor" if mode == "block" else "block"
    assert f"{other} mode" not in banner, banner
    status = request(r.port, "GET", "/search?q=1%27%20OR%20%271%27%3D%271").status
    assert status == (403 if mode == "block" else 200)
