//! Header maps fetched without the SDK's decoder.
//!
//! The SDK's `get_http_request_headers[_bytes]` unwraps `String::from_utf8`
//! on header names (and, for the `String` variant, on values). HTTP allows
//! obs-text in values, so a single non-UTF-8 byte would panic and abort the
//! VM. We call the same host function and decode with the engine's bounded,
//! non-panicking [`decode_header_map`].

use proxy_wasm::types::{MapType, Status};

use crate::engine::http::decode_header_map;

#[link(wasm_import_module = "env")]
extern "C" {
    fn proxy_get_header_map_pairs(
        map_type: MapType,
        return_map_data: *mut *mut u8,
        return_map_size: *mut usize,
    ) -> Status;
}

/// All pairs of a header map, or `None` if the host failed or sent an
/// undecodable map.
#[allow(unsafe_code)]
pub fn header_pairs(map: MapType) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut data: *mut u8 = std::ptr::null_mut();
    let mut size: usize = 0;
    // SAFETY: the host writes a pointer to a buffer it allocated through the
    // SDK's exported allocator (`proxy_on_memory_allocate`, a leaked
    // `Vec<u8>` of exactly `size` bytes) and its size; we take ownership of
    // it exactly once, as the SDK itself does.
    let status = unsafe { proxy_get_header_map_pairs(map, &mut data, &mut size) };
    if status != Status::Ok {
        return None;
    }
    if data.is_null() || size == 0 {
        return Some(Vec::new());
    }
    // SAFETY: see above; `data` is non-null and owns `size` bytes.
    let bytes = unsafe { Vec::from_raw_parts(data, size, size) };
    decode_header_map(&bytes)
}
