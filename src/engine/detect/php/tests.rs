//! Tests of the PHP detector: the data-driven fixtures, the knobs, spans
//! and linear time on adversarial input.

use super::*;
use crate::engine::surface::Surface;

fn php() -> Php {
    Php::compile(&PhpConfig::default(), "php_injection")
        .unwrap()
        .unwrap()
}

#[test]
fn off_compiles_to_none() {
    let cfg = PhpConfig {
        action: Action::Off,
        ..PhpConfig::default()
    };
    assert!(Php::compile(&cfg, "php_injection").unwrap().is_none());
}

#[test]
fn bad_names_are_refused() {
    let cfg = PhpConfig {
        wrappers: vec!["php".into(), "bad scheme".into()],
        ..PhpConfig::default()
    };
    let e = Php::compile(&cfg, "php_injection").unwrap_err();
    assert_eq!(e.field(), "php_injection.wrappers[1]");
    let cfg = PhpConfig {
        functions: vec![String::new()],
        ..PhpConfig::default()
    };
    let e = Php::compile(&cfg, "php_injection").unwrap_err();
    assert_eq!(e.field(), "php_injection.functions[0]");
}

#[test]
fn wrapper_list_is_configurable() {
    let ctx = ValueCtx::value(Surface::Query);
    let no_zip = Php::compile(
        &PhpConfig {
            wrappers: vec!["php".into(), "Phar".into()],
            ..PhpConfig::default()
        },
        "php_injection",
    )
    .unwrap()
    .unwrap();
    assert!(php().detect(b"zip://a.zip#b", &ctx).is_some());
    assert!(no_zip.detect(b"zip://a.zip#b", &ctx).is_none());
    assert!(no_zip.detect(b"PHAR://x.phar/y", &ctx).is_some());
}

#[test]
fn extra_functions_run_code() {
    let ctx = ValueCtx::value(Surface::Query);
    let d = Php::compile(
        &PhpConfig {
            functions: vec!["my_exec".into()],
            ..PhpConfig::default()
        },
        "php_injection",
    )
    .unwrap()
    .unwrap();
    assert!(php().detect(b"my_exec($cmd)", &ctx).is_none());
    assert!(d.detect(b"my_exec($cmd)", &ctx).is_some());
    assert!(d.detect(b"array_map('my_exec', $a)", &ctx).is_some());
}

#[test]
fn spans_point_into_the_value() {
    let d = php();
    let ctx = ValueCtx::value(Surface::Query);
    for (v, want) in [
        (
            &b"x O:8:\"stdClass\":0:{} y"[..],
            &b"O:8:\"stdClass\":0:{"[..],
        ),
        (b"a=1; eval($x); b", b"eval($x)"),
        (b"see php://input now", b"php://input"),
    ] {
        let h = d.detect(v, &ctx).unwrap();
        assert_eq!(v.get(h.start..h.end), Some(want), "{h:?}");
    }
}

#[test]
fn plain_values_cost_nothing() {
    assert_eq!(classes(b"hello world 42 ok"), 0);
    let d = php();
    let ctx = ValueCtx::value(Surface::Query);
    assert!(d.detect(b"abc", &ctx).is_none());
}

#[test]
fn adversarial_inputs_are_linear() {
    let d = php();
    let ctx = ValueCtx::value(Surface::Query);
    let units: &[&[u8]] = &[
        &b"("[..],
        b")(",
        b"()",
        b"print_r(",
        b"system('",
        b"x'(",
        b"'a'.",
        b"[a]",
        b"[a](",
        b"$a[",
        b"${",
        b"$ {'",
        b"<?",
        b"<?php ",
        b"O:8:\"",
        b"/*",
        b"*/(",
        b"\n(",
        b"`",
        b"`a`",
        b"://",
        b"include '",
        b"$_GET[",
        b"sy.(st).",
    ];
    crate::engine::bytes::testing::assert_linear(units, |v| {
        let _ = d.detect(v, &ctx);
    });
}
