//! Statements: stacked (after `;`) or juxtaposed (MSSQL), control flow
//! (IF, WHILE, BEGIN … END, GOTO) and when a statement is evidence.

use super::super::lexer::{Op, Tok, T};
use super::super::rule::Rule;
use super::super::words::{Func, Kw};
use super::class::callable;
use super::state::{Exp, Lead, Origin, Parser, Pend, Step};

impl Parser<'_, '_> {
    /// A token at the start of a statement (after `;`, or a statement
    /// keyword juxtaposed to an operand).
    pub(super) fn statement(&mut self, t: Tok) -> Step {
        let stacked = self.stmt_at.is_some();
        let start = self.stmt_at.unwrap_or(t.start);
        match t.t {
            T::End | T::Comment => {
                if t.t == T::Comment {
                    self.truncated = true;
                    self.comment_truncation(t);
                }
                return self.finish(t.start);
            }
            T::Semi => return Step::Go,
            T::LParen => {
                self.exp = Exp::Operand;
                return self.operand(t);
            }
            T::Word => {}
            _ => return Step::Fail,
        }
        let (n1, n2) = self.peek2();
        // `label:` (MSSQL)
        if t.kw.is_none() && n1.t == T::Other && self.text(&n1) == b":" {
            self.advance();
            return Step::Go;
        }
        // A procedure call as a statement: `dbms_lock.sleep(5)`, `iif(…)`.
        if (t.kw.is_none() || (t.kw.is_some_and(callable) && t.kw != Some(Kw::If)))
            && matches!(n1.t, T::LParen | T::Dot)
        {
            self.stmt_call = stacked;
            self.exp = Exp::Operand;
            return self.operand(t);
        }
        let Some(kw) = t.kw else {
            return Step::Fail;
        };
        if let Some(step) = self.control_statement(t, kw, &n1, stacked, start) {
            return step;
        }
        let ok = match kw {
            Kw::Exec => {
                let txt = self.text(&n1).to_ascii_lowercase();
                let proc_like = n1.is(Kw::As)
                    || txt.starts_with(b"xp_")
                    || txt.starts_with(b"sp_")
                    || txt == b"master"
                    || txt == b"dbo"
                    || txt == b"sys"
                    || txt == b"immediate"
                    || n1.func == Func::File;
                let ok = proc_like
                    || matches!(n1.t, T::Var | T::Str { .. } | T::LParen)
                    || (is_name(&n1) && n2.t == T::Dot);
                if ok && (n1.func == Func::File || txt.starts_with(b"xp_")) {
                    self.set_strong(Rule::FileAccess, start, n1.end);
                    return Step::Done;
                }
                ok
            }
            Kw::Declare => {
                matches!(n1.t, T::Var | T::SysVar)
                    || (is_name(&n1) && self.text(&n2).eq_ignore_ascii_case(b"cursor"))
            }
            _ if !stacked => false,
            _ => self.stacked_statement(kw, &n1, &n2),
        };
        if ok {
            self.set_strong(Rule::StackedQuery, start, n1.end.max(t.end));
            return Step::Done;
        }
        Step::Fail
    }

    /// Statements that carry on parsing instead of being judged: SELECT,
    /// control flow (IF, WHILE, GOTO), batch structure (BEGIN, END, GO) and
    /// WAITFOR. `None` for the other keywords.
    fn control_statement(
        &mut self,
        t: Tok,
        kw: Kw,
        n1: &Tok,
        stacked: bool,
        start: usize,
    ) -> Option<Step> {
        match kw {
            Kw::Select => {
                let origin = if self.implicit {
                    Origin::Implicit
                } else if stacked {
                    Origin::Stacked
                } else {
                    Origin::Start
                };
                self.frame().sel.active = false;
                self.start_select(origin, t.start);
                Some(Step::Go)
            }
            // IF (cond) statement
            Kw::If => {
                if stacked && n1.is(Kw::Exists) {
                    self.set_strong(Rule::StackedQuery, start, n1.end);
                }
                self.if_stmt = true;
                self.exp = Exp::Operand;
                Some(Step::Go)
            }
            // BEGIN [TRY|CATCH|TRAN] … END [TRY|CATCH|IF], GO: batch
            // structure around statements.
            Kw::Begin | Kw::Go | Kw::End => {
                let w = self.text(n1);
                let tail = (kw == Kw::End && n1.is(Kw::If))
                    || [&b"try"[..], b"catch", b"tran", b"transaction"]
                        .iter()
                        .any(|k| w.eq_ignore_ascii_case(k));
                if tail {
                    self.advance();
                }
                Some(Step::Go)
            }
            // GOTO label
            Kw::Goto if is_name(n1) => {
                self.advance();
                Some(Step::Go)
            }
            // WHILE cond statement
            Kw::While => {
                self.if_stmt = true;
                self.exp = Exp::Operand;
                Some(Step::Go)
            }
            Kw::Waitfor => {
                self.pend = Pend::Waitfor(t.start);
                Some(Step::Go)
            }
            _ => None,
        }
    }

    /// After `;`: is `kw` (followed by `n1`, `n2`) the head of a complete
    /// statement? (`;drop table t`, `;insert into t`, `;shutdown`.)
    fn stacked_statement(&self, kw: Kw, n1: &Tok, n2: &Tok) -> bool {
        match kw {
            Kw::Insert | Kw::Replace => {
                n1.is(Kw::Into)
                    || (is_name(n1)
                        && (n2.is(Kw::Values) || n2.is(Kw::Select) || n2.t == T::LParen))
            }
            Kw::Update => {
                let mut l = self.lx;
                l.next_tok();
                l.next_tok();
                let n3 = l.next_tok();
                is_name(n1)
                    && (n2.is(Kw::Set) || (matches!(n2.t, T::Word | T::Dot) && n3.is(Kw::Set)))
            }
            Kw::Do => {
                matches!(n1.t, T::LParen | T::Num | T::Var | T::SysVar) || n1.func != Func::Plain
            }
            Kw::Delete => {
                (n1.is(Kw::From) && is_name(n2))
                    // DELETE LOW_PRIORITY / QUICK / IGNORE FROM
                    || (is_name(n1) && n2.is(Kw::From))
                    || (is_name(n1) && (n2.is(Kw::Where) || matches!(n2.t, T::End | T::Semi | T::Comment)))
            }
            Kw::Create if n1.is(Kw::Or) => n2.is(Kw::Replace),
            Kw::Drop | Kw::Create | Kw::Alter => {
                n1.is(Kw::Table)
                    || n1.is(Kw::Database)
                    || n1.is(Kw::ObjectType)
                    || n1.is(Kw::Procedure)
            }
            Kw::Truncate => n1.is(Kw::Table) || is_name(n1),
            Kw::Set => {
                matches!(n1.t, T::Var | T::SysVar)
                    || (is_name(n1) && matches!(n2.t, T::Op(Op::Eq | Op::Assign)))
            }
            Kw::Shutdown => {
                matches!(n1.t, T::End | T::Comment | T::Semi) || n1.is(Kw::With) || n1.is(Kw::End)
            }
            Kw::Use => {
                is_name(n1)
                    && (matches!(n2.t, T::End | T::Comment | T::Semi)
                        || n2
                            .kw
                            .is_some_and(|k| matches!(k, Kw::Exec | Kw::Select | Kw::Declare)))
            }
            Kw::Grant if is_name(n1) => {
                let w = self.text(n2);
                w.eq_ignore_ascii_case(b"to") || n2.is(Kw::On) || n2.t == T::Comma
            }
            Kw::Grant => n1.kw.is_some_and(|k| {
                matches!(
                    k,
                    Kw::All
                        | Kw::Select
                        | Kw::Insert
                        | Kw::Update
                        | Kw::Delete
                        | Kw::Exec
                        | Kw::Create
                        | Kw::Alter
                        | Kw::Drop
                )
            }),
            Kw::Load => {
                let w = self.text(n1);
                w.eq_ignore_ascii_case(b"data") || w.eq_ignore_ascii_case(b"xml")
            }
            Kw::Call => is_name(n1) && matches!(n2.t, T::LParen | T::Dot),
            Kw::Show => {
                (is_name(n1) || n1.kw.is_some()) && matches!(n2.t, T::End | T::Comment | T::Semi)
            }
            Kw::Copy => is_name(n1) && (n2.is(Kw::From) || n2.is(Kw::Into) || n2.t == T::LParen),
            Kw::Attach => n1.is(Kw::Database),
            Kw::Kill => n1.t == T::Num,
            Kw::Print => matches!(n1.t, T::Str { .. } | T::Var | T::SysVar),
            Kw::Prepare => is_name(n1) && n2.is(Kw::From),
            Kw::With => is_name(n1) && n2.is(Kw::As),
            Kw::Pragma => is_name(n1),
            Kw::Desc => is_name(n1) && matches!(n2.t, T::End | T::Comment | T::Semi),
            _ => false,
        }
    }

    /// A statement keyword right after an operand, at the top level.
    pub(super) fn juxtaposed_statement(&mut self, t: Tok, kw: Kw) -> Option<Step> {
        let step = match kw {
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
            _ => return None,
        };
        Some(step)
    }
}

/// A plain name (no keyword role).
fn is_name(n: &Tok) -> bool {
    matches!(n.t, T::Word | T::QIdent) && n.kw.is_none()
}
