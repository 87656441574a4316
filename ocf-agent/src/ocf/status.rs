//! OCF exit codes (Resource Agent API 1.1, "Return codes") and the failure type actions return.

use std::fmt;

/// An OCF return code. The one place where numbers and meanings meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OcfStatus {
    /// 0: the action succeeded (monitor: the resource runs).
    Success,
    /// 1: a generic error; the cluster recovers the resource (restart or move).
    ErrGeneric,
    /// 2: the agent was called with wrong arguments (local: bans this node).
    ErrArgs,
    /// 3: the action is not implemented.
    ErrUnimplemented,
    /// 4: insufficient privileges (local).
    ErrPerm,
    /// 5: something the agent needs is missing on this node (local).
    ErrInstalled,
    /// 6: the configuration is wrong everywhere (fatal: the resource stops cluster-wide).
    ErrConfigured,
    /// 7: the resource is cleanly stopped (monitor only).
    NotRunning,
    /// 8: the resource runs in the promoted role (monitor of a promotable clone).
    RunningPromoted,
    /// 9: the resource failed in the promoted role.
    FailedPromoted,
    /// 190: the resource runs but works only partly (a warning, not a failure).
    Degraded,
    /// 191: promoted and degraded.
    DegradedPromoted,
}

impl OcfStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::ErrGeneric => 1,
            Self::ErrArgs => 2,
            Self::ErrUnimplemented => 3,
            Self::ErrPerm => 4,
            Self::ErrInstalled => 5,
            Self::ErrConfigured => 6,
            Self::NotRunning => 7,
            Self::RunningPromoted => 8,
            Self::FailedPromoted => 9,
            Self::Degraded => 190,
            Self::DegradedPromoted => 191,
        }
    }

    /// The name shell agents use for it (`OCF_SUCCESS`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Success => "OCF_SUCCESS",
            Self::ErrGeneric => "OCF_ERR_GENERIC",
            Self::ErrArgs => "OCF_ERR_ARGS",
            Self::ErrUnimplemented => "OCF_ERR_UNIMPLEMENTED",
            Self::ErrPerm => "OCF_ERR_PERM",
            Self::ErrInstalled => "OCF_ERR_INSTALLED",
            Self::ErrConfigured => "OCF_ERR_CONFIGURED",
            Self::NotRunning => "OCF_NOT_RUNNING",
            Self::RunningPromoted => "OCF_RUNNING_PROMOTED",
            Self::FailedPromoted => "OCF_FAILED_PROMOTED",
            Self::Degraded => "OCF_DEGRADED",
            Self::DegradedPromoted => "OCF_DEGRADED_PROMOTED",
        }
    }
}

impl fmt::Display for OcfStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

/// An action that did not succeed: the code to exit with and the exit reason for the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Failure {
    /// The exit code.
    pub status: OcfStatus,
    /// One line saying what is wrong (Pacemaker shows it as the operation's exit reason).
    pub reason: String,
}

impl Failure {
    /// A failure with `status` and `reason`.
    pub fn new(status: OcfStatus, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
        }
    }

    /// `OCF_ERR_GENERIC`.
    pub fn generic(reason: impl Into<String>) -> Self {
        Self::new(OcfStatus::ErrGeneric, reason)
    }

    /// `OCF_ERR_CONFIGURED`.
    pub fn configured(reason: impl Into<String>) -> Self {
        Self::new(OcfStatus::ErrConfigured, reason)
    }

    /// `OCF_ERR_INSTALLED`.
    pub fn installed(reason: impl Into<String>) -> Self {
        Self::new(OcfStatus::ErrInstalled, reason)
    }

    /// The line Pacemaker reads from stderr as the exit reason (`ocf-exit-reason:...`), one line only.
    pub fn exit_reason_line(&self) -> String {
        let one_line: String = self
            .reason
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        format!("ocf-exit-reason:{one_line}")
    }
}

/// What an action returns: a success-like status (success, not running, degraded, ...) or a failure.
pub type Outcome = Result<OcfStatus, Failure>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_ocf_api() {
        let expected = [
            (OcfStatus::Success, 0),
            (OcfStatus::ErrGeneric, 1),
            (OcfStatus::ErrArgs, 2),
            (OcfStatus::ErrUnimplemented, 3),
            (OcfStatus::ErrPerm, 4),
            (OcfStatus::ErrInstalled, 5),
            (OcfStatus::ErrConfigured, 6),
            (OcfStatus::NotRunning, 7),
            (OcfStatus::RunningPromoted, 8),
            (OcfStatus::FailedPromoted, 9),
            (OcfStatus::Degraded, 190),
            (OcfStatus::DegradedPromoted, 191),
        ];
        for (status, code) in expected {
            assert_eq!(status.code(), code, "{status}");
        }
    }

    #[test]
    fn exit_reason_is_one_line() {
        let f = Failure::generic("first\nsecond");
        assert_eq!(f.exit_reason_line(), "ocf-exit-reason:first second");
    }
}
