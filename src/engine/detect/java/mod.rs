//! Java (and .NET) injection detector: expression languages, serialized
//! objects and deserialization gadgets.
//!
//! What a value must contain, per rule (`Hit::rule`):
//!
//! * `java.ognl`: OGNL as Struts 2 and Confluence evaluate it: static
//!   access `@java.lang.Runtime@getRuntime()`, `#_memberAccess`, Struts
//!   context variables used (`#context['xwork…']`, `#request.get(…)`), an
//!   assignment from an OGNL expression (`#dm=@ognl.OgnlContext@…`),
//!   `%{(#a=…)}` / `${#a=…}`, chained groups `(#a=…).(#b=…)`, or two weaker
//!   signs (`(#cmd='id')`, `#a.getInputStream()`, `#p['x']`). Hashtags,
//!   URL fragments (`#page=2`, `#access_token=…`) and `%{name}` templates
//!   have none of these.
//! * `java.spel`: a SpEL type reference `T(java.lang.Runtime)`; `T(n)`
//!   in complexity notation is not one.
//! * `java.el`: an expression `${…}`, `#{…}`, `*{…}`, `%{…}` or
//!   Confluence's `'+{…}+'` (after `\u0027` is decoded) whose body calls a
//!   reflection, class-loading or script-engine method
//!   (`"".getClass().forName(…)`), reads a JSP/JSF implicit object
//!   (`${pageContext…}`, `${applicationScope}`) or a class literal
//!   (`''.class`). Shell and template placeholders (`${HOME}`,
//!   `${user.name}`, `#{name}`, `${a.join(', ')}`) pass.
//! * `java.exec`: Java code starting a process or a script engine, with or
//!   without a template around it: `new java.lang.ProcessBuilder(…)`,
//!   `getRuntime().exec(…)`, `getEngineByName(…).eval(…)`,
//!   `forName("java.lang.Runtime")`, `getMethod("exec", …)`. A stack frame
//!   `at java.lang.Runtime.exec(Runtime.java:620)` calls nothing.
//! * `java.class_loader`: a property path to the class loader,
//!   `class.module.classLoader…` (Spring4Shell, usually a parameter name),
//!   `class.classLoader…`, `class['classLoader']`.
//! * `java.serialized_object`: a Java serialization stream, raw
//!   (`%ac%ed%00%05` once the query is decoded; the normaliser also drops
//!   the NUL), hex (`aced0005…`) or base64 (`rO0ABX…`) at the start of a
//!   token, with a valid type code after the header.
//! * `java.gadget`: a deserialization gadget class (commons-collections
//!   functors, `com.sun.rowset.JdbcRowSetImpl`, ysoserial, `$$BCEL$$`)
//!   anywhere, or a class that runs commands or loads code
//!   (`java.lang.ProcessBuilder`, `javax.script.ScriptEngineManager`,
//!   `java.beans.XMLDecoder`, …) where a deserializer reads a type: the
//!   whole value (`class_names`), `class="…"` (XMLDecoder), an XStream
//!   element, a SnakeYAML `!!` tag, a JSON type key (`"@type":`); or
//!   both halves of a chain by their short names in one value, a
//!   commons-collections functor or `XMLDecoder` with a process class
//!   (`ProcessBuilder.evil.InvokerTransformer`); either alone passes.
//! * `dotnet.type_gadget` / `dotnet.serialized_object` (`dotnet`): a
//!   ysoserial.net gadget type in a type position (`"$type":
//!   "System.Windows.Data.ObjectDataProvider, PresentationFramework"`), XAML
//!   `ObjectDataProvider` with a `MethodName`, a BinaryFormatter stream
//!   (base64 `AAEAAAD/////`).
//!
//! Java package names in prose and logs (`java.lang.String`, "the
//! java.lang.Runtime docs"), stack traces, `#hashtags`, `@mentions`,
//! `${VAR}` placeholders and base64 images pass.
//!
//! Cost: one table pass records which trigger bytes (`@ # { ( . < [ $`)
//! the value has, and each reading runs only when its bytes are there; the
//! serialization headers are looked for at token starts in one more linear
//! pass. Every reading is linear in the value (braces are paired in one
//! pass, never rescanned). A value shorter than six bytes cannot hold any
//! payload and costs a length test.
//!
//! ```
//! use envoy_rasp::engine::detect::java::{Java, JavaConfig};
//! use envoy_rasp::engine::detect::ValueCtx;
//! use envoy_rasp::engine::surface::Surface;
//!
//! let d = Java::compile(&JavaConfig::default(), "java_injection").unwrap().unwrap();
//! let ctx = ValueCtx::value(Surface::Query);
//! let hit = d.detect(b"%{(#a=@java.lang.Runtime@getRuntime().exec('id'))}", &ctx).unwrap();
//! assert_eq!(hit.rule, "java.ognl");
//! assert_eq!(d.detect(b"T(java.lang.Runtime).getRuntime()", &ctx).unwrap().rule, "java.spel");
//! assert!(d.detect(b"at java.lang.Runtime.exec(Runtime.java:620)", &ctx).is_none());
//! assert!(d.detect(b"Hello ${user.name}, see #context", &ctx).is_none());
//! ```
//!
//! ## Layout
//!
//! `mod.rs`: the section, the compiled form and the order of the readings;
//! `expr`: OGNL, SpEL, EL, process-starting code, class-loader paths;
//! `serial`: serialization streams; `classes`: the gadget tables and type
//! positions, XAML; `chain`: functor and process short names paired;
//! `bytes`: byte helpers.

mod bytes;
mod chain;
mod classes;
mod expr;
mod serial;
impl Detector for Java {
    type Config = JavaConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "Java / .NET injection detector: OGNL, SpEL, EL, process-starting code, Spring4Shell class-loader paths, serialized objects, gadget classes."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new("class_names", "Flag a value that is nothing but the name of a class that runs commands or loads code (`java.lang.ProcessBuilder`, `javax.script.ScriptEngineManager`): how JSON type ids and XML `class` attributes arrive. Turn off if forms carry such class names; type positions (`class=\"…\"`, `\"@type\":`) and gadget-only classes are still flagged."),
        FieldNote::new("dotnet", "Also flag .NET deserialization gadgets: ysoserial.net types in `$type` / assembly-qualified positions, XAML `ObjectDataProvider`, BinaryFormatter streams."),
        FieldNote::new("extra_classes", "More fully-qualified class names treated like the built-in dangerous types (flagged where a type is read); a name ending with `.` is a package."),
        FieldNote::new("extra_classes[]", "A class (`com.example.Loader`) or package (`com.example.`) name."),
    ];

    fn compile(cfg: &JavaConfig, at: &FieldPath) -> Result<Option<Java>, ConfigErrors> {
        Ok(Java::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Java::action(self)
    }

    /// The class table of `detect`, or one of the serialization headers
    /// (raw bytes ≥ 0x80, base64 `rO0AB` and `AAEAAAD`, hex `aced0005`
    /// and `0001000000ffffffff`, all at least eight bytes).
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::bytes::Signature as S;
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::any(b"@#{(.<[$")
            .or_any(S::HIGH)
            .or_all(S::UPPER | S::letters(b"roab"))
            .or_all(S::UPPER | S::letters(b"aed"))
            .or_all(S::LONG | S::DIGIT | S::letters(b"aced"))
            .or_all(S::LONG | S::DIGIT | S::letter(b'f'));
        NEEDS
    }

    fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        Java::detect(self, value, ctx)
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

/// Configuration section `java_injection`.
///
/// ```json
/// {"java_injection": {"action": "block", "class_names": true, "dotnet": true, "extra_classes": []}}
/// ```
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct JavaConfig {
    /// What a finding does: `block` (default), `log` (log and count, let
    /// the request through) or `off` (the detector does not run).
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Flag a value that is nothing but the name of a class that runs
    /// commands or loads code (`java.lang.ProcessBuilder`,
    /// `javax.script.ScriptEngineManager`, `java.beans.XMLDecoder`): the
    /// way JSON type ids (`"@type"`, `"$type"`) and XML `class` attributes
    /// reach the detector. Default `true`. Turn off for an application
    /// whose forms legitimately carry such class names (a Java admin
    /// console); gadget-only classes and type positions such as
    /// `class="…"` or `"@type":` inside a value are still flagged.
    pub class_names: bool,
    /// Also look for .NET deserialization gadgets (`$type` with a
    /// ysoserial.net type, XAML `ObjectDataProvider`, BinaryFormatter
    /// streams). Default `true`.
    pub dotnet: bool,
    /// More fully-qualified class names treated like the built-in
    /// dangerous types (flagged where a type is read). A name ending with
    /// `.` is a package: every class in it. Default empty.
    pub extra_classes: Vec<String>,
}

impl Default for JavaConfig {
    fn default() -> Self {
        JavaConfig {
            action: Action::Block,
            sensitivity: None,
            class_names: true,
            dotnet: true,
            extra_classes: Vec::new(),
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Java {
    action: Action,
    dotnet: bool,
    classes: classes::Classes,
}

/// Byte classes for the prefilter.
const C_AT: u16 = 1;
const C_HASH: u16 = 2;
const C_BRACE: u16 = 4;
const C_PAREN: u16 = 8;
const C_DOT: u16 = 16;
const C_LT: u16 = 32;
const C_DOLLAR: u16 = 64;
const C_BRACKET: u16 = 128;

/// The prefilter class of each byte.
static CLASS: [u16; 256] = class_table();

// Indexing is evaluated by the compiler here: an out-of-range index would
// be a build error, never a runtime panic.
#[allow(clippy::indexing_slicing)]
const fn class_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut b = 0usize;
    while b < 256 {
        t[b] = match b as u8 {
            b'@' => C_AT,
            b'#' => C_HASH,
            b'{' => C_BRACE,
            b'(' => C_PAREN,
            b'.' => C_DOT,
            b'<' => C_LT,
            b'[' => C_BRACKET,
            b'$' => C_DOLLAR,
            _ => 0,
        };
        b += 1;
    }
    t
}

fn classes(v: &[u8]) -> u16 {
    v.iter().fold(0u16, |m, &b| {
        m | CLASS.get(usize::from(b)).copied().unwrap_or(0)
    })
}

/// Shortest value that can hold any payload (`T(a.B)`, `rO0ABX…`).
const MIN_LEN: usize = 6;

/// Longest configured class name.
const MAX_CLASS: usize = 256;

impl Java {
    /// Compiles the section; `None` when the action is `off`. An extra
    /// class that is not a dotted Java name is an error at
    /// `<field>.extra_classes[i]`.
    pub fn compile(cfg: &JavaConfig, field: &str) -> Result<Option<Java>, ConfigError> {
        for (i, c) in cfg.extra_classes.iter().enumerate() {
            let name = c.strip_suffix('.').unwrap_or(c);
            let ok = !name.is_empty()
                && c.len() <= MAX_CLASS
                && name.contains('.')
                && name.split('.').all(|seg| {
                    let mut b = seg.bytes();
                    b.next()
                        .is_some_and(|f| f.is_ascii_alphabetic() || f == b'_' || f == b'$')
                        && b.all(bytes::is_ident)
                });
            if !ok {
                return Err(ConfigError::new(
                    format!("{field}.extra_classes[{i}]"),
                    format!("`{c}` is not a fully-qualified class or package name (a.b.C, a.b.)"),
                ));
            }
        }
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Java {
            action: cfg.action,
            dotnet: cfg.dotnet,
            classes: classes::Classes::new(&cfg.extra_classes, cfg.dotnet, cfg.class_names),
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one value (a parameter value or name: Spring4Shell sits
    /// in names, so both are read the same way).
    pub fn detect(&self, value: &[u8], _ctx: &ValueCtx) -> Option<Hit> {
        if value.len() < MIN_LEN {
            return None;
        }
        let m = classes(value);
        if let Some(h) = serial::streams(value, self.dotnet) {
            return Some(h);
        }
        if m & (C_DOT | C_BRACKET) != 0 {
            if let Some(h) = expr::class_loader(value) {
                return Some(h);
            }
        }
        if m & (C_AT | C_HASH) != 0 {
            if let Some(h) = expr::ognl(value) {
                return Some(h);
            }
        }
        if m & C_PAREN != 0 {
            if let Some(h) = expr::spel(value) {
                return Some(h);
            }
        }
        // Expressions inside a template wrapper are typed `java.el` before
        // the bare-code reading types them `java.exec`.
        if m & C_BRACE != 0 {
            if let Some(h) = expr::el(value) {
                return Some(h);
            }
        }
        if m & C_PAREN != 0 {
            if let Some(h) = expr::exec(value) {
                return Some(h);
            }
        }
        if m & (C_DOT | C_DOLLAR) != 0 {
            if let Some(h) = self.classes.scan(value, m & C_DOT != 0) {
                return Some(h);
            }
        }
        if self.dotnet && m & (C_LT | C_BRACE) != 0 {
            if let Some(h) = classes::xaml(value) {
                return Some(h);
            }
        }
        chain::scan(value)
    }
}
