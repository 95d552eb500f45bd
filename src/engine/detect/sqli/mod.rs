//! SQL injection detector.
//!
//! An injection is input that, once pasted into a query, stops being data
//! and becomes SQL. The detector therefore does not look for SQL *words*
//! (prose is full of "select", "union", "drop", "or"), it asks whether the
//! value forms SQL *structure* when read the ways an application embeds it:
//!
//! 1. **as the tail of a string literal** opened with `'` or `"` (and, when
//!    the value holds a backslash, with MySQL's `\'` escapes): the value's
//!    first unescaped quote closes the literal and whatever follows is code;
//! 2. **as it is**: a number or column in an unquoted context
//!    (`id=1 or 1=1`), or a standalone fragment (`sleep(5)`,
//!    `select * from users`).
//!
//! Each reading is lexed by a SQL lexer that knows the dialects injections
//! target (MySQL, PostgreSQL, MSSQL, Oracle, SQLite: quote and escape
//! rules, `0x`/`0b`/scientific numbers, backtick and bracket identifiers,
//! `--`, `#`, `/* */` comments and MySQL `/*! */` executable comments), and
//! the tokens are run through a small, tolerant grammar automaton from the
//! start. The automaton gives up at the first token that cannot follow in
//! SQL (`'O' Brien`, `'it' s`, `IS A`, `drop me`), so prose is rejected after
//! a few tokens, and it records the structures only SQL has:
//!
//! | rule | structure |
//! |---|---|
//! | `sqli.boolean_tail` | the literal is closed and AND/OR/XOR/`&&`/`\|\|` appends a condition: `' or 1=1--`, `1 or true` |
//! | `sqli.operator_tail` | the string is closed and joined to another literal: `' = '`, `'\|\|'` |
//! | `sqli.comment_truncation` | the string is closed and a comment drops the rest of the query: `admin'--` |
//! | `sqli.clause_tail` | a clause follows the closed literal: `1' order by 3--` |
//! | `sqli.conditional` | `CASE WHEN … END`, or a SQL function over a constant comparison: `make_set(1=1,1)` |
//! | `sqli.info_function` | nested extraction calls: `ascii(substring(user(),1,1))`, `mid(@@version,1,1)` |
//! | `sqli.cast_error` | a PostgreSQL numeric cast of a column or call: `password::int` |
//! | `sqli.terminated_literal` | a one-token literal closed and the statement ended: `admin@x.org';` |
//! | `sqli.cast_expression` | a PostgreSQL cast of a literal or call in an expression: `'[1]'::jsonb \|\| '2'`, `version()::text` |
//! | `sqli.union_select` | `UNION [ALL\|DISTINCT] SELECT …` |
//! | `sqli.stacked_query` | `;` (or MSSQL juxtaposition) then a statement: `1;drop table users` |
//! | `sqli.subquery` | `(SELECT …)` |
//! | `sqli.select_statement` | a standalone `SELECT … FROM …` whose select list is SQL, not prose |
//! | `sqli.time_function` | `sleep(…)`, `benchmark(…)`, `pg_sleep(…)`, `WAITFOR DELAY '…'`, or such a call with a numeric first argument that the input ends inside (`benchmark(3000000,md5(4)`) |
//! | `sqli.error_function` | `extractvalue(…)`, `updatexml(…)`, `utl_inaddr.get_host_address(…)` |
//! | `sqli.file_access` | `INTO OUTFILE '…'`, `load_file(…)`, `xp_cmdshell` |
//!
//! The first block of rules (down to `sqli.cast_expression`) is *weak*
//! evidence: it only counts when the whole value parses as SQL to its end
//! (or to a `;` that ends the injected statement). The others are *strong*
//! and count as soon as their structure is complete, even if junk follows.
//!
//! ODBC escapes (`{fn …}`, `{oj …}`, `{if …}`, which MySQL evaluates) read
//! as parentheses around their expression, and PostgreSQL's `ARRAY[…]` as
//! an argument list. A parameter *name* is read whole and, when that finds
//! nothing, each of its subscripts (`filter[0 or updatexml(…)#]`) as a
//! value of its own: frameworks turn them into nested keys that
//! applications paste into queries.
//!
//! Cost: a byte-class prefilter (one table lookup per byte) rejects values
//! that cannot hold an injection: single tokens without whitespace, quotes,
//! parentheses, `;`, comment or operator characters (names, numbers, dates,
//! identifiers, base64). Past it, the reading "as it is" fails within the
//! first tokens of prose and the quoted readings start at the first quote;
//! every step consumes input, parenthesis nesting is bounded (32), nothing
//! is allocated (except a copy when typographic quotes `’` need folding).
//!
//! Decided on purpose: a standalone `select * from my heart` **is**
//! flagged in a parameter (`SELECT * FROM table alias` is a complete query
//! and `*` is not prose; someone typing SQL into a search box is flagged
//! too), while `select one from the list` is not (a select list of bare
//! words reads as English). In a nested document field a standalone
//! SELECT is a record of the application's own queries (APM spans, query
//! logs) and passes; injections there still need and get a break-out rule.
//! Locations where SQL text is legitimately sent go in `whitelist`.
//!
//! ```
//! use envoy_rasp::engine::detect::sqli::{Sqli, SqliConfig};
//! use envoy_rasp::engine::detect::ValueCtx;
//! use envoy_rasp::engine::surface::Surface;
//!
//! let sqli = Sqli::compile(&SqliConfig::default(), "sql_injection").unwrap().unwrap();
//! let ctx = ValueCtx::value(Surface::Query);
//! let hit = sqli.detect(b"1' oR '1'='1", &ctx).unwrap();
//! assert_eq!(hit.rule, "sqli.boolean_tail");
//! assert_eq!(sqli.detect(b"-1 UNION/**/SELECT password FROM users", &ctx).unwrap().rule,
//!            "sqli.union_select");
//! assert!(sqli.detect(b"O'Brien's", &ctx).is_none());
//! assert!(sqli.detect(b"select your plan and union station", &ctx).is_none());
//! assert!(sqli.detect(b"drop me a line -- thanks", &ctx).is_none());
//! ```
//!
//! ## Layout
//!
//! * `scan`: the byte-class prefilter and the readings of one value;
//! * `lexer`: SQL tokens across the dialects above;
//! * `words`: the keyword and function-name table (each word written once,
//!   in one `words!` table that generates both the lookup `match` and the
//!   list the length prefilter is built from) and the system catalog names;
//! * `analyze/`: the grammar automaton, one file per grammar area (operands,
//!   operators, boolean segments, calls, SELECT, clauses, statements, the
//!   end-of-input judge) around a shared parser state;
//! * `rule`: the rules and a finding's span.
//!
//! ## Rules: the model for the other detectors
//!
//! What the detector can report is a closed enum, `rule::Rule`, not a set
//! of strings: each variant has its stable id (`Rule::id`, the `rule` of the
//! [`Hit`]), its human reason (`Rule::reason`) and its severity, which for
//! this detector has two levels (`Rule::is_strong`: strong evidence stands
//! on its own, weak evidence needs the whole value to parse). Adding a rule
//! is adding a variant, and the compiler points at every `match` that must
//! say what it means; ids cannot be misspelt at the place a finding is
//! made. The other detectors are to follow this shape.

mod analyze;
mod lexer;
mod rule;
mod scan;
mod words;

impl Detector for Sqli {
    type Config = SqliConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "SQL injection detector."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new(
            "min_length",
            "Values shorter than this many bytes are not checked for SQL injection.",
        ),
        FieldNote::new(
            "whitelist",
            "Locations (`query:sql`, `json:$.query`) where SQL is expected and not checked.",
        ),
        FieldNote::new("whitelist[]", "A location: `surface:name`."),
    ];

    fn compile(cfg: &SqliConfig, at: &FieldPath) -> Result<Option<Sqli>, ConfigErrors> {
        Ok(Sqli::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Sqli::action(self)
    }

    /// The trigger table of the prefilter (`scan.rs`): blanks and
    /// controls, quotes, operators, `--` and `::`, and the lead bytes of
    /// no-break spaces and typographic quotes.
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::bytes::Signature as S;
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::any(b"`;()#*|&=<>!'\"-: \t\r\n").or_any(S::CTRL | S::HIGH);
        NEEDS
    }

    fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        Sqli::detect(self, value, ctx)
    }

    /// Every request header but those whose grammar is syntax here, and the
    /// query parameters of `Referer` / `Origin`: see
    /// [`header_params`](crate::engine::detect::header_params).
    const EVERY_HEADER: bool = true;

    fn reads_header(&self, name: &[u8]) -> bool {
        header_params::reads_header(name)
    }

    fn detect_header(&self, name: &[u8], value: &[u8]) -> Option<Hit> {
        let ctx = ValueCtx::value(Surface::Header);
        header_params::url_params(name, value, |param, start, end| {
            Sqli::detect(self, param, &ctx).map(|h| Hit { start, end, ..h })
        })
    }

    fn has_suppressions(&self) -> bool {
        self.has_whitelist()
    }

    fn suppressed(&self, location: &str) -> bool {
        self.whitelisted(location)
    }
}

/// Subscripts read from a parameter name: `user[name]`, `a[0][b]`.
const MAX_KEY_SEGMENTS: usize = 16;

/// A parameter name's subscripts, each read as a value: PHP, Rails and
/// qs-style frameworks turn `filter[0 or updatexml(…)#]=1` into a nested
/// key the application may paste into a query (`ORDER BY`, a column
/// list), so the text between each `[` and the next `]` is a value of its
/// own. The name before the first `[` was read as part of the whole key.
fn key_segments(key: &[u8]) -> Option<rule::Ev> {
    let mut rest = key;
    let mut base = 0;
    for _ in 0..MAX_KEY_SEGMENTS {
        let open = rest.iter().position(|&b| b == b'[')?;
        let inner = rest.get(open + 1..)?;
        let close = inner.iter().position(|&b| b == b']').unwrap_or(inner.len());
        let seg = inner.get(..close)?;
        if let Some(ev) = scan::scan(seg) {
            let off = base + open + 1;
            return Some(rule::Ev {
                rule: ev.rule,
                start: ev.start + off,
                end: ev.end + off,
            });
        }
        base += open + 1 + close;
        rest = inner.get(close..)?;
    }
    None
}

#[cfg(test)]
mod tests;

use crate::engine::detect::Detector;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::field::Depth;
use super::{header_params, Hit, ValueCtx};
use crate::engine::error::ConfigError;
use crate::engine::mode::Action;
use crate::engine::surface::Surface;

/// Configuration section `sql_injection`.
///
/// ```json
/// {"sql_injection": {"action": "block", "min_length": 0, "whitelist": ["query:sql"]}}
/// ```
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SqliConfig {
    /// What a detection does: `block` (default), `log` (record and let the
    /// request through) or `off` (the detector does not run at all).
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Values shorter than this many bytes are not inspected. Default `0`
    /// (inspect everything). The shortest injections are a handful of
    /// bytes (`'--`, `1 or true`), so raising this trades detection for
    /// nothing measurable: the detector already rejects short benign values
    /// in a few instructions.
    pub min_length: usize,
    /// Locations where SQL is expected, written as the event `location`
    /// field is (`query:sql`, `json:$.query`, `header:x-filter`). Entries
    /// must be non-empty. Default empty. Findings of this detector in these
    /// locations are dropped ([`Sqli::whitelisted`]).
    pub whitelist: Vec<String>,
}

impl Default for SqliConfig {
    fn default() -> Self {
        SqliConfig {
            action: Action::Block,
            sensitivity: None,
            min_length: 0,
            whitelist: Vec::new(),
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Sqli {
    action: Action,
    min_length: usize,
    whitelist: Vec<String>,
}

impl Sqli {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &SqliConfig, field: &str) -> Result<Option<Sqli>, ConfigError> {
        for (i, w) in cfg.whitelist.iter().enumerate() {
            if w.trim().is_empty() {
                return Err(ConfigError::new(
                    format!("{field}.whitelist[{i}]"),
                    "empty location",
                ));
            }
        }
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Sqli {
            action: cfg.action,
            min_length: cfg.min_length,
            whitelist: cfg.whitelist.clone(),
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// True when `location` (`query:sql`, …) is whitelisted: SQL is
    /// expected there and findings from it are dropped.
    pub fn whitelisted(&self, location: &str) -> bool {
        self.whitelist.iter().any(|w| w == location)
    }

    /// True when a whitelist is configured.
    pub fn has_whitelist(&self) -> bool {
        !self.whitelist.is_empty()
    }

    /// Inspects one value. See the [module docs](self).
    pub fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        if value.len() < self.min_length {
            return None;
        }
        let ev = match scan::scan(value) {
            Some(ev) => ev,
            None if ctx.is_key => key_segments(value)?,
            None => return None,
        };
        // A standalone statement has no break-out: it only runs where an
        // application executes the field as SQL. In a nested document field
        // it is a record of the application's own queries (a trace span's
        // `description`, `db.statement`, a query log), not an injection.
        if ev.rule == rule::Rule::SelectStatement && ctx.field.depth == Depth::Nested {
            return None;
        }
        Some(Hit::new(ev.rule.id(), ev.rule.reason(), ev.start, ev.end))
    }
}
