//! The shell lexer: quote states, operators and command positions, and the
//! [`Scanner`] that lexes a command list, ends simple commands at
//! separators and hands each to the judge.

use super::classes::plain_byte;
use super::expand::subst_trusted;
use super::judge::is_keyword;
use super::words::{
    words_before, Cmd, W_ASSIGN, W_BRACE, W_ESCAPE, W_EXPANSION, W_GLOB, W_HERE, W_LITERAL,
    W_QUOTED, W_REDIR, W_SUBST,
};
use super::{Cmdi, Found};

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
/// Words before a separator for it to count as a breakout.
pub(super) const NEAR_START_WORDS: usize = 3;

pub(super) struct Scanner<'d> {
    pub(super) det: &'d Cmdi,
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

impl<'d> Scanner<'d> {
    pub(super) fn new(det: &'d Cmdi, len: usize) -> Scanner<'d> {
        Scanner {
            det,
            found: None,
            vars: Vec::new(),
            budget: len.saturating_mul(6).saturating_add(4096),
            globs: 4,
            pending: None,
            seed: false,
            record_vars: true,
            pool: Default::default(),
        }
    }

    /// Prepares the scanner for another context of the same value.
    pub(super) fn restart(&mut self, len: usize) {
        self.found = None;
        self.vars.clear();
        self.budget = len.saturating_mul(6).saturating_add(4096);
        self.globs = 4;
        self.pending = None;
        self.seed = false;
    }

    pub(super) fn spend(&mut self, n: usize) -> bool {
        self.budget = self.budget.saturating_sub(n);
        self.budget > 0
    }

    /// Lexes `t[a..b]` as a command list starting at `pos` in quote state
    /// `q`.
    pub(super) fn seq(&mut self, t: &[u8], a: usize, b: usize, pos: Pos, q: Quote, depth: u8) {
        // Nothing inside an untrusted position can be a breakout.
        if !pos.trusted() || !self.spend(b.saturating_sub(a)) {
            return;
        }
        let outer = self.pending.take();
        // Command buffers are reused across calls (no allocation per
        // simple command).
        let slot = usize::from(depth);
        let mut cmd = self
            .pool
            .get_mut(slot)
            .map(std::mem::take)
            .unwrap_or_default();
        self.seq_inner(t, a, b, pos, q, depth, &mut cmd);
        if let Some(s) = self.pool.get_mut(slot) {
            *s = cmd;
        }
        if let Some(p) = self.pending.take() {
            self.found = self.found.or(Some(p));
        }
        self.pending = outer;
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn seq_inner(
        &mut self,
        t: &[u8],
        a: usize,
        b: usize,
        pos: Pos,
        q: Quote,
        depth: u8,
        cmd: &mut Cmd,
    ) {
        cmd.reset(a);
        if std::mem::take(&mut self.seed) {
            cmd.flag(a, W_QUOTED);
        }
        let mut pos = pos;
        let mut quote = q;
        let mut prev_known = false;
        let mut i = a;
        while i < b && self.found.is_none() {
            let Some(&c) = t.get(i) else {
                break;
            };
            match quote {
                Quote::Single => {
                    if c == b'\'' {
                        quote = Quote::None;
                        cmd.flag(i, W_QUOTED);
                    } else {
                        cmd.push(i, c, W_QUOTED);
                    }
                    i += 1;
                    continue;
                }
                Quote::Double => {
                    match c {
                        b'"' => {
                            quote = Quote::None;
                            cmd.flag(i, W_QUOTED);
                            i += 1;
                        }
                        b'\\' => {
                            match t.get(i + 1) {
                                Some(&n @ (b'$' | b'`' | b'"' | b'\\')) => cmd.push(i, n, W_QUOTED),
                                Some(b'\n') => {}
                                Some(&n) => {
                                    cmd.push(i, b'\\', W_QUOTED);
                                    cmd.push(i, n, W_QUOTED);
                                }
                                None => cmd.push(i, b'\\', W_QUOTED),
                            }
                            i += 2;
                        }
                        b'$' => i = self.dollar(t, i, b, cmd, pos, true, depth),
                        b'`' => i = self.backtick(t, i, b, cmd, pos, depth),
                        _ => {
                            cmd.push(i, c, W_QUOTED);
                            i += 1;
                        }
                    }
                    continue;
                }
                Quote::None => {}
            }
            // Unquoted.
            match c {
                b' ' | b'\t' | b'\r' => {
                    cmd.end_word();
                    i += 1;
                    if cmd.count > NEAR_START_WORDS && self.pending.is_none() && self.doomed(cmd) {
                        // Prose that no command starts: neither this command
                        // nor anything after it can be a breakout.
                        return;
                    }
                }
                b'\n' | b';' | b'&' | b'|' | b'(' | b')' => {
                    // `&>` and `>&` are redirections, not separators.
                    if c == b'&' && t.get(i + 1) == Some(&b'>') {
                        cmd.end_word();
                        i = self.redirect(t, i + 1, b, cmd, pos, depth);
                        continue;
                    }
                    // `(` right after a word without blank: `$(` handled in
                    // `dollar`; `f()` / `IEX(` end the command.
                    let (op, len) = match (c, t.get(i + 1)) {
                        (b'\n', _) => (Op::Newline, 1),
                        (b';', _) => (Op::Semi, 1),
                        (b'&', Some(b'&')) => (Op::AndAnd, 2),
                        (b'&', _) => (Op::Amp, 1),
                        (b'|', Some(b'|')) => (Op::OrOr, 2),
                        (b'|', Some(b'&')) => (Op::Pipe, 2),
                        (b'|', _) => (Op::Pipe, 1),
                        (b'(', _) => (Op::Open, 1),
                        _ => (Op::Close, 1),
                    };
                    cmd.end_word();
                    let known = self.finish(t, cmd, pos, op, prev_known, depth);
                    pos = self.next_pos(pos, cmd, known, op);
                    if !pos.trusted() {
                        // Prose before this separator: nothing after it is a
                        // breakout, and every later position inherits that.
                        return;
                    }
                    prev_known = known && matches!(op, Op::Pipe | Op::AndAnd | Op::OrOr);
                    i += len;
                    cmd.reset(i);
                }
                b'<' | b'>' => {
                    if t.get(i + 1) == Some(&b'(') {
                        // Process substitution <(…) / >(…).
                        let end = self.find_close(t, i + 2, b, b'(', b')');
                        cmd.flag(i, W_SUBST | W_EXPANSION);
                        let trusted = subst_trusted(t, pos, words_before(cmd), end.unwrap_or(b), b);
                        self.seq(
                            t,
                            i + 2,
                            end.unwrap_or(b),
                            Pos::Subst {
                                trusted,
                                backtick: false,
                            },
                            Quote::None,
                            depth + 1,
                        );
                        i = end.map_or(b, |e| e + 1);
                        continue;
                    }
                    // A word of digits before it is a file descriptor.
                    if let Some(w) = cmd.cur {
                        let text = cmd.arena.get(w.start..).unwrap_or_default();
                        if w.flags & W_QUOTED == 0
                            && !text.is_empty()
                            && text.iter().all(u8::is_ascii_digit)
                        {
                            cmd.arena.truncate(w.start);
                            cmd.cur = None;
                        }
                    }
                    cmd.end_word();
                    i = self.redirect(t, i, b, cmd, pos, depth);
                }
                b'\'' => {
                    quote = Quote::Single;
                    cmd.flag(i, W_QUOTED);
                    i += 1;
                }
                b'"' => {
                    quote = Quote::Double;
                    cmd.flag(i, W_QUOTED);
                    i += 1;
                }
                b'\\' => {
                    match t.get(i + 1) {
                        Some(b'\n') => {}
                        Some(&n) => {
                            let flag = if n.is_ascii_alphanumeric() {
                                W_ESCAPE
                            } else {
                                W_LITERAL
                            };
                            cmd.push(i, n, flag);
                        }
                        None => cmd.push(i, b'\\', W_LITERAL),
                    }
                    i += 2;
                }
                b'$' => i = self.dollar(t, i, b, cmd, pos, false, depth),
                b'`' => i = self.backtick(t, i, b, cmd, pos, depth),
                b'#' if cmd.cur.is_none() => {
                    // Comment to the end of the line.
                    i = t
                        .get(i..b)
                        .and_then(|r| r.iter().position(|&x| x == b'\n'))
                        .map_or(b, |p| i + p);
                }
                b'{' | b'}' | b',' => {
                    let at = cmd.arena.len();
                    cmd.push(i, c, W_LITERAL);
                    if let Some(w) = cmd.cur.as_mut() {
                        match (c, w.brace) {
                            (b'{', None) => w.brace = Some((at, usize::MAX)),
                            (b'}', Some((o, _))) if o != usize::MAX => {
                                w.brace = Some((o, at));
                                let inner = cmd.arena.get(o..at).unwrap_or_default();
                                if inner.contains(&b',') {
                                    w.flags |= W_BRACE;
                                }
                            }
                            _ => {}
                        }
                    }
                    i += 1;
                }
                b'*' | b'?' | b'[' => {
                    cmd.push(i, c, W_GLOB | W_LITERAL);
                    i += 1;
                }
                _ => {
                    // A run of plain bytes goes in at once.
                    let rest = t.get(i..b).unwrap_or_default();
                    let run = rest
                        .iter()
                        .position(|&x| !plain_byte(x))
                        .unwrap_or(rest.len())
                        .max(1);
                    cmd.push_run(i, rest.get(..run).unwrap_or_default(), W_LITERAL);
                    i += run;
                }
            }
        }
        if self.found.is_none() {
            cmd.end_word();
            self.finish(t, cmd, pos, Op::End, prev_known, depth);
        }
    }

    /// Whether the command being built can neither flag nor leave a
    /// trusted position behind: its first word is not a command (nor built
    /// by expansions, braces or globs) and it already has too many words
    /// (see [`Scanner::next_pos`]).
    pub(super) fn doomed(&mut self, cmd: &mut Cmd) -> bool {
        if !(cmd.count > 8 || cmd.prose > 1) {
            return false;
        }
        if cmd.first_known.is_none() {
            let arena = &cmd.arena;
            let first = cmd.words.iter().find(|w| {
                let text = arena.get(w.start..w.end).unwrap_or_default();
                w.flags & (W_ASSIGN | W_REDIR) == 0 && !is_keyword(text)
            });
            let known = first.is_none_or(|w| {
                let text = arena.get(w.start..w.end).unwrap_or_default();
                w.flags & (W_BRACE | W_GLOB | W_EXPANSION | W_SUBST) != 0
                    || text.eq_ignore_ascii_case(b"%comspec%")
                    || self.det.resolve(text).is_some()
            });
            cmd.first_known = Some(known);
        }
        cmd.first_known == Some(false)
    }

    /// The position after a separator.
    pub(super) fn next_pos(&self, pos: Pos, cmd: &Cmd, known: bool, op: Op) -> Pos {
        // Close to the start: few words, and few of them prose
        // (`127.0.0.1 -n 21 ||` is an argument list, `I came;` is not).
        let near = cmd.count <= NEAR_START_WORDS
            || cmd.prose <= 1 && cmd.count <= 8
            || known && cmd.count <= 8;
        let trusted = pos.trusted() && near;
        match (pos, op) {
            // `(` right at a command position keeps it (`;(sh)`).
            (p, Op::Open) if cmd.count == 0 && p != Pos::Arg => p,
            _ => Pos::Sep { trusted, op },
        }
    }

    /// Parses a redirection operator at `i` (`<`, `>`, `>>`, `<<<`, `>&`,
    /// `>|`) and marks the next word as its target.
    pub(super) fn redirect(
        &mut self,
        t: &[u8],
        i: usize,
        b: usize,
        cmd: &mut Cmd,
        _pos: Pos,
        _depth: u8,
    ) -> usize {
        let mut j = i;
        let mut here = 0;
        while j < b && matches!(t.get(j), Some(b'<' | b'>' | b'|')) && j - i < 3 {
            if t.get(j) == Some(&b'<') {
                here += 1;
            }
            j += 1;
        }
        if t.get(j) == Some(&b'&') {
            j += 1;
        }
        cmd.redirs += 1;
        cmd.redir_next = if here >= 3 { W_REDIR | W_HERE } else { W_REDIR };
        j.max(i + 1)
    }

    /// Finds the byte closing a `(`…`)` / `{`…`}` group that starts before
    /// `from`, skipping quotes and escapes.
    pub(super) fn find_close(
        &mut self,
        t: &[u8],
        from: usize,
        b: usize,
        open: u8,
        close: u8,
    ) -> Option<usize> {
        let mut depth = 0usize;
        let mut i = from;
        let mut q = Quote::None;
        let limit = b.min(t.len());
        while i < limit {
            let c = *t.get(i)?;
            match q {
                Quote::Single => {
                    if c == b'\'' {
                        q = Quote::None;
                    }
                }
                Quote::Double => {
                    if c == b'\\' {
                        i += 1;
                    } else if c == b'"' {
                        q = Quote::None;
                    }
                }
                Quote::None => {
                    if c == b'\\' {
                        i += 1;
                    } else if c == b'\'' && open == b'(' {
                        q = Quote::Single;
                    } else if c == b'"' {
                        q = Quote::Double;
                    } else if c == open {
                        depth += 1;
                    } else if c == close {
                        if depth == 0 {
                            self.spend(i - from);
                            return Some(i);
                        }
                        depth -= 1;
                    }
                }
            }
            i += 1;
        }
        self.spend(limit.saturating_sub(from));
        None
    }
}
