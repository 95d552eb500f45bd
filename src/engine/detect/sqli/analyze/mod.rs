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

mod boolean;
mod call;
mod class;
mod clause;
mod judge;
mod operand;
mod operator;
mod parser;
mod select;
mod state;
mod statement;

pub(super) use parser::{analyze, Ctx, Stack};
