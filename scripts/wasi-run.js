#!/usr/bin/env node
// Runs a wasm32-wasip1 command module (e.g. a `cargo test` binary) under
// Node's WASI implementation. Used as CARGO_TARGET_WASM32_WASIP1_RUNNER by
// `make test-wasm`, so the engine's unit tests also run on the 32-bit wasm
// target the filter ships on. The current directory is preopened as `.`.
'use strict';
const fs = require('fs');
const { WASI } = require('wasi');

const args = process.argv.slice(2);
if (!args[0]) {
  console.error('wasi-run: no module given');
  process.exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args,
  env: { RUST_BACKTRACE: process.env.RUST_BACKTRACE || '0' },
  preopens: { '.': process.cwd() },
  returnOnExit: true,
});
(async () => {
  const module = await WebAssembly.compile(fs.readFileSync(args[0]));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  process.exitCode = wasi.start(instance);
})().catch((e) => {
  console.error('wasi-run:', e);
  process.exit(1);
});
