//! The shell lexer: quote states, operators and command positions, the
//! [`Frame`] (a region of text lexed as one command list) and the
//! [`Scanner`] that lexes it byte by byte, ends simple commands at
//! separators and hands each to the judge.

use super::classes::plain_byte;
use super::expand::subst_trusted;
use super::judge::is_keyword;
use super::names::Names;
use super::state::{Frame, Op, Pos, Quote, Scanner};
use super::words::{
    words_before, Cmd, W_ASSIGN, W_BRACE, W_ESCAPE, W_EXPANSION, W_GLOB, W_HERE, W_LITERAL,
    W_QUOTED, W_REDIR, W_SUBST,
};

/// Words before a separator for it to count as a breakout.
const NEAR_START_WORDS: usize = 3;

/// The lexer's place inside a frame.
struct Cursor {
    /// Next byte to read.
    i: usize,
    quote: Quote,
    /// The previous command is known and piped or chained (`|`, `&&`,
    /// `||`) into the one being lexed.
    prev_known: bool,
}

impl<'d> Scanner<'d> {
    /// A scanner for a text of `len` bytes.
    pub(super) fn new(names: &'d Names, len: usize) -> Scanner<'d> {
        Scanner {
            names,
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

    /// Lexes a frame as a command list. A frame always starts unquoted:
    /// the quoted contexts of a value start after the quote that breaks
    /// out (see `contexts`).
    pub(super) fn seq(&mut self, frame: Frame<'_>) {
        // Nothing inside an untrusted position can be a breakout.
        if !frame.pos.trusted() || !self.spend(frame.end.saturating_sub(frame.start)) {
            return;
        }
        let outer = self.pending.take();
        // Command buffers are reused across calls (no allocation per
        // simple command).
        let slot = usize::from(frame.depth);
        let mut cmd = self
            .pool
            .get_mut(slot)
            .map(std::mem::take)
            .unwrap_or_default();
        self.list(frame, &mut cmd);
        if let Some(s) = self.pool.get_mut(slot) {
            *s = cmd;
        }
        if let Some(p) = self.pending.take() {
            self.found = self.found.or(Some(p));
        }
        self.pending = outer;
    }

    /// The loop of [`Scanner::seq`]: reads the frame byte by byte into
    /// `cmd`, judging each simple command as a separator ends it. Stops at
    /// the first finding, or when the text reads as prose.
    fn list(&mut self, frame: Frame<'_>, cmd: &mut Cmd) {
        cmd.reset(frame.start);
        if std::mem::take(&mut self.seed) {
            cmd.flag(frame.start, W_QUOTED);
        }
        // `f.pos` moves on at each separator; the rest of the frame stays.
        let mut f = frame;
        let mut cur = Cursor {
            i: frame.start,
            quote: Quote::None,
            prev_known: false,
        };
        // The text and end never change: kept in locals, the per-byte loop
        // does not reload them from `f`, whose address the callees take.
        let (text, end) = (frame.text, frame.end);
        while cur.i < end && self.found.is_none() {
            let Some(&c) = text.get(cur.i) else {
                break;
            };
            match cur.quote {
                Quote::Single => {
                    if c == b'\'' {
                        cur.quote = Quote::None;
                        cmd.flag(cur.i, W_QUOTED);
                    } else {
                        cmd.push(cur.i, c, W_QUOTED);
                    }
                    cur.i += 1;
                }
                Quote::Double => self.double_quoted(&f, c, cmd, &mut cur),
                Quote::None => {
                    if !self.unquoted(&mut f, c, cmd, &mut cur) {
                        return;
                    }
                }
            }
        }
        if self.found.is_none() {
            cmd.end_word();
            self.finish(&f, cmd, Op::End, cur.prev_known);
        }
    }

    /// One byte (or escape, or expansion) inside double quotes.
    fn double_quoted(&mut self, f: &Frame<'_>, c: u8, cmd: &mut Cmd, cur: &mut Cursor) {
        let i = cur.i;
        match c {
            b'"' => {
                cur.quote = Quote::None;
                cmd.flag(i, W_QUOTED);
                cur.i += 1;
            }
            b'\\' => {
                match f.text.get(i + 1) {
                    Some(&n @ (b'$' | b'`' | b'"' | b'\\')) => cmd.push(i, n, W_QUOTED),
                    Some(b'\n') => {}
                    Some(&n) => {
                        cmd.push(i, b'\\', W_QUOTED);
                        cmd.push(i, n, W_QUOTED);
                    }
                    None => cmd.push(i, b'\\', W_QUOTED),
                }
                cur.i += 2;
            }
            b'$' => cur.i = self.dollar(f, i, cmd, true),
            b'`' => cur.i = self.backtick(f, i, cmd),
            _ => {
                cmd.push(i, c, W_QUOTED);
                cur.i += 1;
            }
        }
    }

    /// One unquoted byte (or word run, operator, escape, expansion).
    /// Returns `false` when nothing further in the frame can be a breakout:
    /// the caller stops without judging the command in progress.
    fn unquoted(&mut self, f: &mut Frame<'_>, c: u8, cmd: &mut Cmd, cur: &mut Cursor) -> bool {
        let i = cur.i;
        match c {
            b' ' | b'\t' | b'\r' => {
                cmd.end_word();
                cur.i += 1;
                if cmd.count > NEAR_START_WORDS && self.pending.is_none() && self.doomed(cmd) {
                    // Prose that no command starts: neither this command
                    // nor anything after it can be a breakout.
                    return false;
                }
            }
            b'\n' | b';' | b'&' | b'|' | b'(' | b')' => return self.separator(f, c, cmd, cur),
            b'<' | b'>' => self.angle(f, cmd, cur),
            b'\'' => {
                cur.quote = Quote::Single;
                cmd.flag(i, W_QUOTED);
                cur.i += 1;
            }
            b'"' => {
                cur.quote = Quote::Double;
                cmd.flag(i, W_QUOTED);
                cur.i += 1;
            }
            b'\\' => {
                match f.text.get(i + 1) {
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
                cur.i += 2;
            }
            b'$' => cur.i = self.dollar(f, i, cmd, false),
            b'`' => cur.i = self.backtick(f, i, cmd),
            b'#' if cmd.cur.is_none() => {
                // Comment to the end of the line.
                cur.i = f
                    .text
                    .get(i..f.end)
                    .and_then(|r| r.iter().position(|&x| x == b'\n'))
                    .map_or(f.end, |p| i + p);
            }
            b'{' | b'}' | b',' => {
                cmd.push_brace(i, c);
                cur.i += 1;
            }
            b'*' | b'?' | b'[' => {
                cmd.push(i, c, W_GLOB | W_LITERAL);
                cur.i += 1;
            }
            _ => {
                // A run of plain bytes goes in at once.
                let rest = f.text.get(i..f.end).unwrap_or_default();
                let run = rest
                    .iter()
                    .position(|&x| !plain_byte(x))
                    .unwrap_or(rest.len())
                    .max(1);
                cmd.push_run(i, rest.get(..run).unwrap_or_default(), W_LITERAL);
                cur.i += run;
            }
        }
        true
    }

    /// A separator (`;`, `&`, `&&`, `|`, `||`, `|&`, newline, `(`, `)`):
    /// judges the command it ends and moves the frame to the position
    /// after it. Returns `false` when that position is untrusted (prose).
    fn separator(&mut self, f: &mut Frame<'_>, c: u8, cmd: &mut Cmd, cur: &mut Cursor) -> bool {
        let t = f.text;
        let i = cur.i;
        // `&>` and `>&` are redirections, not separators.
        if c == b'&' && t.get(i + 1) == Some(&b'>') {
            cmd.end_word();
            cur.i = redirect(f, i + 1, cmd);
            return true;
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
        let known = self.finish(f, cmd, op, cur.prev_known);
        f.pos = self.next_pos(f.pos, cmd, known, op);
        if !f.pos.trusted() {
            // Prose before this separator: nothing after it is a
            // breakout, and every later position inherits that.
            return false;
        }
        cur.prev_known = known && matches!(op, Op::Pipe | Op::AndAnd | Op::OrOr);
        cur.i += len;
        cmd.reset(cur.i);
        true
    }

    /// `<` or `>`: a process substitution `<(…)` / `>(…)`, or a
    /// redirection (a word of digits before it is a file descriptor).
    fn angle(&mut self, f: &Frame<'_>, cmd: &mut Cmd, cur: &mut Cursor) {
        let i = cur.i;
        if f.text.get(i + 1) == Some(&b'(') {
            let end = self.find_close(f, i + 2, b'(', b')');
            cmd.flag(i, W_SUBST | W_EXPANSION);
            let inner_end = end.unwrap_or(f.end);
            let trusted = subst_trusted(f, words_before(cmd), inner_end);
            self.seq(f.nested(
                i + 2,
                inner_end,
                Pos::Subst {
                    trusted,
                    backtick: false,
                },
            ));
            cur.i = end.map_or(f.end, |e| e + 1);
            return;
        }
        if let Some(w) = cmd.cur {
            let text = cmd.arena.get(w.start..).unwrap_or_default();
            if w.flags & W_QUOTED == 0 && !text.is_empty() && text.iter().all(u8::is_ascii_digit) {
                cmd.arena.truncate(w.start);
                cmd.cur = None;
            }
        }
        cmd.end_word();
        cur.i = redirect(f, i, cmd);
    }

    /// Whether the command being built can neither flag nor leave a
    /// trusted position behind: its first word is not a command (nor built
    /// by expansions, braces or globs) and it already has too many words
    /// (see [`Scanner::next_pos`]).
    fn doomed(&mut self, cmd: &mut Cmd) -> bool {
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
                    || self.names.resolve(text).is_some()
            });
            cmd.first_known = Some(known);
        }
        cmd.first_known == Some(false)
    }

    /// The position after a separator.
    fn next_pos(&self, pos: Pos, cmd: &Cmd, known: bool, op: Op) -> Pos {
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

    /// Finds the byte closing a `(`…`)` / `{`…`}` group that starts before
    /// `from`, skipping quotes and escapes.
    pub(super) fn find_close(
        &mut self,
        f: &Frame<'_>,
        from: usize,
        open: u8,
        close: u8,
    ) -> Option<usize> {
        let t = f.text;
        let b = f.end;
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

/// Parses a redirection operator at `i` (`<`, `>`, `>>`, `<<<`, `>&`,
/// `>|`) and marks the next word of `cmd` as its target.
fn redirect(f: &Frame<'_>, i: usize, cmd: &mut Cmd) -> usize {
    let (t, b) = (f.text, f.end);
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
    cmd.redir_next = if here >= 3 { W_REDIR | W_HERE } else { W_REDIR };
    j.max(i + 1)
}
