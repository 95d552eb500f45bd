//! `application/x-www-form-urlencoded` pairs: query strings and form bodies.

use std::borrow::Cow;

use crate::engine::decode::percent_decode;

/// Calls `f(name, value)` for each `&`- (or `;`-) separated pair, both
/// percent-decoded with `+` as space. A pair without `=` has an empty value.
/// Empty pairs are skipped. Stops when `f` returns `false`.
pub fn for_each_pair(input: &[u8], mut f: impl FnMut(Cow<'_, [u8]>, Cow<'_, [u8]>) -> bool) {
    for pair in input.split(|&b| b == b'&') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (
                pair.get(..i).unwrap_or_default(),
                pair.get(i + 1..).unwrap_or_default(),
            ),
            None => (pair, &b""[..]),
        };
        if !f(percent_decode(k, true), percent_decode(v, true)) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(s: &str) -> Vec<(String, String)> {
        let mut out = vec![];
        for_each_pair(s.as_bytes(), |k, v| {
            out.push((
                String::from_utf8_lossy(&k).into_owned(),
                String::from_utf8_lossy(&v).into_owned(),
            ));
            true
        });
        out
    }

    #[test]
    fn splits_and_decodes() {
        assert_eq!(
            pairs("a=1&b=x+y%21&&c&d="),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y!".into()),
                ("c".into(), "".into()),
                ("d".into(), "".into())
            ]
        );
    }
}
