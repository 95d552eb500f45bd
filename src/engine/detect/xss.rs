//! Cross-site scripting detector.
//!
//! A value is read in each context a web application may place it, with
//! small hand-written tokenizers rather than patterns:
//!
//! * **HTML data** (`…<p>VALUE</p>…`): a start-tag tokenizer in the style of
//!   the HTML5 one (tag open → tag name → before attribute name → name →
//!   value, quoted or not) reads every `<name …>`. A tag is an attack when
//!   its element runs or loads active content (`script`, `iframe`,
//!   `object`, `embed`, `style`, `svg`, `math`, …) or when an attribute
//!   does: an `on*=` event handler, a `javascript:`/`vbscript:`/
//!   `data:text/html` URL in a URL attribute (after character-reference
//!   decoding and removal of the whitespace and control bytes browsers
//!   ignore), `srcdoc` with markup, CSS `expression(`/`url(javascript:`/
//!   `behavior:` in `style`, script calling a sink in any attribute (which
//!   frameworks evaluate: `x-init`, `ng-click`), SVG animation of an `on*`
//!   attribute, IE data binding, `<base href>`, `<link href>`,
//!   `<meta http-equiv=refresh>`. Markup inside an attribute value is read
//!   again once (mutation XSS). Formatting tags without any of this
//!   (`<b>bold</b>`, `<a href="https://…">`) cannot run script and pass, as
//!   do `a < b`, `<3`, `h2<h1`, `<john@example.com>` and `Option<Script>`,
//!   a loading element with no attribute at all (`Object #<Object> has no
//!   method` in an error message), and a tag that is the whole of a
//!   Markdown code span with nothing to load (`` `<script>` tags ``,
//!   `` `<script src="..." />` ``; `<script src=//x>` in backticks counts).
//! * **Inside a tag** (in an attribute value the value closes with `"`, `'`
//!   or a space, or in the attribute list): the attribute tokenizer runs
//!   from the start and after the first quote of each kind, and an injected
//!   `on*=` whose value is script (`" onmouseover="alert(1)`), `style` or
//!   URL attribute counts. The word `onload=` in prose does not: the value
//!   must call, assign or name a sink, and a name written as a camelCase
//!   callback property must be a real event (`onMouseOver=` counts,
//!   `export const onRequest = sequence(` does not).
//! * **Script** (`<script>var x = VALUE</script>`, a `javascript:` URL, an
//!   event handler) and **inside a JS string** (`'VALUE'`, `"VALUE"`): a
//!   JavaScript lexer reads the value from the start and after the first
//!   quote of each kind, and flags a run of code (not prose: two words side
//!   by side end a run) that calls or reaches a browser sink (`alert(1)`,
//!   `top['al'+'ert'](1)`, `document.cookie=…`, `';alert(1)//`,
//!   `'-alert(1)-'`). Sink names are case-sensitive and method names shared
//!   with other languages (`f.write()`, `cursor.fetch()`, `self.x()`) do
//!   not count, so code snippets in Python, Go or Rust pass.
//! * **CSS** (`style="VALUE"`): `expression(`, `url(javascript:`,
//!   `behavior: url(`, `-moz-binding: url(` after comment removal and CSS
//!   unescaping.
//!
//! Each reading also runs on the value with HTML character references
//! decoded (`&#106;avascript:`, `alert&lpar;1&rpar;`) and with exotic
//! encodings folded (full-width `＜script＞`, `%uff1c`, `\x3c`, UTF-7
//! `+ADw-`), when the value contains them.
//!
//! Rules (`Hit::rule`): `xss.active_tag`, `xss.event_handler`,
//! `xss.script_url`, `xss.srcdoc`, `xss.css`, `xss.dangerous_attr`,
//! `xss.attr_breakout`, `xss.js_code`, `xss.js_breakout`, `xss.jsfuck`,
//! `xss.html_injection` (a fake login form: `<form action=…>` with a
//! password `<input>`, no script needed; see `form`).
//!
//! Cost: one table-driven pass classifies the bytes of the value; a value
//! without `<`, `=`, `(`, `` ` ``, `:`, `&`, `[`, `*` or an escape introducer
//! cannot form any of the above and costs nothing more. The JavaScript
//! lexer only runs where a call site (`name(`) and a sink name occur. Every
//! tokenizer is linear in the value and never backtracks.
//!
//! ```
//! use envoy_rasp::engine::detect::xss::{Xss, XssConfig};
//! use envoy_rasp::engine::detect::ValueCtx;
//! use envoy_rasp::engine::surface::Surface;
//!
//! let xss = Xss::compile(&XssConfig::default(), "xss").unwrap().unwrap();
//! let ctx = ValueCtx::value(Surface::Query);
//! let hit = xss.detect(b"\"><img src=x onerror=alert(1)>", &ctx).unwrap();
//! assert_eq!(hit.rule, "xss.event_handler");
//! assert!(xss.detect(b"';alert(document.domain)//", &ctx).is_some());
//! assert!(xss.detect(b"a < b and c > d, <3", &ctx).is_none());
//! assert!(xss.detect(b"<b>bold</b> and O'Brien", &ctx).is_none());
//! ```

mod css;
mod events;
mod form;
mod html;
mod js;
mod text;

use crate::engine::detect::Detector;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::{header_params, Hit, ValueCtx};
use crate::engine::bytes::{byte_map, find, find_byte, find_byte3, ByteMap};
use crate::engine::error::ConfigError;
use crate::engine::mode::Action;
use crate::engine::surface::Surface;
use js::Mode;

/// Configuration section `xss`.
///
/// ```json
/// {"xss": {"action": "block", "foreign_content": true, "whitelist": ["json:$.body"]}}
/// ```
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct XssConfig {
    /// What a finding does: `block` (default), `log` (log and count, let
    /// the request through) or `off` (the detector does not run).
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Flag `<svg>` and `<math>` elements on their own. They cannot run
    /// script by themselves, but they switch the HTML parser to foreign
    /// content, the first step of most mutation-XSS and SVG script vectors,
    /// and ordinary parameters never carry them. Default `true`. Set to
    /// `false` when clients legitimately send inline SVG or MathML (icon
    /// pickers, editors): script, event handlers, script URLs and
    /// `<style>` inside them are still flagged.
    pub foreign_content: bool,
    /// Locations where HTML is expected, written as the event `location`
    /// field is (`form:comment`, `json:$.body`, `query:q`): findings of
    /// this detector there are dropped (the application escapes or
    /// sanitises that field itself). Entries must be non-empty. Default
    /// empty.
    pub whitelist: Vec<String>,
}

impl Default for XssConfig {
    fn default() -> Self {
        XssConfig {
            action: Action::Block,
            sensitivity: None,
            foreign_content: true,
            whitelist: Vec::new(),
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Xss {
    action: Action,
    opts: html::Opts,
    whitelist: Vec<String>,
}

/// Byte classes for the prefilter.
const C_LT: u16 = 1;
const C_EQ: u16 = 2;
const C_CALL: u16 = 4;
const C_COLON: u16 = 8;
const C_AMP: u16 = 16;
const C_EXOTIC: u16 = 32;
const C_BRACKET: u16 = 64;
/// `!`: not a trigger on its own, but JSFuck cannot do without it.
const C_BANG: u16 = 128;
/// `*`: a `/* */` comment splitting a member chain (`document/**/.cookie`).
const C_STAR: u16 = 256;

/// The prefilter class of each byte.
static CLASS: ByteMap<u16> = byte_map!(|b| match b {
    b'<' => C_LT,
    b'=' => C_EQ,
    b'(' | b'`' => C_CALL,
    b':' => C_COLON,
    b'&' => C_AMP,
    b'\\' | b'%' | b'+' | 0x80..=0xFF => C_EXOTIC,
    b'[' => C_BRACKET,
    b'!' => C_BANG,
    b'*' => C_STAR,
    _ => 0,
});

/// The byte classes present in `v`: one table lookup per byte, all the work
/// a value without any of them costs.
fn classes(v: &[u8]) -> u16 {
    v.iter().fold(0u16, |m, &b| m | CLASS.get(b))
}

/// Values that need none of these classes cannot be XSS: a tag needs `<`,
/// an attribute `=`, a call `(` or `` ` ``, a URL scheme `:`, obfuscation
/// `&` or an escape introducer, JSFuck `[`, a comment splitting a member
/// chain `*`.
const NEEDED: u16 = C_LT | C_EQ | C_CALL | C_COLON | C_AMP | C_EXOTIC | C_BRACKET | C_STAR;

/// Runs every reading of `v` (see the module docs).
fn scan_view(v: &[u8], m: u16, o: html::Opts) -> Option<Hit> {
    if m & C_LT != 0 {
        if let Some(h) = html::scan_active_names(v, o) {
            return Some(h);
        }
        if let Some(h) = html::scan_markup(v, 0, o) {
            return Some(h);
        }
        if let Some(h) = form::fake_login_form(v) {
            return Some(h);
        }
    }
    if m & C_EQ != 0 {
        if let Some(h) = html::scan_injected_attrs(v, 0, o) {
            return Some(h);
        }
        for q in [b'"', b'\''] {
            if let Some(p) = find_byte(v, 0, q) {
                if let Some(h) = html::scan_injected_attrs(v, p + 1, o) {
                    return Some(h);
                }
            }
        }
    }
    let calls = m & C_CALL != 0 && has_call_site(v);
    // `(document)["cookie"]`, `document/**/./**/cookie`: a member of a
    // sink object read through brackets or with comments inside the
    // chain, the spellings filters that look for `document.cookie` miss.
    // Without a call or an assignment only these obfuscated reads count:
    // a plain `document.cookie` in prose stays prose.
    let obfuscated_access = !calls
        && m & C_EQ == 0
        && (m & C_BRACKET != 0 || (m & C_STAR != 0 && find(v, 0, b"/*").is_some()));
    if obfuscated_access && js::may_have_sink(v) {
        if let Some((s, e)) = js::analyze(v, Mode::Code) {
            return Some(js_code_hit(s, e));
        }
    }
    if calls || m & C_EQ != 0 {
        // Code needs a sink name; most prose with parentheses has none.
        let sinks = js::may_have_sink(v);
        if sinks {
            if let Some((s, e)) = js::analyze(v, Mode::Code) {
                return Some(js_code_hit(s, e));
            }
        }
        for q in [b'\'', b'"', b'`'] {
            if let Some(p) = find_byte(v, 0, q) {
                let rest = text::tail(v, p + 1);
                if let Some((s, e)) = js::analyze(rest, Mode::Breakout) {
                    return Some(Hit::new(
                        "xss.js_breakout",
                        "quote closing a JavaScript string followed by injected code",
                        p,
                        (p + 1 + e).max(p + 1 + s),
                    ));
                }
            }
        }
        // A value that opens with a quote may be a whole handler or script
        // the page quotes itself (`<a onclick=VALUE>`): read inside it.
        if sinks && matches!(v.first(), Some(b'"' | b'\'')) {
            if let Some((s, e)) = js::analyze(text::tail(v, 1), Mode::Code) {
                return Some(js_code_hit(s + 1, e + 1));
            }
        }
    }
    if m & C_COLON != 0 {
        // Every CSS vector is a function (`expression(`, `url(`) or runs
        // script that calls one.
        if calls {
            if let Some(why) = css::danger(v) {
                return Some(Hit::new("xss.css", why, 0, v.len()));
            }
        }
        if let Some(h) = standalone_url(v) {
            return Some(h);
        }
    }
    // JSFuck needs a `!` (see [`js::jsfuck`]): `$.a[0]` has a `[` only.
    if m & C_BRACKET != 0 && m & C_BANG != 0 {
        if let Some((s, e)) = js::jsfuck(v) {
            return Some(Hit::new(
                "xss.jsfuck",
                "JavaScript written with []()!+ only (JSFuck)",
                s,
                e,
            ));
        }
    }
    None
}

/// A call site: `(` or `` ` `` right after a name, `)`, `]` or comment
/// end, or a template substitution `${`. Script (every JS verdict but an
/// assignment) and CSS vectors (`expression(`, `url(`) need one; prose
/// writes `word (aside)` with a space.
fn has_call_site(v: &[u8]) -> bool {
    let mut i = 0;
    while let Some(p) = find_byte3(v, i, b'(', b'`', b'{') {
        let prev = if p > 0 { text::at(v, p - 1) } else { 0 };
        let callee =
            prev.is_ascii_alphanumeric() || matches!(prev, b'_' | b'$' | b')' | b']' | b'/');
        if (callee && text::at(v, p) != b'{') || (prev == b'$' && text::at(v, p) == b'{') {
            return true;
        }
        i = p + 1;
    }
    false
}

fn js_code_hit(s: usize, e: usize) -> Hit {
    Hit::new(
        "xss.js_code",
        "script code calling or reaching a sink (alert, eval, document, …)",
        s,
        e,
    )
}

/// The whole value as a URL (an `href`/`src` the application fills in):
/// a script URL whose script does something, or an active `data:` URL.
fn standalone_url(v: &[u8]) -> Option<Hit> {
    match html::url_scheme(v)? {
        // `ja&Tab;vascript:`, `v&NewLine;bscript&colon;`: a scheme name
        // split by bytes browsers strip is written to slip past filters,
        // whatever follows it (no one types a tab inside "javascript").
        html::Scheme::Script(off, true) => Some(Hit::new(
            "xss.script_url",
            "script URL whose scheme name is split by tabs or newlines browsers strip",
            0,
            off,
        )),
        html::Scheme::Script(off, false) => {
            js::analyze(text::tail(v, off), Mode::Value).map(|(_, e)| {
                Hit::new(
                    "xss.script_url",
                    "script URL (javascript:/vbscript:) running code",
                    0,
                    off + e,
                )
            })
        }
        html::Scheme::ActiveData => Some(Hit::new(
            "xss.script_url",
            "data: URL with a document or script media type",
            0,
            v.len(),
        )),
        html::Scheme::Data { .. } => {
            html::script_url(v, 0).map(|why| Hit::new("xss.script_url", why, 0, v.len()))
        }
    }
}

/// Marks a hit found in a rewritten form of the value: the evidence is the
/// whole value it was given.
fn whole(h: Hit, len: usize) -> Hit {
    Hit {
        start: 0,
        end: len,
        ..h
    }
}

impl Xss {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &XssConfig, field: &str) -> Result<Option<Xss>, ConfigError> {
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
        Ok(Some(Xss {
            action: cfg.action,
            opts: html::Opts {
                foreign: cfg.foreign_content,
            },
            whitelist: cfg.whitelist.clone(),
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// True when `location` (`form:comment`, …) is whitelisted: HTML is
    /// expected there and findings from it are dropped.
    pub fn whitelisted(&self, location: &str) -> bool {
        self.whitelist.iter().any(|w| w == location)
    }

    /// True when a whitelist is configured.
    pub fn has_whitelist(&self) -> bool {
        !self.whitelist.is_empty()
    }

    /// Inspects one value.
    pub fn detect(&self, value: &[u8], _ctx: &ValueCtx) -> Option<Hit> {
        let m = classes(value);
        if m & NEEDED == 0 {
            return None;
        }
        // Fast path: with `[` but no `!` the only reading left, JSFuck,
        // cannot match (see [`scan_view`]); with only an escape introducer
        // (`50% off`) no reading of the value as it is runs at all, only
        // the fold below.
        let skip_view = m & (NEEDED | C_BANG) == C_BRACKET || m & NEEDED == C_EXOTIC;
        if !skip_view {
            if let Some(h) = scan_view(value, m, self.opts) {
                return Some(h);
            }
        }
        if m & C_AMP != 0 {
            if let std::borrow::Cow::Owned(d) = text::decode_entities(value) {
                if let Some(h) = scan_view(&d, classes(&d), self.opts) {
                    return Some(whole(h, value.len()));
                }
            }
        }
        if m & C_EXOTIC != 0 && text::has_exotic(value) {
            if let Some(f) = text::fold_exotic(value) {
                if let Some(h) = scan_view(&f, classes(&f), self.opts) {
                    return Some(whole(h, value.len()));
                }
                // Once more for layered escapes (`\xc2\xbcscript`).
                if text::has_exotic(&f) {
                    if let Some(g) = text::fold_exotic(&f) {
                        if let Some(h) = scan_view(&g, classes(&g), self.opts) {
                            return Some(whole(h, value.len()));
                        }
                    }
                }
            }
        }
        None
    }
}

impl Detector for Xss {
    type Config = XssConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "Cross-site scripting detector."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new("foreign_content", "Flag bare `<svg>` / `<math>` elements (foreign content, where HTML parsing rules change). Turn off for clients that send inline SVG or MathML; script, handlers and script URLs inside them are still caught."),
        FieldNote::new("whitelist", "Locations (`form:comment`, `json:$.body`, `query:q`) where HTML is expected and XSS findings are dropped (the application sanitises that field)."),
        FieldNote::new("whitelist[]", "A location: `surface:name`."),
    ];

    fn compile(cfg: &XssConfig, at: &FieldPath) -> Result<Option<Xss>, ConfigErrors> {
        Ok(Xss::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Xss::action(self)
    }

    /// The `NEEDED` prefilter classes: `<`, `=`, a call, `:`, `&`, an
    /// escape introducer or byte ≥ 0x80, `[`, `*` (a comment hiding a member access).
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::bytes::Signature as S;
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::any(b"<=(`:&\\%+[*").or_any(S::HIGH);
        NEEDS
    }

    fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        Xss::detect(self, value, ctx)
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
            Xss::detect(self, param, &ctx).map(|h| Hit { start, end, ..h })
        })
    }

    fn has_suppressions(&self) -> bool {
        self.has_whitelist()
    }

    fn suppressed(&self, location: &str) -> bool {
        self.whitelisted(location)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::surface::Surface;

    fn xss() -> Xss {
        Xss::compile(&XssConfig::default(), "xss").unwrap().unwrap()
    }

    #[test]
    fn whitelist_config() {
        let bad = XssConfig {
            whitelist: vec![" ".into()],
            ..XssConfig::default()
        };
        let err = Xss::compile(&bad, "xss").unwrap_err();
        assert_eq!(err.field(), "xss.whitelist[0]");
        let wl = XssConfig {
            whitelist: vec!["query:q".into()],
            ..XssConfig::default()
        };
        let x = Xss::compile(&wl, "xss").unwrap().unwrap();
        assert!(x.has_whitelist() && x.whitelisted("query:q"));
        assert!(!x.whitelisted("query:search"));
        assert!(!xss().has_whitelist());
    }

    #[test]
    fn off_compiles_to_none() {
        let cfg = XssConfig {
            action: Action::Off,
            ..XssConfig::default()
        };
        assert!(Xss::compile(&cfg, "xss").unwrap().is_none());
    }

    #[test]
    fn foreign_content_knob() {
        let ctx = ValueCtx::value(Surface::Json);
        let on = xss();
        let off = Xss::compile(
            &XssConfig {
                foreign_content: false,
                ..XssConfig::default()
            },
            "xss",
        )
        .unwrap()
        .unwrap();
        let icon = b"<svg viewBox=\"0 0 24 24\"><path d=\"M12 2L2 7\"/></svg>";
        assert!(on.detect(icon, &ctx).is_some());
        assert!(off.detect(icon, &ctx).is_none());
        assert!(off.detect(b"<svg onload=alert(1)>", &ctx).is_some());
        assert!(off
            .detect(b"<svg><script>alert(1)</script>", &ctx)
            .is_some());
    }

    #[test]
    fn prefilter_skips_plain_text() {
        assert_eq!(classes(b"hello world 42.5 - ok") & NEEDED, 0);
    }

    /// A hang guard, not a measurement (see `testing::HANG_GUARD`): linear time
    /// on these inputs is measured by `cargo bench --bench engine -- adversarial`.
    #[test]
    fn adversarial_inputs_do_not_hang() {
        crate::testing::hang_guard("xss: adversarial inputs", || {
            let x = xss();
            let ctx = ValueCtx::value(Surface::Query);
            for unit in [
                &b"<"[..],
                b"\"",
                b"'",
                b"(",
                b"<a ",
                b"<a x=\"",
                b"'-'",
                b"'-(",
                b"`${",
                b"&#",
                b"\\u",
                b"+A",
                b"/*",
                b"[]!",
                b"on=",
                b"<!--",
                b"=/[",
                b":<!--",
                b"+ADw",
                b"<a x=`",
                b"<a x=\"`",
                b"x:url(",
                b"\\u0",
                b"%u",
                b"<!ATTLIST ",
                b"data:,",
                b"<a href=data:,",
                b"a=top[",
                b"`${`",
                b"<form action=//x><input type=password ",
                b"<form action=//x>",
                b"(document)[\"",
                b"document/**/.",
                b"x.call``",
                b"\"onzoom=",
                b"ja&Tab;",
                b"x:url(javascript",
            ] {
                // 1 MiB optimised, 256 KiB in debug builds: linear either way.
                let len = if cfg!(debug_assertions) {
                    1 << 18
                } else {
                    1 << 20
                };
                let v: Vec<u8> = unit.iter().copied().cycle().take(len).collect();
                let _ = x.detect(&v, &ctx);
            }
        });
    }

    #[test]
    fn spans_point_into_the_value() {
        let x = xss();
        let ctx = ValueCtx::value(Surface::Query);
        let v = b"hello <img src=x onerror=alert(1)> world";
        let h = x.detect(v, &ctx).unwrap();
        assert_eq!(h.rule, "xss.event_handler");
        assert_eq!(&v[h.start..h.end], b"onerror=alert(1)");
    }
}

#[cfg(test)]
mod hang_regressions {
    use super::*;
    use crate::engine::detect::ValueCtx;
    use crate::engine::surface::Surface;

    /// A scheme with nothing after it once looped forever (a NUL past the
    /// end read as whitespace). Found by fuzzing.
    #[test]
    fn data_scheme_at_the_end_terminates() {
        crate::testing::hang_guard("xss: data scheme at the end", || {
            let x = Xss::compile(&XssConfig::default(), "xss").unwrap().unwrap();
            for v in [
                &b"data:"[..],
                b"data\0:",
                b" data:",
                b"<a href=data:",
                b"data:  ",
            ] {
                let _ = x.detect(v, &ValueCtx::value(Surface::Query));
            }
        });
    }
}
