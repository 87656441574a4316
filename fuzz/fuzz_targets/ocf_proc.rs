//! How the OCF agent recognises its daemon in /proc: `/proc/PID/cmdline` (NUL-separated words the
//! process may have rewritten), the binary being the input's first line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocf_agent::service::proc::runs;

fuzz_target!(|data: &[u8]| {
    let _ = runs(data, b"/usr/bin/masakari-hostmonitor");
    if let Some(newline) = data.iter().position(|b| *b == b'\n') {
        let (binary, cmdline) = data.split_at(newline);
        let _ = runs(cmdline.get(1..).unwrap_or_default(), binary);
    }
});
