#!/usr/bin/env bash
# Builds target/wasm32-wasip1/release/envoy_rasp.wasm.
#
# Uses the rustup wasm32-wasip1 target when it is installed (a developer's
# laptop). Where it is not and cannot be downloaded, falls back to Debian's
# rustc-web toolchain, which ships the standard library sources, and builds
# std for wasm32-wasip1 with -Zbuild-std (RUSTC_BOOTSTRAP lets a stable
# compiler accept the flag), linking with wasm-ld-19 against Debian's
# wasi-libc. The fallback uses its own target dir (target-debian/) so the
# two toolchains never fight over one build cache. Either way the module is
# copied to the same documented path.
#
# `build-wasm.sh bench/noop-filter rasp_noop` builds another crate the same
# way (make bench's empty filter).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 2 ]; then
  cd "$1"
  NAME=$2
else
  NAME=envoy_rasp
fi
OUT=target/wasm32-wasip1/release/$NAME.wasm
mkdir -p "$(dirname "$OUT")"

if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1; then
  echo "build-wasm: using the rustup wasm32-wasip1 target" >&2
  cargo build --release --lib --target wasm32-wasip1
  exit 0
fi

DEB_PKGS="rustc-web cargo-web rust-web-src wasi-libc lld-19"
need=""
for p in $DEB_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
  echo "build-wasm: rustup has no wasm32-wasip1 target; installing Debian packages:$need" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y -q $need >/dev/null 2>&1 || {
    $SUDO apt-get update -q >/dev/null 2>&1
    $SUDO apt-get install -y -q $need >/dev/null
  }
fi

echo "build-wasm: using Debian rustc-web with -Zbuild-std (target dir target-debian/)" >&2
RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
CARGO_TARGET_WASM32_WASIP1_LINKER=wasm-ld-19 \
RUSTFLAGS="-C link-self-contained=no -L /usr/lib/wasm32-wasi" \
CARGO_TARGET_DIR=target-debian \
  /usr/bin/cargo build --release --lib --target wasm32-wasip1 -Zbuild-std=std,panic_abort
# Copy only when changed so make's timestamps stay meaningful.
if ! cmp -s "target-debian/wasm32-wasip1/release/$NAME.wasm" "$OUT"; then
  cp "target-debian/wasm32-wasip1/release/$NAME.wasm" "$OUT"
fi
