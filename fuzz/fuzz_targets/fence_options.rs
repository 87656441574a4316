//! The option parsers: stdin `key=value` text (as Pacemaker sends it) and argv (NUL-separated),
//! each followed by validation into settings and the BMC client's configuration.
#![no_main]

use fence_agent::bmc::LanBmc;
use fence_agent::options::check::{Checked, Outcome};
use fence_agent::options::{argv, check, stdin};
use fence_agent::personality::from_argv0;
use libfuzzer_sys::fuzz_target;

fn use_settings(checked: Checked) {
    if let Outcome::Run(settings) = checked.outcome {
        let _ = settings.check_credentials();
        drop(LanBmc::new(&settings));
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let personality = from_argv0("fence_ipmilan_rs");
    use_settings(check::check(stdin::parse(&text), personality, Some("pacemaker-fenced")));
    let args: Vec<String> = text.split('\0').map(str::to_owned).collect();
    if let Ok(raw) = argv::parse(&args) {
        use_settings(check::check(raw, personality, None));
    }
});
