//! `rasp-explain --diff OLD.json NEW.json REQUEST…`: the requests whose
//! verdict changes between two configurations, for review and CI (exit 1
//! when any changes).

use std::process::ExitCode;

use envoy_rasp::engine::http::parse_http1;
use envoy_rasp::engine::Engine;

use super::{as_envoy_sees_it, load_engine, Explained};

/// One configuration's verdict on a request: `allowed`, or the reply's
/// status and cause (`blocked 403 sql_injection`), and the first
/// finding's rule when one was logged.
fn verdict(engine: &Engine, raw: &[u8], as_is: bool) -> Result<String, String> {
    let (mut head, body) = parse_http1(raw).map_err(|e| e.to_string())?;
    if !as_is {
        as_envoy_sees_it(&mut head);
    }
    let ex = Explained::run(engine, head, body);
    let rule = ex
        .filter
        .transaction()
        .and_then(|tx| tx.findings().first())
        .map(|f| format!(" ({} {})", f.taken.as_str(), f.rule))
        .unwrap_or_default();
    Ok(match ex.reply() {
        None => format!("allowed{rule}"),
        Some(r) => format!("{} {} {}{rule}", ex.verdict(), r.status, r.cause.as_str()),
    })
}

/// Runs every request through both configurations and prints the changes.
pub fn diff(old: &str, new: &str, requests: &[String], as_is: bool) -> ExitCode {
    let engines = load_engine(Some(old)).and_then(|a| Ok((a, load_engine(Some(new))?)));
    let (a, b) = match engines {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut changed = 0;
    for path in requests {
        let raw = match std::fs::read(path) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("rasp-explain: {path}: {e}");
                return ExitCode::from(2);
            }
        };
        let (va, vb) = match (verdict(&a, &raw, as_is), verdict(&b, &raw, as_is)) {
            (Ok(x), Ok(y)) => (x, y),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("rasp-explain: {path}: {e}");
                return ExitCode::from(2);
            }
        };
        if va != vb {
            changed += 1;
            println!("{path}: {va} -> {vb}");
        }
    }
    println!(
        "{changed} of {} requests change verdict ({old} -> {new})",
        requests.len()
    );
    if changed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_name_what_changed() {
        let block = Engine::from_json(b"{}").unwrap();
        let monitor = Engine::from_json(br#"{"mode": "monitor"}"#).unwrap();
        let raw = b"GET /s?q=1%27%20OR%20%271%27%3D%271 HTTP/1.1\r\nHost: a\r\n\r\n";
        let a = verdict(&block, raw, false).unwrap();
        let b = verdict(&monitor, raw, false).unwrap();
        assert!(a.starts_with("blocked 403 sql_injection (block "), "{a}");
        assert!(b.starts_with("allowed (monitor "), "{b}");
        let fine = b"GET /s?q=shoes HTTP/1.1\r\nHost: a\r\n\r\n";
        assert_eq!(verdict(&block, fine, false), verdict(&monitor, fine, false));
    }
}
