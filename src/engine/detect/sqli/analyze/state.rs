//! The automaton's state: what is expected next, the parenthesis frames
//! (with the SELECT each may hold), the multi-word construct in progress,
//! the boolean-segment flags and the parser that carries them.

use std::cell::Cell;

use super::super::lexer::{Lexer, Tok};
use super::super::rule::Ev;
use super::super::words::Func;

/// Maximum parenthesis / CASE nesting followed; deeper input fails.
pub(super) const MAX_DEPTH: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Exp {
    Operand,
    Operator,
    /// Start of a statement (after `;`).
    Stmt,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Top,
    Group,
    Args,
    Case,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Clause {
    Expr,
    Select,
    From,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Origin {
    /// After UNION [ALL|DISTINCT].
    Union,
    /// `(SELECT`.
    Paren,
    /// After `;`.
    Stacked,
    /// Juxtaposed to an operand, MSSQL-style (`1 select …`).
    Implicit,
    /// The value itself starts with SELECT.
    Start,
}

/// How SQL-like a SELECT item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Shape {
    None,
    /// A bare word.
    Word,
    /// A number, string, NULL, `*`, a parenthesised expression, `a.b`.
    Literal,
    /// A function call or a variable.
    Strong,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Sel {
    /// False: no SELECT here (the other fields are meaningless).
    pub(super) active: bool,
    pub(super) origin: Origin,
    pub(super) start: usize,
    pub(super) shape: Shape,
    pub(super) items: u16,
    pub(super) from: bool,
    pub(super) catalog: bool,
    /// Evidence already recorded for this SELECT.
    pub(super) done: bool,
    /// Its WHERE / HAVING clause compares something.
    pub(super) where_cmp: bool,
    /// The next operand starts a select item.
    pub(super) item_start: bool,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Frame {
    pub(super) kind: Kind,
    pub(super) clause: Clause,
    pub(super) between: bool,
    /// For `Args`: the callee's class and the call's start.
    pub(super) func: Func,
    pub(super) call_start: usize,
    /// Nothing inside yet.
    pub(super) fresh: bool,
    /// For `Case`: a WHEN was seen.
    pub(super) when: bool,
    /// A comparison of two constants completed directly in this frame.
    pub(super) const_cmp: bool,
    /// A system variable (`@@version`) appeared directly in this frame.
    pub(super) sysvar: bool,
    /// For `Args`: the callee extracts characters or codes (`ascii`,
    /// `substring`, `mid`, `hex`, …).
    pub(super) extract: bool,
    /// A character-extraction or server-information call completed
    /// directly in this frame.
    pub(super) nested: bool,
    /// The operand just completed may take an alias.
    pub(super) alias: bool,
    /// The SELECT this frame holds (`active`), if any.
    pub(super) sel: Sel,
}

impl Frame {
    pub(super) fn new(kind: Kind) -> Frame {
        Frame {
            kind,
            clause: Clause::Expr,
            between: false,
            func: Func::Plain,
            call_start: 0,
            fresh: true,
            when: false,
            const_cmp: false,
            sysvar: false,
            extract: false,
            nested: false,
            alias: false,
            sel: Sel::NONE,
        }
    }

    /// The frame the array starts with: all zero, so that initialising the
    /// stack is a memset.
    pub(super) const ZERO: Frame = Frame {
        kind: Kind::Top,
        clause: Clause::Expr,
        between: false,
        func: Func::Plain,
        call_start: 0,
        fresh: false,
        when: false,
        const_cmp: false,
        sysvar: false,
        extract: false,
        nested: false,
        alias: false,
        sel: Sel::NONE,
    };

    pub(super) fn sel(&self) -> Option<Sel> {
        self.sel.active.then_some(self.sel)
    }

    pub(super) fn sel_mut(&mut self) -> Option<&mut Sel> {
        if self.sel.active {
            Some(&mut self.sel)
        } else {
            None
        }
    }
}

impl Sel {
    pub(super) const NONE: Sel = Sel {
        active: false,
        origin: Origin::Union,
        start: 0,
        shape: Shape::None,
        items: 0,
        from: false,
        catalog: false,
        done: false,
        where_cmp: false,
        item_start: false,
    };
}

/// Multi-word constructs in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pend {
    None,
    /// After UNION: ALL / DISTINCT / SELECT / `(`.
    Union(usize),
    /// After ORDER / GROUP / PARTITION: BY.
    By,
    /// After IS [NOT].
    Is,
    /// After NOT in operator position.
    NotOp,
    /// After SOUNDS: LIKE.
    Sounds,
    /// After SIMILAR: TO.
    SimilarTo,
    /// After INTO.
    Into(usize),
    /// After INTO OUTFILE / DUMPFILE: a string.
    IntoFile(usize),
    /// After WAITFOR: DELAY / TIME.
    Waitfor(usize),
    /// After WAITFOR DELAY: a string.
    WaitforArg(usize),
    /// After COLLATE / AS / `.`: a name.
    Name,
    /// After `.`: a name or `*`.
    Qual,
    /// After FOR (FOR UPDATE, FOR XML PATH…): one word.
    ForWord,
    /// After LOCK: IN SHARE MODE.
    Lock,
    /// After TOP: a number.
    Top,
    /// After MEMBER: OF.
    MemberOf,
    /// After an INTERVAL operand: the unit.
    IntervalUnit,
    /// After JOIN modifiers: JOIN.
    Join,
}

/// What the current boolean segment (since the last top-level AND/OR)
/// contains.
pub(super) mod seg {
    pub const CMP: u16 = 1;
    pub const CONST_CMP: u16 = 2;
    pub const NUM: u16 = 4;
    pub const STR: u16 = 8;
    pub const BOOL_LIT: u16 = 16;
    pub const CALL: u16 = 32;
    pub const SQL_CALL: u16 = 64;
    pub const SUB: u16 = 128;
    pub const VAR: u16 = 256;
    pub const NESTED_BOOL: u16 = 512;
    pub const WORD: u16 = 1024;
    pub const ARITH: u16 = 2048;
}

/// What kind of operand came last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Atom {
    None,
    Num,
    Str,
    Word,
    Const,
    Call,
}

/// How a bare value starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lead {
    Unset,
    /// A number, string, variable, literal, call or parenthesis: a value.
    Value,
    /// A bare word (column name or prose).
    Word,
    /// A connective or clause keyword: a fragment meant to be appended.
    Fragment,
    /// A statement keyword or `;`.
    Stmt,
}

pub(super) enum Step {
    Go,
    Fail,
    Done,
}

pub(super) struct Parser<'a, 'f> {
    pub(super) s: &'a [u8],
    pub(super) lx: Lexer<'a>,
    /// The last peek: lexer position, token, lexer after it.
    pub(super) pk: Cell<Option<(usize, Tok, Lexer<'a>)>>,
    pub(super) quote: bool,
    /// End of the literal the value closes (quote context).
    pub(super) brk: usize,
    /// The closed literal contains whitespace.
    pub(super) brk_spaced: bool,
    pub(super) exp: Exp,
    pub(super) frames: &'f mut [Frame; MAX_DEPTH],
    pub(super) depth: usize,
    /// Never used; lets `frame` return a reference without panicking.
    pub(super) scratch: Frame,
    pub(super) pend: Pend,
    /// A `(` right after UNION: the SELECT inside is a union select.
    pub(super) union_at: Option<usize>,
    pub(super) lead: Lead,
    pub(super) last: Tok,
    pub(super) atom: Atom,
    /// Tokens consumed after the break other than `)` and `;`.
    pub(super) after_brk: u32,
    /// First token after the break was an operator joining another literal.
    pub(super) op_tail: bool,
    /// The first operator after the break is a strict one (comparison,
    /// bitwise, concatenation), not arithmetic.
    pub(super) op_tail_strict: bool,
    /// Comparison in progress: was its left operand constant?
    pub(super) cmp_left: Option<bool>,
    pub(super) seg: u16,
    /// Start of the current top-level connective, if any.
    pub(super) conn: Option<usize>,
    pub(super) strong: Option<Ev>,
    pub(super) weak: Option<Ev>,
    /// Clause keyword after the break (weak evidence).
    pub(super) clause_tail: Option<usize>,
    /// Statement-level keyword seen after `;` (start position).
    pub(super) stmt_at: Option<usize>,
    /// Inside an IF statement's condition or branches: statement keywords
    /// may follow an expression.
    pub(super) if_stmt: bool,
    /// The current statement started without `;` after an operand.
    pub(super) implicit: bool,
    /// Bare words used as operands after the break (calls excluded).
    pub(super) words: u32,
    /// Tokens between the break and the latest top-level connective.
    pub(super) pre_conn: Option<u32>,
    /// An operator or connective appeared after the break.
    pub(super) any_op: bool,
    /// The current condition follows WHERE / HAVING (not AND / OR).
    pub(super) conn_clause: bool,
    /// Something besides a single literal came before a trailing comment.
    pub(super) structure: bool,
    /// The current statement is a procedure call (`;dbms_lock.sleep(5)`).
    pub(super) stmt_call: bool,
    /// The first operator after the break is a postfix one (`NOTNULL`).
    pub(super) op_tail_postfix: bool,
    /// The first top-level connective is glued to quotes: `1'or'1`.
    pub(super) glued: bool,
    /// The input ends with a comment.
    pub(super) truncated: bool,
    /// Weak evidence was followed by `;` at the top level: the injected
    /// statement is complete whatever follows.
    pub(super) committed: bool,
    /// The last FROM table was a schema (`mysql`, `sys`): a qualified name
    /// under it is a catalog.
    pub(super) schema_head: bool,
    /// Where a top-level FROM outside any SELECT started.
    pub(super) from_at: Option<usize>,
    /// A `::type` cast of a string literal or call in a bare reading: its
    /// evidence start and whether it cast a call.
    pub(super) cast_at: Option<(usize, bool)>,
    /// Binary operators and connectives consumed.
    pub(super) ops: u32,
    /// The input ends with a comment with nothing in it (`--`, `#`, `/*`).
    pub(super) bare_tail: bool,
}
