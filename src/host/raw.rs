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

/// Proxy-wasm shared data (one store per Envoy process and `vm_id`, shared
/// by every worker's VM) behind the engine's [`SharedStore`], through the
/// raw host calls: the SDK wrappers panic on statuses they do not expect.
pub struct HostStore;

#[link(wasm_import_module = "env")]
extern "C" {
    fn proxy_get_shared_data(
        key_data: *const u8,
        key_size: usize,
        return_value_data: *mut *mut u8,
        return_value_size: *mut usize,
        return_cas: *mut u32,
    ) -> Status;
    fn proxy_set_shared_data(
        key_data: *const u8,
        key_size: usize,
        value_data: *const u8,
        value_size: usize,
        cas: u32,
    ) -> Status;
}

impl crate::engine::host::SharedStore for HostStore {
    #[allow(unsafe_code)]
    fn get(&self, key: &str) -> Option<(Vec<u8>, u32)> {
        let mut data: *mut u8 = std::ptr::null_mut();
        let mut size: usize = 0;
        let mut cas: u32 = 0;
        // SAFETY: as for header maps, the host hands over a buffer it
        // allocated through the SDK's exported allocator, which we own.
        let status = unsafe {
            proxy_get_shared_data(key.as_ptr(), key.len(), &mut data, &mut size, &mut cas)
        };
        if status != Status::Ok {
            return None;
        }
        if data.is_null() || size == 0 {
            // An empty value still has a CAS token (the limiter never
            // writes empty values, but do not lose the token if one exists).
            return Some((Vec::new(), cas));
        }
        // SAFETY: non-null, `size` bytes owned by us.
        let value = unsafe { Vec::from_raw_parts(data, size, size) };
        Some((value, cas))
    }

    #[allow(unsafe_code)]
    fn set(
        &self,
        key: &str,
        value: &[u8],
        cas: Option<u32>,
    ) -> Result<(), crate::engine::host::StoreError> {
        // SAFETY: plain pointer/length pairs into live slices.
        let status = unsafe {
            proxy_set_shared_data(
                key.as_ptr(),
                key.len(),
                value.as_ptr(),
                value.len(),
                cas.unwrap_or(0),
            )
        };
        match status {
            Status::Ok => Ok(()),
            Status::CasMismatch => Err(crate::engine::host::StoreError::CasMismatch),
            _ => Err(crate::engine::host::StoreError::Failed),
        }
    }
}
