//! The buckets in the shared store: page naming, the compare-and-swap
//! loops of `check` and `charge`, and [`MemoryStore`], an in-memory
//! [`SharedStore`] with Envoy's semantics for tests and native tools.

use std::cell::RefCell;
use std::collections::HashMap;

use super::config::ContentionPolicy;
use super::decision::Decision;
use super::gcra::Over;
use super::keys::RateKey;
use super::limiter::RateLimiter;
use super::page::{attempt, Attempt};
use crate::engine::host::{SharedStore, StoreError};

impl RateLimiter {
    /// The shared-data key of page `page`.
    pub fn page_key(page: u32) -> String {
        format!("rasp.rl.{page}")
    }

    pub(super) fn page_of(&self, fp: u64) -> u32 {
        // Multiply-shift range reduction on the high half of the
        // fingerprint (independent of the bits compared in the page).
        (((fp >> 32) * u64::from(self.pages)) >> 32) as u32
    }

    /// Counts one request for `key` at `now_nanos` (host wall clock) and
    /// decides. One `get` and, when admitted, one CAS `set` in the common
    /// case; at most `cas_retries + 1` of each. Never panics; store
    /// failures admit the request (`store_error`).
    pub fn check(&self, store: &dyn SharedStore, now_nanos: u64, key: &RateKey) -> Decision {
        let Some(limit) = self.limits.get(key.limit) else {
            return self.unrecorded(key, None, true);
        };
        if now_nanos == 0 {
            return self.unrecorded(key, Some(limit), true);
        }
        let name = Self::page_key(self.page_of(key.fp));
        for _ in 0..self.attempts {
            let (bytes, cas) = read(store, &name);
            match attempt(limit, &bytes, now_nanos, key.fp, 1, false) {
                Attempt::Deny(over) => return self.limited(key, limit, over),
                Attempt::Write(w) => match store.set(&name, &w.page, cas) {
                    Ok(()) => return self.admitted(key, limit, &w),
                    Err(StoreError::CasMismatch) => continue,
                    Err(StoreError::Failed) => return self.unrecorded(key, Some(limit), true),
                },
                Attempt::Unchanged => return self.unrecorded(key, Some(limit), false),
            }
        }
        // Retries exhausted. Every attempt saw a token (a bucket seen empty
        // returns a denial at once), so the policy decides.
        let mut d = match self.on_contention {
            ContentionPolicy::Allow => self.unrecorded(key, Some(limit), false),
            ContentionPolicy::Deny => {
                let over = Over {
                    tat_minus_now: limit.tau + limit.t,
                    retry_units: limit.t,
                };
                self.limited(key, limit, over)
            }
        };
        d.contention = true;
        d
    }

    /// Takes `tokens` from `key`'s bucket without admitting anything (the
    /// `attack_cost` of a request found to carry an attack). The bucket is
    /// never taken below empty, so this delays the client by at most
    /// `burst / rate`. Returns false when the store failed or the retries
    /// were exhausted (nothing charged).
    pub fn charge(
        &self,
        store: &dyn SharedStore,
        now_nanos: u64,
        key: &RateKey,
        tokens: u32,
    ) -> bool {
        let Some(limit) = self.limits.get(key.limit) else {
            return false;
        };
        if tokens == 0 || now_nanos == 0 {
            return true;
        }
        let name = Self::page_key(self.page_of(key.fp));
        for _ in 0..self.attempts {
            let (bytes, cas) = read(store, &name);
            match attempt(limit, &bytes, now_nanos, key.fp, u64::from(tokens), true) {
                Attempt::Write(w) => match store.set(&name, &w.page, cas) {
                    Ok(()) => return true,
                    Err(StoreError::CasMismatch) => continue,
                    Err(StoreError::Failed) => return false,
                },
                Attempt::Unchanged | Attempt::Deny(_) => return true,
            }
        }
        false
    }
}

/// A page's bytes and CAS token; an absent page reads as empty, without a
/// token (Envoy then accepts any write).
fn read(store: &dyn SharedStore, name: &str) -> (Vec<u8>, Option<u32>) {
    match store.get(name) {
        Some((b, c)) => (b, Some(c)),
        None => (Vec::new(), None),
    }
}

/// An in-memory [`SharedStore`] with Envoy's semantics, for tests and
/// native tools: every successful `set` gets a new non-zero CAS token; a
/// `set` with a stale token fails with `CasMismatch`; a `set` on an absent
/// key always succeeds, whatever the token (Envoy ignores it then).
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: RefCell<HashMap<String, (Vec<u8>, u32)>>,
    next_cas: RefCell<u32>,
}

impl MemoryStore {
    /// Number of keys stored.
    pub fn len(&self) -> usize {
        self.map.borrow().len()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.map.borrow().is_empty()
    }

    /// Total bytes of stored values.
    pub fn value_bytes(&self) -> usize {
        self.map.borrow().values().map(|(v, _)| v.len()).sum()
    }
}

impl SharedStore for MemoryStore {
    fn get(&self, key: &str) -> Option<(Vec<u8>, u32)> {
        self.map.borrow().get(key).cloned()
    }

    fn set(&self, key: &str, value: &[u8], cas: Option<u32>) -> Result<(), StoreError> {
        let mut map = self.map.borrow_mut();
        let mut next = self.next_cas.borrow_mut();
        *next = next.wrapping_add(1).max(1);
        match map.get_mut(key) {
            Some(slot) => {
                if let Some(c) = cas.filter(|&c| c != 0) {
                    if c != slot.1 {
                        return Err(StoreError::CasMismatch);
                    }
                }
                *slot = (value.to_vec(), *next);
            }
            None => {
                map.insert(key.to_string(), (value.to_vec(), *next));
            }
        }
        Ok(())
    }
}
