//! PHP injection detector: object injection, code in parameters, stream
//! wrappers.
//!
//! Rules (`Hit::rule`):
//!
//! * `php.object_injection`: a serialized object `unserialize` would
//!   instantiate, `O:8:"stdClass":1:{…}` / `C:…`, also nested in arrays
//!   (`a:2:{i:0;O:…}`) or base64-encoded as a whole value; the class name
//!   must match its length prefix (see `serial`). `Ratio O:2`, `C:\Users`
//!   and serialized arrays of scalars pass.
//! * `php.code`: PHP code, read as code and not as words: an open tag
//!   followed by a statement (`<?php system('id');`, `<?=$_GET[1]?>`, the
//!   `<?xml :echo 1;` polyglot); a listed function *called* with a code
//!   argument (`eval($_POST['c'])`, `system('id')`, `assert(base64_decode(…))`),
//!   as a statement of its own (`base64_decode()`, `phpinfo();`) or with
//!   the layout payloads use to dodge patterns (`exec/**/('id')`,
//!   `exec\n('id')`); a variable function (`$a(1)`, `@$_GET[0]($_GET[1])`,
//!   `${'a'}(…)`, `$foo->$f()`); a callee that folds to a command function
//!   (`(system)('id')`, `(sy.(st).em)('id')`, `[system][0](ls)`,
//!   `"\x73ystem"(ls)` once decoded); a callback naming one
//!   (`array_map('system', …)`); a name assembled by concatenation
//!   (`'sys'.'tem'`); `preg_replace` with `/e`; superglobals read as a
//!   statement (`$_SERVER['x'];`, `{$_GET['c']}`); variable variables
//!   (`${'a'}`); backtick execution (`` $x = `id`; ``); `include` /
//!   `require` of a URL, absolute path or PHP file. Prose passes: "I tried
//!   eval in my notes", "use base64_decode() to decode it", "<?php tags",
//!   "ceiling height (9ft)", `require('./routes')`, `{{ $t('key') }}`.
//! * `php.wrapper`: a stream wrapper from `wrappers` (`php://filter`,
//!   `phar://`, `expect://`, `zip://`, `data://`, `glob://`, …), a
//!   `data:text/plain` URL carrying PHP, a filter-chain element
//!   (`convert.iconv.…`). URLs that merely contain `php`
//!   (`https://example.com/index.php?id=1`) pass.
//!
//! Cost: one table pass records the trigger bytes (`( $ < : { . \`` and
//! quotes); each
//! reading runs only when its bytes are present. Call readings start at a
//! `(` and walk back a bounded distance; bracket partners come from one
//! pass over the value, computed only when a call needs them.
//!
//! ```
//! use envoy_rasp::engine::detect::php::{Php, PhpConfig};
//! use envoy_rasp::engine::detect::ValueCtx;
//! use envoy_rasp::engine::surface::Surface;
//!
//! let d = Php::compile(&PhpConfig::default(), "php_injection").unwrap().unwrap();
//! let ctx = ValueCtx::value(Surface::Query);
//! assert_eq!(d.detect(b"O:8:\"stdClass\":0:{}", &ctx).unwrap().rule, "php.object_injection");
//! assert_eq!(d.detect(b"<?php system($_GET['c']); ?>", &ctx).unwrap().rule, "php.code");
//! assert_eq!(d.detect(b"php://filter/convert.base64-encode/resource=index.php", &ctx).unwrap().rule, "php.wrapper");
//! assert!(d.detect(b"I tried eval in my notes", &ctx).is_none());
//! assert!(d.detect(b"https://example.com/index.php?id=1", &ctx).is_none());
//! ```
//!
//! ## Layout
//!
//! `mod.rs`: the section, the compiled form and the order of the readings;
//! `serial`: the object grammar; `tags`: open tags, superglobals, variable
//! variables, backticks, include statements; `calls`: everything that
//! starts at a `(`; `wrapper`: stream wrappers; `names`: the function
//! tables; `lex`: gaps, strings, brackets.

mod calls;
mod lex;
mod names;
mod serial;
mod tags;
impl Detector for Php {
    type Config = PhpConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "PHP injection detector: object injection, code in parameters, stream wrappers."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new("wrappers", "Stream wrapper schemes flagged as `scheme://…` (case-insensitive): php, phar, zip, expect, glob, data, compress.zlib, ssh2.exec, …. Remove `zip` or `data` if the application takes such URLs."),
        FieldNote::new("wrappers[]", "A scheme name without `://`."),
        FieldNote::new("functions", "More functions that run code, treated like `system`: flagged when called with a code argument, named in a callback or assembled by concatenation."),
        FieldNote::new("functions[]", "A function name."),
    ];

    fn compile(cfg: &PhpConfig, at: &FieldPath) -> Result<Option<Php>, ConfigErrors> {
        Ok(Php::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Php::action(self)
    }

    /// The class table of `detect`, or base64 of a serialized object
    /// (`Tzo`, `Qzo`, `YTo`: an uppercase letter and an `o`). A `.`
    /// alone only reaches the filter-chain elements (`convert.iconv.`).
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::bytes::Signature as S;
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::any(b"($<:{`'\"")
            .or_all(S::UPPER | S::letter(b'o'))
            .or_all(S::DOT | S::letters(b"convert"));
        NEEDS
    }

    fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        Php::detect(self, value, ctx)
    }
}

#[cfg(test)]
mod tests;
mod wrapper;

use crate::engine::detect::detector::Detector;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::{Hit, ValueCtx};
use crate::engine::error::ConfigError;
use crate::engine::mode::Action;

/// Configuration section `php_injection`.
///
/// ```json
/// {"php_injection": {"action": "block", "wrappers": ["php", "phar", "expect"], "functions": []}}
/// ```
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PhpConfig {
    /// What a finding does: `block` (default), `log` (log and count, let
    /// the request through) or `off` (the detector does not run).
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Stream wrapper schemes flagged as `scheme://…` (case-insensitive).
    /// Default: `php`, `phar`, `zip`, `expect`, `glob`, `data`,
    /// `compress.zlib`, `compress.bzip2`, `zlib`, `bzip2`, `rar`, `ogg`,
    /// `ssh2.shell`, `ssh2.exec`, `ssh2.tunnel`, `ssh2.sftp`, `ssh2.scp`.
    /// Remove `zip` or `data` if the application takes such URLs.
    pub wrappers: Vec<String>,
    /// More functions that run code, treated like `system`: flagged when
    /// called with a code argument, named in a callback or assembled by
    /// concatenation. Default empty.
    pub functions: Vec<String>,
}

impl Default for PhpConfig {
    fn default() -> Self {
        PhpConfig {
            action: Action::Block,
            sensitivity: None,
            wrappers: wrapper::WRAPPERS.iter().map(|s| s.to_string()).collect(),
            functions: Vec::new(),
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Php {
    action: Action,
    wrappers: Vec<Vec<u8>>,
    functions: Vec<Vec<u8>>,
}

const C_PAREN: u8 = 1;
const C_DOLLAR: u8 = 2;
const C_LT: u8 = 4;
const C_COLON: u8 = 8;
const C_BRACE: u8 = 16;
const C_BACKTICK: u8 = 32;
const C_QUOTE: u8 = 64;
const C_DOT: u8 = 128;

/// The prefilter class of each byte.
static CLASS: [u8; 256] = class_table();

// Indexing is evaluated by the compiler here: an out-of-range index would
// be a build error, never a runtime panic.
#[allow(clippy::indexing_slicing)]
const fn class_table() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        t[b] = match b as u8 {
            b'(' => C_PAREN,
            b'$' => C_DOLLAR,
            b'<' => C_LT,
            b':' => C_COLON,
            b'{' => C_BRACE,
            b'`' => C_BACKTICK,
            b'\'' | b'"' => C_QUOTE,
            b'.' => C_DOT,
            _ => 0,
        };
        b += 1;
    }
    t
}

fn classes(v: &[u8]) -> u8 {
    v.iter().fold(0u8, |m, &b| {
        m | CLASS.get(usize::from(b)).copied().unwrap_or(0)
    })
}

/// Longest configured name.
const MAX_NAME: usize = 64;

/// A name of letters, digits, `_` and (for schemes) `.`, `+`, `-`.
fn valid_name(s: &str, scheme: bool) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric() || b == b'_' || (scheme && matches!(b, b'.' | b'+' | b'-'))
        })
}

impl Php {
    /// Compiles the section; `None` when the action is `off`. A wrapper or
    /// function that is not a plain name is an error at
    /// `<field>.wrappers[i]` / `<field>.functions[i]`.
    pub fn compile(cfg: &PhpConfig, field: &str) -> Result<Option<Php>, ConfigError> {
        for (list, key, scheme) in [
            (&cfg.wrappers, "wrappers", true),
            (&cfg.functions, "functions", false),
        ] {
            if let Some((i, s)) = list
                .iter()
                .enumerate()
                .find(|(_, s)| !valid_name(s, scheme))
            {
                return Err(ConfigError::new(
                    format!("{field}.{key}[{i}]"),
                    format!(
                        "`{s}` is not a valid {} name",
                        if scheme { "scheme" } else { "function" }
                    ),
                ));
            }
        }
        if cfg.action == Action::Off {
            return Ok(None);
        }
        let lower = |l: &[String]| {
            l.iter()
                .map(|s| s.to_ascii_lowercase().into_bytes())
                .collect()
        };
        Ok(Some(Php {
            action: cfg.action,
            wrappers: lower(&cfg.wrappers),
            functions: lower(&cfg.functions),
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one value (a parameter value or name).
    pub fn detect(&self, value: &[u8], _ctx: &ValueCtx) -> Option<Hit> {
        if value.len() < 4 {
            return None;
        }
        let m = classes(value);
        if m & (C_COLON | C_BRACE) == C_COLON | C_BRACE {
            if let Some(h) = serial::object(value) {
                return Some(h);
            }
        }
        // base64 of an object has neither `:` nor `{`.
        if let Some(h) = serial::encoded(value) {
            return Some(h);
        }
        if m == 0 {
            return None;
        }
        if m & C_LT != 0 {
            if let Some(h) = tags::open_tags(value) {
                return Some(h);
            }
        }
        if m & C_PAREN != 0 {
            if let Some(h) = calls::Calls::new(value, &self.functions).scan() {
                return Some(h);
            }
        } else if m & C_QUOTE != 0 {
            if let Some(h) = calls::Calls::new(value, &self.functions).concat_names() {
                return Some(h);
            }
        }
        if m & C_DOLLAR != 0 {
            if let Some(h) = tags::dollars(value) {
                return Some(h);
            }
        }
        if m & C_BACKTICK != 0 {
            if let Some(h) = tags::backticks(value) {
                return Some(h);
            }
        }
        if m & C_QUOTE != 0 || m & C_DOLLAR != 0 {
            if let Some(h) = tags::includes(value) {
                return Some(h);
            }
        }
        if m & (C_COLON | C_DOT) != 0 {
            return wrapper::wrapper(value, &self.wrappers);
        }
        None
    }
}
