//! Unit tests of the command-injection detector (its fixtures run from
//! `tests/fixtures.rs`, its speed from `cargo bench --bench engine`).

use super::glob::glob_match;
use super::names::MAX_NAME;
use super::table::COMMANDS;
use super::*;
use crate::engine::mode::Action;
use crate::engine::surface::Surface;

fn det() -> Cmdi {
    Cmdi::compile(&CmdiConfig::default(), "command_injection")
        .unwrap()
        .unwrap()
}

#[test]
fn table_is_lowercase_and_unique() {
    let d = det();
    for w in d.names.entries().windows(2) {
        assert!(
            w[0].0 < w[1].0,
            "duplicate or unsorted {:?}",
            String::from_utf8_lossy(&w[0].0)
        );
    }
    for (n, _) in COMMANDS {
        assert_eq!(n.to_ascii_lowercase(), *n);
        assert!(n.len() <= MAX_NAME);
    }
}

#[test]
fn blacklist_config() {
    let cfg = CmdiConfig {
        blacklist: vec!["/opt/tools/frobnicate".into()],
        ..CmdiConfig::default()
    };
    let d = Cmdi::compile(&cfg, "command_injection").unwrap().unwrap();
    let ctx = ValueCtx::value(Surface::Query);
    assert!(d.detect(b"x; frobnicate", &ctx).is_some());
    assert!(det().detect(b"x; frobnicate", &ctx).is_none());
    let bad = CmdiConfig {
        blacklist: vec!["two words".into()],
        ..CmdiConfig::default()
    };
    let err = Cmdi::compile(&bad, "command_injection").unwrap_err();
    assert_eq!(err.field(), "command_injection.blacklist[0]");
    let off = CmdiConfig {
        action: Action::Off,
        ..CmdiConfig::default()
    };
    assert!(Cmdi::compile(&off, "command_injection").unwrap().is_none());
}

/// Deterministic random strings over shell and path bytes: no panic
/// (debug builds check arithmetic), spans inside the value.
#[test]
fn random_inputs_are_safe() {
    use crate::engine::detect::traversal::{Traversal, TraversalConfig};
    const ALPHABET: &[u8] =
        b"ab /\\.;|&$(){}[]<>`'\"\\%0x2ec:?*^!#=@+-\n\r\t~,\x00\xc0\xaf\xef\xbc\x8e";
    let d = det();
    let t = Traversal::compile(&TraversalConfig::default(), "path_traversal")
        .unwrap()
        .unwrap();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..20_000 {
        let len = (next() % 48) as usize;
        let v: Vec<u8> = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        for surface in [Surface::Query, Surface::Path] {
            let ctx = ValueCtx::value(surface);
            for h in [d.detect(&v, &ctx), t.detect(&v, &ctx)]
                .into_iter()
                .flatten()
            {
                assert!(h.start <= h.end && h.end <= v.len(), "{v:?} {h:?}");
            }
        }
    }
}

#[test]
fn glob_matching() {
    assert!(glob_match(b"/???/??t", b"/bin/cat"));
    assert!(glob_match(b"/etc/pa[s]swd", b"/etc/passwd"));
    assert!(glob_match(b"/et*/*wd", b"/etc/passwd"));
    assert!(glob_match(b"/etc/[!q]asswd", b"/etc/passwd"));
    assert!(!glob_match(b"/etc/[!p]asswd", b"/etc/passwd"));
    assert!(glob_match(b"/usr/[a-z]in", b"/usr/bin"));
}

/// A hang guard: the cost per byte on these inputs is measured by
/// `cargo bench --bench engine -- adversarial`.
#[test]
fn adversarial_inputs_do_not_hang() {
    crate::testing::hang_guard("cmdi: adversarial inputs", || {
        let d = det();
        let ctx = ValueCtx::value(Surface::Query);
        for unit in [
            &b"$("[..],
            b"`",
            b"((((",
            b"''''",
            b"\"",
            b"${",
            b"; ls",
            b"{a,",
            b"a=b;",
            b"\\",
            b"$IFS",
            b"<(",
            b"/???/",
            b"() {",
        ] {
            let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
            let _ = d.detect(&v, &ctx);
        }
    });
}
