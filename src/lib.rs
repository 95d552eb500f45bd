//! # envoy-rasp
//!
//! Runtime Application Self-Protection that runs inside Envoy (and therefore
//! inside an Istio mesh) as a proxy-wasm HTTP filter.
//!
//! The crate has two halves, and the split is the architecture:
//!
//! * [`engine`] is pure Rust: request head and body in, findings and a
//!   verdict out. It never calls the proxy-wasm SDK (the SDK is not even a
//!   dependency of native builds), so it builds and tests natively with plain
//!   `cargo test`, and the same code runs in the `rasp-eval` and
//!   `rasp-explain` tools.
//! * `host` (only compiled for `wasm32`) is the thin layer that talks to
//!   Envoy: root and HTTP contexts, shared data, metrics, logging and local
//!   replies. Host services the engine needs (clock, shared store, metrics
//!   sink) are small traits in [`engine::host`], implemented there by the
//!   SDK and in tests by in-memory fakes.
//!
//! ```
//! use envoy_rasp::engine::{Engine, RequestHead};
//!
//! let engine = Engine::from_json(br#"{"mode": "block"}"#).unwrap();
//! let head = RequestHead::new("GET", "/search?q=1%27%20OR%20%271%27%3D%271", vec![]);
//! let mut tx = engine.begin(head);
//! let verdict = tx.on_headers(true);
//! assert!(verdict.is_block());
//! ```
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]
#![deny(unsafe_code)]
// Long functions are split by what they do (threshold in clippy.toml).
#![warn(clippy::too_many_lines)]

pub mod engine;

// Test, bench and fuzz support (corpus folder, watchdog); not the filter's API.
#[doc(hidden)]
pub mod testing;

#[cfg(all(target_arch = "wasm32", not(test)))]
mod host;
