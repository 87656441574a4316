//! What one notice of sushy-emulator's fake driver means for the node's power: the decision, on the
//! PUT's JSON body alone.

use serde::Deserialize;

/// A fake system as the driver PUTs it (the fields the link reads; the rest is ignored).
#[derive(Debug, Deserialize)]
struct System {
    name: String,
    power_state: String,
    #[serde(default)]
    pending_power: Option<Pending>,
}

/// A reset the driver has taken and not yet applied.
#[derive(Debug, Deserialize)]
struct Pending {
    power_state: String,
}

/// What a notice says about the system's power.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The system's name (the lab names each BMC's one system after its node).
    pub system: String,
    /// The power the system now has, if the notice says it changed: `None` for a reset that was
    /// only accepted (it lands later, in a notice of its own).
    pub landed: Option<bool>,
}

/// Why a notice cannot be acted on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NoticeError {
    /// The body is not the JSON of a fake system.
    #[error("not a fake system's JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A power state the fake driver never reports.
    #[error("system {system}: unknown power state {state:?}")]
    UnknownState {
        /// The system.
        system: String,
        /// What it said.
        state: String,
    },
}

/// Reads one notice. The driver's `power_state` is the system's power except while a reset is
/// pending: then it is still the old one, unless the reset is a restart, whose "Off" half the
/// driver applies at once.
pub fn read(body: &[u8]) -> Result<Notice, NoticeError> {
    let system: System = serde_json::from_slice(body)?;
    let settled = match &system.pending_power {
        None => true,
        Some(p) => p.power_state.contains("Restart"),
    };
    let landed = match (settled, system.power_state.as_str()) {
        (false, _) => None,
        (true, "On") => Some(true),
        (true, "Off") => Some(false),
        (true, other) => {
            return Err(NoticeError::UnknownState {
                state: other.to_owned(),
                system: system.name,
            });
        }
    };
    Ok(Notice {
        system: system.name,
        landed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The body fakedriver.py PUTs: the whole system, as its config and updates made it.
    fn body(power_state: &str, pending: &str) -> Vec<u8> {
        format!(
            r#"{{"uuid": "1a2b", "name": "compute1", "power_state": "{power_state}",
                "external_notifier": true, "nics": [{{"mac": "00:5c:52:31:3a:9c"}}],
                "pending_power": {pending}, "boot_device": "Hdd"}}"#
        )
        .into_bytes()
    }

    #[test]
    fn an_accepted_reset_changes_nothing_yet() {
        let pending = r#"{"power_state": "Off", "apply_time": 1765000000}"#;
        let notice = read(&body("On", pending)).unwrap();
        assert_eq!(notice.system, "compute1");
        assert_eq!(notice.landed, None);
    }

    #[test]
    fn a_landed_change_is_the_new_power() {
        assert_eq!(read(&body("Off", "null")).unwrap().landed, Some(false));
        assert_eq!(read(&body("On", "null")).unwrap().landed, Some(true));
    }

    #[test]
    fn a_system_never_reset_is_as_it_says() {
        let text = r#"{"uuid": "1a2b", "name": "compute2", "power_state": "On"}"#;
        assert_eq!(read(text.as_bytes()).unwrap().landed, Some(true));
    }

    #[test]
    fn a_restart_is_off_at_once() {
        let pending = r#"{"power_state": "ForceRestart", "apply_time": 1765000000}"#;
        assert_eq!(read(&body("Off", pending)).unwrap().landed, Some(false));
    }

    #[test]
    fn refuses_what_the_driver_never_sends() {
        assert!(read(b"{}").is_err());
        assert!(read(b"not json").is_err());
        let err = read(&body("Paused", "null")).unwrap_err();
        assert!(err.to_string().contains("compute1"), "{err}");
    }
}
