//! Unit tests and fixtures of the `sensitive_path` detector.

use super::*;

fn det() -> SensitivePath {
    SensitivePath::compile(&SensitivePathConfig::default(), "sensitive_path")
        .unwrap()
        .unwrap()
}

#[test]
fn canonical_form() {
    let c = |p: &[u8]| String::from_utf8(canonicalize(p).text).unwrap();
    assert_eq!(c(b"/a/./b/../.git;x/config"), "/a/.git/config");
    assert_eq!(c(b"\\a\\\\web.config.::$DATA"), "/a/web.config");
    assert_eq!(c(b"/../../etc"), "/etc");
    assert_eq!(c(b"/a/.../b"), "/a/.../b");
    assert_eq!(c(b"/x. . /"), "/x");
    assert_eq!(c(b""), "");
}

#[test]
fn categories_and_extra() {
    let cfg: SensitivePathConfig = serde_json::from_str(
        r#"{"editor_config": false, "backups": false,
            "extra": ["/.terraform.d/", "*.pem", "deploy/keys"],
            "exempt_prefixes": ["/code/"]}"#,
    )
    .unwrap();
    let d = SensitivePath::compile(&cfg, "sensitive_path")
        .unwrap()
        .unwrap();
    assert!(d.detect_path(b"/.vscode/settings.json").is_none());
    assert!(d.detect_path(b"/index.php.bak").is_none());
    assert!(d.detect_path(b"/www.zip").is_none());
    assert_eq!(
        d.detect_path(b"/certs/site.PEM").unwrap().rule,
        "sensitive_path.custom"
    );
    assert_eq!(
        d.detect_path(b"/.terraform.d/x").unwrap().rule,
        "sensitive_path.custom"
    );
    assert_eq!(
        d.detect_path(b"/a/deploy/keys/x").unwrap().rule,
        "sensitive_path.custom"
    );
    assert!(d.detect_path(b"/deploy/other/keys").is_none());
    assert!(d.detect_path(b"/code/org/repo/.git/config").is_none());
    assert!(d.detect_path(b"/codes/.git/config").is_some());
    for (json, field) in [
        (r#"{"extra": [""]}"#, "sensitive_path.extra[0]"),
        (r#"{"extra": ["ok", "a b"]}"#, "sensitive_path.extra[1]"),
        (r#"{"extra": ["a/../b"]}"#, "sensitive_path.extra[0]"),
        (r#"{"extra": ["*"]}"#, "sensitive_path.extra[0]"),
        (r#"{"extra": ["a*b"]}"#, "sensitive_path.extra[0]"),
        (r#"{"extra": ["*pem"]}"#, "sensitive_path.extra[0]"),
        (
            r#"{"exempt_prefixes": ["code/"]}"#,
            "sensitive_path.exempt_prefixes[0]",
        ),
    ] {
        let cfg: SensitivePathConfig = serde_json::from_str(json).unwrap();
        let e = SensitivePath::compile(&cfg, "sensitive_path").unwrap_err();
        assert_eq!(e.field(), field, "{json}");
    }
    let off: SensitivePathConfig = serde_json::from_str(r#"{"action": "off"}"#).unwrap();
    assert!(SensitivePath::compile(&off, "sensitive_path")
        .unwrap()
        .is_none());
}

#[test]
fn every_builtin_pattern_parses() {
    for (p, _) in BUILTIN {
        assert!(parse_pattern(p).is_some(), "{p}");
    }
}

#[test]
fn adversarial_paths_are_linear() {
    let d = det();
    for unit in [&b"/a"[..], b"/..", b"/.git;", b"%2e", b"/x.bak~", b"\\.. "] {
        let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
        let t = std::time::Instant::now();
        let _ = d.detect_path(&v);
        assert!(
            t.elapsed().as_millis() < 2000,
            "{:?}",
            String::from_utf8_lossy(unit)
        );
    }
}
