//! GraphQL executable documents (`query GetUser($id: ID!) { user(id: $id)
//! { id name } }`), recognised lexically so that detectors can read them as
//! what they are rather than as text in another language.
//!
//! Every GraphQL API sends such documents in a JSON `query` field or a
//! `query` parameter. Read as shell, a selection set is a list of commands
//! on their own lines (`id` is a command), so `cmdi` asks
//! [`string_literals`] first: when the whole value is a document, only the
//! contents of its string literals are data the server passes on (a
//! resolver may hand an argument to a shell); names, variables and
//! punctuation are GraphQL syntax and comments are dropped by the server.
//!
//! The reading follows the GraphQL lexical grammar (October 2021 spec,
//! section 2.1) and is strict: a byte outside it — `;`, `` ` ``, `'`, `<`,
//! `>`, `\` outside a string, and the SDL-only `&` and `|` — or unbalanced
//! brackets mean the value is not a document, and it is read as before. So
//! nothing a shell treats as a separator or a substitution can hide outside
//! the string literals. Linear time, bounded nesting.

/// Most string literals a document may hold and still be read as one
/// (each is inspected as a value).
pub const MAX_STRINGS: usize = 256;
/// Deepest bracket nesting accepted.
const MAX_DEPTH: usize = 64;

/// The byte ranges of the contents of the string literals of `v` when the
/// whole of `v` is a GraphQL executable document (it starts with
/// `query`, `mutation`, `subscription`, `fragment` or `{` and its brackets
/// balance); `None` otherwise.
pub fn string_literals(v: &[u8]) -> Option<Vec<(usize, usize)>> {
    let mut lx = Lexer {
        v,
        i: 0,
        stack: [0; MAX_DEPTH],
        depth: 0,
        strings: Vec::new(),
    };
    lx.skip_ignored();
    let first = lx.name_at(lx.i);
    let opens_with_brace = v.get(lx.i) == Some(&b'{');
    if !opens_with_brace
        && !matches!(
            first,
            b"query" | b"mutation" | b"subscription" | b"fragment"
        )
    {
        return None;
    }
    let mut saw_brace = false;
    loop {
        lx.skip_ignored();
        let Some(&b) = v.get(lx.i) else { break };
        match b {
            b'{' | b'(' | b'[' => {
                saw_brace |= b == b'{';
                let slot = lx.stack.get_mut(lx.depth)?;
                *slot = b;
                lx.depth += 1;
                lx.i += 1;
            }
            b'}' | b')' | b']' => {
                lx.depth = lx.depth.checked_sub(1)?;
                let open = lx.stack.get(lx.depth).copied()?;
                if !matches!((open, b), (b'{', b'}') | (b'(', b')') | (b'[', b']')) {
                    return None;
                }
                lx.i += 1;
            }
            // A variable: `$` and its name (`$(` is no GraphQL).
            b'$' => {
                let n = lx.name_at(lx.i + 1).len();
                if n == 0 {
                    return None;
                }
                lx.i += 1 + n;
            }
            b'!' | b':' | b'=' | b'@' => lx.i += 1,
            b'.' => {
                if v.get(lx.i..lx.i + 3)? != b"..." {
                    return None;
                }
                lx.i += 3;
            }
            b'"' => lx.string()?,
            b'-' | b'0'..=b'9' => lx.number()?,
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => lx.i += lx.name_at(lx.i).len(),
            _ => return None,
        }
    }
    // `{id,}`, `{,ifconfig,eth0}`: one word, which the shell reads as a
    // brace expansion; a document written by a client has blanks.
    let one_word = !v.iter().any(|&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    (lx.depth == 0 && saw_brace && !one_word).then_some(lx.strings)
}

struct Lexer<'a> {
    v: &'a [u8],
    i: usize,
    stack: [u8; MAX_DEPTH],
    depth: usize,
    strings: Vec<(usize, usize)>,
}

impl<'a> Lexer<'a> {
    /// Blanks, line ends, commas, a BOM and `#` comments.
    fn skip_ignored(&mut self) {
        while let Some(&b) = self.v.get(self.i) {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' | b',' => self.i += 1,
                b'#' => {
                    let rest = self.v.get(self.i..).unwrap_or_default();
                    self.i += rest
                        .iter()
                        .position(|&c| c == b'\n' || c == b'\r')
                        .unwrap_or(rest.len());
                }
                0xEF if self.v.get(self.i..self.i + 3) == Some(b"\xEF\xBB\xBF") => self.i += 3,
                _ => break,
            }
        }
    }

    /// The name starting at `i` (empty when none).
    fn name_at(&self, i: usize) -> &'a [u8] {
        let rest = self.v.get(i..).unwrap_or_default();
        let starts = rest
            .first()
            .is_some_and(|&b| b == b'_' || b.is_ascii_alphabetic());
        if !starts {
            return &[];
        }
        let n = rest
            .iter()
            .take_while(|&&b| b == b'_' || b.is_ascii_alphanumeric())
            .count();
        rest.get(..n).unwrap_or_default()
    }

    /// `-12`, `3.5e-2`; a number glued to a name is not GraphQL.
    fn number(&mut self) -> Option<()> {
        let rest = self.v.get(self.i..)?;
        let n = rest
            .iter()
            .enumerate()
            .take_while(|&(k, &b)| {
                b.is_ascii_digit()
                    || matches!(b, b'.' | b'e' | b'E')
                    || (matches!(b, b'-' | b'+')
                        && (k == 0 || matches!(rest.get(k - 1), Some(b'e' | b'E'))))
            })
            .count();
        if !rest.get(..n)?.iter().any(u8::is_ascii_digit) {
            return None;
        }
        self.i += n;
        let glued = self
            .v
            .get(self.i)
            .is_some_and(|&b| b == b'_' || b.is_ascii_alphabetic());
        (!glued).then_some(())
    }

    /// `"…"` (escapes, no line break) or `"""…"""` (block string); records
    /// the contents.
    fn string(&mut self) -> Option<()> {
        if self.strings.len() >= MAX_STRINGS {
            return None;
        }
        let v = self.v;
        if v.get(self.i..self.i + 3) == Some(b"\"\"\"") {
            let start = self.i + 3;
            let mut k = start;
            loop {
                match v.get(k)? {
                    b'\\' if v.get(k + 1..k + 4) == Some(b"\"\"\"") => k += 4,
                    b'"' if v.get(k..k + 3) == Some(b"\"\"\"") => break,
                    _ => k += 1,
                }
            }
            self.strings.push((start, k));
            self.i = k + 3;
            return Some(());
        }
        let start = self.i + 1;
        let mut k = start;
        loop {
            match v.get(k)? {
                b'\\' => k += 2,
                b'"' => break,
                b'\n' | b'\r' => return None,
                _ => k += 1,
            }
        }
        self.strings.push((start, k));
        self.i = k + 1;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::string_literals;

    fn strings(v: &str) -> Option<Vec<&str>> {
        string_literals(v.as_bytes()).map(|r| r.iter().map(|&(a, b)| &v[a..b]).collect())
    }

    #[test]
    fn documents() {
        assert_eq!(
            strings(
                "query GetUser($id: ID!) { user(id: $id) { id name posts(first: 10) { title } } }"
            ),
            Some(vec![])
        );
        assert_eq!(
            strings("\n    mutation M($a: [In!]!) {\n  x(input: {name: \"O'Brien; x\", n: -1.5e3}) {\n    id\n  }\n}\n"),
            Some(vec!["O'Brien; x"])
        );
        assert_eq!(strings("{ me { id } } # trailing ; comment"), Some(vec![]));
        assert_eq!(
            strings("query { a(s: \"\"\"multi\nline\"\"\") { ...F @include(if: true) } } fragment F on A { b }"),
            Some(vec!["multi\nline"])
        );
    }

    #[test]
    fn not_documents() {
        for v in [
            "query; id",
            "{ id }\n;cat /etc/passwd",
            "query { a } `id`",
            "query { a(x: $(id)) }",
            "query { a ",
            "query { a ) }",
            "query { a } | sh",
            "query me",
            "querying the data { x }",
            "hello { world }",
            "query { a(s: \"unterminated) }",
            "query { a(n: 1x) }",
            "query { a } > /tmp/x",
            "{id,}",
            "{,ifconfig,eth0}",
        ] {
            assert!(string_literals(v.as_bytes()).is_none(), "{v}");
        }
        let deep = format!("query {}{}", "{".repeat(100), "}".repeat(100));
        assert!(string_literals(deep.as_bytes()).is_none());
        let many = format!("query {{ {} }}", "a(s: \"x\") ".repeat(300));
        assert!(string_literals(many.as_bytes()).is_none());
    }
}
