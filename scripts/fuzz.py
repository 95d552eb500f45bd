#!/usr/bin/env python3
"""make fuzz: run every fuzz target for a set time, report, fail on a crash or a slow input.

For each target (fuzz/src/targets.rs; one libFuzzer binary per target):

1. replays its regression fixtures (fuzz/regressions/<target>/, every crash
   ever found) through the optimised, uninstrumented replay tool: one that
   still panics fails the run;
2. runs libFuzzer for FUZZ_SECONDS over fuzz/corpus/<target>/ (seeded by
   `make fuzz-corpus`; new inputs are added there) plus the committed
   hand-picked seeds fuzz/seeds/<target>/, with a dictionary for the
   target's syntax, collecting executions, coverage (cov = edges,
   ft = features, from libFuzzer's final line) and the slowest unit;
3. copies any crash / timeout / OOM artifact into fuzz/regressions/<target>/
   (so it becomes a regression fixture) and fails the run;
4. replays the whole resulting corpus through the replay tool, which times
   every input in an optimised build and fails the run when one takes more
   than FUZZ_MS_PER_KIB (default 1) milliseconds per KiB of input (inputs
   under 1 KiB get a 1 KiB budget). libFuzzer's own -timeout (1 s) is only
   the hang detector: its timings are from the instrumented build.

Environment: FUZZ_SECONDS (default 300 per target), FUZZ_TARGETS
(comma-separated, default all), FUZZ_JOBS (targets run at once, default 1),
FUZZ_SANITIZER (none|address, default none: the engine has no unsafe code and
the sanitizer costs ~2-3x executions), FUZZ_MS_PER_KIB (default 1.0).
Writes fuzz/REPORT.md unless --no-write.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUZZ = ROOT / "fuzz"
TRIPLE = "x86_64-unknown-linux-gnu"

# target -> (max_len, dictionaries)
TARGETS = {
    "decode": (4096, ["decode"]),
    "header_map": (8192, ["http"]),
    "http1": (8192, ["http", "decode"]),
    "config": (8192, ["config", "json"]),
    "head": (8192, ["http", "decode", "sql", "html"]),
    "body_form": (65536, ["decode", "sql"]),
    "body_json": (65536, ["json", "decode"]),
    "body_multipart": (65536, ["multipart", "xml", "json"]),
    "body_xml": (65536, ["xml"]),
    "body_sniff": (65536, ["json", "xml", "multipart", "http"]),
    "detect_sqli": (4096, ["sql", "decode"]),
    "detect_xss": (4096, ["html", "decode"]),
    "detect_cmdi": (4096, ["shell", "decode"]),
    "detect_traversal": (4096, ["url", "decode"]),
    "detect_ssrf": (4096, ["url", "decode"]),
    "detect_xxe": (16384, ["xml"]),
    "detect_upload": (8192, ["multipart"]),
    "transaction": (65536, ["http", "multipart", "json", "xml", "sql"]),
}


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v.strip() else default


def build(sanitizer):
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    print(f"fuzz: building the targets (cargo fuzz build -O -a -s {sanitizer})", flush=True)
    subprocess.run(["cargo", "fuzz", "build", "-O", "-a", "-s", sanitizer], cwd=ROOT, env=env, check=True)
    print("fuzz: building the replay tool", flush=True)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--manifest-path", str(FUZZ / "Cargo.toml"),
                    "--example", "replay"], cwd=ROOT, check=True)


def binary(target):
    return FUZZ / "target" / TRIPLE / "release" / target


def replay_tool():
    return FUZZ / "target" / "release" / "examples" / "replay"


def dict_for(target):
    out = FUZZ / "target" / "dicts" / f"{target}.dict"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = ""
    for name in TARGETS[target][1]:
        p = FUZZ / "dicts" / f"{name}.dict"
        if p.exists():
            text += p.read_text() + "\n"
    out.write_text(text)
    return out


def replay(target, paths, ms_per_kib, top=3):
    paths = [os.path.relpath(p, ROOT) for p in paths if Path(p).exists()]
    if not paths:
        return {"inputs": 0, "panics": 0, "slow": 0, "worst_ms_per_kib": 0.0, "worst_len": 0,
                "worst_us": 0.0, "worst_path": ""}, ""
    try:
        out = subprocess.run([str(replay_tool()), "--ms-per-kib", str(ms_per_kib), "--top", str(top), target,
                              *paths], capture_output=True, text=True, timeout=3600, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"inputs": 0, "panics": 1, "slow": 0, "worst_ms_per_kib": 0.0, "worst_len": 0, "worst_us": 0.0,
                "worst_path": "", "hang": True}, "replay did not finish within an hour"
    m = re.search(r"^RESULT (\{.*\})$", out.stdout, re.M)
    res = json.loads(m.group(1)) if m else {"inputs": 0, "panics": 1, "slow": 0, "worst_ms_per_kib": 0.0,
                                            "worst_len": 0, "worst_us": 0.0, "worst_path": ""}
    text = out.stdout.replace(m.group(0), "").strip() if m else out.stdout + out.stderr
    if out.stderr.strip():
        text += "\n" + "\n".join(l for l in out.stderr.splitlines()
                                  if "PANIC" in l or "HANG" in l or "panicked" in l)
    return res, text


def parse_libfuzzer(log):
    r = {"execs": 0, "exec_s": 0, "cov": 0, "ft": 0, "corp": "", "slowest_s": 0, "rss_mb": 0}
    for k, key in (("execs", "number_of_executed_units"), ("exec_s", "average_exec_per_sec"),
                   ("slowest_s", "slowest_unit_time_sec"), ("rss_mb", "peak_rss_mb")):
        m = re.search(rf"stat::{key}:\s+(\d+)", log)
        if m:
            r[k] = int(m.group(1))
    status = re.findall(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\S+)", log, re.M)
    if status:
        n, cov, ft, corp = status[-1]
        r.update(cov=int(cov), ft=int(ft), corp=corp)
        if not r["execs"]:
            r["execs"] = int(n)
    return r


def run_target(target, seconds, ms_per_kib):
    max_len, _ = TARGETS[target]
    corpus = FUZZ / "corpus" / target
    seeds = FUZZ / "seeds" / target
    regress = FUZZ / "regressions" / target
    artifacts = FUZZ / "artifacts" / target
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    res = {"target": target, "problems": []}

    # 1. Known crashes first.
    if regress.exists() and any(regress.iterdir()):
        rr, text = replay(target, [regress], ms_per_kib)
        res["regressions"] = rr["inputs"]
        if rr.get("hang"):
            res["problems"].append(f"regression fixture {rr['worst_path']} still hangs (endless loop)")
        elif rr["panics"]:
            res["problems"].append(f"{rr['panics']} regression fixture(s) still crash")
        if rr["slow"]:
            res["problems"].append(f"{rr['slow']} regression fixture(s) still slower than {ms_per_kib} ms/KiB "
                                   f"(worst {rr['worst_ms_per_kib']:.3f} ms/KiB, {rr['worst_path']})")
        res["regress_text"] = text

    # 2. Fuzz.
    before = {p.name for p in artifacts.iterdir()}
    dirs = [str(corpus)] + ([str(seeds)] if seeds.exists() else [])
    log_path = FUZZ / "artifacts" / f"{target}.log"
    cmd = [str(binary(target)), *dirs, f"-max_total_time={seconds}", "-print_final_stats=1",
           f"-max_len={max_len}", "-timeout=1", "-report_slow_units=1", "-rss_limit_mb=2048",
           f"-artifact_prefix={artifacts}/", f"-dict={dict_for(target)}"]
    t0 = time.time()
    with open(log_path, "w") as log:
        proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=FUZZ)
    res["seconds"] = round(time.time() - t0)
    text = log_path.read_text(errors="replace")
    res.update(parse_libfuzzer(text))
    res["exit"] = proc.returncode
    new = sorted(p for p in artifacts.iterdir() if p.name not in before)
    crashes = [p for p in new if p.name.split("-")[0] in ("crash", "timeout", "oom", "leak")]
    slow_units = [p for p in new if p.name.startswith("slow-unit-")]
    if crashes or proc.returncode not in (0,):
        regress.mkdir(parents=True, exist_ok=True)
        for p in crashes:
            shutil.copy(p, regress / p.name)
        what = ", ".join(p.name for p in crashes) or f"exit status {proc.returncode}"
        res["problems"].append(f"libFuzzer: {what} (see {log_path.relative_to(ROOT)}; "
                               f"copied to {regress.relative_to(ROOT)}/)")
        m = re.search(r"^(thread '.*panicked.*\n.*)$", text, re.M)
        if m:
            res["panic"] = m.group(1)

    # 3. Time every input of the corpus in an optimised build.
    rr, rtext = replay(target, [corpus, *([seeds] if seeds.exists() else []), *slow_units], ms_per_kib)
    res["replay"] = rr
    res["replay_text"] = rtext
    if rr.get("hang"):
        res["problems"].append(f"replay: {rr['worst_path']} hangs (endless loop)")
    elif rr["panics"]:
        res["problems"].append(f"replay: {rr['panics']} corpus input(s) panic")
    if rr["slow"]:
        regress.mkdir(parents=True, exist_ok=True)
        res["problems"].append(f"replay: {rr['slow']} input(s) slower than {ms_per_kib} ms/KiB "
                               f"(worst {rr['worst_ms_per_kib']:.3f} ms/KiB, {rr['worst_path']})")
        if rr["worst_path"]:
            shutil.copy(ROOT / rr["worst_path"], regress / ("slow-" + Path(rr["worst_path"]).name))
    return res


def table(results, seconds, sanitizer, ms_per_kib):
    lines = ["| target | seconds | executions | exec/s | cov | ft | corpus (units/bytes) | slowest (libFuzzer, instrumented) "
             "| worst replay (optimised) | status |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        rr = r.get("replay", {})
        worst = (f"{rr.get('worst_ms_per_kib', 0):.4f} ms/KiB ({rr.get('worst_us', 0):.0f} µs, "
                 f"{rr.get('worst_len', 0)} B)") if rr else "-"
        lines.append(f"| {r['target']} | {r.get('seconds', 0)} | {r.get('execs', 0):,} | {r.get('exec_s', 0):,} "
                     f"| {r.get('cov', 0)} | {r.get('ft', 0)} | {r.get('corp', '')} | {r.get('slowest_s', 0)} s "
                     f"| {worst} | {'ok' if not r['problems'] else 'FAIL'} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=env_int("FUZZ_SECONDS", 300))
    ap.add_argument("--targets", default=os.environ.get("FUZZ_TARGETS", ""))
    ap.add_argument("--jobs", type=int, default=env_int("FUZZ_JOBS", 1))
    ap.add_argument("--sanitizer", default=os.environ.get("FUZZ_SANITIZER", "") or "none")
    ap.add_argument("--ms-per-kib", type=float, default=float(os.environ.get("FUZZ_MS_PER_KIB", "") or 1.0))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()

    targets = [t.strip() for t in a.targets.split(",") if t.strip()] or list(TARGETS)
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        raise SystemExit(f"fuzz: unknown target(s) {', '.join(unknown)}; known: {', '.join(TARGETS)}")
    if not shutil.which("cargo-fuzz") and not a.no_build:
        raise SystemExit("fuzz: cargo-fuzz is missing: cargo install cargo-fuzz")
    if not (FUZZ / "corpus").exists():
        print("fuzz: no fuzz/corpus yet: run `make fuzz-corpus` for seeds from the development corpora",
              file=sys.stderr)
    if not a.no_build:
        build(a.sanitizer)

    print(f"fuzz: {len(targets)} targets x {a.seconds} s, {a.jobs} at a time, sanitizer {a.sanitizer}", flush=True)
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futs = {pool.submit(run_target, t, a.seconds, a.ms_per_kib): t for t in targets}
        for f in concurrent.futures.as_completed(futs):
            r = f.result()
            results.append(r)
            rr = r.get("replay", {})
            print(f"fuzz: {r['target']:17s} {r.get('execs', 0):>12,} execs {r.get('exec_s', 0):>7,}/s "
                  f"cov {r.get('cov', 0):>5} ft {r.get('ft', 0):>6}  worst {rr.get('worst_ms_per_kib', 0):.4f} ms/KiB"
                  f"  {'ok' if not r['problems'] else 'FAIL: ' + '; '.join(r['problems'])}", flush=True)
            if r.get("panic"):
                print("      " + r["panic"].replace("\n", "\n      "), flush=True)
    order = {t: i for i, t in enumerate(TARGETS)}
    results.sort(key=lambda r: order[r["target"]])
    report = table(results, a.seconds, a.sanitizer, a.ms_per_kib)
    print()
    print(report)
    for r in results:
        if r.get("replay_text"):
            print(f"\nslowest inputs of {r['target']} (optimised replay):\n{r['replay_text']}")
    failed = [r for r in results if r["problems"]]
    if not a.no_write:
        head = (f"# Fuzzing report\n\nGenerated by `make fuzz` (scripts/fuzz.py) on "
                f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {a.seconds} s per target, "
                f"sanitizer `{a.sanitizer}`, budget {a.ms_per_kib} ms per KiB of input (1 KiB floor), "
                f"measured by replaying each target's final corpus in an optimised build.\n\n")
        problems = "".join(f"\n- {r['target']}: {p}" for r in results for p in r["problems"])
        (FUZZ / "REPORT.md").write_text(head + report + "\n" + (f"\nProblems:\n{problems}\n" if problems else ""))
        print(f"\nfuzz: wrote {(FUZZ / 'REPORT.md').relative_to(ROOT)}")
    if failed:
        print(f"\nfuzz: FAILED: {', '.join(r['target'] for r in failed)}", file=sys.stderr)
        for r in failed:
            for p in r["problems"]:
                print(f"  {r['target']}: {p}", file=sys.stderr)
        sys.exit(1)
    print("\nfuzz: no crash, no slow input")


if __name__ == "__main__":
    main()
