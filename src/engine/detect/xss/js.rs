//! The JavaScript side: a small lexer (identifiers with `\u` escapes,
//! numbers, strings, templates with `${…}` nesting, regular expressions,
//! comments including `<!--`, punctuators) and an analysis of *runs*.
//!
//! A run is a stretch of tokens that reads as code: it ends softly where two
//! operands meet without an operator (`please confirm` — prose) and hard at
//! `;`, braces, newlines, comments, `>` and the end. A run counts only when
//! it starts and ends hard, and when it does something a script injection
//! does: calls or passes a sink function (`alert(1)`, `[1].find(alert)`,
//! `setTimeout(name)`), reaches into `document`/`window` and calls, assigns
//! or reads `cookie` (`document.cookie=…`), calls a computed member of
//! `top`/`self`/`parent` (`top['al'+'ert'](1)`), or writes `innerHTML`.
//! Prose, file names (`document.pdf`), formulas (`SUM(A1)`) and code in
//! other languages (`self.document.write(x)`, `sock.settimeout(t)`) do not.
//!
//! ```text
//! alert(1)                     run: alert ( 1 )          sink called  -> hit
//! ';alert(1)//   (after ')     ; | alert ( 1 ) | //      breakout     -> hit
//! please confirm(yes) today    please|confirm (yes)|today  prose      -> pass
//! ```

use super::text::{at, is_space, sub, tail};
use crate::engine::bytes::{eq_ci, hex, starts_ci};

/// Where the analysed text sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// In script code (or after `javascript:` in a value): a run must do
    /// something a script injection does.
    Code,
    /// Just after the quote that closed a string literal the value sat in:
    /// the first token must be an operator (`';`, `'-`, `")`); then as
    /// `Code`, and a complete call followed by a comment that eats the rest
    /// of the line (`';f()//`) counts too.
    Breakout,
    /// The whole of an event-handler value or script URL: any call, sink or
    /// member access on a sink object counts.
    Value,
}

/// Sink classes of a name.
const FN: u8 = 1;
const OBJ: u8 = 2;
const PROP: u8 = 4;
const WEAK_OBJ: u8 = 8;
const WEAK_PROP: u8 = 16;
const CALL_ONLY: u8 = 32;
const CTOR: u8 = 64;
const GLOBAL_ONLY: u8 = 128;

/// What an identifier (escapes decoded; JavaScript is case-sensitive, so
/// `settimeout` in Python or `EVAL` in prose is not a sink) is to an
/// injected script:
/// * `FN`: a function whose call, or whose use as a value next to a call,
///   is the signature of an injection (`alert`, `eval`, `setTimeout`,
///   `Function`, `fromCharCode`, `constructor`, …);
/// * `OBJ`: a global object an injected script reaches into (`document`,
///   `window`, `location`, `globalThis`);
/// * `WEAK_OBJ`: a global whose name is also ordinary code (`self.x()` in
///   Python, `parent[k]`, `location.endswith(…)`): counts only when a
///   computed member of it is called (`top['al'+'ert'](1)`);
/// * `PROP`: a property an injected script writes markup through
///   (`innerHTML`, `outerHTML`, `srcdoc`);
/// * `WEAK_PROP`: a property that counts only on a sink object
///   (`document.cookie`, `document.domain`; `cookie.domain` is ordinary);
/// * `CALL_ONLY`: a function name that is also a common variable name
///   (`prompt`): counts when called, not when passed around;
/// * `CTOR`: `Function`, which counts after `new` or when given a string
///   (`Function('alert(1)')`), not as a class name in other languages;
/// * `GLOBAL_ONLY`: a function that is a sink as a global but an ordinary
///   method name (`cursor.fetch()`, `db.eval()`, `inquirer.prompt()`).
fn sink_kind(name: &[u8]) -> u8 {
    match name {
        b"eval" | b"fetch" | b"atob" | b"btoa" => FN | GLOBAL_ONLY,
        // A keyword: only `import(…)` (dynamic import) runs anything;
        // `[--import](https://…)` is a Markdown link to an option.
        b"import" => FN | CALL_ONLY | GLOBAL_ONLY,
        b"alert"
        | b"confirm"
        | b"setTimeout"
        | b"setInterval"
        | b"setImmediate"
        | b"execScript"
        | b"fromCharCode"
        | b"importScripts"
        | b"XMLHttpRequest"
        | b"ActiveXObject"
        | b"constructor"
        | b"globalEval"
        | b"insertAdjacentHTML"
        | b"createContextualFragment" => FN,
        b"prompt" => FN | CALL_ONLY | GLOBAL_ONLY,
        b"Function" => FN | CTOR,
        // VBScript is case-insensitive.
        _ if eq_ci(name, b"msgbox") => FN,
        b"document" | b"window" | b"globalThis" => OBJ,
        b"top" | b"self" | b"parent" | b"frames" | b"opener" | b"navigator" | b"Reflect" => {
            WEAK_OBJ
        }
        b"location" => WEAK_OBJ | WEAK_PROP,
        b"cookie" | b"domain" => WEAK_PROP,
        b"innerHTML" | b"outerHTML" | b"srcdoc" => PROP,
        _ => 0,
    }
}

/// Every name [`sink_kind`] knows, plus the script schemes.
const SINK_WORDS: &[&[u8]] = &[
    b"alert",
    b"prompt",
    b"confirm",
    b"eval",
    b"Function",
    b"setTimeout",
    b"setInterval",
    b"setImmediate",
    b"execScript",
    b"msgbox",
    b"fromCharCode",
    b"atob",
    b"btoa",
    b"import",
    b"importScripts",
    b"fetch",
    b"XMLHttpRequest",
    b"ActiveXObject",
    b"constructor",
    b"globalEval",
    b"insertAdjacentHTML",
    b"createContextualFragment",
    b"document",
    b"window",
    b"top",
    b"self",
    b"parent",
    b"frames",
    b"opener",
    b"globalThis",
    b"navigator",
    b"Reflect",
    b"location",
    b"cookie",
    b"innerHTML",
    b"outerHTML",
    b"domain",
    b"srcdoc",
    b"javascript",
    b"vbscript",
];

/// For each pair of first letters (`a`..`z` × `a`..`z`), the set of lengths
/// (bit n = length n) of the [`SINK_WORDS`] that start with it.
static SINK_PREFIX: [u32; 676] = sink_prefix_table();

// Evaluated by the compiler: an out-of-range index is a build error, not a
// runtime panic.
#[allow(clippy::indexing_slicing)]
const fn sink_prefix_table() -> [u32; 676] {
    let mut t = [0u32; 676];
    let mut k = 0;
    while k < SINK_WORDS.len() {
        let w = SINK_WORDS[k];
        let idx = (w[0].to_ascii_lowercase() - b'a') as usize * 26
            + (w[1].to_ascii_lowercase() - b'a') as usize;
        t[idx] |= 1 << w.len();
        k += 1;
    }
    t
}

/// True unless `s` certainly names no sink: no `\u` escape (which can
/// spell any identifier) and no run of letters that is a sink name or
/// `javascript` / `vbscript`. A fraction of the cost of [`analyze`], whose
/// `Code` verdicts all need a sink.
pub(super) fn may_have_sink(s: &[u8]) -> bool {
    let mut start = 0;
    let mut in_word = false;
    for (i, &c) in s.iter().enumerate() {
        if c.is_ascii_alphabetic() {
            if !in_word {
                start = i;
                in_word = true;
            }
        } else {
            if in_word {
                in_word = false;
                if sink_word(sub(s, start, i)) {
                    return true;
                }
            }
            if c == b'\\' && at(s, i + 1) == b'u' {
                return true;
            }
        }
    }
    in_word && sink_word(tail(s, start))
}

/// A letter run that is one of [`SINK_WORDS`] (the schemes and `msgbox`
/// in any case).
fn sink_word(w: &[u8]) -> bool {
    let (Some(&a), Some(&b)) = (w.first(), w.get(1)) else {
        return false;
    };
    let idx = usize::from(a.to_ascii_lowercase().wrapping_sub(b'a')) * 26
        + usize::from(b.to_ascii_lowercase().wrapping_sub(b'a'));
    let lens = SINK_PREFIX.get(idx).copied().unwrap_or(0);
    if w.len() >= 32 || lens & (1 << w.len()) == 0 {
        return false;
    }
    sink_kind(w) != 0 || eq_ci(w, b"javascript") || eq_ci(w, b"vbscript")
}

/// Reserved words (case-sensitive, as in JavaScript): `Some(true)` for the
/// ones that may follow an operand (`a in b`).
fn keyword(word: &[u8]) -> Option<bool> {
    match word {
        b"in" | b"of" | b"instanceof" => Some(true),
        b"break" | b"case" | b"catch" | b"class" | b"const" | b"continue" | b"debugger"
        | b"default" | b"delete" | b"do" | b"else" | b"export" | b"extends" | b"finally"
        | b"for" | b"function" | b"if" | b"let" | b"new" | b"return" | b"switch" | b"throw"
        | b"try" | b"typeof" | b"var" | b"void" | b"while" | b"with" | b"yield" | b"await"
        | b"async" => Some(false),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum P {
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Semi,
    Comma,
    Dot,
    Assign,
    /// `>` (a hard boundary in code read out of HTML).
    Gt,
    Op,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Ident,
    Keyword { suffix: bool },
    Number,
    Str { terminated: bool },
    TplFull,
    TplHead,
    TplMiddle,
    TplTail,
    Regex,
    Punct(P),
    Newline,
    LineComment,
    BlockComment,
    Error,
    End,
}

#[derive(Clone, Copy, Debug)]
struct Tok {
    kind: Kind,
    start: usize,
    end: usize,
    /// Whitespace separates this token from the previous one.
    ws_before: bool,
}

/// Deepest `${` nesting followed.
const MAX_TPL: usize = 8;

/// Longest regular expression literal recognised.
const MAX_REGEX: usize = 256;

struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
    /// A `/` here starts a regular expression (set by the analyser).
    regex_ok: bool,
    /// Only whitespace since the last line break (for `-->` comments).
    line_start: bool,
    /// Brace depth inside each open `${`.
    tpl: [u32; MAX_TPL],
    tpl_n: usize,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80
}

fn is_ident_part(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit()
}

impl<'a> Lexer<'a> {
    fn new(s: &'a [u8]) -> Lexer<'a> {
        Lexer {
            s,
            pos: 0,
            regex_ok: true,
            line_start: true,
            tpl: [0; MAX_TPL],
            tpl_n: 0,
        }
    }

    fn c(&self, k: usize) -> u8 {
        at(self.s, self.pos + k)
    }

    /// Template characters after `` ` `` or a closing `}`: up to the closing
    /// `` ` `` or the next `${`. `first` tells the kinds to report.
    fn template_body(&mut self, first: bool) -> Kind {
        while self.pos < self.s.len() {
            match self.c(0) {
                b'\\' => self.pos += 2,
                b'`' => {
                    self.pos += 1;
                    return if first { Kind::TplFull } else { Kind::TplTail };
                }
                b'$' if self.c(1) == b'{' && self.tpl_n < MAX_TPL => {
                    self.pos += 2;
                    if let Some(d) = self.tpl.get_mut(self.tpl_n) {
                        *d = 0;
                    }
                    self.tpl_n += 1;
                    return if first {
                        Kind::TplHead
                    } else {
                        Kind::TplMiddle
                    };
                }
                _ => self.pos += 1,
            }
        }
        self.pos = self.s.len();
        if first {
            Kind::TplFull
        } else {
            Kind::TplTail
        }
    }

    /// A regular expression literal at `/`; `false` (nothing consumed) when
    /// the line ends before its closing `/`, or it would be longer than
    /// [`MAX_REGEX`] (a failed attempt is retried at the next `/`: the cap
    /// keeps `=/[=/[…` linear).
    fn regex(&mut self) -> bool {
        let mut j = self.pos + 1;
        let mut class = false;
        loop {
            match at(self.s, j) {
                _ if j >= self.s.len() || j - self.pos > MAX_REGEX => return false,
                b'\n' | b'\r' => return false,
                b'\\' => j += 2,
                b'[' => {
                    class = true;
                    j += 1;
                }
                b']' => {
                    class = false;
                    j += 1;
                }
                b'/' if !class => break,
                _ => j += 1,
            }
        }
        j += 1;
        while at(self.s, j).is_ascii_alphabetic() {
            j += 1;
        }
        self.pos = j;
        true
    }

    fn punct(&mut self) -> Kind {
        let (c0, c1, c2) = (self.c(0), self.c(1), self.c(2));
        let (p, len) = match c0 {
            b'(' => (P::LParen, 1),
            b')' => (P::RParen, 1),
            b'[' => (P::LBracket, 1),
            b']' => (P::RBracket, 1),
            b'{' => (P::LBrace, 1),
            b'}' => (P::RBrace, 1),
            b';' => (P::Semi, 1),
            b',' => (P::Comma, 1),
            b'.' if c1 == b'.' && c2 == b'.' => (P::Op, 3),
            b'.' => (P::Dot, 1),
            b'?' if c1 == b'.' && !c2.is_ascii_digit() => (P::Dot, 2),
            b'?' if c1 == b'?' && c2 == b'=' => (P::Assign, 3),
            b'?' if c1 == b'?' => (P::Op, 2),
            b'=' if c1 == b'=' && c2 == b'=' => (P::Op, 3),
            b'=' if c1 == b'=' || c1 == b'>' => (P::Op, 2),
            b'=' => (P::Assign, 1),
            b'!' if c1 == b'=' && c2 == b'=' => (P::Op, 3),
            b'!' if c1 == b'=' => (P::Op, 2),
            b'<' | b'>' => {
                let mut n = 1;
                while n < 3 && self.c(n) == c0 {
                    n += 1;
                }
                if self.c(n) == b'=' {
                    (if n == 1 { P::Op } else { P::Assign }, n + 1)
                } else if n == 1 && c0 == b'>' {
                    (P::Gt, 1)
                } else {
                    (P::Op, n)
                }
            }
            b'+' | b'-' if c1 == c0 => (P::Op, 2),
            b'*' if c1 == b'*' && c2 == b'=' => (P::Assign, 3),
            b'*' if c1 == b'*' => (P::Op, 2),
            b'&' | b'|' if c1 == c0 && c2 == b'=' => (P::Assign, 3),
            b'&' | b'|' if c1 == c0 => (P::Op, 2),
            b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'&' | b'|' if c1 == b'=' => (P::Assign, 2),
            b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'&' | b'|' | b'~' | b'!' | b'?' | b':' => {
                (P::Op, 1)
            }
            _ => {
                self.pos += 1;
                return Kind::Error;
            }
        };
        self.pos += len;
        Kind::Punct(p)
    }

    fn next(&mut self) -> Tok {
        let mut ws_before = false;
        loop {
            let start = self.pos;
            if start >= self.s.len() {
                return Tok {
                    kind: Kind::End,
                    start,
                    end: start,
                    ws_before,
                };
            }
            let c = self.c(0);
            let kind = match c {
                b'\n' | b'\r' => {
                    self.pos += 1;
                    self.line_start = true;
                    Kind::Newline
                }
                _ if is_space(c) => {
                    self.pos += 1;
                    ws_before = true;
                    continue;
                }
                b'/' if self.c(1) == b'/' => self.line_comment(),
                b'<' if self.c(1) == b'!' && self.c(2) == b'-' && self.c(3) == b'-' => {
                    self.line_comment()
                }
                b'-' if self.line_start && self.c(1) == b'-' && self.c(2) == b'>' => {
                    self.line_comment()
                }
                b'/' if self.c(1) == b'*' => {
                    let mut j = self.pos + 2;
                    while j < self.s.len() && !(at(self.s, j) == b'*' && at(self.s, j + 1) == b'/')
                    {
                        j += 1;
                    }
                    self.pos = (j + 2).min(self.s.len());
                    Kind::BlockComment
                }
                b'\'' | b'"' => {
                    let mut j = self.pos + 1;
                    let mut terminated = false;
                    while j < self.s.len() {
                        match at(self.s, j) {
                            b'\\' => j += 2,
                            b'\n' | b'\r' => break,
                            q if q == c => {
                                terminated = true;
                                j += 1;
                                break;
                            }
                            _ => j += 1,
                        }
                    }
                    self.pos = j.min(self.s.len());
                    Kind::Str { terminated }
                }
                b'`' => {
                    self.pos += 1;
                    self.template_body(true)
                }
                b'}' if self.tpl_n > 0 => {
                    let top = self.tpl_n - 1;
                    match self.tpl.get_mut(top) {
                        Some(d) if *d > 0 => {
                            *d -= 1;
                            self.pos += 1;
                            Kind::Punct(P::RBrace)
                        }
                        _ => {
                            self.tpl_n = top;
                            self.pos += 1;
                            self.template_body(false)
                        }
                    }
                }
                b'{' if self.tpl_n > 0 => {
                    if let Some(d) = self.tpl.get_mut(self.tpl_n - 1) {
                        *d = d.saturating_add(1);
                    }
                    self.pos += 1;
                    Kind::Punct(P::LBrace)
                }
                b'0'..=b'9' => {
                    self.number();
                    Kind::Number
                }
                b'.' if self.c(1).is_ascii_digit() => {
                    self.number();
                    Kind::Number
                }
                b'/' if self.regex_ok && self.regex() => Kind::Regex,
                _ if is_ident_start(c) || (c == b'\\' && self.c(1) == b'u') => {
                    self.ident();
                    match keyword(sub(self.s, start, self.pos)) {
                        Some(suffix) => Kind::Keyword { suffix },
                        None => Kind::Ident,
                    }
                }
                _ => self.punct(),
            };
            if kind != Kind::Newline {
                self.line_start = false;
            }
            return Tok {
                kind,
                start,
                end: self.pos,
                ws_before,
            };
        }
    }

    fn line_comment(&mut self) -> Kind {
        while self.pos < self.s.len() && !matches!(self.c(0), b'\n' | b'\r') {
            self.pos += 1;
        }
        Kind::LineComment
    }

    fn number(&mut self) {
        self.pos += 1;
        while self.pos < self.s.len() {
            let c = self.c(0);
            if c.is_ascii_alphanumeric() || c == b'_' || (c == b'.' && self.c(1).is_ascii_digit()) {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn ident(&mut self) {
        while self.pos < self.s.len() {
            let c = self.c(0);
            if c == b'\\' && self.c(1) == b'u' {
                self.pos += 2;
                if self.c(0) == b'{' {
                    while self.pos < self.s.len()
                        && self.c(0) != b'}'
                        && self.c(0).is_ascii_hexdigit()
                    {
                        self.pos += 1;
                    }
                    if self.c(0) == b'}' {
                        self.pos += 1;
                    }
                }
            } else if is_ident_part(c) {
                self.pos += 1;
            } else {
                break;
            }
        }
    }
}

/// The identifier `raw` with `\uXXXX` / `\u{…}` escapes decoded, in
/// `buf`; `None` when it is too long or not ASCII (then it
/// cannot be a sink name).
fn ident_name<'b>(raw: &[u8], buf: &'b mut [u8; 32]) -> Option<&'b [u8]> {
    let mut n = 0;
    let mut i = 0;
    while i < raw.len() {
        let mut c = at(raw, i);
        if c == b'\\' && at(raw, i + 1) == b'u' {
            let mut j = i + 2;
            let mut cp: u32 = 0;
            if at(raw, j) == b'{' {
                j += 1;
                while let Some(d) = hex::val(at(raw, j)) {
                    cp = cp.saturating_mul(16).saturating_add(u32::from(d));
                    j += 1;
                }
                j += 1;
            } else {
                cp = hex::fixed(raw, j, 4)?;
                j += 4;
            }
            c = u8::try_from(cp).ok().filter(u8::is_ascii)?;
            i = j;
        } else {
            i += 1;
        }
        if c >= 0x80 {
            return None;
        }
        *buf.get_mut(n)? = c;
        n += 1;
    }
    buf.get(..n)
}

/// What the previous significant token was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prev {
    /// Start of a run (or after a hard boundary).
    Start,
    /// An operand. `callee`: an identifier, `)` or `]` (a following `(` or
    /// template is a call). `obj`: it is a sink object (`document`,
    /// `(window)`): 2, a weak one (`top`): 1, a computed member of a weak
    /// one (`top['al'+'ert']`): 3.
    Operand { callee: bool, obj: u8 },
    /// An operator or opening bracket; `dot` after `.`/`?.`, `index` after
    /// `[`.
    Op { dot: bool, index: bool },
    /// A keyword (`new`, `typeof`, `return`, …); `decl` for `function` and
    /// `class`, whose next name is declared, not called.
    Keyword { decl: bool, new: bool },
}

#[derive(Clone, Copy, Debug, Default)]
struct Run {
    start: usize,
    clean: bool,
    fn_sink: bool,
    obj_member: bool,
    prop_sink: bool,
    call: bool,
    assign: bool,
    script_str: bool,
    /// `(` / `[` nesting.
    depth: u32,
    /// The nesting of an open `[` indexing a weak sink object (`top[`).
    weak_index: Option<u32>,
    /// Bit n: the `(` at nesting n+1 opened a call (its `)` does not carry
    /// a sink object out: `f(location)[0]`).
    call_parens: u64,
    /// A property that counts only on a sink object was read.
    weak_prop: bool,
    /// A `CALL_ONLY` / `CTOR` name was just seen (1), then its `(` (2).
    pending: u8,
    pending_ctor: bool,
    /// The last operand was the property `.call` / `.apply`: a template
    /// right after it invokes the function without parentheses.
    invoker: bool,
}

impl Run {
    fn new(start: usize, clean: bool) -> Run {
        Run {
            start,
            clean,
            ..Run::default()
        }
    }

    fn verdict(&self, mode: Mode, comment_tail: bool) -> bool {
        if !self.clean {
            return false;
        }
        let code = (self.fn_sink && self.call)
            || (self.obj_member && (self.call || self.assign || self.prop_sink || self.weak_prop))
            || (self.prop_sink && self.assign)
            || (self.script_str && self.call);
        match mode {
            Mode::Code => code,
            // `';f(1)//`: a complete call and a comment eating the rest.
            Mode::Breakout => code || (self.call && self.depth == 0 && comment_tail),
            // Any call, sink or sink object; a bare assignment is not
            // script enough (`onboarding=true&online=false`).
            Mode::Value => code || self.call || self.fn_sink || self.obj_member || self.script_str,
        }
    }
}

/// A name in a sink list, with the property position taken into account:
/// the object strength (2 sink object, 1 weak, 0 none).
fn note_name(run: &mut Run, name: &[u8], property: bool) -> u8 {
    let mut k = sink_kind(name);
    if property && k & GLOBAL_ONLY != 0 {
        k = 0;
    }
    if k & (CALL_ONLY | CTOR) != 0 {
        run.pending = 1;
        run.pending_ctor = k & CTOR != 0;
    } else if k & FN != 0 {
        run.fn_sink = true;
    }
    if property && k & PROP != 0 {
        run.prop_sink = true;
    }
    if property && k & WEAK_PROP != 0 {
        run.weak_prop = true;
    }
    if property {
        // `self.document.createElement(…)`: an attribute that happens to
        // share a global's name.
        0
    } else if k & OBJ != 0 {
        2
    } else if k & WEAK_OBJ != 0 {
        1
    } else {
        0
    }
}

/// The content of a string token (without quotes).
fn str_content<'a>(s: &'a [u8], t: &Tok) -> &'a [u8] {
    let end = match t.kind {
        Kind::Str { terminated: true } => t.end.saturating_sub(1),
        _ => t.end,
    };
    sub(s, t.start + 1, end)
}

/// In [`Mode::Breakout`] the value must continue the expression it broke
/// out of: the first token is an operator or a keyword with a suffix, not
/// an opening bracket or an operand.
#[inline]
fn breakout_start_ok(t: &Tok) -> bool {
    match t.kind {
        Kind::Punct(p) => !matches!(p, P::LParen | P::LBracket | P::LBrace | P::Dot),
        Kind::Keyword { suffix } => suffix,
        _ => false,
    }
}

/// A token that ends the run: it is judged and a clean one starts.
#[inline]
fn is_hard_boundary(t: &Tok, mode: Mode, scheme_colon: bool) -> bool {
    scheme_colon
        || match t.kind {
            Kind::Newline | Kind::End | Kind::Error | Kind::LineComment => true,
            Kind::Punct(P::Semi | P::LBrace | P::RBrace) => true,
            Kind::Punct(P::Gt) => mode != Mode::Breakout,
            Kind::Str { terminated: false } => true,
            _ => false,
        }
}

/// A token that is a value (two side by side are prose, not code).
#[inline]
fn is_operand(t: &Tok) -> bool {
    matches!(
        t.kind,
        Kind::Ident | Kind::Number | Kind::Str { .. } | Kind::TplFull | Kind::TplHead | Kind::Regex
    )
}

const OP: Prev = Prev::Op {
    dot: false,
    index: false,
};

const PLAIN_OPERAND: Prev = Prev::Operand {
    callee: false,
    obj: 0,
};

/// The per-token steps of [`analyze`]: each reads one token into the run
/// and says what the next token follows.
impl Run {
    /// The token after a `prompt` / `Function` name decides whether it
    /// counts: `prompt(`, `Function('…')`.
    #[inline]
    fn settle_pending(&mut self, t: &Tok) {
        let pending = std::mem::take(&mut self.pending);
        match (pending, t.kind) {
            (1, Kind::Punct(P::LParen)) if !t.ws_before => {
                if self.pending_ctor {
                    self.pending = 2;
                } else {
                    self.fn_sink = true;
                }
            }
            (1, Kind::TplFull | Kind::TplHead) => self.fn_sink = true,
            (2, Kind::Str { .. } | Kind::TplFull | Kind::TplHead) => self.fn_sink = true,
            _ => {}
        }
    }

    /// The token right after an operand: a tagged template is a call; a
    /// second operand is prose, and the run ends softly (what follows is
    /// not clean until a hard boundary). The new `prev`.
    #[inline]
    fn after_operand(&mut self, prev: Prev, t: &Tok) -> Prev {
        let Prev::Operand { callee, .. } = prev else {
            return prev;
        };
        // `f`x`` is a call; with a space only when the template has a
        // substitution (prose quotes code with backticks, not `${`).
        let tagged =
            callee && (t.kind == Kind::TplHead || (t.kind == Kind::TplFull && !t.ws_before));
        let keyword_ok = matches!(t.kind, Kind::Keyword { suffix: true });
        if tagged {
            self.call = true;
            // `Reflect.apply.call`…``, `x.call`${f}``: Function.prototype
            // call / apply invoked by a tagged template, a call written
            // without parentheses; template tags in real code are
            // functions (`styled.div`, `gql`, `html`), never `.call`.
            if self.invoker {
                self.fn_sink = true;
            }
        } else if (is_operand(t) || matches!(t.kind, Kind::Keyword { .. })) && !keyword_ok {
            *self = Run::new(t.start, false);
            return Prev::Start;
        }
        prev
    }

    /// Reads token `t` (not a hard boundary): the new `prev`.
    #[inline]
    fn read(&mut self, prev: Prev, s: &[u8], t: &Tok) -> Prev {
        match t.kind {
            Kind::Ident => self.read_ident(prev, s, t),
            Kind::Keyword { .. } => Prev::Keyword {
                decl: matches!(sub(s, t.start, t.end), b"function" | b"class"),
                new: sub(s, t.start, t.end) == b"new",
            },
            Kind::Number | Kind::Regex => PLAIN_OPERAND,
            // A (tagged) template's result can be tagged or called again:
            // `Function`alert\x281\x29```.
            Kind::TplFull | Kind::TplTail => Prev::Operand {
                callee: true,
                obj: 0,
            },
            Kind::Str { .. } => self.read_str(prev, s, t),
            Kind::TplHead | Kind::TplMiddle => OP,
            Kind::Punct(p) => self.read_punct(prev, t, p),
            Kind::BlockComment => prev,
            // Hard boundaries are handled by the caller.
            _ => Prev::Start,
        }
    }

    /// An identifier: a sink name, a sink object, or a plain name.
    #[inline]
    fn read_ident(&mut self, prev: Prev, s: &[u8], t: &Tok) -> Prev {
        let mut buf = [0u8; 32];
        let property = matches!(prev, Prev::Op { dot: true, .. });
        let raw = sub(s, t.start, t.end);
        // Sink names are 3 to 24 letters; longer raw names may
        // hold `\u` escapes.
        let maybe = raw.len() >= 3 && (raw.len() <= 24 || raw.contains(&b'\\'));
        let name = if maybe {
            ident_name(raw, &mut buf)
        } else {
            None
        };
        self.invoker = property && matches!(name, Some(b"call" | b"apply"));
        let obj = match name {
            Some(name) => {
                let o = note_name(self, name, property);
                if name == b"Function" && matches!(prev, Prev::Keyword { new: true, .. }) {
                    self.fn_sink = true;
                }
                o
            }
            None => 0,
        };
        Prev::Operand {
            callee: !matches!(prev, Prev::Keyword { decl: true, .. }),
            obj,
        }
    }

    /// A string: a computed member name (`top['alert']`) or a script URL.
    #[inline]
    fn read_str(&mut self, prev: Prev, s: &[u8], t: &Tok) -> Prev {
        let content = str_content(s, t);
        if matches!(prev, Prev::Op { index: true, .. }) {
            let mut buf = [0u8; 32];
            if let Some(name) = ident_name(content, &mut buf) {
                note_name(self, name, true);
            }
        }
        let trimmed = content.trim_ascii_start();
        if starts_ci(trimmed, b"javascript:") || starts_ci(trimmed, b"vbscript:") {
            self.script_str = true;
        }
        PLAIN_OPERAND
    }

    /// Punctuation: calls, grouping, member access, assignment.
    #[inline]
    fn read_punct(&mut self, prev: Prev, t: &Tok, p: P) -> Prev {
        match p {
            P::LParen => self.open_paren(prev, t),
            P::RParen => {
                self.depth = self.depth.saturating_sub(1);
                // `(document)[…]` carries the object out of a group, not
                // out of an argument list (`f(location)[0]`).
                let group =
                    self.call_parens & 1u64.checked_shl(self.depth).unwrap_or(u64::MAX) == 0;
                Prev::Operand {
                    callee: true,
                    obj: match prev {
                        Prev::Operand { obj, .. } if group => obj,
                        _ => 0,
                    },
                }
            }
            P::RBracket => {
                let closes_weak = self.weak_index == Some(self.depth);
                if closes_weak {
                    self.weak_index = None;
                }
                self.depth = self.depth.saturating_sub(1);
                Prev::Operand {
                    callee: true,
                    obj: if closes_weak { 3 } else { 0 },
                }
            }
            P::LBracket | P::Dot => {
                if p == P::LBracket {
                    self.depth = self.depth.saturating_add(1);
                }
                if let Prev::Operand { obj, .. } = prev {
                    if obj == 2 {
                        self.obj_member = true;
                    } else if obj == 1 && p == P::LBracket && self.weak_index.is_none() {
                        self.weak_index = Some(self.depth);
                    }
                }
                Prev::Op {
                    dot: p == P::Dot,
                    index: p == P::LBracket,
                }
            }
            P::Assign => {
                self.assign = true;
                OP
            }
            _ => OP,
        }
    }

    /// `(`: a call when it follows a callee with no space, else a group.
    #[inline]
    fn open_paren(&mut self, prev: Prev, t: &Tok) -> Prev {
        let mut is_call = false;
        if let Prev::Operand { callee: true, obj } = prev {
            if !t.ws_before {
                is_call = true;
                self.call = true;
                // `top['al'+'ert'](1)`: a computed member of a
                // weak sink object, called.
                if obj == 3 {
                    self.obj_member = true;
                }
            }
        }
        let bit = 1u64.checked_shl(self.depth).unwrap_or(0);
        if is_call {
            self.call_parens |= bit;
        } else {
            self.call_parens &= !bit;
        }
        self.depth = self.depth.saturating_add(1);
        OP
    }
}

/// Analyses `s` as script in `mode`: the span of the first run that does
/// what an injected script does.
pub(super) fn analyze(s: &[u8], mode: Mode) -> Option<(usize, usize)> {
    let mut lx = Lexer::new(s);
    let mut run = Run::new(0, true);
    let mut prev = Prev::Start;
    let mut first = mode == Mode::Breakout;
    let mut after_scheme = false;
    loop {
        lx.regex_ok = !matches!(prev, Prev::Operand { .. });
        let t = lx.next();
        if first && !matches!(t.kind, Kind::BlockComment) {
            first = false;
            if !breakout_start_ok(&t) {
                return None;
            }
        }
        // `javascript:` starts a script wherever it appears
        // (`#goto,javascript:alert(1)`): a hard boundary.
        let scheme_colon = after_scheme && sub(s, t.start, t.end) == b":";
        after_scheme = t.kind == Kind::Ident && {
            let w = sub(s, t.start, t.end);
            eq_ci(w, b"javascript") || eq_ci(w, b"vbscript")
        };
        // Hard boundaries: evaluate the run, start a clean one.
        if is_hard_boundary(&t, mode, scheme_colon) {
            let comment = t.kind == Kind::LineComment;
            if run.verdict(mode, comment) {
                return Some((run.start, t.start.max(run.start)));
            }
            if t.kind == Kind::End {
                return None;
            }
            // After a byte that is not JavaScript (`#`, `@`, `\`) what
            // follows is not clean code (`#path(self.x)`, `@decorator(…)`).
            run = Run::new(t.end, t.kind != Kind::Error || scheme_colon);
            prev = Prev::Start;
            continue;
        }
        run.settle_pending(&t);
        prev = run.after_operand(prev, &t);
        prev = run.read(prev, s, &t);
    }
}

/// JSFuck and friends: a run of at least 12 bytes drawn from `[]()!+` (and
/// spaces) with at least three `[]` pairs and a `!`. No text writes that.
pub(super) fn jsfuck(s: &[u8]) -> Option<(usize, usize)> {
    let mut start = 0;
    let mut len = 0usize;
    let mut pairs = 0usize;
    let mut bang = false;
    for (i, &c) in s.iter().enumerate() {
        match c {
            b'[' | b']' | b'(' | b')' | b'!' | b'+' => {
                if len == 0 {
                    start = i;
                    pairs = 0;
                    bang = false;
                }
                len += 1;
                if c == b']' && at(s, i.wrapping_sub(1)) == b'[' {
                    pairs += 1;
                }
                bang |= c == b'!';
                if len >= 12 && pairs >= 3 && bang {
                    return Some((start, i + 1));
                }
            }
            b' ' if len > 0 => {}
            _ => len = 0,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after_first(s: &[u8], q: u8) -> Option<&[u8]> {
        s.iter().position(|&c| c == q).map(|p| tail(s, p + 1))
    }

    fn code(s: &str) -> bool {
        analyze(s.as_bytes(), Mode::Code).is_some()
    }
    fn brk(s: &str) -> bool {
        after_first(s.as_bytes(), b'\'')
            .or_else(|| after_first(s.as_bytes(), b'"'))
            .is_some_and(|r| analyze(r, Mode::Breakout).is_some())
    }

    #[test]
    fn code_runs() {
        assert!(code("alert(1)"));
        assert!(code("al\\u0065rt(1)"));
        assert!(code("top['al'+'ert'](1)"));
        assert!(code("(alert)(1)"));
        assert!(code("a=alert,a(1)"));
        assert!(code("[1].find(alert)"));
        assert!(code("alert`1`"));
        assert!(code("document.cookie"));
        assert!(code("(document)[\"cookie\"]"));
        assert!(code("x {{constructor.constructor('alert(1)')()}} y"));
        assert!(code("javascript:alert(1)//"));
        assert!(code("[].sort.call`${alert}1337`"));
        assert!(code("foo bar; alert(1)"));
        assert!(!code("please confirm(yes) the order"));
        assert!(!code("document.pdf"));
        assert!(!code("SUM(A1:A3)"));
        assert!(!code("JavaScript: Basics of JavaScript Language"));
        assert!(!code("confirm (yes)"));
        assert!(!code("it's fine (really)"));
        assert!(!code("alert(1) click here"));
    }

    #[test]
    fn breakouts() {
        assert!(brk("';alert(1)//"));
        assert!(brk("'-alert(1)-'"));
        assert!(brk("\"-prompt(8)-\""));
        assert!(brk("\\';alert(1)//"));
        assert!(brk("x';foo(1)//"));
        assert!(brk("'}alert(1);{'"));
        assert!(!brk("O'Brien"));
        assert!(!brk("it's 5\" - size(xl)"));
        assert!(!brk("\"ALASKA\" + 1978"));
        assert!(!brk("MATS 5\" BY 7\""));
    }

    #[test]
    fn sink_tables_agree() {
        for w in SINK_WORDS {
            assert!(
                sink_kind(w) != 0 || *w == b"javascript" || *w == b"vbscript",
                "{}",
                String::from_utf8_lossy(w)
            );
            assert!(sink_word(w) && may_have_sink(w));
        }
        assert!(!may_have_sink(
            b"please open the file (see below) and save it"
        ));
        assert!(may_have_sink(b"x = al\\u0065rt"));
    }

    #[test]
    fn jsfuck_runs() {
        assert!(jsfuck(b"(![]+[])[+[]]+(![]+[])[+!+[]]").is_some());
        assert!(jsfuck(b"a [b] (c) !").is_none());
    }
}
