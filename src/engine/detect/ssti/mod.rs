//! Server-side template injection detector.
//!
//! A value is an injection when the application renders it *as a
//! template*: then every template syntax in it runs, with the template
//! engine's access to the host language. The detector finds the regions of
//! template syntax in a value ([`regions`]: `{{ }}`, `{% %}`, `<% %>`,
//! `${ }`, `#{ }`, `<#…>`, `[#…]`, `#set( )`, `@( )`, `[[ ]]`) and reads
//! each body with a small lexer ([`evidence`]) for what only an attack
//! needs:
//!
//! * `ssti.jinja_object_walk` — the Python object graph walk that leads
//!   from any object to `os`: dunder attributes (`__class__`, `__mro__`,
//!   `__subclasses__`, `__globals__`, `__builtins__`), name-mangled
//!   privates (`self._TemplateReference__context`), the `|attr` filter
//!   (the filter-bypass form), `.mro()`, `.subclasses()`, `.class.base`.
//! * `ssti.framework_internals` — `config.items()`, `request.application`,
//!   Twig `_self.env`, `app.request.server`, `dump(app)`.
//! * `ssti.callback_filter` — Twig `filter('system')`, `map('passthru')`,
//!   `registerUndefinedFilterCallback`.
//! * `ssti.code_execution` — calls that run commands or code (`system(`,
//!   `popen(`, `exec(`, `eval(`, `os.system`, `subprocess`, `require(`,
//!   `child_process`, `process.mainModule`, `File.open`, `IO.popen`,
//!   `Kernel.`, `System.Diagnostics`), Python imports in statements
//!   (`{% import os %}`, Mako `<% import os %>`).
//! * `ssti.java_reflection` — `getClass()`, `forName`, `Runtime`,
//!   `ProcessBuilder`, `java.lang.…` in `{{ }}`, FreeMarker and Velocity.
//!   Not in `${…}` / `#{…}`: those are also Java EL, the business of the
//!   Java expression detector (a call that runs a command is still
//!   flagged there).
//! * `ssti.freemarker_new` — `?new()`, `?api`, `freemarker.template.…`.
//! * `ssti.constructor_access` — `constructor.constructor(…)`,
//!   `"constructor"` lookups (Handlebars, Angular, Nunjucks, Pug sandbox
//!   escapes).
//! * `ssti.erb_shell` — Ruby backticks and `%x()` in ERB tags.
//! * `ssti.thymeleaf_preprocess` — `__${…}__`, Thymeleaf preprocessing
//!   (expression evaluation before the template is parsed).
//! * `ssti.velocity_class_tool` — `$class.inspect(…)`, `$class.type`.
//! * `ssti.smarty_php` — `{php}`, `{system('id')}`, `{if exec(…)}`,
//!   `{Smarty_Internal_Write_File::…}`, `{self::getStreamVariable(…)}`.
//!
//! **Probes** (`ssti.probe`, only with `probes: true`): constant arithmetic
//! in a template expression (`{{7*7}}`, `${7*7}`, `<%= 7*7 %>`, `#{7*7}`,
//! `@(1+2)`, `{{7*'7'}}`), a constant condition (`{% if True %}`) and a
//! bare engine object (`{{self}}`, `{{config}}`, `{$smarty.version}`).
//! They show an attacker testing whether a parameter is rendered; they do
//! nothing themselves, and `{{ 2 + 2 }}` is also what documentation,
//! tutorials and chat about templates contain. They are not flagged by
//! default: the payload that follows a successful probe is.
//!
//! Placeholders pass: `Hello {{first_name}}`, `{{ user.name | upper }}`,
//! Handlebars sections (`{{#each items}}…{{/each}}`), Liquid and Jinja
//! control flow, Helm and GitHub Actions expressions (`{{ .Values.x }}`,
//! `${{ secrets.TOKEN }}`), ERB output (`<%= link_to 'Home', root_path %>`),
//! shell and JavaScript interpolation (`${HOME}`, `${user.id}`).
//!
//! Only closed regions are judged: an opener without its closer is a
//! syntax error in every engine (nothing of it runs), and Markdown, format
//! strings and prose are full of stray `[[`, `<%s` and `{{`.
//!
//! Cost: a value without `{`, `<`, `$`, `#`, `[` or `@` costs one pass over
//! its bytes; closed regions (but `[[…]]`, whose body is read as text
//! again) never overlap, and the lexer reads each body once.
//!
//! ```
//! use envoy_rasp::engine::detect::ssti::{Ssti, SstiConfig};
//! use envoy_rasp::engine::detect::ValueCtx;
//! use envoy_rasp::engine::surface::Surface;
//!
//! let d = Ssti::compile(&SstiConfig::default(), "ssti").unwrap().unwrap();
//! let ctx = ValueCtx::value(Surface::Query);
//! let hit = d.detect(b"{{ ''.__class__.__mro__[1].__subclasses__() }}", &ctx).unwrap();
//! assert_eq!(hit.rule, "ssti.jinja_object_walk");
//! assert!(d.detect(b"<%= `id` %>", &ctx).is_some());
//! assert!(d.detect(b"Hello {{ user.first_name | title }}!", &ctx).is_none());
//! assert!(d.detect(b"{{7*7}}", &ctx).is_none()); // a probe: only with `probes`
//! ```

mod evidence;
mod regions;
impl Detector for Ssti {
    type Config = SstiConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "Server-side template injection detector."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new("probes", "Also flag template probes that do nothing by themselves: constant arithmetic (`{{7*7}}`, `${3*3}`, `<%= 7*7 %>`), constant conditions (`{% if True %}`) and bare engine objects (`{{self}}`, `{$smarty.version}`). Off by default: documentation and chat about templates write them too."),
    ];

    fn compile(cfg: &SstiConfig, at: &FieldPath) -> Result<Option<Ssti>, ConfigErrors> {
        Ok(Ssti::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Ssti::action(self)
    }

    /// Every region opens at one of `{ < $ # [ @`.
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::any(b"{<$#[@");
        NEEDS
    }

    fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        Ssti::detect(self, value, ctx)
    }
}

#[cfg(test)]
mod tests;

use crate::engine::detect::detector::Detector;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::{Hit, ValueCtx};
use crate::engine::error::ConfigError;
use crate::engine::mode::Action;
use regions::{Kind, Region, Scanner};

/// Configuration section `ssti`.
///
/// ```json
/// {"ssti": {"action": "block", "probes": false}}
/// ```
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SstiConfig {
    /// What a finding does: `block` (default), `log` (log and count, let
    /// the request through) or `off` (the detector does not run).
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Also flag template *probes*: constant arithmetic (`{{7*7}}`,
    /// `${3*3}`, `<%= 7*7 %>`), constant conditions (`{% if True %}`) and
    /// bare engine objects (`{{self}}`, `{$smarty.version}`). Default
    /// `false`: they do nothing by themselves and documentation writes
    /// them too. Turn on where no parameter legitimately carries template
    /// syntax.
    pub probes: bool,
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Ssti {
    action: Action,
    probes: bool,
}

fn at(v: &[u8], i: usize) -> u8 {
    v.get(i).copied().unwrap_or(0)
}

impl Ssti {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &SstiConfig, _field: &str) -> Result<Option<Ssti>, ConfigError> {
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Ssti {
            action: cfg.action,
            probes: cfg.probes,
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one value.
    pub fn detect(&self, value: &[u8], _ctx: &ValueCtx) -> Option<Hit> {
        let mut s = Scanner::new(value);
        while let Some(p) = s.next_candidate() {
            let single = match at(value, p) {
                b'{' => self.smarty(value, p),
                b'$' => velocity_class_tool(value, p),
                _ => None,
            };
            if single.is_some() {
                return single;
            }
            match s.region_at(p) {
                Some(r) => {
                    if let Some(h) = self.judge(value, &r) {
                        return Some(h);
                    }
                }
                None => s.skip_to(p + 1),
            }
        }
        None
    }

    /// Judges one region.
    fn judge(&self, v: &[u8], r: &Region) -> Option<Hit> {
        // An expression without its closer does not compile, and
        // Thymeleaf inlining (`[[…]]`) holds expressions the other
        // readings judge: only its probes are its own.
        if !r.closed {
            return None;
        }
        let body = v.get(r.body.0..r.body.1).unwrap_or_default();
        if r.kind == Kind::Dollar
            && r.open >= 2
            && v.get(r.open - 2..r.open) == Some(b"__")
            && v.get(r.end..r.end + 2) == Some(b"__")
        {
            return Some(Hit::new(
                "ssti.thymeleaf_preprocess",
                "Thymeleaf preprocessing expression __${…}__",
                r.open - 2,
                r.end + 2,
            ));
        }
        if r.kind != Kind::Inline {
            if let Some(f) = evidence::scan(body, r.kind) {
                return Some(Hit::new(f.rule, f.reason, r.open, r.body.0 + f.end));
            }
        }
        if self.probes && probe(body, r.kind) {
            return Some(Hit::new(
                "ssti.probe",
                "template probe (constant arithmetic, constant condition or a bare engine object)",
                r.open,
                r.end,
            ));
        }
        None
    }

    /// A single `{` (a Smarty tag): `{php}`, a PHP command function call,
    /// Smarty internals, and with `probes` `{$smarty.version}`.
    fn smarty(&self, v: &[u8], p: usize) -> Option<Hit> {
        let prev = if p > 0 { at(v, p - 1) } else { 0 };
        let prev_nonws = v
            .get(..p)
            .unwrap_or_default()
            .iter()
            .rev()
            .find(|b| !b.is_ascii_whitespace())
            .copied()
            .unwrap_or(0);
        // `{{`, `{%`, `${`, `#{`, `@{` are other syntaxes; after a name,
        // `)`, `=>` or `=` the brace opens a block of code, not a tag.
        if matches!(at(v, p + 1), b'{' | b'%')
            || matches!(prev, b'$' | b'#' | b'@' | b'{')
            || matches!(prev_nonws, b')' | b'>' | b'=')
            || prev.is_ascii_alphanumeric()
            || prev == b'_'
        {
            return None;
        }
        let rest = v.get(p + 1..).unwrap_or_default();
        let hit = |reason: &'static str, len: usize| {
            Some(Hit::new("ssti.smarty_php", reason, p, p + 1 + len))
        };
        if starts_with_fold(rest, b"php}") || starts_with_fold(rest, b"/php}") {
            return hit("Smarty {php} block", 4);
        }
        if starts_with_fold(rest, b"smarty_internal_write_file::") {
            return hit("Smarty internal file writer", 28);
        }
        if rest.starts_with(b"self::") {
            return hit("static call in a Smarty tag ({self::…})", 6);
        }
        if self.probes && rest.starts_with(b"$smarty.version}") {
            return Some(Hit::new(
                "ssti.probe",
                "template probe (Smarty version)",
                p,
                p + 17,
            ));
        }
        let mut i = 0;
        if starts_with_fold(rest, b"if ") {
            i = 3;
            while at(rest, i) == b' ' {
                i += 1;
            }
        }
        let s = i;
        while at(rest, i).is_ascii_alphanumeric() || at(rest, i) == b'_' {
            i += 1;
        }
        let name = rest.get(s..i).unwrap_or_default();
        let mut k = i;
        while at(rest, k) == b' ' {
            k += 1;
        }
        if i > s
            && at(rest, k) == b'('
            && evidence::PHP_EXEC
                .iter()
                .any(|f| f.eq_ignore_ascii_case(name))
        {
            return hit("PHP command function called in a Smarty tag", k + 1);
        }
        None
    }
}

fn starts_with_fold(hay: &[u8], needle: &[u8]) -> bool {
    hay.get(..needle.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(needle))
}

/// Velocity's ClassTool reaching classes: `$class.inspect(…)`,
/// `$class.type`, `$class.forName(…)`.
fn velocity_class_tool(v: &[u8], p: usize) -> Option<Hit> {
    let rest = v.get(p..)?;
    if !rest.starts_with(b"$class.") || (p > 0 && at(v, p - 1).is_ascii_alphanumeric()) {
        return None;
    }
    let m = rest.get(7..).unwrap_or_default();
    let len = m
        .iter()
        .take(16)
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let name = m.get(..len).unwrap_or_default();
    matches!(name, b"inspect" | b"type" | b"forName").then(|| {
        Hit::new(
            "ssti.velocity_class_tool",
            "Velocity ClassTool reaching Java classes ($class.inspect, $class.type)",
            p,
            p + 7 + len,
        )
    })
}

/// Bare engine objects that a probe prints.
const INTROSPECTION: &[&[u8]] = &[
    b"self",
    b"config",
    b"request",
    b"settings",
    b"app",
    b"_self",
    b"this",
    b"_context",
];

/// A template probe body (see the module docs).
fn probe(body: &[u8], kind: Kind) -> bool {
    let t = trim(body);
    // ERB output / Jinja whitespace control markers.
    let t = t.strip_prefix(b"=").or(t.strip_prefix(b"-")).unwrap_or(t);
    let t = t.strip_suffix(b"-").unwrap_or(t);
    let t = trim(t);
    if arithmetic(t) {
        return true;
    }
    if matches!(kind, Kind::Statement | Kind::Erb) {
        if let Some(cond) = t.strip_prefix(b"if ") {
            let cond = trim(cond);
            if matches!(cond, b"True" | b"true" | b"1") || comparison(cond) {
                return true;
            }
        }
    }
    INTROSPECTION.contains(&t)
}

fn trim(v: &[u8]) -> &[u8] {
    let s = v
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(v.len());
    let e = v
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(s, |e| e + 1);
    v.get(s..e).unwrap_or_default()
}

/// Digits and quoted digits joined by arithmetic operators: `7*7`,
/// `7*'7'`, `(1+2)*3`.
fn arithmetic(t: &[u8]) -> bool {
    let allowed = |b: &u8| {
        b.is_ascii_digit()
            || b.is_ascii_whitespace()
            || matches!(
                b,
                b'+' | b'-' | b'*' | b'/' | b'%' | b'(' | b')' | b'.' | b'\'' | b'"'
            )
    };
    if t.is_empty() || !t.iter().all(allowed) {
        return false;
    }
    // An operator between two digits: `-1` and `1.5` are numbers.
    let (Some(first), Some(last)) = (
        t.iter().position(u8::is_ascii_digit),
        t.iter().rposition(u8::is_ascii_digit),
    ) else {
        return false;
    };
    t.get(first..last)
        .unwrap_or_default()
        .iter()
        .any(|b| matches!(b, b'+' | b'-' | b'*' | b'/' | b'%'))
}

/// A comparison of constants: `1==1`, `7*7 == 49`.
fn comparison(t: &[u8]) -> bool {
    !t.is_empty()
        && t.iter().any(u8::is_ascii_digit)
        && t.iter().all(|b| {
            b.is_ascii_digit()
                || b.is_ascii_whitespace()
                || matches!(
                    b,
                    b'+' | b'-' | b'*' | b'/' | b'%' | b'=' | b'<' | b'>' | b'!'
                )
        })
}
