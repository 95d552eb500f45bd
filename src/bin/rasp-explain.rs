//! `rasp-explain`: what would the filter do with this request, and why?
//!
//! Reads one raw HTTP/1.1 request (a file, or `-`/nothing for stdin), runs
//! it through the same engine the filter runs in Envoy, with the same call
//! sequence as the host layer (`on_headers`, then `on_body_size` and
//! `on_body` when the engine asks for the body), and prints every finding,
//! limit violation and the verdict.
//!
//! ```text
//! rasp-explain [--config cfg.json] [--json] [--as-is] [request.http | -]
//! rasp-explain [--config cfg.json] --check
//! rasp-explain --print-defaults
//! rasp-explain --print-schema
//! ```
//!
//! Exit status: 0 allowed, 1 blocked or rejected, 2 usage, request or
//! configuration error (configuration errors are printed as the filter logs
//! them: `envoy-rasp: invalid configuration: field `…`: …`).
//!
//! Like Envoy's HTTP connection manager, it turns `Host` into `:authority`
//! (not a header the filter counts) and adds `x-forwarded-proto: http` and
//! an `x-request-id` when they are missing, so header sizes match what the
//! filter sees; `--as-is` skips that.

#[path = "rasp-explain/schema.rs"]
mod schema;

use std::io::{Read, Write};
use std::process::ExitCode;

use envoy_rasp::engine::config::RawConfig;
use envoy_rasp::engine::detect::{Finding, Taken};
use envoy_rasp::engine::http::parse_http1;
use envoy_rasp::engine::inspect::BodyStep;
use envoy_rasp::engine::policy::Cause;
use envoy_rasp::engine::{Engine, LocalReply, Mode, RequestHead, Verdict};
use serde_json::{json, Value};

const USAGE: &str = "\
usage: rasp-explain [--config cfg.json] [--json] [--as-is] [request.http | -]
       rasp-explain [--config cfg.json] --check
       rasp-explain --print-defaults | --print-schema

Runs one raw HTTP/1.1 request (file, or stdin) through the envoy-rasp engine
and prints the findings, limit violations and the verdict.

  --config FILE     plugin configuration (JSON); default: {}
  --json            one machine-readable JSON object instead of text
  --as-is           do not add the headers Envoy adds (x-request-id, ...)
  --check           only validate the configuration
  --print-defaults  the full default configuration as JSON
  --print-schema    the JSON Schema of the configuration

exit status: 0 allowed, 1 blocked or rejected, 2 usage/request/config error";

/// The request id used when the request has none (Envoy would generate a
/// UUID; this one has the same length).
const EXPLAIN_REQUEST_ID: &str = "00000000-0000-4000-8000-000000000000";

struct Args {
    config: Option<String>,
    json: bool,
    as_is: bool,
    check: bool,
    request: Option<String>,
}

enum Cmd {
    Explain(Args),
    PrintDefaults,
    PrintSchema,
    Help,
}

fn parse_args() -> Result<Cmd, String> {
    let mut args = std::env::args().skip(1);
    let mut a = Args {
        config: None,
        json: false,
        as_is: false,
        check: false,
        request: None,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" | "-c" => {
                a.config = Some(args.next().ok_or("--config needs a file name")?);
            }
            "--json" => a.json = true,
            "--as-is" => a.as_is = true,
            "--check" => a.check = true,
            "--print-defaults" => return Ok(Cmd::PrintDefaults),
            "--print-schema" => return Ok(Cmd::PrintSchema),
            "-h" | "--help" => return Ok(Cmd::Help),
            "-" => a.request = Some(arg),
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            _ => {
                if a.request.is_some() {
                    return Err("only one request file".into());
                }
                a.request = Some(arg);
            }
        }
    }
    Ok(Cmd::Explain(a))
}

fn main() -> ExitCode {
    let cmd = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("rasp-explain: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match cmd {
        Cmd::Help => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Cmd::PrintDefaults => match serde_json::to_string_pretty(&RawConfig::default()) {
            Ok(s) => {
                println!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("rasp-explain: {e}");
                ExitCode::from(2)
            }
        },
        Cmd::PrintSchema => match schema::generate() {
            Ok((s, missing)) => {
                for m in missing {
                    eprintln!("rasp-explain: warning: field `{m}` has no description (add it to NOTES in src/bin/rasp-explain/schema.rs)");
                }
                println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("rasp-explain: cannot derive the schema: {e}");
                ExitCode::from(2)
            }
        },
        Cmd::Explain(a) => explain(&a),
    }
}

fn load_engine(path: Option<&str>) -> Result<Engine, String> {
    let bytes = match path {
        Some(p) => std::fs::read(p).map_err(|e| format!("rasp-explain: {p}: {e}"))?,
        None => Vec::new(),
    };
    // The same message the filter logs from on_configure.
    Engine::from_json(&bytes).map_err(|e| format!("envoy-rasp: {e}"))
}

fn read_request(path: Option<&str>) -> Result<Vec<u8>, String> {
    match path {
        None | Some("-") => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| format!("rasp-explain: stdin: {e}"))?;
            Ok(buf)
        }
        Some(p) => std::fs::read(p).map_err(|e| format!("rasp-explain: {p}: {e}")),
    }
}

/// Envoy's connection manager turns `Host` into `:authority` and adds
/// `x-forwarded-proto` and `x-request-id` before any filter runs.
fn as_envoy_sees_it(head: &mut RequestHead) {
    head.headers.retain(|(k, _)| k != "host");
    if head.header("x-forwarded-proto").is_none() {
        head.headers
            .push(("x-forwarded-proto".into(), b"http".to_vec()));
    }
    if head.header("x-request-id").is_none() {
        head.headers.push((
            "x-request-id".into(),
            EXPLAIN_REQUEST_ID.as_bytes().to_vec(),
        ));
    }
}

/// What happened, as the host layer would have done it.
struct Outcome {
    reply: Option<LocalReply>,
    body_inspected: bool,
}

/// The host layer's call sequence (src/host/mod.rs), without Envoy.
fn run(tx: &mut envoy_rasp::engine::Transaction, body: &[u8]) -> Outcome {
    let end_of_stream = body.is_empty();
    let len = body.len() as u64;
    match tx.on_headers(end_of_stream) {
        Verdict::Reply(r) => Outcome {
            reply: Some(r),
            body_inspected: false,
        },
        Verdict::NeedBody => match tx.on_body_size(len) {
            BodyStep::Reply(r) => Outcome {
                reply: Some(r),
                body_inspected: false,
            },
            BodyStep::PassThrough => Outcome {
                reply: None,
                body_inspected: false,
            },
            BodyStep::Buffer => Outcome {
                reply: tx.on_body(body).reply().cloned(),
                body_inspected: true,
            },
        },
        Verdict::Allow => {
            // Not inspected, but the body size limit still applies.
            let reply = if end_of_stream {
                None
            } else {
                match tx.on_body_size(len) {
                    BodyStep::Reply(r) => Some(r),
                    _ => None,
                }
            };
            Outcome {
                reply,
                body_inspected: false,
            }
        }
    }
}

fn finding_json(f: &Finding) -> Value {
    json!({
        "type": f.attack.as_str(),
        "rule": f.rule,
        "reason": f.reason,
        "location": f.location,
        "evidence": f.evidence,
        "action": f.taken.as_str(),
        "logged": f.log,
    })
}

fn explain(a: &Args) -> ExitCode {
    let engine = match load_engine(a.config.as_deref()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if a.check {
        let c = engine.config();
        println!(
            "configuration ok: mode={}, custom_rules={}, siem={}",
            mode_str(c.mode),
            c.custom_rules.len(),
            if c.siem.is_some() { "on" } else { "off" }
        );
        return ExitCode::SUCCESS;
    }
    let raw = match read_request(a.request.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let (mut head, body) = match parse_http1(&raw) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("rasp-explain: {e}");
            return ExitCode::from(2);
        }
    };
    if !a.as_is {
        as_envoy_sees_it(&mut head);
    }
    let mut tx = engine.begin(head);
    let outcome = run(&mut tx, &body);
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let event_lines = tx.events(Some("127.0.0.1:0"), now_ms);
    let verdict = match &outcome.reply {
        None => "allowed",
        Some(r) if matches!(r.cause, Cause::Attack(_)) => "blocked",
        Some(_) => "rejected",
    };
    let code = if outcome.reply.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    let mode = engine.config().mode;
    if a.json {
        let reply = outcome.reply.as_ref().map(|r| {
            json!({
                "status": r.status,
                "cause": r.cause.as_str(),
                "headers": r.headers,
                "body": String::from_utf8_lossy(&r.body),
            })
        });
        let out = json!({
            "verdict": verdict,
            "status": outcome.reply.as_ref().map(|r| r.status),
            "mode": mode_str(mode),
            "request": {
                "method": tx.head().method,
                "path": String::from_utf8_lossy(&tx.head().path),
                "header_bytes": tx.head().header_bytes(),
                "body_bytes": body.len(),
            },
            "findings": tx.findings().iter().map(finding_json).collect::<Vec<_>>(),
            "violations": tx.violations().iter().map(|v| json!({
                "reason": v.cause.as_str(), "status": v.cause.limit_status(),
            })).collect::<Vec<_>>(),
            "allowlisted": tx.allowlisted(),
            "body_inspected": outcome.body_inspected,
            "truncated": tx.truncated(),
            "inspected_bytes": tx.inspected_bytes(),
            "reply": reply,
            "events": event_lines
                .iter()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|_| json!(l)))
                .collect::<Vec<Value>>(),
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return code;
    }
    let mut o = String::new();
    text_report(&mut o, a, &tx, &body, &outcome, verdict, mode, &event_lines);
    let _ = std::io::stdout().write_all(o.as_bytes());
    code
}

fn mode_str(m: Mode) -> &'static str {
    match m {
        Mode::Block => "block",
        Mode::Monitor => "monitor",
    }
}

#[allow(clippy::too_many_arguments)]
fn text_report(
    o: &mut String,
    a: &Args,
    tx: &envoy_rasp::engine::Transaction,
    body: &[u8],
    outcome: &Outcome,
    verdict: &str,
    mode: Mode,
    events: &[String],
) {
    use std::fmt::Write as _;
    let head = tx.head();
    let _ = writeln!(
        o,
        "request     {} {}",
        head.method,
        String::from_utf8_lossy(&head.path)
    );
    let _ = writeln!(
        o,
        "            {} header bytes, {} body bytes{}",
        head.header_bytes(),
        body.len(),
        head.content_type()
            .map(|c| format!(" ({})", String::from_utf8_lossy(c)))
            .unwrap_or_default()
    );
    let _ = writeln!(
        o,
        "config      {} ({} mode)",
        a.config.as_deref().unwrap_or("defaults"),
        mode_str(mode)
    );
    if tx.allowlisted() {
        let _ = writeln!(o, "allowlist   path is allowlisted: not inspected");
    }
    let _ = writeln!(
        o,
        "inspected   {} bytes of values; body {}{}",
        tx.inspected_bytes(),
        if outcome.body_inspected {
            "inspected"
        } else {
            "not inspected"
        },
        if tx.truncated() {
            " (only partly: over limits.max_inspect_bytes or limits.max_body_bytes)"
        } else {
            ""
        }
    );
    let findings = tx.findings();
    if findings.is_empty() {
        let _ = writeln!(o, "findings    none");
    } else {
        let _ = writeln!(o, "findings    {}", findings.len());
        for f in findings {
            let _ = writeln!(
                o,
                "  [{}] {}  rule={}  location={}",
                f.taken.as_str(),
                f.attack.as_str(),
                f.rule,
                f.location
            );
            let _ = writeln!(o, "        reason:   {}", f.reason);
            let _ = writeln!(o, "        evidence: {}", f.evidence);
        }
    }
    for v in tx.violations() {
        let _ = writeln!(
            o,
            "limit       {} (status {}){}",
            v.cause.as_str(),
            v.cause.limit_status(),
            if v.taken == Taken::Monitor {
                ", monitor mode: not enforced"
            } else {
                ""
            }
        );
    }
    match &outcome.reply {
        None => {
            let would = findings.iter().any(|f| f.taken == Taken::Monitor)
                || (mode == Mode::Monitor && !tx.violations().is_empty());
            let _ = writeln!(
                o,
                "verdict     ALLOWED{}",
                if would {
                    " (monitor mode: block mode would have answered with a local reply)"
                } else {
                    ""
                }
            );
        }
        Some(r) => {
            let _ = writeln!(
                o,
                "verdict     {} {} ({})",
                verdict.to_uppercase(),
                r.status,
                r.cause.as_str()
            );
            for (k, v) in &r.headers {
                let _ = writeln!(o, "            {k}: {v}");
            }
            if !r.body.is_empty() {
                let _ = writeln!(o, "            {}", String::from_utf8_lossy(&r.body));
            }
        }
    }
    if !events.is_empty() {
        let _ = writeln!(o, "events      (logged by the filter, component wasm)");
        for e in events {
            let _ = writeln!(o, "  {e}");
        }
    }
}
