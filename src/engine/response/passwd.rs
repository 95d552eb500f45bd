//! `/etc/passwd` content in a response: a line of seven colon-separated
//! fields, `name:x:uid:gid:gecos:/home:/shell` (`root:x:0:0:root:/root:/bin/bash`).
//!
//! The whole line shape is required: a login name, a password field of
//! at most one placeholder byte (`x`, `*`, `!`) or a hash, two numbers, a
//! comment without `:`, and a home and a shell that are absolute paths.
//! Time notation (`10:30:00`) and `key:value` text never have that shape.

use super::shape::{digits, run_of};
use super::{Leak, LeakKind, MAX_HITS};
use crate::engine::bytes::{byte_set, find_byte, ByteSet};

/// A login name (`www-data`, `_apt`, `systemd-network`).
static NAME: ByteSet =
    byte_set!(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.'));

/// A password field: a placeholder or a crypt hash (`$6$salt$hash`).
static PASSWORD: ByteSet =
    byte_set!(|b| b.is_ascii_alphanumeric() || matches!(b, b'$' | b'.' | b'/' | b'*' | b'!'));

/// Bytes of a comment, home or shell field (anything but `:` and line ends).
static FIELD: ByteSet =
    byte_set!(|b| b != b':' && b != b'\n' && b != b'\r' && b != b'\\' && b != b'"' && b != b'<');

/// Appends the passwd lines in `hay`. Candidates are the bytes after each
/// `:` whose field before is a login name at a line start; each byte is
/// looked at a bounded number of times.
pub fn scan(hay: &[u8], out: &mut Vec<Leak>) {
    let mut from = 0;
    while out.len() < MAX_HITS {
        let Some(colon) = find_byte(hay, from, b':') else {
            return;
        };
        from = colon + 1;
        let start = super::shape::run_back(hay, colon, 32, &NAME);
        if start == colon
            || !hay
                .get(start)
                .is_some_and(|b| b.is_ascii_lowercase() || *b == b'_')
        {
            continue;
        }
        if !starts_line(hay, start) {
            continue;
        }
        if let Some((end, decided)) = line_shape(hay, colon + 1) {
            let leak = Leak::new(LeakKind::PasswdFile, "response.passwd_file", start, end);
            out.push(leak.decided_at(decided));
            from = end;
        }
    }
}

/// A line start, an HTML tag's end, or a JSON string's opening quote.
fn starts_line(hay: &[u8], i: usize) -> bool {
    i == 0
        || matches!(hay.get(i - 1), Some(b'\n' | b'\r' | b'>' | b'"'))
        || (i >= 2 && hay.get(i - 2) == Some(&b'\\') && hay.get(i - 1) == Some(&b'n'))
}

/// The fields after `name:`; the end of the line when they have the shape.
fn line_shape(hay: &[u8], i: usize) -> Option<(usize, usize)> {
    let pw = run_of(hay, i, 128, &PASSWORD);
    expect(hay, pw, b':')?;
    let uid = digits(hay, pw + 1, 10);
    if uid == pw + 1 {
        return None;
    }
    expect(hay, uid, b':')?;
    let gid = digits(hay, uid + 1, 10);
    if gid == uid + 1 {
        return None;
    }
    expect(hay, gid, b':')?;
    let gecos = run_of(hay, gid + 1, 128, &FIELD);
    expect(hay, gecos, b':')?;
    expect(hay, gecos + 1, b'/')?;
    let home = run_of(hay, gecos + 1, 128, &FIELD);
    expect(hay, home, b':')?;
    expect(hay, home + 1, b'/')?;
    let shell = run_of(hay, home + 1, 128, &FIELD);
    // Decided at the shell's first bytes: the line may run on.
    (shell > home + 2).then_some((shell, home + 3))
}

fn expect(hay: &[u8], i: usize, b: u8) -> Option<()> {
    (hay.get(i) == Some(&b)).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(hay: &[u8]) -> Vec<&[u8]> {
        let mut out = Vec::new();
        scan(hay, &mut out);
        out.iter().map(|l| &hay[l.start..l.end]).collect()
    }

    #[test]
    fn passwd_lines() {
        let hay =
            b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";
        assert_eq!(
            found(hay),
            vec![
                &b"root:x:0:0:root:/root:/bin/bash"[..],
                b"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin"
            ]
        );
        assert_eq!(
            found(b"<pre>www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin</pre>").len(),
            1
        );
        assert_eq!(
            found(b"{\"out\":\"root:x:0:0:root:/root:/bin/sh\\n\"}").len(),
            1
        );
    }

    #[test]
    fn colon_text_is_not_passwd() {
        for hay in [
            &b"time: 10:30:00:00 and at:x:1:2:no"[..],
            b"note:x:1:1:comment:relative:/bin/sh",
            b"a=root:x:0:0:root:/root:/bin/bash",
            b"Root:x:0:0:r:/root:/bin/bash",
        ] {
            assert!(found(hay).is_empty(), "{}", String::from_utf8_lossy(hay));
        }
    }
}
