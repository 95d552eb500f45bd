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

pub mod card;
pub mod command_output;
pub mod correlate;
pub mod passwd;
pub mod private_key;
pub mod reflect;
pub mod shape;
pub mod sql_error;
pub mod stack_trace;
pub mod stream;

pub use correlate::Outcome;
pub use stream::{StreamScanner, WindowHit};

/// The longest match any detector reports (a private key's body goes on
/// across windows, see [`private_key`]); the stream carries at least this
/// many bytes from one chunk to the next.
pub const MAX_MATCH: usize = 512;

/// Most matches one window reports (a body full of card numbers costs a
/// bounded amount of work and memory).
pub const MAX_HITS: usize = 64;

/// What leaked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LeakKind {
    SqlError,
    StackTrace,
    PasswdFile,
    PrivateKey,
    CommandOutput,
    CardNumber,
    /// Evidence of a request finding, sent back.
    Reflection,
}

impl LeakKind {
    /// Every kind, in a stable order (metric ids, per-kind actions).
    pub const ALL: [LeakKind; 7] = [
        LeakKind::SqlError,
        LeakKind::StackTrace,
        LeakKind::PasswdFile,
        LeakKind::PrivateKey,
        LeakKind::CommandOutput,
        LeakKind::CardNumber,
        LeakKind::Reflection,
    ];

    /// The snake_case name (events, metrics, `response.actions` keys).
    pub fn as_str(self) -> &'static str {
        match self {
            LeakKind::SqlError => "sql_error",
            LeakKind::StackTrace => "stack_trace",
            LeakKind::PasswdFile => "passwd_file",
            LeakKind::PrivateKey => "private_key",
            LeakKind::CommandOutput => "command_output",
            LeakKind::CardNumber => "card_number",
            LeakKind::Reflection => "reflection",
        }
    }

    /// Position in [`LeakKind::ALL`].
    pub fn index(self) -> usize {
        LeakKind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

/// One match: `start..end` in the scanned window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Leak {
    pub kind: LeakKind,
    /// `response.sql_error.mysql`, …
    pub rule: &'static str,
    pub start: usize,
    pub end: usize,
    /// The end of the bytes that decided the match (`end` may run on to
    /// the end of the line): a stream reports the match in the window
    /// where this lies in the new bytes, so once.
    pub decided: usize,
}

impl Leak {
    pub(crate) fn new(kind: LeakKind, rule: &'static str, start: usize, end: usize) -> Leak {
        Leak {
            kind,
            rule,
            start,
            end,
            decided: end,
        }
    }

    /// The same match, decided at `at` (at most its end).
    pub(crate) fn decided_at(mut self, at: usize) -> Leak {
        self.decided = at.min(self.end).max(self.start);
        self
    }
}

/// Runs every leak detector over `hay` (reflection is the caller's: it
/// needs the request's findings), appending at most [`MAX_HITS`] matches.
pub fn scan(hay: &[u8], out: &mut Vec<Leak>) {
    sql_error::scan(hay, out);
    stack_trace::scan(hay, out);
    passwd::scan(hay, out);
    private_key::scan(hay, out);
    command_output::scan(hay, out);
    card::scan(hay, out);
    dedupe(out);
    out.truncate(MAX_HITS);
}

/// Keeps one match of a kind where several overlap (a MySQL message has
/// two phrases and a code), in the order of the body.
fn dedupe(out: &mut Vec<Leak>) {
    out.sort_by_key(|l| (l.start, std::cmp::Reverse(l.end)));
    let mut kept: Vec<Leak> = Vec::with_capacity(out.len());
    for l in out.drain(..) {
        let overlaps = kept
            .iter()
            .rev()
            .take(LeakKind::ALL.len())
            .any(|k| k.kind == l.kind && l.start < k.end);
        if !overlaps {
            kept.push(l);
        }
    }
    *out = kept;
}

#[cfg(test)]
mod tests;
