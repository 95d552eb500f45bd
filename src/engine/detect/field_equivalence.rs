//! Tests that [`Fields`] (and the rewritten [`Field::of`]) give the field
//! the original reader gave, kept here as [`reference`], for every name of
//! the fixtures, the real-traffic samples and generated nested documents
//! read in document order.

use super::*;
use crate::engine::bytes::testing::Rng;
use crate::engine::surface::{json, xml, FilePart, Flow, Kind, Limit, Sink};

/// The reader as it was before [`Fields`]: a walk over the whole name per
/// value, with the last key's bytes kept and its words compared with the
/// lists.
mod reference {
    use super::super::{Depth, Field, FETCH_WORDS, URL_WORDS};
    use crate::engine::surface::Surface;

    pub fn of(surface: Surface, name: &[u8]) -> Field {
        if name.len() > 512 {
            return Field::PARAM;
        }
        match surface {
            Surface::Json => json_field(name),
            Surface::Xml => xml_field(name),
            _ => match name.windows(2).position(|w| w == b":$") {
                Some(p) => json_field(name.get(p + 1..).unwrap_or_default()),
                None => Field::PARAM,
            },
        }
    }

    /// What a walk over a path's segments found.
    #[derive(Default)]
    pub(super) struct Walk<'n> {
        keys: usize,
        /// A root array index came before the first key.
        root_index: bool,
        /// The last key (indices after it belong to it).
        last: &'n [u8],
        /// A key before the last one is named with a fetch word.
        fetch_parent: bool,
    }

    impl<'n> Walk<'n> {
        fn key(&mut self, key: &'n [u8]) {
            if self.keys > 0 && has_word(self.last, FETCH_WORDS) {
                self.fetch_parent = true;
            }
            self.keys += 1;
            self.last = key;
        }

        fn index(&mut self) {
            if self.keys == 0 {
                self.root_index = true;
            }
        }

        fn field(&self) -> Field {
            let depth = match (self.keys, self.root_index) {
                (0, _) => return Field::PARAM,
                (1, false) => Depth::Top,
                _ => Depth::Nested,
            };
            let fetch = has_word(self.last, FETCH_WORDS)
                || (has_word(self.last, URL_WORDS) && (depth == Depth::Top || self.fetch_parent));
            Field { depth, fetch }
        }
    }

    /// Reads a JSONPath as the JSON walker writes it: `$`, then `.key`,
    /// `["key"]` and `[n]` segments; `:$` starts an embedded document, whose
    /// segments continue the same path.
    fn json_field(name: &[u8]) -> Field {
        let mut w = Walk::default();
        let mut i = 0;
        loop {
            match name.get(i) {
                None => return w.field(),
                Some(b'$') => i += 1,
                Some(b':') if name.get(i + 1) == Some(&b'$') => i += 2,
                Some(b'.') => {
                    let start = i + 1;
                    let len = name
                        .get(start..)
                        .unwrap_or_default()
                        .iter()
                        .take_while(|&&b| !matches!(b, b'.' | b'[' | b':'))
                        .count();
                    w.key(name.get(start..start + len).unwrap_or_default());
                    i = start + len;
                }
                Some(b'[') if name.get(i + 1) == Some(&b'"') => {
                    // `["key"]`, with `\"` and `\\` escaped.
                    let start = i + 2;
                    let mut j = start;
                    loop {
                        match name.get(j) {
                            None => return Field::PARAM,
                            Some(b'\\') => j += 2,
                            Some(b'"') => break,
                            Some(_) => j += 1,
                        }
                    }
                    w.key(name.get(start..j).unwrap_or_default());
                    if name.get(j + 1) != Some(&b']') {
                        return Field::PARAM;
                    }
                    i = j + 2;
                }
                Some(b'[') => {
                    let digits = name
                        .get(i + 1..)
                        .unwrap_or_default()
                        .iter()
                        .take_while(|b| b.is_ascii_digit())
                        .count();
                    if digits == 0 || name.get(i + 1 + digits) != Some(&b']') {
                        return Field::PARAM;
                    }
                    w.index();
                    i += digits + 2;
                }
                Some(_) => return Field::PARAM,
            }
        }
    }

    /// Reads an XML element path (`/root/a/b/@attr`): the root element is the
    /// document itself, the elements and attribute below it its fields.
    fn xml_field(name: &[u8]) -> Field {
        let mut w = Walk::default();
        let mut segments = name.split(|&b| b == b'/').filter(|s| !s.is_empty());
        if segments.next().is_none() {
            return Field::PARAM;
        }
        for seg in segments {
            w.key(seg.strip_prefix(b"@").unwrap_or(seg));
        }
        w.field()
    }

    /// Whether a word of `key` (split at `_`, `-`, `.`, spaces, digits and
    /// lower-to-upper case changes; plural `s` dropped) is in `list`.
    fn has_word(key: &[u8], list: &[&str]) -> bool {
        let mut start = 0;
        let mut prev = 0u8;
        for (i, &b) in key.iter().enumerate() {
            let boundary =
                !b.is_ascii_alphabetic() || (prev.is_ascii_lowercase() && b.is_ascii_uppercase());
            if boundary {
                if word_in(key.get(start..i).unwrap_or_default(), list) {
                    return true;
                }
                start = if b.is_ascii_alphabetic() { i } else { i + 1 };
            }
            prev = b;
        }
        word_in(key.get(start..).unwrap_or_default(), list)
    }

    fn word_in(word: &[u8], list: &[&str]) -> bool {
        if word.is_empty() {
            return false;
        }
        let singular = match word.split_last() {
            Some((b's' | b'S', rest)) if rest.len() >= 3 => rest,
            _ => word,
        };
        list.iter().any(|w| {
            w.as_bytes().eq_ignore_ascii_case(word) || w.as_bytes().eq_ignore_ascii_case(singular)
        })
    }
}

/// Every name a walk emits, as bytes and in order.
#[derive(Default)]
struct Names(Vec<(Surface, Vec<u8>)>);

impl Sink for Names {
    fn value(&mut self, surface: Surface, name: &[u8], _: &[u8], _: Kind) -> Flow {
        self.0.push((surface, name.to_vec()));
        Flow::Continue
    }
    fn xml_document(&mut self, _: Surface, _: &[u8], _: &[u8]) -> Flow {
        Flow::Continue
    }
    fn file(&mut self, _: &FilePart<'_>) -> Flow {
        Flow::Continue
    }
    fn limit(&mut self, _: Limit) -> Flow {
        Flow::Continue
    }
}

/// Checks one document's names through one [`Fields`], as the inspector
/// reads them; returns how many were checked.
fn check(names: &[(Surface, Vec<u8>)], fields: &mut Fields) -> usize {
    for (surface, name) in names {
        let want = reference::of(*surface, name);
        let shown = String::from_utf8_lossy(name);
        assert_eq!(
            Field::of(*surface, name),
            want,
            "Field::of {surface:?} {shown}"
        );
        assert_eq!(
            fields.of(*surface, name),
            want,
            "Fields {surface:?} {shown}"
        );
    }
    names.len()
}

fn walk_doc(surface: Surface, doc: &[u8]) -> Vec<(Surface, Vec<u8>)> {
    let mut n = Names::default();
    match surface {
        Surface::Xml => {
            xml::walk(Surface::Xml, b"", doc, 64, &mut n);
        }
        _ => {
            json::walk(surface, doc, 64, &mut n);
        }
    }
    n.0
}

fn jsonl(dir: &str) -> Vec<serde_json::Value> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut paths: Vec<_> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    paths.sort();
    paths
        .iter()
        .flat_map(|p| {
            std::fs::read_to_string(p)
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter_map(|l| serde_json::from_str(&l).ok())
        .collect()
}

#[test]
// The wasm test runner has no file system; the native run reads the files.
#[cfg_attr(target_arch = "wasm32", ignore = "reads fixtures from disk")]
fn fixture_and_real_names_match_the_reference() {
    let mut checked = 0;
    let mut fields = Fields::default();
    for row in jsonl("tests/fixtures") {
        if let Some(name) = row["name"].as_str() {
            for s in [Surface::Json, Surface::Xml, Surface::Query, Surface::Cookie] {
                checked += check(&[(s, name.as_bytes().to_vec())], &mut fields);
            }
        }
    }
    for dir in ["tests/fixtures", "tests/data/real", "tests/data"] {
        for row in jsonl(dir) {
            let Some(v) = row["value"].as_str() else {
                continue;
            };
            // Every value as a JSON body, an XML body and a JSON document
            // inside a parameter; a fresh cache per document, as per
            // request, and one kept across documents.
            for s in [Surface::Json, Surface::Xml, Surface::Query] {
                let names = walk_doc(s, v.as_bytes());
                checked += check(&names, &mut Fields::default());
                checked += check(&names, &mut fields);
            }
        }
    }
    assert!(checked > 100_000, "{checked}");
}

/// Keys drawn from the words the reader looks for, their plurals, case
/// variants and look-alikes, and the bytes that delimit path segments.
const KEYS: &[&str] = &[
    "url",
    "URL",
    "urls",
    "Uri",
    "link",
    "hrefs",
    "callback",
    "callback_url",
    "webhook",
    "hooks",
    "endpoint",
    "redirect_uri",
    "Target",
    "feed",
    "imageUrl",
    "img",
    "icons",
    "avatarURL",
    "thumbnailURLs",
    "srcset",
    "src",
    "fetch",
    "proxy",
    "import",
    "download",
    "preview",
    "targeting",
    "hooked",
    "id",
    "name",
    "email",
    "city",
    "a.b",
    "a:b",
    "$",
    "x\"y",
    "back\\slash",
    "",
    "s",
    "sss",
    "url9",
    "9url",
    "data",
    "request",
    "spans",
    "ééurl",
    "@url",
    "a/b",
    "items",
    "config",
    "webhooks",
    "Links",
];

fn gen_json(rng: &mut Rng, out: &mut String, depth: usize) {
    match rng.below(if depth > 4 { 2 } else { 4 }) {
        0 => out.push_str("\"v\""),
        1 => out.push_str("\"{\\\"url\\\": \\\"x\\\"}\""),
        2 => {
            out.push('[');
            for i in 0..rng.below(4) {
                if i > 0 {
                    out.push(',');
                }
                gen_json(rng, out, depth + 1);
            }
            out.push(']');
        }
        _ => {
            out.push('{');
            for i in 0..rng.below(5) {
                if i > 0 {
                    out.push(',');
                }
                let key = KEYS[rng.below(KEYS.len())];
                out.push_str(&serde_json::Value::from(key).to_string());
                out.push(':');
                gen_json(rng, out, depth + 1);
            }
            out.push('}');
        }
    }
}

fn gen_xml(rng: &mut Rng, out: &mut String, depth: usize) {
    let tag = KEYS[rng.below(KEYS.len())];
    let tag: String = tag
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let tag = if tag.is_empty() || tag.starts_with(|c: char| c.is_ascii_digit()) {
        format!("t{tag}")
    } else {
        tag
    };
    out.push_str(&format!("<{tag}"));
    if rng.below(2) == 0 {
        out.push_str(" url=\"a\" src=\"b\"");
    }
    out.push('>');
    if depth < 5 {
        for _ in 0..rng.below(4) {
            gen_xml(rng, out, depth + 1);
        }
    }
    out.push_str(&format!("text</{tag}>"));
}

#[test]
fn generated_documents_match_the_reference() {
    let mut rng = Rng(0x005e_edf1_e1d5);
    let mut fields = Fields::default();
    let mut checked = 0;
    for _ in 0..3000 {
        let mut j = String::new();
        gen_json(&mut rng, &mut j, 0);
        let mut x = String::new();
        gen_xml(&mut rng, &mut x, 0);
        for (s, doc) in [
            (Surface::Json, &j),
            (Surface::Query, &j),
            (Surface::Xml, &x),
        ] {
            let names = walk_doc(s, doc.as_bytes());
            checked += check(&names, &mut Fields::default());
            checked += check(&names, &mut fields);
        }
    }
    assert!(checked > 50_000, "{checked}");
}

#[test]
fn any_name_sequence_matches_the_reference() {
    // Names made of segment pieces, in any order, through one cache: the
    // kept prefix is resumed only where the bytes up to its boundary agree.
    let pieces: &[&[u8]] = &[
        b"$", b".", b"[", b"]", b"[0]", b"[12]", b"[\"", b"\"]", b"\\", b":$", b":", b"/", b"@",
        b"url", b"Url", b"s", b"hook", b"webhook", b"_", b"id", b"image", b"x",
    ];
    let names = crate::engine::bytes::testing::fuzz_inputs(pieces, 20_000);
    for s in [Surface::Json, Surface::Xml, Surface::Query] {
        let mut fields = Fields::default();
        let named: Vec<_> = names.iter().map(|n| (s, n.clone())).collect();
        check(&named, &mut fields);
        // And each after a name it extends.
        for n in &names {
            let mut longer = n.clone();
            longer.extend_from_slice(b".url");
            check(&[(s, n.clone()), (s, longer)], &mut Fields::default());
        }
    }
}

#[test]
fn shapes_cover_every_listed_word() {
    for w in FETCH_WORDS.iter().chain(URL_WORDS) {
        for v in [
            w.to_string(),
            w.to_uppercase(),
            format!("{w}s"),
            format!("{}S", w.to_uppercase()),
        ] {
            let fetch = FETCH_WORDS.contains(w);
            assert_eq!(words(v.as_bytes()), (fetch, !fetch), "{v}");
        }
    }
}
