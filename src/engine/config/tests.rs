//! Loading configurations: defaults, paths, wording, every error at once.

use super::*;
use crate::engine::error::ConfigError;
use crate::engine::error::{ConfigErrors, ErrorKind};
use crate::engine::mode::Mode;

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
fn unknown_fields_are_named_with_their_full_path() {
    let e = errors(r#"{"mdoe": "block"}"#);
    assert_eq!(e.field(), "mdoe");
    assert_eq!(e.kind(), ErrorKind::UnknownField);
    assert!(
        e.message()
            .starts_with("unknown field, did you mean `mode`?"),
        "{e}"
    );
    let e = errors(r#"{"limits": {"max_body": 5}}"#);
    assert_eq!(e.field(), "limits.max_body");
    assert!(
        e.message().contains("did you mean `max_body_bytes`?"),
        "{e}"
    );
    assert!(
        e.message().contains("known fields: max_body_bytes, "),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "invalid configuration: field `limits.max_body`: {}",
            e.message()
        )
    );
    let e = errors(r#"{"rate_limit": {"rules": [{"path": "/b"}]}}"#);
    assert_eq!(e.field(), "rate_limit.rules[0].path");
    let e = errors(r#"{"limits": {"zzz": 5}}"#);
    assert!(!e.message().contains("did you mean"), "{e}");
}

#[test]
fn expected_types_are_said_in_words() {
    let cases = [
        (
            r#"{"limits": {"max_body_bytes": "10MB"}}"#,
            "limits.max_body_bytes",
            "expected a whole number of bytes, got the string \"10MB\"",
        ),
        (
            r#"{"limits": {"max_body_bytes": -1}}"#,
            "limits.max_body_bytes",
            "expected a whole number of bytes, 0 or more, got -1",
        ),
        (
            r#"{"limits": {"max_params": 5000000000}}"#,
            "limits.max_params",
            "expected a whole number, at most 4294967295, got 5000000000",
        ),
        (
            r#"{"limits": {"max_depth": 1.5}}"#,
            "limits.max_depth",
            "expected a whole number, got 1.5",
        ),
        (
            r#"{"mode": "blocking"}"#,
            "mode",
            "expected one of \"block\", \"monitor\", got \"blocking\"",
        ),
        (
            r#"{"sql_injection": {"action": "drop"}}"#,
            "sql_injection.action",
            "expected one of \"block\", \"log\", \"off\", got \"drop\"",
        ),
        (
            r#"{"inspect": {"path": "yes"}}"#,
            "inspect.path",
            "expected true or false, got the string \"yes\"",
        ),
        (
            r#"{"inspect": {"headers": "user-agent"}}"#,
            "inspect.headers",
            "expected a list (JSON array), got the string \"user-agent\"",
        ),
        (
            r#"{"inspect": {"headers": ["user-agent", 7]}}"#,
            "inspect.headers[1]",
            "expected a string, got 7",
        ),
        (
            r#"{"siem": {"cluster": "c", "timeout_ms": "5s"}}"#,
            "siem.timeout_ms",
            "expected a whole number of milliseconds, got the string \"5s\"",
        ),
        (
            r#"{"block": []}"#,
            "block",
            "expected an object, got a list",
        ),
        (
            r#"{"custom_rules": [{"id": "x", "patterns": ["a"], "targets": ["nose"]}]}"#,
            "custom_rules[0].targets[0]",
            "expected one of \"path\", \"query\", \"body\", \"headers\", \"cookies\", got \"nose\"",
        ),
        (r#"{"siem": {}}"#, "siem.cluster", "this field is required"),
    ];
    for (doc, field, message) in cases {
        let e = errors(doc);
        assert_eq!(fields(&e), [field], "{doc}: {e}");
        assert_eq!(e.message(), message, "{doc}");
    }
}

#[test]
fn a_wrong_type_no_longer_hides_a_misspelt_field() {
    // In one section and across sections.
    let e = errors(r#"{"limits": {"max_body_bytes": "10MB", "max_dept": 3}}"#);
    assert_eq!(fields(&e), ["limits.max_body_bytes", "limits.max_dept"]);
    let e = errors(r#"{"xss": {"acton": "log"}, "limits": {"max_body_bytes": "10MB"}}"#);
    assert_eq!(fields(&e), ["limits.max_body_bytes", "xss.acton"]);
    assert!(
        e.to_string().starts_with(
            "invalid configuration (2 errors): field `limits.max_body_bytes`: expected a whole number of bytes"
        ),
        "{e}"
    );
    assert!(
        e.to_string().contains("; field `xss.acton`: unknown field"),
        "{e}"
    );
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
fn read_and_check_errors_are_reported_together() {
    // The misspelt field is left out; the rest of the section is checked.
    let e = errors(r#"{"limits": {"max_body": 5, "max_depth": 0}, "events": {"max_findings": 0}}"#);
    assert_eq!(
        fields(&e),
        ["limits.max_body", "limits.max_depth", "events.max_findings"]
    );
    // A field that did not read is not judged by its default.
    let e = errors(r#"{"siem": {"cluster": "c", "batch_size": "x", "queue_capacity": 50}}"#);
    assert_eq!(fields(&e), ["siem.batch_size"]);
}

#[test]
fn a_section_that_lost_an_item_is_not_checked() {
    // Item 0 of `patterns` cannot be read: the rule would look empty and
    // the next rule's errors would be judged without it; only the read
    // error is reported.
    let e = errors(
        r#"{"custom_rules": [{"id": "a", "patterns": [5]}, {"id": "a", "patterns": ["("]}],
            "events": {"max_findings": 0}}"#,
    );
    assert_eq!(
        fields(&e),
        ["custom_rules[0].patterns[0]", "events.max_findings"]
    );
}

#[test]
fn a_required_field_that_did_not_read_is_reported_once() {
    let e = errors(r#"{"siem": {"cluster": 5}}"#);
    assert_eq!(fields(&e), ["siem.cluster"]);
    assert_eq!(e.kind(), ErrorKind::WrongType);
    let e = errors(r#"{"custom_rules": [{"patterns": ["a"]}, {"id": "b", "pattern": ["a"]}]}"#);
    assert_eq!(
        fields(&e),
        [
            "custom_rules[0].id",
            "custom_rules[1].pattern",
            "custom_rules[1].patterns"
        ],
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
    // Deeper down, serde's reading of a struct from its field values is
    // kept as it was (a quirk, not a recommendation).
    assert!(Config::from_json(br#"{"rate_limit": {"key": []}}"#).is_ok());
}

#[test]
fn a_flood_of_errors_is_cut_short() {
    let doc: String = (0..200)
        .map(|i| format!("\"f{i}\": 1"))
        .collect::<Vec<_>>()
        .join(", ");
    let e = errors(&format!("{{{doc}}}"));
    assert!(e.len() <= 40, "{}", e.len());
    assert_eq!(
        e.errors().last().unwrap().message(),
        "more errors not listed; fix these first"
    );
}

#[test]
fn invalid_json_and_non_object() {
    let e = errors("{");
    assert!(e.to_string().contains("not valid JSON"), "{e}");
    assert_eq!(e.kind(), ErrorKind::Syntax);
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

#[test]
fn raw_parse_reports_read_errors_only() {
    assert!(RawConfig::from_json(br#"{"limits": {"max_depth": 0}}"#).is_ok());
    let e = RawConfig::from_json(br#"{"limits": {"max_depth": "deep"}}"#).unwrap_err();
    assert_eq!(e.field(), "limits.max_depth");
    assert_eq!(e.kind(), ErrorKind::WrongType);
}
