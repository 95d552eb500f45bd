//! Function calls and parentheses: time, error, file and information
//! functions, conditionals over constant comparisons, nested extraction.

use super::super::lexer::{Lexer, Op, Tok, T};
use super::super::rule::Rule;
use super::super::words::{Func, Kw};
use super::class::{callable, extracts, numeric_type, text_is};
use super::state::{seg, Atom, Clause, Exp, Frame, Kind, Lead, Parser, Pend, Shape, Step};

impl Parser<'_, '_> {
    /// `) like (`, `)=(`: the whole value closes the application's
    /// parenthesis, compares it and opens a new one for the rest of the
    /// query, a break-out with nothing but SQL punctuation around the
    /// operator. Prose opens a parenthesis it has not closed first.
    fn paren_comparison(&self) -> bool {
        let mut l = Lexer::new(self.s, 0, false);
        let (close, op, open, last) = (l.next_tok(), l.next_tok(), l.next_tok(), l.next_tok());
        let cmp = matches!(op.t, T::Op(Op::Eq | Op::Cmp))
            || op.is(Kw::Like)
            || op.is(Kw::Rlike)
            || op.is(Kw::Regexp);
        close.t == T::RParen && cmp && open.t == T::LParen && last.t == T::End
    }

    /// The input ends where an operand is due. That fails, except for an
    /// `IF` / `IIF` condition cut off right after a constant and a
    /// comparison (`if(2=`, `iif(1234=`): the boolean-blind probe whose
    /// right-hand side and branches the application's query supplies.
    /// Prose and code compare names (`if(x==`), not a number.
    pub(super) fn cut_condition(&mut self, end: usize) -> Step {
        if !self.quote && self.paren_comparison() {
            self.set_weak(Rule::Conditional, 0, end);
            return Step::Done;
        }
        let f = self.cur();
        if self.depth != 1 || f.kind != Kind::Args || f.func == Func::Plain {
            return Step::Fail;
        }
        let mut l = Lexer::new(self.s, f.call_start, false);
        let (name, open, num, cmp, last) = (
            l.next_tok(),
            l.next_tok(),
            l.next_tok(),
            l.next_tok(),
            l.next_tok(),
        );
        let cond = text_is(self.s, &name, b"if") || text_is(self.s, &name, b"iif");
        let shaped = cond
            && open.t == T::LParen
            && num.t == T::Num
            && matches!(cmp.t, T::Op(Op::Eq | Op::Cmp))
            && last.t == T::End;
        if !shaped || f.call_start != 0 {
            return Step::Fail;
        }
        self.set_weak(Rule::Conditional, f.call_start, end);
        Step::Done
    }

    /// `(` in operator position: a call of the name before it, or a
    /// subquery glued to a value (`1 (select …)`).
    pub(super) fn open_call(&mut self) -> Step {
        let callee = self.last;
        let is_callee = matches!(callee.t, T::Word | T::QIdent)
            && (callee.kw.is_none() || callee.kw.is_some_and(callable))
            || callee.is(Kw::Over)
            || callee.is(Kw::Values)
            || callee.is(Kw::Exists)
            || callee.is(Kw::Any)
            || callee.is(Kw::All)
            || callee.is(Kw::In);
        if !is_callee {
            // `1 (select …)`: a subquery glued to the value.
            let n = self.peek();
            if (n.is(Kw::Select) || (n.is(Kw::Union) && self.lead == Lead::Value))
                && self.push(Frame::new(Kind::Group))
            {
                self.exp = Exp::Operand;
                return Step::Go;
            }
            return Step::Fail;
        }
        if self.atom == Atom::Word && matches!(callee.t, T::Word | T::QIdent) {
            self.words = self.words.saturating_sub(1);
        }
        self.structure = true;
        self.upgrade_item(Shape::Strong);
        let mut f = Frame::new(Kind::Args);
        f.func = callee.func;
        // MSSQL `CONVERT(INT, …)`: error-based extraction (the conversion
        // error message carries the string).
        if text_is(self.s, &callee, b"convert") && numeric_type(self.text(&self.peek())) {
            f.func = Func::Error;
        }
        f.call_start = callee.start;
        f.extract = extracts(self.text(&callee));
        if callee.is(Kw::Over) {
            f.kind = Kind::Group;
        }
        if !self.push(f) {
            return Step::Fail;
        }
        self.exp = Exp::Operand;
        Step::Go
    }

    /// `)` closing a call: the call is evidence by its class (time, error,
    /// file), by a constant comparison inside, or by nested extraction.
    pub(super) fn close_call(&mut self, t: Tok) -> Step {
        let f = self.cur();
        self.depth = self.depth.saturating_sub(1);
        let flags = match f.func {
            Func::Plain => seg::CALL,
            _ => seg::CALL | seg::SQL_CALL,
        };
        let has_args = !f.fresh;
        let rule = match f.func {
            Func::Time if has_args => Some(Rule::TimeFunction),
            Func::Error if has_args => Some(Rule::ErrorFunction),
            Func::File => Some(Rule::FileAccess),
            _ => None,
        };
        if let Some(r) = rule {
            self.set_strong(r, f.call_start, t.end);
        }
        if f.const_cmp && f.func != Func::Plain {
            // make_set(7729=7729,1), iif(1=1,1,1/0)
            self.set_weak(Rule::Conditional, f.call_start, t.end);
        }
        let parent = self.cur();
        if (f.sysvar && f.func != Func::Plain)
            || (f.func == Func::Info && parent.kind == Kind::Args && parent.func != Func::Plain)
            || (f.extract && f.nested)
        {
            // mid(@@hostname,1,1), concat(version()), ascii(substring(…))
            self.set_weak(Rule::InfoFunction, f.call_start, t.end);
        }
        if f.extract || f.func == Func::Info {
            self.frame().nested = true;
        }
        if self.stmt_call && self.depth == 0 && has_args && f.func != Func::Plain {
            let start = self.stmt_at.unwrap_or(f.call_start);
            self.set_strong(Rule::StackedQuery, start, t.end);
        }
        let pf = self.frame();
        pf.fresh = false;
        pf.alias = matches!(pf.clause, Clause::Select | Clause::From);
        self.seg |= flags;
        self.atom = Atom::Call;
        if let Some(left_const) = self.cmp_left.take() {
            if left_const {
                self.seg |= seg::CONST_CMP;
                self.frame().const_cmp = true;
            }
        }
        self.exp = Exp::Operator;
        Step::Go
    }

    /// `)` in operator position: closes a call, a group, or a parenthesis
    /// the application opened.
    pub(super) fn close(&mut self, t: Tok) -> Step {
        if self.depth == 0 {
            // Closes a parenthesis the application opened.
            return Step::Go;
        }
        let f = self.cur();
        match f.kind {
            Kind::Args => self.close_call(t),
            Kind::Group => {
                self.check_select(t.end);
                let had_sel = f.sel.active;
                self.depth = self.depth.saturating_sub(1);
                let pf = self.frame();
                pf.fresh = false;
                pf.alias = matches!(pf.clause, Clause::Select | Clause::From);
                let from_table = pf.clause == Clause::From;
                if had_sel {
                    self.seg |= seg::SUB;
                }
                if f.const_cmp && !self.quote && self.lead == Lead::Value {
                    // `(1589=1589)*1`: a constant comparison used as a number.
                    if matches!(
                        self.peek().t,
                        T::Op(Op::Star | Op::Plus | Op::Minus | Op::Slash)
                    ) {
                        self.set_weak(Rule::Conditional, 0, t.end);
                    }
                }
                self.atom = Atom::Const;
                if let Some(left_const) = self.cmp_left.take() {
                    if left_const {
                        self.seg |= seg::CONST_CMP;
                    }
                }
                if from_table {
                    self.note_table(false, t.end);
                }
                Step::Go
            }
            Kind::Case | Kind::Top => Step::Fail,
        }
    }

    /// The rest of INTO [OUTFILE | DUMPFILE] 'file' and WAITFOR DELAY 'time':
    /// a query that writes a file or waits.
    pub(super) fn pending_effect(&mut self, p: Pend, t: Tok) -> Option<Step> {
        let step = match p {
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
            _ => return None,
        };
        Some(step)
    }
}
