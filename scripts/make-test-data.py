#!/usr/bin/env python3
"""Copies a representative, deterministic subset of the development corpora
($RASP_CORPUS or ../shared/corpus) into tests/data/, for the accuracy floors that run in CI
(tests/accuracy.rs). Every source is MIT, BSD-3-Clause or Apache-2.0; see
tests/data/NOTICE.md. Re-run only to refresh the subset:

    python3 scripts/make-test-data.py [--corpus ../shared/corpus]
"""
import argparse
import hashlib
import json
import os
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAIN = {"sqli", "xss", "cmdi", "path_traversal", "ssrf", "xxe", "upload_filename", "benign"}
# The families of the newer detectors (their floors are in tests/accuracy.rs).
NEW = {"ssti", "nosqli", "ldap", "crlf", "php_injection", "java_injection", "rfi", "prototype_pollution",
       "nodejs_injection"}
# Files from which only the NEW classes are taken (their other rows are not
# plain attack or benign values: `crs_negative` is no benign class).
NEW_ONLY = {"crs_values.jsonl"}
# Rows kept per (file, class): all benign rows (the false-positive ceilings
# need them all) and a hash-ordered sample of each attack class.
PER_CLASS = 1500
FILES = ["httpparams.jsonl", "libinjection.jsonl", "payloadbox.jsonl", "payloadsallthethings.jsonl",
         "seclists.jsonl", "gotestwaf_benign.jsonl", "crs_values.jsonl"]
KEEP_FIELDS = ("class", "value", "source", "subclass", "single_token", "zone")


def key(row):
    return hashlib.sha256(row["value"].encode()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", default=os.environ.get("RASP_CORPUS") or str(ROOT.parent / "shared" / "corpus"))
    a = ap.parse_args()
    out_dir = ROOT / "tests" / "data"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        rows = defaultdict(list)
        for line in open(Path(a.corpus) / name, encoding="utf-8"):
            r = json.loads(line)
            wanted = NEW if name in NEW_ONLY else MAIN | NEW
            if r.get("class") in wanted and isinstance(r.get("value"), str):
                rows[r["class"]].append({k: r[k] for k in KEEP_FIELDS if k in r})
        kept = []
        for cls, rs in sorted(rows.items()):
            if cls != "benign":
                rs = sorted(rs, key=key)[:PER_CLASS]
            kept.extend(rs)
        with open(out_dir / name, "w", encoding="utf-8") as f:
            for r in kept:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"{name}: {len(kept)} rows")


if __name__ == "__main__":
    main()
