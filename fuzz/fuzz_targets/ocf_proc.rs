//! How the OCF agent recognises its daemon in /proc: `/proc/PID/stat` (whose command name, in
//! parentheses, the process chose itself) and `/proc/PID/cmdline` (NUL-separated words), the
//! binary being the input's first line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocf_agent::agent::proc::{is_alive, runs};

fuzz_target!(|data: &[u8]| {
    let _ = is_alive(data);
    let _ = runs(data, b"/usr/bin/masakari-hostmonitor");
    if let Some(newline) = data.iter().position(|b| *b == b'\n') {
        let (binary, cmdline) = data.split_at(newline);
        let _ = runs(cmdline.get(1..).unwrap_or_default(), binary);
    }
});
