//! The entry point: which surfaces are judged, and the one-pass byte
//! classification that decides whether the URL or the bare-host scanner runs.

use super::bare::MAX_BARE;
use super::bytes::{eq_mask, leading_blanks, HI};
use super::config::Ssrf;
use super::url::Anchors;
use crate::engine::detect::field::Depth;
use crate::engine::detect::{Hit, ValueCtx};
use crate::engine::surface::Surface;

const C_COLON: u8 = 1;
const C_DOT: u8 = 2;
const C_BRACKET: u8 = 4;
const C_HIGH: u8 = 8;

/// Which of `:`, `.`, `[` and non-ASCII bytes occur in `v`, eight bytes at
/// a time: the prefilter that keeps most values away from the scanners.
fn classify(v: &[u8]) -> u8 {
    let (mut colon, mut dot, mut bracket, mut high) = (0u64, 0u64, 0u64, 0u64);
    let mut chunks = v.chunks_exact(8);
    for chunk in &mut chunks {
        let w = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        colon |= eq_mask(w, b':');
        dot |= eq_mask(w, b'.');
        bracket |= eq_mask(w, b'[');
        high |= w & HI;
    }
    let mut m = 0u8;
    for &b in chunks.remainder() {
        m |= match b {
            b':' => C_COLON,
            b'.' => C_DOT,
            b'[' => C_BRACKET,
            0x80..=0xff => C_HIGH,
            _ => 0,
        };
    }
    for (bits, flag) in [
        (colon, C_COLON),
        (dot, C_DOT),
        (bracket, C_BRACKET),
        (high, C_HIGH),
    ] {
        if bits != 0 {
            m |= flag;
        }
    }
    m
}

impl Ssrf {
    /// How the value's URLs are anchored, and whether a bare host is judged
    /// in full (`false`: only a metadata address counts), by its field.
    fn reading(&self, ctx: &ValueCtx, value: &[u8]) -> (Anchors, bool) {
        if !self.fields_by_name || ctx.field.fetch {
            return (Anchors::Delimiters, true);
        }
        match ctx.field.depth {
            Depth::Param => (Anchors::Delimiters, true),
            // A top-level field: a URL that is the whole value is a
            // parameter's URL; URLs inside its text are prose.
            Depth::Top if !value.trim_ascii().iter().any(u8::is_ascii_whitespace) => {
                (Anchors::Start, false)
            }
            Depth::Top | Depth::Nested => (Anchors::Never, false),
        }
    }

    /// Inspects one value. The hit's span covers the offending host or
    /// scheme.
    pub fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        let on = self
            .targets
            .get(ctx.surface.target().index())
            .copied()
            .unwrap_or(false);
        if !on || value.is_empty() {
            return None;
        }
        // One table-driven pass decides which scans can match at all.
        let mask = classify(value);
        let lead = leading_blanks(value);
        // A path starting with `//` is a client joining URLs sloppily.
        let path = ctx.surface == Surface::Path;
        let (anchors, bare_in_full) = self.reading(ctx, value);
        let slashes =
            !path && anchors != Anchors::Never && value.get(lead..lead + 2) == Some(b"//");
        let urls = || {
            if mask & C_COLON != 0 || slashes {
                self.scan_urls(value, slashes, anchors)
            } else {
                None
            }
        };
        let bare = || {
            let hosty = mask & (C_DOT | C_COLON | C_BRACKET | C_HIGH) != 0
                || value
                    .get(lead)
                    .is_some_and(|b| matches!(b | 0x20, b'l' | b'i' | b'm' | b'r'));
            if self.bare_hosts
                && !ctx.is_key
                && ctx.surface != Surface::Path
                && value.len() <= MAX_BARE + 64
                && hosty
            {
                // In a data field a bare address is data (`"server_ip":
                // "127.0.0.1"`); only a cloud metadata address stands out.
                self.scan_bare(value)
                    .filter(|h| bare_in_full || h.rule == "ssrf.metadata")
            } else {
                None
            }
        };
        urls().or_else(bare)
    }
}
