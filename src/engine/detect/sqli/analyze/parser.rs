//! The entry point (fast rejections, then the parser set up for one
//! reading), the main loop and the token cursor the grammar steps share.

use std::cell::Cell;

use super::super::lexer::{scan_string, Lexer, Tok, T};
use super::super::rule::{Ev, Rule};
use super::super::words::Func;
use super::class::{cannot_follow, plain_word, text_is};
use super::state::{Atom, Exp, Frame, Kind, Lead, Parser, Pend, Step, MAX_DEPTH};

/// How the value is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in super::super) enum Ctx {
    /// As it is: a numeric or unquoted context, or a standalone fragment.
    Bare,
    /// As the tail of a string literal opened by `quote`; `backslash` makes
    /// `\` an escape (MySQL).
    Quote { quote: u8, backslash: bool },
}

/// The parenthesis stack, shared by the readings of one value so that it
/// is initialised once.
pub(in super::super) struct Stack([Frame; MAX_DEPTH]);

impl Stack {
    pub fn new() -> Stack {
        Stack([Frame::ZERO; MAX_DEPTH])
    }
}

/// Analyses `s` read in `ctx`, using `stack` as scratch. Returns the
/// evidence found, if any.
pub(in super::super) fn analyze(s: &[u8], ctx: Ctx, stack: &mut Option<Stack>) -> Option<Ev> {
    let (quote, backslash) = match ctx {
        Ctx::Bare => (None, false),
        Ctx::Quote { quote, backslash } => (Some(quote), backslash),
    };
    let mut start = 0;
    let mut brk_spaced = false;
    if let Some(q) = quote {
        let (end, closed) = scan_string(s, 0, q, backslash);
        if !closed {
            return None;
        }
        start = end;
        // Fast path: a plain word right after the closing quote (`O'Brien`,
        // `it's`) can only be an alias, which a WHERE clause does not take.
        let mut l = Lexer::new(s, start, backslash);
        if cannot_follow(s, &l.next_tok()) {
            return None;
        }
        brk_spaced = s
            .get(..end.saturating_sub(1))
            .unwrap_or_default()
            .iter()
            .any(|b| b.is_ascii_whitespace());
    } else {
        // Fast path: a plain word followed by another operand (prose,
        // `O'Brien`) fails at once.
        let mut l = Lexer::new(s, 0, false);
        let a = l.next_tok();
        if plain_word(s, &a) && !text_is(s, &a, b"match") {
            let b = l.next_tok();
            if cannot_follow(s, &b)
                || b.t == (T::Str { closed: true })
                || b.t == (T::Str { closed: false })
            {
                return None;
            }
        }
    }
    let stack = stack.get_or_insert_with(Stack::new);
    if let Some(f) = stack.0.first_mut() {
        *f = Frame::ZERO;
    }
    let top = Frame::ZERO;
    let mut p = Parser {
        s,
        lx: Lexer::new(s, start, backslash),
        pk: Cell::new(None),
        quote: quote.is_some(),
        brk: start,
        brk_spaced,
        exp: if quote.is_some() {
            Exp::Operator
        } else {
            Exp::Operand
        },
        frames: &mut stack.0,
        depth: 0,
        scratch: top,
        pend: Pend::None,
        union_at: None,
        lead: if quote.is_some() {
            Lead::Value
        } else {
            Lead::Unset
        },
        last: Tok {
            t: T::Str { closed: true },
            start: 0,
            end: start,
            kw: None,
            func: Func::Plain,
        },
        atom: if quote.is_some() {
            Atom::Str
        } else {
            Atom::None
        },
        after_brk: 0,
        op_tail: false,
        op_tail_strict: false,
        cmp_left: None,
        seg: 0,
        conn: None,
        strong: None,
        weak: None,
        clause_tail: None,
        stmt_at: None,
        if_stmt: false,
        implicit: false,
        words: 0,
        pre_conn: None,
        any_op: false,
        conn_clause: false,
        structure: false,
        stmt_call: false,
        op_tail_postfix: false,
        glued: false,
        truncated: false,
        committed: false,
        schema_head: false,
        from_at: None,
        cast_at: None,
        ops: 0,
        bare_tail: false,
    };
    p.run()
}

impl<'a> Parser<'a, '_> {
    /// Steps through the tokens until the parse fails or completes.
    pub(super) fn run(&mut self) -> Option<Ev> {
        loop {
            let t = self.advance();
            let step = self.step(t);
            if !matches!(t.t, T::RParen | T::Semi | T::Comment | T::End) {
                self.after_brk = self.after_brk.saturating_add(1);
            }
            self.last = t;
            match step {
                Step::Go => {}
                Step::Fail => {
                    self.salvage(t.start);
                    if self.committed {
                        return self.strong.or(self.weak);
                    }
                    return self.strong;
                }
                Step::Done => return self.strong.or(self.weak),
            }
        }
    }

    /// The current frame.
    pub(super) fn frame(&mut self) -> &mut Frame {
        // `depth` never exceeds MAX_DEPTH - 1 (push refuses).
        let d = self.depth;
        let (frames, scratch) = (&mut self.frames, &mut self.scratch);
        frames.get_mut(d).unwrap_or(scratch)
    }

    /// A copy of the current frame.
    pub(super) fn cur(&self) -> Frame {
        self.frames
            .get(self.depth)
            .copied()
            .unwrap_or(Frame::new(Kind::Top))
    }

    /// Opens a frame; false when the depth bound is reached.
    pub(super) fn push(&mut self, f: Frame) -> bool {
        if self.depth + 1 >= MAX_DEPTH {
            return false;
        }
        self.depth += 1;
        if let Some(slot) = self.frames.get_mut(self.depth) {
            *slot = f;
        }
        true
    }

    /// The next token, without consuming it (cached: the analysis peeks
    /// at most words, and lexing them twice would double the cost).
    pub(super) fn peek(&self) -> Tok {
        let at = self.lx.pos();
        if let Some((pos, t, _)) = self.pk.get() {
            if pos == at {
                return t;
            }
        }
        let mut l = self.lx;
        let t = l.next_tok();
        self.pk.set(Some((at, t, l)));
        t
    }

    /// Consumes the next token (reusing a peek).
    pub(super) fn advance(&mut self) -> Tok {
        if let Some((pos, t, l)) = self.pk.get() {
            if pos == self.lx.pos() {
                self.lx = l;
                return t;
            }
        }
        self.lx.next_tok()
    }

    /// The next two tokens, without consuming them.
    pub(super) fn peek2(&self) -> (Tok, Tok) {
        let mut l = self.lx;
        let a = l.next_tok();
        let b = l.next_tok();
        (a, b)
    }

    /// The bytes of `t`.
    pub(super) fn text(&self, t: &Tok) -> &'a [u8] {
        self.s.get(t.start..t.end).unwrap_or_default()
    }

    /// Records strong evidence (the first one found is kept).
    pub(super) fn set_strong(&mut self, rule: Rule, start: usize, end: usize) {
        if self.strong.is_none() {
            self.strong = Some(Ev { rule, start, end });
        }
    }

    /// Records weak evidence (the first one found is kept).
    pub(super) fn set_weak(&mut self, rule: Rule, start: usize, end: usize) {
        if self.weak.is_none() {
            self.weak = Some(Ev { rule, start, end });
        }
    }

    /// Where evidence spans start: the closing quote, or the value start.
    pub(super) fn ev_start(&self) -> usize {
        if self.quote {
            self.brk.saturating_sub(1)
        } else {
            0
        }
    }

    /// One token: a pending construct first, then by what is expected.
    pub(super) fn step(&mut self, t: Tok) -> Step {
        if self.pend != Pend::None {
            if let Some(s) = self.pending(t) {
                return s;
            }
        }
        match self.exp {
            Exp::Operand => self.operand(t),
            Exp::Operator => self.operator(t),
            Exp::Stmt => self.statement(t),
        }
    }

    /// Handles `t` when a multi-word construct is pending. `None` lets the
    /// token through to the normal handling. Each handler is given only the
    /// constructs listed for it here (its catch-all arm is never reached),
    /// and lives with the grammar area it belongs to.
    pub(super) fn pending(&mut self, t: Tok) -> Option<Step> {
        let p = self.pend;
        self.pend = Pend::None;
        match p {
            Pend::None => None,
            Pend::Union(start) => Some(self.pending_union(t, start)),
            Pend::Is | Pend::NotOp | Pend::SimilarTo | Pend::Sounds | Pend::MemberOf => {
                self.pending_comparison(p, t)
            }
            Pend::Into(_) | Pend::IntoFile(_) | Pend::Waitfor(_) | Pend::WaitforArg(_) => {
                self.pending_effect(p, t)
            }
            Pend::By
            | Pend::Name
            | Pend::Qual
            | Pend::ForWord
            | Pend::Lock
            | Pend::Top
            | Pend::IntervalUnit
            | Pend::Join => self.pending_clause(p, t),
        }
    }
}
