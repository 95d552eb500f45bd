//! Every input that ever crashed a fuzz target (fuzz/regressions/<target>/)
//! and every hand-picked seed (fuzz/seeds/<target>/) runs through the same
//! target body as under libFuzzer (fuzz/src/targets.rs, included here), so
//! a fixed crash stays fixed in plain `cargo test`.
//!
//! A missing folder, a target folder without inputs or no inputs at all
//! fail: the replay must not pass vacuously because files moved.

#[path = "../fuzz/src/targets.rs"]
#[allow(dead_code)]
mod targets;

use std::path::Path;

use envoy_rasp::testing::{run_bounded, Stopped, HANG_GUARD};

fn run_dir(kind: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind);
    let dirs = std::fs::read_dir(&root).unwrap_or_else(|e| {
        panic!("fuzz/{kind}: {e}: the replay needs its inputs (fuzz/{kind}/<target>/<file>)")
    });
    let mut n = 0;
    let mut failed = Vec::new();
    for dir in dirs.flatten().filter(|d| d.path().is_dir()) {
        let name = dir.file_name().to_string_lossy().into_owned();
        let Some(f) = targets::by_name(&name) else {
            panic!("fuzz/{kind}/{name}: no fuzz target of that name");
        };
        let mut files: Vec<_> = std::fs::read_dir(dir.path())
            .expect("readable directory")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "fuzz/{kind}/{name}: no inputs");
        for file in files {
            let data = std::fs::read(&file).expect("readable file");
            n += 1;
            // Under the shared watchdog: an endless loop fails the test
            // instead of hanging it.
            match run_bounded(&name, HANG_GUARD, move || f(&data)) {
                Ok(()) => {}
                Err(Stopped::Panicked(msg)) => {
                    failed.push(format!("{} (panics: {msg})", file.display()))
                }
                Err(Stopped::TimedOut) => failed.push(format!(
                    "{} (still running after {} s)",
                    file.display(),
                    HANG_GUARD.as_secs()
                )),
            }
        }
    }
    assert!(n > 0, "fuzz/{kind}: no inputs in any target folder");
    assert!(
        failed.is_empty(),
        "fuzz inputs that still fail:\n{}",
        failed.join("\n")
    );
    n
}

#[test]
fn crash_fixtures_no_longer_crash() {
    run_dir("regressions");
}

#[test]
fn hand_picked_seeds_pass() {
    run_dir("seeds");
}

#[test]
fn every_target_has_a_libfuzzer_binary() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    for (name, _) in targets::TARGETS {
        assert!(
            dir.join(format!("{name}.rs")).exists(),
            "fuzz/fuzz_targets/{name}.rs missing"
        );
    }
}
