//! Evidence inside a template body: one pass reads identifiers (with the
//! member that follows and whether they are called), filters (`|attr`),
//! FreeMarker built-ins (`?new()`), Ruby command literals and callback
//! arguments, and reports the first construct that only an attack needs.
//!
//! Placeholders (`{{ user.name | upper }}`), loops, conditions, includes
//! and method calls on the application's own objects have none of these.
//! Names are case-sensitive, as the template languages read them.

use super::regions::Kind;

/// What was found, with offsets into the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub rule: &'static str,
    pub reason: &'static str,
    pub start: usize,
    pub end: usize,
}

pub const WALK: &str = "ssti.jinja_object_walk";
pub const INTERNALS: &str = "ssti.framework_internals";
pub const CALLBACK: &str = "ssti.callback_filter";
pub const EXEC: &str = "ssti.code_execution";
pub const JAVA: &str = "ssti.java_reflection";
pub const FREEMARKER: &str = "ssti.freemarker_new";
pub const CONSTRUCTOR: &str = "ssti.constructor_access";
pub const ERB_SHELL: &str = "ssti.erb_shell";
pub const VELOCITY: &str = "ssti.velocity_class_tool";

/// Functions that run a command, evaluate code or read files when called
/// (Python, Ruby, PHP, Node.js, Java).
const EXEC_CALLS: &[&[u8]] = &[
    b"check_call",
    b"check_output",
    b"eval",
    b"exec",
    b"execFile",
    b"execFileSync",
    b"execSync",
    b"execv",
    b"execve",
    b"execvp",
    b"getRuntime",
    b"getoutput",
    b"getstatusoutput",
    b"passthru",
    b"pcntl_exec",
    b"popen",
    b"popen2",
    b"popen3",
    b"proc_open",
    b"readFileSync",
    b"readdirSync",
    b"shell_exec",
    b"spawn",
    b"spawnSync",
    b"system",
    b"writeFileSync",
];

/// Names whose mere presence reaches process execution.
const EXEC_MODULES: &[&[u8]] = &[b"subprocess", b"child_process", b"mainModule", b"Open3"];

/// `os.<member>` that runs commands or reads the environment.
const OS_MEMBERS: &[&[u8]] = &[
    b"environ",
    b"execl",
    b"execv",
    b"execve",
    b"execvp",
    b"fork",
    b"getenv",
    b"kill",
    b"listdir",
    b"popen",
    b"putenv",
    b"remove",
    b"rmdir",
    b"spawnl",
    b"spawnv",
    b"startfile",
    b"system",
    b"unlink",
    b"walk",
];

/// Ruby `File.` / `IO.` / `Dir.` members that read, write or run.
const RUBY_IO: &[&[u8]] = &[
    b"binread",
    b"children",
    b"delete",
    b"entries",
    b"foreach",
    b"glob",
    b"new",
    b"open",
    b"popen",
    b"read",
    b"readlines",
    b"sysopen",
    b"unlink",
    b"write",
];

/// Java reflection and process classes (not judged in `${…}` / `#{…}`,
/// the expression languages a dedicated detector reads).
const JAVA_NAMES: &[&[u8]] = &[
    b"ProcessBuilder",
    b"Runtime",
    b"ScriptEngineManager",
    b"defineClass",
    b"forName",
    b"getClass",
    b"getClassLoader",
    b"getDeclaredField",
    b"getDeclaredMethod",
    b"getEngineByName",
    b"newInstance",
    b"setAccessible",
];

/// Functions that take a callable by name (Twig filters, PHP helpers).
const CALLBACK_TAKERS: &[&[u8]] = &[
    b"array_filter",
    b"array_map",
    b"array_walk",
    b"call_user_func",
    b"call_user_func_array",
    b"filter",
    b"map",
    b"reduce",
    b"sort",
    b"uasort",
    b"uksort",
    b"usort",
];

/// PHP functions that run commands or code, named as a callback (and in
/// Smarty tags). Compared case-insensitively, as PHP does.
pub const PHP_EXEC: &[&[u8]] = &[
    b"assert",
    b"call_user_func",
    b"create_function",
    b"exec",
    b"file_get_contents",
    b"file_put_contents",
    b"passthru",
    b"pcntl_exec",
    b"phpinfo",
    b"popen",
    b"proc_open",
    b"readfile",
    b"shell_exec",
    b"show_source",
    b"system",
];

/// Longest identifier compared against the tables.
const MAX_IDENT: usize = 64;

/// Longest argument list searched for a callback name.
const MAX_ARGS: usize = 512;

fn at(v: &[u8], i: usize) -> u8 {
    v.get(i).copied().unwrap_or(0)
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn ident_end(b: &[u8], i: usize) -> usize {
    let mut j = i;
    while is_ident(at(b, j)) {
        j += 1;
    }
    j
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while at(b, i).is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The identifier after `.` at `e`, if any.
fn member(b: &[u8], e: usize) -> Option<&[u8]> {
    if at(b, e) != b'.' {
        return None;
    }
    let s = e + 1;
    let m = ident_end(b, s);
    b.get(s..m).filter(|m| !m.is_empty())
}

/// The identifier at `e` is called: `(` follows, after optional spaces.
fn called(b: &[u8], e: usize) -> bool {
    at(b, skip_ws(b, e)) == b'('
}

/// The last non-space byte before `a`.
fn prev_nonws(b: &[u8], a: usize) -> u8 {
    let mut i = a;
    while i > 0 {
        i -= 1;
        let c = at(b, i);
        if !c.is_ascii_whitespace() {
            return c;
        }
    }
    0
}

/// `__name__`.
fn is_dunder(w: &[u8]) -> bool {
    w.len() >= 5
        && w.starts_with(b"__")
        && w.ends_with(b"__")
        && w.get(2..w.len() - 2).is_some_and(|m| {
            m.first().is_some_and(u8::is_ascii_alphanumeric)
                && m.last().is_some_and(u8::is_ascii_alphanumeric)
        })
}

/// A Python name-mangled private attribute: `_Class__attr`.
fn is_mangled(w: &[u8]) -> bool {
    at(w, 0) == b'_'
        && at(w, 1).is_ascii_uppercase()
        && !w.ends_with(b"__")
        && w.get(2..).is_some_and(|r| r.windows(2).any(|p| p == b"__"))
}

/// Kinds where Java reflection counts (`${…}` and `#{…}` are Java EL too,
/// read by the Java expression detector).
fn java_kind(kind: Kind) -> bool {
    !matches!(kind, Kind::Dollar | Kind::Hash)
}

/// Kinds that evaluate server-side JavaScript-like expressions where
/// `constructor` is the sandbox escape (not `${…}`: JavaScript template
/// literals in pasted code use it legitimately).
fn constructor_kind(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Mustache | Kind::Hash | Kind::Statement | Kind::Erb
    )
}

/// Scans one body; `None` when nothing in it is evidence.
pub fn scan(b: &[u8], kind: Kind) -> Option<Found> {
    let mut i = 0;
    while i < b.len() {
        let c = at(b, i);
        if c.is_ascii_alphabetic() || c == b'_' {
            let e = ident_end(b, i);
            if e - i <= MAX_IDENT {
                if let Some(f) = ident(b, i, e, kind) {
                    return Some(f);
                }
            }
            i = e;
            continue;
        }
        match c {
            b'?' => {
                let s = i + 1;
                let e = ident_end(b, s);
                let w = b.get(s..e).unwrap_or_default();
                if (w == b"new" && called(b, e)) || w == b"api" || w == b"interpret" {
                    return Some(Found {
                        rule: FREEMARKER,
                        reason: "FreeMarker ?new() / ?api built-in (instantiates classes)",
                        start: i,
                        end: e,
                    });
                }
            }
            b'`' if kind == Kind::Erb => {
                let rest = b.get(i + 1..).unwrap_or_default();
                let len = rest.iter().take(256).position(|&x| x == b'`');
                if let Some(len) = len {
                    let cmd = rest.get(..len).unwrap_or_default();
                    let interp = cmd.windows(2).any(|w| w == b"${");
                    if !interp && cmd.iter().any(u8::is_ascii_alphabetic) {
                        return Some(Found {
                            rule: ERB_SHELL,
                            reason: "Ruby backtick command in an ERB tag",
                            start: i,
                            end: i + len + 2,
                        });
                    }
                    i += len + 2;
                    continue;
                }
            }
            b'%' if kind == Kind::Erb
                && at(b, i + 1) == b'x'
                && matches!(at(b, i + 2), b'(' | b'{' | b'[' | b'|') =>
            {
                return Some(Found {
                    rule: ERB_SHELL,
                    reason: "Ruby %x() command in an ERB tag",
                    start: i,
                    end: i + 3,
                });
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// One identifier of a body, with what surrounds it.
struct Word<'a> {
    b: &'a [u8],
    a: usize,
    e: usize,
    w: &'a [u8],
    /// The byte before it (0 at the start).
    prev: u8,
    /// The member that follows (`.name`).
    m: Option<&'a [u8]>,
    kind: Kind,
    /// A `${…}` body: also a JavaScript template literal, where pasted
    /// front-end code writes `process.env`, `require(` and `re.exec(`.
    literal: bool,
}

impl Word<'_> {
    fn m_is(&self, names: &[&[u8]]) -> bool {
        self.m.is_some_and(|m| names.contains(&m))
    }

    fn called(&self) -> bool {
        called(self.b, self.e)
    }

    fn found(&self, rule: &'static str, reason: &'static str) -> Option<Found> {
        Some(Found {
            rule,
            reason,
            start: self.a,
            end: self.e,
        })
    }
}

/// Judges the identifier `b[a..e]`.
fn ident(b: &[u8], a: usize, e: usize, kind: Kind) -> Option<Found> {
    let w = Word {
        b,
        a,
        e,
        w: b.get(a..e)?,
        prev: if a > 0 { at(b, a - 1) } else { 0 },
        m: member(b, e),
        kind,
        literal: kind == Kind::Dollar,
    };
    if is_dunder(w.w) {
        return w.found(
            WALK,
            "Python object graph walk (__class__, __globals__, …) in a template expression",
        );
    }
    if is_mangled(w.w) {
        return w.found(
            WALK,
            "name-mangled private attribute (_TemplateReference__context) in a template expression",
        );
    }
    engine_names(&w).or_else(|| exec_names(&w))
}

/// Names that reach the template engine's or framework's internals.
fn engine_names(w: &Word<'_>) -> Option<Found> {
    match w.w {
        b"mro" | b"subclasses" if w.prev == b'.' && w.called() => w.found(
            WALK,
            "Python class hierarchy walk (mro(), subclasses()) in a template expression",
        ),
        b"func_globals" | b"f_globals" | b"f_locals" | b"f_back" | b"gi_frame" | b"gi_code"
        | b"tb_frame" | b"cr_frame"
            if w.prev == b'.' =>
        {
            w.found(WALK, "Python frame or function internals in a template expression")
        }
        b"attr" if prev_nonws(w.b, w.a) == b'|' => w.found(
            WALK,
            "Jinja attr filter (attribute by computed name, the filter-bypass walk)",
        ),
        b"class" if w.prev == b'$' && w.m_is(&[b"inspect", b"type", b"forName"]) => w.found(
            VELOCITY,
            "Velocity ClassTool reaching Java classes ($class.inspect, $class.type)",
        ),
        b"class"
            if w.prev == b'.'
                && w.m_is(&[b"base", b"bases", b"mro", b"forName", b"classLoader", b"getClassLoader", b"module"]) =>
        {
            w.found(WALK, "class object walk (.class.base, .class.forName) in a template expression")
        }
        b"config"
            if w.m_is(&[
                b"items",
                b"iteritems",
                b"from_object",
                b"from_pyfile",
                b"from_envvar",
                b"get_namespace",
            ]) =>
        {
            w.found(INTERNALS, "Flask config enumeration in a template expression")
        }
        b"request" if w.m_is(&[b"application", b"environ"]) => w.found(
            INTERNALS,
            "Werkzeug request internals (request.application, request.environ)",
        ),
        b"_self" if w.m_is(&[b"env"]) => w.found(INTERNALS, "Twig environment (_self.env)"),
        b"app" if w.m_is(&[b"request"]) && member(w.b, w.e + 8) == Some(&b"server"[..]) => {
            w.found(INTERNALS, "Symfony server variables (app.request.server)")
        }
        b"dump" if w.called() && {
            let s = skip_ws(w.b, skip_ws(w.b, w.e) + 1);
            w.b.get(s..ident_end(w.b, s)) == Some(&b"app"[..])
        } =>
        {
            w.found(INTERNALS, "Twig dump of the application object")
        }
        b"registerUndefinedFilterCallback" | b"registerUndefinedFunctionCallback" => w.found(
            CALLBACK,
            "Twig undefined-filter callback registration (runs any PHP function)",
        ),
        _ if CALLBACK_TAKERS.contains(&w.w) && w.called() && php_callback_arg(w.b, w.e) => w.found(
            CALLBACK,
            "PHP command function passed by name to a filter or callback helper",
        ),
        b"freemarker" if w.m_is(&[b"template"]) => w.found(
            FREEMARKER,
            "FreeMarker utility class (freemarker.template.utility.Execute, ObjectConstructor)",
        ),
        b"constructor"
            if constructor_kind(w.kind)
                && (w.called()
                    || w.m_is(&[b"constructor", b"prototype"])
                    || (matches!(w.prev, b'"' | b'\'') && at(w.b, w.e) == w.prev)) =>
        {
            w.found(
                CONSTRUCTOR,
                "constructor reached from a template expression (Function constructor sandbox escape)",
            )
        }
        _ => None,
    }
}

/// Names that run commands or code, or reach the host language's classes.
fn exec_names(w: &Word<'_>) -> Option<Found> {
    match w.w {
        b"import" if matches!(w.kind, Kind::Statement | Kind::Erb) => {
            let s = skip_ws(w.b, w.e);
            (s > w.e && (at(w.b, s).is_ascii_alphabetic() || at(w.b, s) == b'_')).then_some(())?;
            w.found(EXEC, "Python module import in a template statement")
        }
        b"from" if matches!(w.kind, Kind::Statement | Kind::Erb) => {
            let s = skip_ws(w.b, w.e);
            let me = ident_end(w.b, s);
            let k = skip_ws(w.b, me);
            let imports = s > w.e && me > s && w.b.get(k..k + 6) == Some(&b"import"[..]);
            imports.then_some(())?;
            w.found(EXEC, "Python module import in a template statement")
        }
        b"os" if w.m_is(OS_MEMBERS) => {
            w.found(EXEC, "Python os module call in a template expression")
        }
        _ if EXEC_MODULES.contains(&w.w) => w.found(
            EXEC,
            "process execution module (subprocess, child_process) in a template expression",
        ),
        b"process"
            if w.m_is(&[b"binding", b"mainModule", b"dlopen", b"kill", b"exit"])
                || (!w.literal && w.m_is(&[b"env"])) =>
        {
            w.found(EXEC, "Node.js process object in a template expression")
        }
        b"require" if !w.literal && (w.called() || w.m_is(&[b"main", b"cache", b"resolve"])) => {
            w.found(EXEC, "Node.js require in a template expression")
        }
        b"global" | b"globalThis" if w.m_is(&[b"process"]) => {
            w.found(EXEC, "Node.js process object in a template expression")
        }
        b"Kernel" if w.m.is_some() => w.found(EXEC, "Ruby Kernel call in a template expression"),
        b"File" | b"IO" | b"Dir" if w.m_is(RUBY_IO) => w.found(
            EXEC,
            "Ruby file or process call (File.open, IO.popen) in a template expression",
        ),
        b"System" if w.m_is(&[b"Diagnostics", b"IO", b"Reflection"]) => w.found(
            EXEC,
            ".NET System namespace (Process, IO) in a template expression",
        ),
        b"Process" if w.m_is(&[b"Start", b"spawn", b"kill"]) => {
            w.found(EXEC, "process start in a template expression")
        }
        _ if java_kind(w.kind) && JAVA_NAMES.contains(&w.w) => w.found(
            JAVA,
            "Java reflection or process class in a template expression",
        ),
        b"java" | b"javax"
            if java_kind(w.kind)
                && w.m_is(&[
                    b"lang", b"io", b"net", b"nio", b"util", b"script", b"naming", b"beans",
                ]) =>
        {
            w.found(JAVA, "Java platform class in a template expression")
        }
        b"open" if w.prev != b'.' && w.called() => {
            w.found(EXEC, "file open call in a template expression")
        }
        // `.exec(` is also a JavaScript regular expression method, which
        // template literals in pasted code call.
        _ if EXEC_CALLS.contains(&w.w)
            && w.called()
            && !(w.w == b"exec" && w.prev == b'.' && w.literal) =>
        {
            w.found(
                EXEC,
                "command or code execution call in a template expression",
            )
        }
        b"system" | b"exec" | b"spawn" | b"eval"
            if matches!(w.kind, Kind::Erb | Kind::Hash) && {
                let s = skip_ws(w.b, w.e);
                s > w.e && matches!(at(w.b, s), b'\'' | b'"' | b'`')
            } =>
        {
            w.found(EXEC, "Ruby command call in a template expression")
        }
        _ => None,
    }
}

/// The argument list opened after `e` names a PHP command function in
/// quotes (`filter('system')`, `{'options': 'system'}`).
fn php_callback_arg(b: &[u8], e: usize) -> bool {
    let s = skip_ws(b, e) + 1;
    let args = b.get(s..).unwrap_or_default();
    let args = args.get(..MAX_ARGS).unwrap_or(args);
    let mut depth = 0u32;
    let mut i = 0;
    while i < args.len() {
        match at(args, i) {
            b'(' => depth += 1,
            b')' if depth == 0 => return false,
            b')' => depth -= 1,
            q @ (b'\'' | b'"') => {
                let body = args.get(i + 1..).unwrap_or_default();
                let Some(len) = body.iter().take(MAX_IDENT).position(|&x| x == q) else {
                    return false;
                };
                let name = body.get(..len).unwrap_or_default();
                if PHP_EXEC.iter().any(|f| f.eq_ignore_ascii_case(name)) {
                    return true;
                }
                i += len + 1;
            }
            _ => {}
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(body: &str, kind: Kind) -> Option<&'static str> {
        scan(body.as_bytes(), kind).map(|f| f.rule)
    }

    #[test]
    fn names_by_kind() {
        assert_eq!(rule("x.getClass()", Kind::Mustache), Some(JAVA));
        assert_eq!(rule("x.getClass()", Kind::Dollar), None);
        assert_eq!(rule("re.exec(s)", Kind::Dollar), None);
        assert_eq!(rule("runtime.exec('id')", Kind::Hash), Some(EXEC));
        assert_eq!(rule("process.env.API", Kind::Dollar), None);
        assert_eq!(rule("process.env.API", Kind::Hash), Some(EXEC));
        assert_eq!(rule(" import os ", Kind::Statement), Some(EXEC));
        assert_eq!(rule(" import 'forms.html' as f ", Kind::Statement), None);
        assert_eq!(rule("= `id` ", Kind::Erb), Some(ERB_SHELL));
        assert_eq!(rule("= `Hi ${name}` ", Kind::Erb), None);
        assert_eq!(rule(" driver.constructor.name ", Kind::Mustache), None);
        assert_eq!(
            rule(" constructor.constructor('x')() ", Kind::Mustache),
            Some(CONSTRUCTOR)
        );
        assert_eq!(rule(" 'system'|trans ", Kind::Mustache), None);
        assert_eq!(
            rule("['id']|filter('system')", Kind::Mustache),
            Some(CALLBACK)
        );
        assert_eq!(rule(" items|map('upper') ", Kind::Mustache), None);
    }

    #[test]
    fn dunders_and_mangling() {
        assert!(is_dunder(b"__class__"));
        assert!(!is_dunder(b"__"));
        assert!(!is_dunder(b"____"));
        assert!(!is_dunder(b"__init"));
        assert!(is_mangled(b"_TemplateReference__context"));
        assert!(!is_mangled(b"_private"));
        assert!(!is_mangled(b"_Foo__"));
    }
}
