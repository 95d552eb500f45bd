//! The HTML side: a start-tag tokenizer in the style of the HTML5
//! tokenizer (tag open → tag name → before attribute name → attribute name
//! → after attribute name → before attribute value → quoted / unquoted
//! value → after value), and the checks on what it produces.
//!
//! Two entry points read a value in the two places markup can land:
//! * [`scan_markup`]: the value sits in HTML data; every `<name` starts a
//!   tag whose name and attributes are checked;
//! * [`scan_injected_attrs`]: the value sits inside a tag (in an attribute
//!   value it first closes, or in the attribute list itself) and adds
//!   attributes without opening a tag (`" onmouseover="alert(1)`).

use std::borrow::Cow;

use super::css;
use super::events;
use super::js::{self, Mode};
use super::text::{at, decode_entities, is_space, sub, tail, SPACE};
use crate::engine::bytes::base64::{Alphabet, Lenient};
use crate::engine::bytes::{eq_ci, find_byte, find_ci, starts_ci};
use crate::engine::detect::Hit;

/// Reading options (from the configuration).
#[derive(Clone, Copy, Debug)]
pub(super) struct Opts {
    /// Flag `<svg>` / `<math>` on their own.
    pub foreign: bool,
}

/// Elements that run script or load active content whatever their
/// attributes: their mere presence in a parameter is the attack.
const ACTIVE_TAGS: &[(&[u8], &str)] = &[
    (b"script", "script element"),
    (b"iframe", "iframe element (loads a document)"),
    (b"frame", "frame element (loads a document)"),
    (b"object", "object element (loads active content)"),
    (b"embed", "embed element (loads active content)"),
    (b"applet", "applet element (loads active content)"),
    (b"layer", "layer element (loads a document)"),
    (b"ilayer", "ilayer element (loads a document)"),
    (b"style", "style element (injects CSS)"),
    (b"xml", "xml data island"),
    (b"import", "import element (loads an HTML component)"),
    (b"vmlframe", "vmlframe element (loads a document)"),
];

/// Active elements that load what an attribute names: inert with no
/// attribute at all.
const LOADERS: &[&[u8]] = &[
    b"iframe",
    b"frame",
    b"object",
    b"embed",
    b"applet",
    b"layer",
    b"ilayer",
    b"vmlframe",
];

/// Elements that switch the HTML parser to foreign content (SVG, MathML),
/// the first step of most mutation-XSS and SVG script vectors; flagged on
/// their own when [`Opts::foreign`] is set.
const FOREIGN_TAGS: &[(&[u8], &str)] = &[
    (b"svg", "svg element (switches to foreign content)"),
    (b"math", "math element (switches to foreign content)"),
];

/// Attributes whose value is fetched or navigated to as a URL (matched on
/// the local name, after any `prefix:`).
const URL_ATTRS: &[&[u8]] = &[
    b"href",
    b"src",
    b"action",
    b"formaction",
    b"data",
    b"background",
    b"poster",
    b"lowsrc",
    b"dynsrc",
    b"code",
    b"codebase",
    b"archive",
    b"classid",
    b"cite",
    b"longdesc",
    b"usemap",
    b"profile",
    b"icon",
    b"manifest",
    b"ping",
    b"to",
    b"from",
    b"values",
    b"by",
    b"content",
    b"value",
    b"movie",
    b"folder",
    b"srcset",
    b"xmlns",
    b"handler",
];

/// Script-executing URL schemes.
const SCRIPT_SCHEMES: &[&[u8]] = &[
    b"javascript",
    b"vbscript",
    b"livescript",
    b"mocha",
    b"jscript",
];

/// `data:` media types a browser renders as a document or runs as script.
const ACTIVE_MIME: &[&[u8]] = &[
    b"text/html",
    b"application/xhtml+xml",
    b"text/xml",
    b"application/xml",
    b"text/javascript",
    b"application/javascript",
    b"application/x-javascript",
    b"text/ecmascript",
    b"application/ecmascript",
    b"text/vbscript",
    b"application/x-shockwave-flash",
];

/// The part of a (possibly namespaced) name after the last `:`.
fn local_name(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&c| c == b':') {
        Some(p) => tail(name, p + 1),
        None => name,
    }
}

/// Tag-name bytes for the cheap name pass.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b':' || b == b'-' || b == b'_'
}

/// The active element named at `s[p] == b'<'`, if any.
fn active_tag_at(s: &[u8], p: usize, o: Opts) -> Option<(&'static str, usize)> {
    let mut j = p + 1;
    let pi = at(s, j) == b'?';
    let end_tag = at(s, j) == b'/';
    if pi || end_tag {
        j += 1;
    }
    // `<:vmlframe`: an empty namespace prefix, which old IE still bound.
    let empty_prefix = at(s, j) == b':' && at(s, j + 1).is_ascii_alphabetic();
    if !at(s, j).is_ascii_alphabetic() && !empty_prefix {
        return None;
    }
    let start = j;
    while is_name_byte(at(s, j)) && j - start < 64 {
        j += 1;
    }
    // The name ends where the HTML tokenizer ends it: space, `/`, `>`, end
    // (`<script,` names an element `script,`).
    let next = at(s, j);
    if j < s.len() && !(is_space(next) || next == b'/' || next == b'>') {
        return None;
    }
    let name = local_name(sub(s, start, j));
    // `Option<Script>`: a capitalised name glued to an identifier and
    // closed at once is a generic type in prose about code, not markup.
    let glued = p > 0 && is_name_byte(at(s, p - 1));
    let capitalised = name.first().is_some_and(u8::is_ascii_uppercase)
        && name.iter().skip(1).all(|c| !c.is_ascii_uppercase());
    if glued && capitalised && next == b'>' && !end_tag {
        return None;
    }
    if pi {
        // `<?import namespace=… implementation=…>` (IE HTML components);
        // other processing instructions (`<?xml …?>`) are inert.
        return eq_ci(name, b"import").then_some(("import processing instruction", j));
    }
    if code_span_mention(s, p, j) {
        return None;
    }
    if end_tag {
        // `</script>` ends the script block the value sits in.
        return eq_ci(name, b"script").then_some(("script end tag (leaves a script block)", j));
    }
    // `<object>`, `<iframe>`: an element that loads its content from an
    // attribute (`data`, `src`, `code`) loads nothing without one. Stack
    // traces and error messages print such names (`Object #<Object> has no
    // method`, `at <object>.actions.play`). Elements whose content runs
    // (`<script>`, `<style>`, `<xml>`) stay active; attributes and
    // `<param>` children are read by the markup scan.
    if next == b'>' && LOADERS.iter().any(|l| eq_ci(name, l)) {
        return None;
    }
    // `<xi:include href="http://…">`: XInclude, which an XML processor
    // (and a browser rendering XHTML with XInclude support) replaces with
    // the document the href names; only with a prefix and an attribute
    // (`<include>` alone is no element anything runs).
    let prefixed = sub(s, start, j).contains(&b':');
    if prefixed && eq_ci(name, b"include") && is_space(next) {
        return Some(("XInclude element (loads the document its href names)", j));
    }
    let foreign: &[(&[u8], &str)] = if o.foreign { FOREIGN_TAGS } else { &[] };
    ACTIVE_TAGS
        .iter()
        .chain(foreign)
        .find(|(n, _)| eq_ci(name, n))
        .map(|(_, why)| (*why, j))
}

/// `` `<script>` ``, `` `</script>` ``, `` `<script src="..." />` ``: a tag
/// that is the whole of a Markdown code span (one backtick on each side)
/// and whose attribute values name nothing (no letter or digit) names the
/// element in prose about HTML. It loads nothing and holds no script; what
/// follows it is still read as script by the other readings (a value that
/// closes the span and goes on with `;alert(1)//` is caught there). `p` is
/// the `<`, `j` the end of the tag name.
fn code_span_mention(s: &[u8], p: usize, j: usize) -> bool {
    let opened = p > 0 && at(s, p - 1) == b'`' && (p < 2 || at(s, p - 2) != b'`');
    if !opened {
        return false;
    }
    let mut attrs = Attrs::new(s, j);
    for a in &mut attrs {
        let named = a
            .value
            .is_some_and(|(x, y)| sub(s, x, y).iter().any(u8::is_ascii_alphanumeric));
        if named || a.unterminated {
            return false;
        }
    }
    attrs.closed && at(s, attrs.pos) == b'`' && at(s, attrs.pos + 1) != b'`'
}

/// The cheap pass: every `<` followed by an active element name, wherever it
/// sits (inside another tag's name or attribute value too: `<scr<script>`).
pub(super) fn scan_active_names(s: &[u8], o: Opts) -> Option<Hit> {
    let mut i = 0;
    while let Some(p) = find_byte(s, i, b'<') {
        if let Some((why, end)) = active_tag_at(s, p, o) {
            return Some(Hit::new("xss.active_tag", why, p, end));
        }
        i = p + 1;
    }
    None
}

/// One attribute as the tokenizer read it (byte ranges into the input).
#[derive(Clone, Copy, Debug)]
pub(super) struct Attr {
    pub name: (usize, usize),
    /// The value's range, without quotes. `None` when there is no `=`.
    pub value: Option<(usize, usize)>,
    /// The quoted value ran to the end of input.
    pub unterminated: bool,
    /// Where another reading of the attribute list resumes: inside an
    /// unterminated quoted value (the page's next quote may close it), or
    /// after a backtick-quoted value (old IE quoted with backticks).
    pub alt: Option<usize>,
}

/// Attribute-list tokenizer, starting in the before-attribute-name state and
/// stopping after the `>` that closes the tag (or at the end of input).
pub(super) struct Attrs<'a> {
    s: &'a [u8],
    pub pos: usize,
    pub closed: bool,
}

impl<'a> Attrs<'a> {
    pub(super) fn new(s: &'a [u8], pos: usize) -> Attrs<'a> {
        Attrs {
            s,
            pos,
            closed: false,
        }
    }
}

impl Iterator for Attrs<'_> {
    type Item = Attr;

    fn next(&mut self) -> Option<Attr> {
        let s = self.s;
        if self.closed {
            return None;
        }
        // Before attribute name: whitespace and `/` separate attributes.
        while self.pos < s.len() && (is_space(at(s, self.pos)) || at(s, self.pos) == b'/') {
            self.pos += 1;
        }
        if self.pos >= s.len() {
            return None;
        }
        if at(s, self.pos) == b'>' {
            self.pos += 1;
            self.closed = true;
            return None;
        }
        // Attribute name (a leading `=` belongs to the name).
        let ns = self.pos;
        self.pos += 1;
        while self.pos < s.len() && !matches!(at(s, self.pos), b'/' | b'>' | b'=' | 0..=0x20) {
            self.pos += 1;
        }
        let name = (ns, self.pos);
        // After attribute name.
        let mut p = self.pos;
        while p < s.len() && is_space(at(s, p)) {
            p += 1;
        }
        if at(s, p) != b'=' || p >= s.len() {
            self.pos = p;
            return Some(Attr {
                name,
                value: None,
                unterminated: false,
                alt: None,
            });
        }
        // Before attribute value.
        p += 1;
        while p < s.len() && is_space(at(s, p)) {
            p += 1;
        }
        let q = at(s, p);
        if p >= s.len() || q == b'>' {
            self.pos = p;
            return Some(Attr {
                name,
                value: Some((p, p)),
                unterminated: false,
                alt: None,
            });
        }
        if q == b'"' || q == b'\'' {
            return Some(match find_byte(s, p + 1, q) {
                Some(e) => {
                    self.pos = e + 1;
                    Attr {
                        name,
                        value: Some((p + 1, e)),
                        unterminated: false,
                        alt: None,
                    }
                }
                None => {
                    self.pos = s.len();
                    Attr {
                        name,
                        value: Some((p + 1, s.len())),
                        unterminated: true,
                        alt: Some(p + 1),
                    }
                }
            });
        }
        // Unquoted value: up to whitespace or `>`.
        let vs = p;
        while p < s.len() && !is_space(at(s, p)) && at(s, p) != b'>' {
            p += 1;
        }
        self.pos = p;
        let alt = if q == b'`' {
            find_byte(s, vs + 1, b'`').map(|e| e + 1)
        } else {
            None
        };
        Some(Attr {
            name,
            value: Some((vs, p)),
            unterminated: false,
            alt,
        })
    }
}

/// `on` + a letter: an event-handler attribute name (`onload`, `onerror`,
/// `onbeforehellfreezes`…; browsers ignore unknown ones, but a value that
/// carries one is an injection attempt either way).
fn is_handler_name(name: &[u8]) -> bool {
    starts_ci(name, b"on") && at(name, 2).is_ascii_alphabetic()
}

/// What a URL value starts with, after the obfuscations browsers (or old
/// ones) ignore: leading spaces/control bytes/quotes, tabs and newlines
/// (and, liberally, any control byte or space) inside the scheme, and
/// `<!-- -->` / CDATA splits.
pub(super) enum Scheme {
    /// A script scheme; the offset where the script starts, and whether
    /// its name was split by bytes browsers strip from a URL (tab, CR,
    /// LF) or by a comment / CDATA split: `java&Tab;script:`.
    Script(usize, bool),
    /// `data:` with a document or script media type.
    ActiveData,
    /// Another `data:` URL (not an image): where its payload starts and
    /// whether it is base64.
    Data { payload: usize, base64: bool },
}

/// Skips `<!--…-->`, `<![CDATA[` and `]]>` at `i`: the new position.
fn skip_xml_split(v: &[u8], i: usize) -> Option<usize> {
    let rest = tail(v, i);
    if rest.starts_with(b"<!--") {
        // Splits are short; the bound keeps repeated attempts linear.
        let end = (4..rest.len().min(64)).find(|&k| sub(rest, k, k + 3) == b"-->")?;
        return Some(i + end + 3);
    }
    if starts_ci(rest, b"<![cdata[") {
        return Some(i + 9);
    }
    if rest.starts_with(b"]]>") {
        return Some(i + 3);
    }
    None
}

/// Reads the scheme of the (decoded) URL value `v`.
pub(super) fn url_scheme(v: &[u8]) -> Option<Scheme> {
    let mut i = 0;
    while i < v.len() && (is_space(at(v, i)) || matches!(at(v, i), b'"' | b'\'' | b'`')) {
        i += 1;
    }
    let mut scheme = [0u8; 16];
    let mut n = 0;
    // Splits inside the name: a tab or a comment split counts double, as
    // no text puts one inside a word; a single line break may be a line
    // that ends in "Java" before one starting with "Script:", so it counts
    // double only away from that word boundary (`ja&NewLine;vascript:`).
    let mut splits = 0u8;
    let mut line_break_at = 0usize;
    loop {
        let c = at(v, i);
        if i >= v.len() {
            return None;
        }
        if c.is_ascii_alphabetic() {
            let slot = scheme.get_mut(n)?;
            *slot = c.to_ascii_lowercase();
            n += 1;
            i += 1;
        } else if is_space(c) || c == b'\\' && n > 0 {
            // A plain space is not counted as a split: prose writes
            // "java script:".
            if n > 0 {
                splits = splits.saturating_add(match c {
                    b'\t' => 2,
                    b'\r' if at(v, i + 1) == b'\n' => 0,
                    b'\n' | b'\r' => {
                        line_break_at = n;
                        1
                    }
                    _ => 0,
                });
            }
            i += 1;
        } else if let Some(next) = skip_xml_split(v, i) {
            if n > 0 {
                splits = splits.saturating_add(2);
            }
            i = next;
        } else if c == b':' && n > 0 {
            break;
        } else {
            return None;
        }
    }
    let name = sub(&scheme, 0, n);
    if SCRIPT_SCHEMES.contains(&name) {
        // Every script scheme ends in "script": the prose boundary is
        // before it (`java|script`, `vb|script`).
        let mid_word = splits == 1 && line_break_at != n.saturating_sub(6);
        return Some(Scheme::Script(i + 1, splits >= 2 || mid_word));
    }
    if name == b"data" {
        let mut j = i + 1;
        while j < v.len() && is_space(at(v, j)) {
            j += 1;
        }
        let mime = tail(v, j);
        if ACTIVE_MIME
            .iter()
            .any(|m| starts_ci(mime, m) && matches!(at(mime, m.len()), b';' | b',' | b' ' | 0))
        {
            return Some(Scheme::ActiveData);
        }
        // Images do not run script, except SVG documents, whose payload is
        // read below like any other.
        if starts_ci(mime, b"image/") && !starts_ci(mime, b"image/svg") {
            return None;
        }
        let comma = find_byte(v, j, b',')?;
        let params = sub(v, j, comma);
        let base64 = find_ci(params, b"base64").is_some();
        return Some(Scheme::Data {
            payload: comma + 1,
            base64,
        });
    }
    None
}

/// Largest `data:` payload decoded and read as markup.
const MAX_DATA_PAYLOAD: usize = 64 * 1024;

/// `data:…;base64,` payloads as browsers decode them: either alphabet,
/// whitespace and control bytes skipped, stops at the first other byte.
const DATA_BASE64: Lenient = Lenient {
    alphabet: Alphabet::Either,
    skip: &SPACE,
};

/// True when a `data:` payload is active markup (`data:,<script>…`,
/// `data:application/x-x509-user-cert;base64,PHNjcmlwdD4…`).
fn data_payload_is_markup(v: &[u8], payload: usize, base64: bool) -> bool {
    let raw = tail(v, payload);
    let decoded;
    let body: &[u8] = if base64 {
        decoded = DATA_BASE64.decode(raw, MAX_DATA_PAYLOAD);
        &decoded
    } else {
        raw
    };
    // An SVG image is `<svg …>` by definition: only script in it counts.
    let o = Opts { foreign: false };
    scan_active_names(body, o).is_some() || scan_markup(body, 1, o).is_some()
}

/// True when the script after `javascript:` does nothing: empty, `;`,
/// `void(0)`, `void 0`, a bare literal. Links like `javascript:void(0)` are
/// common in harmless markup.
fn inert_script(v: &[u8]) -> bool {
    let t: Vec<u8> = v
        .iter()
        .copied()
        .filter(|&c| !is_space(c) && c != b';')
        .take(24)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    t.is_empty()
        || t.starts_with(b"void")
        || matches!(
            t.as_slice(),
            b"false" | b"true" | b"null" | b"undefined" | b"0" | b"#"
        )
}

/// A URL value that runs script: `Some(reason)`. `depth` 0 allows reading
/// a `data:` payload as markup (once).
pub(super) fn script_url(v: &[u8], depth: u8) -> Option<&'static str> {
    match url_scheme(v)? {
        Scheme::Script(off, _) => {
            let rest = tail(v, off);
            if js::analyze(rest, Mode::Value).is_some() || !inert_script(rest) {
                Some("script URL (javascript:/vbscript:) in a URL attribute")
            } else {
                None
            }
        }
        Scheme::ActiveData => Some("data: URL with a document or script media type"),
        Scheme::Data { payload, base64 } => (depth == 0
            && data_payload_is_markup(v, payload, base64))
        .then_some("data: URL carrying active markup"),
    }
}

/// Where a tag or attribute list was found.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Site {
    /// A real start tag `<name …>`.
    Tag,
    /// Attributes injected without a tag (attribute-value breakout).
    Injected,
}

/// Per-tag facts gathered while its attributes are read.
struct TagState<'a> {
    local: &'a [u8],
    site: Site,
    depth: u8,
    o: Opts,
}

/// One attribute with a value, as the checks after the tokenizer see it.
struct AttrView<'s> {
    /// The name after any `prefix:`.
    local: &'s [u8],
    /// The value as written (entities not decoded).
    raw: &'s [u8],
    /// Where the name starts.
    name_start: usize,
    /// The value's range in the text.
    vs: usize,
    ve: usize,
    /// Where a hit on the whole attribute ends (name or value, the later).
    span_end: usize,
}

impl AttrView<'_> {
    fn hit(&self, rule: &'static str, why: &'static str) -> Option<Hit> {
        Some(Hit::new(rule, why, self.name_start, self.span_end))
    }
}

/// Checks one attribute; `s` is the text the ranges point into. The
/// checks run in a fixed order (the first that fires names the hit), so
/// each helper below answers only when it has decided.
fn check_attr(st: &TagState<'_>, s: &[u8], a: &Attr) -> Option<Hit> {
    let name = sub(s, a.name.0, a.name.1);
    let local = local_name(name);
    if st.site == Site::Tag && eq_ci(local, b"href") && eq_ci(st.local, b"base") {
        return Some(Hit::new(
            "xss.dangerous_attr",
            "base element redirecting every relative URL (scripts included)",
            a.name.0,
            a.name.1,
        ));
    }
    let (vs, ve) = a.value?;
    let av = AttrView {
        local,
        raw: sub(s, vs, ve),
        name_start: a.name.0,
        vs,
        ve,
        span_end: ve.max(a.name.1),
    };
    if let Some(h) = handler_pair_as_value(st, s, a, &av) {
        return Some(h);
    }
    if is_handler_name(local) && vs == s.len() && truncated_handler(st, s, a.name.0, local) {
        let rule = match st.site {
            Site::Tag => "xss.event_handler",
            Site::Injected => "xss.attr_breakout",
        };
        return Some(Hit::new(
            rule,
            "event-handler attribute cut after its `=`: the page's own text supplies the code",
            a.name.0,
            vs,
        ));
    }
    if is_handler_name(local) {
        return check_handler(st, &av);
    }
    let v: Cow<'_, [u8]> = decode_entities(av.raw);
    if let Some(h) = check_style_and_url(st, &av, &v) {
        return Some(h);
    }
    if st.site == Site::Injected {
        return None;
    }
    let in_place = matches!(v, Cow::Borrowed(_));
    check_special_attr(st, &av, &v).or_else(|| check_script_or_markup(st, &av, &v, in_place))
}

/// `<IMG SRC= onmouseover="alert(1)">`: the value is itself an `on*=` pair
/// (old parsers read it as an attribute).
fn handler_pair_as_value(st: &TagState<'_>, s: &[u8], a: &Attr, av: &AttrView<'_>) -> Option<Hit> {
    if st.site != Site::Tag || a.alt.is_some() || a.unterminated {
        return None;
    }
    let raw = av.raw;
    let inner = raw.split(|&c| c == b'=').next().unwrap_or_default();
    (inner.len() < raw.len()
        && is_handler_name(inner)
        && sub(s, a.name.1, av.vs).iter().any(|&c| is_space(c)))
    .then(|| {
        Hit::new(
            "xss.event_handler",
            "event-handler attribute in a tag",
            av.vs,
            av.ve,
        )
    })
}

/// The input ends right after `on…=`: `<x onend=`, `"onzoom=`. A payload
/// cut by a length limit, or written so that whatever the page prints next
/// becomes the handler's code. In a tag of the value's own any handler
/// name counts; injected, the name must follow the quote that breaks out
/// of the attribute directly and be a known event (not `"onRequest=` in a
/// code sample).
fn truncated_handler(st: &TagState<'_>, s: &[u8], name_start: usize, local: &[u8]) -> bool {
    match st.site {
        Site::Tag => true,
        Site::Injected => {
            name_start > 0
                && matches!(at(s, name_start - 1), b'"' | b'\'')
                && events::known_event(local)
        }
    }
}

/// An `on*` attribute: always a hit in a real tag; injected, only when its
/// value is script.
fn check_handler(st: &TagState<'_>, av: &AttrView<'_>) -> Option<Hit> {
    if av.raw.iter().all(|&c| is_space(c)) {
        return None;
    }
    match st.site {
        Site::Tag => av.hit("xss.event_handler", "event-handler attribute in a tag"),
        Site::Injected => {
            // Outside a tag of its own the value must be script: a call,
            // a sink, an assignment (not the word "onload=" in prose).
            let v = decode_entities(av.raw);
            if av.local.iter().skip(2).all(|c| c.is_ascii_alphabetic())
                && events::injected_handler(av.local)
                && (js::analyze(&v, Mode::Value).is_some() || url_scheme(&v).is_some())
            {
                return av.hit(
                    "xss.attr_breakout",
                    "event-handler attribute injected after breaking out of an attribute",
                );
            }
            None
        }
    }
}

/// `style` with dangerous CSS, and URL attributes (`href`, `src`, SVG
/// `values`, meta `content`, …) whose URL runs script.
fn check_style_and_url(st: &TagState<'_>, av: &AttrView<'_>, v: &[u8]) -> Option<Hit> {
    let local = av.local;
    if eq_ci(local, b"style") {
        if let Some(why) = css::danger(v) {
            return av.hit("xss.css", why);
        }
    }
    if !(URL_ATTRS.iter().any(|n| eq_ci(local, n)) || eq_ci(local, b"srcdoc")) {
        return None;
    }
    let mut hit = script_url(v, st.depth);
    if hit.is_none() && eq_ci(local, b"values") {
        // SVG animation value lists: `values="0;javascript:alert(1)"`.
        hit = v
            .split(|&c| c == b';')
            .find_map(|item| script_url(item, st.depth));
    }
    if hit.is_none() && eq_ci(local, b"content") {
        // `<meta http-equiv=refresh content="0;url=javascript:…">`.
        if let Some(p) = find_ci(v, b"url=") {
            hit = script_url(tail(v, p + 4), st.depth);
        }
    }
    let why = hit?;
    let rule = if st.site == Site::Tag {
        "xss.script_url"
    } else {
        "xss.attr_breakout"
    };
    av.hit(rule, why)
}

/// Attributes dangerous by name in a real tag: `srcdoc` with markup, SVG
/// animations of handlers, data binding, `&{…}` entities, `meta` tricks.
fn check_special_attr(st: &TagState<'_>, av: &AttrView<'_>, v: &[u8]) -> Option<Hit> {
    let local = av.local;
    if eq_ci(local, b"srcdoc") && v.contains(&b'<') {
        return av.hit("xss.srcdoc", "srcdoc attribute carrying markup");
    }
    if eq_ci(local, b"attributename") && starts_ci(v, b"on") {
        return av.hit(
            "xss.dangerous_attr",
            "SVG animation targeting an event-handler attribute",
        );
    }
    if eq_ci(local, b"datasrc") || eq_ci(local, b"dataformatas") {
        return av.hit(
            "xss.dangerous_attr",
            "data-binding attribute (renders a data island as HTML)",
        );
    }
    if starts_ci(av.raw.trim_ascii_start(), b"&{") {
        return av.hit(
            "xss.dangerous_attr",
            "JavaScript entity &{…} in an attribute value",
        );
    }
    if eq_ci(st.local, b"meta") {
        let t = v.trim_ascii_start();
        if eq_ci(local, b"http-equiv")
            && (starts_ci(t, b"refresh") || starts_ci(t, b"set-cookie") || starts_ci(t, b"link"))
        {
            return av.hit(
                "xss.dangerous_attr",
                "meta http-equiv refresh/set-cookie/link",
            );
        }
        if find_ci(v, b"utf-7").is_some() || find_ci(v, b"utf7").is_some() {
            return av.hit(
                "xss.dangerous_attr",
                "meta switching the page charset to UTF-7",
            );
        }
    }
    None
}

/// Any other attribute whose value is script calling a sink, or markup
/// that is itself an attack when parsed again.
///
/// `in_place`: `v` is the raw value (no entity decoded), so offsets into
/// it map back to the text.
fn check_script_or_markup(
    st: &TagState<'_>,
    av: &AttrView<'_>,
    v: &[u8],
    in_place: bool,
) -> Option<Hit> {
    // Script in any other attribute: frameworks evaluate attribute values
    // as code (`x-init`, `@click`, `ng-click`, `v-on:…`), and an attribute
    // that calls a sink is an injection either way.
    if (v.contains(&b'(') || v.contains(&b'`')) && js::analyze(v, Mode::Code).is_some() {
        return av.hit(
            "xss.dangerous_attr",
            "attribute value that is script calling a sink",
        );
    }
    // Markup inside an attribute value: parsed again (once), for the
    // parser differentials mutation XSS relies on.
    if st.depth == 0 && v.contains(&b'<') {
        if let Some(h) = scan_markup(v, 1, st.o) {
            let (start, end) = if in_place {
                (av.vs + h.start, av.vs + h.end)
            } else {
                (av.vs, av.ve)
            };
            return Some(Hit { start, end, ..h });
        }
    }
    None
}

/// `rel` values of links that load nothing into the page (`canonical`,
/// `icon`, `alternate`, …): every token is one of these.
fn inert_rel(v: &[u8]) -> bool {
    v.split(|&c| is_space(c))
        .filter(|t| !t.is_empty())
        .all(|t| {
            [
                &b"canonical"[..],
                b"icon",
                b"shortcut",
                b"apple-touch-icon",
                b"alternate",
                b"author",
                b"help",
                b"license",
                b"next",
                b"prev",
                b"search",
                b"nofollow",
                b"noopener",
                b"noreferrer",
                b"shortlink",
                b"me",
                b"dns-prefetch",
                b"preconnect",
            ]
            .iter()
            .any(|w| eq_ci(t, w))
        })
        && !v.iter().all(|&c| is_space(c))
}

/// Reads the attribute list at `pos` and checks every attribute. When a
/// quoted value runs to the end of input, its content is read again as
/// attributes (the page's next quote may close it).
fn check_attrs(st: &TagState<'_>, s: &[u8], pos: usize) -> (usize, Option<Hit>) {
    let mut attrs = Attrs::new(s, pos);
    let mut reparse: Option<usize> = None;
    let mut bare_handler: Option<usize> = None;
    let is_link = st.site == Site::Tag && eq_ci(st.local, b"link");
    let mut link_href: Option<(usize, usize)> = None;
    let mut link_inert = false;
    while let Some(a) = attrs.next() {
        if let Some(h) = check_attr(st, s, &a) {
            return (attrs.pos, Some(h));
        }
        if is_link {
            let local = local_name(sub(s, a.name.0, a.name.1));
            if eq_ci(local, b"href") {
                link_href = Some(a.name);
            } else if eq_ci(local, b"rel") {
                link_inert = a.value.is_some_and(|(x, y)| inert_rel(sub(s, x, y)));
            }
        }
        // `onerror/=alert(1)`: a value-less handler whose next "attribute"
        // is `=…` (the separator trick some filters miss).
        let name = sub(s, a.name.0, a.name.1);
        if let Some(start) = bare_handler.take() {
            if st.site == Site::Tag && name.len() > 1 && name.first() == Some(&b'=') {
                return (
                    attrs.pos,
                    Some(Hit::new(
                        "xss.event_handler",
                        "event-handler attribute in a tag",
                        start,
                        a.name.1,
                    )),
                );
            }
        }
        if a.value.is_none() && is_handler_name(local_name(name)) {
            bare_handler = Some(a.name.0);
        }
        if reparse.is_none() {
            reparse = a.alt;
        }
    }
    let end = attrs.pos;
    if let (Some((x, y)), false) = (link_href, link_inert) {
        return (
            end,
            Some(Hit::new(
                "xss.dangerous_attr",
                "link element loading a stylesheet or document",
                x,
                y,
            )),
        );
    }
    if let Some(p) = reparse {
        for a in Attrs::new(s, p) {
            if a.unterminated {
                break;
            }
            if let Some(h) = check_attr(st, s, &a) {
                return (end, Some(h));
            }
        }
    }
    (end, None)
}

/// Reads `s` as HTML data: each start tag's attributes are checked (event
/// handlers, script URLs, CSS, srcdoc, …). `depth` 1 means "inside an
/// attribute value" (no further nesting).
pub(super) fn scan_markup(s: &[u8], depth: u8, o: Opts) -> Option<Hit> {
    let mut i = 0;
    while let Some(p) = find_byte(s, i, b'<') {
        let mut n = p + 1;
        if at(s, n) == b'?' {
            n += 1;
        }
        if starts_ci(tail(s, p), b"<!attlist") {
            // A DTD giving elements default event-handler attributes.
            let end = find_byte(s, p, b'>').unwrap_or(s.len());
            let decl = sub(s, p + 9, end);
            let mut off = 0;
            for w in decl.split(|&c| is_space(c) || c == b'"' || c == b'\'') {
                if is_handler_name(local_name(w)) {
                    return Some(Hit::new(
                        "xss.dangerous_attr",
                        "ATTLIST declaring a default event-handler attribute",
                        p + 9 + off,
                        p + 9 + off + w.len(),
                    ));
                }
                off += w.len() + 1;
            }
            i = end.max(p + 1);
            continue;
        }
        if !at(s, n).is_ascii_alphabetic() {
            i = p + 1;
            continue;
        }
        let ns = n;
        while n < s.len() && !matches!(at(s, n), b'/' | b'>' | 0..=0x20) {
            n += 1;
        }
        let st = TagState {
            local: local_name(sub(s, ns, n)),
            site: Site::Tag,
            depth,
            o,
        };
        let (end, hit) = check_attrs(&st, s, n);
        if hit.is_some() {
            return hit;
        }
        i = end.max(p + 1);
    }
    None
}

/// Reads the attribute list starting at `pos` (up to the `>` that would
/// close the tag) for attributes injected without a tag of their own.
pub(super) fn scan_injected_attrs(s: &[u8], pos: usize, o: Opts) -> Option<Hit> {
    let st = TagState {
        local: b"",
        site: Site::Injected,
        depth: 1,
        o,
    };
    check_attrs(&st, s, pos).1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(s: &str) -> Vec<(String, Option<String>)> {
        let b = s.as_bytes();
        Attrs::new(b, 0)
            .map(|a| {
                (
                    String::from_utf8_lossy(sub(b, a.name.0, a.name.1)).into_owned(),
                    a.value
                        .map(|(x, y)| String::from_utf8_lossy(sub(b, x, y)).into_owned()),
                )
            })
            .collect()
    }

    #[test]
    fn tokenizer_states() {
        assert_eq!(
            attrs(r#" a=1 b = "x y" c='z'd/e>f=g"#),
            vec![
                ("a".into(), Some("1".into())),
                ("b".into(), Some("x y".into())),
                ("c".into(), Some("z".into())),
                ("d".into(), None),
                ("e".into(), None),
            ]
        );
        assert_eq!(
            attrs("/onload=alert(1)"),
            vec![("onload".into(), Some("alert(1)".into()))]
        );
        assert_eq!(
            attrs(r#"x="unterminated"#)[0].1.as_deref(),
            Some("unterminated")
        );
    }

    #[test]
    fn schemes() {
        let u = |v: &[u8]| script_url(v, 0).is_some();
        assert!(u(b"  java\tscript:alert(1)"));
        assert!(u(b"JaVaScRiPt:alert(1)"));
        assert!(!u(b"javascript:void(0)"));
        assert!(u(b"data:text/html;base64,PHN2Zz4="));
        assert!(!u(b"data:image/png;base64,iVBOR"));
        assert!(u(b"data:application/x-foo;base64,PHNjcmlwdD4="));
        assert!(u(b"data:,<script>alert(1)</script>"));
        assert!(!u(b"data:,hello"));
        assert!(!u(b"https://example.com/"));
        assert!(u(b"javas<!-- -->cript:alert(1)"));
    }
}
