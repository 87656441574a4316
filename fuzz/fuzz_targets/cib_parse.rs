//! Fuzz target: CIB XML parsing and every question asked of the model (node states with
//! and without failure expiry, fence devices, topology patterns), and the fence agent's
//! reading of each device's parameters.
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
            if let Some(agent) = fence_agent::device::Agent::from_type(device.agent()) {
                let params = device.params().iter();
                let _ = fence_agent::device::Device::from_params(agent, params, device.port.as_deref());
            }
        }
    }
});
