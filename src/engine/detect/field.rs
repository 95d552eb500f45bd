//! Where a value sits in a structured document (JSON, XML, or a JSON
//! document embedded in a parameter) and what its field name says about
//! it: the context the detectors whose verdict depends on it read from
//! [`ValueCtx::field`](super::ValueCtx).
//!
//! A query, form or multipart parameter, a cookie, a header and the path
//! are *parameters*: what the application receives as input, judged in
//! full. Inside a document the depth matters: a field at the top level
//! (`$.url`, `/order/url`) is the document's own parameter, while a field
//! nested deeper (`$.request.url`, `$.exception.values[0].abs_path`) is
//! usually a record the client describes (error reports, telemetry spans,
//! analytics beacons, echoed API objects) and is read as data, unless its
//! name says the server will fetch it.
//!
//! The name test is lexical: the last key of the path is split into words
//! (`callback_url` → `callback`, `url`; `imageUrl` → `image`, `url`;
//! `webhook.endpoint` is two keys) and compared with two short lists:
//!
//! * **fetch words** ([`FETCH_WORDS`]: `callback`, `webhook`, `endpoint`,
//!   `redirect`, `target`, `feed`, `image`, `src`, `proxy`, …) say what a
//!   URL is for; a field named with one is judged like a parameter at any
//!   depth;
//! * **URL words** (`url`, `uri`, `link`, `href`) only say that the value is
//!   a URL. They count at the top level or under an object named with a
//!   fetch word (`webhook.url`), not deeper: `request.url` in an error
//!   report, `span.data.url` in a trace and HAL's `_links.self.href` name
//!   URLs the client saw, not URLs the server is asked to fetch.
//!
//! A root array counts as a level (`[{"url": …}]` holds records), and a
//! path that cannot be read is treated as a parameter (judged in full).

use crate::engine::bytes::find_byte;
use crate::engine::surface::Surface;

/// How deep a value sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Depth {
    /// A parameter (query, form, multipart, cookie, header, path) or a
    /// whole body: judged in full.
    #[default]
    Param,
    /// A field at the top level of a document (`$.name`, `$.tags[3]`).
    Top,
    /// A field nested deeper, or a field of a record in a root array.
    Nested,
}

/// The context of a value's place: its depth and whether its name says the
/// server fetches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Field {
    pub depth: Depth,
    /// The field name says the server will fetch the value (see the
    /// [module docs](self)); always false for parameters, which are judged
    /// in full anyway.
    pub fetch: bool,
}

/// Words that, as a field name or a word of one, say the server fetches,
/// loads or calls the value.
///
/// Deliberately absent: `host`, `addr`, `remote`, `server` (telemetry and
/// request records name the client's and server's own addresses so:
/// `REMOTE_ADDR`, `server_ip`, `request.headers.Host`), `source` (CSP
/// reports' `source-file`), `embed` (players report their embedding page).
pub const FETCH_WORDS: &[&str] = &[
    "callback",
    "webhook",
    "hook",
    "endpoint",
    "redirect",
    "target",
    "feed",
    "image",
    "img",
    "icon",
    "avatar",
    "logo",
    "thumbnail",
    "photo",
    "picture",
    "src",
    "fetch",
    "proxy",
    "import",
    "download",
    "preview",
];

/// Words that say a value is a URL without saying the server fetches it.
pub const URL_WORDS: &[&str] = &["url", "uri", "link", "href"];

/// Longest path examined; longer names are read as parameters.
const MAX_NAME: usize = 512;

impl Field {
    /// A parameter, judged in full.
    pub const PARAM: Field = Field {
        depth: Depth::Param,
        fetch: false,
    };

    /// The field of the value named `name` on `surface` (the location's
    /// name part: a JSONPath for JSON, an element path for XML, and
    /// `outer:$…` for a document embedded in a parameter).
    pub fn of(surface: Surface, name: &[u8]) -> Field {
        if name.len() > MAX_NAME {
            return Field::PARAM;
        }
        match surface {
            Surface::Json => json_field(name),
            Surface::Xml => xml_field(name),
            // A JSON document inside a parameter or cookie value.
            _ => match name.windows(2).position(|w| w == b":$") {
                Some(p) => json_field(name.get(p + 1..).unwrap_or_default()),
                None => Field::PARAM,
            },
        }
    }

    /// A small number for memo tags: distinct for every field.
    pub(crate) fn bits(self) -> u8 {
        let d = match self.depth {
            Depth::Param => 0,
            Depth::Top => 1,
            Depth::Nested => 2,
        };
        d * 2 + u8::from(self.fetch)
    }
}

/// What a walk over a path's segments found so far. It holds no bytes of
/// the name, only what the segments read up to a point said, so the state
/// reached at a segment boundary can be kept and resumed from by
/// [`Fields`].
#[derive(Clone, Copy, Default)]
struct Walk {
    keys: usize,
    /// A root array index came before the first key.
    root_index: bool,
    /// The last key (indices after it belong to it) has a fetch word.
    last_fetch: bool,
    /// The last key has a URL word.
    last_url: bool,
    /// A key before the last one is named with a fetch word.
    fetch_parent: bool,
}

impl Walk {
    fn key(&mut self, key: &[u8]) {
        if self.keys > 0 && self.last_fetch {
            self.fetch_parent = true;
        }
        self.keys += 1;
        let (fetch, url) = words(key);
        self.last_fetch = fetch;
        self.last_url = url;
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
        let fetch =
            self.last_fetch || (self.last_url && (depth == Depth::Top || self.fetch_parent));
        Field { depth, fetch }
    }
}

/// Reads a JSONPath as the JSON walker writes it: `$`, then `.key`,
/// `["key"]` and `[n]` segments; `:$` starts an embedded document, whose
/// segments continue the same path.
fn json_field(name: &[u8]) -> Field {
    json_from(Walk::default(), name, 0, &mut |_, _| {})
}

/// [`json_field`] from byte `i` of `name`, with `w` the state the segments
/// before `i` left. `mark(i, w)` is told the state at every `.` or `[`
/// that starts a segment: each segment reads only up to the byte that
/// starts the next one, so that state depends on `name[..=i]` alone and
/// holds for any name that starts with those bytes.
fn json_from(mut w: Walk, name: &[u8], mut i: usize, mark: &mut dyn FnMut(usize, Walk)) -> Field {
    loop {
        match name.get(i) {
            None => return w.field(),
            Some(b'$') => i += 1,
            Some(b':') if name.get(i + 1) == Some(&b'$') => i += 2,
            Some(b'.') => {
                mark(i, w);
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
                mark(i, w);
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
                mark(i, w);
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
    xml_from(XmlWalk::default(), name, 0, &mut |_, _| {})
}

/// [`Walk`] for XML paths: also whether the root element was read.
#[derive(Clone, Copy, Default)]
struct XmlWalk {
    root: bool,
    walk: Walk,
}

/// [`xml_field`] from byte `i`, like [`json_from`]: the path is split at
/// `/`, empty segments are skipped, the first segment is the root and each
/// later one a key (`@` dropped). `mark` is told the state at every `/`.
fn xml_from(
    mut w: XmlWalk,
    name: &[u8],
    mut i: usize,
    mark: &mut dyn FnMut(usize, XmlWalk),
) -> Field {
    while let Some(&b) = name.get(i) {
        if b == b'/' {
            mark(i, w);
            i += 1;
            continue;
        }
        let end = find_byte(name, i, b'/').unwrap_or(name.len());
        let seg = name.get(i..end).unwrap_or_default();
        if w.root {
            w.walk.key(seg.strip_prefix(b"@").unwrap_or(seg));
        } else {
            w.root = true;
        }
        i = end;
    }
    if w.root {
        w.walk.field()
    } else {
        Field::PARAM
    }
}

/// [`Field::of`] for the values of one document, which come in order and
/// share their parents' paths (`$.items[7].address.city` after
/// `$.items[7].address.street`): the state of the walk at the last
/// segment boundary of the previous name is kept with the bytes up to and
/// including that boundary, and a name that starts with them resumes from
/// there. The same reader runs either way (see [`json_from`]), so the
/// field is the one [`Field::of`] gives.
#[derive(Default)]
pub(crate) struct Fields {
    /// JSON or XML, and the state at the end of `prefix`.
    at: Option<(Surface, Resume)>,
    /// A name's bytes up to and including a segment-starting byte.
    prefix: Vec<u8>,
}

#[derive(Clone, Copy)]
enum Resume {
    Json(Walk),
    Xml(XmlWalk),
}

impl Fields {
    /// The field of `name` on `surface`, as [`Field::of`].
    pub(crate) fn of(&mut self, surface: Surface, name: &[u8]) -> Field {
        if name.len() > MAX_NAME || !matches!(surface, Surface::Json | Surface::Xml) {
            return Field::of(surface, name);
        }
        let resume = match self.at {
            Some((s, r)) if s == surface && name.starts_with(&self.prefix) => {
                Some((self.prefix.len().saturating_sub(1), r))
            }
            _ => None,
        };
        let from = resume.map(|(i, _)| i);
        let mut last = None;
        let field = match (surface, resume) {
            (Surface::Xml, r) => {
                let (i, w) = match r {
                    Some((i, Resume::Xml(w))) => (i, w),
                    _ => (0, XmlWalk::default()),
                };
                xml_from(w, name, i, &mut |i, w| last = Some((i, Resume::Xml(w))))
            }
            (_, r) => {
                let (i, w) = match r {
                    Some((i, Resume::Json(w))) => (i, w),
                    _ => (0, Walk::default()),
                };
                json_from(w, name, i, &mut |i, w| last = Some((i, Resume::Json(w))))
            }
        };
        match last {
            // Still the kept boundary: nothing to copy.
            Some((i, _)) if Some(i) == from => {}
            Some((i, r)) => {
                self.prefix.clear();
                self.prefix
                    .extend_from_slice(name.get(..=i).unwrap_or_default());
                self.at = Some((surface, r));
            }
            None => self.at = None,
        }
        field
    }
}

/// Whether a word of `key` (split at `_`, `-`, `.`, spaces, digits and
/// lower-to-upper case changes; plural `s` dropped) is in [`FETCH_WORDS`],
/// and whether one is in [`URL_WORDS`].
fn words(key: &[u8]) -> (bool, bool) {
    let (mut fetch, mut url) = (false, false);
    let mut one = |word: &[u8]| {
        let shape = shape(word);
        fetch = fetch || (shape & 0xFFFF != 0 && word_in(word, FETCH_WORDS));
        url = url || (shape >> 16 != 0 && word_in(word, URL_WORDS));
    };
    let mut start = 0;
    let mut prev = 0u8;
    for (i, &b) in key.iter().enumerate() {
        let boundary =
            !b.is_ascii_alphabetic() || (prev.is_ascii_lowercase() && b.is_ascii_uppercase());
        if boundary {
            one(key.get(start..i).unwrap_or_default());
            start = if b.is_ascii_alphabetic() { i } else { i + 1 };
        }
        prev = b;
    }
    one(key.get(start..).unwrap_or_default());
    (fetch, url)
}

/// For each (first letter, last letter) pair, the lengths of the listed
/// words with those letters: bit `n` for a [`FETCH_WORDS`] word of `n`
/// letters, bit `16 + n` for a [`URL_WORDS`] one. A word can be in a list
/// only if it, or its singular, has a listed shape, so most field names
/// (`id`, `email`, `street`) are answered without comparing them with the
/// lists.
static SHAPES: [u32; 26 * 26] = shapes(shapes([0; 26 * 26], FETCH_WORDS, 0), URL_WORDS, 16);

// Evaluated at compile time only (the `static` above): an index out of
// range or a failed assert is a build error, never a run-time panic.
#[allow(clippy::indexing_slicing)]
const fn shapes(mut t: [u32; 26 * 26], list: &[&str], shift: u32) -> [u32; 26 * 26] {
    let mut i = 0;
    while i < list.len() {
        let w = list[i].as_bytes();
        // Lowercase letters only, 3 to 15 of them (word_in compares
        // case-insensitively and the singular keeps 3 letters).
        assert!(w.len() >= 3 && w.len() < 16);
        let mut j = 0;
        while j < w.len() {
            assert!(w[j].is_ascii_lowercase());
            j += 1;
        }
        let at = (w[0] - b'a') as usize * 26 + (w[w.len() - 1] - b'a') as usize;
        t[at] |= 1 << (w.len() as u32 + shift);
        i += 1;
    }
    t
}

/// The [`SHAPES`] bits `word` (or its singular) can match.
fn shape(word: &[u8]) -> u32 {
    fn bits(first: u8, last: u8, len: usize) -> u32 {
        let (f, l) = (first.to_ascii_lowercase(), last.to_ascii_lowercase());
        if len >= 16 || !f.is_ascii_lowercase() || !l.is_ascii_lowercase() {
            return 0;
        }
        let at = usize::from(f - b'a') * 26 + usize::from(l - b'a');
        let lens = (1u32 << len) | (1u32 << (len + 16));
        SHAPES.get(at).map_or(0, |s| s & lens)
    }
    let (Some(&first), Some((&last, rest))) = (word.first(), word.split_last()) else {
        return 0;
    };
    let mut b = bits(first, last, word.len());
    // word_in's singular: a trailing `s` dropped from four letters or more.
    if matches!(last, b's' | b'S') && rest.len() >= 3 {
        if let Some(&l) = rest.last() {
            b |= bits(first, l, rest.len());
        }
    }
    b
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

#[cfg(test)]
#[path = "field_equivalence.rs"]
mod equivalence;

#[cfg(test)]
mod tests {
    use super::*;

    fn json(name: &str) -> Field {
        Field::of(Surface::Json, name.as_bytes())
    }

    fn f(depth: Depth, fetch: bool) -> Field {
        Field { depth, fetch }
    }

    #[test]
    fn depth_of_json_paths() {
        assert_eq!(json("$"), Field::PARAM);
        assert_eq!(json("$[2]"), Field::PARAM);
        assert_eq!(json("$.stack"), f(Depth::Top, false));
        assert_eq!(json("$.urls[0]"), f(Depth::Top, true));
        assert_eq!(json("$.request.url"), f(Depth::Nested, false));
        assert_eq!(json("$[0].referrer"), f(Depth::Nested, false));
        assert_eq!(json("$[0].url"), f(Depth::Nested, false));
        assert_eq!(json(r#"$.extra["sys.argv"][2]"#), f(Depth::Nested, false));
        assert_eq!(json(r#"$["url"]"#), f(Depth::Top, true));
        assert_eq!(json(r#"$["a\"b"].c"#), f(Depth::Nested, false));
        // Unreadable paths are parameters.
        assert_eq!(json("$.a[x]"), Field::PARAM);
        assert_eq!(json(r#"$["open"#), Field::PARAM);
    }

    #[test]
    fn fetch_names() {
        assert_eq!(json("$.url"), f(Depth::Top, true));
        assert_eq!(json("$.server_ip"), f(Depth::Top, false));
        assert_eq!(json("$.hook.callback_url"), f(Depth::Nested, true));
        assert_eq!(json("$.user.imageUrl"), f(Depth::Nested, true));
        assert_eq!(json("$.webhook.endpoint"), f(Depth::Nested, true));
        assert_eq!(json("$.webhook.url"), f(Depth::Nested, true));
        assert_eq!(json("$.webhooks[0].config.url"), f(Depth::Nested, true));
        assert_eq!(json("$.config.url"), f(Depth::Nested, false));
        assert_eq!(json("$.data.redirect_uri"), f(Depth::Nested, true));
        assert_eq!(json("$.items[3].thumbnailURL"), f(Depth::Nested, true));
        assert_eq!(json("$.a.iconURLs"), f(Depth::Nested, true));
        assert_eq!(json("$.spans[0].data.url"), f(Depth::Nested, false));
        assert_eq!(json("$._links.self.href"), f(Depth::Nested, false));
        assert_eq!(
            json("$.context.thirdParty.embedUrl"),
            f(Depth::Nested, false)
        );
        assert_eq!(json("$.request.env.REMOTE_ADDR"), f(Depth::Nested, false));
        // Words, not substrings: `targeting`, `srcset`, `imagery` are other
        // words.
        assert_eq!(json("$.a.targeting"), f(Depth::Nested, false));
        assert_eq!(json("$.a.hooked"), f(Depth::Nested, false));
    }

    #[test]
    fn embedded_documents_and_xml() {
        let q = |n: &str| Field::of(Surface::Query, n.as_bytes());
        assert_eq!(q("q"), Field::PARAM);
        assert_eq!(q("a:b"), Field::PARAM);
        assert_eq!(q("a:b:$.url"), f(Depth::Top, true));
        assert_eq!(q("r:$.regs.ext.us_privacy"), f(Depth::Nested, false));
        assert_eq!(q("filter:$.url"), f(Depth::Top, true));
        assert_eq!(json("$.payload:$.target"), f(Depth::Nested, true));
        let x = |n: &str| Field::of(Surface::Xml, n.as_bytes());
        assert_eq!(x("/root"), Field::PARAM);
        assert_eq!(x("/root/url"), f(Depth::Top, true));
        assert_eq!(x("/Envelope/Body/fetch/url"), f(Depth::Nested, true));
        assert_eq!(x("/event/request/@url"), f(Depth::Nested, false));
    }

    #[test]
    fn bits_are_distinct() {
        let all = [
            Field::PARAM,
            f(Depth::Param, true),
            f(Depth::Top, false),
            f(Depth::Top, true),
            f(Depth::Nested, false),
            f(Depth::Nested, true),
        ];
        let mut seen: Vec<u8> = all.iter().map(|f| f.bits()).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), all.len());
        assert!(seen.iter().all(|&b| b < 8));
    }
}
