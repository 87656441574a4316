//! Fuzz target: `crm_mon --output-as=xml` / `stonith_admin --history` parsing.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cib::CrmMon::parse(text);
    }
});
