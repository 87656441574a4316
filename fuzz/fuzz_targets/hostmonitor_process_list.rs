//! masakari-monitors' `process_list.yaml`, as `masakari-hostmonitor check` reads it: any text is
//! read or refused, never a panic, never more memory than its size allows (aliases are refused,
//! nesting is bounded), and every name read is the last part of one written.
#![no_main]

use hostmonitor::daemon::process_list;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(listed) = process_list::parse(text) {
        for l in &listed {
            assert!(l.written.ends_with(&l.name) && !l.name.contains('/'));
        }
    }
});
