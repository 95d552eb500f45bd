#!/usr/bin/env bash
# Runs the engine's unit tests compiled to wasm32-wasip1 (the filter's own
# target: 32-bit usize, no threads, V8-like semantics) under Node's WASI.
# Same toolchain choice as build-wasm.sh: the rustup target when installed,
# otherwise Debian's rustc-web with -Zbuild-std (own target dir).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNNER="node --no-warnings $PWD/scripts/wasi-run.js"
command -v node >/dev/null || { echo "test-wasm: node is required (apt-get install nodejs)" >&2; exit 1; }

if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1; then
  CARGO_TARGET_WASM32_WASIP1_RUNNER="$RUNNER" cargo test --target wasm32-wasip1 --lib
  exit 0
fi
scripts/build-wasm.sh >/dev/null   # installs the Debian packages when needed
RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
CARGO_TARGET_WASM32_WASIP1_LINKER=wasm-ld-19 \
CARGO_TARGET_WASM32_WASIP1_RUNNER="$RUNNER" \
RUSTFLAGS="-C link-self-contained=no -L /usr/lib/wasm32-wasi -C link-arg=/usr/lib/wasm32-wasi/crt1-command.o" \
CARGO_TARGET_DIR=target-debian-test \
  /usr/bin/cargo test --target wasm32-wasip1 -Zbuild-std=std,panic_abort,test --lib
