//! Expression-language payloads: OGNL (Struts 2, Confluence), SpEL, JSP /
//! JSF EL and Confluence's `'+{…}+'`, Java code that starts a process, and
//! Spring4Shell's class-loader property paths.
//!
//! Each reading looks for syntax that only the evaluator gives meaning to,
//! never for a word: `@java.lang.Runtime@getRuntime()` (OGNL static
//! access), `#_memberAccess`, `(#a=…).(#b=…)`, `T(java.lang.Runtime)`, a
//! reflection call inside `${…}`. A hashtag (`#context`), a printf-style
//! `%{name}`, a shell or template placeholder `${HOME}` / `${user.name}`,
//! an email address `@John.Doe@acme.com` and a stack frame
//! `at java.lang.Runtime.exec(Runtime.java:620)` have none of it.

use super::bytes::{
    at, before, dotted, find_ci_from, find_from, ident_end, is_ident, last_segment, one_of,
    skip_ws, starts_at, starts_ci_at, upper_at,
};
use crate::engine::detect::Hit;

/// OGNL context variables Struts exposes (`#context['xwork…']`).
const OGNL_VARS: &[&str] = &[
    "context",
    "request",
    "session",
    "application",
    "parameters",
    "attr",
    "root",
    "this",
    "ognlUtil",
    "container",
];

/// Methods that reach reflection, class loading, script engines or
/// processes: in an expression body they are the payload, not data.
/// (`exec` is not one: JavaScript's `re.exec(s)` fills template literals;
/// Java's `getRuntime().exec(` is caught through `getRuntime`.)
const REFLECT: &[&str] = &[
    "getClass",
    "forName",
    "getRuntime",
    "getMethod",
    "getMethods",
    "getDeclaredMethod",
    "getDeclaredMethods",
    "getConstructor",
    "getConstructors",
    "getDeclaredConstructor",
    "getDeclaredConstructors",
    "getDeclaredField",
    "getDeclaredFields",
    "setAccessible",
    "newInstance",
    "invoke",
    "getEngineByName",
    "getEngineByExtension",
    "loadClass",
    "defineClass",
    "getClassLoader",
    "getSystemClassLoader",
];

/// JSP / JSF implicit objects: a request value that evaluates them reads
/// the server's state.
const IMPLICIT: &[&str] = &[
    "pageContext",
    "applicationScope",
    "sessionScope",
    "requestScope",
    "pageScope",
    "initParam",
    "facesContext",
    "servletContext",
];

/// Simple class names SpEL resolves without a package.
const SPEL_SIMPLE: &[&str] = &[
    "Runtime",
    "ProcessBuilder",
    "System",
    "Class",
    "Thread",
    "ClassLoader",
];

/// Classes `Class.forName` is asked for in payloads.
const FOR_NAME: &[&str] = &[
    "java.lang.Runtime",
    "java.lang.ProcessBuilder",
    "java.lang.ProcessImpl",
    "java.lang.UNIXProcess",
    "javax.script.ScriptEngineManager",
    "javax.naming.InitialContext",
    "java.net.URLClassLoader",
];

/// Methods fetched by name through reflection in payloads.
const BY_NAME: &[&str] = &[
    "exec",
    "getRuntime",
    "start",
    "invoke",
    "eval",
    "forName",
    "loadClass",
    "defineClass",
    "newInstance",
    "lookup",
];

/// `parts` in order from `i`, blanks allowed between them: the end.
fn seq(v: &[u8], mut i: usize, parts: &[&[u8]]) -> Option<usize> {
    for p in parts {
        i = skip_ws(v, i);
        if !starts_at(v, i, p) {
            return None;
        }
        i += p.len();
    }
    Some(i)
}

/// OGNL static member access at the `@` at `p`: `@a.b.C@m(`, `@a.B@CONST_X`,
/// `@a.B@field.m(`. The end of the member.
fn static_access(v: &[u8], p: usize) -> Option<usize> {
    let prev = before(v, p);
    if p > 0 && (is_ident(prev) || prev == b'.') {
        return None;
    }
    let (end, dots) = dotted(v, p + 1)?;
    if dots == 0 || !upper_at(v, last_segment(v, p + 1, end)) || at(v, end) != b'@' {
        return None;
    }
    let m = end + 1;
    let me = ident_end(v, m);
    if me == m {
        return None;
    }
    let call = at(v, skip_ws(v, me)) == b'(';
    let member = v.get(m..me).unwrap_or_default();
    let constant = member.contains(&b'_')
        && member
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
    let field_call = at(v, me) == b'.' && {
        let fe = ident_end(v, me + 1);
        fe > me + 1 && at(v, skip_ws(v, fe)) == b'('
    };
    (call || constant || field_call).then_some(me)
}

/// Whether `%{` or `${` (through `(` and blanks) opens at `p`.
fn struts_opener(v: &[u8], p: usize) -> bool {
    let mut q = p;
    while q > 0 && (before(v, q) == b'(' || before(v, q).is_ascii_whitespace()) {
        q -= 1;
    }
    before(v, q) == b'{' && matches!(before(v, q.saturating_sub(1)), b'%' | b'$')
}

fn ognl_hit(s: usize, e: usize) -> Hit {
    Hit::new(
        "java.ognl",
        "OGNL expression (Struts / Confluence): static access, #context, #_memberAccess",
        s,
        e,
    )
}

/// OGNL: static access, `#_memberAccess`, Struts context variables,
/// assignments from OGNL expressions, `%{#…}`, chained `(#a=…).(#b=…)`.
pub(super) fn ognl(v: &[u8]) -> Option<Hit> {
    let mut from = 0;
    while let Some(p) = find_from(v, from, b"@") {
        from = p + 1;
        if let Some(e) = static_access(v, p) {
            return Some(ognl_hit(p, e));
        }
    }
    if let Some(p) = find_from(v, 0, b").(#") {
        return Some(ognl_hit(p, p + 4));
    }
    let mut weak: Option<usize> = None;
    let mut from = 0;
    while let Some(p) = find_from(v, from, b"#") {
        from = p + 1;
        let prev = before(v, p);
        if p > 0 && is_ident(prev) {
            continue;
        }
        let s = p + 1;
        let e = ident_end(v, s);
        if e == s {
            continue;
        }
        let next = at(v, e);
        let assign = next == b'=' && at(v, e + 1) != b'=';
        let member = next == b'.' && ident_end(v, e + 1) > e + 1;
        let method = member && {
            let me = ident_end(v, e + 1);
            at(v, skip_ws(v, me)) == b'('
        };
        let var = one_of(v, s, e, OGNL_VARS);
        let strong = one_of(v, s, e, &["_memberAccess"])
            || (var && (next == b'[' || method))
            || (assign && {
                let a = skip_ws(v, e + 1);
                matches!(at(v, a), b'@' | b'#') || starts_at(v, a, b"new ")
            })
            || (struts_opener(v, p) && (assign || member || next == b'['));
        if strong {
            return Some(ognl_hit(p, e));
        }
        let index = next == b'[' && matches!(at(v, e + 1), b'\'' | b'"' | b'#');
        // Inside an expression (`(#a.getInputStream())`, `,#p['x']`), not
        // a comment line of Python or shell (`#self.set_path(…)`).
        let inside = matches!(prev, b'(' | b',' | b'=' | b'{' | b'[' | b'!' | b'?' | b':');
        if (prev == b'(' && assign) || (inside && (method || index || (var && member))) {
            if let Some(w) = weak {
                return Some(ognl_hit(w, e));
            }
            weak = Some(p);
        }
    }
    None
}

/// SpEL type references `T(java.lang.Runtime)`, `T (Runtime)`.
pub(super) fn spel(v: &[u8]) -> Option<Hit> {
    let mut from = 0;
    while let Some(p) = find_from(v, from, b"T") {
        from = p + 1;
        let prev = before(v, p);
        if p > 0 && (is_ident(prev) || prev == b'.') {
            continue;
        }
        let a = skip_ws(v, p + 1);
        if at(v, a) != b'(' {
            continue;
        }
        let s = skip_ws(v, a + 1);
        let Some((e, dots)) = dotted(v, s) else {
            continue;
        };
        let c = skip_ws(v, e);
        if at(v, c) != b')' {
            continue;
        }
        let class = (dots >= 1 && upper_at(v, last_segment(v, s, e)))
            || (dots == 0 && one_of(v, s, e, SPEL_SIMPLE));
        if class {
            return Some(Hit::new(
                "java.spel",
                "SpEL type reference T(…) to a Java class",
                p,
                c + 1,
            ));
        }
    }
    None
}

/// Positions of expression-language evidence in `v`, in order: a
/// reflection call `.name(` (`name` in [`REFLECT`]) or the class of a
/// string literal (`''.class`); Ruby's `#{self.class.name}` is neither.
fn evidence(v: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(d) = find_from(v, from, b".") {
        from = d + 1;
        let s = skip_ws(v, d + 1);
        let e = ident_end(v, s);
        let reflect = e > s && one_of(v, s, e, REFLECT) && at(v, skip_ws(v, e)) == b'(';
        let literal =
            matches!(before(v, d), b'\'' | b'"') && one_of(v, s, e, &["class"]) && s == d + 1;
        if reflect || literal {
            out.push(d);
        }
    }
    out
}

/// The body of the expression opened at `p` (the `{`) starts with a JSP /
/// JSF implicit object (`${pageContext.request…}`, `${applicationScope}`).
fn implicit_first(v: &[u8], p: usize) -> bool {
    let mut s = p + 1;
    while matches!(at(v, s), b'(' | b'!') || at(v, s).is_ascii_whitespace() {
        s += 1;
    }
    let e = ident_end(v, s);
    e > s && one_of(v, s, e, IMPLICIT) && matches!(at(v, e), b'.' | b'[' | b'}' | b' ' | 0)
}

/// Deepest brace nesting followed; deeper braces are read as text.
const MAX_DEPTH: usize = 64;

/// EL / template expressions (`${…}`, `#{…}`, `*{…}`, `%{…}`, `@{…}`,
/// `~{…}`, Confluence's `'+{…}+'`) whose body reflects, names a class
/// literal or starts with an implicit object. One pass pairs the braces
/// (an unclosed expression runs to the end of the value), so nested or
/// unclosed openers cost no rescans.
pub(super) fn el(v: &[u8]) -> Option<Hit> {
    let opener = |p: usize| {
        let prev = before(v, p);
        (p > 0 && matches!(prev, b'$' | b'#' | b'*' | b'%' | b'@' | b'~'))
            || (prev == b'+' && matches!(before(v, p.saturating_sub(1)), b'\'' | b'"'))
    };
    let first = v
        .iter()
        .enumerate()
        .position(|(p, &c)| c == b'{' && opener(p))?;
    let ev = evidence(v);
    let judge = |p: usize, close: usize| {
        let i = ev.partition_point(|&e| e <= p);
        let inside = ev.get(i).is_some_and(|&e| e < close);
        (inside || implicit_first(v, p)).then(|| {
            Hit::new(
                "java.el",
                "expression language ${…} / #{…} reflecting or reading server objects",
                p.saturating_sub(1),
                (close + 1).min(v.len()),
            )
        })
    };
    // Open braces: position and whether it opens an expression.
    let mut stack: Vec<(usize, bool)> = Vec::new();
    for (i, &c) in v.iter().enumerate().skip(first) {
        match c {
            b'{' if stack.len() < MAX_DEPTH => stack.push((i, opener(i))),
            b'}' => {
                if let Some((p, true)) = stack.pop() {
                    if let Some(h) = judge(p, i) {
                        return Some(h);
                    }
                }
            }
            _ => {}
        }
    }
    stack
        .into_iter()
        .filter(|&(_, o)| o)
        .find_map(|(p, _)| judge(p, v.len()))
}

fn exec_hit(s: usize, e: usize) -> Hit {
    Hit::new(
        "java.exec",
        "Java code starting a process or script engine (Runtime.exec, ProcessBuilder, …)",
        s,
        e,
    )
}

/// Java code that starts a process or a script engine, or fetches one by
/// reflection: `new java.lang.ProcessBuilder(`, `getRuntime().exec(`,
/// `getEngineByName(…).eval(`, `forName("java.lang.Runtime")`,
/// `getMethod("exec"`.
pub(super) fn exec(v: &[u8]) -> Option<Hit> {
    let mut from = 0;
    while let Some(p) = find_from(v, from, b"ProcessBuilder") {
        from = p + 1;
        let q = if p >= 10 && starts_at(v, p - 10, b"java.lang.") {
            p - 10
        } else {
            p
        };
        let mut r = q;
        while r > 0 && before(v, r).is_ascii_whitespace() {
            r -= 1;
        }
        let new = r < q && r >= 3 && starts_at(v, r - 3, b"new") && !is_ident(before(v, r - 3));
        if new && at(v, skip_ws(v, p + 14)) == b'(' {
            return Some(exec_hit(r - 3, p + 14));
        }
    }
    let mut from = 0;
    while let Some(p) = find_from(v, from, b"getRuntime") {
        from = p + 1;
        if let Some(e) = seq(v, p + 10, &[b"(", b")", b".", b"exec", b"("]) {
            return Some(exec_hit(p, e));
        }
    }
    for engine in [&b"getEngineByName"[..], b"getEngineByExtension"] {
        if let Some(p) = find_from(v, 0, engine) {
            if find_from(v, p, b".eval").is_some() {
                return Some(exec_hit(p, v.len()));
            }
        }
    }
    let mut from = 0;
    while let Some(p) = find_from(v, from, b"forName") {
        from = p + 1;
        if let Some(a) = seq(v, p + 7, &[b"("]) {
            let a = skip_ws(v, a);
            if matches!(at(v, a), b'"' | b'\'') {
                if let Some((e, _)) = dotted(v, a + 1) {
                    if one_of(v, a + 1, e, FOR_NAME) {
                        return Some(exec_hit(p, e));
                    }
                }
            }
        }
    }
    for getter in [&b"getMethod"[..], b"getDeclaredMethod"] {
        let mut from = 0;
        while let Some(p) = find_from(v, from, getter) {
            from = p + 1;
            if let Some(a) = seq(v, p + getter.len(), &[b"("]) {
                let a = skip_ws(v, a);
                if matches!(at(v, a), b'"' | b'\'') {
                    let e = ident_end(v, a + 1);
                    if one_of(v, a + 1, e, BY_NAME) && at(v, e) == at(v, a) {
                        return Some(exec_hit(p, e + 1));
                    }
                }
            }
        }
    }
    None
}

/// The separator between two property-path segments at `i` (`.`, `[`,
/// `['`, `']['`, `][`): the index after it.
fn path_sep(v: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    while matches!(at(v, j), b'\'' | b'"' | b']') {
        j += 1;
    }
    if !matches!(at(v, j), b'.' | b'[') {
        return None;
    }
    j += 1;
    while matches!(at(v, j), b'\'' | b'"') {
        j += 1;
    }
    Some(j)
}

/// Spring4Shell and the older Struts / Spring data-binding attacks: a
/// property path `class.module.classLoader…`, `class.classLoader…`,
/// `class['classLoader']` (case-insensitive), usually a parameter name.
pub(super) fn class_loader(v: &[u8]) -> Option<Hit> {
    let mut from = 0;
    while let Some(p) = find_ci_from(v, from, b"class") {
        from = p + 1;
        if p > 0 && is_ident(before(v, p)) {
            continue;
        }
        let Some(mut i) = path_sep(v, p + 5) else {
            continue;
        };
        if starts_ci_at(v, i, b"module") {
            let Some(j) = path_sep(v, i + 6) else {
                continue;
            };
            i = j;
        }
        if starts_ci_at(v, i, b"classloader") && !is_ident(at(v, i + 11)) {
            return Some(Hit::new(
                "java.class_loader",
                "property path reaching the class loader (class.module.classLoader, Spring4Shell)",
                p,
                i + 11,
            ));
        }
    }
    None
}
