//! The daemon's answer to `status` on its control socket, as the OCF agent's monitor reads it (the
//! control protocol's `StatusAnswer`) and judges it at every OCF_CHECK_LEVEL and api_check policy:
//! always a verdict or a failure, and a one-line exit reason.
#![no_main]

use hostmonitor::control::{StatusAnswer, parse_answer};
use libfuzzer_sys::fuzz_target;
use ocf_agent::agent::instance::ApiCheck;
use ocf_agent::agent::verdict::judge;
use ocf_agent::ocf::Failure;

fuzz_target!(|data: &[u8]| {
    let answer = match parse_answer::<StatusAnswer>(data) {
        Ok(answer) => answer,
        Err(error) => {
            let failure = Failure::generic(error.to_string());
            assert!(!failure.exit_reason_line().contains(['\n', '\r']));
            return;
        }
    };
    for level in [0, 10, 20] {
        for policy in [ApiCheck::Degraded, ApiCheck::Fail, ApiCheck::Ignore] {
            if let Err(failure) = judge(&answer, level, policy) {
                assert!(!failure.exit_reason_line().contains(['\n', '\r']));
            }
        }
    }
});
