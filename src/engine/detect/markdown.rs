//! Markdown fenced code blocks (```` ```bash ```` … ```` ``` ````), found so
//! that detectors can tell developer content from an injection.
//!
//! Issue trackers, forums, chat and LLM prompts send Markdown in comment
//! fields, and a fenced block there holds code *about* a shell, a query or
//! a page: text the application stores and renders escaped. Read as shell,
//! the fence itself is a command substitution (`` `…` ``) and every line in
//! the block a command. `cmdi` blanks the blocks [`fenced_blocks`] finds
//! before it reads the value, so the prose around them is still read, and a
//! value that closes a fence and goes on with `; id` is still caught.
//!
//! The trade-off, argued: a value that is nothing but a fenced block
//! reaching an unquoted shell would run the block; a WAF that blocks every
//! Markdown answer with a code sample is switched off by its users. Only
//! well-formed blocks count (CommonMark 0.31, section 4.5: an opening fence
//! of three or more backticks or tildes at the start of a line, indented
//! at most three spaces, a backtick fence's info string without backticks,
//! and a closing fence of the same character at least as long with nothing
//! but blanks after it); an unclosed fence is not a block here.

/// Most blocks reported for one value.
const MAX_BLOCKS: usize = 64;

/// The byte ranges of the fenced code blocks of `v`, each from the start of
/// its opening fence line to the end of its closing fence line.
pub fn fenced_blocks(v: &[u8]) -> Vec<(usize, usize)> {
    let mut blocks = Vec::new();
    let mut line = 0;
    while line < v.len() && blocks.len() < MAX_BLOCKS {
        let end = line_end(v, line);
        if let Some((ch, n)) = opening(v.get(line..end).unwrap_or_default()) {
            // CommonMark runs an unclosed fence to the end of the
            // document; here it is no block, and nothing after it is
            // searched again (linear time).
            let Some(close_end) = closing_after(v, end, ch, n) else {
                break;
            };
            blocks.push((line, close_end));
            line = close_end + 1;
            continue;
        }
        line = end + 1;
    }
    blocks
}

/// The index of the `\n` ending the line at `start` (or the length).
fn line_end(v: &[u8], start: usize) -> usize {
    v.get(start..)
        .and_then(|r| r.iter().position(|&b| b == b'\n'))
        .map_or(v.len(), |p| start + p)
}

/// Up to three spaces of indentation.
fn indent(l: &[u8]) -> Option<&[u8]> {
    let n = l.iter().take_while(|&&b| b == b' ').count();
    (n <= 3).then(|| l.get(n..).unwrap_or_default())
}

/// The fence character and length when `l` opens a fenced block.
fn opening(l: &[u8]) -> Option<(u8, usize)> {
    let l = indent(l)?;
    let ch = *l.first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let n = l.iter().take_while(|&&b| b == ch).count();
    let info = l.get(n..).unwrap_or_default();
    (n >= 3 && !(ch == b'`' && info.contains(&b'`'))).then_some((ch, n))
}

/// The end of the line that closes a block opened by `n` × `ch`, searching
/// the lines after the one ending at `from`.
fn closing_after(v: &[u8], from: usize, ch: u8, n: usize) -> Option<usize> {
    let mut line = from + 1;
    while line <= v.len() {
        let end = line_end(v, line);
        let l = v.get(line..end).unwrap_or_default();
        if let Some(l) = indent(l) {
            let m = l.iter().take_while(|&&b| b == ch).count();
            let rest = l.get(m..).unwrap_or_default();
            if m >= n && rest.iter().all(|&b| matches!(b, b' ' | b'\t' | b'\r')) {
                return Some(end);
            }
        }
        if end >= v.len() {
            return None;
        }
        line = end + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::fenced_blocks;

    fn blocks(v: &str) -> Vec<&str> {
        fenced_blocks(v.as_bytes())
            .into_iter()
            .map(|(a, b)| &v[a..b])
            .collect()
    }

    #[test]
    fn blocks_found() {
        assert_eq!(
            blocks("Try this:\n\n```bash\nls -la /tmp\n```\nthanks"),
            vec!["```bash\nls -la /tmp\n```"]
        );
        assert_eq!(blocks("```\na\n```"), vec!["```\na\n```"]);
        assert_eq!(
            blocks("~~~~sh\n```\nx\n~~~~\n"),
            vec!["~~~~sh\n```\nx\n~~~~"]
        );
        assert_eq!(
            blocks("```sh\na\n```\ntext\n   ```py\nb\n   ````  \n"),
            vec!["```sh\na\n```", "   ```py\nb\n   ````  "]
        );
    }

    #[test]
    fn not_blocks() {
        assert!(blocks("```sh\nls -la\n").is_empty(), "unclosed");
        assert!(blocks("``\nx\n``").is_empty(), "two backticks");
        assert!(blocks("    ```\nx\n```").is_empty(), "indented four");
        assert!(blocks("``` a`b\nx\n```").is_empty(), "backtick in info");
        assert!(blocks("x ```\nid\n```").is_empty(), "not at a line start");
        assert!(
            blocks("```\nx\n``` ; id").is_empty(),
            "text after the closing fence"
        );
        let many = "```\nx\n```\n".repeat(100);
        assert_eq!(fenced_blocks(many.as_bytes()).len(), 64);
        // Fences that never close, by the thousand: the first one ends the
        // search (no quadratic rescans).
        let open = "```x\n".repeat(1 << 16);
        assert!(fenced_blocks(open.as_bytes()).is_empty());
    }
}
