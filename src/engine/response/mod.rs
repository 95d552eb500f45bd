//! Responses on their way back: what leaks (SQL errors, stack traces,
//! `/etc/passwd` lines, private keys, command output, card numbers) and
//! which request findings come back (reflected or confirmed).
//!
//! Pure functions of bytes, like the request detectors: each file owns one
//! concept and scans a window in linear time, every match bounded by
//! [`MAX_MATCH`] so a streaming caller ([`stream`]) that carries the last
//! bytes of each chunk into the next finds a match across the boundary.
//!
//! ```
//! use envoy_rasp::engine::response::{scan, LeakKind};
//!
//! let mut out = Vec::new();
//! scan(b"<pre>uid=33(www-data) gid=33(www-data) groups=33</pre>", &mut out);
//! assert_eq!(out[0].kind, LeakKind::CommandOutput);
//! ```

mod all;
pub mod card;
pub mod command_output;
pub mod correlate;
mod leak;
pub mod passwd;
pub mod private_key;
pub mod reflect;
pub mod shape;
pub mod sql_error;
pub mod stack_trace;
pub mod stream;

pub use all::scan;
pub use correlate::Outcome;
pub use leak::{Leak, LeakKind, Treated, MAX_HITS, MAX_MATCH};
pub use stream::{StreamScanner, WindowHit};

#[cfg(test)]
mod tests;
