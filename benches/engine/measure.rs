//! How the benches measure: CPU time of the bench thread where the system
//! reports it (the machine is shared: wall time lies), wall time otherwise.

use std::time::Instant;

/// CPU time of this thread, in seconds (Linux only).
pub fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// CPU seconds since `cpu0` (from [`cpu_secs`]), or the wall time since
/// `start` when the CPU clock is not available.
pub fn secs_since(start: Instant, cpu0: Option<f64>) -> f64 {
    match (cpu0, cpu_secs()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => start.elapsed().as_secs_f64(),
    }
}

/// Runs `f` once to warm up, then for at least 0.7 s and 3 rounds, and
/// prints the throughput over `size` bytes per round.
pub fn mbps(label: &str, size: usize, mut f: impl FnMut()) {
    f();
    let start = Instant::now();
    let cpu0 = cpu_secs();
    let mut rounds = 0u32;
    while start.elapsed().as_secs_f64() < 0.7 || rounds < 3 {
        f();
        rounds += 1;
    }
    let secs = secs_since(start, cpu0);
    println!(
        "{label:<44} {:>8.1} MB/s (cpu time)",
        size as f64 * f64::from(rounds) / secs / 1e6
    );
}

/// `unit` repeated up to `len` bytes.
pub fn cycle(unit: &[u8], len: usize) -> Vec<u8> {
    unit.iter().copied().cycle().take(len).collect()
}
