//! The option parsers: stdin `key=value` text (as Pacemaker sends it) and argv (NUL-separated),
//! each followed by validation into settings.
#![no_main]

use fence_agent::options::{argv, check, stdin};
use fence_agent::personality::from_argv0;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let personality = from_argv0("fence_ipmilan_rs");
    let _ = check::check(stdin::parse(&text), personality, Some("pacemaker-fenced"));
    let args: Vec<String> = text.split('\0').map(str::to_owned).collect();
    if let Ok(raw) = argv::parse(&args) {
        let _ = check::check(raw, personality, None);
    }
});
