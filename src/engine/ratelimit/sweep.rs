//! Expiry: the periodic sweep that compacts pages nobody writes to, and
//! the per-VM gauge of live keys.

use super::limiter::RateLimiter;
use super::page::{encode, entries, page_valid, SLOTS_PER_PAGE};
use crate::engine::host::SharedStore;

/// Pages visited by one [`RateLimiter::sweep`] call.
pub const PAGES_PER_SWEEP: u32 = 256;

/// What one [`RateLimiter::sweep`] saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepStats {
    /// The shard swept.
    pub shard: u32,
    /// Pages that exist in the store.
    pub pages: u32,
    /// Live buckets in the shard after the sweep.
    pub live: u64,
    /// Expired buckets dropped.
    pub expired: u64,
    /// Writes lost to a concurrent writer (it compacts the page itself).
    pub conflicts: u64,
}

/// Per-VM running total of live keys for the gauge: the latest count of
/// each shard, summed.
#[derive(Clone, Debug, Default)]
pub struct KeyGauge {
    per_shard: Vec<u64>,
}

impl KeyGauge {
    /// Records one sweep and returns the total over all shards.
    pub fn update(&mut self, stats: &SweepStats) -> u64 {
        let i = stats.shard as usize;
        if self.per_shard.len() <= i {
            self.per_shard.resize(i + 1, 0);
        }
        if let Some(slot) = self.per_shard.get_mut(i) {
            *slot = stats.live;
        }
        self.per_shard.iter().sum()
    }
}

impl RateLimiter {
    /// Number of sweep shards (`ceil(pages / 256)`); sweep shard
    /// `tick % sweep_shards()` per tick.
    pub fn sweep_shards(&self) -> u32 {
        self.pages.div_ceil(PAGES_PER_SWEEP).max(1)
    }

    /// Compacts the pages of `shard` (taken modulo [`sweep_shards`](Self::sweep_shards), so a
    /// tick counter can be passed as is; dropping buckets that are full again
    /// and any malformed page content) and counts the live buckets. At most
    /// 256 `get`s and one CAS `set` per page that changed; a page written
    /// concurrently is left to its writer (who compacts it too).
    pub fn sweep(&self, store: &dyn SharedStore, now_nanos: u64, shard: u32) -> SweepStats {
        let shard = shard % self.sweep_shards();
        let mut st = SweepStats {
            shard,
            ..SweepStats::default()
        };
        let start = shard.saturating_mul(PAGES_PER_SWEEP);
        let end = start.saturating_add(PAGES_PER_SWEEP).min(self.pages);
        for p in start..end {
            let name = Self::page_key(p);
            let Some((bytes, cas)) = store.get(&name) else {
                continue;
            };
            st.pages += 1;
            let valid = page_valid(&bytes);
            let mut live = Vec::new();
            let mut dead = 0u64;
            for e in entries(&bytes) {
                if e.expired(now_nanos) {
                    dead += 1;
                } else if live.len() < SLOTS_PER_PAGE {
                    live.push(e);
                } else {
                    dead += 1;
                }
            }
            if dead > 0 || !valid {
                match store.set(&name, &encode(&live), Some(cas)) {
                    Ok(()) => {
                        st.expired += dead;
                        st.live += live.len() as u64;
                    }
                    Err(_) => {
                        st.conflicts += 1;
                        st.live += live.len() as u64;
                    }
                }
            } else {
                st.live += live.len() as u64;
            }
        }
        st
    }
}
