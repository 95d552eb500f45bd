//! The response detectors together: one of each in one page, the stream
//! across chunk boundaries, and 256 KiB pathological inputs in bounded time.

use super::*;
use std::time::{Duration, Instant};

const PAGE: &[u8] = b"<html><pre>\
You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version\n\
java.lang.IllegalStateException: x\n\tat com.acme.Cart.total(Cart.java:42)\n\
root:x:0:0:root:/root:/bin/bash\n\
-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n\
uid=0(root) gid=0(root) groups=0(root)\n\
card: 4111 1111 1111 1111\n</pre></html>";

#[test]
fn one_of_each_kind_once() {
    let mut out = Vec::new();
    scan(PAGE, &mut out);
    let kinds: Vec<LeakKind> = out.iter().map(|l| l.kind).collect();
    for k in &LeakKind::ALL[..6] {
        assert_eq!(
            kinds.iter().filter(|x| *x == k).count(),
            1,
            "{k:?} in {kinds:?}"
        );
    }
}

#[test]
fn every_chunking_finds_the_same_matches_once() {
    let whole = {
        let mut hits = Vec::new();
        let mut s = StreamScanner::new(1 << 20, vec![b"groups=0(root)".to_vec()]);
        s.feed(PAGE, &mut hits);
        hits.iter().map(|h| (h.kind, h.rule)).collect::<Vec<_>>()
    };
    assert_eq!(whole.len(), 7, "{whole:?}");
    for size in [1, 2, 3, 7, 16, 31, 64, 100] {
        let mut hits = Vec::new();
        let mut s = StreamScanner::new(1 << 20, vec![b"groups=0(root)".to_vec()]);
        for c in PAGE.chunks(size) {
            s.feed(c, &mut hits);
        }
        let mut got: Vec<_> = hits
            .iter()
            .filter(|h| h.new)
            .map(|h| (h.kind, h.rule))
            .collect();
        let mut want = whole.clone();
        got.sort_by_key(|x| x.1);
        want.sort_by_key(|x| x.1);
        assert_eq!(got, want, "chunks of {size}");
    }
}

#[test]
fn in_chunk_ranges_cover_a_split_match() {
    let body = b"pay with 4111111111111111 today";
    let (a, b) = body.split_at(15);
    let mut s = StreamScanner::new(1024, Vec::new());
    let mut hits = Vec::new();
    s.feed(a, &mut hits);
    assert!(hits.is_empty());
    s.feed(b, &mut hits);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].in_chunk, (0, 10), "the part after the boundary");
    assert_eq!(hits[0].excerpt, b"4111111111111111");
}

#[test]
fn an_open_key_is_masked_on_in_the_next_chunks() {
    let mut s = StreamScanner::new(1 << 20, Vec::new());
    let mut hits = Vec::new();
    s.feed(b"-----BEGIN PRIVATE KEY-----\nAAAA", &mut hits);
    s.feed(&[b'B'; 1000], &mut hits);
    s.feed(b"CC\n-----END PRIVATE KEY-----\nafter", &mut hits);
    assert_eq!(hits.iter().filter(|h| h.new).count(), 1);
    assert_eq!(hits.len(), 3);
    assert_eq!(hits[1].in_chunk, (0, 1000));
    assert_eq!(hits[2].in_chunk, (0, 28));
}

#[test]
fn the_budget_bounds_what_is_scanned() {
    let mut s = StreamScanner::new(10, Vec::new());
    let mut hits = Vec::new();
    s.feed(b"0123456789uid=0(root) gid=0(root)", &mut hits);
    assert!(hits.is_empty() && s.exhausted());
}

/// 256 KiB of each shape's worst case scans in well under a second.
#[test]
fn pathological_inputs_are_linear() {
    let unit: &[&[u8]] = &[
        b"ORA-",
        b"SQLSTATE[",
        b"ERROR ",
        b"near \"",
        b".java:1",
        b"at a.b(",
        b".js:1:",
        b" on line 1",
        b".cs:line 1",
        b"r:x:0:0:",
        b"a:",
        b"-----BEGIN ",
        b"-----BEGIN PRIVATE KEY-----",
        b"uid=0(",
        b"4111 ",
        b"1",
        b"4-",
        b"\\n at ",
        b"you have an error in your sql",
    ];
    for u in unit {
        let hay: Vec<u8> = u.iter().copied().cycle().take(256 * 1024).collect();
        let t = Instant::now();
        let mut out = Vec::new();
        scan(&hay, &mut out);
        let mut s = StreamScanner::new(1 << 20, vec![u.repeat(8)]);
        let mut hits = Vec::new();
        for c in hay.chunks(4096) {
            s.feed(c, &mut hits);
        }
        let took = t.elapsed();
        assert!(
            took < Duration::from_secs(2),
            "{} {took:?}",
            String::from_utf8_lossy(u)
        );
    }
}
