//! The request head as the engine sees it, and the pure parsers that build
//! it from what the host hands over (the proxy-wasm header-map encoding) or
//! from a raw HTTP/1.1 request (`rasp-explain`).

use super::bytes::trim_ows;

/// Method, `:path`, authority and regular headers of one request.
///
/// Header names are lowercase (Envoy delivers them so; [`RequestHead::new`]
/// lowercases). Values are bytes: HTTP allows obs-text, and invalid UTF-8
/// must never be a reason to fail.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestHead {
    pub method: String,
    /// The request target: path and query, exactly as received.
    pub path: Vec<u8>,
    pub authority: Vec<u8>,
    /// Regular (non-pseudo) headers in order, names lowercase.
    pub headers: Vec<(String, Vec<u8>)>,
}

impl RequestHead {
    /// Builds a head from parts. Names are lowercased.
    pub fn new(method: &str, path: &str, headers: Vec<(String, Vec<u8>)>) -> RequestHead {
        RequestHead {
            method: method.to_string(),
            path: path.as_bytes().to_vec(),
            authority: Vec::new(),
            headers: headers
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
        }
    }

    /// Builds a head from header pairs that include the pseudo headers
    /// (`:method`, `:path`, `:authority`), as Envoy delivers them.
    pub fn from_pairs(pairs: Vec<(Vec<u8>, Vec<u8>)>) -> RequestHead {
        let mut head = RequestHead::default();
        head.headers.reserve(pairs.len());
        for (k, v) in pairs {
            match k.as_slice() {
                b":method" => head.method = String::from_utf8_lossy(&v).into_owned(),
                b":path" => head.path = v,
                b":authority" => head.authority = v,
                _ if k.first() == Some(&b':') => {}
                _ => {
                    let mut name = String::from_utf8_lossy(&k).into_owned();
                    name.make_ascii_lowercase();
                    head.headers.push((name, v));
                }
            }
        }
        head
    }

    /// The first value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_slice())
    }

    /// Every value of header `name` (lowercase), in order.
    pub fn header_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The path without the query string.
    pub fn path_only(&self) -> &[u8] {
        match self.path.iter().position(|&b| b == b'?') {
            Some(i) => self.path.get(..i).unwrap_or_default(),
            None => &self.path,
        }
    }

    /// The query string (without `?`), if any.
    pub fn query(&self) -> Option<&[u8]> {
        let i = self.path.iter().position(|&b| b == b'?')?;
        self.path.get(i + 1..)
    }

    /// `content-length` as a number, when present and valid.
    pub fn content_length(&self) -> Option<u64> {
        let v = self.header("content-length")?;
        let s = std::str::from_utf8(v).ok()?;
        s.trim().parse().ok()
    }

    /// The `content-type` header value.
    pub fn content_type(&self) -> Option<&[u8]> {
        self.header("content-type")
    }

    /// Total size of regular headers as on an HTTP/1.1 wire
    /// (`name: value\r\n`).
    pub fn header_bytes(&self) -> u64 {
        self.headers
            .iter()
            .map(|(k, v)| (k.len() + v.len() + 4) as u64)
            .sum()
    }

    /// `x-request-id`, when present and printable.
    pub fn request_id(&self) -> Option<&str> {
        let v = self.header("x-request-id")?;
        let s = std::str::from_utf8(v).ok()?;
        if s.is_empty() || s.len() > 128 || !s.bytes().all(|c| c.is_ascii_graphic()) {
            return None;
        }
        Some(s)
    }
}

/// Decodes the proxy-wasm header-map serialisation:
/// `u32 count`, then `count` × (`u32 name_len`, `u32 value_len`), then each
/// name and value followed by a NUL byte; all integers little-endian.
///
/// Returns `None` on any inconsistency instead of panicking (the SDK's own
/// decoder unwraps, and panics on non-UTF-8 values).
pub fn decode_header_map(bytes: &[u8]) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    if bytes.is_empty() {
        return Some(Vec::new());
    }
    let read_u32 = |at: usize| -> Option<usize> {
        let b = bytes.get(at..at.checked_add(4)?)?;
        let arr: [u8; 4] = b.try_into().ok()?;
        Some(u32::from_le_bytes(arr) as usize)
    };
    let count = read_u32(0)?;
    // Each pair needs at least 8 bytes of sizes and 2 NULs.
    if count > bytes.len() / 10 + 1 {
        return None;
    }
    let mut out = Vec::with_capacity(count);
    let mut p = 4usize.checked_add(count.checked_mul(8)?)?;
    for n in 0..count {
        let s = 4 + n * 8;
        let klen = read_u32(s)?;
        let vlen = read_u32(s + 4)?;
        let key = bytes.get(p..p.checked_add(klen)?)?.to_vec();
        p = p.checked_add(klen)?.checked_add(1)?;
        let value = bytes.get(p..p.checked_add(vlen)?)?.to_vec();
        p = p.checked_add(vlen)?.checked_add(1)?;
        out.push((key, value));
    }
    Some(out)
}

/// Error from [`parse_http1`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid HTTP request: {}", self.0)
    }
}

impl std::error::Error for ParseError {}

/// Parses a raw HTTP/1.1 request (request line, headers, body) as a file on
/// disk would hold it. Accepts `\n` or `\r\n` line ends. A chunked body is
/// de-chunked; otherwise the body is everything after the blank line (cut
/// to `content-length` when that is smaller).
pub fn parse_http1(raw: &[u8]) -> Result<(RequestHead, Vec<u8>), ParseError> {
    let (head_end, body_start) =
        find_head_end(raw).ok_or_else(|| ParseError("no blank line after the headers".into()))?;
    let head_bytes = raw.get(..head_end).unwrap_or_default();
    let mut lines = head_bytes
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let request_line = lines
        .next()
        .ok_or_else(|| ParseError("empty request".into()))?;
    let mut parts = request_line.split(|&b| b == b' ').filter(|p| !p.is_empty());
    let method = parts
        .next()
        .ok_or_else(|| ParseError("missing method".into()))?;
    let target = parts
        .next()
        .ok_or_else(|| ParseError("missing request target".into()))?;
    let mut head = RequestHead {
        method: String::from_utf8_lossy(method).into_owned(),
        path: target.to_vec(),
        authority: Vec::new(),
        headers: Vec::new(),
    };
    for line in lines {
        if line.is_empty() {
            continue;
        }
        let colon = line.iter().position(|&b| b == b':').ok_or_else(|| {
            ParseError(format!(
                "header line without ':': {}",
                String::from_utf8_lossy(line)
            ))
        })?;
        let name = String::from_utf8_lossy(line.get(..colon).unwrap_or_default())
            .trim()
            .to_ascii_lowercase();
        let value = trim_ows(line.get(colon + 1..).unwrap_or_default()).to_vec();
        if name == "host" {
            head.authority = value.clone();
        }
        head.headers.push((name, value));
    }
    let mut body = raw.get(body_start..).unwrap_or_default().to_vec();
    let chunked = head
        .header("transfer-encoding")
        .map(|v| {
            String::from_utf8_lossy(v)
                .to_ascii_lowercase()
                .contains("chunked")
        })
        .unwrap_or(false);
    if chunked {
        body = dechunk(&body).ok_or_else(|| ParseError("malformed chunked body".into()))?;
    } else if let Some(len) = head.content_length() {
        if (len as usize) < body.len() {
            body.truncate(len as usize);
        }
    }
    Ok((head, body))
}

fn find_head_end(raw: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i < raw.len() {
        if raw.get(i..i + 4) == Some(b"\r\n\r\n") {
            return Some((i, i + 4));
        }
        if raw.get(i..i + 2) == Some(b"\n\n") {
            return Some((i, i + 2));
        }
        i += 1;
    }
    // A request with headers only and no trailing blank line.
    if raw.ends_with(b"\n") || !raw.is_empty() {
        return Some((raw.len(), raw.len()));
    }
    None
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let nl = body.iter().position(|&b| b == b'\n')?;
        let line = body.get(..nl)?;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let size_hex = line.split(|&b| b == b';').next().unwrap_or_default();
        let size = usize::from_str_radix(std::str::from_utf8(size_hex).ok()?.trim(), 16).ok()?;
        body = body.get(nl + 1..)?;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size..)?;
        body = body
            .strip_prefix(b"\r\n")
            .or_else(|| body.strip_prefix(b"\n"))
            .unwrap_or(body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(pairs: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut out = (pairs.len() as u32).to_le_bytes().to_vec();
        for (k, v) in pairs {
            out.extend_from_slice(&(k.len() as u32).to_le_bytes());
            out.extend_from_slice(&(v.len() as u32).to_le_bytes());
        }
        for (k, v) in pairs {
            out.extend_from_slice(k);
            out.push(0);
            out.extend_from_slice(v);
            out.push(0);
        }
        out
    }

    #[test]
    fn header_map_round_trip_with_binary_values() {
        let pairs: &[(&[u8], &[u8])] = &[
            (b":method", b"GET"),
            (b":path", b"/a?b=c"),
            (b"user-agent", b"\xff\xfe not utf-8"),
        ];
        let decoded = decode_header_map(&encode(pairs)).unwrap();
        assert_eq!(decoded.len(), 3);
        assert_eq!(decoded[2].1, b"\xff\xfe not utf-8");
        let head = RequestHead::from_pairs(decoded);
        assert_eq!(head.method, "GET");
        assert_eq!(head.path_only(), b"/a");
        assert_eq!(head.query(), Some(&b"b=c"[..]));
        assert_eq!(head.headers.len(), 1);
    }

    #[test]
    fn header_map_rejects_garbage_without_panicking() {
        assert_eq!(decode_header_map(b""), Some(vec![]));
        assert_eq!(decode_header_map(b"\x01"), None);
        assert_eq!(decode_header_map(b"\xff\xff\xff\xff"), None);
        let mut ok = encode(&[(b"a", b"b")]);
        ok.truncate(ok.len() - 2);
        assert_eq!(decode_header_map(&ok), None);
        // Every prefix of a valid encoding is either valid or rejected.
        let full = encode(&[(b"k1", b"v1"), (b"key2", b"value2")]);
        for n in 0..full.len() {
            let _ = decode_header_map(&full[..n]);
        }
    }

    #[test]
    fn parses_raw_http1() {
        let raw = b"POST /login?next=/ HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2trailing";
        let (head, body) = parse_http1(raw).unwrap();
        assert_eq!(head.method, "POST");
        assert_eq!(head.path, b"/login?next=/");
        assert_eq!(head.authority, b"example.com");
        assert_eq!(head.content_length(), Some(7));
        assert_eq!(body, b"a=1&b=2");
    }

    #[test]
    fn parses_chunked_and_bare_newlines() {
        let raw = b"POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n3\nabc\n2\nde\n0\n\n";
        let (_, body) = parse_http1(raw).unwrap();
        assert_eq!(body, b"abcde");
        assert!(parse_http1(b"").is_err());
        assert!(parse_http1(b"GET\r\n\r\n").is_err());
    }
}
