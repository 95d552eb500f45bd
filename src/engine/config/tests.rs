//! Loading configurations: defaults, paths, wording, every error at once.

use super::*;

fn errors(doc: &str) -> ConfigErrors {
    match Config::from_json(doc.as_bytes()) {
        Ok(_) => panic!("{doc} loads"),
        Err(e) => e,
    }
}

fn fields(e: &ConfigErrors) -> Vec<&str> {
    e.errors().iter().map(ConfigError::field).collect()
}

#[test]
fn empty_and_braces_are_defaults() {
    for doc in [&b""[..], b"  ", b"{}"] {
        let c = Config::from_json(doc).unwrap();
        assert_eq!(c.mode, Mode::Block);
        assert_eq!(c.block.status_code, 403);
        assert_eq!(c.limits.max_body_bytes, 10 * 1024 * 1024);
        assert_eq!(c.limits.max_header_bytes, 8192);
        assert_eq!(c.inspect.headers, vec!["user-agent", "referer"]);
    }
}

#[test]
fn default_is_the_validated_empty_document() {
    let braces = Config::from_json(b"{}").unwrap();
    let default = Config::default();
    // Every compiled part (detectors, rules, limits, …) and the raw form.
    assert_eq!(format!("{default:?}"), format!("{braces:?}"));
    assert_eq!(
        serde_json::to_value(&default.raw).unwrap(),
        serde_json::to_value(RawConfig::default()).unwrap()
    );
    assert!(default.inspect.body && default.detectors.sqli.is_some());
}

#[test]
fn unknown_top_level_field_is_named() {
    let e = errors(r#"{"mdoe": "block"}"#);
    assert_eq!(e.field(), "mdoe");
    assert!(e.to_string().contains("unknown field"), "{e}");
}

#[test]
fn unknown_nested_field_is_named_with_its_section() {
    let e = errors(r#"{"limits": {"max_body": 5}}"#);
    assert_eq!(e.field(), "limits");
    assert!(e.message().contains("max_body"), "{e}");
}

#[test]
fn bad_enum_value_is_named() {
    let e = errors(r#"{"mode": "blocking"}"#);
    assert_eq!(e.field(), "mode");
    let e = errors(r#"{"sql_injection": {"action": "drop"}}"#);
    assert_eq!(e.field(), "sql_injection");
    assert!(e.message().contains("drop"), "{e}");
}

#[test]
fn every_check_reports_at_once() {
    let e = errors(
        r#"{"block": {"status_code": 99, "redirect_url": "a b"},
            "limits": {"max_depth": 0},
            "events": {"max_findings": 65},
            "allowlist": {"exact_paths": ["x"], "path_prefixes": ["/ok", "y"]},
            "inspect": {"headers": ["a b", "ok", "c d"]},
            "siem": {"cluster": "c", "batch_size": 0, "timeout_ms": 1},
            "sql_injection": {"whitelist": [""]},
            "custom_rules": [{"id": "a", "patterns": ["("]}, {"id": "a", "patterns": ["x"]}]}"#,
    );
    assert_eq!(
        fields(&e),
        [
            "block.status_code",
            "block.redirect_url",
            "limits.max_depth",
            "allowlist.exact_paths[0]",
            "allowlist.path_prefixes[1]",
            "inspect.headers[0]",
            "inspect.headers[2]",
            "events.max_findings",
            "siem.batch_size",
            "siem.timeout_ms",
            "sql_injection.whitelist[0]",
            "custom_rules[0].patterns[0]",
            "custom_rules[1].id",
        ],
        "{e}"
    );
    assert_eq!(
        e.errors()[0].message(),
        "must be at least 200, got 99",
        "{e}"
    );
}

#[test]
fn sections_written_as_arrays_are_rejected() {
    let e = errors(r#"{"allowlist": []}"#);
    assert_eq!(e.field(), "allowlist");
    let e = errors(r#"{"block": [403, "text/plain", null, null]}"#);
    assert_eq!(e.field(), "block");
    let e = errors(r#"{"rate_limit": []}"#);
    assert_eq!(e.field(), "rate_limit");
}

#[test]
fn invalid_json_and_non_object() {
    let e = errors("{");
    assert!(e.to_string().contains("not valid JSON"), "{e}");
    let e = errors("[]");
    assert!(e.to_string().contains("JSON object"), "{e}");
    assert_eq!(e.field(), "");
}

#[test]
fn ranges_are_checked() {
    let cases: &[(&str, &str)] = &[
        (r#"{"block": {"status_code": 99}}"#, "block.status_code"),
        (
            r#"{"block": {"redirect_url": "a b"}}"#,
            "block.redirect_url",
        ),
        (
            r#"{"limits": {"max_body_bytes": 0}}"#,
            "limits.max_body_bytes",
        ),
        (
            r#"{"limits": {"max_body_bytes": 10, "max_inspect_bytes": 11}}"#,
            "limits.max_inspect_bytes",
        ),
        (
            r#"{"limits": {"max_body_bytes": 1073741825}}"#,
            "limits.max_body_bytes",
        ),
        (
            r#"{"allowlist": {"path_prefixes": ["static"]}}"#,
            "allowlist.path_prefixes[0]",
        ),
        (
            r#"{"inspect": {"headers": ["user agent"]}}"#,
            "inspect.headers[0]",
        ),
        (r#"{"events": {"max_findings": 0}}"#, "events.max_findings"),
    ];
    for (doc, field) in cases {
        let e = errors(doc);
        assert_eq!(fields(&e), [*field], "{doc}: {e}");
    }
}

#[test]
fn custom_rule_errors_name_rule_and_pattern() {
    let doc = r#"{"custom_rules": [
        {"id": "ok", "patterns": ["abc"]},
        {"id": "broken", "patterns": ["fine", "(unclosed"]}
    ]}"#;
    let e = errors(doc);
    assert_eq!(e.field(), "custom_rules[1].patterns[1]");
    assert!(e.to_string().contains("broken"), "{e}");
    let dup =
        r#"{"custom_rules": [{"id": "a", "patterns": ["x"]}, {"id": "a", "patterns": ["y"]}]}"#;
    assert_eq!(errors(dup).field(), "custom_rules[1].id");
}

#[test]
fn headers_are_lowercased() {
    let c = Config::from_json(br#"{"inspect": {"headers": ["User-Agent", "X-Api-Key"]}}"#).unwrap();
    assert_eq!(c.inspect.headers, vec!["user-agent", "x-api-key"]);
}
