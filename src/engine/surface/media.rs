//! What a body's declared content type says it is ([`classify`] into a
//! [`BodyKind`]), read from the `content-type` header alone.
//!
//! Its own file because the body dispatch and the multipart parser (for
//! each part's type) both ask it, and neither should import the other
//! for it.
//!
//! ```
//! use envoy_rasp::engine::surface::media::{classify, BodyKind};
//!
//! assert_eq!(classify(Some(b"application/json; charset=utf-8")), BodyKind::Json);
//! assert_eq!(classify(Some(b"image/png")), BodyKind::Skip);
//! assert_eq!(classify(None), BodyKind::Sniff);
//! ```

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

/// The media type (`type/subtype`, lowercase, parameters dropped), in a
/// stack buffer; longer types are not classified.
fn media_type(ct: &[u8], buf: &mut [u8; 128]) -> usize {
    let end = ct.iter().position(|&b| b == b';').unwrap_or(ct.len());
    let t = ct.get(..end).unwrap_or_default().trim_ascii();
    if t.len() > buf.len() {
        return 0;
    }
    for (d, c) in buf.iter_mut().zip(t) {
        *d = c.to_ascii_lowercase();
    }
    t.len()
}

/// Classifies a body from its `content-type` header alone.
pub fn classify(content_type: Option<&[u8]>) -> BodyKind {
    let Some(ct) = content_type else {
        return BodyKind::Sniff;
    };
    let mut buf = [0u8; 128];
    let n = media_type(ct, &mut buf);
    let mime = buf.get(..n).unwrap_or_default();
    if mime == b"application/x-www-form-urlencoded" {
        BodyKind::Form
    } else if mime.ends_with(b"/json") || mime.ends_with(b"+json") || mime.ends_with(b"/x-json") {
        BodyKind::Json
    } else if mime.starts_with(b"multipart/") {
        BodyKind::Multipart
    } else if mime == b"application/xml" || mime == b"text/xml" || mime.ends_with(b"+xml") {
        BodyKind::Xml
    } else if mime.starts_with(b"image/")
        || mime.starts_with(b"audio/")
        || mime.starts_with(b"video/")
        || mime.starts_with(b"font/")
        || mime.starts_with(b"application/grpc")
    {
        BodyKind::Skip
    } else {
        BodyKind::Sniff
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        for (ct, kind) in [
            (None, BodyKind::Sniff),
            (
                Some(&b"application/x-www-form-urlencoded; charset=UTF-8"[..]),
                BodyKind::Form,
            ),
            (Some(b" Application/JSON ; charset=utf-8"), BodyKind::Json),
            (Some(b"application/vnd.api+json"), BodyKind::Json),
            (Some(b"text/json"), BodyKind::Json),
            (
                Some(b"multipart/form-data; boundary=x"),
                BodyKind::Multipart,
            ),
            (Some(b"multipart/mixed"), BodyKind::Multipart),
            (Some(b"text/xml"), BodyKind::Xml),
            (Some(b"application/soap+xml"), BodyKind::Xml),
            (Some(b"image/png"), BodyKind::Skip),
            (Some(b"audio/ogg"), BodyKind::Skip),
            (Some(b"video/mp4"), BodyKind::Skip),
            (Some(b"font/woff2"), BodyKind::Skip),
            (Some(b"application/grpc+proto"), BodyKind::Skip),
            (Some(b"application/grpc-web"), BodyKind::Skip),
            (Some(b"text/plain"), BodyKind::Sniff),
            (Some(b"application/octet-stream"), BodyKind::Sniff),
            (Some(b""), BodyKind::Sniff),
            (Some(b"\xff\xfe;;"), BodyKind::Sniff),
        ] {
            assert_eq!(classify(ct), kind, "{:?}", ct.map(String::from_utf8_lossy));
        }
        let long = vec![b'a'; 1000];
        assert_eq!(classify(Some(&long)), BodyKind::Sniff);
    }
}
