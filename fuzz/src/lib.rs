//! Fuzz target bodies for envoy-rasp. See `targets`.
pub mod targets;
