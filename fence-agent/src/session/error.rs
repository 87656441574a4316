//! Why a session failed, saying who is at fault.

use thiserror::Error;

use crate::ipmi::{CompletionCode, RmcpStatus};

/// A session failure. Messages never contain secrets.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The BMC did not answer in time (network, address or BMC down).
    #[error("no answer from the BMC to {stage} (gave up after {sent} transmissions{})", dropped_note(*.dropped))]
    Timeout {
        /// The request left unanswered.
        stage: &'static str,
        /// How many times the request was sent.
        sent: u32,
        /// Datagrams dropped as malformed or unauthenticated meanwhile.
        dropped: u32,
    },
    /// The BMC refused a session step with an RMCP+ status.
    #[error("BMC refused {stage}: {status}")]
    Refused {
        /// The step.
        stage: &'static str,
        /// The BMC's status code.
        status: RmcpStatus,
    },
    /// The BMC answered a command with a non-zero completion code.
    #[error("BMC rejected {stage}: {code}")]
    Completion {
        /// The command.
        stage: &'static str,
        /// The completion code.
        code: CompletionCode,
    },
    /// The BMC's proof of the shared key did not match ours.
    #[error("authentication failed {stage}: wrong user name, password or Kg")]
    AuthFailed {
        /// The step.
        stage: &'static str,
    },
    /// The BMC and we have no security mode in common.
    #[error("incompatible BMC: {what}")]
    Incompatible {
        /// What is missing.
        what: String,
    },
    /// The BMC sent a structurally valid packet with content we cannot accept.
    #[error("BMC sent an unusable answer {stage}: {what}")]
    Malformed {
        /// The step.
        stage: &'static str,
        /// What was wrong.
        what: String,
    },
    /// A command was issued while the session was not ready for it (a bug of ours).
    #[error("session not ready for a command")]
    NotReady,
}

fn dropped_note(dropped: u32) -> String {
    match dropped {
        0 => String::new(),
        n => format!("; {n} invalid datagrams dropped"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_stage_and_code() {
        let e = SessionError::Timeout {
            stage: "RAKP Message 1",
            sent: 3,
            dropped: 1,
        };
        assert_eq!(
            e.to_string(),
            "no answer from the BMC to RAKP Message 1 (gave up after 3 transmissions; 1 invalid datagrams dropped)"
        );
        let e = SessionError::Completion {
            stage: "Chassis Control",
            code: CompletionCode(0xd4),
        };
        assert_eq!(
            e.to_string(),
            "BMC rejected Chassis Control: insufficient privilege level (0xd4)"
        );
    }
}
