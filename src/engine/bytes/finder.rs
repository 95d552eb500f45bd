//! A substring searcher for one long needle searched many times (a
//! multipart delimiter): Horspool, with a linear fallback
//! (Knuth–Morris–Pratt) when an adversarial input makes it degrade.

/// A substring searcher for one needle (a multipart delimiter).
///
/// Horspool skips up to the needle's length per step; its worst case is
/// quadratic (`aaaa…` against `aa…ab`), so the searcher counts the bytes it
/// compares and switches to Knuth–Morris–Pratt (linear) when that passes a
/// small multiple of the haystack length.
pub struct Finder {
    needle: Vec<u8>,
    skip: [usize; 256],
    /// KMP failure table, built on first need.
    fail: Vec<usize>,
    /// Bytes compared so far, over every call (the haystack is the same).
    work: usize,
    /// Horspool degraded: KMP from now on.
    kmp: bool,
    /// After a KMP match at `p`: (`p + 1`, the index to go on from, the
    /// automaton state), so a caller that rejects the match and asks again
    /// from `p + 1` costs nothing extra.
    resume: Option<(usize, usize, usize)>,
}

impl Finder {
    pub fn new(needle: &[u8]) -> Finder {
        let m = needle.len();
        let mut skip = [m.max(1); 256];
        if let Some(init) = needle.get(..m.saturating_sub(1)) {
            for (k, &b) in init.iter().enumerate() {
                if let Some(s) = skip.get_mut(usize::from(b)) {
                    *s = m - 1 - k;
                }
            }
        }
        Finder {
            needle: needle.to_vec(),
            skip,
            fail: Vec::new(),
            work: 0,
            kmp: false,
            resume: None,
        }
    }

    /// The first occurrence at or after `from`. Successive calls must search
    /// the same haystack (the work budget spans them).
    pub fn find(&mut self, hay: &[u8], from: usize) -> Option<usize> {
        let m = self.needle.len();
        if m == 0 {
            return (from <= hay.len()).then_some(from);
        }
        if self.kmp {
            return self.find_kmp(hay, from);
        }
        let last = *self.needle.last()?;
        let budget = hay.len().saturating_mul(4).saturating_add(4096);
        let mut i = from;
        while let Some(&b) = i.checked_add(m - 1).and_then(|e| hay.get(e)) {
            if b == last {
                let cand = hay.get(i..i + m)?;
                self.work = self.work.saturating_add(m);
                if self.work > budget {
                    self.kmp = true;
                    return self.find_kmp(hay, i);
                }
                if cand == self.needle.as_slice() {
                    return Some(i);
                }
            }
            i += self.skip.get(usize::from(b)).copied().unwrap_or(1);
        }
        None
    }

    fn find_kmp(&mut self, hay: &[u8], from: usize) -> Option<usize> {
        let m = self.needle.len();
        if self.fail.is_empty() {
            self.fail = vec![0; m];
            let mut k = 0;
            for q in 1..m {
                let c = self.needle.get(q).copied();
                while k > 0 && self.needle.get(k).copied() != c {
                    k = self.fail.get(k - 1).copied().unwrap_or(0);
                }
                if self.needle.get(k).copied() == c {
                    k += 1;
                }
                if let Some(f) = self.fail.get_mut(q) {
                    *f = k;
                }
            }
        }
        let (start, mut k) = match self.resume.take() {
            Some((f, at, state)) if f == from => (at, state),
            _ => (from, 0),
        };
        for (i, &c) in hay.iter().enumerate().skip(start) {
            while k > 0 && self.needle.get(k).copied() != Some(c) {
                k = self.fail.get(k - 1).copied().unwrap_or(0);
            }
            if self.needle.get(k).copied() == Some(c) {
                k += 1;
            }
            if k == m {
                let p = i + 1 - m;
                let state = self.fail.get(m - 1).copied().unwrap_or(0);
                self.resume = Some((p + 1, i + 1, state));
                return Some(p);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(h: &[u8], n: &[u8], from: usize) -> Option<usize> {
        (from..=h.len().checked_sub(n.len())?).find(|&i| &h[i..i + n.len()] == n)
    }

    #[test]
    fn substring_search_matches_naive() {
        let mut seed = 7u64;
        for _ in 0..3000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let hl = (seed >> 33) as usize % 60;
            let nl = 1 + (seed >> 20) as usize % 5;
            let h: Vec<u8> = (0..hl)
                .map(|k| b"ab-"[((seed >> (k % 50)) as usize + k * 7) % 3])
                .collect();
            let n: Vec<u8> = (0..nl)
                .map(|k| b"ab-"[((seed >> 5) as usize + k) % 3])
                .collect();
            let from = (seed >> 40) as usize % 10;
            let mut f = Finder::new(&n);
            assert_eq!(f.find(&h, from), naive(&h, &n, from), "{h:?} {n:?} {from}");
            assert_eq!(f.find_kmp(&h, from), naive(&h, &n, from), "{h:?} {n:?}");
        }
    }

    /// A hang guard, not a measurement (see `testing::HANG_GUARD`): linear time
    /// on these inputs is measured by `cargo bench --bench engine -- adversarial`.
    #[test]
    fn adversarial_search_does_not_hang() {
        crate::testing::hang_guard("scan: adversarial search", || {
            // Every position a match, each rejected by the caller.
            let hay = vec![b'-'; 1 << 20];
            let mut f = Finder::new(&[b'-'; 70]);
            let mut at = 0;
            while let Some(d) = f.find(&hay, at) {
                at = d + 1;
            }
            assert_eq!(at, (1 << 20) - 69);
            assert!(f.kmp);
            let hay = vec![b'a'; 4 << 20];
            let mut needle = vec![b'a'; 69];
            needle.push(b'b');
            assert_eq!(Finder::new(&needle).find(&hay, 0), None);
            let mut needle = vec![b'b'];
            needle.extend_from_slice(&[b'a'; 69]);
            assert_eq!(Finder::new(&needle).find(&hay, 0), None);
        });
    }
}
