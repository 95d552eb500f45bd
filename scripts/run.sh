#!/usr/bin/env bash
# make run: the demo upstream and Envoy with the filter, in the foreground.
# Ctrl-C (or SIGTERM to this script) stops everything it started.
#
# Several can run on one machine with different ports: each renders its own
# .run/envoy-<listen port>.yaml, and Envoy runs with --disable-hot-restart
# (nothing here hot-restarts; with hot restart on, every Envoy binds the
# same domain socket for base id 0 and the second one exits).
set -euo pipefail
cd "$(dirname "$0")/.."
LISTEN_PORT=${LISTEN_PORT:-10000}
ADMIN_PORT=${ADMIN_PORT:-9901}
UPSTREAM_PORT=${UPSTREAM_PORT:-8081}
RASP_CONFIG=${RASP_CONFIG:-envoy/rasp-config.json}
ENVOY_CONCURRENCY=${ENVOY_CONCURRENCY:-2}
WASM=target/wasm32-wasip1/release/envoy_rasp.wasm

YAML=.run/envoy-$LISTEN_PORT.yaml
# The mode the configuration sets (block when it sets none), for the banner;
# Envoy itself logs "configuration loaded (mode=...)" from the filter.
MODE=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("mode", "block"))' "$RASP_CONFIG")
if [ "$MODE" = monitor ]; then
  ATTACK="200: monitor mode only logs and counts"
else
  ATTACK="blocked: 403"
fi

mkdir -p .run
python3 scripts/render-envoy.py --listen-port "$LISTEN_PORT" --admin-port "$ADMIN_PORT" \
  --upstream-port "$UPSTREAM_PORT" --wasm "$PWD/$WASM" --config "$RASP_CONFIG" --out "$YAML"

pids=()
cleanup() {
  trap - EXIT INT TERM
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

python3 envoy/demo_upstream.py --port "$UPSTREAM_PORT" &
pids+=($!)
.venv/bin/envoy -c "$YAML" --concurrency "$ENVOY_CONCURRENCY" --disable-hot-restart \
  --log-format '[%Y-%m-%d %T.%e][%l][%n] %v' --component-log-level wasm:info &
pids+=($!)

# Wait for the listener before printing the instructions.
for _ in $(seq 1 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$LISTEN_PORT/healthz" 2>/dev/null; then break; fi
  if ! kill -0 "${pids[1]}" 2>/dev/null; then echo "run: Envoy exited (see its log above)" >&2; exit 1; fi
  sleep 0.1
done
cat <<MSG

envoy-rasp is running in $MODE mode (config: $RASP_CONFIG)
  listener  http://127.0.0.1:$LISTEN_PORT/
  admin     http://127.0.0.1:$ADMIN_PORT/   (metrics: http://127.0.0.1:$ADMIN_PORT/stats/prometheus)
  upstream  http://127.0.0.1:$UPSTREAM_PORT/

Try:
  curl -i 'http://127.0.0.1:$LISTEN_PORT/search?q=hello'                      # allowed: 200 from the upstream
  curl -i 'http://127.0.0.1:$LISTEN_PORT/search?q=1%27%20OR%20%271%27%3D%271'   # $ATTACK (SQL injection)
  curl -i 'http://127.0.0.1:$LISTEN_PORT/wp-login.php'                        # $ATTACK (custom rule demo-wp-probe)

Ctrl-C stops Envoy and the upstream.
MSG
wait -n "${pids[@]}"
