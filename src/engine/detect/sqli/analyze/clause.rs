//! Clause keywords in operator position (WHERE, ORDER BY, LIMIT, AS, JOIN,
//! INTO …) and the multi-word clause constructs they start.

use super::super::lexer::{Op, Tok, T};
use super::super::words::{catalog, Catalog, Kw};
use super::state::{Clause, Exp, Kind, Parser, Pend, Shape, Step};

impl Parser<'_, '_> {
    /// A clause keyword after the break is (weak) evidence.
    pub(super) fn clause(&mut self, t: Tok) {
        self.end_segment(t.start);
        self.conn = None;
        self.check_select(t.start);
        if self.depth == 0 && self.clause_tail.is_none() && !t.is(Kw::Where) && !t.is(Kw::Having) {
            self.clause_tail = Some(t.start);
        }
    }

    /// Clause keywords in operator position: WHERE, ON, GROUP / ORDER BY,
    /// LIMIT, AS, INTO, JOIN …
    pub(super) fn clause_word(&mut self, t: Tok, kw: Kw) -> Option<Step> {
        let step = match kw {
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
                    return Some(Step::Go);
                }
                self.pend = Pend::Name;
                Step::Go
            }
            Kw::Using => {
                if self.cur().kind == Kind::Args {
                    self.pend = Pend::Name;
                    return Some(Step::Go);
                }
                self.binary()
            }
            Kw::For => {
                if self.cur().kind == Kind::Args {
                    return Some(self.binary());
                }
                self.pend = Pend::ForWord;
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
            Kw::Over => {
                if self.peek().t == T::LParen {
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            _ => return None,
        };
        Some(step)
    }

    /// The rest of a clause construct: BY, a name after AS / `.`, FOR …,
    /// LOCK IN SHARE MODE, TOP n, an INTERVAL unit, JOIN.
    pub(super) fn pending_clause(&mut self, p: Pend, t: Tok) -> Option<Step> {
        let step = match p {
            Pend::By => {
                if t.is(Kw::By) {
                    self.exp = Exp::Operand;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            Pend::Name => {
                if matches!(t.t, T::Word | T::QIdent | T::Str { .. }) {
                    self.exp = Exp::Operator;
                    self.frame().alias = false;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            Pend::Qual => {
                if matches!(t.t, T::Word | T::QIdent) {
                    self.exp = Exp::Operator;
                    self.upgrade_item(Shape::Literal);
                    if self.cur().clause == Clause::From {
                        let kind = catalog(self.text(&t));
                        let qualified = std::mem::take(&mut self.schema_head);
                        self.note_table(kind == Catalog::Table || qualified, t.end);
                    }
                    Step::Go
                } else if t.t == T::Op(Op::Star) {
                    self.exp = Exp::Operator;
                    Step::Go
                } else if t.t == T::Dot {
                    // MSSQL master..sysdatabases
                    self.pend = Pend::Qual;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            Pend::ForWord => {
                if matches!(t.t, T::Word) {
                    self.exp = Exp::Operator;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            Pend::Lock => {
                // LOCK IN SHARE MODE
                if t.is(Kw::In) || t.is(Kw::Share) {
                    self.pend = Pend::Lock;
                    Step::Go
                } else if t.is(Kw::Mode) {
                    self.exp = Exp::Operator;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            Pend::Top => {
                if t.t != T::Num {
                    return None;
                }
                self.exp = Exp::Operand;
                Step::Go
            }
            Pend::IntervalUnit => {
                // INTERVAL <operand> <unit>: let the operand through, then
                // accept one unit word.
                if self.exp == Exp::Operand {
                    self.pend = Pend::IntervalUnit;
                    return None;
                }
                if t.t == T::Word {
                    return Some(Step::Go);
                }
                return None;
            }
            Pend::Join => {
                if t.is(Kw::Join) {
                    self.exp = Exp::Operand;
                    Step::Go
                } else if t.is(Kw::JoinMod) {
                    self.pend = Pend::Join;
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
