//! What `monitor` concludes from the instance monitor's `status` answer at a given
//! `OCF_CHECK_LEVEL`:
//!
//! | level | checks | failure |
//! |---|---|---|
//! | 0 | the daemon answers `status` on its control socket | `OCF_ERR_GENERIC` |
//! | 10 | and it is connected to libvirt | `OCF_ERR_GENERIC` |
//! | 20 | and its last contact with the Masakari API worked | per `api_check` (default `OCF_DEGRADED`) |
//!
//! A daemon that has not yet tried libvirt (not connected, no error yet) passes level 10, as one
//! that has not yet tried the API passes level 20: the first monitor right after `start` must not
//! fail a daemon that is still connecting. Pure: the answer is already read as the control
//! protocol's [`StatusAnswer`], so every answer gets a verdict, never a panic.

use instancemonitor::control::StatusAnswer;

use crate::ocf::Failure;
use crate::service::verdict::judge_api;
use crate::service::{ApiCheck, Verdict};

/// `OCF_CHECK_LEVEL` from which monitor judges the daemon's link to libvirt.
pub const LEVEL_LIBVIRT: u32 = 10;

/// Judges the daemon's own view of its health (its `status` answer) at `level`.
pub fn judge(answer: &StatusAnswer, level: u32, api_check: ApiCheck) -> Result<Verdict, Failure> {
    let lv = &answer.libvirt;
    if level >= LEVEL_LIBVIRT
        && !lv.connected
        && let Some(error) = &lv.last_error
    {
        return Err(Failure::generic(format!(
            "masakari-instancemonitor is not connected to libvirt ({}): {error}",
            lv.uri
        )));
    }
    let api = &answer.api;
    judge_api(
        "masakari-instancemonitor",
        api.last_ok,
        api.last_error.as_deref(),
        level,
        api_check,
    )
}

#[cfg(test)]
mod tests {
    use instancemonitor::control::parse_answer;

    use super::*;
    use crate::ocf::OcfStatus;

    /// The answers of a running daemon, as the fuzz target's seeds keep them.
    fn answer(name: &str) -> StatusAnswer {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/seeds/ocf_status");
        let bytes = std::fs::read(format!("{dir}/instance-{name}.json")).unwrap();
        parse_answer(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn status_judgement() {
        let good = answer("healthy");
        let fresh = answer("fresh");
        let no_libvirt = answer("libvirt-down");
        let api_down = answer("api-down");
        assert_eq!(judge(&good, 20, ApiCheck::Fail), Ok(Verdict::Running));
        assert_eq!(judge(&fresh, 20, ApiCheck::Fail), Ok(Verdict::Running));
        assert_eq!(judge(&no_libvirt, 0, ApiCheck::Fail), Ok(Verdict::Running));
        let f = judge(&no_libvirt, 10, ApiCheck::Ignore).unwrap_err();
        assert_eq!(f.status, OcfStatus::ErrGeneric);
        assert!(
            f.reason.starts_with(
                "masakari-instancemonitor is not connected to libvirt (qemu:///system): "
            ),
            "{f}"
        );
        assert_eq!(judge(&api_down, 10, ApiCheck::Fail), Ok(Verdict::Running));
        assert!(matches!(
            judge(&api_down, 20, ApiCheck::Degraded),
            Ok(Verdict::Degraded(why)) if why.starts_with("masakari-instancemonitor's last contact")
        ));
        assert_eq!(
            judge(&api_down, 20, ApiCheck::Fail).unwrap_err().status,
            OcfStatus::ErrGeneric
        );
    }
}
