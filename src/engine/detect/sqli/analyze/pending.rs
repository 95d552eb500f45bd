//! Multi-word constructs in progress (UNION ALL, IS NOT, INTO OUTFILE …).

use super::super::lexer::{Op, Tok, T};
use super::super::rule::Rule;
use super::super::words::{catalog, Catalog, Kw};
use super::state::{seg, Atom, Clause, Exp, Frame, Kind, Lead, Origin, Parser, Pend, Shape, Step};

impl Parser<'_, '_> {
    /// Handles `t` when a multi-word construct is pending. `None` lets the
    /// token through to the normal handling.
    pub(super) fn pending(&mut self, t: Tok) -> Option<Step> {
        let p = self.pend;
        self.pend = Pend::None;
        let step = match p {
            Pend::None => return None,
            Pend::Union(start) => {
                if t.is(Kw::All) || t.is(Kw::Distinct) || t.t == T::Op(Op::Minus) {
                    self.pend = Pend::Union(start);
                    Step::Go
                } else if matches!(t.t, T::End | T::Comment) {
                    // A payload cut after UNION (`-1 union`, `x' and 1=0
                    // union --`).
                    if self.quote || self.lead == Lead::Value {
                        self.set_weak(Rule::ClauseTail, start, t.start);
                    }
                    self.finish(t.start)
                } else if t.is(Kw::Select) {
                    self.frame().sel.active = false;
                    self.start_select(Origin::Union, start);
                    // `1 union select` at the very end: unmistakable.
                    let next = self.peek().t;
                    if matches!(next, T::End | T::Comment) && self.lead != Lead::Word {
                        self.set_strong(Rule::UnionSelect, start, t.end);
                    }
                    Step::Go
                } else if t.t == T::LParen {
                    // UNION (SELECT …) / UNION(((SELECT …: the SELECT will
                    // arrive fresh in a group.
                    if !self.push(Frame::new(Kind::Group)) {
                        return Some(Step::Fail);
                    }
                    self.union_at = Some(start);
                    self.exp = Exp::Operand;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            Pend::By => {
                if t.is(Kw::By) {
                    self.exp = Exp::Operand;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
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
            Pend::Into(start) => {
                if t.is(Kw::Outfile) || t.is(Kw::Dumpfile) {
                    self.pend = Pend::IntoFile(start);
                    Step::Go
                } else if matches!(t.t, T::Var | T::Word | T::QIdent) {
                    // INTO @a, INTO table
                    self.exp = Exp::Operator;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            Pend::IntoFile(start) => {
                if matches!(t.t, T::Str { .. } | T::Var) {
                    self.set_strong(Rule::FileAccess, start, t.end);
                    self.exp = Exp::Operator;
                    Step::Go
                } else if matches!(t.t, T::LParen | T::Word) {
                    // INTO OUTFILE (expr) / substring(…)
                    self.set_strong(Rule::FileAccess, start, t.end);
                    self.exp = Exp::Operand;
                    return None;
                } else {
                    Step::Fail
                }
            }
            Pend::Waitfor(start) => {
                if t.is(Kw::Delay) || self.text(&t).eq_ignore_ascii_case(b"time") {
                    self.pend = Pend::WaitforArg(start);
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            Pend::WaitforArg(start) => {
                if matches!(t.t, T::Str { .. } | T::Var) {
                    self.set_strong(Rule::TimeFunction, start, t.end);
                    self.exp = Exp::Operator;
                    self.atom = Atom::Const;
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
                if t.t == T::Num {
                    self.exp = Exp::Operand;
                    Step::Go
                } else {
                    return None;
                }
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
        };
        Some(step)
    }
}
