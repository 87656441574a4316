//! Typed, validated settings for one run of the agent.

use std::time::Duration;

use secret::Secret;
use thiserror::Error;

use crate::ipmi::{AuthType, CipherSuite, Privilege};

/// What the agent is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Power on and confirm.
    On,
    /// Power off and confirm.
    Off,
    /// Off then on (or power cycle with `method=cycle`).
    Reboot,
    /// Print `Status: ON|OFF` (exit 2 when off).
    Status,
    /// Check the BMC answers (status without output).
    Monitor,
    /// fence_ipmilan has no outlets: prints a notice.
    List,
    /// Same as `list`.
    ListStatus,
    /// Pulse a diagnostic interrupt (NMI), reported like a cycle reboot.
    Diag,
}

impl Action {
    /// Parses fence-agents' action names (already lower-cased).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "on" => Action::On,
            "off" => Action::Off,
            "reboot" => Action::Reboot,
            "status" => Action::Status,
            "monitor" => Action::Monitor,
            "list" => Action::List,
            "list-status" => Action::ListStatus,
            "diag" => Action::Diag,
            _ => return None,
        })
    }
}

/// How `reboot` is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Off, confirm off, on (the safe default).
    OnOff,
    /// Chassis power cycle (fence_ipmilan warns it may report success early).
    Cycle,
}

/// Which IPMI session flavour to use and how to authenticate.
#[derive(Debug, Clone)]
pub enum Protocol {
    /// IPMI 1.5 session (`lanplus=0`); `None` lets the BMC's capabilities choose (never `none`).
    V15 {
        /// Explicit auth type, if given.
        auth: Option<AuthType>,
    },
    /// IPMI 2.0 RMCP+ session; `None` tries suite 17 then falls back to 3.
    V20 {
        /// Explicit cipher suite, if given.
        cipher: Option<CipherSuite>,
        /// BMC key Kg (`hexadecimal_kg`).
        kg: Option<Secret>,
    },
}

/// The time limits of a run (fence-agents semantics; `None` = no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Session establishment (login_timeout).
    pub login: Duration,
    /// One command's answer (shell_timeout).
    pub command: Duration,
    /// Waiting for the power state to change (power_timeout); `None` with disable_timeout.
    pub power: Option<Duration>,
    /// Sleep after issuing on/off (power_wait).
    pub power_wait: Duration,
    /// Sleep between status polls (stonith_status_sleep).
    pub status_sleep: Duration,
    /// Retransmission interval of one request (ipmitool_timeout, at most 1 s).
    pub retransmit: Duration,
}

/// Everything a fencing run needs, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The action.
    pub action: Action,
    /// BMC host name or address.
    pub host: String,
    /// BMC UDP port.
    pub port: u16,
    /// IPMI user name (empty: anonymous/null user).
    pub username: String,
    /// Password (from option, stdin or password_script).
    pub password: Secret,
    /// Requested session privilege.
    pub privilege: Privilege,
    /// Session flavour.
    pub protocol: Protocol,
    /// Reboot method.
    pub method: Method,
    /// Time limits.
    pub timeouts: Timeouts,
    /// Extra power-on attempts (retry_on; at most 100, the option table's bound).
    pub retry_on: u8,
    /// Seconds to wait before off/reboot (delay).
    pub delay: Duration,
}

impl Settings {
    /// IPMI's length limits on the credentials (user name 16 bytes; password 20 bytes for
    /// RMCP+, 16 for IPMI 1.5), checked once the password is known (it may come from
    /// password_script). Longer values would be cut silently and fail as a wrong password.
    pub fn check_credentials(&self) -> Result<(), CredentialError> {
        let password_limit = match self.protocol {
            Protocol::V15 { .. } => 16,
            Protocol::V20 { .. } => 20,
        };
        if self.username.len() > 16 {
            return Err(CredentialError::UsernameTooLong);
        }
        if self.password.expose().len() > password_limit {
            return Err(CredentialError::PasswordTooLong {
                limit: password_limit,
            });
        }
        Ok(())
    }
}

/// Credentials IPMI cannot carry (the messages are the agent's failure lines).
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialError {
    /// The user name is over IPMI's 16 bytes.
    #[error("Failed: username is longer than IPMI's 16 bytes")]
    UsernameTooLong,
    /// The password is over the session type's limit.
    #[error("Failed: password is longer than IPMI's {limit} bytes for this session type")]
    PasswordTooLong {
        /// The limit in bytes (20 for RMCP+, 16 for IPMI 1.5).
        limit: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::check::{Outcome, check};
    use crate::options::stdin;
    use crate::options::table::OPTIONS;
    use crate::personality::FENCE_IPMILAN;

    fn settings(text: &str) -> Settings {
        match check(stdin::parse(text, OPTIONS), &FENCE_IPMILAN, None).outcome {
            Outcome::Run(s) => *s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn credential_limits_depend_on_the_session_type() {
        assert!(
            settings("ip=h\nusername=u\npassword=12345678901234567890\nlanplus=1\n")
                .check_credentials()
                .is_ok()
        );
        assert_eq!(
            settings("ip=h\npassword=12345678901234567890\n").check_credentials(),
            Err(CredentialError::PasswordTooLong { limit: 16 })
        );
        assert_eq!(
            settings("ip=h\nusername=12345678901234567\nlanplus=1\n").check_credentials(),
            Err(CredentialError::UsernameTooLong)
        );
    }
}
