//! The instance monitor's configuration file, in both formats it is read in (ours, and a
//! compute's masakarimonitors.conf): any text an operator (or a broken deploy tool) might write.
#![no_main]

use instancemonitor::settings::Settings;
use libfuzzer_sys::fuzz_target;
use masakari_client::settings::Format;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Settings::parse_as(Format::Toml, text, &[]);
        let _ = Settings::parse_as(Format::MasakariMonitors, text, &[]);
    }
});
