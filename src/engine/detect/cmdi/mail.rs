//! SMTP / POP3 / IMAP commands injected on a line of their own (CRLF
//! injection into mail protocols).

use super::types::Found;

/// SMTP / POP3 / IMAP commands on a line of their own after a line break:
/// mail-protocol command injection through CRLF.
pub(super) fn mail_command(v: &[u8]) -> Option<Found> {
    if !v.contains(&b'\n') {
        return None;
    }
    let mut offset = 0;
    let mut first = true;
    for line in v.split(|&b| b == b'\n') {
        let here = offset;
        offset += line.len() + 1;
        if first {
            first = false;
            continue;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = line.strip_prefix(b" ").unwrap_or(line);
        if mail_line(line) {
            return Some(Found::new(
                "cmdi.mail_command",
                "mail protocol (SMTP/POP3/IMAP) command after a line break",
                here,
                (here + line.len()).min(v.len()),
            ));
        }
    }
    None
}

fn mail_line(l: &[u8]) -> bool {
    let mut words = l.split(|&b| b == b' ').filter(|w| !w.is_empty());
    let Some(w0) = words.next() else {
        return false;
    };
    let rest: Vec<&[u8]> = words.take(8).collect();
    let num =
        |w: Option<&&[u8]>| w.is_some_and(|x| !x.is_empty() && x.iter().all(u8::is_ascii_digit));
    // SMTP (verbs are uppercase on the wire in injections).
    if l.starts_with(b"MAIL FROM:") || l.starts_with(b"RCPT TO:") {
        return true;
    }
    if (w0 == b"EHLO" || w0 == b"HELO") && rest.len() == 1 {
        return true;
    }
    if matches!(w0, b"DATA" | b"QUIT" | b"RSET" | b"NOOP" | b"STARTTLS") && rest.is_empty() {
        return true;
    }
    if matches!(w0, b"AUTH" | b"APOP" | b"VRFY" | b"EXPN" | b"HELP")
        && !rest.is_empty()
        && rest.len() <= 2
    {
        return w0 != b"HELP" || rest.len() == 1;
    }
    // POP3: verb and numbers only.
    let pop = [&b"retr"[..], b"dele", b"top", b"list", b"uidl", b"stat"];
    if pop.iter().any(|p| p.eq_ignore_ascii_case(w0))
        && !rest.is_empty()
        && rest.iter().all(|w| num(Some(w)))
    {
        return true;
    }
    // IMAP: `tag COMMAND …` with a tag that carries a digit, or IMAP
    // syntax in the arguments.
    const IMAP: &[&str] = &[
        "login",
        "authenticate",
        "select",
        "examine",
        "create",
        "delete",
        "rename",
        "subscribe",
        "list",
        "lsub",
        "status",
        "append",
        "check",
        "close",
        "expunge",
        "search",
        "fetch",
        "store",
        "copy",
        "uid",
        "capability",
        "logout",
        "idle",
    ];
    let tagged = w0.len() <= 10 && w0.iter().all(u8::is_ascii_alphanumeric);
    if tagged {
        if let Some(cmd) = rest.first() {
            if IMAP.iter().any(|c| c.as_bytes().eq_ignore_ascii_case(cmd)) {
                let digit = w0.iter().any(u8::is_ascii_digit);
                let syntax = rest.iter().any(|w| {
                    w.starts_with(b"(\\") || w.starts_with(b"+FLAGS") || w.starts_with(b"\"INBOX")
                });
                return digit || syntax;
            }
        }
    }
    false
}
