//! Every input that ever crashed a fuzz target (fuzz/regressions/<target>/)
//! and every hand-picked seed (fuzz/seeds/<target>/) runs through the same
//! target body as under libFuzzer (fuzz/src/targets.rs, included here), so
//! a fixed crash stays fixed in plain `cargo test`.

#[path = "../fuzz/src/targets.rs"]
#[allow(dead_code)]
mod targets;

use std::path::Path;

fn run_dir(kind: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind);
    let Ok(dirs) = std::fs::read_dir(&root) else {
        return 0;
    };
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
        for file in files {
            let data = std::fs::read(&file).expect("readable file");
            n += 1;
            // In a thread with a watchdog: an endless loop fails the test
            // instead of hanging it.
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let ok = std::panic::catch_unwind(|| f(&data)).is_ok();
                let _ = tx.send(ok);
            });
            match rx.recv_timeout(std::time::Duration::from_secs(10)) {
                Ok(true) => {}
                Ok(false) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    failed.push(format!("{} (panics)", file.display()))
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    failed.push(format!("{} (still running after 10 s)", file.display()))
                }
            }
        }
    }
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
