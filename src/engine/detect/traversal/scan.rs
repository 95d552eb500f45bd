//! The entry point: one classification pass over the value, then the checks
//! it allows, in order, on the decoded stream; base64 values are decoded and
//! read again.

use super::classify::{
    classify, C_COLON, C_CONVERT, C_DOT, C_DOTDOT, C_DOTSEG, C_ENCODED, C_SDIR, C_SEP,
};
use super::config::Traversal;
use super::decode::{decode_is_noop, Found, Stream};
use super::remote::remote_include;
use super::sensitive::sensitive_relative;
use super::wrapper::wrapper;
use crate::engine::bytes::base64::{Alphabet, UpToPad};
use crate::engine::detect::field::Depth;
use crate::engine::detect::{Hit, ValueCtx};
use crate::engine::surface::Surface;

impl Traversal {
    /// Inspects one value.
    pub fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        let class = classify(value);
        if class == 0 {
            return base64_path(self, value).map(|f| Hit::new(f.rule, f.reason, 0, value.len()));
        }
        // Fast path: a value flagged as encoded whose decoding cannot change
        // a byte (`50% off`) is its own stream, and its class is the one
        // just computed: decoding the copy and classifying it again would
        // give the same bytes, an all-plain map and the same class.
        let noop = class & C_ENCODED != 0 && decode_is_noop(value);
        let stream = if class & C_ENCODED != 0 && !noop {
            Stream::new(value)
        } else {
            Stream::plain(value)
        };
        let s: &[u8] = &stream.bytes;
        // After decoding, classify what the path reader sees.
        let class = if class & C_ENCODED != 0 && !noop {
            classify(s) | C_ENCODED
        } else {
            class
        };
        let path_surface = ctx.surface == Surface::Path;
        // A nested document field: a path the client describes.
        let data = ctx.field.depth == Depth::Nested;
        // `climbs` only reports a climbing segment (two or more `.`/`?`) or
        // `.` padding, so a plain stream without `.` and `?` cannot match:
        // the encoded flag alone need not run it when nothing was decoded.
        let climb_bytes = !noop || class & C_DOT != 0 || s.contains(&b'?');
        if class & (C_DOTDOT | C_DOTSEG) != 0 || class & C_ENCODED != 0 && climb_bytes {
            if let Some(f) = self.climbs(&stream, path_surface) {
                return Some(stream.hit(f));
            }
        }
        if path_surface {
            return None;
        }
        if class & (C_COLON | C_CONVERT) != 0 {
            if let Some(f) = wrapper(s) {
                return Some(stream.hit(f));
            }
        }
        // A nested document field describes a link; a parameter or a
        // top-level field is what an include reads.
        if class & C_COLON != 0 && !data {
            if let Some(f) = remote_include(s) {
                return Some(stream.hit(f));
            }
        }
        if class & (C_SEP | C_COLON) != 0 {
            if let Some(f) = self.absolute(s, data) {
                return Some(stream.hit(f));
            }
        }
        if class & (C_SEP | C_SDIR) != 0 || s.first() == Some(&b'.') || s.first() == Some(&b' ') {
            if let Some(f) = sensitive_relative(s, class & C_SDIR != 0) {
                return Some(stream.hit(f));
            }
        }
        base64_path(self, value).map(|f| Hit::new(f.rule, f.reason, 0, value.len()))
    }
}

/// Whether the value could be base64 of a path: only base64 characters,
/// padded length, decoding to `.`/`/`/a letter first (`Li4v` = `../`,
/// `L2V0` = `/et`).
fn looks_base64(v: &[u8]) -> bool {
    v.len() >= 8
        && v.len() <= 4096
        && v.len() % 4 == 0
        && matches!(
            v.first(),
            Some(b'L' | b'Z' | b'X' | b'Y' | b'Q' | b'R' | b'U' | b'V')
        )
        && v.iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
        && v.iter()
            .any(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// A base64 value that decodes to a path attack (`Li4vLi4v…` = `../../`,
/// `L2V0Yy9wYXNzd2Q=` = `/etc/passwd`).
fn base64_path(t: &Traversal, v: &[u8]) -> Option<Found> {
    if !looks_base64(v) {
        return None;
    }
    let decoded = UpToPad(Alphabet::Either).decode(v)?;
    if !decoded
        .iter()
        .all(|&b| (0x20..0x7f).contains(&b) || b == 0 || b == b'\t')
    {
        return None;
    }
    let inner = Stream::new(&decoded);
    let found = t
        .climbs(&inner, false)
        .or_else(|| t.absolute(&inner.bytes, false))
        .or_else(|| sensitive_relative(&inner.bytes, true))?;
    Some(Found::new(
        found.rule,
        "base64-encoded path to a sensitive file or parent directory",
        0,
        v.len(),
    ))
}
