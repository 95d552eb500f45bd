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
//!
//! ## Layout
//!
//! The automaton is one struct, `state::Parser`, whose fields are the state
//! every grammar area reads and writes; its methods are spread over the
//! files by grammar area, each an `impl Parser` block:
//!
//! * `parser`: the entry point (fast rejections, set-up), the main loop,
//!   the token cursor, and the dispatch of pending multi-word constructs;
//! * `operand` / `operator`: the two positions of the alternation, with
//!   word operators and comparisons (LIKE, IS, IN, BETWEEN, CASE words);
//! * `boolean`: AND / OR connectives and the boolean-tail judgement;
//! * `call`: function calls, parentheses, INTO OUTFILE and WAITFOR DELAY;
//! * `select`: SELECT wherever it starts, FROM tables, UNION;
//! * `clause`: WHERE, ORDER BY, LIMIT, AS, JOIN, … in operator position;
//! * `statement`: stacked and juxtaposed statements, control flow;
//! * `judge`: comments, truncation and the end of input (weak evidence);
//! * `class`: keyword classes and token predicates shared by the others.
//!
//! A keyword in operator position is offered to the area handlers in turn
//! (`operator::operator_word`); each takes a disjoint set of keywords and
//! answers `None` for the rest, so the order does not change the result.
//! The fields stay `pub(super)` (visible inside `analyze` only) rather than
//! behind accessors: the areas are one automaton, split for reading.

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
