//! The actions of the OCF Resource Agent API 1.1 and how an agent advertises them in its metadata.

use std::fmt;
use std::str::FromStr;

/// An action named on the command line (`agent start`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Action {
    /// Start the resource; succeeds if it already runs.
    Start,
    /// Stop the resource; succeeds if it is already stopped.
    Stop,
    /// Is it running (and, with `OCF_CHECK_LEVEL`, working)?
    Monitor,
    /// Print the metadata XML.
    MetaData,
    /// Check the parameters without touching the resource.
    ValidateAll,
    /// Take new values of `reloadable` parameters without restarting the service (OCF 1.1).
    ReloadAgent,
    /// The OCF 1.0 name of a reload.
    Reload,
    /// Promote a clone instance.
    Promote,
    /// Demote a clone instance.
    Demote,
    /// Clone notifications.
    Notify,
    /// Live-migrate away.
    MigrateTo,
    /// Live-migrate here.
    MigrateFrom,
    /// The old name of monitor.
    Status,
    /// List the supported actions (OCF 1.0).
    Methods,
    /// Print a usage line.
    Usage,
}

/// Every action with its name, for parsing and display.
const NAMES: &[(Action, &str)] = &[
    (Action::Start, "start"),
    (Action::Stop, "stop"),
    (Action::Monitor, "monitor"),
    (Action::MetaData, "meta-data"),
    (Action::ValidateAll, "validate-all"),
    (Action::ReloadAgent, "reload-agent"),
    (Action::Reload, "reload"),
    (Action::Promote, "promote"),
    (Action::Demote, "demote"),
    (Action::Notify, "notify"),
    (Action::MigrateTo, "migrate_to"),
    (Action::MigrateFrom, "migrate_from"),
    (Action::Status, "status"),
    (Action::Methods, "methods"),
    (Action::Usage, "usage"),
];

impl Action {
    /// The action's name on the command line and in metadata.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(a, _)| *a == self)
            .map_or("unknown", |(_, n)| n)
    }

    /// Every action name the API defines.
    pub fn all_names() -> impl Iterator<Item = &'static str> {
        NAMES.iter().map(|(_, n)| *n)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An action name no OCF version defines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown action {0:?}")]
pub struct UnknownAction(pub String);

impl FromStr for Action {
    type Err = UnknownAction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NAMES
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(a, _)| *a)
            .ok_or_else(|| UnknownAction(s.to_owned()))
    }
}

/// An `<action>` element of the metadata: the action and Pacemaker's suggested operation settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionSpec {
    /// The action.
    pub action: Action,
    /// Suggested timeout, in seconds.
    pub timeout: u32,
    /// Suggested interval for recurring monitors, in seconds.
    pub interval: Option<u32>,
    /// The monitor's `OCF_CHECK_LEVEL` for this entry.
    pub depth: Option<u32>,
}

impl ActionSpec {
    /// An action with a suggested timeout and nothing else.
    pub const fn new(action: Action, timeout: u32) -> Self {
        Self {
            action,
            timeout,
            interval: None,
            depth: None,
        }
    }

    /// A recurring monitor at `depth`.
    pub const fn monitor(timeout: u32, interval: u32, depth: u32) -> Self {
        Self {
            action: Action::Monitor,
            timeout,
            interval: Some(interval),
            depth: Some(depth),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in Action::all_names() {
            let action: Action = name.parse().unwrap();
            assert_eq!(action.name(), name);
        }
    }

    #[test]
    fn unknown_names_are_errors() {
        assert_eq!(
            "restart".parse::<Action>(),
            Err(UnknownAction("restart".into()))
        );
        assert!("START".parse::<Action>().is_err());
    }
}
