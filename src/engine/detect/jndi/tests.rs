//! Unit tests and fixtures of the `jndi` detector.

use super::*;
use crate::engine::surface::Surface;

fn det() -> Jndi {
    Jndi::compile(&JndiConfig::default(), "jndi_injection")
        .unwrap()
        .unwrap()
}

#[test]
fn spans_cover_the_lookup() {
    let d = det();
    let q = ValueCtx::value(Surface::Query);
    let v = b"ua ${jndi:ldap://x/a} tail";
    let h = d.detect(v, &q).unwrap();
    assert_eq!(&v[h.start..h.end], b"${jndi:ldap://x/a}");
    // Found in a second round: from the first `${` to the end.
    let v = b"a ${:1337:-x$}{jndi:ldap://x/a}";
    let h = d.detect(v, &q).unwrap();
    assert_eq!(
        (h.rule.as_ref(), h.start, h.end),
        ("jndi.obfuscated", 2, v.len())
    );
}

#[test]
fn resolution_steps() {
    assert_eq!(resolve(b"lower:JNDI").unwrap(), b"jndi");
    assert_eq!(resolve(b"upper:\xc4\xb1").unwrap(), b"I");
    assert_eq!(resolve(b"::-j").unwrap(), b"j");
    assert_eq!(resolve(b"env:NOPE:-nd").unwrap(), b"nd");
    assert_eq!(resolve(b"date:'j'").unwrap(), b"j");
    assert_eq!(resolve(b"date:yyyy'-'MM").unwrap(), b"0000-00");
    assert_eq!(resolve(b"base64:am5kaQ==").unwrap(), b"jndi");
    assert_eq!(resolve(b"base64Decoder:am5kaQ").unwrap(), b"jndi");
    assert!(resolve(b"env:USER").is_none());
    assert!(resolve(b"name").is_none());
    assert!(base64_decode(b"a").is_none());
    assert!(base64_decode(b"no spaces").is_none());
}

#[test]
fn configured_lookups() {
    let cfg: JndiConfig = serde_json::from_str(r#"{"lookups": ["jndi", "env:"]}"#).unwrap();
    let d = Jndi::compile(&cfg, "jndi_injection").unwrap().unwrap();
    let q = ValueCtx::value(Surface::Query);
    let h = d.detect(b"${env:AWS_SECRET_ACCESS_KEY}", &q).unwrap();
    assert_eq!(h.rule, "jndi.lookup");
    assert!(h.reason.contains("${env:"), "{}", h.reason);
    assert!(det().detect(b"${env:AWS_SECRET_ACCESS_KEY}", &q).is_none());
    assert!(det()
        .detect(
            b"${script:javascript:java.lang.Runtime.getRuntime().exec('id')}",
            &q
        )
        .is_some());
    let off: JndiConfig = serde_json::from_str(r#"{"action": "off"}"#).unwrap();
    assert!(Jndi::compile(&off, "jndi_injection").unwrap().is_none());
    for bad in [r#"{"lookups": [""]}"#, r#"{"lookups": ["a b"]}"#] {
        let cfg: JndiConfig = serde_json::from_str(bad).unwrap();
        let e = Jndi::compile(&cfg, "jndi_injection").unwrap_err();
        assert_eq!(e.field(), "jndi_injection.lookups[0]");
    }
    assert!(serde_json::from_str::<JndiConfig>(r#"{"lookup": []}"#).is_err());
}

#[test]
fn fuzz_no_panic() {
    let d = det();
    let alphabet: &[&[u8]] = &[
        b"${",
        b"}",
        b"$",
        b"{",
        b":",
        b":-",
        b"jndi",
        b"j",
        b"ndi",
        b"lower:",
        b"upper:",
        b"date:'",
        b"'",
        b"base64:",
        b"am5kaQ==",
        b"ldap://",
        b"env:",
        b"\xc4\xb1",
        b"\xc3\x9f",
        b"\xff",
        b"a",
        b" ",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..30_000 {
        let mut v = Vec::new();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let len = (state % 24) as usize;
        for k in 0..len {
            let r = state.rotate_left(k as u32 * 5);
            v.extend_from_slice(alphabet[(r % alphabet.len() as u64) as usize]);
        }
        if let Some(h) = d.detect(&v, &ValueCtx::value(Surface::Json)) {
            assert!(h.start <= h.end && h.end <= v.len(), "{h:?} {v:?}");
        }
    }
}

#[test]
fn adversarial_inputs_are_linear() {
    let d = det();
    let units: &[&[u8]] = &[
        b"${",
        b"${a:-",
        b"${upper:\xc3\x9f",
        b"${a}:",
        b"}${::-$}{",
        b"$${",
        b"${lower:${upper:",
    ];
    crate::engine::bytes::testing::assert_linear(units, |v| {
        let _ = d.detect(v, &ValueCtx::value(Surface::Body));
    });
}
