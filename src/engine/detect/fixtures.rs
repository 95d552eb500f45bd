//! Test support shared by the detectors' data-driven fixtures
//! (`tests/fixtures/<detector>.jsonl`: one JSON object per line with
//! `value`, `expect` (`detect` or `pass`), an optional `rule`, a `note` and
//! detector-specific fields such as `surface` or `disposition`).

use super::hit::Hit;

/// What [`check`] counted.
pub struct Counts {
    pub detect: usize,
    pub pass: usize,
}

/// Runs `detect(value, row)` on every row of `jsonl` and fails with the
/// list of rows whose outcome differs (a miss, a false positive, another
/// rule than `rule`). Every span must be ordered; with `exact_spans` it
/// must also lie inside the value.
pub fn check(
    jsonl: &str,
    exact_spans: bool,
    mut detect: impl FnMut(&str, &serde_json::Value) -> Option<Hit>,
) -> Counts {
    let mut failures = Vec::new();
    let mut counts = Counts { detect: 0, pass: 0 };
    for (i, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("fixture line {}: {e}", i + 1));
        let value = row["value"]
            .as_str()
            .unwrap_or_else(|| panic!("fixture line {}: no value", i + 1));
        let hit = detect(value, &row);
        let ok = match row["expect"].as_str() {
            Some("detect") => {
                counts.detect += 1;
                match (&hit, row["rule"].as_str()) {
                    (Some(h), Some(rule)) => h.rule == rule,
                    (Some(_), None) => true,
                    (None, _) => false,
                }
            }
            Some("pass") => {
                counts.pass += 1;
                hit.is_none()
            }
            other => panic!("fixture line {}: bad expect {other:?}", i + 1),
        };
        if !ok {
            failures.push(format!(
                "line {}: {value:?} ({}) expected {}, got {hit:?}",
                i + 1,
                row["note"].as_str().unwrap_or(""),
                row["expect"]
            ));
        }
        if let Some(h) = &hit {
            assert!(h.start <= h.end, "line {}: bad span {h:?}", i + 1);
            if exact_spans {
                assert!(h.end <= value.len(), "line {}: bad span {h:?}", i + 1);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    counts
}
