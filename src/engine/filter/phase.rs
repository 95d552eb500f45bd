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
/// ```text
/// Headers ──need body──▶ Buffering ──body in (end of stream, trailers)──▶ Done
///    │                      │ over max_body_bytes, monitor mode
///    │ body not inspected   ▼
///    └───────────────────▶ Streaming ──end of stream, trailers──────────▶ Done
/// ```
///
/// Any phase goes to `Done` when a local reply is sent; `Done` ignores
/// every later callback except `on_log` (which records a request that
/// ended early, once).
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
