//! The daemons' answers to `status` on their control sockets, as the OCF agents' monitors read
//! them (the control protocols' `StatusAnswer`s: the host monitor's and the instance monitor's,
//! each tried on every input) and judge them at every OCF_CHECK_LEVEL and api_check policy:
//! always a verdict or a failure, and a one-line exit reason.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocf_agent::agents::{hostmonitor, instancemonitor};
use ocf_agent::ocf::Failure;
use ocf_agent::service::{ApiCheck, Verdict};

fn one_line(failure: &Failure) {
    assert!(!failure.exit_reason_line().contains(['\n', '\r']));
}

/// Every level and policy of `judge` on an answer that read, or the reason it did not.
fn judged<A, E: std::fmt::Display>(
    read: Result<A, E>,
    judge: impl Fn(&A, u32, ApiCheck) -> Result<Verdict, Failure>,
) {
    let answer = match read {
        Ok(answer) => answer,
        Err(error) => return one_line(&Failure::generic(error.to_string())),
    };
    for level in [0, 10, 20] {
        for policy in [ApiCheck::Degraded, ApiCheck::Fail, ApiCheck::Ignore] {
            if let Err(failure) = judge(&answer, level, policy) {
                one_line(&failure);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    judged(
        ::hostmonitor::control::parse_answer(data),
        hostmonitor::verdict::judge,
    );
    judged(
        ::instancemonitor::control::parse_answer(data),
        instancemonitor::verdict::judge,
    );
});
