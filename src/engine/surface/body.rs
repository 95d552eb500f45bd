//! Body dispatch: choose a parser from the content type (or by sniffing).

use super::{query, Flow, Kind, Sink, Surface};
use crate::engine::config::Limits;

/// How a body will be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    Form,
    Json,
    Multipart,
    Xml,
    /// Unknown or textual: sniffed when the body is there.
    Sniff,
    /// Binary media that is not inspected.
    Skip,
}

/// Classifies a body from its `content-type` header alone.
pub fn classify(content_type: Option<&[u8]>) -> BodyKind {
    let Some(ct) = content_type else {
        return BodyKind::Sniff;
    };
    let ct = String::from_utf8_lossy(ct).to_ascii_lowercase();
    let mime = ct.split(';').next().unwrap_or("").trim();
    if mime == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else if mime == "application/json" || mime.ends_with("+json") {
        BodyKind::Json
    } else if mime == "multipart/form-data" {
        BodyKind::Multipart
    } else if mime == "application/xml" || mime == "text/xml" || mime.ends_with("+xml") {
        BodyKind::Xml
    } else if mime.starts_with("image/")
        || mime.starts_with("audio/")
        || mime.starts_with("video/")
        || mime.starts_with("font/")
        || mime.starts_with("application/grpc")
    {
        BodyKind::Skip
    } else {
        BodyKind::Sniff
    }
}

/// Extracts the values of `body` into `sink`.
pub fn extract(
    content_type: Option<&[u8]>,
    body: &[u8],
    _limits: &Limits,
    sink: &mut dyn Sink,
) -> Flow {
    match classify(content_type) {
        BodyKind::Form => {
            let mut flow = Flow::Continue;
            query::for_each_pair(body, |k, v| {
                flow = sink.value(Surface::Form, &k, &k, Kind::Key);
                if flow == Flow::Continue {
                    flow = sink.value(Surface::Form, &k, &v, Kind::Value);
                }
                flow == Flow::Continue
            });
            flow
        }
        BodyKind::Skip => Flow::Continue,
        _ => sink.value(Surface::Body, b"", body, Kind::Value),
    }
}
