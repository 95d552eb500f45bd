//! Detectors: one module per attack class.
//!
//! Value detectors (`sqli`, `xss`, `cmdi`, `traversal`, `ssrf`) read one
//! extracted, normalised value at a time and answer with an optional
//! [`Hit`]: which structure matched (`rule`, `reason`) and where (`start..end`
//! in the value they were given), given its place ([`ValueCtx`]: surface,
//! key or value, and the document [`field`] it sits in). Document detectors
//! read a whole structure: `xxe` an XML document, `upload` a multipart file
//! part.
//!
//! Every detector implements one contract, [`Detector`]: it owns its
//! configuration section (`…Config`, serde, documented, with its schema
//! notes) and its compiled form, built by `compile` and `None` when the
//! action is `off`, so disabled detectors cost nothing. The table in
//! `registry.rs` lists the detectors once; the attack types (`attack.rs`),
//! the compiled set and its scan loop (`set.rs`), the configuration fields
//! and the schema follow from it. A new detector is one module plus one
//! table line.

mod attack;
pub mod cmdi;
pub mod crlf;
pub mod custom;
pub(crate) mod detector;
pub mod field;
mod finding;
pub mod graphql;
pub mod header_params;
pub(crate) mod hit;
pub mod java;
pub mod jndi;
pub mod ldap;
pub mod markdown;
pub mod node;
pub mod nosqli;
pub mod php;
pub mod prototype_pollution;
pub(crate) mod registry;
pub mod scanner;
pub mod sensitive_path;
pub mod sensitivity;
mod set;
pub mod sqli;
pub mod ssrf;
pub mod ssti;
pub mod traversal;
pub mod upload;
pub mod xss;
pub mod xxe;

// The shared vocabulary lives in a leaf module; re-exported where it was.
pub use super::mode::{Action, Taken};

pub use attack::AttackType;
pub use detector::{Detector, Needs};
pub use field::Field;
pub use finding::Finding;
pub use hit::{Hit, ValueCtx};
pub use sensitivity::Sensitivity;
pub use set::{Detectors, SECTIONS};
