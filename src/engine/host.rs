//! Host services the engine needs, as small traits.
//!
//! The filter implements them with proxy-wasm calls (`src/host/`); tests
//! and native tools implement them in memory.

pub use super::metrics::MetricsSink;

/// Wall-clock time.
pub trait Clock {
    /// Nanoseconds since the Unix epoch.
    fn now_nanos(&self) -> u64;
}

/// Why a shared-store write failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The compare-and-swap token was stale: someone else wrote first.
    CasMismatch,
    /// Any other failure.
    Failed,
}

/// A key-value store shared by every wasm VM (worker) of the plugin, with
/// compare-and-swap (proxy-wasm shared data).
pub trait SharedStore {
    /// The value and its CAS token, or `None` when the key is absent.
    fn get(&self, key: &str) -> Option<(Vec<u8>, u32)>;
    /// Writes `value` if the key's CAS token still equals `cas` (`None`
    /// writes unconditionally; token 0 means "absent" in proxy-wasm).
    fn set(&self, key: &str, value: &[u8], cas: Option<u32>) -> Result<(), StoreError>;
}
