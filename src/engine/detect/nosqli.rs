//! NoSQL (MongoDB) operator and server-side JavaScript injection detector.
//!
//! MongoDB queries are documents, and frameworks build them from request
//! data: `qs` turns `user[$ne]=x` into `{user: {$ne: "x"}}`, a JSON body
//! is passed to `find()` as it is. An operator where the application
//! expects a plain value turns an equality into "not equal to anything"
//! (authentication bypass), a regular expression (blind extraction) or
//! JavaScript (`$where`, `$function`, `$accumulator`). The detector reads
//! the *structure* that carries an operator, never the word alone:
//!
//! * **Operator keys** (`nosqli.operator_key`): a JSON key, or a segment of
//!   a query, form or cookie parameter name split at `[`, `]` and `.`,
//!   that is one of the query operators of `operators` (`{"$gt": ""}`,
//!   `user[$ne]=`, `filter[$where]=`). Keys that are not query operators
//!   pass: JSON Schema's `$ref`, `$id`, `$schema`, `$comment`, MongoDB
//!   Extended JSON's `$oid`, `$date`, analytics properties (`$browser`,
//!   `$set`, `$current_url`).
//! * **Operator objects** (`nosqli.operator_object`): a value that is
//!   itself an object literal (`{ $ne: 1 }`, `{$gt: ''}`) with an operator
//!   key, written in the relaxed syntax the JSON walker does not read as a
//!   document.
//! * **Break-outs** (`nosqli.operator_breakout`): a value that closes the
//!   string or value the application quoted and adds an operator member to
//!   the surrounding object (`', $where: '1 == 1'`, `true, $or: [{}]`,
//!   `' } ], $comment: 'x'`), or that starts with a bracketed operator
//!   (`[$ne]=1`, a parameter-name suffix sent as a value).
//! * **JavaScript** (`nosqli.js_injection`): a value that breaks out of a
//!   string or number inside a `$where` / `$function` script — an optional
//!   single token, a closing quote, then `;`, `&&` or `||` — followed by
//!   script a query predicate runs: `this.<field>`, `return`, `sleep(`,
//!   busy loops (`while(`, `do{`), `new Date`, `db.…`, or a JavaScript
//!   equality (`'a'=='a'`, `1==1`); or a value that starts with a mongo
//!   shell call that writes (`db.users.insert(`, `db.x.drop()`).
//!
//! Prose passes: "costs $5, $10 with tax", "use $ne for not-equal", a
//! GraphQL query with `$id: ID!`, shell `$HOME`, a comment that quotes a
//! query (`db.users.find({age: {$gt: 18}})` in a sentence).
//!
//! APIs that let clients send MongoDB-style filters on purpose (Strapi's
//! `filters[title][$eq]=`, Feathers' `$limit` / `$sort`, Parse's `where=`)
//! either remove the operators they accept from `operators` or set
//! `action: log`.
//!
//! Cost: a value without `$`, `;`, `&`, `|` or a leading `d` costs one
//! table-driven pass; every reading after that is linear.
//!
//! ```
//! use envoy_rasp::engine::detect::nosqli::{Nosqli, NosqliConfig};
//! use envoy_rasp::engine::detect::ValueCtx;
//! use envoy_rasp::engine::surface::Surface;
//!
//! let d = Nosqli::compile(&NosqliConfig::default(), "nosql_injection").unwrap().unwrap();
//! let key = ValueCtx::key(Surface::Query);
//! assert_eq!(d.detect(b"password[$ne]", &key).unwrap().rule, "nosqli.operator_key");
//! let value = ValueCtx::value(Surface::Form);
//! assert!(d.detect(b"' && this.password.match(/.*/)//", &value).is_some());
//! assert!(d.detect(b"use $ne for not-equal, it costs $5", &value).is_none());
//! ```

use crate::engine::detect::detector::Detector;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::{Hit, ValueCtx};
use crate::engine::error::ConfigError;
use crate::engine::mode::Action;

/// Configuration section `nosql_injection`.
///
/// ```json
/// {"nosql_injection": {"action": "block", "operators": ["$ne", "$gt", "$where"]}}
/// ```
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct NosqliConfig {
    /// What a finding does: `block` (default), `log` (log and count, let
    /// the request through) or `off` (the detector does not run).
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Query operators that count in keys, operator objects and break-outs
    /// (case-sensitive, as MongoDB reads them). Default: the comparison,
    /// logical, element, evaluation, array and JavaScript operators and
    /// the aggregation stages that read other collections (`$ne`, `$gt`,
    /// `$regex`, `$where`, `$expr`, `$function`, `$accumulator`, `$lookup`,
    /// …). Update operators (`$set`, `$inc`) are not in the list:
    /// analytics SDKs send them as ordinary properties.
    pub operators: Vec<String>,
}

/// The default [`NosqliConfig::operators`].
pub const DEFAULT_OPERATORS: &[&str] = &[
    "$all",
    "$and",
    "$accumulator",
    "$elemMatch",
    "$eq",
    "$exists",
    "$expr",
    "$function",
    "$graphLookup",
    "$gt",
    "$gte",
    "$in",
    "$jsonSchema",
    "$lookup",
    "$lt",
    "$lte",
    "$mod",
    "$ne",
    "$nin",
    "$nor",
    "$not",
    "$options",
    "$or",
    "$regex",
    "$size",
    "$text",
    "$unionWith",
    "$where",
];

/// Members that only an injection adds after breaking out of a value,
/// recognised in break-outs besides `operators` (`$comment` is also a JSON
/// Schema key, so it does not count as a key on its own).
const BREAKOUT_ONLY: &[&str] = &["$comment"];

impl Default for NosqliConfig {
    fn default() -> Self {
        NosqliConfig {
            action: Action::Block,
            sensitivity: None,
            operators: DEFAULT_OPERATORS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Nosqli {
    action: Action,
    /// Operator names with their `$`, sorted.
    operators: Vec<Vec<u8>>,
}

/// Longest operator name accepted in the configuration.
const MAX_OPERATOR: usize = 32;

/// Bytes of an operator name after the `$`.
fn is_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn at(v: &[u8], i: usize) -> u8 {
    v.get(i).copied().unwrap_or(0)
}

fn skip_ws(v: &[u8], mut i: usize) -> usize {
    while at(v, i).is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The `$name` token at `i` (`i` at the `$`), or `None`.
fn dollar_name(v: &[u8], i: usize) -> Option<&[u8]> {
    if at(v, i) != b'$' || !at(v, i + 1).is_ascii_alphabetic() {
        return None;
    }
    let len = v
        .get(i + 1..)?
        .iter()
        .take(MAX_OPERATOR + 1)
        .take_while(|&&b| is_name(b))
        .count();
    (len <= MAX_OPERATOR)
        .then(|| v.get(i..i + 1 + len))
        .flatten()
}

/// Byte classes for the prefilter.
const C_DOLLAR: u8 = 1;
const C_JS: u8 = 2;

#[allow(clippy::indexing_slicing)] // const evaluation: a bad index is a build error
const fn class_table() -> [u8; 256] {
    let mut t = [0u8; 256];
    t[b'$' as usize] = C_DOLLAR;
    t[b';' as usize] = C_JS;
    t[b'&' as usize] = C_JS;
    t[b'|' as usize] = C_JS;
    t
}

static CLASS: [u8; 256] = class_table();

fn classes(v: &[u8]) -> u8 {
    v.iter().fold(0, |m, &b| {
        m | CLASS.get(usize::from(b)).copied().unwrap_or(0)
    })
}

impl Nosqli {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &NosqliConfig, field: &str) -> Result<Option<Nosqli>, ConfigError> {
        let mut operators = Vec::with_capacity(cfg.operators.len());
        for (i, op) in cfg.operators.iter().enumerate() {
            let b = op.as_bytes();
            if dollar_name(b, 0).map(<[u8]>::len) != Some(b.len()) {
                return Err(ConfigError::new(
                    format!("{field}.operators[{i}]"),
                    format!(
                        "{op:?} is not an operator name ('$', a letter, then letters, digits or '_', at most {MAX_OPERATOR})"
                    ),
                ));
            }
            operators.push(b.to_vec());
        }
        operators.sort();
        operators.dedup();
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Nosqli {
            action: cfg.action,
            operators,
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    fn is_operator(&self, name: &[u8]) -> bool {
        self.operators
            .binary_search_by(|o| o.as_slice().cmp(name))
            .is_ok()
    }

    fn is_breakout_member(&self, name: &[u8]) -> bool {
        self.is_operator(name) || BREAKOUT_ONLY.iter().any(|m| m.as_bytes() == name)
    }

    /// Inspects one value (a name when `ctx.is_key`).
    pub fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        let m = classes(value);
        if ctx.is_key {
            return if m & C_DOLLAR != 0 {
                self.operator_key(value)
            } else {
                None
            };
        }
        if m & C_DOLLAR != 0 {
            if let Some(h) = self.operator_object(value).or_else(|| self.breakout(value)) {
                return Some(h);
            }
        }
        if m & C_JS != 0 || matches!(value.first(), Some(b'd')) {
            return js_injection(value);
        }
        None
    }

    /// A name with an operator segment: `$gt`, `user[$ne]`, `a.$where`.
    fn operator_key(&self, key: &[u8]) -> Option<Hit> {
        let mut i = 0;
        while let Some(off) = key.get(i..).and_then(|r| r.iter().position(|&b| b == b'$')) {
            let p = i + off;
            let starts_segment = p == 0 || matches!(at(key, p - 1), b'[' | b'.' | b'"' | b'\'');
            if let Some(name) = dollar_name(key, p) {
                let end = p + name.len();
                let ends_segment =
                    end == key.len() || matches!(at(key, end), b']' | b'.' | b'[' | b'"' | b'\'');
                if starts_segment && ends_segment && self.is_operator(name) {
                    return Some(Hit::new(
                        "nosqli.operator_key",
                        "query operator as a key or parameter-name segment",
                        p,
                        end,
                    ));
                }
            }
            i = p + 1;
        }
        None
    }

    /// A value that is an object literal with an operator member.
    fn operator_object(&self, v: &[u8]) -> Option<Hit> {
        let s = skip_ws(v, 0);
        if at(v, s) != b'{' {
            return None;
        }
        let mut i = s;
        while let Some(off) = v.get(i..).and_then(|r| r.iter().position(|&b| b == b'$')) {
            let p = i + off;
            i = p + 1;
            let Some(name) = dollar_name(v, p) else {
                continue;
            };
            // Member position: after `{` or `,` (and an optional quote).
            let mut b = p;
            if matches!(at(v, b.wrapping_sub(1)), b'"' | b'\'') {
                b -= 1;
            }
            while b > 0 && at(v, b - 1).is_ascii_whitespace() {
                b -= 1;
            }
            if b == 0 || !matches!(at(v, b - 1), b'{' | b',') {
                continue;
            }
            if let Some(end) = member_colon(v, p + name.len()) {
                if self.is_operator(name) {
                    return Some(Hit::new(
                        "nosqli.operator_object",
                        "object literal with a query operator member",
                        p,
                        end,
                    ));
                }
            }
        }
        None
    }

    /// A value that starts by closing the application's value and adds an
    /// operator member, or starts with a bracketed operator.
    fn breakout(&self, v: &[u8]) -> Option<Hit> {
        let s = skip_ws(v, 0);
        // `[$ne]=1`, `[$regex]=^a`: a parameter-name suffix.
        if at(v, s) == b'[' {
            if let Some(name) = dollar_name(v, s + 1) {
                let e = s + 1 + name.len();
                if at(v, e) == b']'
                    && matches!(at(v, e + 1), b'=' | b'[' | 0)
                    && self.is_operator(name)
                {
                    return Some(Hit::new(
                        "nosqli.operator_breakout",
                        "bracketed query operator (a parameter-name suffix)",
                        s,
                        e + 1,
                    ));
                }
            }
        }
        // `$where: '1 == 1'` at the start, or `<token><closers>, $op:`.
        let p = if at(v, s) == b'$' {
            s
        } else {
            let c = closers(v, s)?;
            if at(v, c) != b',' {
                return None;
            }
            skip_ws(v, c + 1)
        };
        let name = dollar_name(v, p)?;
        let end = member_colon(v, p + name.len())?;
        // What follows is a member value (`'1 == 1'`, `[`, `null`), not
        // a sentence (`$gt: greater than`).
        if !value_start(v, skip_ws(v, end)) {
            return None;
        }
        self.is_breakout_member(name).then(|| {
            Hit::new(
                "nosqli.operator_breakout",
                "value closes the quoted value and adds a query operator member",
                s,
                end,
            )
        })
    }
}

/// After a member name at `i`: an optional closing quote, whitespace and
/// `:`. Returns the position after the colon.
fn member_colon(v: &[u8], mut i: usize) -> Option<usize> {
    if matches!(at(v, i), b'"' | b'\'') {
        i += 1;
    }
    let i = skip_ws(v, i);
    (at(v, i) == b':').then_some(i + 1)
}

/// A JSON / JavaScript value starts at `i`: a quote, a number, an object,
/// an array, a regular expression, or `true`, `false`, `null`.
fn value_start(v: &[u8], i: usize) -> bool {
    let c = at(v, i);
    if matches!(c, b'\'' | b'"' | b'{' | b'[' | b'/' | b'-') || c.is_ascii_digit() {
        return true;
    }
    [&b"true"[..], b"false", b"null"]
        .iter()
        .any(|w| v.get(i..i + w.len()) == Some(*w) && !is_name(at(v, i + w.len())))
}

/// Longest token read before a break-out.
const MAX_TOKEN: usize = 64;

/// The break-out prefix from `s`: at most one token (`admin`, `1`, `true`,
/// no spaces inside: prose has several words), then closing quotes,
/// brackets and whitespace. Returns where it ends, or `None` when the
/// prefix is not of that shape.
fn closers(v: &[u8], s: usize) -> Option<usize> {
    let mut i = s;
    while i - s < MAX_TOKEN && (is_name(at(v, i)) || matches!(at(v, i), b'.' | b'-' | b'@')) {
        i += 1;
    }
    if i - s >= MAX_TOKEN {
        return None;
    }
    let c = i;
    while i - c < MAX_TOKEN && matches!(at(v, i), b'\'' | b'"' | b'}' | b']' | b')' | b' ' | b'\t')
    {
        i += 1;
    }
    (i - c < MAX_TOKEN).then_some(i)
}

/// Script that a `$where` predicate runs, right after the break-out.
fn js_injection(v: &[u8]) -> Option<Hit> {
    if let Some(h) = shell_write(v, 0) {
        return Some(h);
    }
    let s = skip_ws(v, 0);
    let c = closers(v, s)?;
    // The prefix must end the application's string or number: a closing
    // quote, a bare token (a number or `true` in numeric context), or
    // nothing at all (`|| 1==1`).
    let prefix = v.get(s..c).unwrap_or_default();
    let quoted = prefix.iter().any(|&b| b == b'\'' || b == b'"');
    let token_only = prefix
        .iter()
        .all(|&b| is_name(b) || matches!(b, b'.' | b'-' | b' ' | b'\t'));
    if !(quoted || token_only) {
        return None;
    }
    let (op_end, logical) = match (at(v, c), at(v, c + 1)) {
        (b';', _) => (c + 1, false),
        (b'&', b'&') | (b'|', b'|') => (c + 2, true),
        _ => return None,
    };
    // A bare word and `;` is a sentence: require a quote or a number.
    if !quoted && !prefix.is_empty() && !prefix.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let t = skip_ws(v, op_end);
    let why = script_at(v, t, logical)?;
    Some(Hit::new("nosqli.js_injection", why, s, t))
}

/// Mongo shell calls that write or run code: only at the start of a value
/// or after a break-out.
const SHELL_WRITES: &[&[u8]] = &[
    b"aggregate",
    b"createUser",
    b"deleteMany",
    b"deleteOne",
    b"drop",
    b"dropDatabase",
    b"eval",
    b"findAndModify",
    b"insert",
    b"insertMany",
    b"insertOne",
    b"mapReduce",
    b"remove",
    b"renameCollection",
    b"replaceOne",
    b"update",
    b"updateMany",
    b"updateOne",
];

fn ident_len(v: &[u8], i: usize) -> usize {
    v.get(i..)
        .unwrap_or_default()
        .iter()
        .take(MAX_TOKEN)
        .take_while(|&&b| is_name(b) || b == b'$')
        .count()
}

/// `db.<collection>.<write>(` at `i`.
fn shell_write(v: &[u8], i: usize) -> Option<Hit> {
    let s = skip_ws(v, i);
    if v.get(s..s + 3) != Some(b"db.") {
        return None;
    }
    let c = s + 3;
    let cl = ident_len(v, c);
    if cl == 0 || at(v, c + cl) != b'.' {
        // `db.dropDatabase()`: a method of the database itself.
        let m = v.get(c..c + cl).unwrap_or_default();
        return (SHELL_WRITES.contains(&m) && at(v, c + cl) == b'(').then(|| {
            Hit::new(
                "nosqli.js_injection",
                "mongo shell call that writes or runs code",
                s,
                c + cl + 1,
            )
        });
    }
    let m0 = c + cl + 1;
    let ml = ident_len(v, m0);
    let m = v.get(m0..m0 + ml).unwrap_or_default();
    (SHELL_WRITES.contains(&m) && at(v, m0 + ml) == b'(').then(|| {
        Hit::new(
            "nosqli.js_injection",
            "mongo shell call that writes or runs code",
            s,
            m0 + ml + 1,
        )
    })
}

/// Server-side script at `t`, right after `;`, `&&` or `||`: the reason,
/// or `None`.
fn script_at(v: &[u8], t: usize, logical: bool) -> Option<&'static str> {
    let rest = v.get(t..).unwrap_or_default();
    let word = |w: &[u8]| rest.starts_with(w) && !is_name(at(rest, w.len()));
    if rest.starts_with(b"this.") && at(rest, 5).is_ascii_alphabetic() {
        return Some("script reading a document field (this.…) after a break-out");
    }
    // `return true`, `return(1)`, `return 'a'=='a'`; not "return to
    // sender".
    if word(b"return") {
        let k = skip_ws(rest, 6);
        let c = at(rest, k);
        let expr = matches!(c, b'(' | b'\'' | b'"' | b'!')
            || c.is_ascii_digit()
            || [&b"true"[..], b"false", b"this"]
                .iter()
                .any(|w| rest.get(k..k + w.len()) == Some(*w) && !is_name(at(rest, k + w.len())));
        if expr {
            return Some("script returning from the predicate after a break-out");
        }
    }
    for call in [&b"sleep"[..], b"while", b"tojson", b"emit", b"printjson"] {
        if word(call) {
            let k = skip_ws(rest, call.len());
            if at(rest, k) == b'(' {
                return Some("script call (sleep, busy loop) after a break-out");
            }
        }
    }
    if word(b"do") && at(rest, skip_ws(rest, 2)) == b'{' {
        return Some("script loop after a break-out");
    }
    if rest.starts_with(b"db.") {
        return shell_write(rest, 0).map(|_| "mongo shell call after a break-out");
    }
    // `x=new Date()`, `var d=new Date()`: a statement that reads the clock
    // (timing attacks), within the first statement.
    if !logical {
        let stmt_end = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
        let stmt = rest.get(..stmt_end.min(MAX_TOKEN)).unwrap_or_default();
        if stmt.windows(8).any(|w| w == b"new Date") {
            return Some("script reading the clock after a break-out");
        }
    }
    if logical && js_equality(rest) {
        return Some("JavaScript tautology after a break-out");
    }
    None
}

/// `1==1`, `'a'=='a'`, `true`, `1`: a JavaScript condition that holds,
/// written with `==` / `===` (SQL writes `=`).
fn js_equality(rest: &[u8]) -> bool {
    let operand = |i: usize| -> Option<(&[u8], usize)> {
        let i = skip_ws(rest, i);
        let q = at(rest, i);
        if q == b'\'' || q == b'"' {
            // The application's own closing quote may end the last one.
            let body = rest.get(i + 1..)?;
            let len = match body.iter().take(MAX_TOKEN).position(|&b| b == q) {
                Some(len) => len,
                None if body.len() < MAX_TOKEN => body.len(),
                None => return None,
            };
            return Some((body.get(..len)?, i + len + 2));
        }
        let len = ident_len(rest, i);
        (len > 0).then(|| rest.get(i..i + len).map(|t| (t, i + len)))?
    };
    let Some((a, e)) = operand(0) else {
        return false;
    };
    let e = skip_ws(rest, e);
    if rest.get(e..e + 2) != Some(b"==") {
        return a == b"true";
    }
    let e2 = if at(rest, e + 2) == b'=' {
        e + 3
    } else {
        e + 2
    };
    operand(e2).is_some_and(|(b, _)| a == b)
}

impl Detector for Nosqli {
    type Config = NosqliConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "NoSQL (MongoDB) operator and server-side JavaScript injection detector."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new("operators", "Query operators (case-sensitive) that count as JSON keys, parameter-name segments (`user[$ne]`), object-literal members and break-out members. Update operators (`$set`, `$inc`) are left out: analytics SDKs send them. Remove the ones an API accepts from clients on purpose (Strapi `$eq`, Feathers `$in`)."),
        FieldNote::new("operators[]", "An operator name with its `$`, e.g. `$ne`."),
    ];

    fn compile(cfg: &NosqliConfig, at: &FieldPath) -> Result<Option<Nosqli>, ConfigErrors> {
        Ok(Nosqli::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Nosqli::action(self)
    }

    /// Operators need `$`; the JavaScript readings a `;`, `&&` or `||`,
    /// or a mongo shell call on `db.`.
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::bytes::Signature as S;
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::any(b"$;&|").or_all(S::DOT | S::letters(b"db"));
        NEEDS
    }

    fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        Nosqli::detect(self, value, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::surface::Surface;

    fn det() -> Nosqli {
        Nosqli::compile(&NosqliConfig::default(), "nosql_injection")
            .unwrap()
            .unwrap()
    }

    #[test]
    fn default_operators_are_valid_and_sorted_once_compiled() {
        let d = det();
        assert_eq!(d.operators.len(), DEFAULT_OPERATORS.len());
        for w in d.operators.windows(2) {
            assert!(w[0] < w[1]);
        }
    }

    #[test]
    fn operators_knob() {
        let cfg = NosqliConfig {
            operators: vec!["$where".into()],
            ..NosqliConfig::default()
        };
        let d = Nosqli::compile(&cfg, "nosql_injection").unwrap().unwrap();
        let key = ValueCtx::key(Surface::Query);
        assert!(d.detect(b"filters[title][$eq]", &key).is_none());
        assert!(det().detect(b"filters[title][$eq]", &key).is_some());
        assert!(d.detect(b"q[$where]", &key).is_some());
        for bad in ["ne", "$", "$1x", "$a b"] {
            let cfg = NosqliConfig {
                operators: vec![bad.into()],
                ..NosqliConfig::default()
            };
            let e = Nosqli::compile(&cfg, "nosql_injection").unwrap_err();
            assert_eq!(e.field(), "nosql_injection.operators[0]", "{bad}");
        }
    }

    #[test]
    fn off_compiles_to_none() {
        let cfg = NosqliConfig {
            action: Action::Off,
            ..NosqliConfig::default()
        };
        assert!(Nosqli::compile(&cfg, "nosql_injection").unwrap().is_none());
    }

    #[test]
    fn adversarial_inputs_are_linear() {
        let d = det();
        for (unit, key) in [
            (&b"$"[..], false),
            (b"{$ne", false),
            (b"{ $ne ", false),
            (b",$ne", false),
            (b"$ne", true),
            (b"[$ne", true),
            (b"'", false),
            (b"';", false),
            (b"db.", false),
            (b"1==", false),
        ] {
            let ctx = ValueCtx::at(Surface::Query, b"", key);
            let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 18).collect();
            let t = std::time::Instant::now();
            let _ = d.detect(&v, &ctx);
            assert!(
                t.elapsed().as_secs_f64() < 1.0,
                "{:?} took {:?}",
                String::from_utf8_lossy(unit),
                t.elapsed()
            );
        }
    }
}
