//! What the CIB manager's IPC server sends back: any bytes as a framed message, and any text as
//! the replies to the sign-on and the version query.
#![no_main]

use hostmonitor::pacemaker_ipc::{cib_messages, header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(frame) = header::decode(data) {
        let _ = cib_messages::client_id(frame.text);
        let _ = cib_messages::version(frame.text, 1);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cib_messages::client_id(text);
        let _ = cib_messages::version(text, 1);
    }
});
