//! The vocabulary of response findings: what leaked ([`LeakKind`]), one
//! match ([`Leak`]), what was done ([`Treated`]) and the bounds every
//! detector keeps. A leaf: the detectors and the stream import it.

/// The longest match any detector reports (a private key's body goes on
/// across windows, see `private_key`); the stream carries at least this
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

/// What was done with a response finding (the `action` label).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Treated {
    /// Logged and counted; the bytes passed.
    Log,
    /// The matched body bytes were replaced with `*`.
    Mask,
    /// `mask` was configured, but `mode: monitor` changes nothing.
    Monitor,
}

impl Treated {
    /// Every value, in a stable order.
    pub const ALL: [Treated; 3] = [Treated::Log, Treated::Mask, Treated::Monitor];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Treated::Log => "log",
            Treated::Mask => "mask",
            Treated::Monitor => "monitor",
        }
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
