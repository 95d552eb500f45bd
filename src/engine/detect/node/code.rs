//! The readings of the Node.js detector: each finds its anchor word with
//! one substring search and reads a bounded window around it.

use crate::engine::bytes::find;
use crate::engine::detect::Hit;

/// Most blanks skipped between two tokens (`new   Function  (`).
const MAX_GAP: usize = 16;
/// Most `:` segments read in a React Flight reference.
const MAX_SEGMENTS: usize = 16;
/// Longest string literal read as a loop condition.
const MAX_STRING: usize = 64;

fn at(v: &[u8], i: usize) -> u8 {
    v.get(i).copied().unwrap_or(0)
}

fn before(v: &[u8], i: usize) -> u8 {
    i.checked_sub(1).map_or(0, |j| at(v, j))
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Skips at most [`MAX_GAP`] blanks from `i`.
fn skip_ws(v: &[u8], mut i: usize) -> usize {
    let limit = i + MAX_GAP;
    while i < limit && at(v, i).is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The end of the identifier at `i` (`i` when there is none).
fn ident_end(v: &[u8], mut i: usize) -> usize {
    while is_ident(at(v, i)) {
        i += 1;
    }
    i
}

/// `word` stands at `p` as a whole word (no identifier byte either side).
fn word_at(v: &[u8], p: usize, word: &[u8]) -> bool {
    v.get(p..p + word.len()) == Some(word)
        && !is_ident(before(v, p))
        && !is_ident(at(v, p + word.len()))
}

/// Every whole-word occurrence of `word`, in order.
fn words<'a>(v: &'a [u8], word: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(p) = find(v, from, word) {
            from = p + 1;
            if word_at(v, p, word) {
                return Some(p);
            }
        }
        None
    })
}

/// All readings, in order.
pub(super) fn read(v: &[u8]) -> Option<Hit> {
    serialized(v)
        .or_else(|| function_constructor(v))
        .or_else(|| process(v))
        .or_else(|| flight(v))
        .or_else(|| dos_loop(v))
}

fn serialized(v: &[u8]) -> Option<Hit> {
    let p = find(v, 0, b"_$$ND_FUNC$$_")?;
    Some(Hit::new(
        "node.serialized_function",
        "node-serialize function marker _$$ND_FUNC$$_ (unserialize compiles what follows)",
        p,
        p + 13,
    ))
}

/// `new Function(` and `constructor` reached twice in one path.
fn function_constructor(v: &[u8]) -> Option<Hit> {
    for p in words(v, b"Function") {
        let open = skip_ws(v, p + 8);
        if at(v, open) != b'(' {
            continue;
        }
        let mut s = p;
        let mut gap = 0;
        while gap < MAX_GAP && before(v, s).is_ascii_whitespace() {
            s -= 1;
            gap += 1;
        }
        if gap > 0 && s >= 3 && word_at(v, s - 3, b"new") {
            return Some(Hit::new(
                "node.function_constructor",
                "new Function(…): a string compiled into code",
                s - 3,
                open + 1,
            ));
        }
    }
    for p in words(v, b"constructor") {
        let mut i = p + 11;
        let limit = i + 8;
        let mut seps = 0;
        while i < limit && matches!(at(v, i), b'.' | b'[' | b']' | b'\'' | b'"' | b':' | b' ') {
            i += 1;
            seps += 1;
        }
        if seps > 0 && word_at(v, i, b"constructor") {
            return Some(Hit::new(
                "node.function_constructor",
                "constructor.constructor: the Function constructor reached through the prototype chain",
                p,
                i + 11,
            ));
        }
    }
    None
}

/// `process.mainModule`, `process['mainModule']`, `process.binding(`.
fn process(v: &[u8]) -> Option<Hit> {
    for p in words(v, b"process") {
        let mut i = p + 7;
        if !matches!(at(v, i), b'.' | b'[') {
            continue;
        }
        i += 1;
        if matches!(at(v, i), b'\'' | b'"' | b'`') {
            i += 1;
        }
        let e = ident_end(v, i);
        let name = v.get(i..e).unwrap_or_default();
        let mut after = e;
        if matches!(at(v, after), b'\'' | b'"' | b'`') {
            after += 1;
        }
        if at(v, after) == b']' {
            after += 1;
        }
        let call = at(v, skip_ws(v, after)) == b'(';
        if name == b"mainModule" || (call && (name == b"binding" || name == b"dlopen")) {
            return Some(Hit::new(
                "node.process",
                "process internals reached from code (mainModule, binding)",
                p,
                e,
            ));
        }
    }
    None
}

/// A quoted React Flight reference `"$7:a:b"` whose path walks into
/// `__proto__`, `prototype` or `constructor`.
fn flight(v: &[u8]) -> Option<Hit> {
    let mut from = 0;
    while let Some(p) = find(v, from, b"$") {
        from = p + 1;
        if !matches!(before(v, p), b'"' | b'\'') {
            continue;
        }
        let mut i = p + 1;
        while at(v, i).is_ascii_hexdigit() {
            i += 1;
        }
        if i == p + 1 || at(v, i) != b':' {
            continue;
        }
        for _ in 0..MAX_SEGMENTS {
            if at(v, i) != b':' {
                break;
            }
            let e = ident_end(v, i + 1);
            let seg = v.get(i + 1..e).unwrap_or_default();
            if matches!(seg, b"__proto__" | b"prototype" | b"constructor") {
                return Some(Hit::new(
                    "node.flight_reference",
                    "React Flight reference whose path walks into the prototype",
                    p,
                    e,
                ));
            }
            if e == i + 1 {
                break;
            }
            i = e;
        }
    }
    None
}

/// `while(<constant truthy>)` or `for(;;)` with an empty body.
fn dos_loop(v: &[u8]) -> Option<Hit> {
    for p in words(v, b"while") {
        let open = skip_ws(v, p + 5);
        if at(v, open) != b'(' {
            continue;
        }
        if let Some(close) = constant_truthy(v, open + 1) {
            if empty_body(v, close) {
                return Some(loop_hit(p, close));
            }
        }
    }
    for p in words(v, b"for") {
        let mut i = skip_ws(v, p + 3);
        let mut ok = true;
        for want in [b'(', b';', b';', b')'] {
            if at(v, i) != want {
                ok = false;
                break;
            }
            i = skip_ws(v, i + 1);
        }
        if ok && empty_body(v, i) {
            return Some(loop_hit(p, i));
        }
    }
    None
}

fn loop_hit(s: usize, e: usize) -> Hit {
    Hit::new(
        "node.dos_loop",
        "infinite loop with an empty body (blocks the event loop)",
        s,
        e,
    )
}

/// After the loop head (`e` just past its `)`): the end of the value, `;`,
/// a stray `)` or an empty block `{}`.
fn empty_body(v: &[u8], e: usize) -> bool {
    let i = skip_ws(v, e);
    match at(v, i) {
        0 => i >= v.len(),
        b';' | b')' => true,
        b'{' => at(v, skip_ws(v, i + 1)) == b'}',
        _ => false,
    }
}

/// Reads a loop condition from `i` (just past `while(`): optional
/// parentheses, `!`s, a sign and one constant. The position just past the
/// loop's `)` when the condition is constant and truthy.
fn constant_truthy(v: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 1usize;
    i = skip_ws(v, i);
    while at(v, i) == b'(' && depth < MAX_GAP {
        depth += 1;
        i = skip_ws(v, i + 1);
    }
    let mut neg = false;
    while at(v, i) == b'!' {
        neg = !neg;
        i = skip_ws(v, i + 1);
    }
    let signed = matches!(at(v, i), b'+' | b'-');
    if signed {
        i = skip_ws(v, i + 1);
    }
    let (truthy, end) = atom(v, i, signed)?;
    i = skip_ws(v, end);
    while depth > 0 {
        if at(v, i) != b')' {
            return None;
        }
        depth -= 1;
        i = skip_ws(v, i + 1);
    }
    (truthy != neg).then_some(i)
}

/// One constant at `i`: its truthiness and end. `signed`: after `+`/`-`,
/// where only numbers and `Infinity` are read.
fn atom(v: &[u8], i: usize, signed: bool) -> Option<(bool, usize)> {
    let c = at(v, i);
    if c.is_ascii_digit() {
        let mut e = i;
        let mut nonzero = false;
        while at(v, e).is_ascii_digit() || at(v, e) == b'.' {
            nonzero |= matches!(at(v, e), b'1'..=b'9');
            e += 1;
        }
        return Some((nonzero, e));
    }
    if signed && c != b'I' {
        return None;
    }
    match c {
        b'"' | b'\'' | b'`' => {
            let body = v.get(i + 1..)?;
            let len = body.iter().take(MAX_STRING).position(|&b| b == c)?;
            if body.get(..len)?.contains(&b'\\') {
                return None;
            }
            Some((len > 0, i + len + 2))
        }
        b'{' | b'[' => {
            let close = if c == b'{' { b'}' } else { b']' };
            let e = skip_ws(v, i + 1);
            (at(v, e) == close).then_some((true, e + 1))
        }
        _ => {
            let e = ident_end(v, i);
            let w = v.get(i..e)?;
            let truthy = match w {
                b"true" | b"Infinity" | b"this" => true,
                b"false" | b"null" | b"undefined" | b"NaN" => false,
                b"new" => {
                    let s = skip_ws(v, e);
                    let ce = ident_end(v, s);
                    if s == e || !global(v.get(s..ce)?) {
                        return None;
                    }
                    return Some((true, ce));
                }
                _ if global(w) => true,
                _ => return None,
            };
            Some((truthy, e))
        }
    }
}

/// A global constructor: a function, so truthy as a condition.
fn global(w: &[u8]) -> bool {
    matches!(
        w,
        b"Date"
            | b"String"
            | b"Object"
            | b"Array"
            | b"Number"
            | b"Boolean"
            | b"Symbol"
            | b"Function"
            | b"RegExp"
            | b"Error"
            | b"Math"
            | b"JSON"
    )
}
