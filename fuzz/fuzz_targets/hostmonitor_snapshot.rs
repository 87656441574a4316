//! crm_mon output as the reconcile reads it, into the engine's snapshot (fence times included).
#![no_main]

use hostmonitor::daemon::snapshot::from_crm_mon;
use hostmonitor::engine::Timestamp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = from_crm_mon(text, "ctl1", Timestamp::from_unix(1_700_000_000, 0));
    }
});
