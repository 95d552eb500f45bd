#!/usr/bin/env node
// Runs a wasm32-wasip1 command module (a `cargo test` binary) under Node,
// with a minimal WASI preview 1 implemented here. Used as
// CARGO_TARGET_WASM32_WASIP1_RUNNER by `make test-wasm`, so the engine's unit
// tests also run on the 32-bit wasm target the filter ships on.
//
// Why not Node's own `wasi` module: on these machines Node 20's WASI crashes
// (SIGSEGV inside V8) on host calls once the module's memory has grown past
// about 32 MiB (a 10-line Rust program that allocates 32 MiB and prints
// reproduces it). The test harness only needs arguments, environment,
// stdout/stderr, clocks, randomness and exit; everything else answers
// ENOSYS, which std turns into an error the tests see.
'use strict';
const fs = require('fs');
const crypto = require('crypto');

const ESUCCESS = 0;
const EBADF = 8;
const ENOSYS = 52;
const ESPIPE = 70;

const args = process.argv.slice(2);
if (!args[0]) {
  console.error('wasi-run: no module given');
  process.exit(2);
}
const env = [`RUST_BACKTRACE=${process.env.RUST_BACKTRACE || '0'}`];

class Exit {
  constructor(code) { this.code = code; }
}

let memory = null;
const view = () => new DataView(memory.buffer);
const bytes = () => new Uint8Array(memory.buffer);

function putStrings(list, ptrs, buf) {
  const v = view();
  const b = bytes();
  let off = buf;
  list.forEach((s, i) => {
    const enc = Buffer.from(s + '\0');
    v.setUint32(ptrs + 4 * i, off, true);
    b.set(enc, off);
    off += enc.length;
  });
  return ESUCCESS;
}

function sizes(list, countPtr, sizePtr) {
  const v = view();
  v.setUint32(countPtr, list.length, true);
  v.setUint32(sizePtr, list.reduce((n, s) => n + Buffer.byteLength(s) + 1, 0), true);
  return ESUCCESS;
}

const wasi = {
  args_sizes_get: (c, s) => sizes(args, c, s),
  args_get: (p, b) => putStrings(args, p, b),
  environ_sizes_get: (c, s) => sizes(env, c, s),
  environ_get: (p, b) => putStrings(env, p, b),
  fd_write: (fd, iovs, len, nwritten) => {
    if (fd !== 1 && fd !== 2) return EBADF;
    const v = view();
    let total = 0;
    for (let i = 0; i < len; i++) {
      const ptr = v.getUint32(iovs + 8 * i, true);
      const n = v.getUint32(iovs + 8 * i + 4, true);
      fs.writeSync(fd, Buffer.from(memory.buffer, ptr, n));
      total += n;
    }
    view().setUint32(nwritten, total, true);
    return ESUCCESS;
  },
  fd_read: (fd, iovs, len, nread) => {
    if (fd !== 0) return EBADF;
    view().setUint32(nread, 0, true);
    return ESUCCESS;
  },
  fd_fdstat_get: (fd, ptr) => {
    if (fd > 2) return EBADF;
    const b = bytes();
    b.fill(0, ptr, ptr + 24);
    b[ptr] = 2; // character device
    return ESUCCESS;
  },
  fd_close: (fd) => (fd > 2 ? EBADF : ESUCCESS),
  fd_seek: () => ESPIPE,
  fd_prestat_get: () => EBADF,
  fd_prestat_dir_name: () => EBADF,
  clock_res_get: (id, ptr) => {
    view().setBigUint64(ptr, 1000n, true);
    return ESUCCESS;
  },
  clock_time_get: (id, precision, ptr) => {
    const t = id === 0 ? BigInt(Date.now()) * 1000000n : process.hrtime.bigint();
    view().setBigUint64(ptr, t, true);
    return ESUCCESS;
  },
  random_get: (ptr, len) => {
    crypto.randomFillSync(bytes(), ptr, len);
    return ESUCCESS;
  },
  sched_yield: () => ESUCCESS,
  proc_exit: (code) => {
    throw new Exit(code);
  },
};

const imports = {
  wasi_snapshot_preview1: new Proxy(wasi, {
    get: (target, name) => target[name] || (() => ENOSYS),
  }),
};

(async () => {
  const module = await WebAssembly.compile(fs.readFileSync(args[0]));
  const instance = await WebAssembly.instantiate(module, imports);
  memory = instance.exports.memory;
  try {
    instance.exports._start();
    process.exitCode = 0;
  } catch (e) {
    if (e instanceof Exit) {
      process.exitCode = e.code;
    } else {
      console.error('wasi-run:', e);
      process.exitCode = 1;
    }
  }
})().catch((e) => {
  console.error('wasi-run:', e);
  process.exit(1);
});
