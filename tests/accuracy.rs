//! Accuracy floors and false-positive ceilings, in CI.
//!
//! Runs `rasp-eval` over `tests/data/` (a deterministic, licence-noted subset
//! of the development corpora: see `tests/data/NOTICE.md`) with the default
//! configuration and fails when a class's detection rate falls below its
//! floor or a benign set gets more false positives than its ceiling. The
//! floors sit a little under the measured rates so that a real regression
//! fails while an intended trade-off can be made by moving a floor in a
//! reviewed commit. `make eval` prints the full report.

use std::process::Command;

use serde_json::Value;

/// Minimum detection rate (percent of the union, deduplicated, single-token
/// rows and `{file}` placeholders excluded) per class.
const FLOORS: &[(&str, f64)] = &[
    ("sqli", 96.0),
    ("xss", 94.0),
    ("cmdi", 91.0),
    ("path_traversal", 98.5),
    ("ssrf", 97.0),
    ("xxe", 93.0),
    ("upload_filename", 82.0),
];

/// Most benign rows flagged, per file (any finding counts).
const CEILINGS: &[(&str, u64)] = &[
    // 0.05 % of 20304
    ("httpparams.jsonl", 10),
    // 2 % of 417 (inputs that libinjection once wrongly flagged)
    ("libinjection.jsonl", 8),
    ("gotestwaf_benign.jsonl", 0),
];

fn report() -> Value {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::env::temp_dir().join(format!("rasp-accuracy-{}.json", std::process::id()));
    let status = Command::new(env!("CARGO_BIN_EXE_rasp-eval"))
        .arg("--json")
        .arg(&out)
        .arg(format!("{root}/tests/data"))
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run rasp-eval");
    assert!(status.success(), "rasp-eval failed");
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let _ = std::fs::remove_file(out);
    v
}

#[test]
fn detection_floors_and_false_positive_ceilings() {
    let r = report();
    let mut failures = Vec::new();
    for (class, floor) in FLOORS {
        let t = &r["union"][class];
        let n = t["n"].as_u64().unwrap_or(0);
        let flagged = t["flagged"].as_u64().unwrap_or(0);
        assert!(n > 0, "no {class} rows in tests/data");
        let rate = 100.0 * flagged as f64 / n as f64;
        if rate < *floor {
            failures.push(format!(
                "{class}: {rate:.2}% < floor {floor}% ({flagged}/{n})"
            ));
        }
    }
    for (file, ceiling) in CEILINGS {
        let t = &r["files"][file]["benign"];
        let n = t["n"].as_u64().unwrap_or(0);
        let flagged = t["flagged"].as_u64().unwrap_or(u64::MAX);
        assert!(n > 0, "no benign rows in {file}");
        if flagged > *ceiling {
            failures.push(format!(
                "{file}: {flagged} of {n} benign values flagged (ceiling {ceiling})"
            ));
        }
    }
    if !failures.is_empty() {
        let fps: Vec<String> = r["false_positives"]
            .as_array()
            .map(|a| {
                a.iter()
                    .take(20)
                    .map(|f| format!("  {} {:?} -> {}", f["file"], f["value"], f["why"]))
                    .collect()
            })
            .unwrap_or_default();
        panic!(
            "{}\nfirst false positives:\n{}",
            failures.join("\n"),
            fps.join("\n")
        );
    }
}
