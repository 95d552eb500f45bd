//! Detectors: one module per attack class.
//!
//! Value detectors (`sqli`, `xss`, `cmdi`, `traversal`, `ssrf`) read one
//! extracted, normalised value at a time and answer with an optional
//! [`Hit`]: which structure matched (`rule`, `reason`) and where (`start..end`
//! in the value they were given). Document detectors read a whole structure:
//! `xxe` an XML document, `upload` a multipart file part.
//!
//! Each detector module owns its configuration section (`…Config`, serde,
//! documented) and its compiled form, built by `compile` and `None` when the
//! action is `off`, so disabled detectors cost nothing.

//! The layout keeps the dependencies pointing one way: `hit.rs` (what a
//! value detector is given and answers) and `finding.rs` (attack types and
//! findings) are leaves that the detectors and the rest of the engine
//! import; `set.rs` lists the compiled detectors and runs a value through
//! them; this file only declares and re-exports.

pub mod cmdi;
pub mod custom;
mod finding;
#[cfg(test)]
pub(crate) mod fixtures;
mod hit;
mod set;
pub mod sqli;
pub mod ssrf;
pub mod traversal;
pub mod upload;
pub mod xss;
pub mod xxe;

pub use finding::{AttackType, Finding};
pub use hit::{Hit, ValueCtx};
pub use set::Detectors;
