//! The daemon's alert socket: any bytes a local sender writes, decoded and turned into an event.
#![no_main]

use hostmonitor::alert::Alert;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(alert) = Alert::decode(data) {
        let _ = alert.event();
    }
});
