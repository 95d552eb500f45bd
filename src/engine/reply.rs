//! Why a request gets a local reply ([`Cause`]) and the reply itself
//! ([`LocalReply`]).
//!
//! A leaf (it imports only the attack types): the verdicts, events, metrics
//! and the rate limiter all name causes, and none of them has to import
//! the policy that decides on them.

use super::detect::AttackType;

/// Why a request got a local reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cause {
    /// A detector or custom rule with action `block`.
    Attack(AttackType),
    /// Body larger than `limits.max_body_bytes`.
    BodyTooLarge,
    /// Inspected body larger than `limits.max_inspect_bytes` (policy
    /// `reject`).
    InspectOverflow,
    /// Headers larger than `limits.max_header_bytes`.
    HeadersTooLarge,
    /// `:path` longer than `limits.max_url_bytes`.
    UrlTooLong,
    /// More parameters than `limits.max_params`.
    TooManyParams,
    /// Nesting deeper than `limits.max_depth`.
    TooDeep,
    /// Rate limit exceeded.
    RateLimited,
}

impl Cause {
    /// Every limit cause (not attacks), in a stable order.
    pub const LIMITS: [Cause; 6] = [
        Cause::BodyTooLarge,
        Cause::InspectOverflow,
        Cause::HeadersTooLarge,
        Cause::UrlTooLong,
        Cause::TooManyParams,
        Cause::TooDeep,
    ];

    /// Snake-case name used in replies, events and metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Attack(t) => t.as_str(),
            Cause::BodyTooLarge => "body_too_large",
            Cause::InspectOverflow => "inspect_overflow",
            Cause::HeadersTooLarge => "headers_too_large",
            Cause::UrlTooLong => "url_too_long",
            Cause::TooManyParams => "too_many_params",
            Cause::TooDeep => "too_deep",
            Cause::RateLimited => "rate_limited",
        }
    }

    /// The HTTP status for a limit cause.
    pub fn limit_status(self) -> u16 {
        match self {
            Cause::BodyTooLarge | Cause::InspectOverflow => 413,
            Cause::HeadersTooLarge => 431,
            Cause::UrlTooLong => 414,
            Cause::TooManyParams | Cause::TooDeep => 400,
            Cause::RateLimited => 429,
            Cause::Attack(_) => 403,
        }
    }
}

/// A local reply for Envoy to send instead of forwarding the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub cause: Cause,
}
