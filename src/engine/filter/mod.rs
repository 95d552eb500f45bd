//! The request lifecycle: what the proxy-wasm filter does with each
//! callback, written against the [`Host`](super::host::Host) trait so it
//! builds and tests natively.
//!
//! * [`FilterRoot`] is the per-VM part: it turns the plugin configuration
//!   into an [`Engine`](super::Engine) (or logs why not), sends the SIEM
//!   batches on ticks and on the collector's answers, sweeps the
//!   rate-limit table and publishes the memory gauge. It hands out one
//!   [`RequestFilter`] per request.
//! * [`RequestFilter`] owns one request: the
//!   [`Transaction`](super::Transaction), the [`Phase`], the body counters,
//!   the rate-limit key and the response headers it owes. Its methods
//!   mirror the proxy's callbacks and answer with a [`Flow`], which the
//!   host maps to proxy-wasm's `Action`.
//! * [`HeldRequests`] bounds `inspect.hold_headers`: the root's tick
//!   resumes a held request whose body does not come (Envoy without
//!   `allow_on_headers_stop_iteration` withholds it), so a misconfiguration
//!   costs one timeout per VM, never a hung request.
//! * [`FakeHost`] is the host in memory: settable clock, request, client
//!   address and store; it records replies, headers, logs, events, metrics
//!   and HTTP calls, and plays the proxy's side of one request
//!   ([`FakeHost::run_request`]). Tests, `rasp-explain` and the fuzz
//!   targets drive the filter with it, so none of them re-implements the
//!   call sequence.
//!
//! A decision is carried out in one place (`RequestFilter::finish`): the
//! local reply is sent at most once, the phase becomes
//! [`Phase::Done`] so no later callback acts again, and the request is
//! recorded (metrics, events, SIEM queue, attack cost) exactly once, also
//! when the stream ends early and only `on_log` comes.
//!
//! ```
//! use envoy_rasp::engine::filter::{FakeHost, FilterRoot};
//! use envoy_rasp::engine::RequestHead;
//!
//! let mut host = FakeHost::default();
//! let mut root = FilterRoot::default();
//! assert!(root.configure(&mut host, br#"{"mode": "block"}"#));
//! let mut filter = root.request(1).unwrap();
//! host.head = Some(RequestHead::new("GET", "/?q=1%27%20OR%20%271%27=%271", vec![]));
//! host.run_request(&mut filter, b"", 1024);
//! assert_eq!(host.replies[0].status, 403);
//! ```

mod fake;
mod hold;
mod phase;
mod record;
mod request;
mod response;
mod root;
mod shadow;

pub use fake::{Call, FakeHost, SentReply};
pub use hold::{HeldRequests, HoldHandle, Release, CONFIRM_NANOS, MAX_HELD};
pub use phase::{Flow, Phase};
pub use record::{record_profile, record_transaction};
pub use request::RequestFilter;
pub use response::ResponseWatch;
pub use root::{FilterRoot, SiemHandle};

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_hold;
#[cfg(test)]
mod tests_policy;
#[cfg(test)]
mod tests_response;
