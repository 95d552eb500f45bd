//! Operators and expressions: symbols and word operators after an operand,
//! comparisons, casts, aliases and the keywords allowed in operator position.

use super::super::lexer::{Op, Tok, T};
use super::super::rule::Rule;
use super::super::words::Kw;
use super::class::{cast_type, numeric_type, postfix, structural};
use super::state::{seg, Atom, Clause, Exp, Kind, Parser, Pend, Step};

impl Parser<'_, '_> {
    /// A token in operator position (after an operand).
    pub(super) fn operator(&mut self, t: Tok) -> Step {
        if self.quote && self.after_brk == 0 {
            self.note_first_operator(&t);
        }
        match t.t {
            T::Op(Op::Eq | Op::Cmp | Op::Regex | Op::Assign) => {
                self.seg |= seg::CMP;
                self.cmp_left = Some(self.atom != Atom::Word);
                if self.conn_clause {
                    if let Some(sel) = self.frame().sel_mut() {
                        sel.where_cmp = true;
                    }
                    self.check_select(t.end);
                }
                self.binary()
            }
            T::Op(Op::AndAnd) => self.connective(t),
            T::Op(Op::Concat) => self.connective(t),
            T::Op(Op::Cast) => {
                // `password::int`: PostgreSQL error-based extraction.
                let n = self.peek();
                if numeric_type(self.text(&n)) && self.atom != Atom::Num {
                    self.set_weak(Rule::CastError, self.last.start, n.end);
                }
                if n.t == T::Word && cast_type(self.text(&n)) {
                    return self.cast(n);
                }
                self.binary()
            }
            T::Op(
                Op::Plus
                | Op::Minus
                | Op::Star
                | Op::Slash
                | Op::Amp
                | Op::Pipe
                | Op::Caret
                | Op::Shift
                | Op::Arrow,
            ) => {
                self.seg |= seg::ARITH;
                self.binary()
            }
            T::Op(_) => Step::Fail,
            // PostgreSQL `?` (JSON key exists) after an operand.
            T::Var if self.text(&t) == b"?" => {
                self.seg |= seg::CMP;
                self.binary()
            }
            T::Word => self.operator_word(t),
            T::Str { .. } if self.quote && self.after_brk == 0 && self.last.end == self.brk => {
                // MySQL concatenates adjacent literals: `0' '1' like 0`.
                Step::Go
            }
            T::Str { .. } | T::QIdent => self.alias(),
            T::LParen => self.open_call(),
            T::RParen => self.close(t),
            T::Comma => {
                let f = self.frame();
                f.alias = false;
                if f.clause == Clause::Select {
                    if let Some(sel) = f.sel_mut() {
                        sel.item_start = true;
                    }
                    self.check_select(t.start);
                }
                self.exp = Exp::Operand;
                Step::Go
            }
            T::Semi => {
                self.implicit = false;
                self.stmt_call = false;
                self.end_segment(t.start);
                if self.depth == 0 && self.weak.is_some() {
                    self.committed = true;
                }
                self.check_select(t.start);
                self.exp = Exp::Stmt;
                self.stmt_at = Some(t.start);
                Step::Go
            }
            T::Dot => {
                if matches!(self.last.t, T::Word | T::QIdent | T::Var) {
                    self.pend = Pend::Qual;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            T::Comment => {
                self.truncated = true;
                self.bare_tail = super::judge::bare_comment(self.text(&t));
                self.end_segment(t.start);
                self.comment_truncation(t);
                self.finish(t.start)
            }
            T::End => self.finish(t.start),
            _ => Step::Fail,
        }
    }

    /// `::type` after an operand (the type token `n` is next): the type is
    /// consumed with the cast, so the operand stays a value
    /// (`'{"a":1}'::jsonb -> 'a'`). A cast of a string literal or of a
    /// call is PostgreSQL-only syntax; in a bare reading it is evidence
    /// once the whole value parses and the cast sits in an expression
    /// (another operator) or casts a call (`version()::text`).
    fn cast(&mut self, n: Tok) -> Step {
        self.advance();
        if self.text(&n).eq_ignore_ascii_case(b"double")
            && self.text(&self.peek()).eq_ignore_ascii_case(b"precision")
        {
            self.advance();
        }
        if !self.quote && matches!(self.atom, Atom::Str | Atom::Call) && self.cast_at.is_none() {
            self.cast_at = Some((self.ev_start(), self.atom == Atom::Call));
        }
        self.structure = true;
        self.exp = Exp::Operator;
        Step::Go
    }

    /// A binary operator (or connective) was consumed: an operand follows.
    pub(super) fn binary(&mut self) -> Step {
        self.ops = self.ops.saturating_add(1);
        self.structure = true;
        self.any_op = true;
        let f = self.frame();
        f.alias = false;
        self.exp = Exp::Operand;
        Step::Go
    }

    /// A name right after an operand: an alias where the clause takes one
    /// (select list, FROM), the end of the parse elsewhere.
    pub(super) fn alias(&mut self) -> Step {
        let f = self.frame();
        if f.alias {
            f.alias = false;
            Step::Go
        } else {
            Step::Fail
        }
    }

    /// A word in operator position. The groups below take disjoint sets
    /// of keywords; a keyword none of them takes (or whose guard fails) is
    /// an alias when one may follow, and ends the parse otherwise.
    pub(super) fn operator_word(&mut self, t: Tok) -> Step {
        let Some(kw) = t.kw else {
            return self.bare_operator_word(t);
        };
        let step = match kw {
            Kw::And | Kw::Or | Kw::Xor => Some(self.connective(t)),
            Kw::Div | Kw::Mod => Some(self.binary()),
            Kw::Waitfor => {
                self.pend = Pend::Waitfor(t.start);
                Some(Step::Go)
            }
            _ => None,
        };
        let step = step
            .or_else(|| self.comparison_word(kw))
            .or_else(|| self.case_word(t, kw))
            .or_else(|| self.select_word(t, kw))
            .or_else(|| self.clause_word(t, kw))
            .or_else(|| self.juxtaposed_statement(t, kw));
        if let Some(step) = step {
            return step;
        }
        if self.cur().alias && !structural(kw) {
            return self.alias();
        }
        Step::Fail
    }

    /// A word without a keyword role in operator position: a postfix null
    /// test, `AGAINST`, `PLACING`, or an alias.
    fn bare_operator_word(&mut self, t: Tok) -> Step {
        if postfix(self.text(&t)) {
            // `x NOTNULL`, `x ISNULL` (PostgreSQL, SQLite)
            self.seg |= seg::CMP;
            return Step::Go;
        }
        let w = self.text(&t);
        if w.eq_ignore_ascii_case(b"against") {
            self.seg |= seg::CMP;
            return self.binary();
        }
        if self.cur().kind == Kind::Args && w.eq_ignore_ascii_case(b"placing") {
            // OVERLAY(x PLACING y FROM 1 FOR 0)
            return self.binary();
        }
        self.alias()
    }

    /// Word operators that compare or combine: LIKE, IS, IN, BETWEEN, NOT …
    pub(super) fn comparison_word(&mut self, kw: Kw) -> Option<Step> {
        let step = match kw {
            Kw::Like | Kw::Rlike | Kw::Regexp | Kw::Ilike | Kw::Glob | Kw::Escape => {
                self.seg |= seg::CMP;
                self.cmp_left = Some(self.atom != Atom::Word);
                self.binary()
            }
            Kw::Sounds => {
                self.pend = Pend::Sounds;
                Step::Go
            }
            Kw::Similar => {
                self.pend = Pend::SimilarTo;
                Step::Go
            }
            Kw::Not => {
                self.pend = Pend::NotOp;
                Step::Go
            }
            Kw::Is => {
                self.seg |= seg::CMP;
                self.pend = Pend::Is;
                Step::Go
            }
            Kw::In => {
                // MATCH … AGAINST ('x' IN BOOLEAN MODE / IN NATURAL
                // LANGUAGE MODE)
                let n = self.peek();
                let w = self.text(&n);
                if w.eq_ignore_ascii_case(b"boolean") || w.eq_ignore_ascii_case(b"natural") {
                    for _ in 0..3 {
                        let m = self.advance();
                        if m.is(Kw::Mode) {
                            return Some(Step::Go);
                        }
                    }
                    return Some(Step::Fail);
                }
                self.seg |= seg::CMP;
                self.binary()
            }
            Kw::Between => {
                self.seg |= seg::CMP;
                self.frame().between = true;
                self.binary()
            }
            Kw::Collate => {
                self.pend = Pend::Name;
                Step::Go
            }
            Kw::Member => {
                self.pend = Pend::MemberOf;
                Step::Go
            }
            _ => return None,
        };
        Some(step)
    }

    /// WHEN / THEN / ELSE / END: a CASE in progress, or the branches of an
    /// IF statement.
    pub(super) fn case_word(&mut self, t: Tok, kw: Kw) -> Option<Step> {
        let step = match kw {
            Kw::When | Kw::Then | Kw::Else => {
                if self.cur().kind == Kind::Case {
                    if kw == Kw::When {
                        self.frame().when = true;
                    }
                    self.binary()
                } else if self.if_stmt && self.depth == 0 && kw != Kw::When {
                    // IF … THEN stmt / IF (…) stmt ELSE stmt
                    self.exp = Exp::Stmt;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            Kw::End => {
                if self.cur().kind == Kind::Case {
                    if self.cur().when {
                        self.set_weak(Rule::Conditional, self.ev_start(), t.end);
                    }
                    self.depth = self.depth.saturating_sub(1);
                    let f = self.frame();
                    f.fresh = false;
                    f.alias = matches!(f.clause, Clause::Select | Clause::From);
                    self.atom = Atom::Const;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            _ => return None,
        };
        Some(step)
    }

    /// The rest of IS [NOT], NOT LIKE / IN / BETWEEN, SIMILAR TO, SOUNDS
    /// LIKE, MEMBER OF.
    pub(super) fn pending_comparison(&mut self, p: Pend, t: Tok) -> Option<Step> {
        let step = match p {
            Pend::Is => {
                if t.is(Kw::Not) {
                    self.pend = Pend::Is;
                    Step::Go
                } else if t.is(Kw::Null) || t.is(Kw::True) || t.is(Kw::False) || t.is(Kw::Unknown) {
                    self.seg |= seg::BOOL_LIT;
                    self.exp = Exp::Operator;
                    Step::Go
                } else if t.is(Kw::Distinct) {
                    // IS DISTINCT FROM
                    let n = self.peek();
                    if n.is(Kw::From) {
                        self.advance();
                        self.exp = Exp::Operand;
                        Step::Go
                    } else {
                        Step::Fail
                    }
                } else {
                    // SQLite: `x IS [NOT] expr`.
                    self.exp = Exp::Operand;
                    return None;
                }
            }
            Pend::NotOp => {
                if t.is(Kw::Like)
                    || t.is(Kw::Rlike)
                    || t.is(Kw::Regexp)
                    || t.is(Kw::Ilike)
                    || t.is(Kw::Glob)
                    || t.is(Kw::In)
                {
                    self.seg |= seg::CMP;
                    self.cmp_left = Some(self.atom != Atom::Word);
                    self.exp = Exp::Operand;
                    Step::Go
                } else if t.is(Kw::Between) {
                    self.seg |= seg::CMP;
                    self.frame().between = true;
                    self.exp = Exp::Operand;
                    Step::Go
                } else if t.is(Kw::Similar) {
                    self.pend = Pend::SimilarTo;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            Pend::SimilarTo => {
                if self.text(&t).eq_ignore_ascii_case(b"to") {
                    self.seg |= seg::CMP;
                    self.exp = Exp::Operand;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            Pend::Sounds => {
                if t.is(Kw::Like) {
                    self.seg |= seg::CMP;
                    self.exp = Exp::Operand;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            Pend::MemberOf => {
                if t.is(Kw::Of) {
                    self.exp = Exp::Operand;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            _ => return None,
        };
        Some(step)
    }
}
