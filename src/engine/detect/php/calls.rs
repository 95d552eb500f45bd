//! PHP calls: a listed function called with code, as a statement or
//! through obfuscated layout; variable functions (`$a(…)`, `$_GET[0](…)`,
//! `${'a'}(…)`); dynamic callees that fold to a command function
//! (`(sy.(st).em)('id')`, `[system][0](ls)`, `'sys'.'tem'`); callbacks
//! (`array_map('system', …)`); `preg_replace` with the `/e` modifier.
//!
//! Every reading starts at a `(` and walks back over the callee, so a word
//! without an argument list never counts, and each `(` costs a bounded
//! walk (bracket partners come from one [`Pairs`] pass).

use std::cell::OnceCell;

use super::lex::{
    at, before, gap_back, gap_fwd, ident_back, ident_end, ident_start, is_ident, string_end,
    string_start, Gap, Pairs,
};
use super::names::{function, listed, Tier, CALLABLE, CASTS, EXPR_WORDS, SUPERGLOBALS};
use crate::engine::detect::Hit;

/// Longest argument stretch read for callback names and the `/e` modifier.
const ARG_WINDOW: usize = 256;

/// Longest folded callee name.
const MAX_NAME: usize = 48;

/// The first argument of a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arg {
    /// `()`.
    Empty,
    /// `$x`, `$$x`, `${…}`; `superglobal` for `$_GET` and friends.
    Var {
        superglobal: bool,
    },
    /// A string literal.
    Str,
    /// A nested call `f(`.
    Call,
    /// A backtick command.
    Backtick,
    /// The error-suppression operator `@`.
    At,
    /// A bare word or number; `single` when the argument list ends after it.
    Bare {
        single: bool,
    },
    Other,
}

/// What stands before the `(`.
enum Callee {
    /// A function name `v[s..e]`.
    Name { s: usize, e: usize },
    /// A variable `$…` starting at `s` (with `$$`, `${…}`, index chains).
    Var { s: usize, odd: bool },
    /// Another expression `v[s..e]` (groups, strings, concatenations).
    Dynamic { s: usize, e: usize },
}

/// The call readings over one value.
pub(super) struct Calls<'a> {
    v: &'a [u8],
    pairs: OnceCell<Pairs>,
    extra: &'a [Vec<u8>],
}

fn code_hit(s: usize, e: usize, reason: &'static str) -> Hit {
    Hit::new("php.code", reason, s, e)
}

impl<'a> Calls<'a> {
    pub fn new(v: &'a [u8], extra: &'a [Vec<u8>]) -> Calls<'a> {
        Calls {
            v,
            pairs: OnceCell::new(),
            extra,
        }
    }

    fn pairs(&self) -> &Pairs {
        self.pairs.get_or_init(|| Pairs::new(self.v))
    }

    /// A configured extra code-running function.
    fn extra_fn(&self, w: &[u8]) -> bool {
        self.extra.iter().any(|x| x.eq_ignore_ascii_case(w))
    }

    /// A function that runs code when named in a string.
    fn callable(&self, w: &[u8]) -> bool {
        listed(w, CALLABLE) || self.extra_fn(w)
    }

    /// The first call reading that matches.
    pub fn scan(&self) -> Option<Hit> {
        let v = self.v;
        let mut from = 0;
        while let Some(off) = v.get(from..)?.iter().position(|&b| b == b'(') {
            let p = from + off;
            from = p + 1;
            if let Some(h) = self.call_at(p) {
                return Some(h);
            }
        }
        self.concat_names()
    }

    /// The readings of the call whose argument list opens at `p`.
    fn call_at(&self, p: usize) -> Option<Hit> {
        let v = self.v;
        let (end, gap) = gap_back(v, p);
        match self.callee(end)? {
            Callee::Name { s, e } => self.named(s, e, p, gap),
            Callee::Var { s, odd } => self.variable(s, p, gap, odd),
            Callee::Dynamic { s, e } => self.dynamic(s, e, p, gap),
        }
    }

    /// Walks back from `end` (exclusive) over the callee expression.
    fn callee(&self, end: usize) -> Option<Callee> {
        let v = self.v;
        let mut i = end;
        let mut parts = 0usize;
        let mut odd = false;
        loop {
            let c = before(v, i);
            let index;
            match c {
                b')' | b']' | b'}' => {
                    let o = self.pairs().open_of(i - 1)?;
                    // An empty index or body (`$a[]()`, `${}()`) is no callee.
                    let (inner, _) = gap_fwd(v, o + 1);
                    if inner >= i - 1 && c != b')' {
                        return None;
                    }
                    // `${'a'}(…)`, and `$ {…}(…)` with blanks (PHP only).
                    if c == b'}' {
                        let (d, _) = gap_back(v, o);
                        if before(v, d) == b'$' {
                            return Some(Callee::Var {
                                s: d - 1,
                                odd: true,
                            });
                        }
                    }
                    index = c != b')';
                    i = o;
                }
                b'\'' | b'"' => {
                    i = string_start(v, i - 1)?;
                    index = false;
                }
                c if is_ident(c) => {
                    let s = ident_back(v, i);
                    if s == i {
                        return None;
                    }
                    if before(v, s) == b'$' {
                        let mut t = s - 1;
                        while before(v, t) == b'$' {
                            t -= 1;
                            odd = true;
                        }
                        return Some(Callee::Var {
                            s: t,
                            odd: odd || parts > 0,
                        });
                    }
                    if parts == 0 {
                        return Some(Callee::Name { s, e: i });
                    }
                    i = s;
                    index = false;
                }
                _ => break,
            }
            parts += 1;
            let (j, _) = gap_back(v, i);
            let b = before(v, j);
            if index && (matches!(b, b')' | b']' | b'}' | b'\'' | b'"') || is_ident(b)) {
                // The base of an index: `$x[0]`, `[system][0]`.
                i = j;
                odd = true;
                continue;
            }
            if b == b'.' && j >= 1 {
                // Concatenation: `'sys'.'tem'`, `sy.(st).em`.
                let (k, _) = gap_back(v, j - 1);
                i = k;
                continue;
            }
            if b == b')' {
                // A cast before the operand: `(string)'system'`.
                if let Some(o) = self.pairs().open_of(j - 1) {
                    if is_cast(v, o, j - 1) {
                        i = o;
                        continue;
                    }
                }
            }
            break;
        }
        (parts > 0).then_some(Callee::Dynamic { s: i, e: end })
    }

    /// A listed function called by name.
    fn named(&self, s: usize, e: usize, p: usize, gap: Gap) -> Option<Hit> {
        let v = self.v;
        let name = v.get(s..e)?;
        if !self.plain_call(s) {
            return None;
        }
        let arg = first_arg(v, p);
        let known = function(name).is_some() || self.extra_fn(name);
        if let Some(h) = self.callback(p, gap, known) {
            return Some(h);
        }
        let (tier, php_only) = match function(name) {
            Some(t) => t,
            None if self.extra_fn(name) => (Tier::Exec, false),
            None => return None,
        };
        if name.eq_ignore_ascii_case(b"preg_replace") && e_modifier(v, p) {
            return Some(code_hit(
                s,
                p + 1,
                "preg_replace with the /e modifier (code evaluation)",
            ));
        }
        let close = self.pairs().close_of(p);
        let statement = close.is_some_and(|c| prefix_ok(v, s) && suffix_ok(v, c + 1));
        // A statement of its own, not an argument of another call.
        let alone =
            close.is_some_and(|c| prefix_ok(v, s) && !in_args(v, s) && suffix_alone(v, c + 1));
        let end = close.map_or(v.len(), |c| c + 1);
        let hit = match tier {
            Tier::Exec => {
                let include = name.get(..7).is_some_and(|w| {
                    w.eq_ignore_ascii_case(b"include") || w.eq_ignore_ascii_case(b"require")
                });
                let code = match arg {
                    Arg::Str if include => path_string(v, p),
                    Arg::Var { .. } => true,
                    _ if include => false,
                    Arg::Str | Arg::Call | Arg::Backtick | Arg::At => true,
                    _ => false,
                };
                // A bare word is a command to `system(whoami)` (PHP reads
                // an undefined constant as its name) but a variable to
                // `eval(s)` in Python or JavaScript.
                let command = php_only || name.eq_ignore_ascii_case(b"system");
                code || gap.odd
                    || (matches!(arg, Arg::Bare { single: true })
                        && !gap.any
                        && statement
                        && command)
                    || (arg == Arg::Empty && php_only && alone)
            }
            Tier::Php => alone || gap.odd,
        };
        hit.then(|| {
            code_hit(
                s,
                end,
                "PHP function call with code arguments or as a statement (eval, system, base64_decode, …)",
            )
        })
    }

    /// Whether the name before `s` is called as a plain function: not a
    /// method (`->f(`, `::f(`, `os.system(`), a definition or `new`.
    fn plain_call(&self, s: usize) -> bool {
        let v = self.v;
        let (i, g) = gap_back(v, s);
        let c = before(v, i);
        if (c == b'>' && before(v, i - 1) == b'-') || (c == b':' && before(v, i - 1) == b':') {
            return false;
        }
        // `os.system(`, `re.exec(`, `x['os'].system(`, `f().exec(`: member
        // access in JavaScript, Python, Java. PHP concatenates with a quote
        // or a blank before the dot (`'a'.system(`, `$x . system(`).
        if c == b'.'
            && !g.any
            && (is_ident(before(v, i - 1)) || matches!(before(v, i - 1), b')' | b']'))
        {
            return false;
        }
        if is_ident(c) {
            let w = v.get(ident_back(v, i)..i).unwrap_or_default();
            if w.eq_ignore_ascii_case(b"function") || w.eq_ignore_ascii_case(b"new") {
                return false;
            }
        }
        true
    }

    /// A string argument naming a code-running function, in the call at
    /// `p` (`array_map('system', …)`, `call_user_func("assert", …)`):
    /// any argument of a listed function (`known`), the first of another
    /// (`filter('system')`); Python's `compile(src, name, 'exec')` passes.
    fn callback(&self, p: usize, gap: Gap, known: bool) -> Option<Hit> {
        if gap.any {
            return None;
        }
        let v = self.v;
        // Another function's first argument only; a listed one's first
        // [`ARG_WINDOW`] bytes.
        let limit = if known {
            (p + ARG_WINDOW).min(v.len())
        } else {
            gap_fwd(v, p + 1).0 + 1
        };
        let mut i = p + 1;
        while let Some(off) = v
            .get(i..limit)
            .and_then(|r| r.iter().position(|&b| b == b'\'' || b == b'"'))
        {
            let j = i + off;
            let (b, _) = gap_back(v, j);
            let e = string_end(v, j)?;
            i = e;
            if !matches!(before(v, b), b'(' | b',') {
                continue;
            }
            let inner = v.get(j + 1..e - 1).unwrap_or_default().trim_ascii();
            let (k, _) = gap_fwd(v, e);
            if self.callable(inner) && matches!(at(v, k), b',' | b')') {
                return Some(code_hit(
                    j,
                    e,
                    "PHP callback naming a command or code function ('system', 'assert', …)",
                ));
            }
        }
        None
    }

    /// A variable function `$a(…)`.
    fn variable(&self, s: usize, p: usize, gap: Gap, odd: bool) -> Option<Hit> {
        let v = self.v;
        let (pb, _) = gap_back(v, s);
        let prev = before(v, pb);
        // `$scope.$apply(`, `{{ $t('x') }}`: JavaScript and templates.
        if (prev == b'.' && is_ident(before(v, pb - 1)))
            || (prev == b'{' && before(v, pb - 1) == b'{')
            || matches!(prev, b'"' | b'\'')
        {
            return None;
        }
        let name_s = s + 1;
        let name = v.get(name_s..ident_end(v, name_s)).unwrap_or_default();
        let marked = odd
            || gap.odd
            || prev == b'@'
            || (prev == b'>' && before(v, pb - 1) == b'-')
            || (prev == b':' && before(v, pb - 1) == b':')
            || name.first() == Some(&b'_')
            || listed(name, SUPERGLOBALS);
        let close = self.pairs().close_of(p);
        let statement = close.is_some_and(|c| prefix_ok(v, s) && suffix_ok(v, c + 1));
        (marked || statement).then(|| {
            code_hit(
                s,
                close.map_or(v.len(), |c| c + 1),
                "PHP variable function call ($f(…), $_GET[0](…), ${'f'}(…))",
            )
        })
    }

    /// A dynamic callee that folds to a command function.
    fn dynamic(&self, s: usize, e: usize, p: usize, gap: Gap) -> Option<Hit> {
        let v = self.v;
        let name = fold(v, s, e)?;
        if !self.callable(&name) {
            return None;
        }
        let arg = first_arg(v, p);
        let close = self.pairs().close_of(p);
        let code = matches!(
            arg,
            Arg::Var { .. } | Arg::Str | Arg::Call | Arg::Backtick | Arg::At
        );
        let terminated = close.is_some_and(|c| {
            let (k, _) = gap_fwd(v, c + 1);
            matches!(at(v, k), b';' | 0)
        });
        let single = matches!(arg, Arg::Bare { single: true } | Arg::Empty);
        (!gap.any || code || (single && terminated)).then(|| {
            code_hit(
                s,
                close.map_or(v.len(), |c| c + 1),
                "PHP call through a string or expression naming a command function ((system)(…), 'sys'.'tem')",
            )
        })
    }

    /// String literals joined with `.` that spell a command function:
    /// `'sys'.'tem'`, `"pass" . "thru"`.
    pub fn concat_names(&self) -> Option<Hit> {
        let v = self.v;
        let mut i = 0;
        while let Some(off) = v.get(i..)?.iter().position(|&b| b == b'\'' || b == b'"') {
            let s = i + off;
            let mut name: Vec<u8> = Vec::new();
            let mut pieces = 0;
            let mut j = s;
            while let Some(e) = string_end(v, j) {
                let piece = v.get(j + 1..e - 1).unwrap_or_default();
                if name.len() + piece.len() > MAX_NAME {
                    break;
                }
                name.extend_from_slice(piece);
                pieces += 1;
                let (k, _) = gap_fwd(v, e);
                j = e;
                if at(v, k) != b'.' {
                    break;
                }
                let (n, _) = gap_fwd(v, k + 1);
                if !matches!(at(v, n), b'\'' | b'"') {
                    break;
                }
                j = n;
            }
            if pieces >= 2 && self.callable(name.trim_ascii()) {
                return Some(code_hit(
                    s,
                    j,
                    "PHP function name assembled by string concatenation ('sys'.'tem')",
                ));
            }
            i = j.max(s) + 1;
        }
        None
    }
}

/// `v[o..=c]` is a cast group `(string)`.
fn is_cast(v: &[u8], o: usize, c: usize) -> bool {
    let (s, _) = gap_fwd(v, o + 1);
    let e = ident_end(v, s);
    let (k, _) = gap_fwd(v, e);
    k == c && e > s && v.get(s..e).is_some_and(|w| listed(w, CASTS))
}

/// The identifiers and string contents of the callee `v[s..e]`, in order
/// and lower-cased, without casts, variables, numbers and comments: what
/// PHP would call.
fn fold(v: &[u8], s: usize, e: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = s;
    while i < e {
        let (j, _) = gap_fwd(v, i);
        if j >= e {
            break;
        }
        let c = at(v, j);
        if c == b'\'' || c == b'"' {
            let end = string_end(v, j)?.min(e);
            let piece = v.get(j + 1..end.saturating_sub(1)).unwrap_or_default();
            out.extend(piece.iter().filter(|b| !b.is_ascii_whitespace()));
            i = end;
        } else if c == b'$' {
            i = ident_end(v, j + 1).max(j + 1);
        } else if ident_start(c) {
            let we = ident_end(v, j);
            let w = v.get(j..we).unwrap_or_default();
            let cast = before(v, j) == b'(' && at(v, we) == b')' && listed(w, CASTS);
            if !cast {
                out.extend_from_slice(w);
            }
            i = we;
        } else if c.is_ascii_digit() || matches!(c, b'.' | b'(' | b')' | b'[' | b']' | b'{' | b'}')
        {
            i = j + 1;
        } else {
            // Any other operator (`'e'+'v'+'al'`, `a - b`) computes
            // something other than a PHP name.
            return None;
        }
        if out.len() > MAX_NAME {
            return None;
        }
    }
    out.make_ascii_lowercase();
    Some(out)
}

/// The first argument of the call whose list opens at `p`.
fn first_arg(v: &[u8], p: usize) -> Arg {
    let (i, _) = gap_fwd(v, p + 1);
    match at(v, i) {
        b')' => Arg::Empty,
        b'$' => {
            let s = i + 1;
            if matches!(at(v, s), b'$' | b'{') {
                return Arg::Var { superglobal: false };
            }
            let e = ident_end(v, s);
            if e == s {
                return Arg::Other;
            }
            Arg::Var {
                superglobal: v.get(s..e).is_some_and(|w| listed(w, SUPERGLOBALS)),
            }
        }
        b'\'' | b'"' if i + 1 < v.len() => Arg::Str,
        b'`' => Arg::Backtick,
        // PHP's `@` silences a variable or a call (`@$_GET[0]`, `@system(`);
        // T-SQL's `exec (@sql)` names a variable.
        b'@' => {
            let (j, _) = gap_fwd(v, i + 1);
            let e = ident_end(v, j);
            let (k, _) = gap_fwd(v, e);
            if at(v, j) == b'$' || (e > j && at(v, k) == b'(') {
                Arg::At
            } else {
                Arg::Other
            }
        }
        c if ident_start(c) || c.is_ascii_digit() => {
            let e = if c.is_ascii_digit() {
                let mut e = i;
                while at(v, e).is_ascii_alphanumeric() || at(v, e) == b'.' {
                    e += 1;
                }
                e
            } else {
                ident_end(v, i)
            };
            let (j, _) = gap_fwd(v, e);
            match at(v, j) {
                b'(' if !c.is_ascii_digit() => Arg::Call,
                b')' => Arg::Bare { single: true },
                _ => Arg::Bare { single: false },
            }
        }
        _ => Arg::Other,
    }
}

/// The string argument at `p` names what PHP includes in attacks: a URL
/// or stream, an absolute path, a climb, or a PHP / text / log file
/// (`include('/tmp/x')`, `require('http://…')`), not a JavaScript module
/// (`require('./routes')`) or a word (`include('Smith')`).
fn path_string(v: &[u8], p: usize) -> bool {
    let (i, _) = gap_fwd(v, p + 1);
    let Some(e) = string_end(v, i) else {
        return false;
    };
    let Some(s) = v.get(i + 1..e - 1) else {
        return false;
    };
    include_target(s)
}

/// See [`path_string`].
pub(super) fn include_target(s: &[u8]) -> bool {
    let lower = s.to_ascii_lowercase();
    let ext = [
        &b".php"[..],
        b".phtml",
        b".inc",
        b".txt",
        b".log",
        b".jpg",
        b".png",
        b".gif",
    ]
    .iter()
    .any(|x| lower.ends_with(x));
    lower.windows(3).any(|w| w == b"://")
        || lower.starts_with(b"/")
        || lower.starts_with(b"\\")
        || lower.windows(3).any(|w| w == b"../")
        || ext
}

/// The first argument at `p` is a regular expression with the `e`
/// modifier (`'/.*/e'`, `"#x#ie"`).
fn e_modifier(v: &[u8], p: usize) -> bool {
    let (i, _) = gap_fwd(v, p + 1);
    if !matches!(at(v, i), b'\'' | b'"') {
        return false;
    }
    let Some(e) = string_end(v, i).filter(|&e| e - i <= ARG_WINDOW) else {
        return false;
    };
    let Some(re) = v.get(i + 1..e - 1) else {
        return false;
    };
    let Some(&d) = re.first() else {
        return false;
    };
    let close = match d {
        b'(' => b')',
        b'[' => b']',
        b'{' => b'}',
        b'<' => b'>',
        d if d.is_ascii_alphanumeric() || d.is_ascii_whitespace() || d == b'\\' => return false,
        d => d,
    };
    re.iter()
        .rposition(|&b| b == close)
        .filter(|&k| k > 0)
        .and_then(|k| re.get(k + 1..))
        .is_some_and(|mods| mods.iter().all(u8::is_ascii_alphabetic) && mods.contains(&b'e'))
}

/// An expression can start at `s`: the value start, a statement or
/// argument separator, an operator, a PHP open tag, or a word such as
/// `echo` / `return`.
pub(super) fn prefix_ok(v: &[u8], s: usize) -> bool {
    let (i, _) = gap_back(v, s);
    let c = before(v, i);
    match c {
        0 => i == 0,
        b'{' => before(v, i - 1) != b'{',
        b';' | b'}' | b'(' | b',' | b'=' | b'@' | b'!' | b'[' | b']' | b'|' | b'&' | b'?'
        | b':' => true,
        b'>' => before(v, i - 1) == b'?' || before(v, i - 1) == b'-',
        b'.' => !is_ident(before(v, i - 1)),
        c if is_ident(c) => {
            let ws = ident_back(v, i);
            let w = v.get(ws..i).unwrap_or_default();
            listed(w, EXPR_WORDS)
                || (w.eq_ignore_ascii_case(b"php")
                    && before(v, ws) == b'?'
                    && before(v, ws - 1) == b'<')
        }
        _ => false,
    }
}

/// The expression at `s` is an argument (`f(x, g(y))`): an opening
/// parenthesis or a comma before it.
fn in_args(v: &[u8], s: usize) -> bool {
    let (i, _) = gap_back(v, s);
    matches!(before(v, i), b'(' | b',')
}

/// A statement can end at `e`: the value end, `;`, `?>`, `}`, or a
/// concatenation, index or method call continuing it.
fn suffix_alone(v: &[u8], e: usize) -> bool {
    let (i, _) = gap_fwd(v, e);
    match at(v, i) {
        0 => i >= v.len(),
        b';' | b'.' | b'[' | b'}' => true,
        b'?' => at(v, i + 1) == b'>',
        b'-' => at(v, i + 1) == b'>',
        _ => false,
    }
}

/// An expression can end at `e`: the value end, `;`, a closing bracket, an
/// operator or `?>`.
pub(super) fn suffix_ok(v: &[u8], e: usize) -> bool {
    let (i, _) = gap_fwd(v, e);
    match at(v, i) {
        0 => i >= v.len(),
        b';' | b')' | b',' | b'.' | b'[' | b']' | b'}' | b'|' | b'&' => true,
        b'?' => at(v, i + 1) == b'>',
        b'-' => at(v, i + 1) == b'>',
        _ => false,
    }
}
