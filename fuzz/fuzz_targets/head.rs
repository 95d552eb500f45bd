#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| envoy_rasp_fuzz::targets::head(data));
