//! Where a request is in its life, and what the proxy does next.

/// What the proxy does after a callback; the host maps it to proxy-wasm's
/// `Action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Go on: forward what was received.
    Continue,
    /// Hold it: the body is being buffered, or a local reply was sent.
    Pause,
}

/// Where a request is in its life.
///
/// * `Headers` → `Buffering` when the body is to be inspected,
///   → `Streaming` when a body follows uninspected, → `Done` when none does;
/// * `Buffering` → `Done` at the end of the stream or at the trailers (the
///   body is inspected then), → `Streaming` when it grows over
///   `max_body_bytes` in monitor mode;
/// * `Streaming` → `Done` at the end of the stream or at the trailers;
/// * any phase → `Done` when a local reply is sent.
///
/// `Done` ignores every later callback except `on_log` (which records a
/// request that ended early, once).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for the request headers.
    Headers,
    /// Holding the body (the proxy buffers it) until it is complete.
    Buffering,
    /// Forwarding the body uninspected; only its size is still checked.
    Streaming,
    /// Decided; nothing more to do.
    Done,
}
