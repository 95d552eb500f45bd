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
//! | `sqli.union_select` | `UNION [ALL\|DISTINCT] SELECT …` |
//! | `sqli.stacked_query` | `;` (or MSSQL juxtaposition) then a statement: `1;drop table users` |
//! | `sqli.subquery` | `(SELECT …)` |
//! | `sqli.select_statement` | a standalone `SELECT … FROM …` whose select list is SQL, not prose |
//! | `sqli.time_function` | `sleep(…)`, `benchmark(…)`, `pg_sleep(…)`, `WAITFOR DELAY '…'` |
//! | `sqli.error_function` | `extractvalue(…)`, `updatexml(…)`, `utl_inaddr.get_host_address(…)` |
//! | `sqli.file_access` | `INTO OUTFILE '…'`, `load_file(…)`, `xp_cmdshell` |
//!
//! The first block of rules (down to `sqli.cast_error`) is *weak*
//! evidence: it only counts when the whole value parses as SQL to its end
//! (or to a `;` that ends the injected statement). The others are *strong*
//! and count as soon as their structure is complete, even if junk follows.
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
//! flagged (`SELECT * FROM table alias` is a complete query and `*` is not
//! prose), while `select one from the list` is not (a select list of bare
//! words reads as English). Locations where SQL text is legitimately sent
//! go in `whitelist`.
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

mod analyze;
mod lexer;
mod rule;
mod words;

use serde::{Deserialize, Serialize};

use super::{Hit, ValueCtx};
use crate::engine::config::{Action, ConfigError};
use analyze::{analyze, Ctx, Stack};
use rule::Ev;

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
    pub fn detect(&self, value: &[u8], _ctx: &ValueCtx) -> Option<Hit> {
        if value.len() < self.min_length {
            return None;
        }
        let ev = scan(value)?;
        Some(Hit::new(ev.rule.id(), ev.rule.reason(), ev.start, ev.end))
    }
}

/// Byte classes for the prefilter.
const TRIGGER: u8 = 1;
const BACKSLASH: u8 = 2;
const SINGLE: u8 = 4;
const DOUBLE: u8 = 8;
/// `-` and `:`: triggers only as `--` (comment) and `::` (cast).
const PAIR: u8 = 16;
/// Lead byte of a no-break space or typographic quote.
const UNICODE: u8 = 32;

/// Bytes without which a value cannot be an injection: whitespace and
/// control bytes (an injection has at least two tokens, and without
/// whitespace it needs punctuation to separate them), quotes, `;`,
/// parentheses, comment and operator characters, and the lead bytes of
/// no-break spaces and typographic quotes.
static CLASS: [u8; 256] = classes();

#[allow(clippy::indexing_slicing)] // compile-time only
const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match i as u8 {
            0..=0x20
            | b'`'
            | b';'
            | b'('
            | b')'
            | b'#'
            | b'*'
            | b'|'
            | b'&'
            | b'='
            | b'<'
            | b'>'
            | b'!'
            | 0x7f
            | 0xa0 => TRIGGER,
            0xc2 | 0xca | 0xe2 => TRIGGER | UNICODE,
            b'\'' => TRIGGER | SINGLE,
            b'"' => TRIGGER | DOUBLE,
            b'\\' => BACKSLASH,
            b'-' | b':' => PAIR,
            _ => 0,
        };
        i += 1;
    }
    t
}

fn class(b: u8) -> u8 {
    CLASS.get(usize::from(b)).copied().unwrap_or(TRIGGER)
}

/// The prefilter: which of `\\`, `'` and `"` the value holds, or `None`
/// when it cannot hold an injection (a single token such as a word,
/// number, date, identifier or base64 blob).
fn prefilter(value: &[u8]) -> Option<u8> {
    // One table-driven pass (no early exit: the quote bits are needed
    // too); about a byte per cycle.
    let mut seen = 0u8;
    for chunk in value.chunks(16) {
        for &b in chunk {
            seen |= class(b);
        }
    }
    let pairs = || {
        value
            .windows(2)
            .any(|w| matches!(w, [a, b] if a == b && (*a == b'-' || *a == b':')))
    };
    let hit = seen & TRIGGER != 0 || (seen & PAIR != 0 && pairs());
    hit.then_some(seen)
}

/// Runs every reading of `value`; strong evidence from any reading wins
/// over weak evidence.
fn scan(value: &[u8]) -> Option<Ev> {
    let seen = prefilter(value)?;
    let mut stack: Option<Stack> = None;
    let backslash = seen & BACKSLASH != 0;
    let mut weak = None;
    let mut consider = |ev: Option<Ev>| -> Option<Ev> {
        let ev = ev?;
        if ev.rule.is_strong() {
            return Some(ev);
        }
        weak = weak.or(Some(ev));
        None
    };
    let single = seen & SINGLE != 0;
    let double = seen & DOUBLE != 0;
    for (quote, present) in [(b'\'', single), (b'"', double)] {
        if !present {
            continue;
        }
        let ctx = Ctx::Quote {
            quote,
            backslash: false,
        };
        if let Some(ev) = consider(analyze(value, ctx, &mut stack)) {
            return Some(ev);
        }
        let escaped = backslash
            && value
                .iter()
                .position(|&b| b == quote)
                .and_then(|first| value.get(..first))
                .is_some_and(|p| p.contains(&b'\\'));
        if escaped {
            let ctx = Ctx::Quote {
                quote,
                backslash: true,
            };
            if let Some(ev) = consider(analyze(value, ctx, &mut stack)) {
                return Some(ev);
            }
        }
    }
    if let Some(ev) = consider(analyze(value, Ctx::Bare, &mut stack)) {
        return Some(ev);
    }
    if weak.is_none() && seen & UNICODE != 0 {
        if let Some(ascii) = ascii_quotes(value) {
            let ctx = Ctx::Quote {
                quote: b'\'',
                backslash: false,
            };
            if let Some(ev) =
                analyze(&ascii, ctx, &mut stack).or_else(|| analyze(&ascii, Ctx::Bare, &mut stack))
            {
                return Some(ev);
            }
        }
    }
    weak
}

/// Typographic quotes (`’ ‘ ´ ʼ`) that "best fit" character conversions
/// (MSSQL varchar, some drivers) turn into `'`: a copy of `value` with each
/// replaced by `'` padded with spaces, so offsets stay valid. `None` when
/// there are none.
fn ascii_quotes(value: &[u8]) -> Option<Vec<u8>> {
    let lead = |b: &u8| matches!(*b, 0xe2 | 0xc2 | 0xca);
    if !value.iter().any(lead) {
        return None;
    }
    let mut out = value.to_vec();
    let mut found = false;
    let mut i = 0;
    while i < out.len() {
        let len = match (out.get(i), out.get(i + 1), out.get(i + 2)) {
            (Some(0xe2), Some(0x80), Some(0x98 | 0x99 | 0xb2)) => 3,
            (Some(0xc2), Some(0xb4), _) | (Some(0xca), Some(0xbc), _) => 2,
            _ => 0,
        };
        if len == 0 {
            i += 1;
            continue;
        }
        found = true;
        for (k, b) in out.iter_mut().skip(i).take(len).enumerate() {
            *b = if k == 0 { b'\'' } else { b' ' };
        }
        i += len;
    }
    found.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::surface::Surface;

    fn det() -> Sqli {
        Sqli::compile(&SqliConfig::default(), "sql_injection")
            .unwrap()
            .unwrap()
    }

    #[test]
    fn fixtures() {
        let d = det();
        let ctx = ValueCtx::value(Surface::Query);
        let n = crate::engine::detect::fixtures::check(
            include_str!("../../../../tests/fixtures/sqli.jsonl"),
            false,
            |v, _| d.detect(v.as_bytes(), &ctx),
        );
        assert!(
            n.detect + n.pass >= 160,
            "only {} fixtures",
            n.detect + n.pass
        );
    }

    #[test]
    fn spans_point_at_the_evidence() {
        let d = det();
        let ctx = ValueCtx::value(Surface::Query);
        let v = b"abc' union select 1,2--";
        let h = d.detect(v, &ctx).unwrap();
        assert_eq!(h.rule, "sqli.union_select");
        assert_eq!(&v[h.start..h.start + 5], b"union");
        assert!(h.end <= v.len());
    }

    #[test]
    fn config() {
        let off = SqliConfig {
            action: Action::Off,
            ..SqliConfig::default()
        };
        assert!(Sqli::compile(&off, "sql_injection").unwrap().is_none());
        let bad = SqliConfig {
            whitelist: vec![" ".into()],
            ..SqliConfig::default()
        };
        let err = Sqli::compile(&bad, "sql_injection").unwrap_err();
        assert_eq!(err.field(), "sql_injection.whitelist[0]");
        let wl = SqliConfig {
            whitelist: vec!["query:sql".into()],
            min_length: 8,
            ..SqliConfig::default()
        };
        let d = Sqli::compile(&wl, "sql_injection").unwrap().unwrap();
        assert!(d.whitelisted("query:sql"));
        assert!(!d.whitelisted("query:q"));
        let ctx = ValueCtx::value(Surface::Query);
        assert!(d.detect(b"'--", &ctx).is_none());
    }

    #[test]
    fn random_token_soup_never_panics() {
        // Deterministic xorshift; debug builds also catch overflow.
        let pieces: &[&[u8]] = &[
            b"'",
            b"\"",
            b"`",
            b"(",
            b")",
            b"((",
            b";",
            b"--",
            b"#",
            b"/*",
            b"*/",
            b"/*!",
            b" ",
            b"\n",
            b"1",
            b"0x",
            b"1e",
            b".",
            b",",
            b"=",
            b"<",
            b">",
            b"||",
            b"&&",
            b"@",
            b"@@",
            b"$$",
            b"$a$",
            b"[",
            b"]",
            b"\\",
            b"or",
            b"and",
            b"union",
            b"select",
            b"from",
            b"where",
            b"case",
            b"when",
            b"then",
            b"end",
            b"sleep",
            b"in",
            b"is",
            b"not",
            b"null",
            b"waitfor",
            b"delay",
            b"exec",
            b"declare",
            b"begin",
            b"if",
            b"into",
            b"outfile",
            b"x",
            b"::",
            b"int",
            b"\xe2\x80\x99",
            b"\xa0",
            b"q'[",
            b"N'",
            b"?",
            b"-",
            b"*",
            b"limit",
            b"order",
            b"by",
            b"goto",
            b"label:",
        ];
        let d = det();
        let ctx = ValueCtx::value(Surface::Query);
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let n = (next() % 24) as usize;
            let mut v = Vec::new();
            for _ in 0..n {
                let p = pieces[(next() % pieces.len() as u64) as usize];
                v.extend_from_slice(p);
            }
            if let Some(h) = d.detect(&v, &ctx) {
                assert!(h.start <= h.end && h.end <= v.len(), "{h:?} for {v:?}");
            }
        }
    }

    #[test]
    fn adversarial_inputs_are_linear_and_safe() {
        let d = det();
        let ctx = ValueCtx::value(Surface::Query);
        for unit in [
            &b"("[..],
            b"'",
            b"''",
            b"\"",
            b"1 or ",
            b"/*",
            b"/*!",
            b"-- \n",
            b"`",
            b"[",
            b"$$",
            b"@",
            b"0x",
            b"1,",
            b"(select ",
            b"\\'",
            b"case when ",
            b"a.",
            b"';",
        ] {
            let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
            let t = std::time::Instant::now();
            let _ = d.detect(&v, &ctx);
            assert!(
                t.elapsed().as_millis() < 2000,
                "{:?} took {:?}",
                String::from_utf8_lossy(unit),
                t.elapsed()
            );
        }
    }
}
