//! Operands: how a bare value starts, literals, words, keywords in operand
//! position, CASE and `(`, and what a completed operand records.

use super::super::lexer::{Op, Tok, T};
use super::super::rule::Rule;
use super::super::words::{catalog, Catalog, Func, Kw};
use super::class::{callable, structural};
use super::state::{seg, Atom, Clause, Exp, Frame, Kind, Lead, Origin, Parser, Pend, Shape, Step};

impl Parser<'_, '_> {
    /// A token in operand position (after an operator, `(`, `,`, or at the
    /// start of a bare value).
    pub(super) fn operand(&mut self, t: Tok) -> Step {
        if self.lead == Lead::Unset {
            return self.first(t);
        }
        if self.union_at.is_some() && t.t != T::LParen && !t.is(Kw::Select) {
            return Step::Fail;
        }
        match t.t {
            T::Num => self.atom(t, Atom::Num, seg::NUM, Shape::Literal),
            T::Str { .. } => self.atom(t, Atom::Str, seg::STR, Shape::Literal),
            T::Var => {
                self.structure = true;
                self.atom(t, Atom::Const, seg::VAR, Shape::Strong)
            }
            T::SysVar => {
                self.frame().sysvar = true;
                self.structure = true;
                self.atom(t, Atom::Const, seg::VAR, Shape::Strong)
            }
            T::QIdent => self.atom(t, Atom::Word, seg::WORD, Shape::Word),
            T::Word => self.operand_word(t),
            T::Op(Op::Minus | Op::Plus | Op::Tilde | Op::Bang) => Step::Go,
            // `!~1`: NOT then bitwise NOT.
            T::Op(Op::Regex) if self.text(&t) == b"!~" => Step::Go,
            T::Op(Op::Star) => {
                let f = self.cur();
                if f.clause == Clause::Select || f.kind == Kind::Args {
                    self.atom(t, Atom::Const, 0, Shape::Literal)
                } else {
                    Step::Fail
                }
            }
            T::LParen => {
                self.note_item(Shape::Literal);
                self.structure = true;
                if self.push(Frame::new(Kind::Group)) {
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            T::RParen => {
                let f = self.cur();
                if f.kind == Kind::Args && f.fresh {
                    self.close_call(t)
                } else {
                    Step::Fail
                }
            }
            T::Comment | T::End => self.cut_condition(t.start),
            _ => Step::Fail,
        }
    }

    pub(super) fn operand_word(&mut self, t: Tok) -> Step {
        let Some(kw) = t.kw else {
            // MATCH (cols) AGAINST ('x' IN BOOLEAN MODE)
            if self.text(&t).eq_ignore_ascii_case(b"match")
                && matches!(self.peek().t, T::Word | T::LParen)
            {
                return Step::Go;
            }
            // `select pg_sleep`: a delay function named as the whole select
            // list, its call cut off. Only identifier-shaped names (with
            // `_`) count: English says "select sleep mode", never that.
            let delay = t.func == Func::Time
                && self.text(&t).contains(&b'_')
                && matches!(self.peek().t, T::End | T::Comment);
            let shape = if delay { Shape::Strong } else { Shape::Word };
            return self.atom(t, Atom::Word, seg::WORD, shape);
        };
        let next = self.peek();
        // Keywords that are also functions: IF(…), LEFT(…), DATABASE(), …
        if next.t == T::LParen && callable(kw) {
            return self.atom(t, Atom::Word, seg::WORD, Shape::Word);
        }
        match kw {
            Kw::Null | Kw::True | Kw::False | Kw::Unknown => {
                self.atom(t, Atom::Const, seg::BOOL_LIT, Shape::Literal)
            }
            Kw::Niladic => self.atom(t, Atom::Const, seg::SQL_CALL, Shape::Strong),
            Kw::Not | Kw::Binary => Step::Go,
            Kw::Exists | Kw::Any | Kw::All if next.t == T::LParen => Step::Go,
            Kw::Distinct | Kw::All if self.cur().kind == Kind::Args => Step::Go,
            Kw::Distinct | Kw::All if self.cur().clause == Clause::Select => Step::Go,
            Kw::Interval => {
                self.pend = Pend::IntervalUnit;
                Step::Go
            }
            Kw::Waitfor => {
                self.pend = Pend::Waitfor(t.start);
                Step::Go
            }
            Kw::Case => {
                self.note_item(Shape::Strong);
                if self.push(Frame::new(Kind::Case)) {
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            Kw::When | Kw::Then | Kw::Else if self.cur().kind == Kind::Case => {
                if kw == Kw::When {
                    self.frame().when = true;
                }
                Step::Go
            }
            Kw::Select => {
                let f = self.cur();
                if f.fresh && matches!(f.kind, Kind::Group | Kind::Args) {
                    match self.union_at.take() {
                        Some(u) => self.start_select(Origin::Union, u),
                        None => self.start_select(Origin::Paren, t.start),
                    }
                    Step::Go
                } else if self.quote || self.lead == Lead::Value {
                    // `1 and select 1 from t`: a subquery without its
                    // parentheses (invalid, but sent).
                    self.start_select(Origin::Paren, t.start);
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            Kw::Union if self.quote || self.lead == Lead::Value => {
                // `1- union(select …)`
                self.pend = Pend::Union(t.start);
                Step::Go
            }
            Kw::Top | Kw::First => {
                let f = self.cur();
                if f.clause == Clause::Select && f.sel().is_some_and(|s| s.items == 0) {
                    self.pend = Pend::Top;
                    Step::Go
                } else {
                    Step::Fail
                }
            }
            // Non-reserved keywords name columns and tables (`user`,
            // `login`, `password`).
            _ if !structural(kw) => self.atom(t, Atom::Word, seg::WORD, Shape::Word),
            _ => Step::Fail,
        }
    }

    /// The first token of a bare value decides how it is read.
    pub(super) fn first(&mut self, t: Tok) -> Step {
        match t.t {
            T::Word => match t.kw {
                Some(Kw::And | Kw::Or | Kw::Xor) => {
                    self.lead = Lead::Fragment;
                    self.exp = Exp::Operator;
                    self.operator(t)
                }
                Some(
                    Kw::Union
                    | Kw::Order
                    | Kw::Group
                    | Kw::Having
                    | Kw::Limit
                    | Kw::Procedure
                    | Kw::Into
                    | Kw::Waitfor
                    | Kw::Where
                    | Kw::As
                    | Kw::In
                    | Kw::From
                    | Kw::Intersect
                    | Kw::Except,
                ) => {
                    self.lead = Lead::Fragment;
                    self.exp = Exp::Operator;
                    self.operator(t)
                }
                Some(Kw::If)
                    if {
                        let n = self.peek();
                        n.is(Kw::Exists) || n.is(Kw::Not)
                    } =>
                {
                    self.lead = Lead::Stmt;
                    self.exp = Exp::Stmt;
                    self.statement(t)
                }
                Some(Kw::Print) if matches!(self.peek().t, T::Var | T::SysVar) => {
                    self.lead = Lead::Stmt;
                    self.set_strong(Rule::StackedQuery, t.start, self.peek().end);
                    Step::Done
                }
                Some(Kw::Select | Kw::Exec | Kw::Declare | Kw::Begin) => {
                    self.lead = Lead::Stmt;
                    self.exp = Exp::Stmt;
                    self.statement(t)
                }
                Some(kw) if !callable(kw) || self.peek().t != T::LParen => {
                    // Literals and operators start a value; other keywords
                    // are column names or prose (`DO OR NOT DO`).
                    self.lead = if structural(kw) || kw == Kw::Niladic {
                        Lead::Value
                    } else {
                        Lead::Word
                    };
                    self.operand(t)
                }
                _ => {
                    // A call (`sleep(5)`) is a value; a bare word is not.
                    self.lead = if self.peek().t == T::LParen {
                        Lead::Value
                    } else {
                        Lead::Word
                    };
                    self.operand(t)
                }
            },
            T::QIdent => {
                self.lead = Lead::Word;
                self.operand(t)
            }
            T::Op(Op::AndAnd | Op::Concat) => {
                self.lead = Lead::Fragment;
                self.exp = Exp::Operator;
                self.operator(t)
            }
            T::RParen | T::Comma => {
                self.lead = Lead::Fragment;
                self.exp = Exp::Operator;
                self.operator(t)
            }
            T::Semi => {
                self.lead = Lead::Stmt;
                self.exp = Exp::Stmt;
                self.stmt_at = Some(t.start);
                Step::Go
            }
            T::Comment | T::End => Step::Fail,
            _ => {
                self.lead = Lead::Value;
                self.operand(t)
            }
        }
    }

    /// An operand completed (or started, for calls: `(` follows).
    pub(super) fn atom(&mut self, t: Tok, a: Atom, flags: u16, shape: Shape) -> Step {
        self.note_item(shape);
        let f = self.frame();
        f.fresh = false;
        f.alias = matches!(f.clause, Clause::Select | Clause::From);
        let from_table = f.clause == Clause::From;
        self.exp = Exp::Operator;
        self.seg |= flags;
        self.atom = a;
        if a == Atom::Word {
            self.words = self.words.saturating_add(1);
        }
        if let Some(left_const) = self.cmp_left.take() {
            if left_const && a != Atom::Word {
                self.seg |= seg::CONST_CMP;
                self.frame().const_cmp = true;
            }
        }
        if from_table {
            let kind = catalog(self.text(&t));
            self.schema_head = kind == Catalog::Schema;
            self.note_table(kind == Catalog::Table, t.end);
        }
        Step::Go
    }
}
