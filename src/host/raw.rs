//! Host calls made without the SDK's wrappers, which panic on what they do
//! not expect: header maps (the SDK unwraps `String::from_utf8` on names,
//! and HTTP allows obs-text, so one non-UTF-8 byte would abort the VM) and
//! shared data (statuses the wrappers do not know).

use proxy_wasm::types::{MapType, Status};

use crate::engine::host::{SharedStore, StoreError};
use crate::engine::http::decode_header_map;

#[link(wasm_import_module = "env")]
extern "C" {
    fn proxy_get_header_map_pairs(map: MapType, data: *mut *mut u8, size: *mut usize) -> Status;
    fn proxy_get_shared_data(
        key: *const u8,
        key_size: usize,
        data: *mut *mut u8,
        size: *mut usize,
        cas: *mut u32,
    ) -> Status;
    fn proxy_set_shared_data(
        key: *const u8,
        key_size: usize,
        value: *const u8,
        value_size: usize,
        cas: u32,
    ) -> Status;
}

/// Takes ownership of a buffer a host call returned. Safety: `data` is null
/// or points to `size` bytes the host allocated through the SDK's exported
/// allocator (a leaked `Vec<u8>` of exactly `size` bytes), handed over once.
#[allow(unsafe_code)]
unsafe fn owned(data: *mut u8, size: usize) -> Vec<u8> {
    if data.is_null() || size == 0 {
        return Vec::new();
    }
    // SAFETY: see above.
    unsafe { Vec::from_raw_parts(data, size, size) }
}

/// All pairs of a header map, decoded by the engine's bounded,
/// non-panicking [`decode_header_map`]; `None` if the host failed or sent
/// an undecodable map.
#[allow(unsafe_code)]
pub fn header_pairs(map: MapType) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    let (mut data, mut size) = (std::ptr::null_mut(), 0);
    // SAFETY: out-pointers to live locals; the buffer is taken once.
    let status = unsafe { proxy_get_header_map_pairs(map, &mut data, &mut size) };
    let bytes = (status == Status::Ok).then(|| unsafe { owned(data, size) })?;
    decode_header_map(&bytes)
}

/// Proxy-wasm shared data (one store per Envoy process and `vm_id`, shared
/// by every worker's VM) behind the engine's [`SharedStore`].
pub struct HostStore;

impl SharedStore for HostStore {
    #[allow(unsafe_code)]
    fn get(&self, key: &str) -> Option<(Vec<u8>, u32)> {
        let (mut data, mut size, mut cas) = (std::ptr::null_mut(), 0, 0);
        let (k, n) = (key.as_ptr(), key.len());
        // SAFETY: a live slice and out-pointers to live locals; the buffer
        // is taken once. An empty value keeps its CAS token.
        let status = unsafe { proxy_get_shared_data(k, n, &mut data, &mut size, &mut cas) };
        (status == Status::Ok).then(|| (unsafe { owned(data, size) }, cas))
    }
    #[allow(unsafe_code)]
    fn set(&self, key: &str, value: &[u8], cas: Option<u32>) -> Result<(), StoreError> {
        let (k, n, v, m) = (key.as_ptr(), key.len(), value.as_ptr(), value.len());
        // SAFETY: plain pointer/length pairs into live slices.
        match unsafe { proxy_set_shared_data(k, n, v, m, cas.unwrap_or(0)) } {
            Status::Ok => Ok(()),
            Status::CasMismatch => Err(StoreError::CasMismatch),
            _ => Err(StoreError::Failed),
        }
    }
}
