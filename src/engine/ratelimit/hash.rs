//! The fixed key of bucket fingerprints; SipHash-2-4 itself is the crate's
//! one implementation in `engine::hash`.

/// The fixed SipHash key (public: fingerprints need only resist chosen
/// collisions, which SipHash's 64-bit output makes a 2⁶⁴ search).
pub(super) const SIP_K0: u64 = 0x7261_7370_2d72_6c31; // "rasp-rl1"
pub(super) const SIP_K1: u64 = 0x656e_766f_792d_7761; // "envoy-wa"

pub use crate::engine::hash::siphash24;
pub(super) use crate::engine::hash::SipHasher24 as Sip;
