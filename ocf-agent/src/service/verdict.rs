//! What `monitor` concludes from a daemon's own view of its health, and the one judgement every
//! agent makes the same way: the Masakari API contact at `OCF_CHECK_LEVEL` 20, per `api_check`.

use super::instance::ApiCheck;
use crate::ocf::Failure;

/// `OCF_CHECK_LEVEL` from which monitor also judges the Masakari API contact.
pub const LEVEL_API: u32 = 20;

/// A monitor's conclusion when the daemon is not failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It works as deep as the level asked.
    Running,
    /// It runs, but the Masakari API was unreachable (`OCF_DEGRADED`): why, for the log.
    Degraded(String),
}

/// The daemon's last contact with the Masakari API as it reports it (`last_ok` is `None` before
/// the first contact, which passes), judged at `level` under `policy`. `program` names the
/// daemon in the reason.
pub fn judge_api(
    program: &str,
    last_ok: Option<bool>,
    last_error: Option<&str>,
    level: u32,
    policy: ApiCheck,
) -> Result<Verdict, Failure> {
    if level < LEVEL_API || last_ok != Some(false) {
        return Ok(Verdict::Running);
    }
    let why = format!(
        "{program}'s last contact with the Masakari API failed: {}",
        last_error.unwrap_or("")
    );
    match policy {
        ApiCheck::Ignore => Ok(Verdict::Running),
        ApiCheck::Degraded => Ok(Verdict::Degraded(why)),
        ApiCheck::Fail => Err(Failure::generic(why)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocf::OcfStatus;

    #[test]
    fn api_contact_per_level_and_policy() {
        let judge = |ok, level, policy| judge_api("d", ok, Some("refused"), level, policy);
        assert_eq!(judge(Some(false), 10, ApiCheck::Fail), Ok(Verdict::Running));
        assert_eq!(judge(None, 20, ApiCheck::Fail), Ok(Verdict::Running));
        assert_eq!(judge(Some(true), 20, ApiCheck::Fail), Ok(Verdict::Running));
        assert_eq!(
            judge(Some(false), 20, ApiCheck::Degraded),
            Ok(Verdict::Degraded(
                "d's last contact with the Masakari API failed: refused".into()
            ))
        );
        assert_eq!(
            judge(Some(false), 20, ApiCheck::Ignore),
            Ok(Verdict::Running)
        );
        let f = judge(Some(false), 20, ApiCheck::Fail).unwrap_err();
        assert_eq!(f.status, OcfStatus::ErrGeneric);
    }
}
