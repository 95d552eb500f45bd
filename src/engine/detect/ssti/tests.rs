//! Unit tests of the SSTI detector: fixtures, knobs, linear time.

use super::*;
use crate::engine::surface::Surface;

fn det() -> Ssti {
    Ssti::compile(&SstiConfig::default(), "ssti")
        .unwrap()
        .unwrap()
}

fn with_probes() -> Ssti {
    Ssti::compile(
        &SstiConfig {
            probes: true,
            ..SstiConfig::default()
        },
        "ssti",
    )
    .unwrap()
    .unwrap()
}

#[test]
fn probes_only_with_the_knob() {
    let ctx = ValueCtx::value(Surface::Query);
    for v in [
        &b"{{7*7}}"[..],
        b"${7*7}",
        b"<%= 7 * 7 %>",
        b"#{7*7}",
        b"@(1+2)",
        b"{{7*'7'}}",
        b"[[5*5]]",
        b"${{7*7}}",
        b"{% if True %}49{% endif %}",
        b"<% if 1==1 %>x<% end %>",
        b"{{self}}",
        b"{{ config }}",
        b"{$smarty.version}",
    ] {
        assert!(
            det().detect(v, &ctx).is_none(),
            "{:?}",
            String::from_utf8_lossy(v)
        );
        let h = with_probes().detect(v, &ctx);
        assert_eq!(
            h.map(|h| h.rule),
            Some("ssti.probe".into()),
            "{:?}",
            String::from_utf8_lossy(v)
        );
    }
    for v in [
        &b"{{username}}"[..],
        b"<%=title%>",
        b"#{name}",
        b"{{ -1 }}",
        b"{{ 1.5 }}",
        b"{{ 2024 }}",
        b"{% endif %}",
        b"{{ self.title() }}",
    ] {
        assert!(
            with_probes().detect(v, &ctx).is_none(),
            "{:?}",
            String::from_utf8_lossy(v)
        );
    }
}

#[test]
fn off_compiles_to_none() {
    let cfg = SstiConfig {
        action: Action::Off,
        ..SstiConfig::default()
    };
    assert!(Ssti::compile(&cfg, "ssti").unwrap().is_none());
}

#[test]
fn spans_point_into_the_value() {
    let ctx = ValueCtx::value(Surface::Query);
    let v = b"Hi {{ cycler.__init__.__globals__.os }} there";
    let h = det().detect(v, &ctx).unwrap();
    assert_eq!(h.rule, "ssti.jinja_object_walk");
    assert_eq!(&v[h.start..h.end], b"{{ cycler.__init__");
    let v = b"x __${T(java.lang.Runtime)}__::.x";
    let h = det().detect(v, &ctx).unwrap();
    assert_eq!(h.rule, "ssti.thymeleaf_preprocess");
    assert_eq!(&v[h.start..h.end], b"__${T(java.lang.Runtime)}__");
}

#[test]
fn adversarial_inputs_are_linear() {
    let d = with_probes();
    let ctx = ValueCtx::value(Surface::Query);
    let units: &[&[u8]] = &[
        &b"{"[..],
        b"{{",
        b"{{x}}",
        b"{%",
        b"<%",
        b"${",
        b"#{",
        b"#set(",
        b"@(",
        b"[[",
        b"<#a",
        b"[#a",
        b"{{ a.",
        b"{{ filter(",
        b"{{ filter('",
        b"<%= `",
        b"$class.",
        b"{if ",
        b"{a",
        b"{{ 1+",
        b"__${x}__",
        b"?new",
    ];
    crate::engine::bytes::testing::assert_linear(units, |v| {
        let _ = d.detect(v, &ctx);
    });
}
