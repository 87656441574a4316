//! What the daemon says of its own sources and sinks: the health part of a status answer, which
//! the daemon keeps current (`daemon::health`) and the metrics, the CLI and the OCF agent read.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::engine::Timestamp;

/// The daemon's health, as the status answer carries it (its fields at the answer's top level).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthView {
    /// Whether the last CIB reconcile worked (`None` before the first).
    pub cib_ok: Option<bool>,
    /// Why the last reconcile failed.
    pub cib_error: Option<String>,
    /// Whether the last read of the CIB's version went over the CIB manager's IPC (`false`: by
    /// `cibadmin`, while the connection cannot be made; `None` before the first read, or from a
    /// daemon that predates it).
    #[serde(default)]
    pub cib_ipc: Option<bool>,
    /// Whether the last contact with the Masakari API worked (`None` before the first).
    pub api_ok: Option<bool>,
    /// Why the last contact failed.
    pub api_error: Option<String>,
    /// Quorum as corosync reports it (`None` when corosync is not reachable from here).
    pub corosync_quorate: Option<bool>,
    /// The daemon's link to corosync's quorum service (`None` from a daemon that predates it).
    #[serde(default)]
    pub corosync: Option<CorosyncLink>,
    /// Alert lines received and accepted.
    pub alerts_accepted: u64,
    /// Alert lines refused (bad peer, malformed).
    pub alerts_refused: u64,
}

/// The daemon's link to corosync's quorum service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CorosyncLink {
    /// Not tried yet (the daemon is starting).
    Starting,
    /// Connected: quorum callbacks arrive.
    Connected {
        /// Since when.
        since: Timestamp,
    },
    /// Not connected: corosync was not there, went away or the dispatch failed; retried with
    /// backoff, and meanwhile the monitor relies on Pacemaker's alerts and reconciles alone.
    Reconnecting {
        /// Since when the link is down.
        since: Timestamp,
        /// Why the last attempt failed, or why the link ended.
        last_error: String,
        /// When the next attempt is due.
        next_attempt: Timestamp,
    },
}

impl CorosyncLink {
    /// The link in words, times relative to `now` (`None`: a daemon that does not report it).
    pub fn describe(link: Option<&Self>, now: Timestamp) -> String {
        match link {
            None => "? (the daemon does not say)".to_owned(),
            Some(Self::Starting) => "starting".to_owned(),
            Some(Self::Connected { since }) => {
                format!("connected since {}", when(Some(*since), now))
            }
            Some(Self::Reconnecting {
                since,
                last_error,
                next_attempt,
            }) => format!(
                "RECONNECTING since {} (last error: {last_error}; next attempt {})",
                when(Some(*since), now),
                when(Some(*next_attempt), now)
            ),
        }
    }
}

/// A time as the control clients show it: UTC to the second and how long ago (or ahead) that is
/// from `now`; `-` for none.
pub fn when(at: Option<Timestamp>, now: Timestamp) -> String {
    let Some(at) = at else {
        return "-".to_owned();
    };
    let at_text = at.to_string();
    let shown = at_text.split('.').next().unwrap_or(&at_text);
    if at <= now {
        format!("{shown}Z ({} ago)", span(now.saturating_duration_since(at)))
    } else {
        format!("{shown}Z (in {})", span(at.saturating_duration_since(now)))
    }
}

fn span(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..120 => format!("{s}s"),
        120..7200 => format!("{}m", s / 60),
        _ => format!("{}h", s / 3600),
    }
}
