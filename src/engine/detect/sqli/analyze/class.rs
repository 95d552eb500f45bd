//! Keyword classes and token predicates the grammar consults.

use super::super::lexer::{Tok, T};
use super::super::words::Kw;

/// Functions blind injections use to pull data out one character at a
/// time.
pub(super) fn extracts(w: &[u8]) -> bool {
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
pub(super) fn text_is(s: &[u8], t: &Tok, w: &[u8]) -> bool {
    s.get(t.start..t.end)
        .is_some_and(|x| x.eq_ignore_ascii_case(w))
}

/// A bare word with no keyword role that is not one of the operator
/// words the grammar accepts after an operand (`notnull`, `isnull`,
/// `against`).
pub(super) fn plain_word(s: &[u8], t: &Tok) -> bool {
    t.t == T::Word
        && t.kw.is_none()
        && !text_is(s, t, b"notnull")
        && !text_is(s, t, b"isnull")
        && !text_is(s, t, b"against")
}

/// Tokens that fail in operator position at the top level: a plain word
/// (an alias, which a WHERE clause does not take), a number, a variable,
/// a quoted identifier, a stray byte.
pub(super) fn cannot_follow(s: &[u8], t: &Tok) -> bool {
    plain_word(s, t) || matches!(t.t, T::Num | T::Var | T::SysVar | T::QIdent | T::Other)
}

/// Postfix null tests (PostgreSQL, SQLite).
pub(super) fn postfix(w: &[u8]) -> bool {
    w.eq_ignore_ascii_case(b"notnull") || w.eq_ignore_ascii_case(b"isnull")
}

/// Numeric type names a `::` cast converts to (error-based extraction).
pub(super) fn numeric_type(w: &[u8]) -> bool {
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

/// Other PostgreSQL type names a `::` cast converts to: text, JSON, time,
/// binary and catalog types. With the numeric ones, the types a cast
/// written into a value names.
pub(super) fn cast_type(w: &[u8]) -> bool {
    numeric_type(w)
        || [
            &b"text"[..],
            b"varchar",
            b"char",
            b"json",
            b"jsonb",
            b"jsonpath",
            b"xml",
            b"bytea",
            b"bool",
            b"boolean",
            b"date",
            b"timestamp",
            b"timestamptz",
            b"interval",
            b"uuid",
            b"inet",
            b"regclass",
            b"regproc",
            b"oid",
            b"double",
        ]
        .iter()
        .any(|t| w.eq_ignore_ascii_case(t))
}

/// Keywords that double as function names when `(` follows.
pub(super) fn callable(k: Kw) -> bool {
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
pub(super) fn structural(k: Kw) -> bool {
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
