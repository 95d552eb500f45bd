//! PHP code evaluation through the value: complex-syntax expressions
//! (`{${phpinfo()}}`) and execution functions called at a statement start.

use super::calls::named_calls;
use super::classes::{P_BRACE, P_DOLLAR, P_PAREN};
use super::types::Found;

/// PHP code execution through the value: complex-syntax evaluation
/// (`{${phpinfo()}}`, `${@print(…)}`, `{$_GET['cmd']}`) or a call of a PHP
/// execution / information function at a statement start (`;phpinfo();`,
/// `| system(…)`).
pub(super) fn php_code(v: &[u8], has: u32) -> Option<Found> {
    const SUPER: &[&[u8]] = &[b"_GET", b"_POST", b"_REQUEST", b"_SERVER", b"_COOKIE"];
    // Complex syntax needs a `$` and a `{`; a call needs a `(`.
    let dollars = if has & (P_DOLLAR | P_BRACE) == P_DOLLAR | P_BRACE {
        v
    } else {
        &[][..]
    };
    for (p, _) in dollars.iter().enumerate().filter(|(_, &b)| b == b'$') {
        let before = p.checked_sub(1).and_then(|q| v.get(q)).copied();
        let after = v.get(p + 1..).unwrap_or_default();
        let complex = before == Some(b'{')
            && (after.first() == Some(&b'{') || SUPER.iter().any(|s| after.starts_with(s)))
            || after.starts_with(b"{@");
        if complex {
            let start = if before == Some(b'{') { p - 1 } else { p };
            return Some(Found::new(
                "cmdi.php_code",
                "PHP complex-syntax expression evaluating code",
                start,
                v.len(),
            ));
        }
    }
    const FUNCS: &[&str] = &[
        "phpinfo",
        "phpversion",
        "system",
        "passthru",
        "shell_exec",
        "exec",
        "popen",
        "proc_open",
        "pcntl_exec",
        "eval",
        "assert",
    ];
    if has & P_PAREN == 0 {
        return None;
    }
    for (name_start, paren) in named_calls(v, FUNCS) {
        // Statement start: the value start or a separator before the name.
        let before = v
            .get(..name_start)
            .and_then(|r| r.iter().rposition(|b| !b.is_ascii_whitespace()))
            .and_then(|x| v.get(x).copied());
        let stmt = matches!(
            before,
            None | Some(b';' | b'|' | b'&' | b':' | b'\'' | b'"')
        );
        // A call: `name()` or `name(` followed by an argument and `)`.
        let closes = v.get(paren + 1..).is_some_and(|r| r.contains(&b')'));
        if stmt && closes {
            return Some(Found::new(
                "cmdi.php_code",
                "PHP execution or information function called at a statement start",
                name_start,
                v.len(),
            ));
        }
    }
    None
}
