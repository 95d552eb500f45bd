//! `rasp-explain` end to end: the binary on the request files under
//! `tests/requests/`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use envoy_rasp::engine::config::RawConfig;
use envoy_rasp::testing::{run_bounded, Stopped, HANG_GUARD};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn req(name: &str) -> String {
    root()
        .join("tests/requests")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn explain(args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_rasp-explain"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rasp-explain");
    finish(child)
}

/// Waits for `child` under the shared watchdog: a run that hangs is killed
/// and fails the test instead of hanging it.
fn finish(child: Child) -> Output {
    let pid = child.id().to_string();
    match run_bounded("rasp-explain", HANG_GUARD, move || child.wait_with_output()) {
        Ok(out) => out.expect("wait for rasp-explain"),
        Err(Stopped::Panicked(msg)) => panic!("rasp-explain: {msg}"),
        Err(Stopped::TimedOut) => {
            let _ = Command::new("kill").args(["-9", &pid]).status();
            panic!(
                "rasp-explain still running after {} s (killed)",
                HANG_GUARD.as_secs()
            )
        }
    }
}

fn explain_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rasp-explain"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rasp-explain");
    child.stdin.take().unwrap().write_all(input).unwrap();
    finish(child)
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

const RULES: &str = "tests/requests/custom-rules.config.json";

#[test]
fn benign_request_is_allowed_with_exit_0() {
    let out = explain(&["--config", RULES, &req("allowed-json.http")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("verdict     ALLOWED"), "{text}");
    assert!(text.contains("findings    none"), "{text}");
    assert!(text.contains("body inspected"), "{text}");

    let out = explain(&["--json", "--config", RULES, &req("allowed-json.http")]);
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    assert_eq!(v["verdict"], "allowed");
    assert_eq!(v["status"], Value::Null);
    assert_eq!(v["body_inspected"], true);
    assert_eq!(v["request"]["method"], "POST");
    assert_eq!(v["request"]["body_bytes"], 74);
    assert!(v["inspected_bytes"].as_u64().unwrap() > 0);
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn custom_rule_on_the_path_blocks_with_exit_1() {
    let out = explain(&["--config", RULES, &req("wp-probe.http")]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("[block] custom  rule=no-wp  location=path"),
        "{text}"
    );
    assert!(text.contains("verdict     BLOCKED 403 (custom)"), "{text}");
    assert!(text.contains(r#""event":"rasp.attack""#), "{text}");

    let v = json_of(&explain(&[
        "--json",
        "--config",
        RULES,
        &req("wp-probe.http"),
    ]));
    assert_eq!(v["verdict"], "blocked");
    assert_eq!(v["status"], 403);
    let f = &v["findings"][0];
    assert_eq!(f["type"], "custom");
    assert_eq!(f["rule"], "no-wp");
    assert_eq!(f["location"], "path");
    assert_eq!(f["action"], "block");
    assert!(f["evidence"].as_str().unwrap().contains("/wp-login"), "{f}");
    assert!(f["reason"].as_str().is_some());
    // The reply is the filter's: the request id from the request.
    let body: Value =
        serde_json::from_str(v["reply"]["body"].as_str().unwrap()).expect("JSON reply body");
    assert_eq!(
        body,
        serde_json::json!({"blocked": true, "event_id": "req-wp-1", "type": "custom"})
    );
    assert_eq!(v["events"][0]["request_id"], "req-wp-1");
    assert_eq!(v["events"][0]["rule"], "no-wp");
}

#[test]
fn custom_rule_in_the_body_blocks() {
    for file in ["canary-form.http", "chunked-form.http"] {
        let v = json_of(&explain(&["--json", "--config", RULES, &req(file)]));
        assert_eq!(v["verdict"], "blocked", "{file}: {v}");
        assert_eq!(v["body_inspected"], true, "{file}");
        assert_eq!(v["findings"][0]["rule"], "canary", "{file}");
        assert_eq!(v["findings"][0]["location"], "form:message", "{file}");
        assert_eq!(v["findings"][0]["evidence"], "CANARY-1a2b3c4d", "{file}");
    }
    // Without the rule the same request passes.
    let out = explain(&[&req("canary-form.http")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn limit_violation_is_rejected_with_its_status() {
    let out = explain(&["--json", "--config", RULES, &req("long-url.http")]);
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_eq!(v["verdict"], "rejected");
    assert_eq!(v["status"], 414);
    assert_eq!(v["violations"][0]["reason"], "url_too_long");
    assert_eq!(v["reply"]["cause"], "url_too_long");
}

#[test]
fn monitor_mode_allows_but_reports() {
    let cfg =
        std::env::temp_dir().join(format!("rasp-explain-monitor-{}.json", std::process::id()));
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(RULES)).unwrap()).unwrap();
    doc["mode"] = "monitor".into();
    std::fs::write(&cfg, doc.to_string()).unwrap();
    let cfg = cfg.to_string_lossy().into_owned();
    let out = explain(&["--config", &cfg, &req("wp-probe.http")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[monitor] custom  rule=no-wp"), "{text}");
    assert!(
        text.contains("monitor mode: block mode would have"),
        "{text}"
    );
    let v = json_of(&explain(&[
        "--json",
        "--config",
        &cfg,
        &req("long-url.http"),
    ]));
    assert_eq!(v["verdict"], "allowed");
    assert_eq!(v["violations"][0]["reason"], "url_too_long");
}

#[test]
fn reads_stdin() {
    let raw = std::fs::read(req("wp-probe.http")).unwrap();
    for args in [&["--config", RULES, "-"][..], &["--config", RULES][..]] {
        let out = explain_stdin(args, &raw);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
    }
}

#[test]
fn bad_config_exits_2_naming_the_field() {
    let out = explain(&[
        "--config",
        "tests/requests/bad-field.config.json",
        &req("wp-probe.http"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("envoy-rasp: invalid configuration: field `limits.max_body_bytes`"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // Unknown fields too, and --check says the same.
    let tmp = std::env::temp_dir().join(format!("rasp-explain-typo-{}.json", std::process::id()));
    std::fs::write(&tmp, r#"{"xss": {"acton": "log"}}"#).unwrap();
    let out = explain(&["--check", "--config", &tmp.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("field `xss.acton`: unknown field, did you mean `action`?"),
        "{err}"
    );
    // Every error at once, on one line.
    std::fs::write(
        &tmp,
        r#"{"limits": {"max_body_bytes": "10MB"}, "xss": {"acton": "log"}}"#,
    )
    .unwrap();
    let out = explain(&["--check", "--config", &tmp.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "envoy-rasp: invalid configuration (2 errors): field `limits.max_body_bytes`: \
             expected a whole number of bytes, got the string \"10MB\"; field `xss.acton`: "
        ),
        "{err}"
    );
    let out = explain(&["--check", "--config", RULES]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn usage_and_input_errors_exit_2() {
    assert_eq!(explain(&["--frobnicate"]).status.code(), Some(2));
    assert_eq!(explain(&["--config"]).status.code(), Some(2));
    assert_eq!(explain(&["a.http", "b.http"]).status.code(), Some(2));
    assert_eq!(
        explain(&["tests/requests/does-not-exist.http"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        explain(&[
            "--config",
            "tests/requests/missing.json",
            &req("wp-probe.http")
        ])
        .status
        .code(),
        Some(2)
    );
    let out = explain_stdin(&[], b"");
    assert_eq!(out.status.code(), Some(2), "empty request: {out:?}");
    assert_eq!(explain(&["--help"]).status.code(), Some(0));
}

#[test]
fn print_defaults_is_the_default_configuration() {
    let out = explain(&["--print-defaults"]);
    assert_eq!(out.status.code(), Some(0));
    let printed = json_of(&out);
    assert_eq!(printed, serde_json::to_value(RawConfig::default()).unwrap());
    // And it loads as is.
    envoy_rasp::engine::Config::from_json(&out.stdout).unwrap();
}

#[test]
fn every_request_file_parses() {
    for entry in std::fs::read_dir(root().join("tests/requests")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().and_then(|e| e.to_str()) != Some("http") {
            continue;
        }
        let out = explain(&["--json", &p.to_string_lossy()]);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}: {out:?}",
            Path::new(&p).display()
        );
    }
}
