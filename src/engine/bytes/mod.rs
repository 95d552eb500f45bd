//! The byte toolkit: the primitives every parser and detector needs,
//! written once and as tight as they can be, because they run over every
//! byte of every request.
//!
//! | file | owns |
//! |---|---|
//! | `swar` | word-at-a-time tests: eight bytes in a `u64`, "which byte equals `b`" in a few integer operations |
//! | `search` | the first of 1–3 needle bytes (a `memchr` built on `swar`), the first byte of a [`ByteSet`], a short substring |
//! | `finder` | [`Finder`]: one long needle searched many times (Horspool, linear fallback) |
//! | `set` | [`ByteSet`] / [`ByteMap`]: 256-entry tables built at compile time (`byte_set!`, `byte_map!`) |
//! | [`signature`] | [`Signature`]: the byte classes a value holds, in one pass (which detectors and decoders can apply) |
//! | `ci` | ASCII case-insensitive `eq_ci` / `starts_ci` / `ends_ci` / `find_ci` |
//! | `trim` | HTTP optional whitespace, or any [`ByteSet`] |
//! | [`hex`] | digit values (strict and IIS-lenient), numbers, encoding |
//! | [`base64`] | decoding with the mode explicit: [`base64::Strict`] or [`base64::Lenient`] |
//! | [`decimal`] | unsigned integers into a stack buffer, no allocation |
//! | `testing` | (tests only) deterministic pseudo-random inputs for property tests |
//!
//! Design rules, which each file argues where it matters:
//!
//! * **Nothing panics on request data** and nothing allocates unless it
//!   returns an owned result (base64, hex decoding).
//! * **Positions are indices into the caller's slice**, and searches take a
//!   `from` so a parser can resume after each hit.
//! * **Semantics are named, not guessed.** There is no "whitespace": each
//!   syntax's set is a named [`ByteSet`] (`OWS`, `JSON_WHITESPACE`,
//!   `ASCII_WHITESPACE`); base64 has no default mode. Where a module needs
//!   a variant the toolkit does not offer (a prefilter over its own set of
//!   trigger bytes), it builds it from the [`swar`] primitives rather than
//!   copying them.
//! * **Byte tables are data**: a `static` built by `const` evaluation from
//!   an expression that reads like the `match` it replaces; the one place
//!   that indexes while building them is `set`.
//!
//! ```
//! use envoy_rasp::engine::bytes::{find_byte2, find_ci, trim_ows};
//!
//! let v = br#"{"name": "O\"Brien"}"#;
//! assert_eq!(find_byte2(v, 10, b'"', b'\\'), Some(11));
//! assert_eq!(find_ci(b"<SCRIPT>", b"script"), Some(1));
//! assert_eq!(trim_ows(b" gzip "), b"gzip");
//! ```

pub mod base64;
mod ci;
pub mod decimal;
mod finder;
pub mod hex;
mod search;
mod set;
pub mod signature;
pub mod swar;
#[cfg(test)]
pub(crate) mod testing;
mod trim;

pub use ci::{ends_ci, eq_ci, find_ci, find_ci_from, starts_ci};
pub use finder::Finder;
pub use search::{find, find_byte, find_byte2, find_byte3, find_in};
pub(crate) use set::{byte_map, byte_set};
pub use set::{ByteMap, ByteSet};
pub use signature::Signature;
pub use trim::{trim_end_with, trim_ows, trim_start_with, trim_with};
