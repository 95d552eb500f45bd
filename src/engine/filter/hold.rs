//! Held request headers (`inspect.hold_headers`) and the bound that resumes
//! a held request whose body never reaches the filter.
//!
//! Holding the headers while the body is buffered only works when Envoy's
//! Wasm filter sets `allow_on_headers_stop_iteration: true`. Without it,
//! Envoy turns the headers' `StopIteration` into `StopAllIterationAndWatermark`:
//! it buffers the body itself and never hands it to the filter, so the
//! request would wait until the client gave up. The filter cannot ask Envoy
//! which it does, so it watches instead:
//!
//! * every held request is entered here with the time it paused; the root's
//!   tick resumes those that got no body callback within the timeout, counts
//!   them (`rasp_hold_headers_resumed_total`) and logs the first one per VM;
//! * when Envoy withheld the body, resuming releases it at once: the body
//!   callback comes within the same event-loop turn, its body is inspected
//!   as usual (the headers went upstream first, as with `hold_headers:
//!   false`), and the VM then stops holding headers, so only its first such
//!   request pays the timeout. A client that is merely slow to send its body
//!   is resumed the same way but does not turn holding off (its body comes
//!   later than [`CONFIRM_NANOS`] after the resume);
//! * the table is bounded ([`MAX_HELD`]): when it is full, a request is not
//!   held (its headers go on at once).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::engine::config::scope::DEFAULT_HOLD_HEADERS_TIMEOUT_MS;

/// The VM's table of held requests, shared by the root (whose tick resumes
/// them) and the requests (which enter and leave it). A borrow that fails
/// is treated as "not held", never a panic.
pub type HoldHandle = Rc<RefCell<HeldRequests>>;

/// Most requests held at once per VM: far above what one Envoy worker has
/// in flight with bodies arriving; past it, headers are not held.
pub const MAX_HELD: usize = 16_384;

/// A body callback this soon after the resume carries the body Envoy had
/// withheld (Envoy delivers it right after the tick's VM call returns).
pub const CONFIRM_NANOS: u64 = 50_000_000;

#[derive(Clone, Copy, Debug)]
enum Held {
    /// Paused in its headers callback at this time.
    Since(u64),
    /// Resumed by the tick at this time; kept for [`CONFIRM_NANOS`] to see
    /// whether the body follows at once.
    Resumed(u64),
}

/// What happened when a held request's first body data (or trailers) came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Release {
    /// Not held, or held and the body came while it was: Envoy passes
    /// bodies to held requests.
    Normal,
    /// The body came right after the tick resumed the request: Envoy had
    /// withheld it. Only the first time per VM; the VM no longer holds.
    Withheld,
}

/// Held requests of one VM, by context id.
#[derive(Debug)]
pub struct HeldRequests {
    timeout_nanos: u64,
    held: HashMap<u32, Held>,
    /// Envoy was seen withholding bodies: headers are no longer held.
    withheld: bool,
    /// The first resume was logged.
    logged: bool,
}

impl Default for HeldRequests {
    fn default() -> HeldRequests {
        HeldRequests {
            timeout_nanos: DEFAULT_HOLD_HEADERS_TIMEOUT_MS * 1_000_000,
            held: HashMap::new(),
            withheld: false,
            logged: false,
        }
    }
}

impl HeldRequests {
    /// Sets the timeout (`inspect.hold_headers_timeout_ms`) for requests
    /// held from now on and for those already held.
    pub fn set_timeout_ms(&mut self, ms: u64) {
        self.timeout_nanos = ms.saturating_mul(1_000_000);
    }

    /// True once this VM saw Envoy withhold a held request's body.
    pub fn withheld(&self) -> bool {
        self.withheld
    }

    /// Requests in the table (held, or resumed moments ago).
    pub fn len(&self) -> usize {
        self.held.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Enters request `id`, paused at `now`; false when it must not be held
    /// (Envoy withholds bodies here, or the table is full).
    pub fn hold(&mut self, id: u32, now: u64) -> bool {
        if self.withheld || self.held.len() >= MAX_HELD {
            return false;
        }
        self.held.insert(id, Held::Since(now));
        true
    }

    /// Request `id` got body data or trailers at `now`; it leaves the table.
    pub fn release(&mut self, id: u32, now: u64) -> Release {
        match self.held.remove(&id) {
            Some(Held::Resumed(at))
                if !self.withheld && now.saturating_sub(at) <= CONFIRM_NANOS =>
            {
                self.withheld = true;
                Release::Withheld
            }
            _ => Release::Normal,
        }
    }

    /// Request `id` ended (decided or gone); it leaves the table.
    pub fn forget(&mut self, id: u32) {
        self.held.remove(&id);
    }

    /// The requests held for longer than the timeout at `now`, marked as
    /// resumed; entries resumed longer than [`CONFIRM_NANOS`] ago are
    /// dropped. The second value is true the first time per VM (log it).
    pub fn expire(&mut self, now: u64) -> (Vec<u32>, bool) {
        let timeout = self.timeout_nanos;
        let mut due = Vec::new();
        self.held.retain(|&id, h| match *h {
            Held::Since(t) if now.saturating_sub(t) >= timeout => {
                due.push(id);
                *h = Held::Resumed(now);
                true
            }
            Held::Since(_) => true,
            Held::Resumed(at) => now.saturating_sub(at) <= CONFIRM_NANOS,
        });
        due.sort_unstable();
        let first = !due.is_empty() && !self.logged;
        self.logged |= first;
        (due, first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn a_request_held_past_the_timeout_is_resumed_once() {
        let mut h = HeldRequests::default();
        assert!(h.hold(3, 0));
        assert_eq!(h.expire(999 * MS), (vec![], false));
        assert_eq!(h.expire(1000 * MS), (vec![3], true));
        assert_eq!(h.expire(1010 * MS), (vec![], false), "resumed once");
        assert_eq!(h.expire(1100 * MS), (vec![], false));
        assert!(h.is_empty(), "dropped after the confirmation window");
    }

    #[test]
    fn a_body_right_after_the_resume_turns_holding_off_once() {
        let mut h = HeldRequests::default();
        assert!(h.hold(1, 0) && h.hold(2, 0));
        assert_eq!(h.expire(1000 * MS).0, vec![1, 2]);
        assert_eq!(h.release(1, 1000 * MS + 1), Release::Withheld);
        assert_eq!(h.release(2, 1000 * MS + 2), Release::Normal, "once");
        assert!(h.withheld());
        assert!(!h.hold(3, 2000 * MS), "no longer held");
    }

    #[test]
    fn a_body_while_held_or_long_after_the_resume_is_normal() {
        let mut h = HeldRequests::default();
        assert!(h.hold(1, 0));
        assert_eq!(h.release(1, 10 * MS), Release::Normal);
        assert!(h.hold(2, 0));
        h.expire(1000 * MS);
        assert_eq!(h.release(2, 1200 * MS), Release::Normal, "a slow client");
        assert!(!h.withheld() && h.hold(3, 0));
    }

    #[test]
    fn the_table_is_bounded() {
        let mut h = HeldRequests::default();
        for id in 0..MAX_HELD as u32 {
            assert!(h.hold(id, 0));
        }
        assert!(!h.hold(u32::MAX, 0));
        h.forget(0);
        assert!(h.hold(u32::MAX, 0));
        assert_eq!(h.len(), MAX_HELD);
    }
}
