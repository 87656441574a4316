//! What `monitor` concludes from the daemon's `status` answer at a given `OCF_CHECK_LEVEL`.
//! Pure: the answer comes from the daemon, so anything it holds must give a verdict, never a panic.

use serde_json::Value;

use super::instance::ApiCheck;
use crate::ocf::Failure;

/// `OCF_CHECK_LEVEL` from which monitor judges the daemon's view of the cluster state.
pub const LEVEL_CIB: u32 = 10;
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

/// Judges the daemon's own view of its health (its `status` answer) at `level`: before its
/// first reconcile or API contact the daemon reports `null`, which passes.
pub fn judge(answer: &Value, level: u32, api_check: ApiCheck) -> Result<Verdict, Failure> {
    let flag = |key: &str| answer.get(key).and_then(Value::as_bool);
    let text = |key: &str| answer.get(key).and_then(Value::as_str).unwrap_or("");
    if let Some(error) = answer.get("error") {
        return Err(Failure::generic(format!(
            "masakari-hostmonitor status: {error}"
        )));
    }
    if level >= LEVEL_CIB && flag("cib_ok") == Some(false) {
        return Err(Failure::generic(format!(
            "masakari-hostmonitor cannot read the cluster state on this node: {}",
            text("cib_error")
        )));
    }
    if level < LEVEL_API || flag("api_ok") != Some(false) {
        return Ok(Verdict::Running);
    }
    let why = format!(
        "masakari-hostmonitor's last contact with the Masakari API failed: {}",
        text("api_error")
    );
    match api_check {
        ApiCheck::Ignore => Ok(Verdict::Running),
        ApiCheck::Degraded => Ok(Verdict::Degraded(why)),
        ApiCheck::Fail => Err(Failure::generic(why)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ocf::OcfStatus;

    #[test]
    fn status_judgement() {
        let good = json!({"cib_ok": true, "api_ok": true, "quorate": true});
        let api_down = json!({"cib_ok": true, "api_ok": false, "api_error": "refused"});
        let fresh = json!({"cib_ok": null, "api_ok": null, "quorate": null});
        let no_cib =
            json!({"cib_ok": false, "cib_error": "crm_mon: not connected", "api_ok": true});
        let engine_gone = json!({"error": "the engine has stopped"});
        let failed = |v: Result<Verdict, Failure>| v.unwrap_err().status;
        assert_eq!(judge(&good, 20, ApiCheck::Fail), Ok(Verdict::Running));
        assert_eq!(judge(&fresh, 20, ApiCheck::Fail), Ok(Verdict::Running));
        assert_eq!(judge(&api_down, 10, ApiCheck::Fail), Ok(Verdict::Running));
        let degraded = judge(&api_down, 20, ApiCheck::Degraded).unwrap();
        assert!(matches!(degraded, Verdict::Degraded(why) if why.ends_with("failed: refused")));
        assert_eq!(judge(&api_down, 20, ApiCheck::Ignore), Ok(Verdict::Running));
        assert_eq!(
            failed(judge(&api_down, 20, ApiCheck::Fail)),
            OcfStatus::ErrGeneric
        );
        assert_eq!(judge(&no_cib, 0, ApiCheck::Ignore), Ok(Verdict::Running));
        let f = judge(&no_cib, 10, ApiCheck::Ignore).unwrap_err();
        assert!(f.reason.contains("crm_mon: not connected"), "{f}");
        assert_eq!(
            failed(judge(&engine_gone, 0, ApiCheck::Ignore)),
            OcfStatus::ErrGeneric
        );
    }

    #[test]
    fn odd_answers_still_get_a_verdict() {
        for odd in [
            json!(null),
            json!([1, 2]),
            json!("text"),
            json!({"cib_ok": "no"}),
        ] {
            assert_eq!(
                judge(&odd, 20, ApiCheck::Fail),
                Ok(Verdict::Running),
                "{odd}"
            );
        }
    }
}
