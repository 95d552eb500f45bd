//! The lexer's shared state types: quote states, operators, command
//! positions, the [`Frame`] of text lexed as one command list, the
//! [`Scanner`] of one value and the [`SimpleCmd`] the judge reads. A leaf
//! of the detector: the lexer, `$…` expansion, the judge and the argument
//! heuristics all import it, and it imports none of them.

use super::names::Names;
use super::types::Found;
use super::words::{Cmd, Word};

/// Quote state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Quote {
    None,
    Single,
    Double,
}

/// Operators that end a simple command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    End,
    Semi,
    Newline,
    Amp,
    AndAnd,
    Pipe,
    OrOr,
    Open,
    Close,
}

/// Where a simple command starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pos {
    /// The start of the value, unquoted.
    Start,
    /// After a separator; `trusted` when it is close to the start of the
    /// value or follows another command.
    Sep { trusted: bool, op: Op },
    /// Inside `$(…)`, `<(…)` (`backtick` false) or `` `…` ``.
    Subst { trusted: bool, backtick: bool },
    /// Inside an exec-style call's string argument.
    Exec,
    /// Words after a quote breakout: arguments of the host command.
    Arg,
}

impl Pos {
    pub(super) fn trusted(self) -> bool {
        match self {
            Pos::Start | Pos::Exec | Pos::Arg => true,
            Pos::Sep { trusted, .. } | Pos::Subst { trusted, .. } => trusted,
        }
    }
}

/// Deepest nesting of substitutions followed.
pub(super) const MAX_DEPTH: u8 = 4;

/// A region of the scanned text lexed as one command list, and where the
/// command being lexed stands. Offsets are raw offsets into `text`, so
/// findings point into the value.
#[derive(Clone, Copy, Debug)]
pub(super) struct Frame<'t> {
    /// The scanned text (the value, or its variant).
    pub(super) text: &'t [u8],
    /// First byte of the region.
    pub(super) start: usize,
    /// End of the region (exclusive): a substitution ends at its closing
    /// byte, not at the end of the text.
    pub(super) end: usize,
    /// Where the current simple command starts; the lexer moves it on at
    /// each separator.
    pub(super) pos: Pos,
    /// Substitutions around the region.
    pub(super) depth: u8,
}

impl<'t> Frame<'t> {
    /// The frame of a substitution `text[start..end]` inside this one.
    pub(super) fn nested(&self, start: usize, end: usize, pos: Pos) -> Frame<'t> {
        Frame {
            text: self.text,
            start,
            end,
            pos,
            depth: self.depth.saturating_add(1),
        }
    }
}

/// The state of one scan of a value: the finding, what the value has
/// assigned, and the budgets that keep nesting and globs linear. Its
/// methods are spread by concept: lexing here, `$…` and backticks in
/// `expand`, the verdict in `judge`, argument evidence in `args`, glob
/// resolution in `glob`.
pub(super) struct Scanner<'d> {
    /// The command names known.
    pub(super) names: &'d Names,
    /// The first finding; the scan stops once it is set.
    pub(super) found: Option<Found>,
    /// Shell variables assigned in the value (`a=/etc`), bounded.
    pub(super) vars: Vec<(Vec<u8>, Vec<u8>)>,
    /// Remaining work units (bytes scanned), a guard against
    /// super-linear nesting.
    pub(super) budget: usize,
    /// Remaining glob resolutions.
    pub(super) globs: u8,
    /// A bare command after a separator, confirmed by what follows it.
    pub(super) pending: Option<Found>,
    /// Start the first command inside a word (the quoted data before a
    /// quote breakout).
    pub(super) seed: bool,
    /// Whether assignments are recorded (the value contains `$`).
    pub(super) record_vars: bool,
    /// Reusable command buffers, one per nesting depth.
    pub(super) pool: [Cmd; MAX_DEPTH as usize + 2],
}

/// A finished simple command, as the judge sees it.
pub(super) struct SimpleCmd<'a> {
    /// The scanned text (words carry raw offsets into it).
    pub(super) text: &'a [u8],
    /// The dequoted bytes the words index.
    pub(super) arena: &'a [u8],
    /// The words after the leading assignments, redirection targets
    /// included (flagged `W_REDIR`).
    pub(super) words: &'a [Word],
    /// Where the command starts.
    pub(super) pos: Pos,
    /// The operator that ended it.
    pub(super) op: Op,
    /// A known command is piped or chained into it (`id | cat`).
    pub(super) prev_known: bool,
}

impl<'a> SimpleCmd<'a> {
    /// The dequoted text of a word.
    pub(super) fn word(&self, w: &Word) -> &'a [u8] {
        self.arena.get(w.start..w.end).unwrap_or_default()
    }
}
