//! Unit tests of the path traversal detector: the request path,
//! configuration and adversarial inputs (a hang guard).

use super::config::{Traversal, TraversalConfig};
use crate::engine::detect::ValueCtx;
use crate::engine::mode::Action;
use crate::engine::surface::Surface;

fn det() -> Traversal {
    Traversal::compile(&TraversalConfig::default(), "path_traversal")
        .unwrap()
        .unwrap()
}

#[test]
fn request_path_any_climb() {
    let t = det();
    let ctx = ValueCtx::value(Surface::Path);
    assert!(t.detect(b"/static/../secret.txt", &ctx).is_some());
    assert!(t.detect(b"/static/app.js", &ctx).is_none());
    assert!(t.detect(b"/etc/passwd", &ctx).is_none());
}

#[test]
fn whitelist_and_config() {
    let cfg = TraversalConfig {
        whitelist: vec!["/srv/files/".into()],
        ..TraversalConfig::default()
    };
    let t = Traversal::compile(&cfg, "path_traversal").unwrap().unwrap();
    let ctx = ValueCtx::value(Surface::Query);
    assert!(t.detect(b"/srv/files/a.log", &ctx).is_none());
    assert!(t.detect(b"/tmp/x.log", &ctx).is_some());
    assert!(t.detect(b"/srv/files/../../etc/hosts", &ctx).is_some());
    let bad = TraversalConfig {
        whitelist: vec!["data".into()],
        ..TraversalConfig::default()
    };
    let err = Traversal::compile(&bad, "path_traversal").unwrap_err();
    assert_eq!(err.field(), "path_traversal.whitelist[0]");
    let strict = TraversalConfig {
        allow_single_parent: false,
        ..TraversalConfig::default()
    };
    let t = Traversal::compile(&strict, "path_traversal")
        .unwrap()
        .unwrap();
    assert!(t.detect(b"../img/a.png", &ctx).is_some());
    let off = TraversalConfig {
        action: Action::Off,
        ..TraversalConfig::default()
    };
    assert!(Traversal::compile(&off, "path_traversal")
        .unwrap()
        .is_none());
}

/// A hang guard, not a measurement (see `testing::HANG_GUARD`): linear time
/// on these inputs is measured by `cargo bench --bench engine -- adversarial`.
#[test]
fn adversarial_inputs_do_not_hang() {
    crate::testing::hang_guard("path_traversal: adversarial inputs", || {
        let t = det();
        let ctx = ValueCtx::value(Surface::Query);
        for unit in [
            &b"%"[..],
            b"%c0",
            b"/",
            b"./",
            b"a/",
            b"%25",
            b"0x",
            b" /e",
            b"\xc0",
            b"http://1.1.1.1/",
            b"[::",
        ] {
            let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
            let _ = t.detect(&v, &ctx);
        }
    });
}
