//! Pacemaker alerts, as the alert agent hands them to the daemon.
//!
//! Pacemaker runs the alert agent (`masakari-hostmonitor-alert`, as user hacluster) with the event in
//! `CRM_alert_*` environment variables. The agent copies the variables it knows into one JSON line and
//! writes it to the daemon's alert socket; this module is both ends of that line, with no I/O.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engine::{Event, FenceOutcome, Timestamp};

/// The largest alert line the daemon reads; a longer one is malformed.
pub const MAX_LINE: usize = 8 * 1024;

/// The variables the agent forwards (anything else in its environment stays behind).
pub const FORWARDED: [&str; 11] = [
    "CRM_alert_kind",
    "CRM_alert_node",
    "CRM_alert_desc",
    "CRM_alert_rc",
    "CRM_alert_task",
    "CRM_alert_status",
    "CRM_alert_rsc",
    "CRM_alert_attribute_name",
    "CRM_alert_timestamp_epoch",
    "CRM_alert_timestamp_usec",
    "CRM_alert_version",
];

/// One alert: the forwarded `CRM_alert_*` variables, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Alert(BTreeMap<String, String>);

/// Why an alert line was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum AlertError {
    /// The line is longer than [`MAX_LINE`].
    #[error("alert line of {0} bytes is longer than {MAX_LINE}")]
    TooLong(usize),
    /// The line is not a JSON object of strings.
    #[error("alert line is not a JSON object of strings: {0}")]
    Malformed(String),
    /// A variable the event needs is missing or unreadable.
    #[error("{kind} alert without a valid {variable}")]
    Missing {
        /// The alert kind.
        kind: String,
        /// The variable.
        variable: &'static str,
    },
}

impl Alert {
    /// The alert from an environment (the agent's), keeping only [`FORWARDED`] variables.
    pub fn from_env<I: IntoIterator<Item = (String, String)>>(vars: I) -> Self {
        Self(
            vars.into_iter()
                .filter(|(k, _)| FORWARDED.contains(&k.as_str()))
                .collect(),
        )
    }

    /// The alert as one line (JSON and a newline).
    pub fn encode(&self) -> String {
        let mut line = serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".to_owned());
        line.push('\n');
        line
    }

    /// Reads one line written by [`Alert::encode`].
    pub fn decode(line: &[u8]) -> Result<Self, AlertError> {
        if line.len() > MAX_LINE {
            return Err(AlertError::TooLong(line.len()));
        }
        serde_json::from_slice(line.trim_ascii_end())
            .map_err(|e| AlertError::Malformed(e.to_string()))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The alert kind (`node`, `fencing`, `resource`, `attribute`).
    pub fn kind(&self) -> &str {
        self.get("CRM_alert_kind").unwrap_or("")
    }

    /// The engine event this alert reports, if it is one the engine takes.
    /// A fencing alert only confirms a fence for the actions that power a node off (`off`, `reboot`):
    /// an `on` (unfencing) proves nothing about a lost host. Pacemaker 2.1 sets `CRM_alert_task` to
    /// `st_notify_fence` and names the action only in `CRM_alert_desc` ("Operation reboot of compute1
    /// by ctl1 for ...: OK").
    pub fn event(&self) -> Result<Option<Event>, AlertError> {
        let kind = self.kind().to_owned();
        let node = || {
            self.get("CRM_alert_node")
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| AlertError::Missing {
                    kind: kind.clone(),
                    variable: "CRM_alert_node",
                })
        };
        match self.kind() {
            "node" => match self.get("CRM_alert_desc") {
                Some("lost") => Ok(Some(Event::NodeLost { node: node()? })),
                Some("member") => Ok(Some(Event::NodeMember { node: node()? })),
                _ => Ok(None),
            },
            "fencing" => {
                let action = self
                    .get("CRM_alert_desc")
                    .and_then(fence_action)
                    .unwrap_or("");
                if !matches!(action, "off" | "reboot") {
                    return Ok(None);
                }
                let rc = self
                    .get("CRM_alert_rc")
                    .ok_or_else(|| AlertError::Missing {
                        kind: kind.clone(),
                        variable: "CRM_alert_rc",
                    })?;
                let outcome = if rc == "0" {
                    FenceOutcome::Succeeded
                } else {
                    FenceOutcome::Failed
                };
                Ok(Some(Event::Fencing {
                    target: node()?,
                    outcome,
                    at: self.timestamp(&kind)?,
                }))
            }
            _ => Ok(None),
        }
    }

    /// Whether the alert may have changed what the monitor sees, so that it is worth a reconcile:
    /// node and fencing alerts always; a resource alert only for a resource the monitor knows: one
    /// named like a node (a remote's connection resource is named after its node, and its failure
    /// can leave the node listed online) or a watched compute service (an instance `rsc:N` of a
    /// clone counts as `rsc`); an attribute alert only for a known resource's fail count (set on
    /// a failure, deleted by a cleanup). Every other alert never.
    pub fn concerns(&self, known: impl Fn(&str) -> bool) -> bool {
        let known_resource = |rsc: &str| known(rsc) || known(clone_base(rsc));
        match self.kind() {
            "node" | "fencing" => true,
            "resource" => self.get("CRM_alert_rsc").is_some_and(known_resource),
            "attribute" => self
                .get("CRM_alert_attribute_name")
                .and_then(|name| name.strip_prefix("fail-count-"))
                .map(|rest| rest.split_once('#').map_or(rest, |(rsc, _)| rsc))
                .is_some_and(known_resource),
            _ => false,
        }
    }

    fn timestamp(&self, kind: &str) -> Result<Timestamp, AlertError> {
        let missing = |variable| AlertError::Missing {
            kind: kind.to_owned(),
            variable,
        };
        let secs = self
            .get("CRM_alert_timestamp_epoch")
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(|| missing("CRM_alert_timestamp_epoch"))?;
        let micros = self
            .get("CRM_alert_timestamp_usec")
            .and_then(|s| s.parse::<u32>().ok())
            .filter(|&u| u < 1_000_000)
            .unwrap_or(0);
        Ok(Timestamp::from_unix(secs, micros))
    }
}

/// The action of a fencing alert's description, `Operation ACTION of TARGET by ...`.
fn fence_action(desc: &str) -> Option<&str> {
    let rest = desc.strip_prefix("Operation ")?;
    let (action, rest) = rest.split_once(' ')?;
    rest.starts_with("of ").then_some(action)
}

/// A clone instance's resource id without its instance number (`rsc:2` is `rsc`).
fn clone_base(rsc: &str) -> &str {
    match rsc.rsplit_once(':') {
        Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => rsc,
    }
}

#[cfg(test)]
mod tests;
