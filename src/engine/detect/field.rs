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

/// What a walk over a path's segments found.
#[derive(Default)]
struct Walk<'n> {
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
