//! Command output in a response: what `id` prints,
//! `uid=N(name) gid=N(name)` (`uid=0(root) gid=0(root) groups=0(root)`),
//! the usual proof that an injected command ran.

use super::shape::{digits, run_of};
use super::{Leak, LeakKind, MAX_HITS};
use crate::engine::bytes::{byte_set, find, ByteSet};

/// A user or group name inside the parentheses.
static NAME: ByteSet =
    byte_set!(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$'));

/// Appends each `uid=N(name) gid=N(` in `hay`; the match runs to the
/// group name's `)`.
pub fn scan(hay: &[u8], out: &mut Vec<Leak>) {
    let mut from = 0;
    while out.len() < MAX_HITS {
        let Some(at) = find(hay, from, b"uid=") else {
            return;
        };
        from = at + 4;
        if at > 0 && hay.get(at - 1).is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        let Some(gid) = id_group(hay, at + 4).filter(|&g| hay.get(g) == Some(&b' ')) else {
            continue;
        };
        if hay.get(gid + 1..gid + 5) != Some(b"gid=") {
            continue;
        }
        if let Some(end) = id_group(hay, gid + 5) {
            out.push(Leak::new(
                LeakKind::CommandOutput,
                "response.command_output.id",
                at,
                end,
            ));
            from = end;
        }
    }
}

/// `N(name)` at `i`: the position after `)`.
fn id_group(hay: &[u8], i: usize) -> Option<usize> {
    let n = digits(hay, i, 10);
    if n == i || hay.get(n) != Some(&b'(') {
        return None;
    }
    let name = run_of(hay, n + 1, 64, &NAME);
    (name > n + 1 && hay.get(name) == Some(&b')')).then_some(name + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_output() {
        let hay = b"<pre>uid=0(root) gid=0(root) groups=0(root)</pre>";
        let mut out = Vec::new();
        scan(hay, &mut out);
        assert_eq!(&hay[out[0].start..out[0].end], b"uid=0(root) gid=0(root)");
        for benign in [
            &b"?uid=12&gid=3"[..],
            b"uid=5(x)",
            b"myuid=0(root) gid=0(root)",
            b"uid=(root) gid=0(r)",
        ] {
            let mut out = Vec::new();
            scan(benign, &mut out);
            assert!(out.is_empty(), "{}", String::from_utf8_lossy(benign));
        }
    }
}
