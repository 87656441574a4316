//! The option parsers: stdin `key=value` text (as Pacemaker sends it) and argv (NUL-separated),
//! each followed by validation into settings and the BMC client's configuration, for both
//! agent families (fence_ipmilan's and fence_redfish's tables).
#![no_main]

use fence_agent::bmc::LanBmc;
use fence_agent::options::check::{Checked, Outcome, check_with};
use fence_agent::options::table::{OPTIONS, REDFISH};
use fence_agent::options::{argv, check, stdin};
use fence_agent::personality::{FENCE_IPMILAN, FENCE_REDFISH};
use fence_agent::redfish::settings::build;
use libfuzzer_sys::fuzz_target;

fn use_settings(checked: Checked) {
    if let Outcome::Run(settings) = checked.outcome {
        let _ = settings.check_credentials();
        drop(LanBmc::new(&settings));
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let ipmi = &FENCE_IPMILAN;
    use_settings(check::check(stdin::parse(&text, OPTIONS), ipmi, Some("pacemaker-fenced")));
    let args: Vec<String> = text.split('\0').map(str::to_owned).collect();
    if let Ok(raw) = argv::parse(&args, OPTIONS) {
        use_settings(check::check(raw, ipmi, None));
    }
    let redfish = check_with(stdin::parse(&text, REDFISH), &FENCE_REDFISH, None, build);
    if let Outcome::Run(settings) = redfish.outcome {
        let _ = settings.base_url();
    }
    if let Ok(raw) = argv::parse(&args, REDFISH) {
        drop(check_with(raw, &FENCE_REDFISH, None, build));
    }
});
