//! Decimal formatting of unsigned integers into a stack buffer: array
//! indices in value locations (`json:$.items[12]`, `path:[3]`) are
//! written for every element, and `format!` would allocate each time.
//!
//! ```
//! use envoy_rasp::engine::bytes::decimal;
//!
//! let mut buf = [0u8; decimal::MAX_LEN];
//! assert_eq!(decimal::format(1234, &mut buf), b"1234");
//! let mut path = b"$.items".to_vec();
//! decimal::push(&mut path, 7);
//! assert_eq!(path, b"$.items7");
//! ```

/// Digits of `u64::MAX`.
pub const MAX_LEN: usize = 20;

/// `n` in decimal, written at the end of `buf`.
#[inline]
pub fn format(mut n: u64, buf: &mut [u8; MAX_LEN]) -> &[u8] {
    let mut k = buf.len();
    loop {
        k -= 1;
        if let Some(d) = buf.get_mut(k) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || k == 0 {
            break;
        }
    }
    buf.get(k..).unwrap_or_default()
}

/// Appends `n` in decimal to `out`.
#[inline]
pub fn push(out: &mut Vec<u8>, n: u64) {
    let mut buf = [0u8; MAX_LEN];
    out.extend_from_slice(format(n, &mut buf));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_std() {
        let mut buf = [0u8; MAX_LEN];
        let mut n = 1u64;
        let mut cases = vec![
            0,
            9,
            10,
            99,
            100,
            u64::from(u32::MAX),
            u64::MAX,
            u64::MAX - 1,
        ];
        while let Some(m) = n.checked_mul(10) {
            cases.extend([n - 1, n, n + 1]);
            n = m;
        }
        for c in cases {
            assert_eq!(format(c, &mut buf), c.to_string().as_bytes());
            let mut out = b"x".to_vec();
            push(&mut out, c);
            assert_eq!(out, format!("x{c}").as_bytes());
        }
    }
}
