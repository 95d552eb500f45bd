//! Deterministic pseudo-random inputs for the property tests of byte-level
//! code (parsers, lexers, detectors): the same inputs on every run and
//! machine, no dependency.

/// xorshift64*: a tiny deterministic PRNG.
pub(crate) struct Rng(pub u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `count` inputs, each up to 23 pieces drawn from `alphabet` (the bytes
/// and tokens that matter to the code under test), from a fixed xorshift
/// sequence.
pub(crate) fn fuzz_inputs(alphabet: &[&[u8]], count: usize) -> Vec<Vec<u8>> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let len = (next() % 24) as usize;
            let mut v = Vec::new();
            for _ in 0..len {
                let piece = alphabet[(next() % alphabet.len() as u64) as usize];
                v.extend_from_slice(piece);
            }
            v
        })
        .collect()
}

/// Feeds `read` each unit repeated to 256 KiB (1 MiB in release builds)
/// and fails when one reading takes over two seconds: a hang guard for
/// the pathological inputs of a detector or parser (linear code reads
/// these in milliseconds), not a speed measurement.
pub(crate) fn assert_linear(units: &[&[u8]], mut read: impl FnMut(&[u8])) {
    let len = if cfg!(debug_assertions) {
        1 << 18
    } else {
        1 << 20
    };
    for unit in units {
        let v: Vec<u8> = unit.iter().copied().cycle().take(len).collect();
        let t = std::time::Instant::now();
        read(&v);
        assert!(
            t.elapsed().as_secs_f64() < 2.0,
            "{:?} took {:?}",
            String::from_utf8_lossy(unit),
            t.elapsed()
        );
    }
}
