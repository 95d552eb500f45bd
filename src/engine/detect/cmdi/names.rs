//! The command-name index: a sketch and a Bloom filter in front of an
//! open-addressing FNV table, and the resolution of a dequoted command word
//! (`@`, carets, directory, `.exe`, version suffix) to its table flags.

use super::table::{S, WIN};
use super::util::{fnv, strip_suffix_ci};

/// The command names the detector knows (built-ins plus the blacklist),
/// indexed.
///
/// Most words looked up are not commands, so the index is built to say
/// "no" early: a sketch over the length and three bytes rejects most
/// words before any hashing, a Bloom filter over the FNV hash rejects most
/// of the rest, and only then is the open-addressing table probed.
#[derive(Clone, Debug)]
pub(super) struct Names {
    /// Lowercase name → flags, sorted by name, unique.
    table: Vec<(Vec<u8>, u32)>,
    /// Bloom filter over the lowercase names (two bits of 4096): a cheap
    /// rejection before the hash lookup.
    bloom: Vec<u64>,
    /// Sketch filter over the lowercase names (one bit of 4096 per
    /// length, first, second and last byte): rejects most words in O(1),
    /// before any hashing (see [`sketch_bit`]).
    sketch: Vec<u64>,
    /// Open-addressing index over `table` (FNV-1a of the lowercase name,
    /// linear probing): `index + 1` of the entry, 0 for an empty slot.
    /// A power of two at least twice the table, so probes stay short.
    slots: Vec<u32>,
}

impl Names {
    /// Indexes lowercase names with their flags (duplicates merge their
    /// flags).
    pub(super) fn new(mut table: Vec<(Vec<u8>, u32)>) -> Names {
        table.sort_by(|a, b| a.0.cmp(&b.0));
        table.dedup_by(|a, b| {
            if a.0 == b.0 {
                b.1 |= a.1;
                true
            } else {
                false
            }
        });
        let mut bloom = vec![0u64; 64];
        let mut sketch = vec![0u64; 64];
        for (n, _) in &table {
            for bit in bloom_bits(fnv(n)) {
                if let Some(slot) = bloom.get_mut(bit / 64) {
                    *slot |= 1u64 << (bit % 64);
                }
            }
            let bit = sketch_bit(n);
            if let Some(slot) = sketch.get_mut(bit / 64) {
                *slot |= 1u64 << (bit % 64);
            }
        }
        let size = (table.len() * 2).next_power_of_two().max(16);
        let mut slots = vec![0u32; size];
        for (i, (n, _)) in table.iter().enumerate() {
            let mut at = (fnv(n) as usize) & (size - 1);
            while slots.get(at).is_some_and(|&x| x != 0) {
                at = (at + 1) & (size - 1);
            }
            if let Some(slot) = slots.get_mut(at) {
                *slot = u32::try_from(i + 1).unwrap_or(0);
            }
        }
        Names {
            table,
            bloom,
            sketch,
            slots,
        }
    }

    /// The indexed names and their flags, sorted by name.
    pub(super) fn entries(&self) -> &[(Vec<u8>, u32)] {
        &self.table
    }

    /// Filter test: `false` means `name` is certainly not a command.
    pub(super) fn maybe_name(&self, name: &[u8]) -> bool {
        self.sketched(name) && self.bloomed(fnv(name))
    }

    /// Sketch test (no hashing): `false` means `name` is certainly not a
    /// command.
    fn sketched(&self, name: &[u8]) -> bool {
        let bit = sketch_bit(name);
        self.sketch
            .get(bit / 64)
            .is_some_and(|w| w & (1u64 << (bit % 64)) != 0)
    }

    /// Bloom test of a name's FNV hash.
    fn bloomed(&self, h: u32) -> bool {
        bloom_bits(h).iter().all(|&bit| {
            self.bloom
                .get(bit / 64)
                .is_some_and(|w| w & (1u64 << (bit % 64)) != 0)
        })
    }

    /// Looks a command name up (lowercase ASCII compare).
    pub(super) fn lookup(&self, name: &[u8]) -> Option<u32> {
        if name.is_empty() || name.len() > MAX_NAME {
            return None;
        }
        // The sketch rejects most words without hashing; the FNV hash
        // (case-insensitive) then serves both the Bloom test and the probe.
        if !self.sketched(name) {
            return None;
        }
        let h = fnv(name);
        if !self.bloomed(h) {
            return None;
        }
        let mask = self.slots.len().checked_sub(1)?;
        let mut at = (h as usize) & mask;
        // The index is at most half full: an empty slot ends every probe.
        for _ in 0..self.slots.len() {
            let idx = usize::try_from(*self.slots.get(at)?).ok()?.checked_sub(1)?;
            let (n, f) = self.table.get(idx)?;
            // Table names are lowercase (built-ins are checked by a test,
            // the blacklist is lowercased): a case-insensitive compare
            // equals comparing with the lowercased name, without a copy.
            if n.eq_ignore_ascii_case(name) {
                return Some(*f);
            }
            at = (at + 1) & mask;
        }
        None
    }

    /// Resolves a dequoted command word to its table flags: strips a batch
    /// `@`, carets, a directory, `.exe`, a version suffix (`python3.10`).
    pub(super) fn resolve(&self, word: &[u8]) -> Option<Resolved> {
        let at = word.first() == Some(&b'@');
        let w = word.strip_prefix(b"@").unwrap_or(word);
        let mut buf = [0u8; MAX_NAME];
        let mut n = 0;
        let mut caret = false;
        let mut path_dir: Option<&[u8]> = None;
        let base_start = w
            .iter()
            .rposition(|&b| b == b'/' || b == b'\\')
            .map_or(0, |p| p + 1);
        if base_start > 0 {
            path_dir = w.get(..base_start.saturating_sub(1));
        }
        for &b in w.get(base_start..).unwrap_or_default() {
            if b == b'^' {
                caret = true;
                continue;
            }
            let slot = buf.get_mut(n)?;
            *slot = b;
            n += 1;
        }
        let name = buf.get(..n)?;
        let upper = name.iter().any(|b| b.is_ascii_uppercase());
        let flags = self
            .lookup(name)
            .or_else(|| {
                let stem =
                    strip_suffix_ci(name, b".exe").or_else(|| strip_suffix_ci(name, b".com"))?;
                self.lookup(stem)
            })
            .or_else(|| {
                // Version suffix: python3.10, gcc7.4, php7.
                if !name.last().is_some_and(u8::is_ascii_digit) {
                    return None;
                }
                let cut = name
                    .iter()
                    .rposition(|b| !(b.is_ascii_digit() || *b == b'.'))
                    .map(|p| p + 1)?;
                if cut == name.len() {
                    return None;
                }
                self.lookup(name.get(..cut)?)
            })?;
        if at && flags & WIN == 0 {
            return None;
        }
        let exe_path = path_dir.is_some_and(is_bin_dir);
        if path_dir.is_some() && !exe_path {
            // A path to something that is not a binary directory:
            // `/index.html`, `docs/cat` are not commands.
            return None;
        }
        let mut flags = flags;
        if upper && flags & WIN == 0 && flags & S != 0 && !exe_path {
            // Unix commands are lowercase: `ID`, `PS` are words.
            flags &= !S;
        }
        Some(Resolved {
            flags,
            exe_path,
            caret,
        })
    }
}

/// Two bit positions (of 4096) for a name's FNV hash.
fn bloom_bits(h: u32) -> [usize; 2] {
    [(h & 4095) as usize, ((h >> 16) & 4095) as usize]
}

/// One bit position (of 4096) for a name from its length and its first,
/// second and last bytes, case-insensitive: computed in constant time.
fn sketch_bit(name: &[u8]) -> usize {
    let at = |b: Option<&u8>| u32::from(b.copied().unwrap_or(0).to_ascii_lowercase());
    let len = u32::try_from(name.len()).unwrap_or(u32::MAX);
    let h = len.wrapping_mul(0x9e37_79b1)
        ^ at(name.first()).wrapping_mul(0x85eb_ca77)
        ^ at(name.get(1)).wrapping_mul(0xc2b2_ae3d)
        ^ at(name.last()).wrapping_mul(0x27d4_eb2f);
    let h = h ^ (h >> 15);
    let h = h.wrapping_mul(0x2c1b_3c6d);
    (h >> 20) as usize
}

/// Longest command name looked up.
pub(super) const MAX_NAME: usize = 40;

/// Directories holding executables (`/bin`, `/usr/local/sbin`,
/// `C:\Windows\System32`, relative `bin`).
fn is_bin_dir(dir: &[u8]) -> bool {
    let last = dir
        .iter()
        .rposition(|&b| b == b'/' || b == b'\\')
        .map_or(dir, |p| dir.get(p + 1..).unwrap_or_default());
    last.eq_ignore_ascii_case(b"bin")
        || last.eq_ignore_ascii_case(b"sbin")
        || last.eq_ignore_ascii_case(b"system32")
        || last.eq_ignore_ascii_case(b"syswow64")
        || last.eq_ignore_ascii_case(b"v1.0")
}

/// A resolved command word.
#[derive(Clone, Copy, Debug)]
pub(super) struct Resolved {
    pub(super) flags: u32,
    pub(super) exe_path: bool,
    pub(super) caret: bool,
}
