//! Request-surface extraction: turn the parts of a request into the values
//! that detectors read, each with its location.
//!
//! Parsers never allocate per value on the common path and never build a
//! tree: they walk their input once and hand every value to a [`Sink`]
//! (the engine's inspection pipeline), which may stop them early.
//!
//! Locations are rendered as `surface:name` (`surface-key:name` for a
//! parameter name / JSON key); the parsers pass the name:
//!
//! | surface | name | example location |
//! |---|---|---|
//! | path | `""` (whole path), segment number, matrix parameter | `path`, `path:3`, `path:jsessionid` |
//! | query / form | parameter name as written | `query:q`, `query:a[]`, `form-key:user[name]` |
//! | cookie | cookie name | `cookie:session` |
//! | header | header name | `header:user-agent` |
//! | json | JSONPath | `json:$.user.name`, `json:$.items[2].id`, `json:$["a.b"]` |
//! | multipart | field; file name; nested document | `multipart:bio`, `multipart:avatar:filename`, `multipart:meta:$.a` |
//! | xml | element path, `@` for attributes | `xml:/root/user/@id` |
//! | body | `""` (a body inspected as text) | `body` |
//!
//! A value that is itself a JSON document (a `filter=` parameter, a JSON
//! cookie, GraphQL `variables` sent as a string) is walked as JSON and its
//! strings are named `outer:$.inner` (`query:filter:$.name`).
//!
//! Every parser is a pure function of its input: bounded loops, no
//! recursion driven by input depth (explicit stacks bounded by
//! `limits.max_depth`), no panics, at most one level of embedded documents.
//!
//! The words every parser and the engine's sink share ([`Surface`],
//! [`Kind`], [`Flow`], [`Limit`], [`FilePart`], the [`Sink`] trait) are in
//! `sink.rs`, the request parts custom rules and detectors select
//! ([`Target`]) in `target.rs`: leaves that the parsers, the detectors and
//! this file import, so no parser imports the module that declares it.
//! `body.rs` dispatches by [`media`] (what the content type says) and
//! [`sniff`] (what the content is) to the parsers.

pub mod body;
pub mod cookie;
pub mod head;
pub mod json;
pub mod media;
pub mod multipart;
pub mod path;
pub mod query;
pub mod sink;
pub mod sniff;
pub mod target;
#[doc(hidden)]
pub mod testing;
pub mod xml;

pub use sink::{FilePart, Flow, Kind, Limit, Sink, Surface};
pub use target::Target;
