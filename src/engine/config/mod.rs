//! Plugin configuration: JSON → documented serde structs → [`Config`].
//!
//! Configuration happens in three steps:
//!
//! 1. [`RawConfig`] and its sections are plain serde structs, the
//!    documented source of truth: every field has a default, so `{}` is a
//!    complete configuration, and unknown fields are errors (a typo must
//!    never silently turn a protection off). The reader (`read.rs`) walks
//!    the document with those structs field by field, so every problem is
//!    found, with its full path and the expected type in words.
//! 2. Every section implements one contract, [`Section`]: it checks its
//!    fields (ranges are [`Bounds`] constants next to the section, shared
//!    with the JSON Schema) and compiles into the form the engine reads.
//!    [`RawConfig::validate`] composes the sections into a [`Config`].
//! 3. The host's `on_configure` logs the [`ConfigErrors`] (all of them, one
//!    line, each naming its field) and returns `false`, so Envoy refuses
//!    the plugin.
//!
//! ```
//! use envoy_rasp::engine::config::Config;
//!
//! let err = Config::from_json(br#"{"limits": {"max_body_bytes": 0}}"#).unwrap_err();
//! assert_eq!(err.field(), "limits.max_body_bytes");
//! let err = Config::from_json(br#"{"limits": {"max_body_bytes": "10MB"}, "xss": {"acton": "log"}}"#)
//!     .unwrap_err();
//! assert_eq!(err.len(), 2);
//! assert_eq!(err.errors()[0].field(), "limits.max_body_bytes");
//! assert!(err.to_string().contains("expected a whole number of bytes, got the string \"10MB\""));
//! assert_eq!(err.errors()[1].field(), "xss.acton");
//! assert!(err.to_string().contains("did you mean `action`?"));
//! ```
//!
//! The default configuration is the validated `{}` ([`Config::default`]).
//!
//! `raw.rs` holds [`RawConfig`] (the document as written, and how it is
//! read), `compose.rs` [`Config`] (every section checked and compiled),
//! `detectors.rs` the detectors' sections behind [`Section`], `profiles.rs`
//! the whole configurations of the profiles and the shadow. The small
//! sections have a file each (`block`, `events`, `limits`, `scope`); the
//! detectors', the SIEM sink's and the rate limiter's live with the module
//! they configure. This file only declares and re-exports, so none of
//! them imports it.
//!
//! [`Section`]: crate::engine::section::Section
//! [`Bounds`]: crate::engine::section::Bounds
//! [`ConfigErrors`]: crate::engine::error::ConfigErrors

pub mod block;
mod compose;
mod detectors;
pub mod events;
pub mod limits;
pub mod profiles;
mod raw;
mod read;
pub mod response;
pub mod scope;
#[cfg(test)]
mod tests;

pub use block::BlockConfig;
pub use compose::Config;
pub use events::EventsConfig;
pub use limits::{Limits, OverflowPolicy};
pub use profiles::{Profile, Profiles, Shadow};
pub use raw::RawConfig;
pub use response::{ResponseConfig, ResponseSettings};
pub use scope::{Allowlist, InspectSettings};
