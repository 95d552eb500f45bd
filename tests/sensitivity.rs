//! `sensitivity`: one verdict changing per level (globally, per detector
//! and through a profile), a dropped weak rule that does not stop the
//! scan, and the level of every rule the fixtures expect.

use envoy_rasp::engine::detect::sensitivity::{level_of, Sensitivity};
use envoy_rasp::engine::http::RequestHead;
use envoy_rasp::engine::surface::Surface;
use envoy_rasp::engine::{Engine, HeadVerdict};

fn engine(json: &str) -> Engine {
    Engine::from_json(json.as_bytes()).unwrap_or_else(|e| panic!("{json}: {e}"))
}

/// The rules that fire on `value` as a query parameter.
fn rules(e: &Engine, value: &str) -> Vec<String> {
    e.inspect_value(Surface::Query, value.as_bytes())
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

fn blocked(e: &Engine, path: &str) -> bool {
    let mut tx = e.begin(RequestHead::new("GET", path, vec![]));
    matches!(tx.on_headers(true), HeadVerdict::Reply(_))
}

/// `1' or '1'='1` is a boolean tail (weak SQL evidence), `{{7*7}}` a
/// template probe (only read at `high`), `; cat /etc/passwd`… a chained
/// command, `1 union select 1,2` strong evidence.
#[test]
fn each_level_changes_one_verdict() {
    let low = engine(r#"{"sensitivity": "low"}"#);
    let medium = engine("{}");
    let explicit = engine(r#"{"sensitivity": "medium"}"#);
    let high = engine(r#"{"sensitivity": "high"}"#);

    let tail = "1' or '1'='1";
    assert_eq!(rules(&medium, tail), ["sqli.boolean_tail"]);
    assert!(rules(&low, tail).is_empty(), "{:?}", rules(&low, tail));
    let chained = "x; ls -la /var/www";
    assert_eq!(rules(&medium, chained), ["cmdi.chained_command"]);
    assert!(rules(&low, chained).is_empty());
    // Unambiguous evidence stays at every level.
    for e in [&low, &medium, &high] {
        assert_eq!(rules(e, "1 union select 1,2"), ["sqli.union_select"]);
        assert_eq!(rules(e, "$(id)"), ["cmdi.substitution"]);
        assert_eq!(rules(e, "<script>alert(1)</script>"), ["xss.active_tag"]);
    }

    let probe = "{{7*7}}";
    for e in [&low, &medium, &explicit] {
        assert!(rules(e, probe).is_empty());
    }
    assert_eq!(rules(&high, probe), ["ssti.probe"]);
    assert_eq!(rules(&high, tail), ["sqli.boolean_tail"]);

    // The same through a whole request.
    assert!(blocked(&medium, "/s?q=1%27%20or%20%271%27%3D%271"));
    assert!(!blocked(&low, "/s?q=1%27%20or%20%271%27%3D%271"));
    assert!(!blocked(&medium, "/s?q=%7B%7B7*7%7D%7D"));
    assert!(blocked(&high, "/s?q=%7B%7B7*7%7D%7D"));
}

/// A detector's own `sensitivity` overrides the top-level one, either way.
#[test]
fn a_detector_section_overrides_the_global_level() {
    let e = engine(r#"{"sensitivity": "low", "ssti": {"sensitivity": "high"}}"#);
    assert_eq!(rules(&e, "{{7*7}}"), ["ssti.probe"]);
    assert!(rules(&e, "1' or '1'='1").is_empty());

    let e = engine(r#"{"sensitivity": "high", "sql_injection": {"sensitivity": "low"}}"#);
    assert!(rules(&e, "1' or '1'='1").is_empty());
    assert_eq!(rules(&e, "{{7*7}}"), ["ssti.probe"]);
    assert_eq!(rules(&e, "x; ls -la /var/www"), ["cmdi.chained_command"]);
}

/// An explicit switch is honoured at every level: sensitivity drops only
/// `medium` rules, and only at `low`.
#[test]
fn an_explicit_switch_works_at_every_level() {
    for level in ["low", "medium", "high"] {
        let e = engine(&format!(
            r#"{{"sensitivity": "{level}", "ssti": {{"probes": true}}}}"#
        ));
        assert_eq!(rules(&e, "{{7*7}}"), ["ssti.probe"], "{level}");
    }
}

/// A weak hit dropped at `low` does not stop the scan: another detector
/// still reports its own (unambiguous) evidence on the same value.
#[test]
fn a_dropped_rule_does_not_stop_the_scan() {
    // In block mode the first blocking hit stops the scan of a value: the
    // weak SQL one comes first. Dropped, the value is read on.
    let both = "1' or '1'='1 <svg onload=alert(1)>";
    let medium = engine("{}");
    let low = engine(r#"{"sql_injection": {"sensitivity": "low"}}"#);
    assert_eq!(rules(&medium, both), ["sqli.boolean_tail"]);
    assert_eq!(rules(&low, both), ["xss.active_tag"]);
}

/// Profiles deep-merge JSON over the global configuration, so one path
/// prefix can run `high` and another `low`.
#[test]
fn a_profile_sets_the_level_of_one_route() {
    let e = engine(
        r#"{"profiles": [
            {"name": "render", "match": {"path_prefix": "/render"}, "config": {"sensitivity": "high"}},
            {"name": "forum", "match": {"path_prefix": "/forum"}, "config": {"sql_injection": {"sensitivity": "low"}}}
        ]}"#,
    );
    let probe = "?q=%7B%7B7*7%7D%7D";
    let tail = "?q=1%27%20or%20%271%27%3D%271";
    let at = |path: &str| {
        let head = RequestHead::new("GET", path, vec![]);
        blocked(&e.select(&head, None), path)
    };
    assert!(at(&format!("/render{probe}")));
    assert!(!at(&format!("/search{probe}")));
    assert!(!at(&format!("/forum{tail}")));
    assert!(at(&format!("/search{tail}")));
}

#[test]
fn unknown_levels_are_errors_naming_the_field() {
    let err = Engine::from_json(br#"{"xss": {"sensitivity": "paranoid"}}"#).unwrap_err();
    assert_eq!(err.errors()[0].field(), "xss.sensitivity");
    let err = Engine::from_json(br#"{"sensitivity": 2}"#).unwrap_err();
    assert_eq!(err.errors()[0].field(), "sensitivity");
}

/// Every rule a fixture expects is in the sensitivity table (the table's
/// own test reads the detectors' sources; this one reads what they are
/// proven to report).
#[test]
fn every_rule_the_fixtures_expect_has_a_level() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines() {
            let Ok(row) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if let Some(rule) = row["rule"].as_str() {
                seen += 1;
                assert!(level_of(rule).is_some(), "{rule} has no level");
            }
        }
    }
    assert!(seen > 0);
    assert_eq!(level_of("ssti.probe"), Some(Sensitivity::High));
}

/// `medium` is the engine as it was: `{}`, an explicit top-level
/// `medium` and `medium` in every section compile to the same detectors,
/// with no detector at `low` (so the scan loops never look a rule up).
/// The byte-identical verdicts over the corpora are checked with
/// `rasp-eval --verdicts` and the CRS replay.
#[test]
fn medium_compiles_to_the_default_detectors() {
    let default = engine("{}");
    let sections: Vec<String> = envoy_rasp::engine::detect::SECTIONS
        .iter()
        .map(|(name, _)| format!(r#""{name}": {{"sensitivity": "medium"}}"#))
        .collect();
    let every = engine(&format!(
        r#"{{"sensitivity": "medium", {}}}"#,
        sections.join(", ")
    ));
    let d = &default.config().detectors;
    assert_eq!(d.low, 0);
    assert_eq!(format!("{d:?}"), format!("{:?}", every.config().detectors));
    assert_eq!(
        format!("{d:?}"),
        format!(
            "{:?}",
            engine(r#"{"sensitivity": "medium"}"#).config().detectors
        )
    );
}
