//! Operators and expressions: symbols and word operators after an operand,
//! comparisons, casts, aliases and the keywords allowed in operator position.

use super::super::lexer::{Op, Tok, T};
use super::super::rule::Rule;
use super::super::words::Kw;
use super::class::{numeric_type, postfix, structural};
use super::state::{seg, Atom, Clause, Exp, Kind, Lead, Parser, Pend, Step};

impl Parser<'_, '_> {
    pub(super) fn operator(&mut self, t: Tok) -> Step {
        if self.quote && self.after_brk == 0 {
            // `"&"`, `"LIKE"`: a quoted word, not an operator.
            let tight = t.start == self.brk
                && matches!(self.s.get(t.end), Some(b'\'' | b'"'))
                && (self.brk <= 1 || self.brk_spaced || t.t == T::Word);
            self.op_tail = !tight && matches!(t.t, T::Op(_)) && t.t != T::Op(Op::Bang);
            self.op_tail_postfix = postfix(self.text(&t));
            self.op_tail_strict = !tight
                && (matches!(
                    t.t,
                    T::Op(
                        Op::Eq
                            | Op::Cmp
                            | Op::Concat
                            | Op::AndAnd
                            | Op::Amp
                            | Op::Pipe
                            | Op::Caret
                            | Op::Regex
                    )
                ) || t.kw.is_some_and(|k| {
                    matches!(
                        k,
                        Kw::Like
                            | Kw::Rlike
                            | Kw::Regexp
                            | Kw::Sounds
                            | Kw::Div
                            | Kw::Is
                            | Kw::Not
                            | Kw::Glob
                            | Kw::Ilike
                            | Kw::Xor
                            | Kw::Collate
                            | Kw::Similar
                            | Kw::Mod
                            | Kw::In
                    )
                }));
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
                self.end_segment(t.start);
                self.comment_truncation(t);
                self.finish(t.start)
            }
            T::End => self.finish(t.start),
            _ => Step::Fail,
        }
    }

    pub(super) fn binary(&mut self) -> Step {
        self.structure = true;
        self.any_op = true;
        let f = self.frame();
        f.alias = false;
        self.exp = Exp::Operand;
        Step::Go
    }

    pub(super) fn alias(&mut self) -> Step {
        let f = self.frame();
        if f.alias {
            f.alias = false;
            Step::Go
        } else {
            Step::Fail
        }
    }

    pub(super) fn operator_word(&mut self, t: Tok) -> Step {
        let Some(kw) = t.kw else {
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
            return self.alias();
        };
        match kw {
            Kw::And | Kw::Or | Kw::Xor => self.connective(t),
            Kw::Div | Kw::Mod => self.binary(),
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
                            return Step::Go;
                        }
                    }
                    return Step::Fail;
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
            Kw::From => {
                let f = self.cur();
                match (f.kind, f.clause) {
                    (_, Clause::Select) => {
                        let f = self.frame();
                        f.clause = Clause::From;
                        f.alias = false;
                        if let Some(sel) = f.sel_mut() {
                            sel.from = true;
                            sel.item_start = false;
                        }
                        self.exp = Exp::Operand;
                        Step::Go
                    }
                    (Kind::Args, _) => self.binary(),
                    (Kind::Top, _) => {
                        // `1) FROM users WHERE …`: the value sits in a
                        // select list.
                        self.clause(t);
                        self.from_at = Some(t.start);
                        let f = self.frame();
                        f.clause = Clause::From;
                        f.alias = false;
                        self.exp = Exp::Operand;
                        Step::Go
                    }
                    _ => Step::Fail,
                }
            }
            Kw::Where | Kw::Having => {
                // The condition after WHERE / HAVING is judged like the one
                // after AND / OR. `SELECT x WHERE …` has no FROM but is a
                // query all the same.
                if self.cur().clause == Clause::Select {
                    if let Some(sel) = self.frame().sel_mut() {
                        sel.from = true;
                        sel.item_start = false;
                    }
                }
                self.clause(t);
                self.frame().clause = Clause::Expr;
                if self.depth == 0 {
                    self.conn = Some(t.start);
                    self.conn_clause = true;
                }
                self.binary()
            }
            Kw::On => {
                if self.cur().clause == Clause::From {
                    self.frame().clause = Clause::Expr;
                    self.binary()
                } else {
                    Step::Fail
                }
            }
            Kw::Group | Kw::Order | Kw::Partition => {
                self.clause(t);
                self.frame().clause = Clause::Expr;
                self.pend = Pend::By;
                Step::Go
            }
            Kw::Limit | Kw::Offset | Kw::Returning => {
                self.clause(t);
                self.frame().clause = Clause::Expr;
                self.binary()
            }
            Kw::Separator if self.cur().kind == Kind::Args => self.binary(),
            Kw::As => {
                if self.cur().kind == Kind::Args {
                    // CAST(x AS type)
                    self.pend = Pend::Name;
                    return Step::Go;
                }
                self.pend = Pend::Name;
                Step::Go
            }
            Kw::Using => {
                if self.cur().kind == Kind::Args {
                    self.pend = Pend::Name;
                    return Step::Go;
                }
                self.binary()
            }
            Kw::For => {
                if self.cur().kind == Kind::Args {
                    return self.binary();
                }
                self.pend = Pend::ForWord;
                Step::Go
            }
            Kw::Union | Kw::Intersect | Kw::Except | Kw::Minus => {
                self.end_segment(t.start);
                self.check_select(t.start);
                self.pend = Pend::Union(t.start);
                Step::Go
            }
            Kw::Into => {
                self.clause(t);
                self.pend = Pend::Into(t.start);
                Step::Go
            }
            Kw::Procedure => {
                self.clause(t);
                self.binary()
            }
            Kw::Lock => {
                self.pend = Pend::Lock;
                Step::Go
            }
            Kw::Asc | Kw::Desc | Kw::Rows | Kw::Only => Step::Go,
            Kw::Join => {
                if self.cur().clause == Clause::From {
                    self.binary()
                } else {
                    Step::Fail
                }
            }
            Kw::JoinMod => {
                if self.cur().clause == Clause::From {
                    self.pend = Pend::Join;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
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
            Kw::Over => {
                if self.peek().t == T::LParen {
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            Kw::Waitfor => {
                self.pend = Pend::Waitfor(t.start);
                Step::Go
            }
            Kw::Select
            | Kw::Insert
            | Kw::Update
            | Kw::Delete
            | Kw::Drop
            | Kw::Set
            | Kw::Begin
            | Kw::Create
            | Kw::Truncate
            | Kw::Shutdown
            | Kw::Exec
            | Kw::Declare
            | Kw::If
            | Kw::Goto
            | Kw::While
            | Kw::Grant
                if self.depth == 0
                    && (self.if_stmt
                        || self.quote
                        || self.lead == Lead::Value
                        || matches!(kw, Kw::Exec | Kw::Declare)) =>
            {
                // MSSQL runs statements without a separator: `1 exec …`,
                // `x' begin declare …`, `IF (cond) SELECT …`.
                if !self.if_stmt {
                    self.implicit = true;
                    self.stmt_at = Some(t.start);
                }
                self.exp = Exp::Stmt;
                self.statement(t)
            }
            _ => {
                if self.cur().alias && !structural(kw) {
                    return self.alias();
                }
                Step::Fail
            }
        }
    }
}
