//! Fuzz target: CIB XML parsing and every question asked of the model (node states with
//! and without failure expiry, fence devices and their IPMI parameters, topology patterns).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(cib) = cib::Cib::parse(text) else {
        return;
    };
    let _ = cib.node_statuses_at(u64::MAX);
    let _ = cib.node_statuses_at(1_800_000_000);
    for node in cib.node_statuses() {
        for device in cib.fence_devices_for(&node.name) {
            let _ = device.ipmi();
        }
    }
});
