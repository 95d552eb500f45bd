//! Tests of the Java detector: the data-driven fixtures, the knobs, raw
//! bytes, spans and linear time on adversarial input.

use super::*;
use crate::engine::surface::Surface;

fn java() -> Java {
    Java::compile(&JavaConfig::default(), "java_injection")
        .unwrap()
        .unwrap()
}

#[test]
fn off_compiles_to_none() {
    let cfg = JavaConfig {
        action: Action::Off,
        ..JavaConfig::default()
    };
    assert!(Java::compile(&cfg, "java_injection").unwrap().is_none());
}

#[test]
fn bad_extra_classes_are_refused() {
    for bad in ["", "Runtime", "java..lang", "java.lang.Run time", "1java.x"] {
        let cfg = JavaConfig {
            extra_classes: vec!["com.example.Ok".into(), bad.into()],
            ..JavaConfig::default()
        };
        let e = Java::compile(&cfg, "java_injection").unwrap_err();
        assert_eq!(e.field(), "java_injection.extra_classes[1]", "{bad:?}");
    }
}

#[test]
fn extra_classes_are_types() {
    let cfg = JavaConfig {
        extra_classes: vec!["com.example.Evil".into(), "org.danger.".into()],
        ..JavaConfig::default()
    };
    let d = Java::compile(&cfg, "java_injection").unwrap().unwrap();
    let ctx = ValueCtx::value(Surface::Json);
    assert_eq!(
        d.detect(b"com.example.Evil", &ctx).unwrap().rule,
        "java.gadget"
    );
    assert!(d
        .detect(b"see com.example.Evil for details", &ctx)
        .is_none());
    assert!(d
        .detect(b"<handler class=\"org.danger.Thing\">", &ctx)
        .is_some());
    assert!(java().detect(b"com.example.Evil", &ctx).is_none());
}

#[test]
fn class_names_knob() {
    let off = Java::compile(
        &JavaConfig {
            class_names: false,
            ..JavaConfig::default()
        },
        "java_injection",
    )
    .unwrap()
    .unwrap();
    let ctx = ValueCtx::value(Surface::Json);
    assert!(java().detect(b"java.lang.ProcessBuilder", &ctx).is_some());
    assert!(off.detect(b"java.lang.ProcessBuilder", &ctx).is_none());
    // Type positions and gadget-only classes still count.
    assert!(off
        .detect(b"<object class=\"java.lang.ProcessBuilder\">", &ctx)
        .is_some());
    assert!(off.detect(b"com.sun.rowset.JdbcRowSetImpl", &ctx).is_some());
}

#[test]
fn dotnet_knob() {
    let off = Java::compile(
        &JavaConfig {
            dotnet: false,
            ..JavaConfig::default()
        },
        "java_injection",
    )
    .unwrap()
    .unwrap();
    let ctx = ValueCtx::value(Surface::Json);
    let v = b"System.Windows.Data.ObjectDataProvider, PresentationFramework";
    assert_eq!(java().detect(v, &ctx).unwrap().rule, "dotnet.type_gadget");
    assert!(off.detect(v, &ctx).is_none());
    assert!(off.detect(b"AAEAAAD/////AQAAAAAAAAAM", &ctx).is_none());
}

#[test]
fn raw_serialization_bytes() {
    let d = java();
    let ctx = ValueCtx::value(Surface::Query);
    // As the query decoder leaves `%ac%ed%00%05sr`, and without the NUL.
    for v in [
        &b"\xac\xed\x00\x05sr\x00\x11java.util.HashMap"[..],
        b"x=\xac\xed\x05sr",
    ] {
        assert_eq!(
            d.detect(v, &ctx).unwrap().rule,
            "java.serialized_object",
            "{v:?}"
        );
    }
    // The header without a type code after it is not a stream.
    assert!(d.detect(b"\xac\xed\x00\x05\x00\x00", &ctx).is_none());
}

#[test]
fn spans_point_into_the_value() {
    let d = java();
    let ctx = ValueCtx::value(Surface::Query);
    for (v, want) in [
        (
            &b"x=@java.lang.Runtime@getRuntime().exec('id')"[..],
            &b"@java.lang.Runtime@getRuntime"[..],
        ),
        (b"a T(java.lang.Runtime).x", b"T(java.lang.Runtime)"),
        (b"k class.module.classLoader.x", b"class.module.classLoader"),
    ] {
        let h = d.detect(v, &ctx).unwrap();
        assert_eq!(v.get(h.start..h.end), Some(want), "{h:?}");
    }
}

#[test]
fn short_and_plain_values_cost_nothing() {
    assert_eq!(classes(b"hello world 42 ok") & !C_DOT, 0);
    let d = java();
    let ctx = ValueCtx::value(Surface::Query);
    assert!(d.detect(b"T(a.B", &ctx).is_none());
}

#[test]
fn adversarial_inputs_are_linear() {
    let d = java();
    let ctx = ValueCtx::value(Surface::Query);
    let units: &[&[u8]] = &[
        &b"@a.B@"[..],
        b"#a.b(",
        b"(#a=",
        b"${",
        b"${{",
        b"T(a.",
        b"a.b.",
        b"class.",
        b"class[",
        b"rO0AB",
        b"aced000",
        b"\xac\xed",
        b"x:Type ",
        b"forName(\"",
        b"ProcessBuilder",
        b"getRuntime(",
        b"java.lang.Runtime ",
        b"'+{",
        b"ForClosure.",
        b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.",
    ];
    crate::engine::bytes::testing::assert_linear(units, |v| {
        let _ = d.detect(v, &ctx);
    });
}
