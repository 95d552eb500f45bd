//! Unit tests of the detector as a whole: spans, configuration, random
//! token soup and adversarial (long, repetitive) inputs.

use super::*;
use crate::engine::surface::Surface;

fn det() -> Sqli {
    Sqli::compile(&SqliConfig::default(), "sql_injection")
        .unwrap()
        .unwrap()
}

#[test]
fn spans_point_at_the_evidence() {
    let d = det();
    let ctx = ValueCtx::value(Surface::Query);
    let v = b"abc' union select 1,2--";
    let h = d.detect(v, &ctx).unwrap();
    assert_eq!(h.rule, "sqli.union_select");
    assert_eq!(&v[h.start..h.start + 5], b"union");
    assert!(h.end <= v.len());
}

#[test]
fn config() {
    let off = SqliConfig {
        action: Action::Off,
        ..SqliConfig::default()
    };
    assert!(Sqli::compile(&off, "sql_injection").unwrap().is_none());
    let bad = SqliConfig {
        whitelist: vec![" ".into()],
        ..SqliConfig::default()
    };
    let err = Sqli::compile(&bad, "sql_injection").unwrap_err();
    assert_eq!(err.field(), "sql_injection.whitelist[0]");
    let wl = SqliConfig {
        whitelist: vec!["query:sql".into()],
        min_length: 8,
        ..SqliConfig::default()
    };
    let d = Sqli::compile(&wl, "sql_injection").unwrap().unwrap();
    assert!(d.whitelisted("query:sql"));
    assert!(!d.whitelisted("query:q"));
    let ctx = ValueCtx::value(Surface::Query);
    assert!(d.detect(b"'--", &ctx).is_none());
}

#[test]
fn random_token_soup_never_panics() {
    crate::testing::hang_guard("sql_injection: random token soup", || {
        // Deterministic xorshift; debug builds also catch overflow.
        let pieces: &[&[u8]] = &[
            b"'",
            b"\"",
            b"`",
            b"(",
            b")",
            b"((",
            b";",
            b"--",
            b"#",
            b"/*",
            b"*/",
            b"/*!",
            b" ",
            b"\n",
            b"1",
            b"0x",
            b"1e",
            b".",
            b",",
            b"=",
            b"<",
            b">",
            b"||",
            b"&&",
            b"@",
            b"@@",
            b"$$",
            b"$a$",
            b"[",
            b"]",
            b"\\",
            b"or",
            b"and",
            b"union",
            b"select",
            b"from",
            b"where",
            b"case",
            b"when",
            b"then",
            b"end",
            b"sleep",
            b"in",
            b"is",
            b"not",
            b"null",
            b"waitfor",
            b"delay",
            b"exec",
            b"declare",
            b"begin",
            b"if",
            b"into",
            b"outfile",
            b"x",
            b"::",
            b"int",
            b"\xe2\x80\x99",
            b"\xa0",
            b"q'[",
            b"N'",
            b"?",
            b"-",
            b"*",
            b"limit",
            b"order",
            b"by",
            b"goto",
            b"label:",
            b"{fn ",
            b"{",
            b"}",
            b"array[",
            b"::jsonb",
            b"benchmark(",
        ];
        let d = det();
        let ctx = ValueCtx::value(Surface::Query);
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let n = (next() % 24) as usize;
            let mut v = Vec::new();
            for _ in 0..n {
                let p = pieces[(next() % pieces.len() as u64) as usize];
                v.extend_from_slice(p);
            }
            if let Some(h) = d.detect(&v, &ctx) {
                assert!(h.start <= h.end && h.end <= v.len(), "{h:?} for {v:?}");
            }
        }
    });
}

/// A hang guard, not a measurement (see `testing::HANG_GUARD`): linear time
/// on these inputs is measured by `cargo bench --bench engine -- adversarial`.
#[test]
fn adversarial_inputs_are_safe_and_do_not_hang() {
    crate::testing::hang_guard("sql_injection: adversarial inputs", || {
        let d = det();
        let ctx = ValueCtx::value(Surface::Query);
        for unit in [
            &b"("[..],
            b"'",
            b"''",
            b"\"",
            b"1 or ",
            b"/*",
            b"/*!",
            b"-- \n",
            b"`",
            b"[",
            b"$$",
            b"@",
            b"0x",
            b"1,",
            b"(select ",
            b"\\'",
            b"case when ",
            b"a.",
            b"';",
            b"{fn ",
            b"{if (",
            b"array[",
            b"}",
            b"'a'::jsonb||",
            b"benchmark(1,",
        ] {
            let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
            let _ = d.detect(&v, &ctx);
            let key = ValueCtx::at(Surface::Form, b"", true);
            let _ = d.detect(&v, &key);
        }
        // Parameter names with many subscripts: at most 16 are read.
        let key = ValueCtx::at(Surface::Form, b"", true);
        let v: Vec<u8> = b"a[1 or ".iter().copied().cycle().take(1 << 18).collect();
        let _ = d.detect(&v, &key);
        let v: Vec<u8> = b"[x]".iter().copied().cycle().take(1 << 18).collect();
        let _ = d.detect(&v, &key);
    });
}

#[test]
fn parameter_name_subscripts_are_values() {
    let d = det();
    let key = ValueCtx::at(Surface::Form, b"", true);
    let v = b"name[0 or updatexml(1,concat(0x7e,user()),0)#]";
    let h = d.detect(v, &key).unwrap();
    assert_eq!(h.rule, "sqli.error_function");
    assert_eq!(&v[h.start..h.start + 9], b"updatexml");
    assert_eq!(
        d.detect(b"sort[1 AND 1=sleep(5)]", &key).unwrap().rule,
        "sqli.time_function"
    );
    for benign in [
        &b"user[name]"[..],
        b"a[0][b]",
        b"filter[price][gte]",
        b"items[]",
        b"q[title or description]",
    ] {
        assert!(d.detect(benign, &key).is_none(), "{:?}", benign);
    }
    // A value is not split: only names carry subscripts.
    let ctx = ValueCtx::value(Surface::Form);
    assert!(d
        .detect(b"name[0 or updatexml(1,concat(0x7e,user()),0)#]", &ctx)
        .is_none());
}
