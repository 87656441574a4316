//! The daemon's control socket: a request line any member of haclient may write (`status`,
//! `release`, `dismiss HOST [EPISODE]`, `dismiss-process HOST PROCESS [EPISODE]`). A request read is one the client side writes back the same.
#![no_main]

use hostmonitor::control::Request;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(request) = line.parse::<Request>() {
        let written = request.to_string();
        assert!(!written.contains(['\n', '\r']));
        assert_eq!(written.parse::<Request>().ok(), Some(request));
    }
});
