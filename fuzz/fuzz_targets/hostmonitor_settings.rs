//! The configuration file: any text an operator (or a broken deploy tool) might write.
#![no_main]

use hostmonitor::settings::Settings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Settings::parse(text, &[]);
    }
});
