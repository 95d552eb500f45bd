//! Structural analysis: does a token stream, read from the start of the
//! value in one context, form SQL that changes the query it lands in?
//!
//! The analysis is a single left-to-right pass of a small, tolerant SQL
//! grammar automaton (operand / operator alternation, clause keywords,
//! parenthesis frames with a fixed depth bound). It records *evidence*
//! (structures that only SQL has) and fails as soon as the tokens stop
//! being SQL: two operands in a row (`'O' Brien`), `IS` followed by a bare
//! word, a binary operator with nothing after it, …
//!
//! * **strong** evidence (`UNION SELECT`, a stacked statement, a subquery,
//!   `SELECT … FROM`, a call of `sleep`/`benchmark`/`extractvalue`/
//!   `load_file`, `WAITFOR DELAY`, `INTO OUTFILE`) is recorded once its
//!   structure is complete and stands even if junk follows;
//! * **weak** evidence (a boolean tail `' or 1=1`, a comment truncating the
//!   query right after the break `admin'--`, an operator joining the broken
//!   string to another literal `' = '`, `ORDER BY 1` after the break) only
//!   counts when the whole input parses up to its end.

use std::cell::Cell;

use super::lexer::{scan_string, Lexer, Op, Tok, T};
use super::words::{catalog, Catalog, Func, Kw};

/// Maximum parenthesis / CASE nesting followed; deeper input fails.
const MAX_DEPTH: usize = 32;

/// What was recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rule {
    BooleanTail,
    OperatorTail,
    UnionSelect,
    StackedQuery,
    CommentTruncation,
    TimeFunction,
    ErrorFunction,
    FileAccess,
    Subquery,
    SelectStatement,
    ClauseTail,
    Conditional,
    InfoFunction,
    CastError,
}

impl Rule {
    /// Stable rule id.
    pub fn id(self) -> &'static str {
        match self {
            Rule::BooleanTail => "sqli.boolean_tail",
            Rule::OperatorTail => "sqli.operator_tail",
            Rule::UnionSelect => "sqli.union_select",
            Rule::StackedQuery => "sqli.stacked_query",
            Rule::CommentTruncation => "sqli.comment_truncation",
            Rule::TimeFunction => "sqli.time_function",
            Rule::ErrorFunction => "sqli.error_function",
            Rule::FileAccess => "sqli.file_access",
            Rule::Subquery => "sqli.subquery",
            Rule::SelectStatement => "sqli.select_statement",
            Rule::ClauseTail => "sqli.clause_tail",
            Rule::Conditional => "sqli.conditional",
            Rule::InfoFunction => "sqli.info_function",
            Rule::CastError => "sqli.cast_error",
        }
    }

    /// Strong evidence stands on its own; weak evidence needed the whole
    /// value to parse.
    pub fn is_strong(self) -> bool {
        !matches!(
            self,
            Rule::BooleanTail
                | Rule::OperatorTail
                | Rule::CommentTruncation
                | Rule::ClauseTail
                | Rule::Conditional
                | Rule::InfoFunction
                | Rule::CastError
        )
    }

    /// Human-readable reason.
    pub fn reason(self) -> &'static str {
        match self {
            Rule::BooleanTail => {
                "the value closes its literal and appends a boolean condition (AND/OR …)"
            }
            Rule::OperatorTail => {
                "the value closes its string literal and joins it to another expression"
            }
            Rule::UnionSelect => "UNION SELECT appends a second query",
            Rule::StackedQuery => "a statement separator starts a second statement",
            Rule::CommentTruncation => {
                "the value closes its string literal and comments out the rest of the query"
            }
            Rule::TimeFunction => "a time-delay call (sleep, benchmark, pg_sleep, WAITFOR DELAY)",
            Rule::ErrorFunction => "an error-based extraction call (extractvalue, updatexml, …)",
            Rule::FileAccess => "file or command access (INTO OUTFILE, load_file, xp_cmdshell …)",
            Rule::Subquery => "a parenthesised SELECT subquery",
            Rule::SelectStatement => "a complete SELECT … FROM statement",
            Rule::ClauseTail => {
                "the value closes its literal and appends a query clause (ORDER BY, WHERE …)"
            }
            Rule::Conditional => {
                "a conditional (CASE WHEN … END, or a SQL function over a constant comparison)"
            }
            Rule::InfoFunction => {
                "server information read through nested SQL functions (version(), user() …)"
            }
            Rule::CastError => "a PostgreSQL cast to a number (`::int`) that leaks data in errors",
        }
    }
}

/// A finding: the rule and the evidence span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Ev {
    pub rule: Rule,
    pub start: usize,
    pub end: usize,
}

/// How the value is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ctx {
    /// As it is: a numeric or unquoted context, or a standalone fragment.
    Bare,
    /// As the tail of a string literal opened by `quote`; `backslash` makes
    /// `\` an escape (MySQL).
    Quote { quote: u8, backslash: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exp {
    Operand,
    Operator,
    /// Start of a statement (after `;`).
    Stmt,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Top,
    Group,
    Args,
    Case,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Clause {
    Expr,
    Select,
    From,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
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
enum Shape {
    None,
    /// A bare word.
    Word,
    /// A number, string, NULL, `*`, a parenthesised expression, `a.b`.
    Literal,
    /// A function call or a variable.
    Strong,
}

#[derive(Clone, Copy, Debug)]
struct Sel {
    /// False: no SELECT here (the other fields are meaningless).
    active: bool,
    origin: Origin,
    start: usize,
    shape: Shape,
    items: u16,
    from: bool,
    catalog: bool,
    /// Evidence already recorded for this SELECT.
    done: bool,
    /// Its WHERE / HAVING clause compares something.
    where_cmp: bool,
    /// The next operand starts a select item.
    item_start: bool,
}

#[derive(Clone, Copy, Debug)]
struct Frame {
    kind: Kind,
    clause: Clause,
    between: bool,
    /// For `Args`: the callee's class and the call's start.
    func: Func,
    call_start: usize,
    /// Nothing inside yet.
    fresh: bool,
    /// For `Case`: a WHEN was seen.
    when: bool,
    /// A comparison of two constants completed directly in this frame.
    const_cmp: bool,
    /// A system variable (`@@version`) appeared directly in this frame.
    sysvar: bool,
    /// For `Args`: the callee extracts characters or codes (`ascii`,
    /// `substring`, `mid`, `hex`, …).
    extract: bool,
    /// A character-extraction or server-information call completed
    /// directly in this frame.
    nested: bool,
    /// The operand just completed may take an alias.
    alias: bool,
    /// The SELECT this frame holds (`active`), if any.
    sel: Sel,
}

impl Frame {
    fn new(kind: Kind) -> Frame {
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
    const ZERO: Frame = Frame {
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

    fn sel(&self) -> Option<Sel> {
        self.sel.active.then_some(self.sel)
    }

    fn sel_mut(&mut self) -> Option<&mut Sel> {
        if self.sel.active {
            Some(&mut self.sel)
        } else {
            None
        }
    }
}

impl Sel {
    const NONE: Sel = Sel {
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
enum Pend {
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
mod seg {
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
enum Atom {
    None,
    Num,
    Str,
    Word,
    Const,
    Call,
}

/// How a bare value starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lead {
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

enum Step {
    Go,
    Fail,
    Done,
}

struct Parser<'a, 'f> {
    s: &'a [u8],
    lx: Lexer<'a>,
    /// The last peek: lexer position, token, lexer after it.
    pk: Cell<Option<(usize, Tok, Lexer<'a>)>>,
    quote: bool,
    /// End of the literal the value closes (quote context).
    brk: usize,
    /// The closed literal contains whitespace.
    brk_spaced: bool,
    exp: Exp,
    frames: &'f mut [Frame; MAX_DEPTH],
    depth: usize,
    /// Never used; lets `frame` return a reference without panicking.
    scratch: Frame,
    pend: Pend,
    /// A `(` right after UNION: the SELECT inside is a union select.
    union_at: Option<usize>,
    lead: Lead,
    last: Tok,
    atom: Atom,
    /// Tokens consumed after the break other than `)` and `;`.
    after_brk: u32,
    /// First token after the break was an operator joining another literal.
    op_tail: bool,
    /// The first operator after the break is a strict one (comparison,
    /// bitwise, concatenation), not arithmetic.
    op_tail_strict: bool,
    /// Comparison in progress: was its left operand constant?
    cmp_left: Option<bool>,
    seg: u16,
    /// Start of the current top-level connective, if any.
    conn: Option<usize>,
    strong: Option<Ev>,
    weak: Option<Ev>,
    /// Clause keyword after the break (weak evidence).
    clause_tail: Option<usize>,
    /// Statement-level keyword seen after `;` (start position).
    stmt_at: Option<usize>,
    /// Inside an IF statement's condition or branches: statement keywords
    /// may follow an expression.
    if_stmt: bool,
    /// The current statement started without `;` after an operand.
    implicit: bool,
    /// Bare words used as operands after the break (calls excluded).
    words: u32,
    /// Tokens between the break and the latest top-level connective.
    pre_conn: Option<u32>,
    /// An operator or connective appeared after the break.
    any_op: bool,
    /// The current condition follows WHERE / HAVING (not AND / OR).
    conn_clause: bool,
    /// Something besides a single literal came before a trailing comment.
    structure: bool,
    /// The current statement is a procedure call (`;dbms_lock.sleep(5)`).
    stmt_call: bool,
    /// The first operator after the break is a postfix one (`NOTNULL`).
    op_tail_postfix: bool,
    /// The first top-level connective is glued to quotes: `1'or'1`.
    glued: bool,
    /// The input ends with a comment.
    truncated: bool,
    /// Weak evidence was followed by `;` at the top level: the injected
    /// statement is complete whatever follows.
    committed: bool,
    /// The last FROM table was a schema (`mysql`, `sys`): a qualified name
    /// under it is a catalog.
    schema_head: bool,
    /// Where a top-level FROM outside any SELECT started.
    from_at: Option<usize>,
}

/// The parenthesis stack, shared by the readings of one value so that it
/// is initialised once.
pub(super) struct Stack([Frame; MAX_DEPTH]);

impl Stack {
    pub fn new() -> Stack {
        Stack([Frame::ZERO; MAX_DEPTH])
    }
}

/// Analyses `s` read in `ctx`, using `stack` as scratch. Returns the
/// evidence found, if any.
pub(super) fn analyze(s: &[u8], ctx: Ctx, stack: &mut Option<Stack>) -> Option<Ev> {
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
    };
    p.run()
}

impl<'a> Parser<'a, '_> {
    fn run(&mut self) -> Option<Ev> {
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

    fn frame(&mut self) -> &mut Frame {
        // `depth` never exceeds MAX_DEPTH - 1 (push refuses).
        let d = self.depth;
        let (frames, scratch) = (&mut self.frames, &mut self.scratch);
        frames.get_mut(d).unwrap_or(scratch)
    }

    fn cur(&self) -> Frame {
        self.frames
            .get(self.depth)
            .copied()
            .unwrap_or(Frame::new(Kind::Top))
    }

    fn push(&mut self, f: Frame) -> bool {
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
    fn peek(&self) -> Tok {
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
    fn advance(&mut self) -> Tok {
        if let Some((pos, t, l)) = self.pk.get() {
            if pos == self.lx.pos() {
                self.lx = l;
                return t;
            }
        }
        self.lx.next_tok()
    }

    fn peek2(&self) -> (Tok, Tok) {
        let mut l = self.lx;
        let a = l.next_tok();
        let b = l.next_tok();
        (a, b)
    }

    fn text(&self, t: &Tok) -> &'a [u8] {
        self.s.get(t.start..t.end).unwrap_or_default()
    }

    fn set_strong(&mut self, rule: Rule, start: usize, end: usize) {
        if self.strong.is_none() {
            self.strong = Some(Ev { rule, start, end });
        }
    }

    fn set_weak(&mut self, rule: Rule, start: usize, end: usize) {
        if self.weak.is_none() {
            self.weak = Some(Ev { rule, start, end });
        }
    }

    /// Where evidence spans start: the closing quote, or the value start.
    fn ev_start(&self) -> usize {
        if self.quote {
            self.brk.saturating_sub(1)
        } else {
            0
        }
    }

    fn step(&mut self, t: Tok) -> Step {
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

    // ----- operands -------------------------------------------------------

    fn operand(&mut self, t: Tok) -> Step {
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
            T::Comment | T::End => Step::Fail,
            _ => Step::Fail,
        }
    }

    fn operand_word(&mut self, t: Tok) -> Step {
        let Some(kw) = t.kw else {
            // MATCH (cols) AGAINST ('x' IN BOOLEAN MODE)
            if self.text(&t).eq_ignore_ascii_case(b"match")
                && matches!(self.peek().t, T::Word | T::LParen)
            {
                return Step::Go;
            }
            return self.atom(t, Atom::Word, seg::WORD, Shape::Word);
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
    fn first(&mut self, t: Tok) -> Step {
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
    fn atom(&mut self, t: Tok, a: Atom, flags: u16, shape: Shape) -> Step {
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

    /// Records the shape of the first token of a SELECT item.
    fn note_item(&mut self, shape: Shape) {
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
    fn upgrade_item(&mut self, shape: Shape) {
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

    fn start_select(&mut self, origin: Origin, start: usize) {
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

    fn note_table(&mut self, catalog: bool, end: usize) {
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

    /// Records evidence for the current SELECT once it qualifies.
    /// The parse failed at `end`: SELECTs still open get judged on what
    /// they had (a truncated or sloppy payload keeps its strong parts).
    fn salvage(&mut self, end: usize) {
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

    fn check_select(&mut self, end: usize) {
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
            Origin::Paren | Origin::Stacked => sel.shape >= Shape::Literal || sel.from,
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

    // ----- operators ------------------------------------------------------

    fn operator(&mut self, t: Tok) -> Step {
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

    /// `admin'--`: a comment right after the break (and any `)` / `;`)
    /// drops the rest of the query. The closed literal must be one token
    /// (a credential, a number), and a `#` comment must not be glued to
    /// text (`"#2 MOM"` is prose).
    fn comment_truncation(&mut self, t: Tok) {
        if !self.quote {
            // `( 'a' ) --`, `1 * 1--`: an expression (not a lone literal)
            // in an unquoted context, then the rest of the query dropped.
            if self.lead == Lead::Value
                && (self.structure || (self.after_brk == 1 && self.atom == Atom::Num))
                && self.words == 0
                && self.exp != Exp::Operand
                && bare_comment(self.text(&t))
            {
                self.set_weak(Rule::CommentTruncation, 0, t.end);
            }
            return;
        }
        if self.after_brk != 0 || self.brk_spaced {
            return;
        }
        let text = self.text(&t);
        if hash_ok(text) && !quoted_option(text) {
            self.set_weak(Rule::CommentTruncation, self.ev_start(), t.end);
        }
    }

    fn binary(&mut self) -> Step {
        self.structure = true;
        self.any_op = true;
        let f = self.frame();
        f.alias = false;
        self.exp = Exp::Operand;
        Step::Go
    }

    fn alias(&mut self) -> Step {
        let f = self.frame();
        if f.alias {
            f.alias = false;
            Step::Go
        } else {
            Step::Fail
        }
    }

    /// AND / OR / XOR / `&&` / `||`.
    fn connective(&mut self, t: Tok) -> Step {
        let f = self.frame();
        if t.is(Kw::And) && f.between {
            f.between = false;
            return self.binary();
        }
        if self.depth == 0 {
            if self.conn.is_none() && self.seg & seg::CONST_CMP != 0 && self.lead == Lead::Value {
                // `1=1 AND …`
                self.set_weak(Rule::BooleanTail, 0, t.end);
            }
            self.end_segment(t.start);
            self.conn = Some(t.start);
            self.conn_clause = false;
            let first = self.pre_conn.is_none();
            self.pre_conn = Some(self.after_brk);
            if first {
                let q = |b: Option<&u8>| matches!(b, Some(b'\'' | b'"'));
                self.glued = self.quote
                    && !self.brk_spaced
                    && t.t == T::Word
                    && q(self.s.get(t.start.wrapping_sub(1)))
                    && q(self.s.get(t.end));
            }
        } else {
            self.seg |= seg::NESTED_BOOL;
        }
        self.binary()
    }

    /// Closes the boolean segment: records a boolean tail when the
    /// condition after the connective is SQL-shaped.
    fn end_segment(&mut self, end: usize) {
        if self.conn.is_some() && self.segment_ok() {
            self.set_weak(Rule::BooleanTail, self.ev_start(), end);
        }
        self.seg = 0;
    }

    fn segment_ok(&self) -> bool {
        use seg::*;
        let s = self.seg;
        if self.quote {
            if s & (CMP | BOOL_LIT | CALL | SQL_CALL | SUB | VAR | NUM | NESTED_BOOL) != 0 {
                return true;
            }
            // `1' -1 or '1`: a lone string after the connective counts when
            // SQL came between the break and the connective.
            let lone_str = s & STR != 0 && s & WORD == 0;
            return lone_str
                && (self.pre_conn.is_some_and(|n| n > 0) || self.glued || s & ARITH != 0);
        }
        match self.lead {
            Lead::Value => s & (CMP | BOOL_LIT | SQL_CALL | SUB | VAR | NESTED_BOOL) != 0,
            // `or 1--`: a value that starts with a connective.
            Lead::Fragment => {
                s & (CMP | BOOL_LIT | SQL_CALL | SUB | VAR | NESTED_BOOL) != 0
                    || (s & NUM != 0 && s & (WORD | ARITH) == 0)
            }
            // `id having (1 or 1)`: a clause keyword makes the bare word a
            // column.
            Lead::Word if self.conn_clause => {
                s & (CMP | BOOL_LIT | SQL_CALL | SUB | VAR | NESTED_BOOL) != 0
            }
            Lead::Word => s & (CONST_CMP | SQL_CALL | SUB) != 0,
            _ => false,
        }
    }

    fn operator_word(&mut self, t: Tok) -> Step {
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

    /// A clause keyword after the break is (weak) evidence.
    fn clause(&mut self, t: Tok) {
        self.end_segment(t.start);
        self.conn = None;
        self.check_select(t.start);
        if self.depth == 0 && self.clause_tail.is_none() && !t.is(Kw::Where) && !t.is(Kw::Having) {
            self.clause_tail = Some(t.start);
        }
    }

    fn open_call(&mut self) -> Step {
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

    fn close_call(&mut self, t: Tok) -> Step {
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

    fn close(&mut self, t: Tok) -> Step {
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

    /// End of input (or a comment running to it) in operator position.
    fn finish(&mut self, end: usize) -> Step {
        let seg_tail = self.seg;
        self.end_segment(end);
        // SELECTs still open (`1 and (select count(x`) are judged too.
        self.salvage(end);
        if self.quote {
            // The first token after the break is an operator: a strict one
            // (comparison, bitwise, concatenation), a postfix null test, or
            // arithmetic followed by a comparison or a truncating comment.
            let op = self.op_tail || self.op_tail_strict || self.op_tail_postfix;
            let strong_op = self.op_tail_strict
                || self.op_tail_postfix
                || self.truncated
                || seg_tail & seg::CMP != 0;
            // `x'=email--`: column names are fine when the rest of the
            // query is commented out.
            let words_ok = self.words == 0 || (self.truncated && !self.brk_spaced);
            let complete = self.after_brk >= 2 || self.op_tail_postfix;
            if op && strong_op && words_ok && complete {
                self.set_weak(Rule::OperatorTail, self.ev_start(), end);
            }
            // `asd' or column^'-1`: the value closes the literal, adds an
            // expression, and ends inside a new literal that the
            // application's own closing quote completes.
            let tail = self.text(&self.last);
            let plain_tail =
                tail.len() <= 32 && tail.iter().skip(1).all(|&b| b != b'\'' && b != b'"');
            if self.any_op
                && self.last.t == (T::Str { closed: false })
                && plain_tail
                && self.after_brk >= 2
                && self.words <= 2
                && self.brk > 1
                && !self.brk_spaced
            {
                self.set_weak(Rule::OperatorTail, self.ev_start(), end);
            }
            if self.clause_tail.is_some() {
                self.set_weak(Rule::ClauseTail, self.ev_start(), end);
            }
        } else if let Some(c) = self.clause_tail {
            if matches!(self.lead, Lead::Value | Lead::Fragment)
                && (self.last.t == T::Num || seg_tail & seg::SQL_CALL != 0)
            {
                // `1 ORDER BY 5--`: column-count probing.
                self.set_weak(Rule::ClauseTail, c, end);
            }
        }
        Step::Done
    }

    // ----- pending multi-word constructs ------------------------------------

    /// Handles `t` when a multi-word construct is pending. `None` lets the
    /// token through to the normal handling.
    fn pending(&mut self, t: Tok) -> Option<Step> {
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

    // ----- statements -------------------------------------------------------

    fn statement(&mut self, t: Tok) -> Step {
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
        let name = |n: &Tok| matches!(n.t, T::Word | T::QIdent) && n.kw.is_none();
        let ok = match kw {
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
                return Step::Go;
            }
            // IF (cond) statement
            Kw::If => {
                if stacked && n1.is(Kw::Exists) {
                    self.set_strong(Rule::StackedQuery, start, n1.end);
                }
                self.if_stmt = true;
                self.exp = Exp::Operand;
                return Step::Go;
            }
            // BEGIN [TRY|CATCH|TRAN] … END [TRY|CATCH|IF], GO: batch
            // structure around statements.
            Kw::Begin | Kw::Go | Kw::End => {
                let w = self.text(&n1);
                let tail = (kw == Kw::End && n1.is(Kw::If))
                    || [&b"try"[..], b"catch", b"tran", b"transaction"]
                        .iter()
                        .any(|k| w.eq_ignore_ascii_case(k));
                if tail {
                    self.advance();
                }
                return Step::Go;
            }
            // GOTO label
            Kw::Goto if name(&n1) => {
                self.advance();
                return Step::Go;
            }
            // WHILE cond statement
            Kw::While => {
                self.if_stmt = true;
                self.exp = Exp::Operand;
                return Step::Go;
            }
            Kw::Waitfor => {
                self.pend = Pend::Waitfor(t.start);
                return Step::Go;
            }
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
                    || (name(&n1) && n2.t == T::Dot);
                if ok && (n1.func == Func::File || txt.starts_with(b"xp_")) {
                    self.set_strong(Rule::FileAccess, start, n1.end);
                    return Step::Done;
                }
                ok
            }
            Kw::Declare => {
                matches!(n1.t, T::Var | T::SysVar)
                    || (name(&n1) && self.text(&n2).eq_ignore_ascii_case(b"cursor"))
            }
            _ if !stacked => false,
            Kw::Insert | Kw::Replace => {
                n1.is(Kw::Into)
                    || (name(&n1) && (n2.is(Kw::Values) || n2.is(Kw::Select) || n2.t == T::LParen))
            }
            Kw::Update => {
                let mut l = self.lx;
                l.next_tok();
                l.next_tok();
                let n3 = l.next_tok();
                name(&n1)
                    && (n2.is(Kw::Set) || (matches!(n2.t, T::Word | T::Dot) && n3.is(Kw::Set)))
            }
            Kw::Do => {
                matches!(n1.t, T::LParen | T::Num | T::Var | T::SysVar) || n1.func != Func::Plain
            }
            Kw::Delete => {
                (n1.is(Kw::From) && name(&n2))
                    // DELETE LOW_PRIORITY / QUICK / IGNORE FROM
                    || (name(&n1) && n2.is(Kw::From))
                    || (name(&n1) && (n2.is(Kw::Where) || matches!(n2.t, T::End | T::Semi | T::Comment)))
            }
            Kw::Create if n1.is(Kw::Or) => n2.is(Kw::Replace),
            Kw::Drop | Kw::Create | Kw::Alter => {
                n1.is(Kw::Table)
                    || n1.is(Kw::Database)
                    || n1.is(Kw::ObjectType)
                    || n1.is(Kw::Procedure)
            }
            Kw::Truncate => n1.is(Kw::Table) || name(&n1),
            Kw::Set => {
                matches!(n1.t, T::Var | T::SysVar)
                    || (name(&n1) && matches!(n2.t, T::Op(Op::Eq | Op::Assign)))
            }
            Kw::Shutdown => {
                matches!(n1.t, T::End | T::Comment | T::Semi) || n1.is(Kw::With) || n1.is(Kw::End)
            }
            Kw::Use => {
                name(&n1)
                    && (matches!(n2.t, T::End | T::Comment | T::Semi)
                        || n2
                            .kw
                            .is_some_and(|k| matches!(k, Kw::Exec | Kw::Select | Kw::Declare)))
            }
            Kw::Grant if name(&n1) => {
                let w = self.text(&n2);
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
                let w = self.text(&n1);
                w.eq_ignore_ascii_case(b"data") || w.eq_ignore_ascii_case(b"xml")
            }
            Kw::Call => name(&n1) && matches!(n2.t, T::LParen | T::Dot),
            Kw::Show => {
                (name(&n1) || n1.kw.is_some()) && matches!(n2.t, T::End | T::Comment | T::Semi)
            }
            Kw::Copy => name(&n1) && (n2.is(Kw::From) || n2.is(Kw::Into) || n2.t == T::LParen),
            Kw::Attach => n1.is(Kw::Database),
            Kw::Kill => n1.t == T::Num,
            Kw::Print => matches!(n1.t, T::Str { .. } | T::Var | T::SysVar),
            Kw::Prepare => name(&n1) && n2.is(Kw::From),
            Kw::With => name(&n1) && n2.is(Kw::As),
            Kw::Pragma => name(&n1),
            Kw::Desc => name(&n1) && matches!(n2.t, T::End | T::Comment | T::Semi),
            _ => false,
        };
        if ok {
            self.set_strong(Rule::StackedQuery, start, n1.end.max(t.end));
            return Step::Done;
        }
        Step::Fail
    }
}

/// `--name'` / `--name"`: a command-line option written in quotes
/// (`'--force' flag`, `"--work-tree" option`), whose closing quote ends
/// the word right after the dashes. A comment that truncates a query has
/// no reason to close a quote on its first word.
fn quoted_option(comment: &[u8]) -> bool {
    let Some(rest) = comment.strip_prefix(b"--") else {
        return false;
    };
    if !rest.first().is_some_and(u8::is_ascii_alphabetic) {
        return false;
    }
    let n = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'='))
        .count();
    matches!(rest.get(n), Some(b'\'' | b'"' | b'`'))
}

/// In an unquoted value, only a comment with nothing after it truncates
/// (`1 --`, `1/*`); `1 -- Introduction` is prose.
fn bare_comment(text: &[u8]) -> bool {
    let body = if text.starts_with(b"#") {
        text.get(1..)
    } else {
        text.get(2..)
    };
    body.unwrap_or_default()
        .iter()
        .all(|&b| b.is_ascii_whitespace() || b == b'-' || b == b'#' || b == b'+')
}

/// A `#` comment glued to text (`#2`) is prose, not a truncation.
fn hash_ok(text: &[u8]) -> bool {
    if text.first() != Some(&b'#') {
        return true;
    }
    match text.get(1) {
        None => true,
        Some(b) => b.is_ascii_whitespace() || *b == b'-' || *b == b'#',
    }
}

/// Functions blind injections use to pull data out one character at a
/// time.
fn extracts(w: &[u8]) -> bool {
    [
        &b"ascii"[..],
        b"ord",
        b"unicode",
        b"substring",
        b"substr",
        b"mid",
        b"hex",
        b"length",
        b"lower",
        b"upper",
        b"conv",
        b"bin",
    ]
    .iter()
    .any(|k| w.eq_ignore_ascii_case(k))
}

/// True when `t` spells `w` (any case).
fn text_is(s: &[u8], t: &Tok, w: &[u8]) -> bool {
    s.get(t.start..t.end)
        .is_some_and(|x| x.eq_ignore_ascii_case(w))
}

/// A bare word with no keyword role that is not one of the operator
/// words the grammar accepts after an operand (`notnull`, `isnull`,
/// `against`).
fn plain_word(s: &[u8], t: &Tok) -> bool {
    t.t == T::Word
        && t.kw.is_none()
        && !text_is(s, t, b"notnull")
        && !text_is(s, t, b"isnull")
        && !text_is(s, t, b"against")
}

/// Tokens that fail in operator position at the top level: a plain word
/// (an alias, which a WHERE clause does not take), a number, a variable,
/// a quoted identifier, a stray byte.
fn cannot_follow(s: &[u8], t: &Tok) -> bool {
    plain_word(s, t) || matches!(t.t, T::Num | T::Var | T::SysVar | T::QIdent | T::Other)
}

/// Postfix null tests (PostgreSQL, SQLite).
fn postfix(w: &[u8]) -> bool {
    w.eq_ignore_ascii_case(b"notnull") || w.eq_ignore_ascii_case(b"isnull")
}

/// Numeric type names a `::` cast converts to (error-based extraction).
fn numeric_type(w: &[u8]) -> bool {
    [
        &b"int"[..],
        b"integer",
        b"int2",
        b"int4",
        b"int8",
        b"bigint",
        b"smallint",
        b"numeric",
        b"decimal",
        b"float",
        b"float8",
        b"real",
        b"tinyint",
    ]
    .iter()
    .any(|t| w.eq_ignore_ascii_case(t))
}

/// Keywords that double as function names when `(` follows.
fn callable(k: Kw) -> bool {
    matches!(
        k,
        Kw::If
            | Kw::Replace
            | Kw::Insert
            | Kw::JoinMod
            | Kw::Database
            | Kw::ObjectType
            | Kw::Mod
            | Kw::Values
            | Kw::Niladic
            | Kw::Binary
            | Kw::Exists
            | Kw::Any
            | Kw::Interval
            | Kw::Collate
            | Kw::Set
            | Kw::Top
            | Kw::Like
            | Kw::Rlike
            | Kw::Regexp
            | Kw::Glob
            | Kw::Delay
            | Kw::First
            | Kw::Mode
            | Kw::Rows
            | Kw::Table
            | Kw::Lock
            | Kw::Share
            | Kw::Separator
            | Kw::Procedure
            | Kw::Print
            | Kw::Load
            | Kw::Kill
            | Kw::Show
            | Kw::Of
            | Kw::Sounds
            | Kw::Next
            | Kw::Window
            | Kw::Outfile
            | Kw::Dumpfile
            | Kw::Only
    )
}

/// Keywords that can never be a table or column name here.
fn structural(k: Kw) -> bool {
    matches!(
        k,
        Kw::Select
            | Kw::From
            | Kw::Where
            | Kw::Union
            | Kw::And
            | Kw::Or
            | Kw::Not
            | Kw::Group
            | Kw::Order
            | Kw::Having
            | Kw::Limit
            | Kw::Into
            | Kw::On
            | Kw::Join
            | Kw::JoinMod
            | Kw::As
            | Kw::Is
            | Kw::In
            | Kw::Like
            | Kw::Between
            | Kw::Case
            | Kw::When
            | Kw::Then
            | Kw::Else
            | Kw::End
            | Kw::Null
            | Kw::Set
            | Kw::Values
            | Kw::Exec
            | Kw::Declare
            | Kw::Drop
            | Kw::Insert
            | Kw::Update
            | Kw::Delete
            | Kw::Waitfor
            | Kw::Procedure
            | Kw::For
            | Kw::Using
            | Kw::Xor
            | Kw::Div
            | Kw::Mod
            | Kw::By
            | Kw::Intersect
            | Kw::Except
            | Kw::Minus
            | Kw::All
            | Kw::Distinct
            | Kw::Any
            | Kw::Exists
            | Kw::Top
            | Kw::Outfile
            | Kw::Dumpfile
            | Kw::Rlike
            | Kw::Regexp
            | Kw::Ilike
            | Kw::Sounds
            | Kw::Offset
            | Kw::Fetch
            | Kw::Alter
            | Kw::Create
            | Kw::Truncate
            | Kw::Grant
            | Kw::True
            | Kw::False
            | Kw::Unknown
            | Kw::Interval
            | Kw::Binary
            | Kw::Collate
            | Kw::Escape
            | Kw::Asc
            | Kw::Desc
            | Kw::With
            | Kw::Replace
            | Kw::If
            | Kw::Shutdown
            | Kw::Niladic
    )
}
