//! The proxy-wasm host layer (see below).
