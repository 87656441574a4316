//! crm_mon output as the reconcile reads it, into the engine's snapshot (fence times included), and
//! the remote nodes' `node_state` answer (cibadmin) that corrects it.
#![no_main]

use hostmonitor::snapshot::from_crm_mon;
use hostmonitor::engine::Timestamp;
use libfuzzer_sys::fuzz_target;

/// A real reading with remotes, for the node-state answer to correct.
const CRM_MON: &str =
    include_str!("../../hostmonitor/tests/data/crm-mon-remote-connection-pending.xml");

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let at = Timestamp::from_unix(1_700_000_000, 0);
        let _ = from_crm_mon(text, "", "ctl1", at);
        let _ = from_crm_mon(CRM_MON, text, "ctl1", at);
    }
});
