//! The OCF agent's PID file (in HA_RSCTMP, which anyone with root may have edited or cut short):
//! what parses must write back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocf_agent::service::PidFile;

fuzz_target!(|data: &[u8]| {
    let Some(pid_file) = PidFile::parse(data) else {
        return;
    };
    assert!(pid_file.pid > 0);
    let socket = pid_file.control_socket.as_os_str().as_encoded_bytes();
    if !socket.ends_with(b"\r") {
        assert_eq!(
            PidFile::parse(pid_file.contents().as_bytes()),
            Some(pid_file)
        );
    }
});
