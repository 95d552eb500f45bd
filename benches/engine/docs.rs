//! Generated request bodies of a chosen size: a JSON API payload, a SOAP
//! document and a multipart upload, realistic enough for the parsers.

/// The multipart boundary of [`multipart_doc`] (without the leading `--`).
pub const BOUNDARY: &[u8] = b"----WebKitFormBoundary7MA4YWxkTrZu0gW";

/// A JSON API payload of about `target` bytes: objects with strings,
/// numbers, booleans, arrays and escapes.
pub fn json_doc(target: usize) -> Vec<u8> {
    let mut s = String::from("{\"items\": [");
    let mut i = 0;
    while s.len() < target {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "{{\"id\": {i}, \"name\": \"Customer number {i}\", \"email\": \"user{i}@example.com\", \
\"active\": true, \"score\": 12.5, \"tags\": [\"alpha\", \"beta\"], \
\"address\": {{\"street\": \"{i} Main St\", \"city\": \"Springfield\", \"zip\": \"1234{}\"}}, \
\"note\": \"He said \\\"hi\\\" \\u00e9\\n and left\"}}",
            i % 10
        ));
        i += 1;
    }
    s.push_str("]}");
    s.into_bytes()
}

/// A SOAP envelope of about `target` bytes: elements, attributes and
/// entities.
pub fn xml_doc(target: usize) -> Vec<u8> {
    let mut s = String::from(
        "<?xml version=\"1.0\"?><soap:Envelope xmlns:soap=\"urn:s\"><soap:Body><Orders>",
    );
    let mut i = 0;
    while s.len() < target {
        s.push_str(&format!(
            "<Order id=\"{i}\" status=\"open\"><Customer>Customer &amp; Sons {i}</Customer>\
<Item sku=\"A-{i}\">Widget with a fairly long description number {i}</Item><Qty>3</Qty></Order>"
        ));
        i += 1;
    }
    s.push_str("</Orders></soap:Body></soap:Envelope>");
    s.into_bytes()
}

/// A multipart body with `fields` small text fields and a pseudo-random
/// binary file of `file` bytes.
pub fn multipart_doc(file: usize, fields: usize) -> Vec<u8> {
    let mut b = Vec::new();
    for i in 0..fields {
        b.extend_from_slice(
            format!(
                "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; \
name=\"field{i}\"\r\n\r\nvalue number {i} with some text\r\n"
            )
            .as_bytes(),
        );
    }
    b.extend_from_slice(b"------WebKitFormBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"f\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n");
    let mut x = 0x1234_5678u32;
    for _ in 0..file {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b.push(x as u8);
    }
    b.extend_from_slice(b"\r\n------WebKitFormBoundary7MA4YWxkTrZu0gW--\r\n");
    b
}
