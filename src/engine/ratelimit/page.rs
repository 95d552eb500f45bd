//! The page format (a version byte and up to 16 fixed-size entries) and
//! the pure step that decides against one read of a page and builds the
//! page to write, evicting when it is full.

use super::gcra::{Limit, Over};

/// Entries per page.
pub const SLOTS_PER_PAGE: usize = 16;
/// Bytes per page entry.
pub const ENTRY_BYTES: usize = 20;
pub(super) const PAGE_VERSION: u8 = 1;

/// One bucket in a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Entry {
    fp: u64,
    /// TAT = `tat_ns × n + rem` units of the bucket's limit.
    tat_ns: u64,
    rem: u32,
}

impl Entry {
    /// The bucket is full at `now` (TAT ≤ now): same as no entry.
    pub(super) fn expired(&self, now_ns: u64) -> bool {
        self.tat_ns < now_ns || (self.tat_ns == now_ns && self.rem == 0)
    }

    fn tat_units(&self, n: u64) -> u128 {
        u128::from(self.tat_ns) * u128::from(n) + u128::from(self.rem)
    }

    fn from_units(fp: u64, units: u128, n: u64) -> Entry {
        let n = u128::from(n.max(1));
        Entry {
            fp,
            tat_ns: u64::try_from(units / n).unwrap_or(u64::MAX),
            rem: u32::try_from(units % n).unwrap_or(0),
        }
    }
}

/// A page as written by this version: version byte + whole entries.
pub(super) fn page_valid(bytes: &[u8]) -> bool {
    bytes.first() == Some(&PAGE_VERSION) && (bytes.len() - 1) % ENTRY_BYTES == 0
}

/// The entries of a page; an invalid page (foreign version, truncated,
/// empty) reads as empty and is rewritten by the next writer.
pub(super) fn entries(bytes: &[u8]) -> impl Iterator<Item = Entry> + '_ {
    let body = if page_valid(bytes) {
        bytes.get(1..).unwrap_or_default()
    } else {
        &[]
    };
    body.chunks_exact(ENTRY_BYTES).map(|c| {
        let u64_at = |i: usize| {
            c.get(i..i + 8)
                .and_then(|s| <[u8; 8]>::try_from(s).ok())
                .map(u64::from_le_bytes)
                .unwrap_or(0)
        };
        let rem = c
            .get(16..20)
            .and_then(|s| <[u8; 4]>::try_from(s).ok())
            .map(u32::from_le_bytes)
            .unwrap_or(0);
        Entry {
            fp: u64_at(0),
            tat_ns: u64_at(8),
            rem,
        }
    })
}

/// Serialises a page. Never empty (an empty shared-data value is reported
/// by the SDK as "no value", which would lose the CAS token).
pub(super) fn encode(list: &[Entry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + list.len() * ENTRY_BYTES);
    out.push(PAGE_VERSION);
    for e in list {
        out.extend_from_slice(&e.fp.to_le_bytes());
        out.extend_from_slice(&e.tat_ns.to_le_bytes());
        out.extend_from_slice(&e.rem.to_le_bytes());
    }
    out
}

/// One decision against one read of a page.
#[derive(Debug)]
pub(super) enum Attempt {
    /// Over the limit; nothing to write.
    Deny(Over),
    /// Admitted (or charged): write the page with the CAS token of the read.
    Write(Write),
    /// Nothing to change (a charge on a bucket already empty).
    Unchanged,
}

/// The page to write after an admission or a charge.
#[derive(Debug)]
pub(super) struct Write {
    /// The new page value.
    pub(super) page: Vec<u8>,
    /// The bucket's new TAT minus now, in the limit's units.
    pub(super) new_tat_minus_now: u128,
    /// The key had no live entry in the page.
    pub(super) new_key: bool,
    /// Another bucket was evicted to make room.
    pub(super) evicted: bool,
}

/// The pure core of [`RateLimiter::check`] / [`RateLimiter::charge`]:
/// given the page bytes read, decide and build the page to write.
/// `force` charges `cost` tokens whatever the bucket holds, capped at an
/// empty bucket.
pub(super) fn attempt(
    limit: &Limit,
    bytes: &[u8],
    now_ns: u64,
    fp: u64,
    cost: u64,
    force: bool,
) -> Attempt {
    let now_u = limit.units(now_ns);
    // An expired entry is the same as none.
    let found = entries(bytes).find(|e| e.fp == fp && !e.expired(now_ns));
    let stored = found.map(|e| e.tat_units(limit.n));
    let new_tat = if force {
        match limit.take(stored, now_u, cost) {
            Some(t) => t,
            None => return Attempt::Unchanged,
        }
    } else {
        match limit.admit(stored, now_u, cost) {
            Ok(t) => t,
            Err(over) => return Attempt::Deny(over),
        }
    };
    let mut list: Vec<Entry> = Vec::with_capacity(SLOTS_PER_PAGE + 1);
    for e in entries(bytes) {
        if e.fp != fp && !e.expired(now_ns) {
            list.push(e);
        }
    }
    let evicted = make_room(&mut list);
    list.push(Entry::from_units(fp, new_tat, limit.n));
    Attempt::Write(Write {
        page: encode(&list),
        new_tat_minus_now: new_tat - now_u,
        new_key: found.is_none(),
        evicted,
    })
}

/// Evicts the buckets closest to full (earliest TAT, the least information
/// lost) until the page has a free slot; true when any was evicted.
fn make_room(list: &mut Vec<Entry>) -> bool {
    let mut evicted = false;
    while list.len() >= SLOTS_PER_PAGE {
        let victim = list
            .iter()
            .enumerate()
            .min_by_key(|(_, e)| (e.tat_ns, e.rem))
            .map(|(i, _)| i);
        match victim {
            Some(i) => {
                list.swap_remove(i);
                evicted = true;
            }
            None => break,
        }
    }
    evicted
}
