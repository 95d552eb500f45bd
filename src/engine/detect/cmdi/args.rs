//! Argument heuristics: the evidence level a command's arguments and
//! redirections carry (options, paths, URLs, sensitive files, numbers for
//! `sleep`), and the tests that make an argument list read as prose.

use crate::engine::detect::traversal::is_sensitive_path;

use super::batch::batch_var;
use super::names::Resolved;
use super::state::Scanner;
use super::state::SimpleCmd;
use super::table::{ALIAS, CMDSTR, INTERP, NET, S, SHELL, SLEEP, SUBCMD, WIN};
use super::words::{Arg, W_GLOB, W_HERE, W_LITERAL, W_OBFUSCATED, W_QUOTED, W_REDIR, W_SUBST};

impl<'d> Scanner<'d> {
    /// Argument evidence for a command (`EV_NONE`, `EV_MEDIUM`,
    /// `EV_STRONG`): its path, redirections and arguments.
    pub(super) fn evidence(&mut self, r: &Resolved, args: &[Arg<'_>], s: &SimpleCmd<'_>) -> u8 {
        let mut ev = redirect_evidence(s);
        if r.exe_path {
            ev = ev.max(EV_MEDIUM);
        }
        let mut numeric = 0;
        let mut other = 0;
        let mut sub = false;
        let mut switch = false;
        for (idx, (a, f)) in args.iter().enumerate() {
            let a: &[u8] = a;
            if f & (W_OBFUSCATED | W_SUBST) != 0 && f & W_LITERAL != 0 {
                ev = ev.max(EV_STRONG);
            }
            // A plain word (most prose) is no path, URL, IP, option or
            // file: only the sub-command and command-string checks apply.
            let plain = f & W_GLOB == 0 && !a.is_empty() && a.iter().all(u8::is_ascii_alphabetic);
            if plain {
                if idx == 0 && r.flags & SUBCMD != 0 && subcommand(a) {
                    ev = ev.max(if r.flags & S != 0 {
                        EV_STRONG
                    } else {
                        EV_MEDIUM
                    });
                    sub = true;
                    continue;
                }
                if r.flags & CMDSTR != 0 && f & W_QUOTED != 0 && self.names.resolve(a).is_some() {
                    ev = ev.max(EV_STRONG);
                    continue;
                }
                other += 1;
                continue;
            }
            if self.sensitive_arg(a, *f) {
                ev = ev.max(EV_STRONG);
                continue;
            }
            let is_url = a.windows(3).any(|w| w == b"://");
            let ip = is_ipv4(a);
            if (is_url || ip) && r.flags & NET != 0 {
                ev = ev.max(EV_STRONG);
                continue;
            }
            if is_option(a) {
                ev = ev.max(EV_MEDIUM);
                // Inline code for shells and interpreters: sh -c, perl -e.
                if r.flags & (SHELL | INTERP) != 0
                    && matches!(
                        a,
                        b"-c" | b"-e" | b"-r" | b"-i" | b"-E" | b"-enc" | b"-EncodedCommand"
                    )
                {
                    ev = ev.max(EV_STRONG);
                }
                if a == b"-e" && r.flags & NET != 0 {
                    ev = ev.max(EV_STRONG);
                }
                continue;
            }
            if r.flags & WIN != 0 && win_option(a) {
                ev = ev.max(EV_MEDIUM);
                switch = true;
                continue;
            }
            if is_url || ip || path_like(a) || batch_var(a) {
                ev = ev.max(EV_MEDIUM);
                continue;
            }
            if idx == 0 && r.flags & SUBCMD != 0 && subcommand(a) {
                // `netsh firewall …`: a strong command's sub-command is
                // decisive; `net user` needs a switch or brevity (below).
                ev = ev.max(if r.flags & S != 0 {
                    EV_STRONG
                } else {
                    EV_MEDIUM
                });
                sub = true;
                continue;
            }
            if has_file_ext(a) && !a.contains(&b'@') {
                ev = ev.max(EV_MEDIUM);
                continue;
            }
            if r.flags & CMDSTR != 0 && f & W_QUOTED != 0 {
                let first = a.split(|b| b.is_ascii_whitespace()).find(|x| !x.is_empty());
                if first.is_some_and(|x| self.names.resolve(x).is_some()) {
                    ev = ev.max(EV_STRONG);
                    continue;
                }
            }
            if a.iter().all(u8::is_ascii_digit) && !a.is_empty() || duration(a) {
                numeric += 1;
            } else {
                other += 1;
            }
        }
        // `net user x /add`, `net view`, `reg add …`; not `net user growth
        // was 10%`.
        if sub && (switch || args.len() <= 2) {
            ev = ev.max(EV_STRONG);
        }
        if r.flags & SLEEP != 0 && numeric > 0 && other == 0 {
            ev = ev.max(EV_STRONG);
        }
        if r.flags & ALIAS != 0
            && args
                .iter()
                .any(|(a, _)| a.len() > 1 && a.get(1..).is_some_and(|x| x.contains(&b'=')))
        {
            ev = ev.max(EV_STRONG);
        }
        ev
    }
}

/// Evidence from redirections: to a file, a device or a here-string.
fn redirect_evidence(s: &SimpleCmd<'_>) -> u8 {
    let mut ev = EV_NONE;
    for w in s.words.iter().filter(|w| w.flags & W_REDIR != 0) {
        let target = s.word(w);
        if w.flags & W_HERE != 0
            || target.starts_with(b"/dev/")
            || target.starts_with(b"&")
            || is_sensitive_path(target)
            || script_file(target)
        {
            ev = ev.max(EV_STRONG);
        } else if target.contains(&b'/') || has_file_ext(target) {
            ev = ev.max(EV_MEDIUM);
        }
    }
    ev
}

// Evidence levels.
pub(super) const EV_NONE: u8 = 0;
pub(super) const EV_MEDIUM: u8 = 1;
pub(super) const EV_STRONG: u8 = 2;

/// Arguments that read as a sentence rather than a command line: three
/// or more plain words, or a plain word ending in `?` / `!`
/// (`ls -la shows nothing?`).
pub(super) fn prose_like(args: &[Arg<'_>]) -> bool {
    let mut words = 0;
    let mut asked = false;
    for (a, _) in args {
        let body = a
            .strip_suffix(b"?")
            .or_else(|| a.strip_suffix(b"!"))
            .or_else(|| a.strip_suffix(b"."))
            .or_else(|| a.strip_suffix(b","))
            .unwrap_or(a);
        if body.len() >= 2 && body.iter().all(u8::is_ascii_alphabetic) {
            words += 1;
            asked |= body.len() < a.len() && matches!(a.last(), Some(b'?' | b'!'));
        }
    }
    words >= 3 || asked
}

/// English function words: two of them among a command's arguments mean
/// prose (`apt-get … did the job for me`), not a command line.
pub(super) fn prose(args: &[Arg<'_>]) -> bool {
    // A `match` on the bytes compiles to length and integer compares
    // rather than a scan of a table of strings.
    fn stop(w: &[u8]) -> bool {
        matches!(
            w,
            b"the"
                | b"a"
                | b"an"
                | b"to"
                | b"for"
                | b"of"
                | b"in"
                | b"on"
                | b"is"
                | b"it"
                | b"me"
                | b"my"
                | b"you"
                | b"your"
                | b"and"
                | b"or"
                | b"but"
                | b"with"
                | b"did"
                | b"does"
                | b"do"
                | b"this"
                | b"that"
                | b"was"
                | b"are"
                | b"be"
                | b"if"
                | b"not"
                | b"no"
                | b"so"
                | b"at"
                | b"as"
                | b"by"
                | b"from"
                | b"we"
                | b"i"
                | b"he"
                | b"she"
                | b"they"
                | b"what"
                | b"how"
                | b"when"
                | b"there"
                | b"then"
                | b"than"
                | b"have"
                | b"has"
                | b"can"
                | b"will"
                | b"would"
                | b"should"
                | b"please"
        )
    }
    let mut n = 0;
    for (a, _) in args.iter().take(16) {
        let w: &[u8] = a
            .strip_suffix(b".")
            .or_else(|| a.strip_suffix(b","))
            .unwrap_or(a);
        // Stop words are 1–6 letters.
        if w.is_empty() || w.len() > 6 || !w.iter().all(u8::is_ascii_alphabetic) {
            continue;
        }
        let mut buf = [0u8; 6];
        let lower = buf.get_mut(..w.len()).unwrap_or_default();
        for (d, c) in lower.iter_mut().zip(w) {
            *d = c.to_ascii_lowercase();
        }
        let lower: &[u8] = lower;
        if stop(lower) {
            n += 1;
            if n >= 2 {
                return true;
            }
        }
    }
    false
}

/// Server-side script files a redirection may create (`> cmd.php`).
fn script_file(t: &[u8]) -> bool {
    const EXT: &[&str] = &[
        "php", "phtml", "jsp", "jspx", "asp", "aspx", "sh", "py", "pl", "cgi", "rb", "war",
    ];
    t.iter().rposition(|&b| b == b'.').is_some_and(|p| {
        let e = t.get(p + 1..).unwrap_or_default();
        EXT.iter().any(|x| x.as_bytes().eq_ignore_ascii_case(e))
    })
}

/// `-l`, `-la`, `--version`, `-c:\!pwd` (not `-1`, not `-`).
fn is_option(a: &[u8]) -> bool {
    match a {
        [b'-', b'-', c, ..] => c.is_ascii_alphabetic(),
        [b'-', c, ..] => c.is_ascii_alphabetic(),
        _ => false,
    }
}

/// Windows switches: `/all`, `/c`, `/ADD`, `/?`.
fn win_option(a: &[u8]) -> bool {
    match a.split_first() {
        Some((b'/', rest)) => {
            !rest.is_empty()
                && rest.len() <= 16
                && (rest == b"?" || rest.iter().all(|b| b.is_ascii_alphabetic() || *b == b':'))
        }
        _ => false,
    }
}

/// A file path argument: absolute, home- or dot-relative, a drive path,
/// or a relative path ending in a file name with an extension.
fn path_like(a: &[u8]) -> bool {
    match a {
        [b'/', ..]
        | [b'~', ..]
        | [b'.', b'/', ..]
        | [b'.', b'.', b'/', ..]
        | [b'\\', b'\\', ..] => true,
        [d, b':', b'\\' | b'/', ..] if d.is_ascii_alphabetic() => true,
        _ => a.contains(&b'/') && has_file_ext(a),
    }
}

fn has_file_ext(a: &[u8]) -> bool {
    let leaf = a
        .iter()
        .rposition(|&b| b == b'/' || b == b'\\')
        .map_or(a, |p| a.get(p + 1..).unwrap_or_default());
    match leaf.iter().rposition(|&b| b == b'.') {
        Some(p) if p > 0 => {
            let ext = leaf.get(p + 1..).unwrap_or_default();
            (1..=5).contains(&ext.len())
                && ext.iter().all(u8::is_ascii_alphanumeric)
                && ext.iter().any(u8::is_ascii_alphabetic)
        }
        _ => false,
    }
}

/// Dotted-quad IPv4, optionally with a port.
fn is_ipv4(a: &[u8]) -> bool {
    let host = a.split(|&b| b == b':').next().unwrap_or_default();
    let mut parts = 0;
    for p in host.split(|&b| b == b'.') {
        if p.is_empty() || p.len() > 3 || !p.iter().all(u8::is_ascii_digit) {
            return false;
        }
        parts += 1;
    }
    parts == 4
}

/// `5`, `5s`, `0.5`, `1m` (sleep / timeout durations).
fn duration(a: &[u8]) -> bool {
    let body = a
        .strip_suffix(b"s")
        .or_else(|| a.strip_suffix(b"m"))
        .unwrap_or(a);
    !body.is_empty()
        && body.iter().all(|b| b.is_ascii_digit() || *b == b'.')
        && body.iter().any(u8::is_ascii_digit)
}

/// Sub-commands of `net`, `reg`, `sc` that make them commands.
fn subcommand(a: &[u8]) -> bool {
    const SUBS: &[&str] = &[
        "user",
        "users",
        "view",
        "localgroup",
        "group",
        "share",
        "use",
        "start",
        "stop",
        "accounts",
        "session",
        "config",
        "add",
        "query",
        "delete",
        "save",
        "export",
        "import",
        "create",
        "qc",
        "firewall",
        "advfirewall",
        "interface",
        "wlan",
    ];
    SUBS.iter().any(|s| s.as_bytes().eq_ignore_ascii_case(a))
}
