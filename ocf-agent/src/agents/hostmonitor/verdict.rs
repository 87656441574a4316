//! What `monitor` concludes from the host monitor's `status` answer at a given `OCF_CHECK_LEVEL`:
//!
//! | level | checks | failure |
//! |---|---|---|
//! | 0 | the daemon answers `status` on its control socket | `OCF_ERR_GENERIC` |
//! | 10 | and its last read of the cluster state (crm_mon) worked | `OCF_ERR_GENERIC` |
//! | 20 | and its last contact with the Masakari API worked | per `api_check` (default `OCF_DEGRADED`) |
//!
//! Pure: the answer comes from the daemon already read as the control protocol's
//! [`StatusAnswer`] (an answer that does not read is a failure before this), so every answer gets
//! a verdict, never a panic.

use hostmonitor::control::StatusAnswer;

use crate::ocf::Failure;
use crate::service::verdict::judge_api;
use crate::service::{ApiCheck, Verdict};

/// `OCF_CHECK_LEVEL` from which monitor judges the daemon's view of the cluster state.
pub const LEVEL_CIB: u32 = 10;

/// Judges the daemon's own view of its health (its `status` answer) at `level`: before its
/// first reconcile or API contact the daemon reports neither success nor failure, which passes.
pub fn judge(answer: &StatusAnswer, level: u32, api_check: ApiCheck) -> Result<Verdict, Failure> {
    let h = &answer.health;
    if level >= LEVEL_CIB && h.cib_ok == Some(false) {
        return Err(Failure::generic(format!(
            "masakari-hostmonitor cannot read the cluster state on this node: {}",
            h.cib_error.as_deref().unwrap_or("")
        )));
    }
    judge_api(
        "masakari-hostmonitor",
        h.api_ok,
        h.api_error.as_deref(),
        level,
        api_check,
    )
}

#[cfg(test)]
mod tests {
    use hostmonitor::control::{AnswerError, parse_answer};

    use super::*;
    use crate::ocf::OcfStatus;

    /// The answers of a running daemon, as the fuzz target's seeds keep them.
    fn seed(name: &str) -> Vec<u8> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/seeds/ocf_status");
        std::fs::read(format!("{dir}/{name}.json")).unwrap()
    }

    fn answer(name: &str) -> StatusAnswer {
        parse_answer(&seed(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn status_judgement() {
        let good = answer("healthy");
        let api_down = answer("api-down");
        let fresh = answer("fresh");
        let no_cib = answer("daemon-no-cluster");
        let failed = |v: Result<Verdict, Failure>| v.unwrap_err().status;
        assert_eq!(judge(&good, 20, ApiCheck::Fail), Ok(Verdict::Running));
        assert_eq!(judge(&fresh, 20, ApiCheck::Fail), Ok(Verdict::Running));
        assert_eq!(judge(&api_down, 10, ApiCheck::Fail), Ok(Verdict::Running));
        let degraded = judge(&api_down, 20, ApiCheck::Degraded).unwrap();
        assert!(
            matches!(degraded, Verdict::Degraded(why) if why.ends_with("failed: POST http://masakari:15868/v1/notifications: connection refused"))
        );
        assert_eq!(judge(&api_down, 20, ApiCheck::Ignore), Ok(Verdict::Running));
        assert_eq!(
            failed(judge(&api_down, 20, ApiCheck::Fail)),
            OcfStatus::ErrGeneric
        );
        assert_eq!(judge(&no_cib, 0, ApiCheck::Ignore), Ok(Verdict::Running));
        let f = judge(&no_cib, 10, ApiCheck::Ignore).unwrap_err();
        assert!(
            f.reason.contains("crm_mon failed (exit status: 102)"),
            "{f}"
        );
    }

    #[test]
    fn a_newer_daemons_answer_is_judged() {
        let newer = answer("newer-daemon");
        assert!(newer.health.corosync.is_some());
        assert_eq!(judge(&newer, 20, ApiCheck::Fail), Ok(Verdict::Running));
    }

    #[test]
    fn refusals_and_odd_answers_do_not_read() {
        for name in ["engine-stopped", "unknown-request"] {
            let read = parse_answer::<StatusAnswer>(&seed(name));
            assert!(
                matches!(read, Err(AnswerError::Refused(_))),
                "{name}: {read:?}"
            );
        }
        for name in ["multiline-error", "wrong-type"] {
            let read = parse_answer::<StatusAnswer>(&seed(name));
            assert!(
                matches!(read, Err(AnswerError::Malformed(_))),
                "{name}: {read:?}"
            );
        }
        for odd in [&b"null"[..], b"[1,2]", b"\"text\"", b"{\"cib_ok\": \"no\"}"] {
            let read = parse_answer::<StatusAnswer>(odd);
            assert!(matches!(read, Err(AnswerError::Malformed(_))), "{read:?}");
        }
    }
}
