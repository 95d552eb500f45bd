//! Support for this crate's own tests, benches and fuzz replays (not for the
//! filter): where the development corpora are, and a watchdog that turns a
//! hang into a test failure.
//!
//! Public (and hidden from the documentation) only because the integration
//! tests, `benches/` and the fuzz crate link the library as any user does:
//! one copy of each helper serves unit tests and those targets alike.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The folder of the labelled development corpora: `$RASP_CORPUS`, or
/// `../shared/corpus` next to this repository. Never a machine path: the
/// default is relative to the crate's manifest.
pub fn corpus_dir() -> PathBuf {
    std::env::var_os("RASP_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
        PathBuf::from,
    )
}

/// How long [`hang_guard`] waits.
///
/// Generous on purpose: the guarded tests catch hangs and super-linear
/// blow-ups, they do not measure speed. A quadratic pass over a 1 MiB input
/// is ~10^12 steps (hours), while a linear one in a debug build on a loaded,
/// shared machine can take a few seconds, which is why the old 2–3 s
/// assertions failed under load. Speed is measured in `benches/`.
pub const HANG_GUARD: Duration = Duration::from_secs(30);

/// Why [`run_bounded`] returned no value.
#[derive(Debug)]
pub enum Stopped {
    /// `f` panicked (the panic message, when it had one).
    Panicked(String),
    /// `f` was still running when the time was up (it is left running
    /// detached; the test process ends it on exit).
    TimedOut,
}

/// Runs `f` in its own thread named `what` and waits at most `limit`.
///
/// wasm32-wasip1 has no threads: there `f` runs inline, unbounded (its
/// panics abort as usual), so the same tests still run under Node.
pub fn run_bounded<T: Send + 'static>(
    what: &str,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Stopped> {
    #[cfg(target_arch = "wasm32")]
    {
        let _ = (what, limit);
        Ok(f())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::sync::mpsc::{channel, RecvTimeoutError};
        let (tx, rx) = channel();
        let handle = std::thread::Builder::new()
            .name(what.to_string())
            .spawn(move || {
                let _ = tx.send(f());
            })
            .map_err(|e| Stopped::Panicked(format!("cannot start a thread: {e}")))?;
        match rx.recv_timeout(limit) {
            Ok(v) => Ok(v),
            Err(RecvTimeoutError::Timeout) => Err(Stopped::TimedOut),
            Err(RecvTimeoutError::Disconnected) => Err(Stopped::Panicked(
                handle.join().err().map_or_else(String::new, |p| {
                    p.downcast_ref::<&str>()
                        .map(|s| (*s).to_string())
                        .or_else(|| p.downcast_ref::<String>().cloned())
                        .unwrap_or_default()
                }),
            )),
        }
    }
}

/// Runs `f` under the watchdog ([`HANG_GUARD`]) and returns its value;
/// fails the calling test when `f` panics or is still running at the
/// deadline.
#[allow(clippy::panic)] // failing the calling test is this function's job
pub fn hang_guard<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    match run_bounded(what, HANG_GUARD, f) {
        Ok(v) => v,
        Err(Stopped::Panicked(msg)) => panic!("{what}: panicked: {msg}"),
        Err(Stopped::TimedOut) => panic!(
            "{what}: still running after {} s (hang guard)",
            HANG_GUARD.as_secs()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn the_watchdog_reports_values_panics_and_hangs() {
        // A value or a panic returns at once, whatever the bound.
        assert!(matches!(run_bounded("value", HANG_GUARD, || 7), Ok(7)));
        let panicked = run_bounded("panic", HANG_GUARD, || -> () { panic!("boom") });
        assert!(matches!(panicked, Err(Stopped::Panicked(m)) if m == "boom"));
        // A "hang" that ends on its own, so no thread outlives the tests.
        let hung = run_bounded("hang", Duration::from_millis(200), || {
            std::thread::sleep(Duration::from_secs(3));
        });
        assert!(matches!(hung, Err(Stopped::TimedOut)));
    }

    #[test]
    fn the_corpus_folder_is_never_a_machine_path_by_default() {
        if std::env::var_os("RASP_CORPUS").is_none() {
            assert!(corpus_dir().ends_with("../shared/corpus"));
        }
    }
}
