//! SipHash-2-4, streaming, and the fixed key of bucket fingerprints.

/// The fixed SipHash key (public: fingerprints need only resist chosen
/// collisions, which SipHash's 64-bit output makes a 2⁶⁴ search).
pub(super) const SIP_K0: u64 = 0x7261_7370_2d72_6c31; // "rasp-rl1"
pub(super) const SIP_K1: u64 = 0x656e_766f_792d_7761; // "envoy-wa"

/// SipHash-2-4 (Aumasson & Bernstein) with a 128-bit key.
pub fn siphash24(k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut h = Sip::new(k0, k1);
    h.write(data);
    h.finish()
}

/// Streaming SipHash-2-4.
#[derive(Clone, Debug)]
pub(super) struct Sip {
    v0: u64,
    v1: u64,
    v2: u64,
    v3: u64,
    /// Pending bytes (little-endian) and how many.
    tail: u64,
    ntail: u32,
    len: u64,
}

impl Sip {
    pub(super) fn new(k0: u64, k1: u64) -> Sip {
        Sip {
            v0: k0 ^ 0x736f_6d65_7073_6575,
            v1: k1 ^ 0x646f_7261_6e64_6f6d,
            v2: k0 ^ 0x6c79_6765_6e65_7261,
            v3: k1 ^ 0x7465_6462_7974_6573,
            tail: 0,
            ntail: 0,
            len: 0,
        }
    }

    fn round(&mut self) {
        self.v0 = self.v0.wrapping_add(self.v1);
        self.v1 = self.v1.rotate_left(13) ^ self.v0;
        self.v0 = self.v0.rotate_left(32);
        self.v2 = self.v2.wrapping_add(self.v3);
        self.v3 = self.v3.rotate_left(16) ^ self.v2;
        self.v0 = self.v0.wrapping_add(self.v3);
        self.v3 = self.v3.rotate_left(21) ^ self.v0;
        self.v2 = self.v2.wrapping_add(self.v1);
        self.v1 = self.v1.rotate_left(17) ^ self.v2;
        self.v2 = self.v2.rotate_left(32);
    }

    fn compress(&mut self, m: u64) {
        self.v3 ^= m;
        self.round();
        self.round();
        self.v0 ^= m;
    }

    pub(super) fn write(&mut self, data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        let mut rest = data;
        // Top up the pending word first.
        while self.ntail > 0 {
            let Some((&b, r)) = rest.split_first() else {
                return;
            };
            self.tail |= u64::from(b) << (8 * self.ntail);
            self.ntail += 1;
            rest = r;
            if self.ntail == 8 {
                self.compress(self.tail);
                self.tail = 0;
                self.ntail = 0;
            }
        }
        let chunks = rest.chunks_exact(8);
        let tail = chunks.remainder();
        for c in chunks {
            let m = <[u8; 8]>::try_from(c).map(u64::from_le_bytes).unwrap_or(0);
            self.compress(m);
        }
        for &b in tail {
            self.tail |= u64::from(b) << (8 * self.ntail);
            self.ntail += 1;
        }
    }

    pub(super) fn finish(mut self) -> u64 {
        let b = self.tail | (self.len << 56);
        self.compress(b);
        self.v2 ^= 0xff;
        for _ in 0..4 {
            self.round();
        }
        self.v0 ^ self.v1 ^ self.v2 ^ self.v3
    }
}
