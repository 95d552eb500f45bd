//! SELECT statements wherever they start (UNION, `(SELECT`, after `;`, the
//! value itself): their shape, FROM tables and system catalogs, and when
//! they are evidence.

use super::super::lexer::{Lexer, Op, Tok, T};
use super::super::rule::Rule;
use super::super::words::{Func, Kw};
use super::state::{Clause, Exp, Frame, Kind, Lead, Origin, Parser, Pend, Sel, Shape, Step};

impl Parser<'_, '_> {
    /// Records the shape of the first token of a SELECT item.
    pub(super) fn note_item(&mut self, shape: Shape) {
        let f = self.frame();
        if f.clause != Clause::Select {
            return;
        }
        if let Some(sel) = f.sel_mut() {
            if sel.item_start {
                sel.item_start = false;
                sel.items = sel.items.saturating_add(1);
                if shape > sel.shape {
                    sel.shape = shape;
                }
            }
        }
    }

    /// Upgrades the shape of the current SELECT (a call, a qualified name).
    pub(super) fn upgrade_item(&mut self, shape: Shape) {
        let f = self.frame();
        if f.clause != Clause::Select {
            return;
        }
        if let Some(sel) = f.sel_mut() {
            if shape > sel.shape {
                sel.shape = shape;
            }
        }
    }

    /// A SELECT starts in the current frame.
    pub(super) fn start_select(&mut self, origin: Origin, start: usize) {
        let f = self.frame();
        f.clause = Clause::Select;
        f.fresh = false;
        f.alias = false;
        f.sel = Sel {
            active: true,
            origin,
            start,
            shape: Shape::None,
            items: 0,
            from: false,
            catalog: false,
            done: false,
            where_cmp: false,
            item_start: true,
        };
        self.exp = Exp::Operand;
    }

    /// A FROM table ended at `end`; `catalog` when it names a system catalog.
    pub(super) fn note_table(&mut self, catalog: bool, end: usize) {
        if let Some(sel) = self.frame().sel_mut() {
            sel.catalog |= catalog;
        }
        if catalog && !self.cur().sel.active {
            // `… FROM information_schema.tables` appended to the value.
            if let Some(at) = self.from_at {
                self.set_strong(Rule::SelectStatement, at, end);
            }
        }
        self.check_select(end);
    }

    /// The parse failed at `end`: SELECTs still open get judged on what
    /// they had (a truncated or sloppy payload keeps its strong parts).
    pub(super) fn salvage(&mut self, end: usize) {
        let depth = self.depth;
        for d in (0..=depth).rev() {
            self.depth = d;
            self.check_select(end);
            // `updatexml(`, `load_file(…`: names no prose uses, opened as
            // calls.
            let f = self.cur();
            if f.kind == Kind::Args {
                match f.func {
                    Func::Error => self.set_strong(Rule::ErrorFunction, f.call_start, end),
                    Func::File => self.set_strong(Rule::FileAccess, f.call_start, end),
                    _ => {}
                }
            }
        }
        self.depth = depth;
    }

    /// The input ended (not failed) inside a delay call whose first
    /// argument is a number: `benchmark(3000000,md5(4)`,
    /// `BENCHMARK(2999/**/999,Md5(NoW()`, a payload cut by a length limit
    /// or written to be closed by the application's own `)`. Only at the
    /// end of input: prose that opens a parenthesis after "sleep" (`sleep
    /// (8 hours a night)`) fails on its second word and never gets here.
    pub(super) fn truncated_delay(&mut self, end: usize) {
        for d in (1..=self.depth).rev() {
            let Some(f) = self.frames.get(d).copied() else {
                continue;
            };
            if f.kind != Kind::Args || f.func != Func::Time || f.fresh {
                continue;
            }
            let mut l = Lexer::new(self.s, f.call_start, false);
            let (_name, open, first) = (l.next_tok(), l.next_tok(), l.next_tok());
            if open.t == T::LParen && first.t == T::Num {
                self.set_strong(Rule::TimeFunction, f.call_start, end);
                return;
            }
        }
    }

    /// Records evidence for the current SELECT once it qualifies.
    pub(super) fn check_select(&mut self, end: usize) {
        let f = self.cur();
        let Some(sel) = f.sel() else {
            return;
        };
        if sel.done {
            return;
        }
        // A UNION SELECT of bare words only (`union select the quick fox`,
        // `European Union Select Committee`) reads as prose as easily as
        // SQL: it needs a literal, a FROM or comment-spacing to stand on
        // its own; otherwise it is weak evidence, kept only when the whole
        // value parses as SQL (`x' union select user,pass`).
        let solid_union = sel.shape >= Shape::Literal || sel.from || self.lx.saw_inline_comment;
        if sel.origin == Origin::Union && !solid_union {
            if self.lead != Lead::Word {
                self.set_weak(Rule::UnionSelect, sel.start, end);
            }
            return;
        }
        let ok = match sel.origin {
            Origin::Union => true,
            Origin::Paren | Origin::Stacked if sel.shape >= Shape::Literal || sel.from => true,
            // `(/*!50000select username`: a subquery spelt in MySQL
            // executable comments is an evasion, whatever it selects.
            Origin::Paren => self.lx.saw_exec_comment,
            // `';select p`, `admin';SELECT name`: the value closes a
            // one-token literal and starts a statement with `;` (prose
            // with a quote has text before it, which the break needs).
            Origin::Stacked => self.quote && !self.brk_spaced && self.after_brk <= 3,
            Origin::Implicit => sel.shape >= Shape::Literal,
            Origin::Start => {
                sel.shape == Shape::Strong
                    || (sel.from && (sel.shape >= Shape::Literal || sel.items >= 2))
                    || sel.catalog
                    // `SELECT password FROM users WHERE name='admin'`
                    || (sel.from && sel.where_cmp)
                    // `SELECT/**/password/**/FROM/**/users`: comments as
                    // spaces are an evasion, not prose.
                    || (sel.from && (self.lx.saw_inline_comment || self.lx.saw_exec_comment))
            }
        };
        if !ok || (sel.items == 0 && sel.origin != Origin::Union) {
            return;
        }
        let rule = match sel.origin {
            Origin::Union => Rule::UnionSelect,
            Origin::Paren => Rule::Subquery,
            Origin::Stacked | Origin::Implicit => Rule::StackedQuery,
            Origin::Start => Rule::SelectStatement,
        };
        if let Some(s) = self.frame().sel_mut() {
            s.done = true;
        }
        let start = match sel.origin {
            Origin::Stacked | Origin::Implicit => self.stmt_at.unwrap_or(sel.start),
            _ => sel.start,
        };
        self.set_strong(rule, start, end);
    }

    /// FROM after a select list (or after the value: `1) FROM users`) and
    /// the set operators UNION / INTERSECT / EXCEPT / MINUS.
    pub(super) fn select_word(&mut self, t: Tok, kw: Kw) -> Option<Step> {
        let step = match kw {
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
                        if self.aliased_item_cut() {
                            return Some(self.finish(t.end));
                        }
                        let f = self.frame();
                        f.clause = Clause::From;
                        f.alias = false;
                        self.exp = Exp::Operand;
                        Step::Go
                    }
                    _ => Step::Fail,
                }
            }
            Kw::Union | Kw::Intersect | Kw::Except | Kw::Minus => {
                self.end_segment(t.start);
                self.check_select(t.start);
                self.pend = Pend::Union(t.start);
                Step::Go
            }
            _ => return None,
        };
        Some(step)
    }

    /// `` x` AS `alias` FROM `` at the end of the input: the value closes
    /// the quoted column it was pasted into, aliases it and starts the FROM
    /// clause, whose table the rest of the application's query supplies.
    /// Only `AS` and a quoted name right after the break counts: prose
    /// writes "as well from" after a quote, never a quoted alias.
    fn aliased_item_cut(&self) -> bool {
        if !self.quote || self.after_brk != 2 || self.depth != 0 {
            return false;
        }
        if !matches!(self.peek().t, T::End | T::Comment) {
            return false;
        }
        let mut l = Lexer::new(self.s, self.brk, false);
        l.next_tok().is(Kw::As) && matches!(l.next_tok().t, T::QIdent | T::Str { closed: true })
    }

    /// After UNION (its start at `start`): ALL / DISTINCT, then SELECT or
    /// `(`.
    pub(super) fn pending_union(&mut self, t: Tok, start: usize) -> Step {
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
                return Step::Fail;
            }
            self.union_at = Some(start);
            self.exp = Exp::Operand;
            Step::Go
        } else {
            Step::Fail
        }
    }
}
