//! Unit tests of the path traversal detector: fixtures, the request path,
//! configuration and linear time on adversarial inputs.

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
fn fixtures() {
    let t = det();
    let ctx = ValueCtx::value(Surface::Query);
    let n = crate::engine::detect::fixtures::check(
        include_str!("../../../../tests/fixtures/path_traversal.jsonl"),
        true,
        |v, _| t.detect(v.as_bytes(), &ctx),
    );
    // An empty or truncated fixture file must not pass.
    assert!(n.detect >= 50 && n.pass >= 50, "too few fixtures");
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

#[test]
fn adversarial_inputs_are_linear() {
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
    ] {
        let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
        let start = std::time::Instant::now();
        let _ = t.detect(&v, &ctx);
        assert!(start.elapsed().as_secs_f64() < 2.0, "{unit:?} too slow");
    }
}
