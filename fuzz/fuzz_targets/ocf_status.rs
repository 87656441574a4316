//! The daemon's answer to `status` on its control socket, as the OCF agent's monitor judges it at
//! every OCF_CHECK_LEVEL and api_check policy: always a verdict, and a one-line exit reason.
#![no_main]

use libfuzzer_sys::fuzz_target;
use hostmonitor::control_client::parse_answer;
use ocf_agent::agent::instance::ApiCheck;
use ocf_agent::agent::verdict::judge;

fuzz_target!(|data: &[u8]| {
    let Ok(answer) = parse_answer(data) else {
        return;
    };
    for level in [0, 10, 20] {
        for policy in [ApiCheck::Degraded, ApiCheck::Fail, ApiCheck::Ignore] {
            if let Err(failure) = judge(&answer, level, policy) {
                assert!(!failure.exit_reason_line().contains(['\n', '\r']));
            }
        }
    }
});
