//! What the filter's test files share: a configured root and its fake host.

use super::{FakeHost, FilterRoot};

/// The fake clock's start (nanoseconds since the epoch, November 2023).
pub(super) const T0: u64 = 1_700_000_000_000_000_000;
/// The downstream address the fake host reports.
pub(super) const CLIENT: &str = "10.0.0.1:5555";

/// A root configured with `json` (which must be valid) on a fake host whose
/// clock reads `now_nanos`.
pub(super) fn configured_at(json: &str, now_nanos: u64) -> (FilterRoot, FakeHost) {
    let mut host = FakeHost {
        now_nanos,
        client: Some(CLIENT.to_string()),
        ..FakeHost::default()
    };
    let mut root = FilterRoot::default();
    assert!(
        root.configure(&mut host, json.as_bytes()),
        "{:?}",
        host.logs
    );
    (root, host)
}

/// [`configured_at`] at [`T0`].
pub(super) fn configured(json: &str) -> (FilterRoot, FakeHost) {
    configured_at(json, T0)
}
