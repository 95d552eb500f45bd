//! Replays inputs through a fuzz target, without libFuzzer and without
//! coverage instrumentation (an optimised build, as in production), and
//! times each one.
//!
//! ```text
//! cargo run --release --manifest-path fuzz/Cargo.toml --example replay -- \
//!     [--ms-per-kib 1.0] [--top 5] <target> <file or directory>...
//! ```
//!
//! Every input runs once under `catch_unwind` in a thread with a 10 s
//! watchdog (a panic is reported with the file and makes the exit status 2;
//! an input still running after 10 s is an endless loop: exit status 3),
//! then is timed: repeated until 2 ms
//! have passed (at most 50 runs, at least 1) and the fastest run kept, which
//! filters out scheduler noise on a busy machine. An input is too slow when
//! it takes more than `--ms-per-kib` per KiB, with a floor of one KiB (so
//! every input gets at least that much: 1 ms by default). Too slow inputs
//! are measured again (three more 200 ms windows) before being reported
//! (exit status 1).
//! The last line is `RESULT {json}` for scripts/fuzz.py.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use envoy_rasp_fuzz::targets;

struct Timing {
    path: PathBuf,
    len: usize,
    nanos: u128,
}

impl Timing {
    /// Milliseconds per KiB (inputs under one KiB count as one KiB).
    fn ms_per_kib(&self) -> f64 {
        let kib = (self.len.max(1024)) as f64 / 1024.0;
        self.nanos as f64 / 1e6 / kib
    }
}

fn files(paths: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        let p = Path::new(p);
        if p.is_dir() {
            if let Ok(rd) = std::fs::read_dir(p) {
                let mut v: Vec<PathBuf> = rd
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file())
                    .collect();
                v.sort();
                out.extend(v);
            }
        } else if p.is_file() {
            out.push(p.to_path_buf());
        }
    }
    out
}

/// An input that has not returned after this long is an endless loop.
const HANG: Duration = Duration::from_secs(10);

enum Outcome {
    Ok,
    Panic,
    Hang,
}

/// The first run, in a thread with a watchdog: a panic or an endless loop
/// is reported instead of taking the tool down or blocking it.
fn first_run(f: fn(&[u8]), data: &[u8]) -> Outcome {
    let (tx, rx) = std::sync::mpsc::channel();
    let owned = data.to_vec();
    std::thread::spawn(move || {
        let ok = std::panic::catch_unwind(|| f(&owned)).is_ok();
        let _ = tx.send(ok);
    });
    match rx.recv_timeout(HANG) {
        Ok(true) => Outcome::Ok,
        Ok(false) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Outcome::Panic,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Outcome::Hang,
    }
}

fn time(f: fn(&[u8]), data: &[u8], budget: Duration, max_runs: u32) -> u128 {
    let mut best = u128::MAX;
    let start = Instant::now();
    let mut runs = 0;
    while runs == 0 || (runs < max_runs && start.elapsed() < budget) {
        let t = Instant::now();
        f(std::hint::black_box(data));
        best = best.min(t.elapsed().as_nanos());
        runs += 1;
    }
    best
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut limit = 1.0f64;
    let mut top = 5usize;
    while let Some(a) = args.first().cloned() {
        match a.as_str() {
            "--ms-per-kib" if args.len() > 1 => {
                limit = args[1].parse().expect("--ms-per-kib takes a number");
                args.drain(..2);
            }
            "--top" if args.len() > 1 => {
                top = args[1].parse().expect("--top takes a number");
                args.drain(..2);
            }
            _ => break,
        }
    }
    if args.len() < 2 {
        eprintln!("usage: replay [--ms-per-kib X] [--top N] <target> <path>...");
        eprintln!(
            "targets: {}",
            targets::TARGETS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(" ")
        );
        std::process::exit(64);
    }
    let name = args[0].clone();
    let Some(f) = targets::by_name(&name) else {
        eprintln!("replay: unknown target {name}");
        std::process::exit(64);
    };
    let inputs = files(&args[1..]);
    let mut timings = Vec::with_capacity(inputs.len());
    let mut panics = Vec::new();
    let mut bytes = 0usize;
    for path in inputs {
        let Ok(data) = std::fs::read(&path) else {
            continue;
        };
        bytes += data.len();
        match first_run(f, &data) {
            Outcome::Ok => {}
            Outcome::Panic => {
                eprintln!("replay: {name}: PANIC on {}", path.display());
                panics.push(path);
                continue;
            }
            Outcome::Hang => {
                // The thread cannot be stopped: report and leave.
                eprintln!(
                    "replay: {name}: HANG (no answer within {} s) on {}",
                    HANG.as_secs(),
                    path.display()
                );
                println!(
                    "RESULT {{\"target\": \"{name}\", \"inputs\": 0, \"panics\": 1, \"slow\": 0, \
                     \"worst_ms_per_kib\": 0, \"worst_us\": 0, \"worst_len\": {}, \"worst_path\": \"{}\", \
                     \"hang\": true}}",
                    data.len(),
                    path.display().to_string().replace('\\', "\\\\").replace('"', "\\\"")
                );
                std::process::exit(3);
            }
        }
        let nanos = time(f, &data, Duration::from_millis(2), 50);
        timings.push(Timing {
            path,
            len: data.len(),
            nanos,
        });
    }
    timings.sort_by(|a, b| b.ms_per_kib().total_cmp(&a.ms_per_kib()));
    // Re-measure every offender more carefully before calling it slow: on
    // a busy machine a whole 2 ms window can be lost to other processes.
    // Up to three 200 ms windows, a pause between them; the fastest run
    // counts.
    for t in timings.iter_mut() {
        if t.ms_per_kib() <= limit {
            break;
        }
        if let Ok(data) = std::fs::read(&t.path) {
            for _ in 0..3 {
                std::thread::sleep(Duration::from_millis(50));
                t.nanos = t
                    .nanos
                    .min(time(f, &data, Duration::from_millis(200), 1000));
                if t.ms_per_kib() <= limit {
                    break;
                }
            }
        }
    }
    timings.sort_by(|a, b| b.ms_per_kib().total_cmp(&a.ms_per_kib()));
    let slow: Vec<&Timing> = timings.iter().filter(|t| t.ms_per_kib() > limit).collect();
    println!(
        "replay {name}: {} inputs, {} bytes, {} panics, {} slower than {limit} ms/KiB",
        timings.len() + panics.len(),
        bytes,
        panics.len(),
        slow.len()
    );
    for t in timings.iter().take(top) {
        println!(
            "  {:>9.1} us  {:>7} B  {:.4} ms/KiB  {}",
            t.nanos as f64 / 1000.0,
            t.len,
            t.ms_per_kib(),
            t.path.display()
        );
    }
    let worst = timings.first();
    let esc = |p: &Path| {
        p.display()
            .to_string()
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
    };
    println!(
        "RESULT {{\"target\": \"{name}\", \"inputs\": {}, \"panics\": {}, \"slow\": {}, \
         \"worst_ms_per_kib\": {:.6}, \"worst_us\": {:.1}, \"worst_len\": {}, \"worst_path\": \"{}\"}}",
        timings.len() + panics.len(),
        panics.len(),
        slow.len(),
        worst.map_or(0.0, |t| t.ms_per_kib()),
        worst.map_or(0.0, |t| t.nanos as f64 / 1000.0),
        worst.map_or(0, |t| t.len),
        worst.map_or(String::new(), |t| esc(&t.path)),
    );
    if !panics.is_empty() {
        std::process::exit(2);
    }
    if !slow.is_empty() {
        std::process::exit(1);
    }
}
